package hrana

import (
	"database/sql"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gorm-libsql/libsql/internal/sqldtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	sqldtest.StopShared()
	os.Exit(code)
}

var tableSeq atomic.Int64

// table returns a table name unique in the shared server.
func table(prefix string) string {
	return fmt.Sprintf("%s_%d_%d", prefix, os.Getpid(), tableSeq.Add(1))
}

// open returns a database on url; closed at the end of the test.
func open(t *testing.T, url string, opts Options) *sql.DB {
	t.Helper()
	c, err := NewConnector(url, opts)
	require.NoError(t, err)
	db := sql.OpenDB(c)
	t.Cleanup(func() { db.Close() })
	return db
}

// shared returns a database on the shared test server.
func shared(t *testing.T) *sql.DB {
	t.Helper()
	return open(t, sqldtest.Shared(t).URL(), Options{})
}

// counted returns a database with one connection behind a counting proxy
// to the shared server.
func counted(t *testing.T, opts Options) (*sql.DB, *sqldtest.Proxy) {
	t.Helper()
	p := sqldtest.Shared(t).Proxy(t)
	db := open(t, p.URL(), opts)
	db.SetMaxOpenConns(1)
	return db, p
}

// noSecret fails when err's text contains one of secrets.
func noSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("error contains a secret: %v", err)
		}
	}
}

func sharedURL(t *testing.T) string { return sqldtest.Shared(t).URL() }
