package native

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// openTestDB opens a database in a fresh file of t.TempDir.
func openTestDB(t *testing.T, opts Options) (*sql.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	return openTestDBAt(t, path, opts), path
}

func openTestDBAt(t *testing.T, path string, opts Options) *sql.DB {
	t.Helper()
	c, err := NewConnector(path, opts)
	require.NoError(t, err)
	db := sql.OpenDB(c)
	t.Cleanup(func() { db.Close() })
	require.NoError(t, db.Ping())
	return db
}

// pinConn returns one connection of db, closed at the end of the test.
func pinConn(t *testing.T, db *sql.DB) *sql.Conn {
	t.Helper()
	conn, err := db.Conn(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return conn
}

// raw runs fn on the driver connection behind conn.
func raw(t *testing.T, conn *sql.Conn, fn func(c *Conn)) {
	t.Helper()
	require.NoError(t, conn.Raw(func(dc any) error {
		fn(dc.(*Conn))
		return nil
	}))
}

// prepares returns how many statements conn's driver connection compiled.
func prepares(t *testing.T, conn *sql.Conn) int {
	t.Helper()
	var n int
	raw(t, conn, func(c *Conn) { n = c.prepares })
	return n
}

func count(t *testing.T, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, query string, args ...any) int64 {
	t.Helper()
	var n int64
	require.NoError(t, q.QueryRowContext(context.Background(), query, args...).Scan(&n))
	return n
}

var timeZero = time.Time{}

func reflectTypeOf(v any) reflect.Type { return reflect.TypeOf(v) }
