package native

import (
	"context"
	"database/sql"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMultiStatementExec(t *testing.T) {
	db, _ := openTestDB(t, Options{})
	conn := pinConn(t, db)
	ctx := context.Background()

	res, err := conn.ExecContext(ctx, `
		CREATE TABLE m(x INTEGER);
		INSERT INTO m VALUES (?);
		-- a comment between statements
		INSERT INTO m VALUES (?), (?); /* trailing block comment */
		UPDATE m SET x = x * 10 WHERE x >= ?;
		-- trailing line comment`, 1, 2, 3, 2)
	require.NoError(t, err)
	assert.Equal(t, int64(3), count(t, conn, "SELECT count(*) FROM m"))
	assert.Equal(t, int64(51), count(t, conn, "SELECT sum(x) FROM m"))
	n, _ := res.RowsAffected()
	assert.Equal(t, int64(1+2+2), n, "RowsAffected sums the statements")

	t.Run("leftover arguments", func(t *testing.T) {
		_, err := conn.ExecContext(ctx, "INSERT INTO m VALUES (?); INSERT INTO m VALUES (?)", 1, 2, 3)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "left over")
		_, err = conn.ExecContext(ctx, "SELECT ?", 1, 2)
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, CodeRange, e.Code)
		assert.Contains(t, err.Error(), "left over")
	})
	t.Run("missing arguments", func(t *testing.T) {
		_, err := conn.ExecContext(ctx, "INSERT INTO m VALUES (?); INSERT INTO m VALUES (?)", 1)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "not enough arguments")
	})
	t.Run("blank and comment-only text", func(t *testing.T) {
		for _, q := range []string{"", "   ", ";", " ; ; ", "-- nothing", "/* nothing */", "SELECT 1;;", "SELECT 1; -- done"} {
			_, err := conn.ExecContext(ctx, q)
			assert.NoError(t, err, "%q", q)
		}
	})
	t.Run("syntax error in a later statement", func(t *testing.T) {
		_, err := conn.ExecContext(ctx, "DELETE FROM m; SELEC 1")
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, CodeError, e.Code)
		assert.Contains(t, e.Msg, "syntax error")
	})
}

func TestExecOfRowReturningStatements(t *testing.T) {
	db, _ := openTestDB(t, Options{})
	conn := pinConn(t, db)
	ctx := context.Background()

	_, err := conn.ExecContext(ctx, "PRAGMA journal_mode=WAL")
	require.NoError(t, err)
	var mode string
	require.NoError(t, conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode))
	assert.Equal(t, "wal", mode)

	_, err = conn.ExecContext(ctx, "SELECT 1")
	require.NoError(t, err)
	_, err = conn.ExecContext(ctx, "CREATE TABLE r(id INTEGER PRIMARY KEY, v); WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 100) SELECT x FROM c")
	require.NoError(t, err)

	res, err := conn.ExecContext(ctx, "INSERT INTO r(v) VALUES ('a'), ('b') RETURNING id")
	require.NoError(t, err)
	n, _ := res.RowsAffected()
	id, _ := res.LastInsertId()
	assert.Equal(t, int64(2), n)
	assert.Equal(t, int64(2), id)
	assert.Equal(t, int64(2), count(t, conn, "SELECT count(*) FROM r"))

	res, err = conn.ExecContext(ctx, "CREATE TABLE r2(x)")
	require.NoError(t, err)
	n, _ = res.RowsAffected()
	assert.Equal(t, int64(0), n, "DDL changes no rows, whatever ran before")
}

func TestMultiStatementQuery(t *testing.T) {
	db, _ := openTestDB(t, Options{})
	conn := pinConn(t, db)
	ctx := context.Background()

	rows, err := conn.QueryContext(ctx, "CREATE TABLE q(x); INSERT INTO q VALUES (?), (?), (?); SELECT x FROM q WHERE x > ? ORDER BY x; -- end", 1, 2, 3, 1)
	require.NoError(t, err)
	var got []int64
	for rows.Next() {
		var x int64
		require.NoError(t, rows.Scan(&x))
		got = append(got, x)
	}
	require.NoError(t, rows.Err())
	require.NoError(t, rows.Close())
	assert.Equal(t, []int64{2, 3}, got)

	_, err = conn.QueryContext(ctx, "-- nothing to run")
	assert.Error(t, err)

	// A query of a statement without result rows still runs it.
	rows, err = conn.QueryContext(ctx, "INSERT INTO q VALUES (4)")
	require.NoError(t, err)
	require.NoError(t, rows.Close())
	assert.Equal(t, int64(4), count(t, conn, "SELECT count(*) FROM q"))
}

func TestNamedParameters(t *testing.T) {
	db, _ := openTestDB(t, Options{})
	tests := []struct {
		name  string
		query string
		args  []any
		want  string
	}{
		{"colon", "SELECT :a || '-' || :b", []any{sql.Named("a", "x"), sql.Named("b", "y")}, "x-y"},
		{"at", "SELECT @a || '-' || @b", []any{sql.Named("b", "y"), sql.Named("a", "x")}, "x-y"},
		{"dollar", "SELECT $a || '-' || $b", []any{sql.Named("a", "x"), sql.Named("b", "y")}, "x-y"},
		{"repeated name", "SELECT :a || '-' || :a", []any{sql.Named("a", "x")}, "x-x"},
		{"numbered", "SELECT ?2 || '-' || ?1", []any{"x", "y"}, "y-x"},
		{"numbered repeated", "SELECT ?1 || '-' || ?1 || '-' || ?2", []any{"x", "y"}, "x-x-y"},
		{"plain", "SELECT ? || '-' || ?", []any{"x", "y"}, "x-y"},
		{"named and positional", "SELECT :a || '-' || ?", []any{sql.Named("a", "x"), "y"}, "x-y"},
		{"positional fills named slots", "SELECT :a || '-' || :b", []any{"x", "y"}, "x-y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			require.NoError(t, db.QueryRow(tt.query, tt.args...).Scan(&got))
			assert.Equal(t, tt.want, got)
		})
	}

	t.Run("unused named argument", func(t *testing.T) {
		var got string
		err := db.QueryRow("SELECT :a", sql.Named("a", "x"), sql.Named("zzz", 1)).Scan(&got)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "zzz")
	})
	t.Run("named arguments across statements", func(t *testing.T) {
		_, err := db.Exec("CREATE TABLE n(x, y); INSERT INTO n VALUES (:v, ?); INSERT INTO n VALUES (@v, ?)",
			sql.Named("v", 7), 1, 2)
		require.NoError(t, err)
		assert.Equal(t, int64(2), count(t, db, "SELECT count(*) FROM n WHERE x = 7"))
		assert.Equal(t, int64(3), count(t, db, "SELECT sum(y) FROM n"))
	})
}

