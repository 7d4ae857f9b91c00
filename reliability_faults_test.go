package libsql_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gorm-libsql/libsql"
	"github.com/gorm-libsql/libsql/internal/sqldtest"
)

type ftEntry struct {
	ID   uint
	Name string
}

// ftNames returns the names in ft_entries, read on the server itself.
func ftNames(t *testing.T, srv *sqldtest.Server) []string {
	t.Helper()
	var names []string
	for _, r := range srv.Query(t, "SELECT name FROM ft_entries ORDER BY id") {
		names = append(names, r[0].(string))
	}
	return names
}

// TestReliabilityServerStoppedMidTransaction stops sqld inside a GORM
// transaction, remote and through an embedded replica: the transaction fails
// with an error that says what happened, nothing of it is applied, and the
// same *gorm.DB works again once the server is back.
func TestReliabilityServerStoppedMidTransaction(t *testing.T) {
	for _, m := range []string{"remote", "replica"} {
		t.Run(m, func(t *testing.T) {
			srv := sqldtest.Start(t, sqldtest.Options{})
			cfg := libsql.Config{URL: srv.URL()}
			if m == "replica" {
				cfg.Database = filepath.Join(t.TempDir(), "replica.db")
			}
			db := openDB(t, libsql.New(cfg), &gorm.Config{TranslateError: true})
			require.NoError(t, db.AutoMigrate(&ftEntry{}))
			require.NoError(t, db.Create(&ftEntry{Name: "before"}).Error)

			steps := []struct {
				name string
				// when stops the server inside the transaction: before its
				// second statement, or before COMMIT.
				beforeCommit bool
			}{{"between statements", false}, {"before commit", true}}
			for _, step := range steps {
				start := time.Now()
				err := db.Transaction(func(tx *gorm.DB) error {
					if err := tx.Create(&ftEntry{Name: "half " + step.name}).Error; err != nil {
						return fmt.Errorf("first statement: %w", err)
					}
					srv.Stop()
					if step.beforeCommit {
						return nil
					}
					return tx.Create(&ftEntry{Name: "second " + step.name}).Error
				})
				require.Error(t, err, step.name)
				assert.Less(t, time.Since(start), 15*time.Second, "%s: fails within a bounded time", step.name)
				t.Logf("%s: %v", step.name, err)
				if m == "remote" {
					assert.Contains(t, err.Error(), srv.Addr(), "%s: the error names the server", step.name)
				} else {
					assert.ErrorIs(t, err, libsql.ErrPrimaryUnavailable, step.name)
				}
				assert.NotErrorIs(t, err, gorm.ErrDuplicatedKey)

				srv.Restart(t)
				assert.Equal(t, []string{"before"}, ftNames(t, srv), "%s: nothing of the transaction was applied", step.name)
			}

			eventually(t, func() bool { return db.Create(&ftEntry{Name: "after"}).Error == nil }, "writes never worked again")
			assert.Equal(t, []string{"before", "after"}, ftNames(t, srv))
			if m == "replica" {
				_, err := libsql.Sync(db)
				require.NoError(t, err)
			}
			var names []string
			require.NoError(t, db.Model(&ftEntry{}).Order("id").Pluck("name", &names).Error)
			assert.Equal(t, []string{"before", "after"}, names, "the client sees the same")
		})
	}
}

// errorLog is a GORM logger that records Error calls (background sync
// failures go there).
type errorLog struct {
	logger.Interface
	mu   sync.Mutex
	msgs []string
}

func (l *errorLog) Error(_ context.Context, format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, fmt.Sprintf(format, args...))
}

func (l *errorLog) LogMode(logger.LogLevel) logger.Interface { return l }

func (l *errorLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.msgs)
}

// TestReliabilityRestartDuringBackgroundSync restarts sqld while an
// embedded replica syncs in the background: failed syncs are logged, local
// reads go on, and syncing resumes by itself when the server is back.
func TestReliabilityRestartDuringBackgroundSync(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	srv.Exec(t, "CREATE TABLE ft_entries (id integer PRIMARY KEY AUTOINCREMENT, name text)", "INSERT INTO ft_entries (name) VALUES ('one')")
	log := &errorLog{Interface: logger.Discard}
	db := openDB(t, libsql.New(libsql.Config{
		Database: filepath.Join(t.TempDir(), "replica.db"), URL: srv.URL(), SyncInterval: 50 * time.Millisecond,
	}), &gorm.Config{Logger: log})
	names := func() []string {
		var names []string
		require.NoError(t, db.Model(&ftEntry{}).Order("id").Pluck("name", &names).Error)
		return names
	}
	srv.Exec(t, "INSERT INTO ft_entries (name) VALUES ('two')")
	eventually(t, func() bool { return len(names()) == 2 }, "background sync never brought 'two'")

	srv.Stop()
	eventually(t, func() bool { return log.count() > 0 }, "a failed background sync was not logged")
	assert.Equal(t, []string{"one", "two"}, names(), "local reads go on while the primary is down")

	srv.Restart(t)
	srv.Exec(t, "INSERT INTO ft_entries (name) VALUES ('three')")
	eventually(t, func() bool { return len(names()) == 3 }, "background sync did not resume after the restart")
	assert.Equal(t, []string{"one", "two", "three"}, names())

	// And once more with a crash (SIGKILL) instead of a clean stop.
	srv.Kill()
	time.Sleep(200 * time.Millisecond) // a few failing intervals
	srv.Restart(t)
	srv.Exec(t, "INSERT INTO ft_entries (name) VALUES ('four')")
	eventually(t, func() bool { return len(names()) == 4 }, "background sync did not resume after a crash")
}

