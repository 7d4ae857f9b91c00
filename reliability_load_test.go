package libsql_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/gorm-libsql/libsql"
	"github.com/gorm-libsql/libsql/internal/sqldtest"
)

// ldAccount holds money moved between accounts by transfers; the total never
// changes.
type ldAccount struct {
	ID      uint
	Balance int64
}

// ldEvent is a row written by the load; every worker remembers the ids it
// created, so that a lost row shows.
type ldEvent struct {
	ID     uint
	Worker int `gorm:"index"`
	Seq    int
	Body   string
	Hits   int
}

const (
	ldAccounts       = 16
	ldInitialBalance = 1000
)

type loadResult struct {
	ops      int64
	elapsed  time.Duration
	byKind   map[string]int64
	failures []error
}

func (r loadResult) opsPerSecond() float64 { return float64(r.ops) / r.elapsed.Seconds() }

// runLoad runs workers goroutines of opsPerWorker mixed GORM operations
// each on db, then checks that nothing was lost: every created id is there,
// the row count is exact, every update landed and the transfers kept the
// total balance.
func runLoad(t *testing.T, db *gorm.DB, workers, opsPerWorker int) loadResult {
	t.Helper()
	require.NoError(t, db.AutoMigrate(&ldAccount{}, &ldEvent{}))
	accounts := make([]ldAccount, ldAccounts)
	for i := range accounts {
		accounts[i].Balance = ldInitialBalance
	}
	require.NoError(t, db.Create(&accounts).Error)

	var (
		mu       sync.Mutex
		failures []error
		created  = make([][]uint, workers)
		hits     = make([]map[uint]int, workers)
		kinds    [6]atomic.Int64
	)
	kindNames := []string{"create", "read", "count", "update", "transfer", "tx read-modify-write"}
	fail := func(w, i int, kind string, err error) {
		mu.Lock()
		defer mu.Unlock()
		failures = append(failures, fmt.Errorf("worker %d op %d (%s): %w", w, i, kind, err))
	}

	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		hits[w] = map[uint]int{}
		wg.Go(func() {
			for i := range opsPerWorker {
				k := (i*7 + w) % 10 // a fixed, interleaved mix
				switch {
				case k < 3: // 30 % single-row creates (GORM's default transaction)
					ev := ldEvent{Worker: w, Seq: i, Body: fmt.Sprintf("w%d-%d", w, i)}
					if err := db.Create(&ev).Error; err != nil {
						fail(w, i, kindNames[0], err)
						continue
					}
					created[w] = append(created[w], ev.ID)
					kinds[0].Add(1)
				case k < 5: // 20 % reads by primary key and by worker
					var evs []ldEvent
					err := db.Where("worker = ?", w).Order("id DESC").Limit(5).Find(&evs).Error
					if err == nil && len(created[w]) > 0 {
						var ev ldEvent
						err = db.First(&ev, created[w][len(created[w])-1]).Error
					}
					if err != nil {
						fail(w, i, kindNames[1], err)
						continue
					}
					kinds[1].Add(1)
				case k < 6: // 10 % aggregate reads
					var n int64
					if err := db.Model(&ldEvent{}).Where("worker = ?", w).Count(&n).Error; err != nil {
						fail(w, i, kindNames[2], err)
						continue
					}
					if n != int64(len(created[w])) {
						fail(w, i, kindNames[2], fmt.Errorf("worker sees %d of its rows, created %d", n, len(created[w])))
					}
					kinds[2].Add(1)
				case k < 8: // 20 % updates of an own row
					if len(created[w]) == 0 {
						continue
					}
					id := created[w][i%len(created[w])]
					res := db.Model(&ldEvent{}).Where("id = ?", id).Update("hits", gorm.Expr("hits + 1"))
					if res.Error == nil && res.RowsAffected != 1 {
						res.Error = fmt.Errorf("updated %d rows, want 1", res.RowsAffected)
					}
					if res.Error != nil {
						fail(w, i, kindNames[3], res.Error)
						continue
					}
					hits[w][id]++
					kinds[3].Add(1)
				case k < 9: // 10 % transfers: a multi-statement write transaction
					from, to := uint(1+(i+w)%ldAccounts), uint(1+(i+w+5)%ldAccounts)
					err := db.Transaction(func(tx *gorm.DB) error {
						if err := tx.Model(&ldAccount{}).Where("id = ?", from).Update("balance", gorm.Expr("balance - ?", 7)).Error; err != nil {
							return err
						}
						return tx.Model(&ldAccount{}).Where("id = ?", to).Update("balance", gorm.Expr("balance + ?", 7)).Error
					})
					if err != nil {
						fail(w, i, kindNames[4], err)
						continue
					}
					kinds[4].Add(1)
				default: // 10 % read-modify-write transactions (read first: Immediate)
					var ev ldEvent
					err := db.Transaction(func(tx *gorm.DB) error {
						var n int64
						if err := tx.Model(&ldEvent{}).Where("worker = ?", w).Count(&n).Error; err != nil {
							return err
						}
						ev = ldEvent{Worker: w, Seq: i, Body: fmt.Sprintf("rmw w%d after %d", w, n)}
						return tx.Create(&ev).Error
					}, libsql.Immediate())
					if err != nil {
						fail(w, i, kindNames[5], err)
						continue
					}
					created[w] = append(created[w], ev.ID)
					kinds[5].Add(1)
				}
			}
		})
	}
	wg.Wait()
	res := loadResult{elapsed: time.Since(start), byKind: map[string]int64{}, failures: failures}
	for i, name := range kindNames {
		res.byKind[name] = kinds[i].Load()
		res.ops += kinds[i].Load()
	}

	// Nothing lost: every created id is there with the worker's updates,
	// the count is exact and the money is all there.
	var want int
	for w := range workers {
		want += len(created[w])
		var rows []ldEvent
		require.NoError(t, db.Where("worker = ?", w).Find(&rows).Error)
		got := make(map[uint]int, len(rows))
		for _, r := range rows {
			got[r.ID] = r.Hits
		}
		for _, id := range created[w] {
			h, ok := got[id]
			if !assert.True(t, ok, "worker %d: row %d lost", w, id) {
				continue
			}
			assert.Equal(t, hits[w][id], h, "worker %d: row %d: updates lost", w, id)
		}
		assert.Len(t, rows, len(created[w]), "worker %d: rows it did not create", w)
	}
	var n, total int64
	require.NoError(t, db.Model(&ldEvent{}).Count(&n).Error)
	assert.EqualValues(t, want, n, "final row count")
	require.NoError(t, db.Model(&ldAccount{}).Select("sum(balance)").Scan(&total).Error)
	assert.EqualValues(t, ldAccounts*ldInitialBalance, total, "transfers kept the total")
	return res
}

