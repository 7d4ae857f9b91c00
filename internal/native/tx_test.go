package native

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBusyTimeoutWaitsForLock(t *testing.T) {
	holder, path := openTestDB(t, Options{})
	_, err := holder.Exec("CREATE TABLE b(x)")
	require.NoError(t, err)
	waiter := openTestDBAt(t, path, Options{BusyTimeout: 10 * time.Second})
	impatient := openTestDBAt(t, path, Options{})

	lock := pinConn(t, holder)
	_, err = lock.ExecContext(context.Background(), "BEGIN IMMEDIATE")
	require.NoError(t, err)

	// Without a busy timeout the write fails at once.
	_, err = impatient.Exec("INSERT INTO b VALUES (0)")
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, CodeBusy, e.Code)
	assert.True(t, e.IsBusy())

	const hold = 300 * time.Millisecond
	released := make(chan error, 1)
	time.AfterFunc(hold, func() {
		_, err := lock.ExecContext(context.Background(), "COMMIT")
		released <- err
	})
	start := time.Now()
	_, err = waiter.Exec("INSERT INTO b VALUES (1)")
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), hold-50*time.Millisecond, "the write must have waited for the lock")
	require.NoError(t, <-released)
	assert.Equal(t, int64(1), count(t, holder, "SELECT count(*) FROM b"))
}

func TestFailedCommitLeavesNoTransaction(t *testing.T) {
	db, _ := openTestDB(t, Options{Init: []string{"PRAGMA foreign_keys=ON"}})
	_, err := db.Exec(`CREATE TABLE p(id INTEGER PRIMARY KEY);
		CREATE TABLE ch(pid INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED)`)
	require.NoError(t, err)
	conn := pinConn(t, db)
	ctx := context.Background()

	tx, err := conn.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = tx.Exec("INSERT INTO ch VALUES (42)") // orphan: checked at COMMIT
	require.NoError(t, err)
	err = tx.Commit()
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, ExtConstraintForeignKey, e.ExtendedCode)
	raw(t, conn, func(c *Conn) { assert.True(t, c.Autocommit(), "a failed COMMIT must not leave the transaction open") })

	tx, err = conn.BeginTx(ctx, nil)
	require.NoError(t, err, "a new BEGIN must work")
	_, err = tx.Exec("INSERT INTO p VALUES (42); INSERT INTO ch VALUES (42)")
	require.NoError(t, err)
	require.NoError(t, tx.Commit())
	assert.Equal(t, int64(1), count(t, conn, "SELECT count(*) FROM ch"))
}

func TestTransactionModes(t *testing.T) {
	db, path := openTestDB(t, Options{})
	_, err := db.Exec("CREATE TABLE tm(x)")
	require.NoError(t, err)
	other := openTestDBAt(t, path, Options{})
	ctx := context.Background()

	tests := []struct {
		level        sql.IsolationLevel
		locksAtBegin bool
	}{
		{sql.LevelDefault, false},
		{sql.LevelSerializable, false},
		{sql.LevelWriteCommitted, true},
		{sql.LevelLinearizable, true},
	}
	for _, tt := range tests {
		t.Run(tt.level.String(), func(t *testing.T) {
			tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: tt.level})
			require.NoError(t, err)
			defer tx.Rollback()
			_, err = other.Exec("INSERT INTO tm VALUES (1)")
			if tt.locksAtBegin {
				var e *Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, CodeBusy, e.Code)
			} else {
				assert.NoError(t, err)
			}
		})
	}
	for _, level := range []sql.IsolationLevel{sql.LevelReadUncommitted, sql.LevelReadCommitted, sql.LevelRepeatableRead, sql.LevelSnapshot} {
		_, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: level})
		assert.Error(t, err, level.String())
	}

	t.Run("read-only", func(t *testing.T) {
		conn := pinConn(t, db)
		tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		require.NoError(t, err)
		_, err = tx.Exec("INSERT INTO tm VALUES (2)")
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, CodeReadOnly, e.Code)
		require.NoError(t, tx.Commit())
		_, err = conn.ExecContext(ctx, "INSERT INTO tm VALUES (3)")
		require.NoError(t, err, "query_only is undone after the transaction")

		tx, err = conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		require.NoError(t, err)
		require.NoError(t, tx.Rollback())
		_, err = conn.ExecContext(ctx, "INSERT INTO tm VALUES (4)")
		require.NoError(t, err)
	})
}

func TestResetSessionRollsBackStrayTransaction(t *testing.T) {
	db, _ := openTestDB(t, Options{})
	db.SetMaxOpenConns(1)
	_, err := db.Exec("CREATE TABLE rs(x)")
	require.NoError(t, err)
	// A transaction database/sql does not know of: the Exec gives the
	// connection back to the pool inside it.
	_, err = db.Exec("BEGIN; INSERT INTO rs VALUES (1)")
	require.NoError(t, err)
	assert.Equal(t, int64(0), count(t, db, "SELECT count(*) FROM rs"), "rolled back before the next use")
	_, err = db.Exec("BEGIN") // would fail inside a transaction
	require.NoError(t, err)

	// Straight on the driver.
	conn := pinConn(t, db)
	raw(t, conn, func(c *Conn) {
		_, err := c.ExecContext(context.Background(), "BEGIN; INSERT INTO rs VALUES (1)", nil)
		require.NoError(t, err)
		assert.False(t, c.Autocommit())
		require.NoError(t, c.ResetSession(context.Background()))
		assert.True(t, c.Autocommit())
		assert.True(t, c.IsValid())
		require.NoError(t, c.Ping(context.Background()))
	})
}

func TestClosedConnection(t *testing.T) {
	c, err := NewConnector(":memory:", Options{})
	require.NoError(t, err)
	dc, err := c.Connect(context.Background())
	require.NoError(t, err)
	conn := dc.(*Conn)
	st, err := conn.PrepareContext(context.Background(), "SELECT 1")
	require.NoError(t, err)
	rows, err := conn.QueryContext(context.Background(), "SELECT 1 UNION ALL SELECT 2", nil)
	require.NoError(t, err)
	require.NoError(t, conn.Close())
	assert.ErrorIs(t, rows.Next(make([]driver.Value, 1)), io.EOF, "rows of a closed connection end")
	require.NoError(t, rows.Close())
	require.NoError(t, conn.Close())
	assert.False(t, conn.IsValid())
	assert.ErrorIs(t, conn.Ping(context.Background()), driver.ErrBadConn)
	assert.ErrorIs(t, conn.ResetSession(context.Background()), driver.ErrBadConn)
	_, err = conn.ExecContext(context.Background(), "SELECT 1", nil)
	assert.True(t, errors.Is(err, driver.ErrBadConn))
	require.NoError(t, st.Close())
	assert.True(t, conn.Autocommit())
	assert.Zero(t, conn.TotalChanges())
}
