// Package workload holds the GORM workloads that the benchmark comparison
// runs on every stack. It imports GORM only, no database driver: each stack's
// test package (bench/mattn, bench/libsql) supplies an Opener, so that
// mattn/go-sqlite3 and libSQL, whose sqlite3_* symbols clash at link time,
// never meet in one binary.
//
// Every benchmark opens a fresh database file in a temporary directory, so no
// workload sees another's rows, and runs twice: with gorm.Config.PrepareStmt
// false and true (sub-benchmarks prepare=false and prepare=true). Benchmark
// names are the same on every stack, so that their results pair up.
package workload

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// User is the model of every workload: gorm.Model (soft delete included, so
// every query carries "deleted_at IS NULL") and a mix of column types.
type User struct {
	gorm.Model
	Name   string
	Email  string
	Age    int
	Active bool
	Score  float64
}

// SeedRows is how many rows the read and update workloads start with.
const SeedRows = 1000

// Parallelism is the number of goroutines of the Mixed workload.
const Parallelism = 4

// Opener opens a GORM database on the file path with cfg. It registers the
// closing of the database with tb.Cleanup and fails tb on error.
type Opener func(tb testing.TB, path string, cfg *gorm.Config) *gorm.DB

// Workload is one benchmark: Run measures an operation on db, which has the
// User table and, when Seed is set, SeedRows rows with IDs 1..SeedRows.
type Workload struct {
	Name string
	Seed bool
	Run  func(b *testing.B, db *gorm.DB)
}

// The workloads, in the order the comparison reports them.
var (
	Create          = Workload{Name: "Create", Run: runCreate}
	CreateInBatches = Workload{Name: "CreateInBatches", Run: runCreateInBatches}
	First           = Workload{Name: "First", Seed: true, Run: runFirst}
	Find            = Workload{Name: "Find", Seed: true, Run: runFind}
	Update          = Workload{Name: "Update", Seed: true, Run: runUpdate}
	Transaction     = Workload{Name: "Transaction", Run: runTransaction}
	Mixed           = Workload{Name: "Mixed", Seed: true, Run: runMixed}
)

// All lists the workloads in report order.
var All = []Workload{Create, CreateInBatches, First, Find, Update, Transaction, Mixed}

// Bench runs w on the stack of open as two sub-benchmarks, prepare=false and
// prepare=true, each on a fresh database file.
func Bench(b *testing.B, w Workload, open Opener) {
	for _, prepare := range []bool{false, true} {
		b.Run(fmt.Sprintf("prepare=%t", prepare), func(b *testing.B) {
			db := Setup(b, open, prepare, w.Seed)
			b.ReportAllocs()
			b.ResetTimer()
			w.Run(b, db)
		})
	}
}

// Setup opens a fresh database file with open, migrates User and, if seed
// is set, inserts SeedRows rows.
func Setup(tb testing.TB, open Opener, prepare, seed bool) *gorm.DB {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "bench.db")
	db := open(tb, path, &gorm.Config{
		PrepareStmt: prepare,
		Logger:      logger.Discard,
	})
	if err := db.AutoMigrate(&User{}); err != nil {
		tb.Fatalf("AutoMigrate: %v", err)
	}
	if seed {
		users := make([]User, SeedRows)
		for i := range users {
			users[i] = newUser(i)
		}
		if err := db.CreateInBatches(users, 100).Error; err != nil {
			tb.Fatalf("seed: %v", err)
		}
		var n int64
		if err := db.Model(&User{}).Count(&n).Error; err != nil || n != SeedRows {
			tb.Fatalf("seed: %d rows, %v", n, err)
		}
	}
	return db
}

func newUser(i int) User {
	return User{
		Name:   fmt.Sprintf("user %d", i),
		Email:  fmt.Sprintf("user%d@example.com", i),
		Age:    20 + i%50,
		Active: i%2 == 0,
		Score:  float64(i) / 4,
	}
}

// seededID returns the ID of a seeded row for iteration i.
func seededID(i int) uint {
	return uint(i%SeedRows) + 1
}