func reportLoad(t *testing.T, name string, workers int, r loadResult) {
	t.Helper()
	assert.Empty(t, r.failures, "errors under load: %v", errors.Join(r.failures...))
	t.Logf("%s: %d goroutines, %d ops in %v: %.0f ops/s %v", name, workers, r.ops, r.elapsed.Round(time.Millisecond), r.opsPerSecond(), r.byKind)
}

// TestReliabilityLoadLocal is a bounded load (a fixed number of operations)
// of 8 goroutines on a local file: no errors, no lost rows, exact counts.
func TestReliabilityLoadLocal(t *testing.T) {
	const workers, ops = 8, 500
	db := openDB(t, libsql.Open(filepath.Join(t.TempDir(), "load.db")), &gorm.Config{TranslateError: true})
	reportLoad(t, "local", workers, runLoad(t, db, workers, ops))
}

// TestReliabilityLoadRemote is the same load with 4 goroutines on sqld.
func TestReliabilityLoadRemote(t *testing.T) {
	const workers, ops = 4, 150
	srv := sqldtest.Start(t, sqldtest.Options{})
	db := openDB(t, libsql.New(libsql.Config{URL: srv.URL()}), &gorm.Config{TranslateError: true})
	reportLoad(t, "remote", workers, runLoad(t, db, workers, ops))
}
