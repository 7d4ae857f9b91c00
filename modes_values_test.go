package libsql_test

import (
	"bytes"
	"database/sql"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/gorm-libsql/libsql"
	"github.com/gorm-libsql/libsql/internal/sqldtest"
)

// TestModesAgreeOnValues writes the same values into columns of many
// declared types in every mode, reads them back through database/sql, and
// requires the remote and replica modes to return what the local mode
// returns: the same Go value and the same storage class.
func TestModesAgreeOnValues(t *testing.T) {
	decls := []string{"", "INTEGER", "INT", "BIGINT", "REAL", "FLOAT", "DOUBLE", "TEXT", "VARCHAR(20)", "CLOB",
		"BLOB", "NUMERIC", "DECIMAL(10,2)", "BOOLEAN", "BOOL", "DATETIME", "TIMESTAMP", "DATE", "JSON"}
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	values := []any{
		nil, int64(0), int64(-1), int64(42), int64(math.MaxInt64), int64(math.MinInt64),
		0.5, -1e300, 1e-300, 3.0,
		"", "abc", "12", " 42 ", "1.5", "1e3", "0x10", "true", "2024-01-01", "2024-01-01 10:00:00",
		"2024-01-01T10:00:00Z", "2024-01-01 10:00:00.123456789+05:30", "héllo wörld ✓", strings.Repeat("x", 5000),
		[]byte{}, []byte("abc"), []byte{0, 1, 2, 255}, true, false,
		time.Date(2024, 2, 29, 23, 59, 59, 123456789, time.UTC), time.Date(2001, 1, 2, 3, 4, 5, 0, zone),
	}

	srv := sqldtest.Start(t, sqldtest.Options{})
	dir := t.TempDir()
	dbs := []struct {
		name string
		db   *sql.DB
	}{
		{"local", sqlDB(t, libsql.Open(filepath.Join(dir, "values.db")))},
		{"remote", sqlDB(t, libsql.New(libsql.Config{URL: srv.URL()}))},
		{"replica", sqlDB(t, libsql.New(libsql.Config{Database: filepath.Join(dir, "replica.db"), URL: srv.URL()}))},
	}
	cols := make([]string, len(decls))
	for i, d := range decls {
		cols[i] = fmt.Sprintf("c%d %s", i, d)
	}
	create := "CREATE TABLE vals (id INTEGER PRIMARY KEY, " + strings.Join(cols, ", ") + ")"
	_, err := dbs[0].db.Exec(create)
	require.NoError(t, err)
	_, err = dbs[1].db.Exec(create) // the remote database, which the replica follows
	require.NoError(t, err)

	marks := strings.TrimSuffix(strings.Repeat("?, ", len(decls)), ", ")
	insert := "INSERT INTO vals VALUES (?, " + marks + ")"
	for i, v := range values {
		args := []any{i + 1}
		for range decls {
			args = append(args, v)
		}
		_, err := dbs[0].db.Exec(insert, args...)
		require.NoError(t, err, "local %#v", v)
		_, err = dbs[2].db.Exec(insert, args...) // through the replica to the primary
		require.NoError(t, err, "replica %#v", v)
	}

	var typeofs []string
	for i := range decls {
		typeofs = append(typeofs, fmt.Sprintf("typeof(c%d)", i))
	}
	query := "SELECT *, " + strings.Join(typeofs, ", ") + " FROM vals ORDER BY id"
	read := func(db interface {
		Query(string, ...any) (*sql.Rows, error)
	}) [][]any {
		rows, err := db.Query(query)
		require.NoError(t, err)
		defer rows.Close()
		n, err := rows.Columns()
		require.NoError(t, err)
		var out [][]any
		for rows.Next() {
			row := make([]any, len(n))
			ptrs := make([]any, len(n))
			for i := range row {
				ptrs[i] = &row[i]
			}
			require.NoError(t, rows.Scan(ptrs...))
			out = append(out, row)
		}
		require.NoError(t, rows.Err())
		return out
	}
	want := read(dbs[0].db)
	require.Len(t, want, len(values))
	// In a transaction the replica reads on the primary, through libsql.
	replicaTx, err := dbs[2].db.Begin()
	require.NoError(t, err)
	defer replicaTx.Rollback()
	readers := []struct {
		name string
		db   interface {
			Query(string, ...any) (*sql.Rows, error)
		}
	}{{"remote", dbs[1].db}, {"replica", dbs[2].db}, {"replica in a transaction", replicaTx}}
	for _, m := range readers {
		got := read(m.db)
		require.Len(t, got, len(values), m.name)
		diffs := 0
		for r := range want {
			for c := range want[r] {
				if !sameValue(want[r][c], got[r][c]) {
					diffs++
					col := "id"
					if c > 0 && c <= len(decls) {
						col = fmt.Sprintf("%q column", decls[c-1])
					} else if c > len(decls) {
						col = fmt.Sprintf("typeof of %q column", decls[c-1-len(decls)])
					}
					t.Errorf("%s: value %#v, %s: local read %#v (%T), %s read %#v (%T)",
						m.name, values[r], col, want[r][c], want[r][c], m.name, got[r][c], got[r][c])
				}
			}
		}
		t.Logf("%s: %d values x %d declared types compared, %d differences", m.name, len(values), len(decls), diffs)
	}

	// Infinities: the remote mode cannot carry them (Hrana's JSON writes
	// null) and says so instead of reading NULL.
	_, err = dbs[2].db.Exec("CREATE TABLE infs (id INTEGER PRIMARY KEY, r REAL)")
	require.NoError(t, err)
	_, err = dbs[2].db.Exec("INSERT INTO infs (r) VALUES (?), (?)", math.Inf(1), math.Inf(-1))
	require.NoError(t, err)
	var f float64
	require.NoError(t, dbs[2].db.QueryRow("SELECT r FROM infs WHERE id = 2").Scan(&f))
	assert.True(t, math.IsInf(f, -1), "the replica reads -Inf locally")
	err = dbs[1].db.QueryRow("SELECT r FROM infs WHERE id = 2").Scan(&f)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "infinite REAL")
	var s string
	require.NoError(t, dbs[1].db.QueryRow("SELECT CAST(r AS TEXT) FROM infs WHERE id = 2").Scan(&s))
	assert.Equal(t, "-Inf", s, "the workaround the error suggests")
	_, err = dbs[1].db.Exec("INSERT INTO infs (r) VALUES (?)", math.Inf(1))
	require.Error(t, err, "nor can the remote mode write one")
}

func sameValue(a, b any) bool {
	switch a := a.(type) {
	case time.Time:
		b, ok := b.(time.Time)
		return ok && a.Equal(b) && a.Location().String() == b.Location().String()
	case []byte:
		b, ok := b.([]byte)
		return ok && bytes.Equal(a, b)
	case float64:
		b, ok := b.(float64)
		return ok && (a == b || math.IsNaN(a) && math.IsNaN(b))
	}
	return a == b
}

// sqlDB opens d through GORM and returns its *sql.DB, closed with the test.
func sqlDB(t *testing.T, d gorm.Dialector) *sql.DB {
	t.Helper()
	db, err := openDB(t, d, nil).DB()
	require.NoError(t, err)
	return db
}
