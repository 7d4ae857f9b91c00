package hrana

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gorm-libsql/libsql/internal/sqldtest"
)

// TestRequestCounts pins the HTTP requests each operation costs.
func TestRequestCounts(t *testing.T) {
	db, p := counted(t, Options{Init: []string{"PRAGMA foreign_keys = ON"}})
	tb := table("cnt")
	_, err := db.Exec(`CREATE TABLE ` + tb + `(id INTEGER PRIMARY KEY, v)`)
	require.NoError(t, err)

	measure := func(name string, want int64, f func()) {
		t.Helper()
		p.Reset()
		f()
		assert.Equal(t, want, p.Count(), "%s: %v", name, p.Requests())
		for _, r := range p.Requests() {
			assert.Equal(t, "POST /v3/pipeline", r)
		}
	}
	measure("autocommit Exec", 1, func() {
		_, err := db.Exec(`INSERT INTO `+tb+`(v) VALUES (?)`, 1)
		require.NoError(t, err)
	})
	measure("multi-statement Exec", 1, func() {
		_, err := db.Exec(`INSERT INTO ` + tb + `(v) VALUES (2); INSERT INTO ` + tb + `(v) VALUES (3); UPDATE ` + tb + ` SET v = v`)
		require.NoError(t, err)
	})
	measure("Query", 1, func() {
		rows, err := db.Query(`SELECT v FROM ` + tb)
		require.NoError(t, err)
		for rows.Next() {
		}
		require.NoError(t, rows.Close())
	})
	measure("QueryRow", 1, func() {
		var n int64
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM `+tb).Scan(&n))
	})
	measure("failed Exec", 1, func() {
		_, err := db.Exec(`INSERT INTO nosuch VALUES (1)`)
		require.Error(t, err)
	})
	measure("Ping", 1, func() { require.NoError(t, db.Ping()) })
	measure("prepared statement, 2 executions", 2, func() {
		st, err := db.Prepare(`INSERT INTO ` + tb + `(v) VALUES (?)`)
		require.NoError(t, err)
		_, err = st.Exec(1)
		require.NoError(t, err)
		_, err = st.Exec(2)
		require.NoError(t, err)
		require.NoError(t, st.Close())
	})
	measure("transaction of 3 statements + COMMIT", 4, func() {
		tx, err := db.Begin()
		require.NoError(t, err)
		_, err = tx.Exec(`INSERT INTO ` + tb + `(v) VALUES (10)`)
		require.NoError(t, err)
		var n int64
		require.NoError(t, tx.QueryRow(`SELECT count(*) FROM `+tb).Scan(&n))
		_, err = tx.Exec(`UPDATE ` + tb + ` SET v = 11 WHERE v = 10`)
		require.NoError(t, err)
		require.NoError(t, tx.Commit())
	})
	measure("transaction of 1 statement + ROLLBACK", 2, func() {
		tx, err := db.Begin()
		require.NoError(t, err)
		_, err = tx.Exec(`INSERT INTO ` + tb + `(v) VALUES (20)`)
		require.NoError(t, err)
		require.NoError(t, tx.Rollback())
	})
	measure("transaction with savepoint", 5, func() {
		tx, err := db.Begin()
		require.NoError(t, err)
		for _, q := range []string{`SAVEPOINT s`, `INSERT INTO ` + tb + `(v) VALUES (30)`, `RELEASE s`} {
			_, err = tx.Exec(q)
			require.NoError(t, err)
		}
		var n int64
		require.NoError(t, tx.QueryRow(`SELECT count(*) FROM `+tb).Scan(&n))
		require.NoError(t, tx.Commit())
	})
	measure("empty transaction", 0, func() {
		tx, err := db.Begin()
		require.NoError(t, err)
		require.NoError(t, tx.Commit())
		tx, err = db.Begin()
		require.NoError(t, err)
		require.NoError(t, tx.Rollback())
	})
	fp, fc := table("cntp"), table("cntc")
	_, err = db.Exec(`CREATE TABLE ` + fp + `(id INTEGER PRIMARY KEY);
		CREATE TABLE ` + fc + `(pid INTEGER REFERENCES ` + fp + `(id) DEFERRABLE INITIALLY DEFERRED)`)
	require.NoError(t, err)
	measure("failed COMMIT (rolled back in the same request)", 2, func() {
		tx, err := db.Begin()
		require.NoError(t, err)
		_, err = tx.Exec(`INSERT INTO ` + fc + ` VALUES (7)`)
		require.NoError(t, err)
		require.Error(t, tx.Commit())
	})
}

func TestContextDeadline(t *testing.T) {
	db, p := counted(t, Options{})
	tb, scratch := table("ctx"), table("ctxs")
	_, err := db.Exec(`CREATE TABLE ` + tb + `(v); CREATE TABLE ` + scratch + `(v)`)
	require.NoError(t, err)

	// (The proxy may still forward a request after the client gave up:
	// statements that time out here write to scratch or to transactions
	// that are never committed.)
	p.SetDelay(2 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	start := time.Now()
	_, err = db.ExecContext(ctx, `INSERT INTO `+scratch+` VALUES (1)`)
	cancel()
	assert.Less(t, time.Since(start), 1500*time.Millisecond, "returns promptly")
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
	t.Logf("deadline: %v", err)
	assert.Contains(t, err.Error(), strings.TrimPrefix(p.URL(), "http://"))

	ctx, cancel = context.WithTimeout(context.Background(), 200*time.Millisecond)
	var n int64
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM `+tb).Scan(&n)
	cancel()
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
	p.SetDelay(0)
	assert.Equal(t, int64(0), count(t, db, `SELECT count(*) FROM `+tb), "the connection is still usable")

	// Inside a transaction the stream is lost with the answer: the
	// transaction is aborted and the connection discarded.
	tx, err := db.Begin()
	require.NoError(t, err)
	_, err = tx.Exec(`INSERT INTO ` + tb + ` VALUES (2)`)
	require.NoError(t, err)
	p.SetDelay(2 * time.Second)
	ctx, cancel = context.WithTimeout(context.Background(), 200*time.Millisecond)
	start = time.Now()
	_, err = tx.ExecContext(ctx, `INSERT INTO `+tb+` VALUES (3)`)
	cancel()
	assert.Less(t, time.Since(start), 1500*time.Millisecond)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
	p.SetDelay(0)
	_, err = tx.Exec(`INSERT INTO ` + tb + ` VALUES (4)`)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "aborted")
	assert.Error(t, tx.Commit())
	assert.Equal(t, int64(0), count(t, db, `SELECT count(*) FROM `+tb), "a new connection works; nothing was committed")

	// A transaction whose context ends is rolled back by database/sql.
	tctx, tcancel := context.WithCancel(context.Background())
	tx, err = db.BeginTx(tctx, nil)
	require.NoError(t, err)
	_, err = tx.Exec(`INSERT INTO ` + tb + ` VALUES (5)`)
	require.NoError(t, err)
	tcancel()
	assert.Eventually(t, func() bool {
		return errors.Is(tx.Commit(), sql.ErrTxDone)
	}, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, int64(0), count(t, db, `SELECT count(*) FROM `+tb))
}

