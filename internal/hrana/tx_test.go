package hrana

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTransactionCommitAndRollback(t *testing.T) {
	db := shared(t)
	tb := table("tx")
	_, err := db.Exec(`CREATE TABLE ` + tb + `(v)`)
	require.NoError(t, err)

	tx, err := db.Begin()
	require.NoError(t, err)
	_, err = tx.Exec(`INSERT INTO `+tb+` VALUES (?)`, 1)
	require.NoError(t, err)
	var n int64
	require.NoError(t, tx.QueryRow(`SELECT count(*) FROM `+tb).Scan(&n))
	assert.Equal(t, int64(1), n, "the transaction sees its own write")
	assert.Equal(t, int64(0), count(t, db, `SELECT count(*) FROM `+tb), "others do not")
	require.NoError(t, tx.Commit())
	assert.Equal(t, int64(1), count(t, db, `SELECT count(*) FROM `+tb))
	assert.ErrorIs(t, tx.Commit(), sql.ErrTxDone)

	tx, err = db.Begin()
	require.NoError(t, err)
	_, err = tx.Exec(`INSERT INTO `+tb+` VALUES (?)`, 2)
	require.NoError(t, err)
	require.NoError(t, tx.Rollback())
	assert.Equal(t, int64(1), count(t, db, `SELECT count(*) FROM `+tb))

	// Empty transactions.
	tx, err = db.Begin()
	require.NoError(t, err)
	require.NoError(t, tx.Commit())
	tx, err = db.Begin()
	require.NoError(t, err)
	require.NoError(t, tx.Rollback())

	// A failing statement does not end the transaction.
	tx, err = db.Begin()
	require.NoError(t, err)
	_, err = tx.Exec(`INSERT INTO ` + tb + ` VALUES (3)`)
	require.NoError(t, err)
	_, err = tx.Exec(`INSERT INTO nosuch VALUES (1)`)
	require.Error(t, err)
	_, err = tx.Exec(`SELEC 1`) // refused by the server's parser
	require.Error(t, err)
	_, err = tx.Exec(`INSERT INTO ` + tb + ` VALUES (4)`)
	require.NoError(t, err)
	require.NoError(t, tx.Commit())
	assert.Equal(t, int64(3), count(t, db, `SELECT count(*) FROM `+tb))

	// A syntax error as the first statement leaves the transaction to begin.
	tx, err = db.Begin()
	require.NoError(t, err)
	_, err = tx.Exec(`SELEC 1`)
	require.Error(t, err)
	_, err = tx.Exec(`INSERT INTO ` + tb + ` VALUES (5)`)
	require.NoError(t, err)
	require.NoError(t, tx.Rollback())
	assert.Equal(t, int64(3), count(t, db, `SELECT count(*) FROM `+tb))
}

func TestSavepoints(t *testing.T) {
	db := shared(t)
	tb := table("sp")
	_, err := db.Exec(`CREATE TABLE ` + tb + `(v)`)
	require.NoError(t, err)
	tx, err := db.Begin()
	require.NoError(t, err)
	for _, q := range []string{
		`INSERT INTO ` + tb + ` VALUES (1)`,
		`SAVEPOINT a`,
		`INSERT INTO ` + tb + ` VALUES (2)`,
		`ROLLBACK TO a`,
		`SAVEPOINT b`,
		`INSERT INTO ` + tb + ` VALUES (3)`,
		`RELEASE b`,
	} {
		_, err := tx.Exec(q)
		require.NoError(t, err, q)
	}
	require.NoError(t, tx.Commit())
	rows, err := db.Query(`SELECT v FROM ` + tb + ` ORDER BY v`)
	require.NoError(t, err)
	var got []int64
	for rows.Next() {
		var v int64
		require.NoError(t, rows.Scan(&v))
		got = append(got, v)
	}
	assert.Equal(t, []int64{1, 3}, got)
}

