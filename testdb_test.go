package libsql_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gorm-libsql/libsql"
	"github.com/gorm-libsql/libsql/internal/sqldtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	sqldtest.StopShared()
	os.Exit(code)
}

// mode is one way of reaching a database. The conformance tests run once per
// mode; remote and replica modes join this list as they are built.
type mode struct {
	name string
	// dialector returns a dialector for a new, empty database.
	dialector func(t *testing.T) gorm.Dialector
}

var modes = []mode{
	{name: "local", dialector: func(t *testing.T) gorm.Dialector {
		return libsql.Open(filepath.Join(t.TempDir(), "test.db"))
	}},
	{name: "remote", dialector: func(t *testing.T) gorm.Dialector {
		srv := sqldtest.Shared(t)
		emptyRemote(t, srv)
		return libsql.New(libsql.Config{URL: srv.URL()})
	}},
	{name: "replica", dialector: func(t *testing.T) gorm.Dialector {
		// A server of its own: a new replica syncs the primary's whole
		// history, which a shared server would grow test after test.
		srv := sqldtest.Start(t, sqldtest.Options{})
		return libsql.New(libsql.Config{Database: filepath.Join(t.TempDir(), "replica.db"), URL: srv.URL()})
	}},
}

// emptyRemote drops every table, view and trigger of the shared server's
// database, so each test starts from an empty one.
func emptyRemote(t *testing.T, srv *sqldtest.Server) {
	t.Helper()
	stmts := []string{"PRAGMA foreign_keys = OFF"}
	for _, row := range srv.Query(t, "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view', 'trigger') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE 'libsql\\_%' ESCAPE '\\'") {
		stmts = append(stmts, fmt.Sprintf("DROP %s IF EXISTS \"%s\"", row[0], row[1]))
	}
	srv.Exec(t, stmts...)
}

// forEachMode runs fn as a subtest per mode with a new, empty database,
// and again with GORM's PrepareStmt (statements prepared once and kept
// across the pool: each mode's driver.Stmt path).
func forEachMode(t *testing.T, fn func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	for _, m := range modes {
		for _, prepare := range []bool{false, true} {
			name := m.name
			if prepare {
				name += "-prepared"
			}
			t.Run(name, func(t *testing.T) {
				fn(t, openDB(t, m.dialector(t), &gorm.Config{TranslateError: true, PrepareStmt: prepare}))
			})
		}
	}
}

// openDB opens d with config (quiet logging unless config sets a logger)
// and closes it when the test ends.
func openDB(t *testing.T, d gorm.Dialector, config *gorm.Config) *gorm.DB {
	t.Helper()
	if config == nil {
		config = &gorm.Config{}
	}
	if config.Logger == nil {
		config.Logger = logger.Discard
	}
	db, err := gorm.Open(d, config)
	require.NoError(t, err)
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			_ = sqlDB.Close()
		}
	})
	return db
}