func TestAuth(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{Auth: true})
	secrets := []string{srv.Token(), srv.ReadOnlyToken(), srv.ForgedToken(), srv.ExpiredToken()}

	db := open(t, srv.URL(), Options{AuthToken: srv.Token()})
	_, err := db.Exec(`CREATE TABLE auth_t(v); INSERT INTO auth_t VALUES (1)`)
	require.NoError(t, err)
	require.NoError(t, db.Ping())

	// Read-only token: reads work, writes are refused.
	ro := open(t, srv.URL(), Options{AuthToken: srv.ReadOnlyToken()})
	var n int64
	require.NoError(t, ro.QueryRow(`SELECT count(*) FROM auth_t`).Scan(&n))
	assert.Equal(t, int64(1), n)
	require.NoError(t, ro.Ping())
	_, err = ro.Exec(`INSERT INTO auth_t VALUES (2)`)
	require.Error(t, err)
	t.Logf("read-only write: %v", err)
	assert.Contains(t, err.Error(), "permission denied")
	assert.ErrorIs(t, err, ErrPermission)
	noSecret(t, err, secrets...)
	tx, err := ro.Begin()
	require.NoError(t, err)
	require.NoError(t, tx.QueryRow(`SELECT count(*) FROM auth_t`).Scan(&n))
	_, err = tx.Exec(`INSERT INTO auth_t VALUES (3)`)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "permission denied")
	noSecret(t, err, secrets...)
	_ = tx.Rollback()

	for name, token := range map[string]string{"forged": srv.ForgedToken(), "missing": "", "expired": srv.ExpiredToken(), "garbage": "not-a-jwt-sekrit"} {
		t.Run(name, func(t *testing.T) {
			bad := open(t, srv.URL(), Options{AuthToken: token})
			_, err := bad.Exec(`SELECT 1`)
			require.Error(t, err)
			t.Logf("%s token: %v", name, err)
			assert.Contains(t, err.Error(), "authentication failed")
			assert.ErrorIs(t, err, ErrAuthentication)
			noSecret(t, err, append(secrets, "not-a-jwt-sekrit")...)
			err = bad.Ping()
			require.Error(t, err)
			assert.Contains(t, err.Error(), "authentication failed")
			noSecret(t, err, append(secrets, "not-a-jwt-sekrit")...)
			tx, err := bad.Begin()
			require.NoError(t, err)
			_, err = tx.Exec(`SELECT 1`)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "authentication failed")
			noSecret(t, err, append(secrets, "not-a-jwt-sekrit")...)
			_ = tx.Rollback()
		})
	}

	// A token given in the URL stays out of errors too.
	c, err := NewConnector(srv.URL()+"?authToken="+srv.ForgedToken(), Options{})
	require.NoError(t, err)
	viaURL := sql.OpenDB(c)
	defer viaURL.Close()
	_, err = viaURL.Exec(`SELECT 1`)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "authentication failed")
	noSecret(t, err, secrets...)
}

func TestUnreachableServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	db := open(t, "http://"+addr+"?authToken=sekrit-token", Options{})
	start := time.Now()
	_, err = db.Exec(`SELECT 1`)
	assert.Less(t, time.Since(start), 5*time.Second)
	require.Error(t, err)
	assert.Contains(t, err.Error(), addr)
	t.Logf("unreachable: %v", err)
	assert.Contains(t, err.Error(), "cannot reach")
	assert.ErrorIs(t, err, driver.ErrBadConn, "nothing ran: safe to retry")
	noSecret(t, err, "sekrit-token")
	err = db.Ping()
	require.Error(t, err)
	assert.Contains(t, err.Error(), addr)
	noSecret(t, err, "sekrit-token")

	// Unknown host.
	db = open(t, "http://no-such-host.invalid", Options{AuthToken: "sekrit-token"})
	_, err = db.Exec(`SELECT 1`)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no-such-host.invalid")
	noSecret(t, err, "sekrit-token")
}

// TestStreamLost: a transaction whose stream the server no longer knows
// (restarted here; expired after inactivity in TestStreamExpired) fails
// clearly, and the connection recovers.
func TestStreamLost(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	db := open(t, srv.URL(), Options{})
	db.SetMaxOpenConns(1)
	_, err := db.Exec(`CREATE TABLE lost(v)`)
	require.NoError(t, err)
	tx, err := db.Begin()
	require.NoError(t, err)
	_, err = tx.Exec(`INSERT INTO lost VALUES (1)`)
	require.NoError(t, err)
	srv.Restart(t)
	_, err = tx.Exec(`INSERT INTO lost VALUES (2)`)
	require.Error(t, err)
	t.Logf("lost stream: %v", err)
	assert.ErrorIs(t, err, ErrStreamExpired)
	assert.Contains(t, err.Error(), "rolled back")
	assert.Error(t, tx.Commit())
	var n int64
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM lost`).Scan(&n))
	assert.Equal(t, int64(0), n)
}

func TestStreamExpired(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the server's stream expiry (about 10 s)")
	}
	t.Parallel()
	db := shared(t)
	db.SetMaxOpenConns(1)
	tb := table("exp")
	_, err := db.Exec(`CREATE TABLE ` + tb + `(v)`)
	require.NoError(t, err)
	tx, err := db.Begin()
	require.NoError(t, err)
	_, err = tx.Exec(`INSERT INTO ` + tb + ` VALUES (1)`)
	require.NoError(t, err)
	time.Sleep(12 * time.Second)
	_, err = tx.Exec(`INSERT INTO ` + tb + ` VALUES (2)`)
	require.Error(t, err)
	t.Logf("expired stream: %v", err)
	assert.ErrorIs(t, err, ErrStreamExpired)
	assert.Contains(t, err.Error(), "stream expired")
	assert.Contains(t, err.Error(), "rolled back")
	assert.NoError(t, tx.Rollback(), "the server rolled it back already")
	assert.Equal(t, int64(0), count(t, db, `SELECT count(*) FROM `+tb))
}