// TestReliabilitySlowServer puts a proxy that delays every request in front
// of sqld: a context deadline ends a remote query or transaction promptly
// with a deadline error, and a write abandoned that way is not applied.
func TestReliabilitySlowServer(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	proxy := srv.Proxy(t)
	db := openDB(t, libsql.New(libsql.Config{URL: proxy.URL()}), nil)
	require.NoError(t, db.AutoMigrate(&ftEntry{}))
	require.NoError(t, db.Create(&ftEntry{Name: "fast"}).Error)

	const delay = 2 * time.Second
	proxy.SetDelay(delay)
	ops := []struct {
		name string
		op   func(tx *gorm.DB) error
		// matchable: errors.Is(err, context.DeadlineExceeded). A write in
		// GORM's default transaction is not: database/sql rolls the
		// transaction back when the context ends, GORM's own Rollback then
		// fails with sql.ErrTxDone, and GORM's AddError joins the two
		// errors with "%v; %w", keeping only the second one's chain. The
		// text still says "context deadline exceeded".
		matchable bool
	}{
		{"query", func(tx *gorm.DB) error { return tx.Find(&[]ftEntry{}).Error }, true},
		{"write in GORM's default transaction", func(tx *gorm.DB) error { return tx.Create(&ftEntry{Name: "slow write"}).Error }, false},
		{"write without default transaction", func(tx *gorm.DB) error {
			return tx.Session(&gorm.Session{SkipDefaultTransaction: true}).Create(&ftEntry{Name: "slow single write"}).Error
		}, true},
		{"transaction", func(tx *gorm.DB) error {
			return tx.Transaction(func(tx *gorm.DB) error { return tx.Create(&ftEntry{Name: "slow tx"}).Error })
		}, true},
	}
	for _, o := range ops {
		t.Run(o.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
			defer cancel()
			start := time.Now()
			err := o.op(db.WithContext(ctx))
			elapsed := time.Since(start)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "context deadline exceeded")
			if o.matchable {
				assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
			}
			assert.Less(t, elapsed, time.Second, "returns promptly, not after the server's delay")
		})
	}
	time.Sleep(delay + 500*time.Millisecond) // past every delayed request
	proxy.SetDelay(0)
	assert.Equal(t, []string{"fast"}, ftNames(t, srv), "abandoned writes are not applied")
	var n int64
	require.NoError(t, db.Model(&ftEntry{}).Count(&n).Error, "the pool works normally again")
	assert.EqualValues(t, 1, n)
}

// TestReliabilityLostResponse runs writes whose request reaches the server
// but whose answer is lost (the connection drops), remote and through an
// embedded replica: the write ran. The error must say that it may have run,
// and nothing may run it a second time (database/sql retries statements
// that fail with driver.ErrBadConn; libsql could retry too).
func TestReliabilityLostResponse(t *testing.T) {
	modes := []struct {
		name, path string // path: the requests that carry statements
		config     func(url string) libsql.Config
	}{
		{"remote", "/v3/pipeline", func(url string) libsql.Config { return libsql.Config{URL: url} }},
		{"replica", "/proxy.Proxy/Execute", func(url string) libsql.Config {
			return libsql.Config{URL: url, Database: filepath.Join(t.TempDir(), "lost.db")}
		}},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			srv := sqldtest.Start(t, sqldtest.Options{})
			proxy := srv.Proxy(t)
			db := openDB(t, libsql.New(m.config(proxy.URL())), nil)
			require.NoError(t, db.AutoMigrate(&ftEntry{}))
			ops := []struct {
				name string
				op   func() error
			}{
				{"single write", func() error {
					proxy.DropResponsesTo(m.path, 1)
					return db.Session(&gorm.Session{SkipDefaultTransaction: true}).Create(&ftEntry{Name: "single write"}).Error
				}},
				{"commit of GORM's default transaction", func() error {
					// The answer to COMMIT is lost, after the INSERT went through.
					cb := db.Callback().Create()
					require.NoError(t, cb.Before("gorm:commit_or_rollback_transaction").Register("test:lose_commit_answer",
						func(*gorm.DB) { proxy.DropResponsesTo(m.path, 1) }))
					defer cb.Remove("test:lose_commit_answer")
					return db.Create(&ftEntry{Name: "commit of GORM's default transaction"}).Error
				}},
				{"raw statement", func() error {
					proxy.DropResponsesTo(m.path, 1)
					return db.Exec("INSERT INTO ft_entries (name) VALUES ('raw statement')").Error
				}},
			}
			for _, o := range ops {
				t.Run(o.name, func(t *testing.T) {
					err := o.op()
					proxy.DropResponses(0)
					require.Error(t, err)
					t.Logf("error: %v", err)
					assert.Contains(t, err.Error(), "may have run")
					assert.Contains(t, ftNames(t, srv), o.name, "the write ran on the server")
					if m.name == "replica" {
						_, err := libsql.Sync(db)
						require.NoError(t, err)
					}
					var n int64
					require.NoError(t, db.Model(&ftEntry{}).Where("name = ?", o.name).Count(&n).Error, "the same *gorm.DB works on")
					assert.EqualValues(t, 1, n, "the write ran exactly once")
				})
			}
		})
	}
}
