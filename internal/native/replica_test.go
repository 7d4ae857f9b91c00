package native

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gorm-libsql/libsql/internal/sqldtest"
	"github.com/gorm-libsql/libsql/internal/txopt"
)

// newReplica opens a replica of srv at a fresh path (or path when given)
// and returns the connector and a *sql.DB on it, both closed at the end of
// the test.
func newReplica(t *testing.T, srv *sqldtest.Server, path string, opts ReplicaOptions) (*ReplicaConnector, *sql.DB) {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "replica.db")
	}
	if opts.AuthToken == "" {
		opts.AuthToken = srv.Token()
	}
	c, err := NewReplicaConnector(path, srv.URL(), opts)
	require.NoError(t, err)
	db := sql.OpenDB(c)
	t.Cleanup(func() {
		db.Close()
		c.Close()
	})
	return c, db
}

func rywOptions() ReplicaOptions { return ReplicaOptions{ReadYourWrites: true} }

func rawReplica(t *testing.T, conn *sql.Conn, fn func(c *ReplicaConn)) {
	t.Helper()
	require.NoError(t, conn.Raw(func(dc any) error {
		fn(dc.(*ReplicaConn))
		return nil
	}))
}

func TestReplicaWriteIsDelegatedToPrimary(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	r1, db1 := newReplica(t, srv, "", rywOptions())
	rep, err := r1.Sync()
	require.NoError(t, err)
	assert.Equal(t, 0, rep.FramesSynced, "empty primary")

	_, err = db1.Exec("CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT)")
	require.NoError(t, err)
	res, err := db1.Exec("INSERT INTO items(name) VALUES (?), (?)", "a", "b")
	require.NoError(t, err)
	n, _ := res.RowsAffected()
	id, _ := res.LastInsertId()
	assert.Equal(t, int64(2), n)
	assert.Equal(t, int64(2), id)

	// Read your writes: visible locally at once.
	assert.Equal(t, int64(2), count(t, db1, "SELECT count(*) FROM items"))

	// The rows are on the primary: a second replica gets them by syncing.
	r2, db2 := newReplica(t, srv, "", rywOptions())
	_, err = r2.Sync()
	require.NoError(t, err)
	var names []string
	rows, err := db2.Query("SELECT name FROM items ORDER BY id")
	require.NoError(t, err)
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		names = append(names, s)
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, []string{"a", "b"}, names)

	// RowsAffected is 0 for DDL and reads, as in Conn.
	res, err = db1.Exec("CREATE TABLE other(x)")
	require.NoError(t, err)
	n, _ = res.RowsAffected()
	assert.Equal(t, int64(0), n)
	res, err = db1.Exec("SELECT * FROM items")
	require.NoError(t, err)
	n, _ = res.RowsAffected()
	assert.Equal(t, int64(0), n)
}

func TestReplicaDateLikeTextStaysText(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	_, db := newReplica(t, srv, "", rywOptions())
	ctx := context.Background()
	_, err := db.Exec("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT, at DATETIME)")
	require.NoError(t, err)
	texts := []string{"2024-01-02", "2024-01-02 03:04:05", "2024-01-02T03:04:05Z", "2024-01-02 03:04:05.123+02:00"}
	for _, s := range texts {
		_, err := db.Exec("INSERT INTO notes(body) VALUES (?)", s)
		require.NoError(t, err)
	}
	check := func(t *testing.T, q interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	}) {
		rows, err := q.QueryContext(ctx, "SELECT body FROM notes ORDER BY id")
		require.NoError(t, err)
		defer rows.Close()
		var got []any
		for rows.Next() {
			var v any
			require.NoError(t, rows.Scan(&v))
			got = append(got, v)
		}
		require.NoError(t, rows.Err())
		require.Len(t, got, len(texts))
		for i, v := range got {
			assert.IsType(t, "", v)
			assert.Equal(t, texts[i], v)
		}
	}
	t.Run("local", func(t *testing.T) { check(t, db) })
	t.Run("primary", func(t *testing.T) {
		// Inside a transaction reads run on the primary, through libsql.
		tx, err := db.Begin()
		require.NoError(t, err)
		defer tx.Rollback()
		check(t, tx)
	})
	t.Run("returning", func(t *testing.T) {
		var v any
		require.NoError(t, db.QueryRow("INSERT INTO notes(body) VALUES ('2024-05-06') RETURNING body").Scan(&v))
		assert.Equal(t, "2024-05-06", v)
	})
}

func TestReplicaTimeInDatetime(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	loc := time.FixedZone("X", -5*3600)
	_, db := newReplica(t, srv, "", ReplicaOptions{ReadYourWrites: true, Location: loc})
	_, err := db.Exec("CREATE TABLE ev(id INTEGER PRIMARY KEY, at DATETIME, ok BOOLEAN)")
	require.NoError(t, err)
	want := time.Date(2024, 3, 4, 5, 6, 7, 123456789, time.FixedZone("Y", 7*3600))
	_, err = db.Exec("INSERT INTO ev(at, ok) VALUES (?, ?)", want, true)
	require.NoError(t, err)

	var raw string
	require.NoError(t, db.QueryRow("SELECT CAST(at AS TEXT) FROM ev").Scan(&raw))
	assert.Equal(t, "2024-03-03 22:06:07.123456789+00:00", raw, "stored in TimeFormat, UTC")

	read := func(t *testing.T, q interface {
		QueryRow(string, ...any) *sql.Row
	}) {
		var got any
		var ok any
		require.NoError(t, q.QueryRow("SELECT at, ok FROM ev").Scan(&got, &ok))
		tm, isTime := got.(time.Time)
		require.True(t, isTime, "got %T", got)
		assert.True(t, tm.Equal(want), "%v != %v", tm, want)
		assert.Equal(t, loc, tm.Location())
		assert.Equal(t, true, ok)
	}
	t.Run("local", func(t *testing.T) { read(t, db) })
	t.Run("primary", func(t *testing.T) {
		tx, err := db.Begin()
		require.NoError(t, err)
		defer tx.Rollback()
		read(t, tx)
	})
}

