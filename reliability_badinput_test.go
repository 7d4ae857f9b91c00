package libsql_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gorm-libsql/libsql"
	"github.com/gorm-libsql/libsql/internal/sqldtest"
)

// Secrets that appear in the bad inputs below; no error may contain them.
const (
	biKey      = "bad-input-encryption-key-0123456789abcdef"
	biWrongKey = "wrong-encryption-key-for-this-file-0123456789"
	biShortKey = "short-secret-key"
	biToken    = "eyJhbGciOiJFZERTQSJ9.bad-input-token.c2lnbmF0dXJl"
	biPassword = "p4ssw0rd-in-the-url"
)

// clearError is what a bad input must produce: an error (in bounded time,
// without a panic) that matches is, names the problem (every string of
// names, case-insensitively) and contains none of the secrets.
type clearError struct {
	is      []error
	names   []string
	secrets []string
}

func (c clearError) check(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	t.Logf("error: %v", err)
	for _, target := range c.is {
		assert.True(t, errors.Is(err, target), "errors.Is(err, %v) is false for %v", target, err)
	}
	for _, s := range c.names {
		assert.Contains(t, strings.ToLower(err.Error()), strings.ToLower(s), "the error names the problem")
	}
	for _, s := range append(c.secrets, biKey, biWrongKey, biShortKey, biToken, biPassword) {
		assert.NotContains(t, err.Error(), s, "the error shows a secret")
	}
}

// openErr runs gorm.Open and returns its error, closing the pool if it
// opened; it fails the test when Open takes longer than within.
func openErr(t *testing.T, d gorm.Dialector, within time.Duration) error {
	t.Helper()
	start := time.Now()
	db, err := gorm.Open(d, &gorm.Config{Logger: logger.Discard})
	assert.Less(t, time.Since(start), within, "gorm.Open returns within a bounded time")
	if err == nil {
		if sqlDB, e := db.DB(); e == nil {
			_ = sqlDB.Close()
		}
	}
	return err
}

// biVictim is a table the injection attempts below try to drop.
type biVictim struct {
	ID   uint
	Name string
}

// biWeird has a table name and a column name full of quote characters and
// SQL; GORM must quote them, never run them.
type biWeird struct {
	ID    uint
	Value string "gorm:\"column:va`l\\\"u'e [x]\""
}

const biWeirdTable = "we`ird\"tab'le]; DROP TABLE bi_victims; --"

func (biWeird) TableName() string { return biWeirdTable }

// biWeird2 is biWeird with one more column and the first one's type changed:
// AutoMigrate adds a column and rebuilds the table.
type biWeird2 struct {
	ID    uint
	Value int64  "gorm:\"column:va`l\\\"u'e [x]\""
	Extra string "gorm:\"column:ex'tra`\\\\; DROP TABLE bi_victims\""
}

func (biWeird2) TableName() string { return biWeirdTable }

// biNote stores the values of the injection row.
type biNote struct {
	ID   uint
	Body string
}

// biWide has three columns for the many-parameters row.
type biWide struct {
	ID uint
	A  string
	B  int
	C  float64
}

