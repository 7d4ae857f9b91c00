// Package hrana is a pure-Go database/sql driver for remote libSQL servers
// (sqld, Turso) speaking Hrana 3 over HTTP with the JSON encoding
// (POST <url>/v3/pipeline). It behaves like the local driver
// (internal/native) from the user's point of view: the same argument
// conversions and result types (internal/sqlvalue), multi-statement Exec,
// named parameters, transaction options and error messages.
//
// Open a database with
//
//	c, err := hrana.NewConnector("libsql://db.example.turso.io", hrana.Options{
//		AuthToken: token,
//		Init:      []string{"PRAGMA foreign_keys = ON"},
//	})
//	db := sql.OpenDB(c)
//
// # Requests
//
// See Conn for how calls map to HTTP requests: one per Exec or Query outside
// transactions (on a fresh server stream, closed in the same request), one
// per statement inside a transaction with BEGIN riding on the first one, and
// one for COMMIT or ROLLBACK. Every request is a single Hrana "batch" whose
// steps are conditioned on the previous step's success.
//
// # Statements and parameters
//
// A query may hold several statements; the driver splits it the way SQLite
// does (quotes, comments, CREATE TRIGGER ... BEGIN ... END bodies) and sends
// them as steps of one batch, so that each runs and reports its changes.
// Parameters ?, ?NNN, :name, @name and $name are numbered as SQLite does and
// bound with the local driver's rules. Queries are answered in full: Rows
// hold every row of the result when QueryContext returns.
//
// # Server behaviour worth knowing (sqld 0.24)
//
//   - Blobs come back base64 without padding; padded and unpadded input are
//     both accepted. The driver sends standard padded base64.
//   - Integers travel as decimal strings; floats as JSON numbers, so ±Inf
//     cannot be sent (an error) and comes back as null (read as nil); NaN is
//     sent as NULL, as SQLite stores it.
//   - Text must be valid UTF-8 both ways: a string argument that is not is
//     an error (use []byte), and a stored non-UTF-8 text fails the request
//     on the server (HTTP 500).
//   - Named arguments are matched with the prefix used in the SQL (":a"),
//     or guessed without it; a statement's arguments must be all positional
//     or all named, so a statement mixing ? with :name is sent rewritten with
//     ?NNN parameters.
//   - The server parses every statement itself and refuses, for the whole
//     batch and before running any of it, text it cannot parse and many
//     statements it does not support: most PRAGMAs that set something
//     (synchronous, busy_timeout, query_only, cache_size...; foreign_keys
//     and defer_foreign_keys are allowed), temporary tables, ATTACH, VACUUM,
//     ANALYZE.
//   - PRAGMA foreign_keys is ON by default on every stream.
//   - A stream idle for about 10 seconds expires (HTTP 400 STREAM_EXPIRED);
//     its transaction is rolled back. An idle transaction holding the write
//     lock makes other writers wait up to about 5 seconds, after which the
//     server takes the lock from it.
//   - A baton can be used once; the server answers 400 to a reused or
//     unknown one. Authentication failures are HTTP 401, writes with a
//     read-only token HTTP 403 for the whole request.
package hrana