func TestReplicaMultiStatementExec(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	_, db := newReplica(t, srv, "", rywOptions())
	res, err := db.Exec(`CREATE TABLE m(x);
		INSERT INTO m VALUES (1);
		INSERT INTO m VALUES (?), (?);
		SELECT * FROM m;
		INSERT INTO m VALUES (4) RETURNING x;
		-- done`, 2, 3)
	require.NoError(t, err)
	n, _ := res.RowsAffected()
	assert.Equal(t, int64(4), n)
	assert.Equal(t, int64(4), count(t, db, "SELECT count(*) FROM m"))

	// A failing statement stops the run; the earlier ones stay done.
	_, err = db.Exec("INSERT INTO m VALUES (5); INSERT INTO nosuch VALUES (6); INSERT INTO m VALUES (7)")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no such table")
	assert.Equal(t, int64(5), count(t, db, "SELECT count(*) FROM m"))

	// Query runs all statements and returns the rows of the last.
	var maxX int64
	require.NoError(t, db.QueryRow("INSERT INTO m VALUES (8); SELECT max(x) FROM m").Scan(&maxX))
	assert.Equal(t, int64(8), maxX)

	// Argument count errors as in Conn.
	_, err = db.Exec("INSERT INTO m VALUES (?)", 1, 2)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "left over")
}

func TestReplicaNamedParams(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	_, db := newReplica(t, srv, "", rywOptions())
	_, err := db.Exec("CREATE TABLE p(a TEXT, b TEXT, c TEXT, d TEXT)")
	require.NoError(t, err)
	// Written on the primary: named parameters are rewritten as ?NNN.
	_, err = db.Exec("INSERT INTO p VALUES (:a, @b, $c, ?); INSERT INTO p VALUES (:a, :a, '$c :c', ?)",
		sql.Named("a", "A"), sql.Named("b", "B"), sql.Named("c", "C"), "pos1", "pos2")
	require.NoError(t, err)

	var a, b, c, d string
	require.NoError(t, db.QueryRow("SELECT * FROM p WHERE a = :a AND d = :d", sql.Named("a", "A"), sql.Named("d", "pos1")).Scan(&a, &b, &c, &d))
	assert.Equal(t, []string{"A", "B", "C", "pos1"}, []string{a, b, c, d})
	require.NoError(t, db.QueryRow("SELECT * FROM p WHERE d = $d", sql.Named("d", "pos2")).Scan(&a, &b, &c, &d))
	assert.Equal(t, []string{"A", "A", "$c :c", "pos2"}, []string{a, b, c, d})

	// Inside a transaction (run on the primary), and a column named after
	// a parameter keeps its name.
	tx, err := db.Begin()
	require.NoError(t, err)
	defer tx.Rollback()
	rows, err := tx.Query("SELECT :x, count(*) FROM p WHERE b = @b", sql.Named("x", 1), sql.Named("b", "B"))
	require.NoError(t, err)
	cols, _ := rows.Columns()
	assert.Equal(t, []string{":x", "count(*)"}, cols)
	require.True(t, rows.Next())
	var x, n int64
	require.NoError(t, rows.Scan(&x, &n))
	assert.Equal(t, int64(1), x)
	assert.Equal(t, int64(1), n)
	require.NoError(t, rows.Close())

	_, err = db.Exec("INSERT INTO p(a) VALUES (:a)", sql.Named("zz", 1))
	require.Error(t, err)
}