func TestIsolationLevelsAndReadOnly(t *testing.T) {
	db := shared(t)
	tb := table("iso")
	_, err := db.Exec(`CREATE TABLE ` + tb + `(v); INSERT INTO ` + tb + ` VALUES (1)`)
	require.NoError(t, err)
	ctx := context.Background()
	for _, level := range []sql.IsolationLevel{sql.LevelDefault, sql.LevelSerializable, sql.LevelWriteCommitted, sql.LevelLinearizable} {
		tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: level})
		require.NoError(t, err, level)
		_, err = tx.Exec(`UPDATE ` + tb + ` SET v = v + 1`)
		require.NoError(t, err, level)
		require.NoError(t, tx.Commit(), level)
	}
	assert.Equal(t, int64(5), count(t, db, `SELECT v FROM `+tb))
	_, err = db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not supported")

	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	require.NoError(t, err)
	var v int64
	require.NoError(t, tx.QueryRow(`SELECT v FROM `+tb).Scan(&v))
	assert.Equal(t, int64(5), v)
	_, err = tx.Exec(`UPDATE ` + tb + ` SET v = 0`)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "attempt to write a readonly database")
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "SQLITE_READONLY", e.Code)
	require.NoError(t, tx.QueryRow(`WITH x AS (SELECT v FROM `+tb+`) SELECT v + 1 FROM x`).Scan(&v))
	assert.Equal(t, int64(6), v)
	require.NoError(t, tx.Commit())
	assert.Equal(t, int64(5), count(t, db, `SELECT v FROM `+tb))
}

// TestFailedCommitLeavesNoTransaction: a deferred foreign key violation
// fails COMMIT; the transaction is rolled back and the connection is
// usable.
func TestFailedCommitLeavesNoTransaction(t *testing.T) {
	db := open(t, sharedURL(t), Options{Init: []string{"PRAGMA foreign_keys = ON"}})
	db.SetMaxOpenConns(1)
	p, c := table("fkp"), table("fkc")
	_, err := db.Exec(`CREATE TABLE ` + p + `(id INTEGER PRIMARY KEY);
		CREATE TABLE ` + c + `(id INTEGER PRIMARY KEY, pid INTEGER REFERENCES ` + p + `(id) DEFERRABLE INITIALLY DEFERRED)`)
	require.NoError(t, err)

	tx, err := db.Begin()
	require.NoError(t, err)
	_, err = tx.Exec(`INSERT INTO `+c+`(pid) VALUES (?)`, 42)
	require.NoError(t, err, "the check is deferred to COMMIT")
	err = tx.Commit()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "FOREIGN KEY constraint failed")
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.True(t, e.IsConstraint())

	assert.Equal(t, int64(0), count(t, db, `SELECT count(*) FROM `+c), "nothing was committed")
	// The same connection works, outside and inside a new transaction.
	tx, err = db.Begin()
	require.NoError(t, err)
	_, err = tx.Exec(`INSERT INTO ` + p + `(id) VALUES (42)`)
	require.NoError(t, err)
	_, err = tx.Exec(`INSERT INTO ` + c + `(pid) VALUES (42)`)
	require.NoError(t, err)
	require.NoError(t, tx.Commit())
	assert.Equal(t, int64(1), count(t, db, `SELECT count(*) FROM `+c))
}

// TestExecBegin: a transaction begun with Exec holds the stream until it
// ends, like a local connection.
func TestExecBegin(t *testing.T) {
	db := shared(t)
	tb := table("manual")
	_, err := db.Exec(`CREATE TABLE ` + tb + `(v)`)
	require.NoError(t, err)
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()

	_, err = conn.ExecContext(ctx, `BEGIN`)
	require.NoError(t, err)
	_, err = conn.ExecContext(ctx, `INSERT INTO `+tb+` VALUES (1)`)
	require.NoError(t, err)
	assert.Equal(t, int64(0), count(t, db, `SELECT count(*) FROM `+tb), "not committed yet")
	_, err = conn.ExecContext(ctx, `COMMIT`)
	require.NoError(t, err)
	assert.Equal(t, int64(1), count(t, db, `SELECT count(*) FROM `+tb))

	_, err = conn.ExecContext(ctx, `BEGIN; INSERT INTO `+tb+` VALUES (2)`)
	require.NoError(t, err)
	_, err = conn.ExecContext(ctx, `ROLLBACK`)
	require.NoError(t, err)
	assert.Equal(t, int64(1), count(t, db, `SELECT count(*) FROM `+tb))

	_, err = conn.ExecContext(ctx, `INSERT INTO `+tb+` VALUES (3)`)
	require.NoError(t, err)
	assert.Equal(t, int64(2), count(t, db, `SELECT count(*) FROM `+tb), "autocommit again")

	// Left open, it is rolled back when the connection is reused.
	_, err = conn.ExecContext(ctx, `BEGIN; INSERT INTO `+tb+` VALUES (4)`)
	require.NoError(t, err)
	require.NoError(t, conn.Close())
	db.SetMaxOpenConns(1)
	assert.Equal(t, int64(2), count(t, db, `SELECT count(*) FROM `+tb))
	_, err = db.Exec(`INSERT INTO ` + tb + ` VALUES (5)`)
	require.NoError(t, err)
	assert.Equal(t, int64(3), count(t, db, `SELECT count(*) FROM `+tb))
}

