package native

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func benchDB(b *testing.B) *sql.DB {
	b.Helper()
	c, err := NewConnector(b.TempDir()+"/bench.db", Options{Init: []string{"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL"}})
	require.NoError(b, err)
	db := sql.OpenDB(c)
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkQuery1000Rows reads 1000 rows of a typical GORM model table.
func BenchmarkQuery1000Rows(b *testing.B) {
	db := benchDB(b)
	_, err := db.Exec(`CREATE TABLE users(id INTEGER PRIMARY KEY, created_at DATETIME, updated_at DATETIME, deleted_at DATETIME,
		name TEXT, email TEXT, age INTEGER, active BOOLEAN, score REAL)`)
	require.NoError(b, err)
	tx, err := db.Begin()
	require.NoError(b, err)
	now := time.Now()
	for i := range 1000 {
		_, err := tx.Exec("INSERT INTO users(created_at, updated_at, deleted_at, name, email, age, active, score) VALUES (?, ?, NULL, ?, ?, ?, ?, ?)",
			now, now, "user name", "user@example.com", i, i%2 == 0, 1.5)
		require.NoError(b, err)
	}
	require.NoError(b, tx.Commit())
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rows, err := db.QueryContext(ctx, "SELECT * FROM users WHERE deleted_at IS NULL")
		if err != nil {
			b.Fatal(err)
		}
		var (
			id, age          int64
			created, updated time.Time
			deleted          sql.NullTime
			name, email      string
			active           bool
			score            float64
		)
		for rows.Next() {
			if err := rows.Scan(&id, &created, &updated, &deleted, &name, &email, &age, &active, &score); err != nil {
				b.Fatal(err)
			}
		}
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
		rows.Close()
	}
}

// BenchmarkInsert inserts one row per iteration.
func BenchmarkInsert(b *testing.B) {
	db := benchDB(b)
	_, err := db.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, n INTEGER, at DATETIME)")
	require.NoError(b, err)
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := db.Exec("INSERT INTO t(name, n, at) VALUES (?, ?, ?)", "name", 42, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPointQuery compares a query by primary key through db.QueryRow
// (statement cache) and through a prepared sql.Stmt.
func BenchmarkPointQuery(b *testing.B) {
	db := benchDB(b)
	_, err := db.Exec("CREATE TABLE p(id INTEGER PRIMARY KEY, name TEXT, at DATETIME); WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 1000) INSERT INTO p SELECT x, 'name', '2024-01-01 00:00:00+00:00' FROM c")
	require.NoError(b, err)
	const q = "SELECT id, name, at FROM p WHERE id = ?"
	var (
		id   int64
		name string
		at   time.Time
	)
	b.Run("direct", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			if err := db.QueryRow(q, i%1000+1).Scan(&id, &name, &at); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("prepared", func(b *testing.B) {
		st, err := db.Prepare(q)
		require.NoError(b, err)
		defer st.Close()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			if err := st.QueryRow(i%1000+1).Scan(&id, &name, &at); err != nil {
				b.Fatal(err)
			}
		}
	})
}
