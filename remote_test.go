package libsql_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/gorm-libsql/libsql"
	"github.com/gorm-libsql/libsql/internal/sqldtest"
)

type rmNote struct {
	ID   uint
	Body string
}

func TestRemoteURLSchemes(t *testing.T) {
	srv := sqldtest.Shared(t)
	emptyRemote(t, srv)
	host := strings.TrimPrefix(srv.URL(), "http://")
	for _, dsn := range []string{"http://" + host, "ws://" + host, "libsql://" + host + "?tls=0"} {
		t.Run(strings.SplitN(dsn, ":", 2)[0], func(t *testing.T) {
			db := openDB(t, libsql.Open(dsn), nil)
			require.NoError(t, db.AutoMigrate(&rmNote{}))
			require.NoError(t, db.Create(&rmNote{Body: "via " + dsn}).Error)
			var n int64
			require.NoError(t, db.Model(&rmNote{}).Where("body = ?", "via "+dsn).Count(&n).Error)
			assert.EqualValues(t, 1, n)
		})
	}
}

func TestRemoteAuth(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{Auth: true})
	open := func(token string) (*gorm.DB, error) {
		return gorm.Open(libsql.New(libsql.Config{URL: srv.URL(), AuthToken: token}), &gorm.Config{TranslateError: true})
	}
	db, err := open(srv.Token())
	require.NoError(t, err, "a valid token works")
	require.NoError(t, db.AutoMigrate(&rmNote{}))
	require.NoError(t, db.Create(&rmNote{Body: "written with full access"}).Error)

	ro, err := open(srv.ReadOnlyToken())
	require.NoError(t, err)
	var notes []rmNote
	require.NoError(t, ro.Find(&notes).Error, "a read-only token reads")
	assert.Len(t, notes, 1)
	err = ro.Create(&rmNote{Body: "denied"}).Error
	require.Error(t, err)
	assert.ErrorIs(t, err, libsql.ErrPermission)
	assert.Contains(t, err.Error(), "permission denied")
	assert.NotContains(t, err.Error(), srv.ReadOnlyToken())

	for name, token := range map[string]string{"forged": srv.ForgedToken(), "expired": srv.ExpiredToken(), "missing": ""} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			_, err := open(token)
			require.Error(t, err)
			assert.Less(t, time.Since(start), 10*time.Second, "fails fast")
			assert.ErrorIs(t, err, libsql.ErrAuthentication)
			assert.Contains(t, err.Error(), "authentication failed")
			if token != "" {
				assert.NotContains(t, err.Error(), token)
			}
		})
	}
	require.NoError(t, db.Model(&rmNote{}).Count(new(int64)).Error)
}

func TestRemoteServerGoneAndBack(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	db := openDB(t, libsql.New(libsql.Config{URL: srv.URL()}), nil)
	require.NoError(t, db.AutoMigrate(&rmNote{}))
	require.NoError(t, db.Create(&rmNote{Body: "before"}).Error)

	srv.Stop()
	start := time.Now()
	err := db.Create(&rmNote{Body: "while down"}).Error
	require.Error(t, err)
	assert.Less(t, time.Since(start), 15*time.Second)
	assert.Contains(t, err.Error(), "127.0.0.1", "the error names the server")

	srv.Restart(t)
	require.NoError(t, db.Create(&rmNote{Body: "after"}).Error)
	var bodies []string
	require.NoError(t, db.Model(&rmNote{}).Order("id").Pluck("body", &bodies).Error)
	assert.Equal(t, []string{"before", "after"}, bodies, "nothing lost, nothing half-written")
}

func TestRemoteDeadlineOnSlowServer(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	proxy := srv.Proxy(t)
	db := openDB(t, libsql.New(libsql.Config{URL: proxy.URL()}), nil)
	require.NoError(t, db.AutoMigrate(&rmNote{}))
	proxy.SetDelay(5 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := db.WithContext(ctx).Find(&[]rmNote{}).Error
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
	assert.Less(t, time.Since(start), 3*time.Second, "returns promptly")
}

type rmAuthor struct {
	ID    uint
	Name  string
	Books []rmBook
}

type rmBook struct {
	ID         uint
	Title      string
	RmAuthorID uint
}

// TestRemoteRoundTrips counts the HTTP requests each GORM operation sends
// to the server (the table in docs/remote.md) and keeps them from growing.
func TestRemoteRoundTrips(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	proxy := srv.Proxy(t)
	db := openDB(t, libsql.New(libsql.Config{URL: proxy.URL()}), nil)

	count := func(name string, op func() error) int64 {
		proxy.Reset()
		require.NoError(t, op(), name)
		n := proxy.Count()
		t.Logf("| %s | %d |", name, n)
		return n
	}
	steps := []struct {
		name string
		want int64
		op   func() error
	}{
		{"AutoMigrate of two related models (new tables)", 4, func() error { return db.AutoMigrate(&rmAuthor{}, &rmBook{}) }},
		{"AutoMigrate again (no change)", 5, func() error { return db.AutoMigrate(&rmAuthor{}, &rmBook{}) }},
		{"Create one row", 2, func() error { return db.Create(&rmAuthor{Name: "a"}).Error }},
		{"Create one row, SkipDefaultTransaction", 1, func() error {
			return db.Session(&gorm.Session{SkipDefaultTransaction: true}).Create(&rmAuthor{Name: "b"}).Error
		}},
		{"Create with a has-many association", 3, func() error {
			return db.Create(&rmAuthor{Name: "c", Books: []rmBook{{Title: "x"}, {Title: "y"}}}).Error
		}},
		{"First by primary key", 1, func() error { return db.First(&rmAuthor{}, 1).Error }},
		{"Find all", 1, func() error { return db.Find(&[]rmAuthor{}).Error }},
		{"Find with Preload", 2, func() error { return db.Preload("Books").Find(&[]rmAuthor{}).Error }},
		{"Update one column", 2, func() error { return db.Model(&rmAuthor{ID: 1}).Update("name", "z").Error }},
		{"Transaction of 10 inserts", 11, func() error {
			return db.Transaction(func(tx *gorm.DB) error {
				for i := range 10 {
					if err := tx.Create(&rmBook{Title: fmt.Sprint(i), RmAuthorID: 1}).Error; err != nil {
						return err
					}
				}
				return nil
			})
		}},
		{"Delete by primary key", 2, func() error { return db.Delete(&rmBook{}, 1).Error }},
	}
	for _, s := range steps {
		got := count(s.name, s.op)
		assert.Equal(t, s.want, got, s.name)
	}
}