func check(b *testing.B, err error) {
	if err != nil {
		b.Fatal(err)
	}
}

// runCreate inserts one row per operation.
func runCreate(b *testing.B, db *gorm.DB) {
	i := 0
	for b.Loop() {
		u := User{Name: "create", Email: "create@example.com", Age: i % 90, Active: true, Score: 1.5}
		check(b, db.Create(&u).Error)
		i++
	}
}

// runCreateInBatches inserts 100 rows per operation with CreateInBatches.
// The slice is reused; its IDs and timestamps are reset before each insert.
func runCreateInBatches(b *testing.B, db *gorm.DB) {
	users := make([]User, 100)
	for i := range users {
		users[i] = newUser(i)
	}
	for b.Loop() {
		for i := range users {
			users[i].ID = 0
			users[i].CreatedAt = time.Time{}
			users[i].UpdatedAt = time.Time{}
		}
		check(b, db.CreateInBatches(users, 100).Error)
	}
}

// runFirst reads one row by primary key per operation.
func runFirst(b *testing.B, db *gorm.DB) {
	i := 0
	for b.Loop() {
		var u User
		check(b, db.First(&u, seededID(i)).Error)
		i++
	}
}

// runFind reads all SeedRows rows per operation.
func runFind(b *testing.B, db *gorm.DB) {
	for b.Loop() {
		var users []User
		check(b, db.Find(&users).Error)
		if len(users) != SeedRows {
			b.Fatalf("Find: %d rows, want %d", len(users), SeedRows)
		}
	}
}

// runUpdate updates one column (and updated_at) of one row per operation.
func runUpdate(b *testing.B, db *gorm.DB) {
	i := 0
	for b.Loop() {
		u := User{Model: gorm.Model{ID: seededID(i)}}
		check(b, db.Model(&u).Update("score", float64(i)).Error)
		i++
	}
}

// runTransaction inserts 10 rows in one transaction per operation.
func runTransaction(b *testing.B, db *gorm.DB) {
	for b.Loop() {
		check(b, db.Transaction(func(tx *gorm.DB) error {
			for j := range 10 {
				u := User{Name: "tx", Email: "tx@example.com", Age: j, Score: 2.5}
				if err := tx.Create(&u).Error; err != nil {
					return err
				}
			}
			return nil
		}))
	}
}

// runMixed shares b.N operations among Parallelism goroutines on one pool:
// half First by primary key, a quarter Create, a quarter Update.
func runMixed(b *testing.B, db *gorm.DB) {
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		errOnce sync.Once
		failure error
	)
	n := int64(b.N)
	for range Parallelism {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= n {
					return
				}
				var err error
				switch i % 4 {
				case 0, 2:
					var u User
					err = db.First(&u, seededID(int(i))).Error
				case 1:
					u := User{Name: "mixed", Email: "mixed@example.com", Age: int(i % 90), Score: 0.5}
					err = db.Create(&u).Error
				case 3:
					u := User{Model: gorm.Model{ID: seededID(int(i))}}
					err = db.Model(&u).Update("age", int(i%90)).Error
				}
				if err != nil {
					errOnce.Do(func() { failure = err })
					next.Store(n) // stop the other workers
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	check(b, failure)
}

// CheckPragmas fails t unless each of three connections of db's pool runs
// WAL, synchronous=NORMAL, a 5 s busy timeout and foreign keys on: the
// settings that every stack of the comparison must share.
func CheckPragmas(t *testing.T, db *gorm.DB) {
	t.Helper()
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	want := map[string]string{"journal_mode": "wal", "synchronous": "1", "busy_timeout": "5000", "foreign_keys": "1"}
	for c := range 3 {
		conn, err := sqlDB.Conn(ctx) // the earlier ones stay checked out: each is a new connection
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		for pragma, value := range want {
			var got string
			if err := conn.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatalf("connection %d: PRAGMA %s: %v", c, pragma, err)
			}
			if got != value {
				t.Errorf("connection %d: PRAGMA %s = %q, want %q", c, pragma, got, value)
			}
		}
	}
}