func TestReplicaTransactions(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	_, db := newReplica(t, srv, "", rywOptions())
	ctx := context.Background()
	_, err := db.Exec("CREATE TABLE acc(id INTEGER PRIMARY KEY, v INTEGER)")
	require.NoError(t, err)

	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()

	tx, err := conn.BeginTx(ctx, nil)
	require.NoError(t, err)
	rawReplica(t, conn, func(c *ReplicaConn) { assert.False(t, c.Autocommit()) })
	_, err = tx.Exec("INSERT INTO acc(v) VALUES (1)")
	require.NoError(t, err)
	// Reads in the transaction run on the primary and see its writes.
	assert.Equal(t, int64(1), count(t, tx, "SELECT count(*) FROM acc"))
	// Other connections do not.
	assert.Equal(t, int64(0), count(t, db, "SELECT count(*) FROM acc"))
	require.NoError(t, tx.Commit())
	rawReplica(t, conn, func(c *ReplicaConn) {
		assert.True(t, c.Autocommit())
		assert.Equal(t, int64(1), c.LastInsertRowID())
		assert.Equal(t, int64(1), c.Changes())
		assert.Equal(t, int64(1), c.TotalChanges())
	})
	assert.Equal(t, int64(1), count(t, db, "SELECT count(*) FROM acc"))

	tx, err = conn.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelWriteCommitted})
	require.NoError(t, err)
	_, err = tx.Exec("INSERT INTO acc(v) VALUES (2)")
	require.NoError(t, err)
	require.NoError(t, tx.Rollback())
	assert.Equal(t, int64(1), count(t, db, "SELECT count(*) FROM acc"))
	assert.ErrorIs(t, tx.Commit(), sql.ErrTxDone)

	_, err = conn.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadUncommitted})
	require.Error(t, err)

	// A read-only transaction is a local snapshot; writes fail.
	ro, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	require.NoError(t, err)
	assert.Equal(t, int64(1), count(t, ro, "SELECT count(*) FROM acc"))
	_, err = db.Exec("INSERT INTO acc(v) VALUES (3)")
	require.NoError(t, err)
	assert.Equal(t, int64(1), count(t, ro, "SELECT count(*) FROM acc"), "snapshot")
	_, err = ro.Exec("INSERT INTO acc(v) VALUES (4)")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "readonly")
	require.NoError(t, ro.Commit())
	assert.Equal(t, int64(2), count(t, conn, "SELECT count(*) FROM acc"))

	// An explicit BEGIN left open is rolled back when the connection goes
	// back to the pool.
	_, err = conn.ExecContext(ctx, "BEGIN")
	require.NoError(t, err)
	_, err = conn.ExecContext(ctx, "INSERT INTO acc(v) VALUES (5)")
	require.NoError(t, err)
	require.NoError(t, conn.Close())
	assert.Equal(t, int64(2), count(t, db, "SELECT count(*) FROM acc"))

	// A failed COMMIT leaves no transaction open.
	_, err = db.Exec("CREATE TABLE parent(id INTEGER PRIMARY KEY); CREATE TABLE child(p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)")
	require.NoError(t, err)
	c2, err := db.Conn(ctx)
	require.NoError(t, err)
	defer c2.Close()
	_, err = c2.ExecContext(ctx, "PRAGMA foreign_keys = ON")
	require.NoError(t, err)
	tx, err = c2.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = tx.Exec("INSERT INTO child VALUES (42)")
	require.NoError(t, err)
	err = tx.Commit()
	require.Error(t, err)
	assert.True(t, errors.Is(err, &Error{Code: CodeConstraint}), "%v", err)
	rawReplica(t, c2, func(c *ReplicaConn) { assert.True(t, c.Autocommit()) })
	_, err = c2.ExecContext(ctx, "INSERT INTO acc(v) VALUES (6)")
	require.NoError(t, err)
	assert.Equal(t, int64(0), count(t, db, "SELECT count(*) FROM child"))
	assert.Equal(t, int64(3), count(t, db, "SELECT count(*) FROM acc"))
}

func TestReplicaTxWithoutForeignKeys(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	_, db := newReplica(t, srv, "", rywOptions())
	_, err := db.Exec("CREATE TABLE par(id INTEGER PRIMARY KEY); CREATE TABLE chi(p INTEGER REFERENCES par(id))")
	require.NoError(t, err)
	db.SetMaxOpenConns(1)
	ctx := txopt.WithoutForeignKeys(context.Background())
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = tx.Exec("INSERT INTO chi VALUES (1)")
	require.NoError(t, err, "foreign keys off in the transaction")
	require.NoError(t, tx.Commit())
	_, err = db.Exec("INSERT INTO chi VALUES (2)")
	require.Error(t, err, "foreign keys on again after it")
	assert.Contains(t, err.Error(), "FOREIGN KEY constraint failed")
}

func TestReplicaSyncFrameNumbers(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	_, writer := newReplica(t, srv, "", rywOptions())
	r, db := newReplica(t, srv, "", rywOptions())
	_, err := writer.Exec("CREATE TABLE f(x)")
	require.NoError(t, err)
	last := -1
	for i := range 3 {
		_, err := writer.Exec("INSERT INTO f VALUES (?)", i)
		require.NoError(t, err)
		rep, err := r.Sync()
		require.NoError(t, err)
		assert.Greater(t, rep.FrameNo, last)
		assert.Positive(t, rep.FramesSynced)
		last = rep.FrameNo
		assert.Equal(t, int64(i+1), count(t, db, "SELECT count(*) FROM f"))
	}
	rep, err := r.Sync()
	require.NoError(t, err)
	assert.Equal(t, last, rep.FrameNo)
	assert.Zero(t, rep.FramesSynced)
}

func TestReplicaTwoReplicas(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	_, db1 := newReplica(t, srv, "", rywOptions())
	r2, db2 := newReplica(t, srv, "", rywOptions())
	_, err := db1.Exec("CREATE TABLE shared(x TEXT)")
	require.NoError(t, err)
	_, err = r2.Sync()
	require.NoError(t, err)
	_, err = db1.Exec("INSERT INTO shared VALUES ('from 1')")
	require.NoError(t, err)
	assert.Equal(t, int64(0), count(t, db2, "SELECT count(*) FROM shared"), "not synced yet")
	_, err = r2.Sync()
	require.NoError(t, err)
	var s string
	require.NoError(t, db2.QueryRow("SELECT x FROM shared").Scan(&s))
	assert.Equal(t, "from 1", s)
}