func tableNames(t *testing.T, db *gorm.DB) []string {
	t.Helper()
	var names []string
	require.NoError(t, db.Raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE 'libsql\\_%' ESCAPE '\\' ORDER BY name").Scan(&names).Error)
	return names
}

// TestReliabilityBadInput is the table of hostile and mistaken inputs of
// docs/reliability.md: each row gets a clear error naming the problem, or
// the right result, never a panic, and no secret in any error.
func TestReliabilityBadInput(t *testing.T) {
	dir := t.TempDir()
	authSrv := sqldtest.Start(t, sqldtest.Options{Auth: true})

	// A local file and an encrypted one for the rows that need one.
	plainPath := filepath.Join(dir, "plain.db")
	plain := openDB(t, libsql.Open(plainPath), nil)
	require.NoError(t, plain.AutoMigrate(&biNote{}))
	require.NoError(t, plain.Create(&biNote{Body: "existing"}).Error)
	encPath := filepath.Join(dir, "enc.db")
	enc := openDB(t, libsql.New(libsql.Config{Database: encPath, EncryptionKey: biKey}), nil)
	require.NoError(t, enc.AutoMigrate(&biNote{}))
	closeDB(t, enc)

	rows := []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"malformed DSN: bad escape in a local parameter", func(t *testing.T) {
			clearError{is: []error{libsql.ErrInvalidDSN}, names: []string{"malformed DSN parameters"}}.
				check(t, openErr(t, libsql.Open(plainPath+"?encryptionKey="+biKey+"&busy_timeout=%zz"), time.Second))
		}},
		{"malformed DSN: bad escape in a remote parameter", func(t *testing.T) {
			clearError{is: []error{libsql.ErrInvalidDSN}, names: []string{"malformed DSN parameters"}}.
				check(t, openErr(t, libsql.Open("libsql://db.example.com?authToken="+biToken+"&syncInterval=%zz"), time.Second))
		}},
		{"malformed DSN: '?' typed for '&' before a secret", func(t *testing.T) {
			clearError{is: []error{libsql.ErrInvalidDSN}, names: []string{"busy_timeout", "not a duration"}}.
				check(t, openErr(t, libsql.Open(plainPath+"?busy_timeout=5s?encryptionKey="+biKey), time.Second))
			clearError{is: []error{libsql.ErrInvalidDSN}, names: []string{"sync", "not a boolean"}}.
				check(t, openErr(t, libsql.Open("libsql://db.example.com?sync=true?authToken="+biToken), time.Second))
		}},
		{"malformed DSN: no host", func(t *testing.T) {
			clearError{is: []error{libsql.ErrInvalidDSN}, names: []string{"malformed URL"}}.
				check(t, openErr(t, libsql.Open("libsql://?authToken="+biToken), time.Second))
		}},
		{"malformed DSN: bad port", func(t *testing.T) {
			clearError{is: []error{libsql.ErrInvalidDSN}, names: []string{"malformed URL"}}.
				check(t, openErr(t, libsql.Open("libsql://"+biPassword+"@db.example.com:port?authToken="+biToken), time.Second))
		}},
		{"malformed DSN: a fragment that would swallow the token", func(t *testing.T) {
			clearError{is: []error{libsql.ErrInvalidDSN}, names: []string{"fragment is not allowed"}}.
				check(t, openErr(t, libsql.Open("libsql://db.example.com#x?authToken="+biToken), time.Second))
		}},
		{"unknown DSN parameter: local", func(t *testing.T) {
			clearError{is: []error{libsql.ErrInvalidDSN}, names: []string{`unknown DSN parameter "cache_size"`}}.
				check(t, openErr(t, libsql.Open(plainPath+"?encryptionKey="+biKey+"&cache_size=10"), time.Second))
		}},
		{"unknown DSN parameter: remote", func(t *testing.T) {
			clearError{is: []error{libsql.ErrInvalidDSN}, names: []string{`unknown DSN parameter "auth_token"`}}.
				check(t, openErr(t, libsql.Open("libsql://db.example.com?auth_token="+biToken), time.Second))
		}},
		{"empty path: DSN", func(t *testing.T) {
			clearError{is: []error{libsql.ErrInvalidDSN}, names: []string{"empty DSN"}}.check(t, openErr(t, libsql.Open(""), time.Second))
		}},
		{"empty path: Config", func(t *testing.T) {
			clearError{is: []error{libsql.ErrInvalidDSN}, names: []string{"Config.Database is empty"}}.
				check(t, openErr(t, libsql.New(libsql.Config{Database: "  ", EncryptionKey: biKey}), time.Second))
		}},
		{"a directory as the path", func(t *testing.T) {
			clearError{names: []string{"is a directory", dir}}.check(t, openErr(t, libsql.Open(dir), time.Second))
		}},
		{"a path in a missing directory", func(t *testing.T) {
			missing := filepath.Join(dir, "no-such-dir")
			clearError{names: []string{"does not exist", missing}}.
				check(t, openErr(t, libsql.Open(filepath.Join(missing, "app.db")), time.Second))
			_, err := os.Stat(missing)
			assert.True(t, os.IsNotExist(err), "the directory is not created")
		}},
		{"a read-only file", func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ro.db")
			db := openDB(t, libsql.Open(path), nil)
			require.NoError(t, db.AutoMigrate(&biNote{}))
			require.NoError(t, db.Create(&biNote{Body: "readable"}).Error)
			closeDB(t, db)
			require.NoError(t, os.Chmod(path, 0o444))
			dsn := path
			if f, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
				// Privileged (root): file modes do not stop this process,
				// so the read-only open of a SQLite URI stands in.
				f.Close()
				t.Log("file permissions do not apply to this user; opening with mode=ro instead")
				dsn = "file:" + path + "?mode=ro"
			}
			ro := openDB(t, libsql.Open(dsn), nil)
			var bodies []string
			require.NoError(t, ro.Model(&biNote{}).Pluck("body", &bodies).Error, "a read-only file is readable")
			assert.Equal(t, []string{"readable"}, bodies)
			clearError{names: []string{"attempt to write a readonly database"}}.check(t, ro.Create(&biNote{Body: "denied"}).Error)
		}},
		{"wrong encryption key", func(t *testing.T) {
			clearError{is: []error{libsql.ErrWrongKey}, names: []string{"wrong encryption key"}}.
				check(t, openErr(t, libsql.New(libsql.Config{Database: encPath, EncryptionKey: biWrongKey}), 5*time.Second))
			clearError{is: []error{libsql.ErrWrongKey}, names: []string{"wrong encryption key"}}.
				check(t, openErr(t, libsql.Open(encPath+"?encryptionKey="+biWrongKey), 5*time.Second))
			clearError{is: []error{libsql.ErrWrongKey}, names: []string{"wrong encryption key"}}.
				check(t, openErr(t, libsql.Open(encPath), 5*time.Second))
		}},
		{"too-short encryption key", func(t *testing.T) {
			clearError{is: []error{libsql.ErrInvalidDSN}, names: []string{"encryption key too short"}}.
				check(t, openErr(t, libsql.New(libsql.Config{Database: encPath, EncryptionKey: biShortKey}), time.Second))
			clearError{is: []error{libsql.ErrInvalidDSN}, names: []string{"encryption key too short"}}.
				check(t, openErr(t, libsql.Open(filepath.Join(dir, "new.db")+"?encryptionKey="+biShortKey), time.Second))
			_, err := os.Stat(filepath.Join(dir, "new.db"))
			assert.True(t, os.IsNotExist(err), "no file is created")
		}},
		{"unsupported URL scheme", func(t *testing.T) {
			bad := "postgres://user:" + biPassword + "@db.example.com/app"
			clearError{is: []error{libsql.ErrInvalidDSN}, names: []string{`unsupported URL scheme "postgres"`}}.
				check(t, openErr(t, libsql.Open(bad), time.Second))
			clearError{names: []string{`unsupported URL scheme "postgres"`}}.
				check(t, openErr(t, libsql.New(libsql.Config{URL: bad, AuthToken: biToken}), time.Second))
			clearError{names: []string{`unsupported URL scheme "postgres"`}}.
				check(t, openErr(t, libsql.New(libsql.Config{URL: bad, Database: filepath.Join(t.TempDir(), "r.db")}), time.Second))
		}},
		{"unreachable server", func(t *testing.T) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			addr := l.Addr().String()
			l.Close() // nothing listens there now
			clearError{names: []string{"cannot reach libSQL server " + addr}}.
				check(t, openErr(t, libsql.New(libsql.Config{URL: "http://" + addr, AuthToken: biToken}), 15*time.Second))
			clearError{names: []string{"cannot reach libSQL server " + addr}}.
				check(t, openErr(t, libsql.New(libsql.Config{URL: "http://" + addr, AuthToken: biToken, Database: filepath.Join(t.TempDir(), "r.db")}), 15*time.Second))
		}},
		{"a server that accepts connections and never answers", func(t *testing.T) {
			// Calls with a context deadline end at the deadline
			// (TestReliabilitySlowServer); gorm.Open pings without one,
			// and the driver bounds such a ping (hrana.PingTimeout).
			l, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			defer l.Close()
			go func() { // accept, read, never answer
				for {
					c, err := l.Accept()
					if err != nil {
						return
					}
					go func() { _, _ = c.Read(make([]byte, 1<<16)); <-t.Context().Done(); c.Close() }()
				}
			}()
			done := make(chan error, 1)
			go func() {
				_, err := gorm.Open(libsql.New(libsql.Config{URL: "http://" + l.Addr().String()}), &gorm.Config{Logger: logger.Discard})
				done <- err
			}()
			select {
			case err := <-done:
				clearError{names: []string{l.Addr().String()}}.check(t, err)
			case <-time.After(20 * time.Second):
				t.Fatal("gorm.Open still blocked after 20 s")
			}
		}},
		{"forged token", func(t *testing.T) {
			for _, cfg := range []libsql.Config{{URL: authSrv.URL()}, {URL: authSrv.URL(), Database: filepath.Join(t.TempDir(), "r.db")}} {
				cfg.AuthToken = authSrv.ForgedToken()
				clearError{is: []error{libsql.ErrAuthentication}, names: []string{"authentication failed"}, secrets: []string{cfg.AuthToken}}.
					check(t, openErr(t, libsql.New(cfg), 10*time.Second))
			}
		}},
		{"expired token", func(t *testing.T) {
			for _, cfg := range []libsql.Config{{URL: authSrv.URL()}, {URL: authSrv.URL(), Database: filepath.Join(t.TempDir(), "r.db")}} {
				cfg.AuthToken = authSrv.ExpiredToken()
				clearError{is: []error{libsql.ErrAuthentication}, names: []string{"authentication failed"}, secrets: []string{cfg.AuthToken}}.
					check(t, openErr(t, libsql.New(cfg), 10*time.Second))
			}
		}},
		{"read-only token", func(t *testing.T) {
			full := openDB(t, libsql.New(libsql.Config{URL: authSrv.URL(), AuthToken: authSrv.Token()}), nil)
			require.NoError(t, full.AutoMigrate(&biNote{}))
			for _, cfg := range []libsql.Config{{URL: authSrv.URL()}, {URL: authSrv.URL(), Database: filepath.Join(t.TempDir(), "r.db")}} {
				cfg.AuthToken = authSrv.ReadOnlyToken()
				ro := openDB(t, libsql.New(cfg), nil)
				require.NoError(t, ro.Find(&[]biNote{}).Error, "a read-only token reads")
				ce := clearError{names: []string{"permission"}, secrets: []string{cfg.AuthToken}}
				if cfg.Database == "" {
					ce.is = []error{libsql.ErrPermission}
				}
				ce.check(t, ro.Create(&biNote{Body: "denied"}).Error)
			}
			var n int64
			require.NoError(t, full.Model(&biNote{}).Where("body = ?", "denied").Count(&n).Error)
			assert.Zero(t, n, "nothing was written")
		}},
		{"a value over the server's size limits (remote, replica)", func(t *testing.T) {
			srv := sqldtest.Start(t, sqldtest.Options{})
			remote := openDB(t, libsql.New(libsql.Config{URL: srv.URL()}), nil)
			require.NoError(t, remote.AutoMigrate(&biNote{}))
			big := strings.Repeat("x", 8<<20)
			clearError{names: []string{"too big"}}.check(t, remote.Create(&biNote{Body: big}).Error)
			replica := openDB(t, libsql.New(libsql.Config{URL: srv.URL(), Database: filepath.Join(t.TempDir(), "r.db")}), nil)
			for _, size := range []int{4 << 20, 8 << 20} { // the server hangs up, or says the size
				clearError{names: []string{"message size limit"}}.check(t, replica.Create(&biNote{Body: big[:size]}).Error)
			}
			var n int64
			require.NoError(t, remote.Model(&biNote{}).Count(&n).Error)
			assert.Zero(t, n, "nothing was written")
			require.NoError(t, replica.Create(&biNote{Body: "small"}).Error, "the replica goes on")
		}},
		{"identifiers with quotes in table and column names", func(t *testing.T) {
			forEachMode(t, func(t *testing.T, db *gorm.DB) {
				require.NoError(t, db.AutoMigrate(&biVictim{}))
				require.NoError(t, db.Create(&biVictim{Name: "still here"}).Error)
				require.NoError(t, db.AutoMigrate(&biWeird{}))
				t.Cleanup(func() { _ = db.Migrator().DropTable(&biWeird{}) }) // even when the test fails
				assert.Equal(t, []string{"bi_victims", biWeirdTable}, tableNames(t, db), "the table has the name, verbatim")
				require.NoError(t, db.Create(&[]biWeird{{Value: "a"}, {Value: "b"}}).Error)
				var got []biWeird
				require.NoError(t, db.Where(&biWeird{Value: "b"}).Find(&got).Error)
				require.Len(t, got, 1)
				require.NoError(t, db.Model(&got[0]).Update("Value", "c").Error)
				require.NoError(t, db.Where(map[string]any{"va`l\"u'e [x]": "a"}).Delete(&biWeird{}).Error)
				got = nil
				require.NoError(t, db.Order("id").Find(&got).Error)
				require.Len(t, got, 1)
				assert.Equal(t, "c", got[0].Value)

				// Adding a column and changing a type (a table rebuild).
				require.NoError(t, db.Model(&biWeird{}).Where("1 = 1").Update("Value", "42").Error)
				require.NoError(t, db.AutoMigrate(&biWeird2{}))
				var w biWeird2
				require.NoError(t, db.First(&w).Error)
				assert.EqualValues(t, 42, w.Value)
				assert.True(t, db.Migrator().HasColumn(&biWeird2{}, "ex'tra`; DROP TABLE bi_victims"))
				assert.Equal(t, []string{"bi_victims", biWeirdTable}, tableNames(t, db))
				var victims []string
				require.NoError(t, db.Model(&biVictim{}).Pluck("name", &victims).Error)
				assert.Equal(t, []string{"still here"}, victims, "no injection through identifiers")
				require.NoError(t, db.Migrator().DropTable(&biWeird2{}))
				assert.Equal(t, []string{"bi_victims"}, tableNames(t, db))
			})
		}},
		{"SQL injection through parameters: stored verbatim", func(t *testing.T) {
			values := []string{
				"'; DROP TABLE bi_victims; --",
				"Robert'); DROP TABLE bi_victims;--",
				"' OR '1'='1",
				`" OR ""="`,
				"`; DELETE FROM bi_victims; --`",
				`\'; DROP TABLE bi_victims; --`,
				"?", "?1", ":name", "@p", "$1", "%", "_", `\`,
				"1; ATTACH DATABASE '/tmp/x.db' AS x; --",
				"*/ DROP TABLE bi_victims; /*",
				"ünïcödé 🙂 \u202e reversed",
				"line\nbreak\r\ttab",
				strings.Repeat("' OR 1=1 -- ", 10000),
			}
			forEachMode(t, func(t *testing.T, db *gorm.DB) {
				require.NoError(t, db.AutoMigrate(&biVictim{}, &biNote{}))
				require.NoError(t, db.Create(&biVictim{Name: "still here"}).Error)
				for _, v := range values {
					require.NoError(t, db.Create(&biNote{Body: v}).Error)
					require.NoError(t, db.Exec("INSERT INTO bi_notes (body) VALUES (?)", v).Error)
					var got []biNote
					require.NoError(t, db.Where("body = ?", v).Find(&got).Error)
					require.Len(t, got, 2, "%.40q", v)
					assert.Equal(t, v, got[0].Body)
					assert.Equal(t, v, got[1].Body)
					if len(v) <= 50000 { // SQLite's limit on LIKE patterns
						var n int64
						require.NoError(t, db.Model(&biNote{}).Where("body LIKE ? ESCAPE '!'", likeLiteral(v)).Count(&n).Error)
						assert.EqualValues(t, 2, n, "LIKE finds the value: %.40q", v)
					}
				}
				var n int64
				require.NoError(t, db.Model(&biNote{}).Count(&n).Error)
				assert.EqualValues(t, 2*len(values), n)
				var victims []string
				require.NoError(t, db.Model(&biVictim{}).Pluck("name", &victims).Error)
				assert.Equal(t, []string{"still here"}, victims, "no injection through parameters")
				assert.Equal(t, []string{"bi_notes", "bi_victims"}, tableNames(t, db))
			})
		}},
		{"a table name that GORM takes for SQL: Create never writes elsewhere", func(t *testing.T) {
			forEachMode(t, func(t *testing.T, db *gorm.DB) {
				require.NoError(t, db.AutoMigrate(&biNote{}))
				// Table() treats a name with a space or a backtick as an SQL
				// expression; GORM's own INSERT writes that expression, so
				// an INSERT here must go there (and fail) or to that table,
				// never silently into the model's table.
				for _, name := range []string{"no such table", "`bi_notes` AS n, `bi_victims`", "bi notes"} {
					err := db.Table(name).Create(&biNote{Body: "elsewhere"}).Error
					clearError{names: []string{"syntax error"}}.check(t, err)
				}
				require.NoError(t, db.Exec("CREATE TABLE `bi notes` (id integer PRIMARY KEY, body text)").Error)
				require.NoError(t, db.Table("`bi notes`").Create(&biNote{Body: "spaced"}).Error, "a quoted table name")
				var n int64
				require.NoError(t, db.Model(&biNote{}).Count(&n).Error)
				assert.Zero(t, n, "nothing went into the model's table")
				var bodies []string
				require.NoError(t, db.Table("`bi notes`").Pluck("body", &bodies).Error)
				assert.Equal(t, []string{"spaced"}, bodies)
			})
		}},
		{"using a closed *gorm.DB", func(t *testing.T) {
			forEachMode(t, func(t *testing.T, db *gorm.DB) {
				require.NoError(t, db.AutoMigrate(&biNote{}))
				closeDB(t, db)
				ce := clearError{names: []string{"database is closed"}}
				ce.check(t, db.Find(&[]biNote{}).Error)
				ce.check(t, db.Create(&biNote{Body: "after close"}).Error)
				ce.check(t, db.Exec("DELETE FROM bi_notes").Error)
				ce.check(t, db.Transaction(func(tx *gorm.DB) error { return tx.Create(&biNote{}).Error }))
				_, err := libsql.Sync(db)
				if err != nil && !errors.Is(err, libsql.ErrNotReplica) {
					t.Logf("Sync after close: %v", err)
				}
			})
		}},
		{"an already-cancelled context", func(t *testing.T) {
			forEachMode(t, func(t *testing.T, db *gorm.DB) {
				require.NoError(t, db.AutoMigrate(&biNote{}))
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				c := db.WithContext(ctx)
				ce := clearError{is: []error{context.Canceled}, names: []string{"context canceled"}}
				ce.check(t, c.Create(&biNote{Body: "cancelled"}).Error)
				ce.check(t, c.Find(&[]biNote{}).Error)
				ce.check(t, c.Exec("INSERT INTO bi_notes (body) VALUES ('cancelled')").Error)
				ce.check(t, c.Transaction(func(tx *gorm.DB) error { return tx.Create(&biNote{Body: "cancelled"}).Error }))
				var n int64
				require.NoError(t, db.Model(&biNote{}).Count(&n).Error, "the pool is fine afterwards")
				assert.Zero(t, n, "nothing was written")
			})
		}},
		{"error text that mimics a constraint violation is not translated", func(t *testing.T) {
			forEachMode(t, func(t *testing.T, db *gorm.DB) {
				require.NoError(t, db.AutoMigrate(&biNote{}))
				err := db.Exec("INSERT INTO `UNIQUE constraint failed` (body) VALUES ('x')").Error
				clearError{names: []string{"no such table"}}.check(t, err)
				assert.NotErrorIs(t, err, gorm.ErrDuplicatedKey)
				err = db.Exec("SELECT `FOREIGN KEY constraint failed`(1)").Error
				clearError{names: []string{"no such function"}}.check(t, err)
				assert.NotErrorIs(t, err, gorm.ErrForeignKeyViolated)
				// A real violation still translates.
				require.NoError(t, db.Create(&biNote{ID: 7, Body: "first"}).Error)
				assert.ErrorIs(t, db.Create(&biNote{ID: 7, Body: "again"}).Error, gorm.ErrDuplicatedKey)
			})
		}},
		{"10,000 parameters and more in one statement", func(t *testing.T) {
			forEachMode(t, manyParameters)
		}},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			assert.NotPanics(t, func() { row.fn(t) })
		})
	}
}

// manyParameters: GORM sends a slice Create as one INSERT and an IN list as
// one statement. Up to the engine's limit of 32766 variables they run;
// beyond it the statement fails whole with "too many SQL variables", and
// nothing is written. CreateInBatches (or gorm.Config.CreateBatchSize)
// keeps each statement under the limit.
func manyParameters(t *testing.T, db *gorm.DB) {
	require.NoError(t, db.AutoMigrate(&biWide{}))
	wide := func(n int) []biWide {
		rows := make([]biWide, n)
		for i := range rows {
			rows[i] = biWide{A: fmt.Sprint("row ", i), B: i, C: float64(i) / 2}
		}
		return rows
	}
	count := func() int64 {
		var n int64
		require.NoError(t, db.Model(&biWide{}).Count(&n).Error)
		return n
	}

	ok := wide(5000) // 15,000 parameters
	require.NoError(t, db.Create(&ok).Error)
	assert.EqualValues(t, 5000, count())
	assert.NotZero(t, ok[4999].ID, "ids are returned for the whole batch")

	tooMany := wide(12000) // 36,000 parameters
	clearError{names: []string{"too many SQL variables"}}.check(t, db.Create(&tooMany).Error)
	assert.EqualValues(t, 5000, count(), "nothing of the failed statement was written")

	require.NoError(t, db.CreateInBatches(&tooMany, 2000).Error)
	assert.EqualValues(t, 17000, count())
	batched := db.Session(&gorm.Session{CreateBatchSize: 3000})
	more := wide(12000)
	require.NoError(t, batched.Create(&more).Error)
	assert.EqualValues(t, 29000, count())

	ids := make([]int, 30000)
	for i := range ids {
		ids[i] = i + 1
	}
	var n int64
	require.NoError(t, db.Model(&biWide{}).Where("id IN ?", ids).Count(&n).Error)
	assert.EqualValues(t, 29000, n, "an IN list of 30,000 ids")

	ids = make([]int, 40000)
	for i := range ids {
		ids[i] = i + 1
	}
	clearError{names: []string{"too many SQL variables"}}.check(t, db.Model(&biWide{}).Where("id IN ?", ids).Count(&n).Error)
	clearError{names: []string{"too many SQL variables"}}.check(t, db.Where("id IN ?", ids).Delete(&biWide{}).Error)
	assert.EqualValues(t, 29000, count(), "nothing was deleted")
}

// likeLiteral escapes v for LIKE ... ESCAPE '!'.
func likeLiteral(v string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(v)
}

func closeDB(t *testing.T, db *gorm.DB) {
	t.Helper()
	sqlDB, err := db.DB()
	require.NoError(t, err)
	require.NoError(t, sqlDB.Close())
}