func TestTxAfterCommitErrors(t *testing.T) {
	db := shared(t)
	tx, err := db.Begin()
	require.NoError(t, err)
	require.NoError(t, tx.Commit())
	_, err = tx.Exec(`SELECT 1`)
	assert.True(t, errors.Is(err, sql.ErrTxDone))
}

func TestBeginTxInsideExecBegin(t *testing.T) {
	db := shared(t)
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(ctx, `BEGIN`)
	require.NoError(t, err)
	_, err = conn.BeginTx(ctx, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot start a transaction within a transaction")
	_, err = conn.ExecContext(ctx, `ROLLBACK`)
	require.NoError(t, err)
	tx, err := conn.BeginTx(ctx, nil)
	require.NoError(t, err)
	require.NoError(t, tx.Rollback())
}

// TestExecBeginLeftOpen: a transaction begun with Exec and left open when
// the connection goes back to the pool is rolled back (one request) before
// the connection is reused.
func TestExecBeginLeftOpen(t *testing.T) {
	db, p := counted(t, Options{})
	tb := table("leftopen")
	_, err := db.Exec(`CREATE TABLE ` + tb + `(v)`)
	require.NoError(t, err)
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	_, err = conn.ExecContext(ctx, `BEGIN IMMEDIATE; INSERT INTO `+tb+` VALUES (1)`)
	require.NoError(t, err)
	require.NoError(t, conn.Close())
	p.Reset()
	_, err = db.Exec(`INSERT INTO ` + tb + ` VALUES (2)`)
	require.NoError(t, err)
	assert.Equal(t, int64(2), p.Count(), "ROLLBACK on reuse, then the INSERT")
	assert.Equal(t, int64(1), count(t, db, `SELECT count(*) FROM `+tb))
}

var registerOnce sync.Once

func TestDriverInterface(t *testing.T) {
	url := sharedURL(t)
	registerOnce.Do(func() { sql.Register("hrana-test", Driver{}) }) // once also with -count
	db, err := sql.Open("hrana-test", url)
	require.NoError(t, err)
	defer db.Close()
	var n int64
	require.NoError(t, db.QueryRow(`SELECT 41 + 1`).Scan(&n))
	assert.Equal(t, int64(42), n)
	c, err := Driver{}.Open(url)
	require.NoError(t, err)
	require.NoError(t, c.Close())
	_, err = Driver{}.Open("ftp://x")
	require.Error(t, err)

	// The driver.Stmt and driver.Conn methods without context.
	conn, err := db.Conn(context.Background())
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.Raw(func(dc any) error {
		c := dc.(*Conn)
		st, err := c.Prepare(`SELECT ?`)
		require.NoError(t, err)
		assert.Equal(t, -1, st.NumInput())
		rows, err := st.Query([]driver.Value{int64(3)})
		require.NoError(t, err)
		dest := make([]driver.Value, 1)
		require.NoError(t, rows.Next(dest))
		assert.Equal(t, int64(3), dest[0])
		require.NoError(t, rows.Close())
		_, err = st.Exec([]driver.Value{int64(3)})
		require.NoError(t, err)
		require.NoError(t, st.Close())
		_, err = st.Exec([]driver.Value{int64(3)})
		assert.Error(t, err)
		tx, err := c.Begin()
		require.NoError(t, err)
		require.NoError(t, tx.Rollback())
		assert.Error(t, tx.Rollback())
		return nil
	}))
}
