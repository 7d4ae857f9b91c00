package libsql_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gorm-libsql/libsql"
	vclause "github.com/gorm-libsql/libsql/clause"
)

// BenchmarkVector measures vector search on a local file: inserting N
// vectors of D dimensions into a table with a vector index (and, for
// comparison, without one), then exact k=10 search (ORDER BY distance,
// every row) and approximate k=10 search (vector_top_k through the index)
// with its recall@10 against a brute force in Go. The results in
// docs/vectors.md come from
//
//	go test -run '^$' -bench BenchmarkVector -benchtime 50x -timeout 6h -v .
//
// with the defaults N=100000, D=384 and the index settings
// compress_neighbors=float8; LIBSQL_VECTOR_BENCH_N, _DIMS and _INDEX (the
// settings, comma-separated) change them. The data set is random: vectors
// of independent normal elements, the hardest case for an ANN index.
func BenchmarkVector(b *testing.B) {
	n := vecBenchEnv("LIBSQL_VECTOR_BENCH_N", 100000)
	dims := vecBenchEnv("LIBSQL_VECTOR_BENCH_DIMS", 384)
	settings := "compress_neighbors=float8"
	if s, ok := os.LookupEnv("LIBSQL_VECTOR_BENCH_INDEX"); ok {
		settings = s
	}
	var opts string
	for _, s := range strings.Split(settings, ",") {
		if s = strings.TrimSpace(s); s != "" {
			opts += ", '" + s + "'"
		}
	}

	r := rand.New(rand.NewPCG(42, 42))
	data := make([]libsql.Vector, n)
	for i := range data {
		data[i] = vecRandom(r, dims)
	}
	queries := make([]libsql.Vector, 50)
	for i := range queries {
		queries[i] = vecRandom(r, dims)
	}

	db, err := gorm.Open(libsql.Open(filepath.Join(b.TempDir(), "bench.db")), &gorm.Config{Logger: logger.Discard, SkipDefaultTransaction: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			_ = sqlDB.Close()
		}
	})
	create := func(b *testing.B, index bool) {
		for _, stmt := range []string{
			"DROP TABLE IF EXISTS vec_bench",
			fmt.Sprintf("CREATE TABLE vec_bench (id integer PRIMARY KEY, embedding F32_BLOB(%d))", dims),
		} {
			if err := db.Exec(stmt).Error; err != nil {
				b.Fatal(err)
			}
		}
		if index {
			if err := db.Exec("CREATE INDEX idx_vec_bench ON vec_bench(libsql_vector_idx(embedding" + opts + "))").Error; err != nil {
				b.Fatal(err)
			}
		}
	}
	type row struct {
		ID        uint
		Embedding libsql.Vector
	}
	insert := func(b *testing.B) {
		rows := make([]row, n)
		for i := range rows {
			rows[i] = row{ID: uint(i + 1), Embedding: data[i]}
		}
		if err := db.Table("vec_bench").CreateInBatches(rows, 100).Error; err != nil {
			b.Fatal(err)
		}
	}
	label := fmt.Sprintf("n=%d/dims=%d", n, dims)

	// Loading is measured once, outside b.N loops (a load of 100,000
	// indexed vectors takes many minutes), and reported as the load-rows/s
	// metric of the searches on the loaded table.
	load := func(b *testing.B, index bool) float64 {
		create(b, index)
		start := time.Now()
		insert(b)
		elapsed := time.Since(start)
		b.Logf("loaded %d vectors (index: %v, %s) in %v", n, index, settings, elapsed.Round(time.Millisecond))
		return float64(n) / elapsed.Seconds()
	}

	plainRate := load(b, false)
	b.Run("exact-k10/no-index/"+label, func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			var ids []uint
			q := queries[i%len(queries)]
			if err := db.Table("vec_bench").Clauses(vclause.OrderByDistance{Column: "embedding", Vector: q}).Limit(10).Pluck("id", &ids).Error; err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(plainRate, "load-rows/s")
	})

	// The indexed table is loaded on first use, so that -bench can select
	// the searches on the plain table alone.
	var (
		indexedRate float64
		truth       [][]uint
	)
	loadIndexed := func(b *testing.B) {
		if truth != nil {
			return
		}
		b.StopTimer()
		defer b.StartTimer()
		indexedRate = load(b, true)
		// The exact top 10 of each query, by brute force in Go.
		truth = make([][]uint, len(queries))
		for qi, q := range queries {
			scored := make([]vecScored, n)
			for i, v := range data {
				scored[i] = vecScored{uint(i + 1), vecCos(q, v)}
			}
			sort.Slice(scored, func(i, j int) bool { return scored[i].d < scored[j].d })
			for _, s := range scored[:10] {
				truth[qi] = append(truth[qi], s.id)
			}
		}
	}

	b.Run("ann-k10/indexed/"+label, func(b *testing.B) {
		loadIndexed(b)
		hits, total := 0, 0
		for i := 0; i < b.N; i++ {
			qi := i % len(queries)
			var got []row
			if err := db.Table("vec_bench").Scopes(vclause.Nearest("idx_vec_bench", queries[qi], 10)).Find(&got).Error; err != nil {
				b.Fatal(err)
			}
			for _, g := range got {
				if slices.Contains(truth[qi], g.ID) {
					hits++
				}
			}
			total += 10
		}
		b.ReportMetric(float64(hits)/float64(total), "recall@10")
		b.ReportMetric(indexedRate, "load-rows/s")
	})
	b.Run("exact-k10/indexed/"+label, func(b *testing.B) {
		loadIndexed(b)
		for i := 0; i < b.N; i++ {
			var ids []uint
			q := queries[i%len(queries)]
			if err := db.Table("vec_bench").Clauses(vclause.OrderByDistance{Column: "embedding", Vector: q}).Limit(10).Pluck("id", &ids).Error; err != nil {
				b.Fatal(err)
			}
		}
	})

	if truth == nil {
		return
	}
	var size int64
	_ = db.Raw("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()").Row().Scan(&size)
	b.Logf("database size with the index: %.0f MB", float64(size)/1e6)
}

func vecBenchEnv(name string, def int) int {
	if s := os.Getenv(name); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return n
		}
	}
	return def
}