func TestReplicaSyncInterval(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	_, db1 := newReplica(t, srv, "", rywOptions())
	_, err := db1.Exec("CREATE TABLE ticks(x)")
	require.NoError(t, err)
	var syncErrs atomic.Int32
	_, db2 := newReplica(t, srv, "", ReplicaOptions{
		ReadYourWrites: true,
		SyncInterval:   50 * time.Millisecond,
		OnSyncError:    func(error) { syncErrs.Add(1) },
	})
	_, err = db1.Exec("INSERT INTO ticks VALUES (1)")
	require.NoError(t, err)
	start := time.Now()
	assert.Eventually(t, func() bool {
		var n int64
		return db2.QueryRow("SELECT count(*) FROM ticks").Scan(&n) == nil && n == 1
	}, 30*time.Second, 20*time.Millisecond)
	t.Logf("visible on the second replica after %v", time.Since(start))
	assert.Zero(t, syncErrs.Load())
}

func TestReplicaReadYourWritesOff(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	r, db := newReplica(t, srv, "", ReplicaOptions{ReadYourWrites: false})
	_, err := db.Exec("CREATE TABLE lag(x)")
	require.NoError(t, err)
	// The table is not local yet: a read fails, a write to it is sent as
	// written (it does not compile locally) and succeeds on the primary.
	_, err = db.Exec("INSERT INTO lag VALUES (:v)", sql.Named("v", 1))
	require.NoError(t, err)
	time.Sleep(200 * time.Millisecond)
	_, err = db.Exec("SELECT * FROM lag")
	require.Error(t, err, "observed: without read-your-writes nothing is applied locally before Sync")
	_, err = r.Sync()
	require.NoError(t, err)
	assert.Equal(t, int64(1), count(t, db, "SELECT count(*) FROM lag"))
	_, err = db.Exec("INSERT INTO lag VALUES (2)")
	require.NoError(t, err)
	time.Sleep(200 * time.Millisecond)
	assert.Equal(t, int64(1), count(t, db, "SELECT count(*) FROM lag"), "write not visible locally without Sync")
	_, err = r.Sync()
	require.NoError(t, err)
	assert.Equal(t, int64(2), count(t, db, "SELECT count(*) FROM lag"))
}

func TestReplicaSchemaLag(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	_, db1 := newReplica(t, srv, "", rywOptions())
	r2, db2 := newReplica(t, srv, "", rywOptions())
	_, err := db1.Exec("CREATE TABLE fresh(id INTEGER PRIMARY KEY, s TEXT, at DATETIME)")
	require.NoError(t, err)
	// Replica 2 has not seen the table: its statements go out as written.
	res, err := db2.Exec("INSERT INTO fresh(s, at) VALUES (@s, ?); INSERT INTO fresh(s) VALUES (@s)", sql.Named("s", "x"), time.Unix(0, 0))
	require.NoError(t, err)
	n, _ := res.RowsAffected()
	assert.Equal(t, int64(2), n)
	_, err = r2.Sync()
	require.NoError(t, err)
	assert.Equal(t, int64(2), count(t, db2, "SELECT count(*) FROM fresh WHERE s = 'x'"))
}

