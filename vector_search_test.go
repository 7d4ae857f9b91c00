package libsql_test

import (
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"

	"github.com/gorm-libsql/libsql"
	vclause "github.com/gorm-libsql/libsql/clause"
)

type vecAuthor struct {
	ID   uint
	Name string
}

type vecItem struct {
	ID        uint
	Grp       int
	AuthorID  uint
	Author    vecAuthor
	Embedding libsql.Vector `gorm:"size:16;index:idx_vec_items_embedding,type:vector"`
	Distance  float64       `gorm:"->;-:migration"`
	Rank      int           `gorm:"column:nearest_rank;->;-:migration"`
}

func vecRandom(r *rand.Rand, dims int) libsql.Vector {
	v := make(libsql.Vector, dims)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return v
}

// vecCos and vecL2 compute libSQL's distances the way its C code does, in
// float32 in the same order, so that Go and the engine agree to the last
// bit on most inputs.
func vecCos(a, b []float32) float64 {
	var dot, na, nb float32
	for i := range a {
		dot += a[i] * b[i]
		na += a[i] * a[i]
		nb += b[i] * b[i]
	}
	return float64(float32(1.0 - float64(dot)/math.Sqrt(float64(na)*float64(nb))))
}

func vecL2(a, b []float32) float64 {
	var sum float32
	for i := range a {
		d := a[i] - b[i]
		sum += d * d
	}
	return float64(float32(math.Sqrt(float64(sum))))
}

type vecScored struct {
	id uint
	d  float64
}

// vecBrute returns the ids of items ordered by distance to q.
func vecBrute(items []vecItem, q libsql.Vector, dist func(a, b []float32) float64) []vecScored {
	s := make([]vecScored, len(items))
	for i, it := range items {
		s[i] = vecScored{it.ID, dist(q, it.Embedding)}
	}
	sort.SliceStable(s, func(i, j int) bool { return s[i].d < s[j].d })
	return s
}

func vecSeed(t testing.TB, db *gorm.DB, n, dims int, seed uint64) []vecItem {
	t.Helper()
	require.NoError(t, db.AutoMigrate(&vecAuthor{}, &vecItem{}))
	authors := []vecAuthor{{Name: "ann"}, {Name: "bob"}}
	require.NoError(t, db.Create(&authors).Error)
	r := rand.New(rand.NewPCG(seed, seed))
	items := make([]vecItem, n)
	for i := range items {
		items[i] = vecItem{Grp: i % 3, AuthorID: authors[i%2].ID, Embedding: vecRandom(r, dims)}
	}
	require.NoError(t, db.CreateInBatches(&items, 200).Error)
	return items
}

// TestVectorOrderByDistance: ordering by distance returns the rows in the
// order a Go brute force computes, for both metrics, and the selected
// distance is the computed one.
func TestVectorOrderByDistance(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		items := vecSeed(t, db, 300, 16, 1)
		r := rand.New(rand.NewPCG(2, 2))
		for _, m := range []struct {
			metric vclause.Metric
			dist   func(a, b []float32) float64
		}{{vclause.Cosine, vecCos}, {"", vecCos}, {vclause.L2, vecL2}} {
			for q := 0; q < 5; q++ {
				query := vecRandom(r, 16)
				want := vecBrute(items, query, m.dist)

				var got []vecItem
				require.NoError(t, db.Select("*, ?", vclause.Distance{Column: "embedding", Vector: query, Metric: m.metric}.As("distance")).
					Clauses(vclause.OrderByDistance{Column: "embedding", Vector: query, Metric: m.metric}).
					Limit(20).Find(&got).Error)
				require.Len(t, got, 20)
				for i, it := range got {
					assert.InDelta(t, want[i].d, it.Distance, 1e-6, "metric %q rank %d", m.metric, i)
					if want[i].id != it.ID {
						// only a tie (to float32 precision) may swap rows
						assert.InDelta(t, want[i].d, m.dist(query, items[it.ID-1].Embedding), 1e-6, "metric %q rank %d: got id %d, want %d", m.metric, i, it.ID, want[i].id)
					}
				}

				// Farthest first, as a []float32 query and with a Where.
				var far []vecItem
				require.NoError(t, db.Where("grp = ?", 1).
					Clauses(vclause.OrderByDistance{Column: "vec_items.embedding", Vector: []float32(query), Metric: m.metric, Desc: true}).
					Limit(5).Find(&far).Error)
				var wantFar []uint
				for i := len(want) - 1; i >= 0 && len(wantFar) < 5; i-- {
					if items[want[i].id-1].Grp == 1 {
						wantFar = append(wantFar, want[i].id)
					}
				}
				assert.Equal(t, wantFar, vecIDs(far))
			}
		}
	})
}

