package callbacks_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gorm-libsql/libsql"
	"github.com/gorm-libsql/libsql/callbacks"
)

// countingSyncer counts syncs and fails them when err is set. The replica
// behind a real sync is tested in the root package against sqld; here the
// question is only when the callback calls Sync.
type countingSyncer struct {
	n   int
	err error
}

func (s *countingSyncer) Sync() error { s.n++; return s.err }

type note struct {
	ID   uint
	Text string
}

func open(t *testing.T, register func(*gorm.DB, callbacks.Syncer) error) (*gorm.DB, *countingSyncer) {
	t.Helper()
	db, err := gorm.Open(libsql.Open(":memory:"), &gorm.Config{Logger: logger.Discard})
	require.NoError(t, err)
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	require.NoError(t, db.AutoMigrate(&note{}))
	s := &countingSyncer{}
	require.NoError(t, register(db, s))
	return db, s
}

func TestRegisterSync(t *testing.T) {
	db, s := open(t, callbacks.RegisterSync)
	steps := []struct {
		name  string
		op    func() error
		syncs int
	}{
		{"create", func() error { return db.Create(&note{Text: "a"}).Error }, 1},
		{"update of one row", func() error { return db.Model(&note{}).Where("text = ?", "a").Update("text", "b").Error }, 1},
		{"update of no row", func() error { return db.Model(&note{}).Where("text = ?", "zz").Update("text", "c").Error }, 0},
		{"exec (DDL changes no rows)", func() error { return db.Exec("CREATE TABLE other (x)").Error }, 1},
		{"failed write", func() error { return db.Exec("INSERT INTO missing VALUES (1)").Error }, 0},
		{"dry run", func() error { return db.Session(&gorm.Session{DryRun: true}).Create(&note{Text: "d"}).Error }, 0},
		{"query", func() error { return db.Find(&[]note{}).Error }, 0},
		{"delete", func() error { return db.Where("text = ?", "b").Delete(&note{}).Error }, 1},
		{"writes in a caller's transaction: none (the caller syncs after it)", func() error {
			return db.Transaction(func(tx *gorm.DB) error {
				tx.Create(&note{Text: "in tx"})
				return tx.Exec("UPDATE notes SET text = 'x'").Error
			})
		}, 0},
	}
	for _, st := range steps {
		before := s.n
		err := st.op()
		if st.name != "failed write" {
			require.NoError(t, err, st.name)
		}
		assert.Equal(t, st.syncs, s.n-before, st.name)
	}

	s.err = errors.New("primary gone")
	err := db.Create(&note{Text: "committed"}).Error
	assert.ErrorIs(t, err, callbacks.ErrSync, "a failed sync after a committed write says so")
	var n int64
	require.NoError(t, db.Model(&note{}).Where("text = ?", "committed").Count(&n).Error)
	assert.EqualValues(t, 1, n, "the write itself stands")
}

func TestRegisterSyncOnRequest(t *testing.T) {
	db, s := open(t, callbacks.RegisterSyncOnRequest)
	require.NoError(t, db.Create(&note{Text: "plain"}).Error)
	assert.Equal(t, 0, s.n, "no sync without WithSync")

	requested := db.WithContext(callbacks.WithSync(context.Background()))
	require.NoError(t, requested.Create(&note{Text: "synced"}).Error)
	require.NoError(t, requested.Exec("CREATE TABLE other (x)").Error)
	assert.Equal(t, 2, s.n)
	assert.True(t, callbacks.SyncRequested(requested.Statement.Context))
	assert.False(t, callbacks.SyncRequested(context.Background()))
}
