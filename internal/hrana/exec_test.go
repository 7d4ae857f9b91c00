package hrana

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func count(t *testing.T, db *sql.DB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	require.NoError(t, db.QueryRow(query, args...).Scan(&n))
	return n
}

func TestMultiStatementExec(t *testing.T) {
	db := shared(t)
	a, b := table("ma"), table("mb")
	res, err := db.Exec(`CREATE TABLE ` + a + `(x); INSERT INTO ` + a + ` VALUES (1); INSERT INTO ` + a + ` VALUES (2), (3);`)
	require.NoError(t, err)
	n, _ := res.RowsAffected()
	assert.Equal(t, int64(3), n, "rows affected add up over the statements")
	id, _ := res.LastInsertId()
	assert.Equal(t, int64(3), id)
	assert.Equal(t, int64(3), count(t, db, `SELECT count(*) FROM `+a), "every statement ran")

	// With arguments, distributed by each statement's parameter count, and a
	// trigger whose body holds semicolons.
	_, err = db.Exec(`CREATE TABLE `+b+`(x, y);
		CREATE TRIGGER `+b+`_tr AFTER INSERT ON `+b+` BEGIN
			INSERT INTO `+a+` VALUES (new.x + 100); -- ; in a comment
			UPDATE `+a+` SET x = x WHERE x = 'a;b';
		END;
		INSERT INTO `+b+` VALUES (?, ?); INSERT INTO `+b+`(x) VALUES (?)`, 10, "ten", 20)
	require.NoError(t, err)
	assert.Equal(t, int64(2), count(t, db, `SELECT count(*) FROM `+b))
	assert.Equal(t, int64(2), count(t, db, `SELECT count(*) FROM `+a+` WHERE x > 100`), "the trigger ran for both inserts")
	var y string
	require.NoError(t, db.QueryRow(`SELECT y FROM `+b+` WHERE x = 10`).Scan(&y))
	assert.Equal(t, "ten", y)

	// A failing statement stops the ones after it; earlier ones stay done.
	_, err = db.Exec(`INSERT INTO ` + a + ` VALUES (7); INSERT INTO nosuch_table VALUES (1); INSERT INTO ` + a + ` VALUES (8)`)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no such table")
	assert.Equal(t, int64(1), count(t, db, `SELECT count(*) FROM `+a+` WHERE x = 7`))
	assert.Equal(t, int64(0), count(t, db, `SELECT count(*) FROM `+a+` WHERE x = 8`))

	// Argument count errors are reported before anything runs.
	_, err = db.Exec(`INSERT INTO `+a+` VALUES (?); INSERT INTO `+a+` VALUES (?)`, 1)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not enough arguments")
	_, err = db.Exec(`INSERT INTO `+a+` VALUES (?)`, 1, 2)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "left over")

	// Blank text runs nothing.
	res, err = db.Exec(` ; -- nothing`)
	require.NoError(t, err)
	n, _ = res.RowsAffected()
	assert.Zero(t, n)
}

func TestMultiStatementQuery(t *testing.T) {
	db := shared(t)
	a := table("mq")
	rows, err := db.Query(`CREATE TABLE `+a+`(x); INSERT INTO `+a+` VALUES (?), (?); SELECT x FROM `+a+` ORDER BY x`, 1, 2)
	require.NoError(t, err)
	var got []int64
	for rows.Next() {
		var x int64
		require.NoError(t, rows.Scan(&x))
		got = append(got, x)
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, []int64{1, 2}, got)

	_, err = db.Query(` -- nothing `)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no statement")
}

func TestExecRowReturningStatements(t *testing.T) {
	db := shared(t)
	_, err := db.Exec(`PRAGMA journal_mode`)
	require.NoError(t, err)
	_, err = db.Exec(`SELECT 1, 2`)
	require.NoError(t, err)
	_, err = db.Exec(`PRAGMA foreign_keys = ON`)
	require.NoError(t, err)
	var mode string
	require.NoError(t, db.QueryRow(`PRAGMA journal_mode`).Scan(&mode))
	assert.NotEmpty(t, mode)
}