func vecIDs(items []vecItem) []uint {
	ids := make([]uint, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	return ids
}

// TestVectorOrderByDistanceComposes: Order calls before and after the
// distance keep their places; First adds its primary key after it.
func TestVectorOrderByDistanceComposes(t *testing.T) {
	db := openDB(t, libsql.Open(t.TempDir()+"/t.db"), nil)
	require.NoError(t, db.AutoMigrate(&vecAuthor{}, &vecItem{}))
	q := make(libsql.Vector, 16)
	dry := db.Session(&gorm.Session{DryRun: true})
	stmt := dry.Order("grp").Clauses(vclause.OrderByDistance{Column: "embedding", Vector: q, Metric: vclause.L2}).Order("id DESC").Find(&[]vecItem{}).Statement
	assert.Equal(t, "SELECT * FROM `vec_items` ORDER BY grp,vector_distance_l2(`vec_items`.`embedding`, ?),id DESC", stmt.SQL.String())
	require.Len(t, stmt.Vars, 1)
	assert.IsType(t, []byte(nil), stmt.Vars[0], "the query vector is one bound blob")

	stmt = dry.Clauses(vclause.OrderByDistance{Column: "embedding", Vector: q}).First(&vecItem{}).Statement
	assert.Equal(t, "SELECT * FROM `vec_items` ORDER BY vector_distance_cos(`vec_items`.`embedding`, ?),`vec_items`.`id` LIMIT 1", stmt.SQL.String())

	stmt = dry.Where("? < ?", vclause.Distance{Column: "embedding", Vector: q}, 0.5).Find(&[]vecItem{}).Statement
	assert.Equal(t, "SELECT * FROM `vec_items` WHERE vector_distance_cos(`vec_items`.`embedding`, ?) < ?", stmt.SQL.String())
	stmt = dry.Scopes(vclause.Nearest("idx_vec_items_embedding", q, 3)).Find(&[]vecItem{}).Statement
	assert.Equal(t, "SELECT * FROM `vec_items` JOIN (SELECT id AS nearest_id, row_number() OVER () AS nearest_rank FROM vector_top_k(?, ?, ?)) AS nearest ON nearest.nearest_id = `vec_items`.`rowid` ORDER BY `nearest`.`nearest_rank`", stmt.SQL.String())
	assert.Equal(t, []any{"idx_vec_items_embedding", vecMust(q.Value()), int64(3)}, stmt.Vars, "the index name, the query vector and k are bound")
	stmt = dry.Scopes(vclause.Nearest("idx_vec_items_embedding", q, 3)).Order(clause.OrderByColumn{Column: clause.Column{Name: "grp"}, Reorder: true}).Find(&[]vecItem{}).Statement
	assert.Contains(t, stmt.SQL.String(), "ORDER BY `grp`")
	assert.NotContains(t, stmt.SQL.String(), "nearest_rank`,")

	// a column of another precision converts the query vector in SQL
	type vecHalf struct {
		ID uint
		E  libsql.Vector16 `gorm:"size:2;index:idx_half,type:vector"`
	}
	require.NoError(t, db.AutoMigrate(&vecHalf{}))
	stmt = dry.Clauses(vclause.OrderByDistance{Column: "e", Vector: []float32{1, 2}}).Find(&[]vecHalf{}).Statement
	assert.Equal(t, "SELECT * FROM `vec_halves` ORDER BY vector_distance_cos(`vec_halves`.`e`, vector16(?))", stmt.SQL.String())
	stmt = dry.Clauses(vclause.OrderByDistance{Column: "e", Vector: libsql.Vector16{1, 2}}).Find(&[]vecHalf{}).Statement
	assert.Equal(t, "SELECT * FROM `vec_halves` ORDER BY vector_distance_cos(`vec_halves`.`e`, ?)", stmt.SQL.String())
	require.NoError(t, db.Create(&vecHalf{E: libsql.Vector16{1, 0}}).Error)
	require.NoError(t, db.Create(&vecHalf{E: libsql.Vector16{0, 1}}).Error)
	var halves []vecHalf
	require.NoError(t, db.Clauses(vclause.OrderByDistance{Column: "e", Vector: []float64{0.1, 1}}).Find(&halves).Error)
	assert.Equal(t, libsql.Vector16{0, 1}, halves[0].E)
	require.NoError(t, db.Scopes(vclause.Nearest("idx_half", []float32{1, 0.1}, 1)).Find(&halves).Error)
	assert.Equal(t, libsql.Vector16{1, 0}, halves[0].E)
}

// TestVectorNearest: the top-k query ranks like vector_top_k, joins the
// model back and composes with Where, Preload, Limit, Count and a selected
// distance.
func TestVectorNearest(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		items := vecSeed(t, db, 300, 16, 3)
		r := rand.New(rand.NewPCG(4, 4))
		for q := 0; q < 5; q++ {
			query := vecRandom(r, 16)
			var raw []uint
			require.NoError(t, db.Raw("SELECT id FROM vector_top_k('idx_vec_items_embedding', ?, 10)", query).Scan(&raw).Error)
			require.Len(t, raw, 10)

			var got []vecItem
			require.NoError(t, db.Scopes(vclause.Nearest("idx_vec_items_embedding", query, 10)).Find(&got).Error)
			assert.Equal(t, raw, vecIDs(got), "the engine's ranking")
			for i, it := range got {
				assert.Equal(t, i+1, it.Rank)
				assert.Equal(t, items[it.ID-1].Embedding, it.Embedding)
			}

			var filtered []vecItem
			require.NoError(t, db.Scopes(vclause.Nearest("idx_vec_items_embedding", query, 10)).
				Select("*, ?", vclause.Distance{Column: "embedding", Vector: query}.As("distance")).
				Where("grp = ?", 2).Preload("Author").Limit(2).Find(&filtered).Error)
			var want []uint
			for _, id := range raw {
				if items[id-1].Grp == 2 && len(want) < 2 {
					want = append(want, id)
				}
			}
			assert.Equal(t, want, vecIDs(filtered))
			for _, it := range filtered {
				assert.NotEmpty(t, it.Author.Name, "preloaded")
				assert.InDelta(t, vecCos(query, items[it.ID-1].Embedding), it.Distance, 1e-6)
			}

			var n int64
			require.NoError(t, db.Model(&vecItem{}).Scopes(vclause.Nearest("idx_vec_items_embedding", query, 7)).Count(&n).Error)
			assert.EqualValues(t, 7, n)
		}
	})
}

