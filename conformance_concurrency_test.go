package libsql_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/gorm-libsql/libsql"
)

type confConcRow struct {
	ID     uint
	Worker int `gorm:"index"`
	Seq    int
	Hits   int
}

func (confConcRow) TableName() string { return "conf_conc_rows" }

// confConcDB opens one database file shared by every goroutine of a test.
func confConcDB(t *testing.T) *gorm.DB {
	t.Helper()
	db := openDB(t, libsql.Open(filepath.Join(t.TempDir(), "c.db")), &gorm.Config{TranslateError: true})
	confMigrate(t, db, &confConcRow{})
	return db
}

// confConcRun runs fn(worker, i) for workers x perWorker iterations and
// returns every error.
func confConcRun(workers, perWorker int, fn func(worker, i int) error) []error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				if err := fn(w, i); err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("worker %d, iteration %d: %w", w, i, err))
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return errs
}

func TestConformanceConcurrentCreates(t *testing.T) {
	db := confConcDB(t)
	const workers, perWorker = 4, 200
	errs := confConcRun(workers, perWorker, func(w, i int) error {
		return db.Create(&confConcRow{Worker: w, Seq: i}).Error
	})
	require.Empty(t, errs, "first errors: %v", confFirst(errs, 5))

	var n int64
	require.NoError(t, db.Model(&confConcRow{}).Count(&n).Error)
	assert.EqualValues(t, workers*perWorker, n)

	var distinct int64
	require.NoError(t, db.Model(&confConcRow{}).Distinct("worker", "seq").Count(&distinct).Error)
	assert.EqualValues(t, workers*perWorker, distinct, "every (worker, seq) stored exactly once")
	for w := range workers {
		var perW int64
		require.NoError(t, db.Model(&confConcRow{}).Where("worker = ?", w).Count(&perW).Error)
		assert.EqualValues(t, perWorker, perW, "worker %d", w)
	}
}

func TestConformanceConcurrentReadWrite(t *testing.T) {
	db := confConcDB(t)
	const seedRows = 20
	seed := make([]confConcRow, seedRows)
	for i := range seed {
		seed[i] = confConcRow{Worker: -1, Seq: i}
	}
	require.NoError(t, db.Create(&seed).Error)

	const workers, perWorker = 4, 200
	var updates sync.Map // worker -> count
	errs := confConcRun(workers, perWorker, func(w, i int) error {
		target := seed[(w*perWorker+i)%seedRows].ID
		switch i % 5 {
		case 0:
			return db.Create(&confConcRow{Worker: w, Seq: i}).Error
		case 1:
			var r confConcRow
			return db.First(&r, target).Error
		case 2:
			var n int64
			return db.Model(&confConcRow{}).Where("worker = ?", w).Count(&n).Error
		case 3:
			res := db.Model(&confConcRow{}).Where("id = ?", target).Update("hits", gorm.Expr("hits + 1"))
			if res.Error == nil && res.RowsAffected != 1 {
				return fmt.Errorf("update affected %d rows", res.RowsAffected)
			}
			if res.Error == nil {
				v, _ := updates.LoadOrStore(w, new(int))
				*v.(*int)++
			}
			return res.Error
		default:
			return db.Transaction(func(tx *gorm.DB) error {
				if err := tx.Create(&confConcRow{Worker: w, Seq: -i}).Error; err != nil {
					return err
				}
				var rows []confConcRow
				return tx.Where("worker = ?", w).Find(&rows).Error
			})
		}
	})
	require.Empty(t, errs, "first errors: %v", confFirst(errs, 5))

	var wantHits int
	updates.Range(func(_, v any) bool { wantHits += *v.(*int); return true })
	var gotHits int64
	require.NoError(t, db.Model(&confConcRow{}).Select("coalesce(sum(hits), 0)").Scan(&gotHits).Error)
	assert.EqualValues(t, wantHits, gotHits, "no lost updates")

	creates := 0
	for i := range perWorker {
		if i%5 == 0 || i%5 == 4 {
			creates++
		}
	}
	var n int64
	require.NoError(t, db.Model(&confConcRow{}).Count(&n).Error)
	assert.EqualValues(t, seedRows+workers*creates, n)
}

func confFirst(errs []error, n int) []error {
	return errs[:min(n, len(errs))]
}

// TestConformanceLocalConnectionSetup checks the per-connection setup of a
// local database file on several pooled connections at once.
func TestConformanceLocalConnectionSetup(t *testing.T) {
	for _, tc := range []struct {
		name    string
		dialect func(path string) gorm.Dialector
		busyMS  int
	}{
		{"default", func(p string) gorm.Dialector { return libsql.Open(p) }, int(libsql.DefaultBusyTimeout / time.Millisecond)},
		{"Config.BusyTimeout", func(p string) gorm.Dialector {
			return libsql.New(libsql.Config{Database: p, BusyTimeout: 1500 * time.Millisecond})
		}, 1500},
		{"DSN busy_timeout", func(p string) gorm.Dialector { return libsql.Open(p + "?busy_timeout=2500") }, 2500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t, tc.dialect(filepath.Join(t.TempDir(), "setup.db")), nil)
			assert.Equal(t, "sqlite", db.Dialector.Name())
			sqlDB, err := db.DB()
			require.NoError(t, err)
			ctx := context.Background()
			// Hold three connections at once so the pool must open three.
			for i := range 3 {
				c, err := sqlDB.Conn(ctx)
				require.NoError(t, err)
				defer c.Close()
				var journal string
				var sync, fk, busy int
				require.NoError(t, c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&journal))
				require.NoError(t, c.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync))
				require.NoError(t, c.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk))
				require.NoError(t, c.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy))
				assert.Equal(t, "wal", journal, "connection %d", i)
				assert.Equal(t, 1, sync, "connection %d: synchronous=NORMAL", i)
				assert.Equal(t, 1, fk, "connection %d: foreign_keys=ON", i)
				assert.Equal(t, tc.busyMS, busy, "connection %d: busy_timeout", i)
			}
		})
	}
}
