package native

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// longQuery counts to 1e9: minutes of work unless interrupted.
const longQuery = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 1000000000) SELECT count(*) FROM c"

func TestContextInterruptsStatements(t *testing.T) {
	db, _ := openTestDB(t, Options{})
	conn := pinConn(t, db)

	run := map[string]func(ctx context.Context) error{
		"query": func(ctx context.Context) error {
			var n int64
			return conn.QueryRowContext(ctx, longQuery).Scan(&n)
		},
		"exec": func(ctx context.Context) error {
			_, err := conn.ExecContext(ctx, longQuery)
			return err
		},
		"exec in multi-statement text": func(ctx context.Context) error {
			_, err := conn.ExecContext(ctx, "SELECT 1; "+longQuery)
			return err
		},
		"prepared": func(ctx context.Context) error {
			st, err := conn.PrepareContext(context.Background(), longQuery)
			require.NoError(t, err)
			defer st.Close()
			var n int64
			return st.QueryRowContext(ctx).Scan(&n)
		},
		"while iterating": func(ctx context.Context) error {
			// The first row comes at once, the second only after the count.
			rows, err := conn.QueryContext(ctx, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 1000000000) SELECT x FROM c WHERE x = 1 OR x = 1000000000")
			require.NoError(t, err)
			defer rows.Close()
			require.True(t, rows.Next())
			for rows.Next() {
			}
			return rows.Err()
		},
	}
	for name, fn := range run {
		t.Run(name+"/cancel", func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			start := time.Now()
			err := fn(ctx)
			assert.ErrorIs(t, err, context.Canceled)
			assert.Less(t, time.Since(start), 5*time.Second)
			assertUsable(t, conn)
		})
		t.Run(name+"/deadline", func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			err := fn(ctx)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Less(t, time.Since(start), 5*time.Second)
			assertUsable(t, conn)
		})
	}
}

// assertUsable checks that conn still runs statements, without interruption.
func assertUsable(t *testing.T, conn *sql.Conn) {
	t.Helper()
	assert.Equal(t, int64(1), count(t, conn, "SELECT 1"))
	assert.Equal(t, int64(200000), count(t, conn, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 200000) SELECT count(*) FROM c"))
	raw(t, conn, func(c *Conn) { assert.True(t, c.Autocommit()) })
}

func TestCancelInsideTransactionKeepsConnUsable(t *testing.T) {
	db, _ := openTestDB(t, Options{})
	_, err := db.Exec("CREATE TABLE ct(x)")
	require.NoError(t, err)
	conn := pinConn(t, db)
	tx, err := conn.BeginTx(context.Background(), nil)
	require.NoError(t, err)
	_, err = tx.Exec("INSERT INTO ct VALUES (1)")
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = tx.ExecContext(ctx, "INSERT INTO ct "+longQuery)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	_ = tx.Rollback()
	raw(t, conn, func(c *Conn) { assert.True(t, c.Autocommit()) })
	assert.Equal(t, int64(0), count(t, conn, "SELECT count(*) FROM ct"))
	_, err = conn.ExecContext(context.Background(), "INSERT INTO ct VALUES (2)")
	require.NoError(t, err)
}

func TestAlreadyCancelledContext(t *testing.T) {
	db, _ := openTestDB(t, Options{})
	_, err := db.Exec("CREATE TABLE ac(x)")
	require.NoError(t, err)
	conn := pinConn(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	// Through database/sql ...
	_, err = conn.ExecContext(ctx, "INSERT INTO ac VALUES (1)")
	assert.ErrorIs(t, err, context.Canceled)

	// ... and straight on the driver, which database/sql may not reach.
	raw(t, conn, func(c *Conn) {
		_, err := c.ExecContext(ctx, "INSERT INTO ac VALUES (1)", nil)
		assert.ErrorIs(t, err, context.Canceled)
		_, err = c.QueryContext(ctx, "SELECT 1", nil)
		assert.ErrorIs(t, err, context.Canceled)
		_, err = c.PrepareContext(ctx, "SELECT 1")
		assert.ErrorIs(t, err, context.Canceled)
		_, err = c.BeginTx(ctx, driver.TxOptions{})
		assert.ErrorIs(t, err, context.Canceled)
		assert.True(t, c.Autocommit())
	})
	assert.Equal(t, int64(0), count(t, conn, "SELECT count(*) FROM ac"))
}