func TestNamedParameters(t *testing.T) {
	db := shared(t)
	for _, q := range []string{`SELECT :x, :y`, `SELECT @x, @y`, `SELECT $x, $y`, `SELECT :x, @y`} {
		var a, b int64
		require.NoError(t, db.QueryRow(q, sql.Named("y", 2), sql.Named("x", 1)).Scan(&a, &b), q)
		assert.Equal(t, [2]int64{1, 2}, [2]int64{a, b}, q)
	}
	var a, b, c any
	require.NoError(t, db.QueryRow(`SELECT :x, ?, :x || ?`, sql.Named("x", "n"), "p", "q").Scan(&a, &b, &c))
	assert.Equal(t, []any{"n", "p", "nq"}, []any{a, b, c}, "named and positional arguments mix")
	require.NoError(t, db.QueryRow(`SELECT ?2, ?1`, "one", "two").Scan(&a, &b))
	assert.Equal(t, []any{"two", "one"}, []any{a, b}, "?NNN")

	tb := table("named")
	_, err := db.Exec(`CREATE TABLE `+tb+`(k, v); INSERT INTO `+tb+` VALUES (:k, :v); INSERT INTO `+tb+` VALUES (:k || '2', @v)`,
		sql.Named("k", "key"), sql.Named("v", 5))
	require.NoError(t, err)
	assert.Equal(t, int64(2), count(t, db, `SELECT count(*) FROM `+tb+` WHERE v = $v`, sql.Named("v", 5)))

	err = db.QueryRow(`SELECT :x`, sql.Named("x", 1), sql.Named("nope", 2)).Scan(&a)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"nope"`)
	err = db.QueryRow(`SELECT :x, :y`, sql.Named("x", 1)).Scan(&a, &b)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not enough arguments")
}

func TestStatementErrors(t *testing.T) {
	db := shared(t)
	tb := table("uniq")
	_, err := db.Exec(`CREATE TABLE ` + tb + `(id INTEGER PRIMARY KEY, c TEXT UNIQUE)`)
	require.NoError(t, err)
	var id int64
	require.NoError(t, db.QueryRow(`INSERT INTO `+tb+`(c) VALUES ('a') RETURNING id`).Scan(&id))
	assert.Equal(t, int64(1), id)

	err = db.QueryRow(`INSERT INTO ` + tb + `(c) VALUES ('a') RETURNING id`).Scan(&id)
	require.Error(t, err)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Contains(t, e.Message, "UNIQUE constraint failed: "+tb+".c")
	assert.Contains(t, err.Error(), "UNIQUE constraint failed: "+tb+".c")
	assert.True(t, e.IsConstraint())
	assert.True(t, strings.HasPrefix(e.Code, "SQLITE_CONSTRAINT"), e.Code)
	assert.ErrorIs(t, err, &Error{Code: "SQLITE_CONSTRAINT"})

	_, err = db.Exec(`INSERT INTO ` + tb + `(c) VALUES ('a')`)
	require.ErrorAs(t, err, &e)
	assert.Contains(t, e.Message, "UNIQUE constraint failed")

	_, err = db.Exec(`SELEC 1`)
	require.ErrorAs(t, err, &e)
	assert.NotEmpty(t, e.Code)

	_, err = db.Exec(`INSERT INTO nosuch VALUES (1)`)
	require.ErrorAs(t, err, &e)
	assert.Contains(t, e.Message, "no such table: nosuch")
}

func TestLastInsertIdAndRowsAffected(t *testing.T) {
	db := shared(t)
	tb := table("ids")
	_, err := db.Exec(`CREATE TABLE ` + tb + `(id INTEGER PRIMARY KEY, v)`)
	require.NoError(t, err)
	res, err := db.Exec(`INSERT INTO `+tb+`(id, v) VALUES (41, ?), (42, ?)`, 1, 2)
	require.NoError(t, err)
	id, _ := res.LastInsertId()
	n, _ := res.RowsAffected()
	assert.Equal(t, int64(42), id)
	assert.Equal(t, int64(2), n)
	res, err = db.Exec(`UPDATE ` + tb + ` SET v = v + 1`)
	require.NoError(t, err)
	n, _ = res.RowsAffected()
	assert.Equal(t, int64(2), n)
	res, err = db.Exec(`DELETE FROM ` + tb + ` WHERE id = 41`)
	require.NoError(t, err)
	n, _ = res.RowsAffected()
	assert.Equal(t, int64(1), n)

	// In a transaction LastInsertId carries over statements, as on a local
	// connection.
	tx, err := db.Begin()
	require.NoError(t, err)
	_, err = tx.Exec(`INSERT INTO ` + tb + `(id, v) VALUES (100, 0)`)
	require.NoError(t, err)
	res, err = tx.Exec(`UPDATE ` + tb + ` SET v = 5 WHERE id = 100`)
	require.NoError(t, err)
	id, _ = res.LastInsertId()
	assert.Equal(t, int64(100), id)
	require.NoError(t, tx.Commit())
}

func TestPreparedStatements(t *testing.T) {
	db := shared(t)
	tb := table("prep")
	_, err := db.Exec(`CREATE TABLE ` + tb + `(v)`)
	require.NoError(t, err)
	st, err := db.Prepare(`INSERT INTO ` + tb + ` VALUES (?)`)
	require.NoError(t, err)
	for i := range 3 {
		_, err := st.Exec(i)
		require.NoError(t, err)
	}
	require.NoError(t, st.Close())
	q, err := db.PrepareContext(context.Background(), `SELECT count(*) FROM `+tb+` WHERE v >= :min`)
	require.NoError(t, err)
	var n int64
	require.NoError(t, q.QueryRow(sql.Named("min", 1)).Scan(&n))
	assert.Equal(t, int64(2), n)
	require.NoError(t, q.Close())
}

func TestInitStatements(t *testing.T) {
	srvURL := sharedURL(t)
	var fk, dfk int64
	plain := open(t, srvURL, Options{})
	require.NoError(t, plain.QueryRow(`SELECT (SELECT foreign_keys FROM pragma_foreign_keys), (SELECT defer_foreign_keys FROM pragma_defer_foreign_keys)`).Scan(&fk, &dfk))
	assert.Equal(t, int64(1), fk, "sqld turns foreign keys on in every stream")
	assert.Equal(t, int64(0), dfk)

	db := open(t, srvURL, Options{Init: []string{"PRAGMA foreign_keys = OFF", "PRAGMA defer_foreign_keys = ON"}})
	require.NoError(t, db.QueryRow(`SELECT (SELECT foreign_keys FROM pragma_foreign_keys), (SELECT defer_foreign_keys FROM pragma_defer_foreign_keys)`).Scan(&fk, &dfk))
	assert.Equal(t, int64(0), fk)
	assert.Equal(t, int64(1), dfk)
	tx, err := db.Begin()
	require.NoError(t, err)
	require.NoError(t, tx.QueryRow(`PRAGMA foreign_keys`).Scan(&fk))
	assert.Equal(t, int64(0), fk, "Init runs before BEGIN in a transaction")
	require.NoError(t, tx.Rollback())

	// sqld refuses most PRAGMAs that set something (e.g. synchronous).
	bad := open(t, srvURL, Options{Init: []string{"SELECT 1", "PRAGMA synchronous = NORMAL"}})
	_, err = bad.Exec(`SELECT 1`)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `init statement "PRAGMA synchronous = NORMAL"`)
	// An init statement failing when it runs.
	bad = open(t, srvURL, Options{Init: []string{"SELECT * FROM no_such_init_table"}})
	_, err = bad.Exec(`SELECT 1`)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `init statement "SELECT * FROM no_such_init_table"`)
	assert.Contains(t, err.Error(), "no such table")
	tx, err = bad.Begin()
	require.NoError(t, err)
	_, err = tx.Exec(`SELECT 1`)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "init statement")
	assert.Error(t, tx.Commit())
}

func TestPing(t *testing.T) {
	db := shared(t)
	require.NoError(t, db.PingContext(context.Background()))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := db.PingContext(ctx)
	assert.True(t, errors.Is(err, context.Canceled), "%v", err)
}