func TestReplicaEncrypted(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	const key = "correct horse battery staple"
	path := filepath.Join(t.TempDir(), "enc.db")
	r, db := newReplica(t, srv, path, ReplicaOptions{ReadYourWrites: true, EncryptionKey: key})
	_, err := db.Exec("CREATE TABLE secret(x TEXT); INSERT INTO secret VALUES ('plain text here')")
	require.NoError(t, err)
	assert.Equal(t, int64(1), count(t, db, "SELECT count(*) FROM secret"))
	require.NoError(t, db.Close())
	require.NoError(t, r.Close())

	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Greater(t, len(b), 16)
	assert.NotEqual(t, "SQLite format 3\x00", string(b[:16]))
	for _, name := range []string{path, path + "-wal"} {
		if b, err := os.ReadFile(name); err == nil {
			assert.False(t, bytes.Contains(b, []byte("plain text here")), name)
		}
	}

	// The native driver reads it with the same key, and not without. (The
	// busy timeout covers libsql closing its connections asynchronously.)
	ndb := openTestDBAt(t, path, Options{EncryptionKey: key, ReadOnly: true, BusyTimeout: 5 * time.Second})
	var s string
	require.NoError(t, ndb.QueryRow("SELECT x FROM secret").Scan(&s))
	assert.Equal(t, "plain text here", s)
	nc, err := NewConnector(path, Options{ReadOnly: true, BusyTimeout: 5 * time.Second})
	require.NoError(t, err)
	_, err = nc.Connect(context.Background())
	require.Error(t, err)

	// Reopening with a wrong key fails clearly, without the key.
	_, err = NewReplicaConnector(path, srv.URL(), ReplicaOptions{ReadYourWrites: true, EncryptionKey: "wrong-key-text"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "wrong encryption key")
	assert.NotContains(t, err.Error(), "wrong-key-text")
	assert.True(t, errors.Is(err, &Error{Code: CodeNotADB}))

	// The right key reopens it.
	_, db = newReplica(t, srv, path, ReplicaOptions{ReadYourWrites: true, EncryptionKey: key})
	assert.Equal(t, int64(1), count(t, db, "SELECT count(*) FROM secret"))
}

// A replica file whose WAL has not been checkpointed yet (libsql closes
// asynchronously, or the process died) must survive an open with a wrong
// key or none: libsql would open it and checkpoint the WAL into it, leaving
// a file that no key opens.
func TestReplicaWrongKeyLeavesFileIntact(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	const key = "correct horse battery staple"
	dir := t.TempDir()
	path := filepath.Join(dir, "live.db")
	r, db := newReplica(t, srv, path, ReplicaOptions{ReadYourWrites: true, EncryptionKey: key})
	_, err := db.Exec("CREATE TABLE kept(x TEXT); INSERT INTO kept VALUES ('a'), ('b'), ('c')")
	require.NoError(t, err)

	// Copy the live files: a replica with a WAL and no process on it.
	snap := filepath.Join(dir, "snapshot.db")
	for _, suffix := range []string{"", "-wal", "-client_wal_index"} {
		b, err := os.ReadFile(path + suffix)
		require.NoError(t, err, "reading %s%s", path, suffix)
		require.NoError(t, os.WriteFile(snap+suffix, b, 0o600))
	}
	require.NoError(t, db.Close())
	require.NoError(t, r.Close())
	walInfo, err := os.Stat(snap + "-wal")
	require.NoError(t, err)
	require.Positive(t, walInfo.Size(), "the snapshot has frames in its WAL")

	for _, wrong := range []string{"a wrong key of some length", ""} {
		_, err = NewReplicaConnector(snap, srv.URL(), ReplicaOptions{ReadYourWrites: true, EncryptionKey: wrong})
		require.Error(t, err)
		assert.True(t, errors.Is(err, &Error{Code: CodeNotADB}), "%v", err)
	}
	_, db = newReplica(t, srv, snap, ReplicaOptions{ReadYourWrites: true, EncryptionKey: key})
	assert.Equal(t, int64(3), count(t, db, "SELECT count(*) FROM kept"), "the right key still opens it")
}

// When the primary is replaced by another database at the same URL
// (recreated, restored), libsql resets the replica's file to it. A
// connection open across the reset must read the new database, also when
// its schema cookie equals the old one's (one CREATE TABLE each here):
// before, it kept the old schema and read table a from the page that now
// holds table b.
func TestReplicaPrimaryReplaced(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	r, db := newReplica(t, srv, "", rywOptions())
	db.SetMaxOpenConns(1) // one connection, open across the reset
	_, err := db.Exec("CREATE TABLE a(x); INSERT INTO a VALUES (1), (2), (3)")
	require.NoError(t, err)
	assert.Equal(t, int64(3), count(t, db, "SELECT count(*) FROM a"))

	srv.Stop()
	require.NoError(t, os.RemoveAll(srv.DBPath()))
	srv.Restart(t)
	srv.Exec(t, "CREATE TABLE b(y)", "INSERT INTO b VALUES ('new primary')")
	_, err = r.Sync()
	require.NoError(t, err)

	var n int64
	err = db.QueryRow("SELECT count(*) FROM a").Scan(&n)
	require.Error(t, err, "table a is gone with the old primary (read %d rows)", n)
	assert.Contains(t, err.Error(), "no such table")
	var y string
	require.NoError(t, db.QueryRow("SELECT y FROM b").Scan(&y))
	assert.Equal(t, "new primary", y)
	_, err = db.Exec("INSERT INTO b VALUES ('written after the reset')")
	require.NoError(t, err)
	assert.Equal(t, int64(2), count(t, db, "SELECT count(*) FROM b"))
}

func TestReplicaPrimaryDown(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	path := filepath.Join(t.TempDir(), "down.db")
	r, db := newReplica(t, srv, path, rywOptions())
	_, err := db.Exec("CREATE TABLE durable(id INTEGER PRIMARY KEY, v TEXT)")
	require.NoError(t, err)
	for i := range 5 {
		_, err := db.Exec("INSERT INTO durable(v) VALUES (?)", i)
		require.NoError(t, err)
	}

	srv.Stop()

	assert.Equal(t, int64(5), count(t, db, "SELECT count(*) FROM durable"), "local reads work")
	start := time.Now()
	_, err = db.Exec("INSERT INTO durable(v) VALUES ('down')")
	took := time.Since(start)
	require.Error(t, err)
	t.Logf("write with the primary down failed after %v: %v", took, err)
	assert.ErrorIs(t, err, ErrPrimaryUnavailable)
	assert.Contains(t, err.Error(), "unreachable")
	assert.Less(t, took, 10*time.Second)

	start = time.Now()
	_, err = r.Sync()
	took = time.Since(start)
	require.Error(t, err)
	t.Logf("sync with the primary down failed after %v: %v", took, err)
	assert.ErrorIs(t, err, ErrPrimaryUnavailable)

	// A new connection still opens and reads (offline).
	conn, err := db.Conn(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int64(5), count(t, conn, "SELECT count(*) FROM durable"))
	require.NoError(t, conn.Close())

	srv.Restart(t)

	_, err = db.Exec("INSERT INTO durable(v) VALUES ('after')")
	require.NoError(t, err)
	_, err = r.Sync()
	require.NoError(t, err)
	assert.Equal(t, int64(6), count(t, db, "SELECT count(*) FROM durable"))

	_, db2 := newReplica(t, srv, "", rywOptions())
	assert.Equal(t, int64(6), count(t, db2, "SELECT count(*) FROM durable"), "no committed row lost")

	// A transaction cut by the primary going down fails cleanly, and the
	// connection can start new ones once the primary is back.
	ctx := context.Background()
	conn, err = db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = tx.Exec("INSERT INTO durable(v) VALUES ('lost')")
	require.NoError(t, err)
	srv.Stop()
	err = tx.Commit()
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrPrimaryUnavailable)
	rawReplica(t, conn, func(c *ReplicaConn) { assert.True(t, c.Autocommit()) })
	srv.Restart(t)
	tx, err = conn.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = tx.Exec("INSERT INTO durable(v) VALUES ('kept')")
	require.NoError(t, err)
	require.NoError(t, tx.Commit())
	assert.Equal(t, int64(7), count(t, db, "SELECT count(*) FROM durable"))
	assert.Equal(t, int64(0), count(t, db, "SELECT count(*) FROM durable WHERE v = 'lost'"))
}

