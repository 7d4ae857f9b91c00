package native

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStatementCacheReuse(t *testing.T) {
	db, _ := openTestDB(t, Options{})
	conn := pinConn(t, db)
	ctx := context.Background()
	_, err := conn.ExecContext(ctx, "CREATE TABLE sc(x)")
	require.NoError(t, err)

	before := prepares(t, conn)
	for i := range 5 {
		_, err := conn.ExecContext(ctx, "INSERT INTO sc VALUES (?)", i)
		require.NoError(t, err)
	}
	assert.Equal(t, before+1, prepares(t, conn), "one compile for five Execs of the same SQL")

	before = prepares(t, conn)
	for range 5 {
		assert.Equal(t, int64(5), count(t, conn, "SELECT count(*) FROM sc WHERE x >= ?", 0))
	}
	assert.Equal(t, before+1, prepares(t, conn), "one compile for five Querys of the same SQL")

	before = prepares(t, conn)
	st, err := conn.PrepareContext(ctx, "INSERT INTO sc VALUES (?)")
	require.NoError(t, err)
	for i := range 5 {
		_, err := st.Exec(i)
		require.NoError(t, err)
	}
	require.NoError(t, st.Close())
	assert.Equal(t, before, prepares(t, conn), "Prepare takes the cached statement")

	t.Run("several idle copies of one query", func(t *testing.T) {
		// GORM with PrepareStmt in a transaction prepares the same INSERT once
		// per call and closes all of them at the end.
		db, _ := openTestDB(t, Options{})
		conn := pinConn(t, db)
		_, err := conn.ExecContext(ctx, "CREATE TABLE tw(x)")
		require.NoError(t, err)
		const q = "INSERT INTO tw VALUES (?)"
		round := func() {
			var stmts []interface{ Close() error }
			for i := range 3 {
				st, err := conn.PrepareContext(ctx, q)
				require.NoError(t, err)
				_, err = st.Exec(i)
				require.NoError(t, err)
				stmts = append(stmts, st)
			}
			for _, st := range stmts {
				require.NoError(t, st.Close())
			}
		}
		round()
		before := prepares(t, conn)
		round()
		assert.Equal(t, before, prepares(t, conn), "all three statements come from the cache")
		raw(t, conn, func(c *Conn) {
			copies := 0
			for s := c.cache.idle[q]; s != nil; s = s.twin {
				copies++
			}
			assert.Equal(t, 3, copies)
		})
	})

	t.Run("disabled", func(t *testing.T) {
		db, _ := openTestDB(t, Options{StmtCacheSize: -1})
		conn := pinConn(t, db)
		before := prepares(t, conn)
		for range 3 {
			assert.Equal(t, int64(1), count(t, conn, "SELECT 1"))
		}
		assert.Equal(t, before+3, prepares(t, conn))
	})

	t.Run("LRU eviction", func(t *testing.T) {
		db, _ := openTestDB(t, Options{StmtCacheSize: 2})
		conn := pinConn(t, db)
		before := prepares(t, conn)
		for range 3 {
			count(t, conn, "SELECT 1")
			count(t, conn, "SELECT 2")
		}
		assert.Equal(t, before+2, prepares(t, conn), "two statements fit")
		before = prepares(t, conn)
		for range 2 {
			count(t, conn, "SELECT 1")
			count(t, conn, "SELECT 2")
			count(t, conn, "SELECT 3")
		}
		assert.Equal(t, before+1+3, prepares(t, conn), "three statements cycling through two slots miss every time")
		raw(t, conn, func(c *Conn) {
			assert.Len(t, c.cache.idle, 2)
			assert.Len(t, c.live, 2)
		})
	})
}

func TestCachedStatementInUseIsNotSharedByRows(t *testing.T) {
	db, _ := openTestDB(t, Options{})
	conn := pinConn(t, db)
	ctx := context.Background()
	_, err := conn.ExecContext(ctx, "CREATE TABLE u(x); INSERT INTO u VALUES (1), (2), (3)")
	require.NoError(t, err)
	const q = "SELECT x FROM u ORDER BY x"

	before := prepares(t, conn)
	r1, err := conn.QueryContext(ctx, q)
	require.NoError(t, err)
	r2, err := conn.QueryContext(ctx, q)
	require.NoError(t, err)
	var got1, got2 []int64
	for r1.Next() {
		var x int64
		require.NoError(t, r1.Scan(&x))
		got1 = append(got1, x)
		if r2.Next() {
			require.NoError(t, r2.Scan(&x))
			got2 = append(got2, x)
		}
	}
	require.NoError(t, r1.Err())
	require.NoError(t, r2.Err())
	require.NoError(t, r1.Close())
	require.NoError(t, r2.Close())
	assert.Equal(t, []int64{1, 2, 3}, got1)
	assert.Equal(t, []int64{1, 2, 3}, got2)
	assert.Equal(t, before+2, prepares(t, conn), "the second query needs its own statement")

	before = prepares(t, conn)
	assert.Equal(t, int64(6), count(t, conn, "SELECT sum(x) FROM u"))
	count(t, conn, q)
	assert.Equal(t, before+1, prepares(t, conn), "the query's statement came back to the cache")
}

func TestPreparedStatements(t *testing.T) {
	db, _ := openTestDB(t, Options{})
	conn := pinConn(t, db)
	ctx := context.Background()
	_, err := conn.ExecContext(ctx, "CREATE TABLE ps(x)")
	require.NoError(t, err)

	ins, err := conn.PrepareContext(ctx, "INSERT INTO ps VALUES (?)")
	require.NoError(t, err)
	defer ins.Close()
	for i := range 10 {
		_, err := ins.ExecContext(ctx, i)
		require.NoError(t, err)
	}
	_, err = ins.ExecContext(ctx, 1, 2)
	assert.Error(t, err, "argument count is checked")

	sel, err := conn.PrepareContext(ctx, "SELECT x FROM ps WHERE x < ? ORDER BY x")
	require.NoError(t, err)
	defer sel.Close()
	outer, err := sel.QueryContext(ctx, 3)
	require.NoError(t, err)
	var pairs [][2]int64
	for outer.Next() {
		var a int64
		require.NoError(t, outer.Scan(&a))
		// The same Stmt again while its rows are open.
		inner, err := sel.QueryContext(ctx, a)
		require.NoError(t, err)
		for inner.Next() {
			var b int64
			require.NoError(t, inner.Scan(&b))
			pairs = append(pairs, [2]int64{a, b})
		}
		require.NoError(t, inner.Err())
		require.NoError(t, inner.Close())
	}
	require.NoError(t, outer.Err())
	require.NoError(t, outer.Close())
	assert.Equal(t, [][2]int64{{1, 0}, {2, 0}, {2, 1}}, pairs)

	multi, err := conn.PrepareContext(ctx, "INSERT INTO ps VALUES (?); INSERT INTO ps VALUES (?)")
	require.NoError(t, err)
	_, err = multi.ExecContext(ctx, 100, 101)
	require.NoError(t, err)
	require.NoError(t, multi.Close())
	assert.Equal(t, int64(12), count(t, conn, "SELECT count(*) FROM ps"))

	// Closing a Stmt while its rows are open keeps the rows working.
	st, err := conn.PrepareContext(ctx, "SELECT x FROM ps ORDER BY x")
	require.NoError(t, err)
	rows, err := st.QueryContext(ctx)
	require.NoError(t, err)
	require.NoError(t, st.Close())
	n := 0
	for rows.Next() {
		n++
	}
	require.NoError(t, rows.Err())
	require.NoError(t, rows.Close())
	assert.Equal(t, 12, n)
}
