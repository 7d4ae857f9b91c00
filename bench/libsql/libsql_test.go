// Package libsql benchmarks the workloads on the libSQL GORM dialect of this
// repository, on one of two connection stacks chosen with the test flag
// -stack:
//
//	libsql    the dialect's own local connections (libsql.Open(path)):
//	          internal/native on libSQL's sqlite3 C API
//	golibsql  the dialect over go-libsql's database/sql driver
//	          (libsql.New(libsql.Config{Conn: pool}))
//
// Both stacks link libSQL; this binary never links mattn/go-sqlite3.
package libsql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"flag"
	"fmt"
	"testing"

	_ "github.com/tursodatabase/go-libsql" // registers the database/sql driver "libsql"
	"gorm.io/gorm"

	libsql "github.com/gorm-libsql/libsql"
	"github.com/gorm-libsql/libsql/bench/workload"
)

var stack = flag.String("stack", "libsql", "connection stack under the dialect: libsql (its own) or golibsql (go-libsql's driver via Config.Conn)")

func open(tb testing.TB, path string, cfg *gorm.Config) *gorm.DB {
	tb.Helper()
	var dialector gorm.Dialector
	switch *stack {
	case "libsql":
		dialector = libsql.Open(path)
	case "golibsql":
		pool, err := openGoLibsql(path)
		if err != nil {
			tb.Fatalf("open: %v", err)
		}
		tb.Cleanup(func() { pool.Close() })
		dialector = libsql.New(libsql.Config{Conn: pool})
	default:
		tb.Fatalf("unknown -stack %q: want libsql or golibsql", *stack)
	}
	db, err := gorm.Open(dialector, cfg)
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

// goLibsqlPragmas are run on every new connection of the go-libsql pool, the
// settings the dialect gives its own connections. go-libsql's Exec fails on
// a statement that returns a row, so they run as queries.
var goLibsqlPragmas = []string{
	"PRAGMA journal_mode=WAL",
	"PRAGMA synchronous=NORMAL",
	"PRAGMA busy_timeout=5000",
	"PRAGMA foreign_keys=ON",
}

// openGoLibsql opens a pool on go-libsql's driver (name "libsql", DSN
// "file:"+path) whose connector runs goLibsqlPragmas on each connection it
// makes, like a ConnectHook, so the pool is not limited to one connection.
func openGoLibsql(path string) (*sql.DB, error) {
	drv, err := goLibsqlDriver()
	if err != nil {
		return nil, err
	}
	connector, err := drv.OpenConnector("file:" + path)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(&pragmaConnector{Connector: connector}), nil
}

// goLibsqlDriver returns the driver that go-libsql registers as "libsql";
// its type is unexported, so it is taken from a pool on ":memory:".
func goLibsqlDriver() (driver.DriverContext, error) {
	probe, err := sql.Open("libsql", ":memory:")
	if err != nil {
		return nil, err
	}
	defer probe.Close()
	drv, ok := probe.Driver().(driver.DriverContext)
	if !ok {
		return nil, fmt.Errorf("go-libsql's driver has no OpenConnector")
	}
	return drv, nil
}

// pragmaConnector runs goLibsqlPragmas on each new connection, like the
// ConnectHook of other drivers.
type pragmaConnector struct {
	driver.Connector
}

func (c *pragmaConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	q, ok := conn.(driver.QueryerContext)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("go-libsql's connection has no QueryContext")
	}
	for _, pragma := range goLibsqlPragmas {
		rows, err := q.QueryContext(ctx, pragma, nil)
		if err == nil {
			dest := make([]driver.Value, len(rows.Columns()))
			for rows.Next(dest) == nil {
			}
			err = rows.Close()
		}
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("%s: %w", pragma, err)
		}
	}
	return conn, nil
}

// Close closes the underlying connector, which owns go-libsql's database.
func (c *pragmaConnector) Close() error {
	if closer, ok := c.Connector.(interface{ Close() error }); ok {
		return closer.Close()
	}
	return nil
}

func TestPragmas(t *testing.T) {
	for _, s := range []string{"libsql", "golibsql"} {
		t.Run(s, func(t *testing.T) {
			saved := *stack
			*stack = s
			defer func() { *stack = saved }()
			db := workload.Setup(t, open, false, false)
			workload.CheckPragmas(t, db)
		})
	}
}

func BenchmarkCreate(b *testing.B)          { workload.Bench(b, workload.Create, open) }
func BenchmarkCreateInBatches(b *testing.B) { workload.Bench(b, workload.CreateInBatches, open) }
func BenchmarkFirst(b *testing.B)           { workload.Bench(b, workload.First, open) }
func BenchmarkFind(b *testing.B)            { workload.Bench(b, workload.Find, open) }
func BenchmarkUpdate(b *testing.B)          { workload.Bench(b, workload.Update, open) }
func BenchmarkTransaction(b *testing.B)     { workload.Bench(b, workload.Transaction, open) }
func BenchmarkMixed(b *testing.B)           { workload.Bench(b, workload.Mixed, open) }