// seedReplicaFile makes path a replica file of srv that has synced stmts,
// with no connector left open on it.
func seedReplicaFile(t *testing.T, srv *sqldtest.Server, path, stmts string) {
	t.Helper()
	c, err := NewReplicaConnector(path, srv.URL(), ReplicaOptions{AuthToken: srv.Token(), ReadYourWrites: true})
	require.NoError(t, err)
	db := sql.OpenDB(c)
	_, err = db.Exec(stmts)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	require.NoError(t, c.Close())
}

func TestReplicaOfflineOpen(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	dir := t.TempDir()
	path := filepath.Join(dir, "offline.db")
	seedReplicaFile(t, srv, path, "CREATE TABLE notes(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO notes(v) VALUES ('a'), ('b')")

	srv.Stop()
	offline := ReplicaOptions{AuthToken: srv.Token(), ReadYourWrites: true, OfflineOpen: true}

	t.Run("without OfflineOpen the open fails", func(t *testing.T) {
		_, err := NewReplicaConnector(path, srv.URL(), ReplicaOptions{AuthToken: srv.Token(), ReadYourWrites: true})
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrPrimaryUnavailable)
	})
	t.Run("a file that never synced still needs the primary", func(t *testing.T) {
		_, err := NewReplicaConnector(filepath.Join(dir, "new.db"), srv.URL(), offline)
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrPrimaryUnavailable)
	})

	r, db := newReplica(t, srv, path, offline)
	assert.Equal(t, int64(2), count(t, db, "SELECT count(*) FROM notes"), "reads are served offline")
	_, err := db.Exec("INSERT INTO notes(v) VALUES ('offline')")
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrPrimaryUnavailable)
	_, err = db.Begin()
	assert.ErrorIs(t, err, ErrPrimaryUnavailable, "a transaction needs the primary")
	_, err = r.Sync()
	assert.ErrorIs(t, err, ErrPrimaryUnavailable)

	srv.Restart(t)
	srv.Exec(t, "INSERT INTO notes(v) VALUES ('from elsewhere')")
	_, err = db.Exec("INSERT INTO notes(v) VALUES ('back')")
	require.NoError(t, err, "a write reaches the primary once it is back")
	_, err = r.Sync()
	require.NoError(t, err)
	assert.Equal(t, int64(4), count(t, db, "SELECT count(*) FROM notes"))
	assert.Equal(t, [][]any{{"a"}, {"b"}, {"from elsewhere"}, {"back"}}, srv.Query(t, "SELECT v FROM notes ORDER BY id"),
		"nothing written offline reached the primary, nothing committed was lost")
}

// TestReplicaOfflineOpenBadToken: a token cannot be checked while the
// primary is down; when it is back, a rejected token fails the reconnect at
// once and says so (libsql's handshake would time out after 3 s).
func TestReplicaOfflineOpenBadToken(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{Auth: true})
	path := filepath.Join(t.TempDir(), "offline.db")
	seedReplicaFile(t, srv, path, "CREATE TABLE notes(v TEXT); INSERT INTO notes VALUES ('a')")

	srv.Stop()
	_, db := newReplica(t, srv, path, ReplicaOptions{AuthToken: srv.ExpiredToken(), ReadYourWrites: true, OfflineOpen: true})
	assert.Equal(t, int64(1), count(t, db, "SELECT count(*) FROM notes"))

	srv.Restart(t)
	start := time.Now()
	_, err := db.Exec("INSERT INTO notes VALUES ('b')")
	took := time.Since(start)
	require.Error(t, err)
	t.Logf("after %v: %v", took, err)
	assert.Contains(t, err.Error(), "rejected the auth token")
	assert.NotContains(t, err.Error(), srv.ExpiredToken())
	assert.Less(t, took, 2*time.Second)
}