func TestResultAndConnMetadata(t *testing.T) {
	db, _ := openTestDB(t, Options{})
	conn := pinConn(t, db)
	ctx := context.Background()
	_, err := conn.ExecContext(ctx, "CREATE TABLE md(id INTEGER PRIMARY KEY, v)")
	require.NoError(t, err)
	res, err := conn.ExecContext(ctx, "INSERT INTO md(id, v) VALUES (10, 'a'), (11, 'b')")
	require.NoError(t, err)
	id, _ := res.LastInsertId()
	n, _ := res.RowsAffected()
	assert.Equal(t, int64(11), id)
	assert.Equal(t, int64(2), n)
	raw(t, conn, func(c *Conn) {
		assert.Equal(t, int64(11), c.LastInsertRowID())
		assert.Equal(t, int64(2), c.Changes())
		assert.Equal(t, int64(2), c.TotalChanges())
		assert.True(t, c.Autocommit())
	})
	_, err = conn.ExecContext(ctx, "BEGIN; UPDATE md SET v = 'c'")
	require.NoError(t, err)
	raw(t, conn, func(c *Conn) {
		assert.False(t, c.Autocommit())
		assert.Equal(t, int64(2), c.Changes())
		assert.Equal(t, int64(4), c.TotalChanges())
	})
	_, err = conn.ExecContext(ctx, "COMMIT")
	require.NoError(t, err)
}

func TestColumnTypes(t *testing.T) {
	db, _ := openTestDB(t, Options{})
	_, err := db.Exec("CREATE TABLE ct(a integer NOT NULL, b varchar(10), c datetime, d blob, e real, f boolean, g)")
	require.NoError(t, err)
	_, err = db.Exec("INSERT INTO ct VALUES (1, 'x', NULL, NULL, 1.5, 1, 'z')")
	require.NoError(t, err)
	rows, err := db.Query("SELECT a, b, c, d, e, f, g, a + 1 AS expr FROM ct")
	require.NoError(t, err)
	defer rows.Close()
	cols, err := rows.ColumnTypes()
	require.NoError(t, err)
	wantNames := []string{"INTEGER", "VARCHAR(10)", "DATETIME", "BLOB", "REAL", "BOOLEAN", "", ""}
	wantScan := []any{sql.NullInt64{}, sql.NullString{}, sql.NullTime{}, sql.RawBytes{}, sql.NullFloat64{}, sql.NullBool{}, nil, nil}
	for i, ct := range cols {
		assert.Equal(t, wantNames[i], ct.DatabaseTypeName(), ct.Name())
		if wantScan[i] != nil {
			assert.Equal(t, reflectTypeOf(wantScan[i]), ct.ScanType(), ct.Name())
		} else {
			assert.Equal(t, reflect.TypeFor[any](), ct.ScanType(), ct.Name())
		}
	}
	nullable, ok := cols[0].Nullable()
	assert.True(t, ok)
	assert.False(t, nullable)
	nullable, ok = cols[1].Nullable()
	assert.True(t, ok)
	assert.True(t, nullable)
	_, ok = cols[7].Nullable()
	assert.False(t, ok)
	names, err := rows.Columns()
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "c", "d", "e", "f", "g", "expr"}, names)
}

func TestSchemaChangeRefreshesCachedColumns(t *testing.T) {
	db, _ := openTestDB(t, Options{})
	conn := pinConn(t, db)
	ctx := context.Background()
	_, err := conn.ExecContext(ctx, "CREATE TABLE sc(a INTEGER); INSERT INTO sc VALUES (1)")
	require.NoError(t, err)

	columns := func() ([]string, []any) {
		rows, err := conn.QueryContext(ctx, "SELECT * FROM sc")
		require.NoError(t, err)
		defer rows.Close()
		names, err := rows.Columns()
		require.NoError(t, err)
		vals := make([]any, len(names))
		ptrs := make([]any, len(names))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.True(t, rows.Next())
		require.NoError(t, rows.Scan(ptrs...))
		return names, vals
	}
	names, vals := columns()
	assert.Equal(t, []string{"a"}, names)
	assert.Equal(t, []any{int64(1)}, vals)
	before := prepares(t, conn)

	_, err = conn.ExecContext(ctx, "ALTER TABLE sc ADD COLUMN b DATETIME DEFAULT '2024-01-01'")
	require.NoError(t, err)
	names, vals = columns()
	assert.Equal(t, []string{"a", "b"}, names)
	require.Len(t, vals, 2)
	assert.Equal(t, before+1, prepares(t, conn), "the cached SELECT is reused, only ALTER TABLE compiled")
	assert.IsType(t, timeZero, vals[1], "the new column's declared type is used")
}