func TestVectorNearestRanksLikeBruteForce(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		items := vecSeed(t, db, 200, 16, 5)
		query := vecRandom(rand.New(rand.NewPCG(6, 6)), 16)
		var got []vecItem
		require.NoError(t, db.Scopes(vclause.Nearest("idx_vec_items_embedding", query, 5)).Find(&got).Error)
		want := vecBrute(items, query, vecCos)[:5]
		var wantIDs []uint
		for _, s := range want {
			wantIDs = append(wantIDs, s.id)
		}
		assert.Equal(t, wantIDs, vecIDs(got), "a small index is searched exhaustively")
	})
}

// TestVectorRecall: on 10,000 random 64-dimensional vectors, the top 10
// through the index hold at least 90% of the exact top 10.
func TestVectorRecall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 10,000-vector index")
	}
	for _, m := range modes {
		if m.name == "replica" && os.Getenv("LIBSQL_VECTOR_RECALL_REPLICA") == "" {
			continue // the same engine as remote, plus a sync; set LIBSQL_VECTOR_RECALL_REPLICA=1 to run it
		}
		t.Run(m.name, func(t *testing.T) {
			db := openDB(t, m.dialector(t), &gorm.Config{Logger: logger.Discard, SkipDefaultTransaction: true})
			type vecRecall struct {
				ID        uint
				Embedding libsql.Vector `gorm:"size:64;index:idx_recall,type:vector,compress_neighbors:float8,insert_l:30"`
			}
			require.NoError(t, db.AutoMigrate(&vecRecall{}))
			r := rand.New(rand.NewPCG(10, 10))
			rows := make([]vecRecall, 10000)
			for i := range rows {
				rows[i].Embedding = vecRandom(r, 64)
			}
			start := time.Now()
			require.NoError(t, db.CreateInBatches(&rows, 250).Error)
			t.Logf("inserted 10,000 vectors with the index in %v", time.Since(start).Round(time.Millisecond))

			const queries = 50
			hits := 0
			start = time.Now()
			for q := 0; q < queries; q++ {
				query := vecRandom(r, 64)
				var got []vecRecall
				require.NoError(t, db.Scopes(vclause.Nearest("idx_recall", query, 10)).Find(&got).Error)
				exact := make([]vecScored, len(rows))
				for i, row := range rows {
					exact[i] = vecScored{row.ID, vecCos(query, row.Embedding)}
				}
				sort.Slice(exact, func(i, j int) bool { return exact[i].d < exact[j].d })
				var truth []uint
				for _, s := range exact[:10] {
					truth = append(truth, s.id)
				}
				for _, g := range got {
					if slices.Contains(truth, g.ID) {
						hits++
					}
				}
			}
			recall := float64(hits) / (10 * queries)
			t.Logf("recall@10 = %.3f over %d queries (%v per query)", recall, queries, (time.Since(start) / queries).Round(time.Microsecond))
			assert.GreaterOrEqual(t, recall, 0.9)
		})
	}
}