func TestReplicaInit(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	// sqld enables foreign keys on its connections by default, so the
	// observable Init is turning them off: a dangling reference is then
	// accepted only where the pragma reached the primary.
	_, plain := newReplica(t, srv, "", rywOptions())
	_, err := plain.Exec("CREATE TABLE par(id INTEGER PRIMARY KEY); CREATE TABLE chi(p INTEGER REFERENCES par(id))")
	require.NoError(t, err)
	_, err = plain.Exec("INSERT INTO chi VALUES (1)")
	require.Error(t, err)
	assert.True(t, errors.Is(err, &Error{ExtendedCode: ExtConstraintForeignKey}), "%v", err)

	_, db := newReplica(t, srv, "", ReplicaOptions{ReadYourWrites: true, Init: []string{"PRAGMA foreign_keys = OFF"}})
	db.SetMaxIdleConns(0)
	_, err = db.Exec("INSERT INTO chi VALUES (2)")
	require.NoError(t, err, "Init applied on the primary")

	// Offline, a new connection opens and reads; the pragma reaches the
	// primary when it is back.
	srv.Stop()
	conn, err := db.Conn(context.Background())
	require.NoError(t, err)
	defer conn.Close()
	assert.Equal(t, int64(1), count(t, conn, "SELECT count(*) FROM chi"))
	srv.Restart(t)
	_, err = conn.ExecContext(context.Background(), "INSERT INTO chi VALUES (3)")
	require.NoError(t, err, "pending Init applied")

	// A connection that found the primary down applies it again after the
	// restart (the new primary process has forgotten it).
	srv.Stop()
	_, err = conn.ExecContext(context.Background(), "INSERT INTO chi VALUES (4)")
	assert.ErrorIs(t, err, ErrPrimaryUnavailable)
	srv.Restart(t)
	_, err = conn.ExecContext(context.Background(), "INSERT INTO chi VALUES (5)")
	require.NoError(t, err, "Init applied again")

	// Pragmas libsql does not delegate fail Connect.
	c, err := NewReplicaConnector(filepath.Join(t.TempDir(), "x.db"), srv.URL(), ReplicaOptions{Init: []string{"PRAGMA journal_mode=WAL"}})
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Connect(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unsupported statement")
	assert.Contains(t, err.Error(), "journal_mode")
}

func TestReplicaUniqueViolation(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	_, db := newReplica(t, srv, "", rywOptions())
	_, err := db.Exec("CREATE TABLE u(email TEXT UNIQUE)")
	require.NoError(t, err)
	_, err = db.Exec("INSERT INTO u VALUES ('a@b')")
	require.NoError(t, err)
	_, err = db.Exec("INSERT INTO u VALUES ('a@b')")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "UNIQUE constraint failed")
	assert.True(t, errors.Is(err, &Error{ExtendedCode: ExtConstraintUnique}), "%v", err)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.True(t, e.IsConstraint())
}

func TestReplicaAuth(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{Auth: true})
	dir := t.TempDir()
	start := time.Now()
	_, err := NewReplicaConnector(filepath.Join(dir, "a.db"), srv.URL(), ReplicaOptions{})
	require.Error(t, err)
	t.Logf("missing token: %v (after %v)", err, time.Since(start))
	assert.Contains(t, err.Error(), "requires an auth token")
	assert.Less(t, time.Since(start), 2*time.Second)

	bad := srv.ForgedToken()
	_, err = NewReplicaConnector(filepath.Join(dir, "b.db"), srv.URL(), ReplicaOptions{AuthToken: bad})
	require.Error(t, err)
	t.Logf("forged token: %v", err)
	assert.Contains(t, err.Error(), "rejected the auth token")
	assert.NotContains(t, err.Error(), bad)

	// A read-only token replicates but cannot write.
	_, db := newReplica(t, srv, "", ReplicaOptions{AuthToken: srv.ReadOnlyToken(), ReadYourWrites: true})
	_, err = db.Exec("CREATE TABLE nope(x)")
	require.Error(t, err)
	t.Logf("read-only token write: %v", err)
	assert.Contains(t, err.Error(), "refused")
	assert.NotContains(t, err.Error(), srv.ReadOnlyToken())

	_, db = newReplica(t, srv, "", ReplicaOptions{AuthToken: srv.Token(), ReadYourWrites: true})
	_, err = db.Exec("CREATE TABLE yes(x)")
	require.NoError(t, err)
}

func TestReplicaTextAndBlobValues(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	_, db := newReplica(t, srv, "", rywOptions())
	_, err := db.Exec("CREATE TABLE v(id INTEGER PRIMARY KEY, t TEXT, b BLOB)")
	require.NoError(t, err)
	_, err = db.Exec("INSERT INTO v(t, b) VALUES (?, ?), ('a' || char(0) || 'b', ?), (CAST(x'ff' AS TEXT), NULL)", "héllo", []byte{}, []byte{0, 1, 2})
	require.NoError(t, err)

	// Local reads return TEXT byte for byte, even with a NUL byte or
	// invalid UTF-8, and zero-length blobs as empty slices.
	rows, err := db.Query("SELECT t, b FROM v ORDER BY id")
	require.NoError(t, err)
	var got []any
	for rows.Next() {
		var t1, b1 any
		require.NoError(t, rows.Scan(&t1, &b1))
		got = append(got, t1, b1)
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, []any{"héllo", []byte{}, "a\x00b", []byte{0, 1, 2}, "\xff", nil}, got)

	// Strings libsql cannot pass are errors, not truncated values.
	_, err = db.Exec("INSERT INTO v(t) VALUES (?)", "a\x00b")
	require.Error(t, err)
	assert.True(t, errors.Is(err, &Error{Code: CodeMismatch}))
	_, err = db.Exec("INSERT INTO v(t) VALUES (?)", "\xff")
	require.Error(t, err)

	// From the primary (in a transaction): the NUL byte cannot come back
	// through libsql, which is an error.
	tx, err := db.Begin()
	require.NoError(t, err)
	defer tx.Rollback()
	var s string
	var b []byte
	require.NoError(t, tx.QueryRow("SELECT t, b FROM v WHERE id = 1").Scan(&s, &b))
	assert.Equal(t, "héllo", s)
	assert.Equal(t, []byte{}, b)
	err = tx.QueryRow("SELECT t FROM v WHERE id = 2").Scan(&s)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "NUL")
}

