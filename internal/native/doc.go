// Package native is a database/sql driver for local libSQL database files,
// written directly on the sqlite3 C API that libSQL's engine exports through
// github.com/tursodatabase/go-libsql's static library. It does not use
// go-libsql's own database/sql driver, whose conversions and statement
// handling differ from SQLite's.
//
// Open a database with
//
//	c, err := native.NewConnector("app.db", native.Options{
//		BusyTimeout: 5 * time.Second,
//		Init:        []string{"PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON"},
//	})
//	db := sql.OpenDB(c)
//
// # Values
//
// Arguments bind as: int64 and the other integer types as INTEGER (unsigned
// values above math.MaxInt64 are an error), float64 and float32 as REAL, bool
// as 0 or 1, string as TEXT, []byte as BLOB (nil as NULL, an empty non-nil
// slice as a zero-length BLOB), nil as NULL and time.Time as TEXT in
// sqlvalue.TimeFormat after conversion to UTC. Other types go through
// database/sql's default converter (driver.Valuer, named types, pointers).
//
// Results are described on Rows: the storage class of each value decides,
// and the declared type of the column only matters for BOOLEAN/BOOL (bool)
// and DATETIME/TIMESTAMP/DATE (time.Time). TEXT in any other column is
// returned exactly as stored.
//
// # Statements
//
// Exec and Query accept several statements separated by semicolons (see
// Conn.ExecContext and Conn.QueryContext); parameters are ?, ?NNN, :name,
// @name and $name. Each connection caches compiled statements (Options.
// StmtCacheSize) keyed by SQL text, used by Exec, Query and Prepare alike.
//
// A context that ends while a statement runs interrupts it
// (sqlite3_interrupt); the call then returns the context's error and the
// connection stays usable.
package native
