// Package mattn benchmarks the workloads on gorm.io/driver/sqlite, GORM's
// SQLite driver on github.com/mattn/go-sqlite3: the baseline of the
// comparison. It is a test binary of its own because mattn/go-sqlite3 and
// libSQL cannot be linked into one.
package mattn

import (
	"testing"

	"gorm.io/driver/sqlite"
	"gorm.io/gorm"

	"github.com/gorm-libsql/libsql/bench/workload"
)

// dsnParams gives every connection of the pool the settings that the libSQL
// dialect gives its connections: WAL, synchronous=NORMAL, a 5 s busy timeout
// and foreign keys on. go-sqlite3 runs them as PRAGMAs on each new connection.
const dsnParams = "?_journal_mode=WAL&_synchronous=NORMAL&_busy_timeout=5000&_foreign_keys=1"

func open(tb testing.TB, path string, cfg *gorm.Config) *gorm.DB {
	tb.Helper()
	db, err := gorm.Open(sqlite.Open("file:"+path+dsnParams), cfg)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { sqlDB.Close() })
	return db
}

func TestPragmas(t *testing.T) {
	db := workload.Setup(t, open, false, false)
	workload.CheckPragmas(t, db)
}

func BenchmarkCreate(b *testing.B)          { workload.Bench(b, workload.Create, open) }
func BenchmarkCreateInBatches(b *testing.B) { workload.Bench(b, workload.CreateInBatches, open) }
func BenchmarkFirst(b *testing.B)           { workload.Bench(b, workload.First, open) }
func BenchmarkFind(b *testing.B)            { workload.Bench(b, workload.Find, open) }
func BenchmarkUpdate(b *testing.B)          { workload.Bench(b, workload.Update, open) }
func BenchmarkTransaction(b *testing.B)     { workload.Bench(b, workload.Transaction, open) }
func BenchmarkMixed(b *testing.B)           { workload.Bench(b, workload.Mixed, open) }