func TestReplicaContext(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	_, db := newReplica(t, srv, "", rywOptions())
	conn, err := db.Conn(context.Background())
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(context.Background(), "CREATE TABLE c(x)")
	require.NoError(t, err)
	var before int
	rawReplica(t, conn, func(c *ReplicaConn) { before = c.libsqlCalls })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = conn.ExecContext(ctx, "INSERT INTO c VALUES (1)")
	assert.ErrorIs(t, err, context.Canceled)
	rawReplica(t, conn, func(c *ReplicaConn) { assert.Equal(t, before, c.libsqlCalls, "nothing sent") })

	// A long local query is interrupted.
	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = conn.ExecContext(ctx, "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM r) SELECT count(*) FROM r")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, int64(0), count(t, conn, "SELECT count(*) FROM c"))
}

func TestReplicaWithLocalNativeInSameProcess(t *testing.T) {
	ndb, _ := openTestDB(t, Options{})
	_, err := ndb.Exec("CREATE TABLE loc(x); INSERT INTO loc VALUES ('native')")
	require.NoError(t, err)
	srv := sqldtest.Start(t, sqldtest.Options{})
	_, rdb := newReplica(t, srv, "", rywOptions())
	_, err = rdb.Exec("CREATE TABLE rem(x); INSERT INTO rem VALUES ('replica')")
	require.NoError(t, err)
	for range 3 {
		var a, b string
		require.NoError(t, ndb.QueryRow("SELECT x FROM loc").Scan(&a))
		require.NoError(t, rdb.QueryRow("SELECT x FROM rem").Scan(&b))
		assert.Equal(t, "native", a)
		assert.Equal(t, "replica", b)
		_, err = ndb.Exec("INSERT INTO loc VALUES (1)")
		require.NoError(t, err)
		_, err = rdb.Exec("INSERT INTO rem VALUES (1)")
		require.NoError(t, err)
	}
}

func backgroundSyncs() int {
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	return strings.Count(string(buf[:n]), "(*ReplicaConnector).background")
}

func TestReplicaCloseStopsBackgroundSync(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	before := backgroundSyncs()
	c, err := NewReplicaConnector(filepath.Join(t.TempDir(), "bg.db"), srv.URL(), ReplicaOptions{SyncInterval: 10 * time.Millisecond})
	require.NoError(t, err)
	// A new goroutine shows in stack dumps once it has been scheduled.
	assert.Eventually(t, func() bool { return backgroundSyncs() == before+1 }, 5*time.Second, 5*time.Millisecond)
	db := sql.OpenDB(c)
	require.NoError(t, db.Ping())
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, db.Close()) // closes the connector too
	assert.Equal(t, before, backgroundSyncs())
	require.NoError(t, c.Close(), "idempotent")
	_, err = c.Sync()
	require.Error(t, err)
	_, err = c.Connect(context.Background())
	require.Error(t, err)
}

func TestReplicaPrepareAndMetadata(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	_, db := newReplica(t, srv, "", rywOptions())
	_, err := db.Exec("CREATE TABLE pm(id INTEGER PRIMARY KEY, name VARCHAR(10), at TIMESTAMP)")
	require.NoError(t, err)
	st, err := db.Prepare("INSERT INTO pm(name) VALUES (?)")
	require.NoError(t, err)
	for _, n := range []string{"a", "b", "c"} {
		_, err := st.Exec(n)
		require.NoError(t, err)
	}
	_, err = st.Exec()
	require.Error(t, err, "database/sql checks NumInput")
	require.NoError(t, st.Close())

	tx, err := db.Begin()
	require.NoError(t, err)
	defer tx.Rollback()
	rows, err := tx.Query("SELECT id, name, at, count(*) OVER () FROM pm")
	require.NoError(t, err)
	types, err := rows.ColumnTypes()
	require.NoError(t, err)
	var decl []string
	for _, ct := range types {
		decl = append(decl, ct.DatabaseTypeName())
	}
	assert.Equal(t, []string{"INTEGER", "VARCHAR(10)", "TIMESTAMP", ""}, decl)
	require.NoError(t, rows.Close())
}

func TestReplicaMemory(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	_, db := newReplica(t, srv, "", rywOptions())
	db.SetMaxOpenConns(1)
	_, err := db.Exec("CREATE TABLE mem(x TEXT, b BLOB)")
	require.NoError(t, err)
	work := func() {
		for i := range 20 {
			_, err := db.Exec("INSERT INTO mem VALUES (:x, ?)", sql.Named("x", "v"), []byte{byte(i)})
			require.NoError(t, err)
		}
		tx, err := db.Begin()
		require.NoError(t, err)
		for range 20 {
			rows, err := tx.Query("SELECT x, b FROM mem")
			require.NoError(t, err)
			for rows.Next() {
			}
			require.NoError(t, rows.Close())
		}
		require.NoError(t, tx.Commit())
		_, _ = db.Exec("INSERT INTO nosuch VALUES (1)")
	}
	work()
	base := memoryUsed()
	for range 3 {
		work()
	}
	assert.Less(t, memoryUsed()-base, int64(64<<10), "C memory grows with work")
}
