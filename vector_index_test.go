package libsql_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/gorm-libsql/libsql"
)

type vecIdxDoc struct {
	ID        uint
	Lang      string
	Embedding libsql.Vector `gorm:"size:4;index:idx_docs_embedding,type:vector"`
}

func (vecIdxDoc) TableName() string { return "docs" }

type vecIdxOpts struct {
	ID  uint
	A   libsql.Vector   `gorm:"size:4;index:idx_opts_a,type:vector,metric:l2,compress_neighbors:float8,max_neighbors:20"`
	B   libsql.Vector16 `gorm:"size:4;index:idx_opts_b,type:vector,option:metric=cosine max_neighbors=8 search_l=50"`
	C   libsql.Vector   `gorm:"size:4;index:,type:vector"`
	Tag string          `gorm:"index"`
}

func vecIndexSQL(t *testing.T, db *gorm.DB, name string) string {
	t.Helper()
	var sql string
	require.NoError(t, db.Raw("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", name).Row().Scan(&sql))
	// An embedded replica's copy of the schema has "name (" where the
	// primary has "name(".
	return strings.ReplaceAll(sql, " (", "(")
}

func TestVectorIndexFromTags(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		rec := newSQLRecorder()
		require.NoError(t, db.Session(&gorm.Session{Logger: rec}).AutoMigrate(&vecIdxDoc{}, &vecIdxOpts{}))
		assert.Contains(t, rec.ddl(), "CREATE INDEX `idx_docs_embedding` ON `docs`(libsql_vector_idx(`embedding`))")
		assert.Equal(t, "CREATE INDEX `idx_docs_embedding` ON `docs`(libsql_vector_idx(`embedding`))", vecIndexSQL(t, db, "idx_docs_embedding"))
		assert.Equal(t, "CREATE INDEX `idx_opts_a` ON `vec_idx_opts`(libsql_vector_idx(`a`, 'metric=l2', 'compress_neighbors=float8', 'max_neighbors=20'))", vecIndexSQL(t, db, "idx_opts_a"))
		assert.Equal(t, "CREATE INDEX `idx_opts_b` ON `vec_idx_opts`(libsql_vector_idx(`b`, 'metric=cosine', 'max_neighbors=8', 'search_l=50'))", vecIndexSQL(t, db, "idx_opts_b"))
		assert.Equal(t, "CREATE INDEX `idx_vec_idx_opts_c` ON `vec_idx_opts`(libsql_vector_idx(`c`))", vecIndexSQL(t, db, "idx_vec_idx_opts_c"))

		// The indexes work: the engine checks dimensions on insert and
		// finds rows.
		require.NoError(t, db.Create(&vecIdxDoc{Embedding: libsql.Vector{1, 0, 0, 0}}).Error)
		var ids []int64
		require.NoError(t, db.Raw("SELECT id FROM vector_top_k('idx_docs_embedding', ?, 5)", libsql.Vector{1, 0, 0, 0}).Scan(&ids).Error)
		assert.Equal(t, []int64{1}, ids)

		// A second AutoMigrate recreates nothing.
		rec.reset()
		require.NoError(t, db.Session(&gorm.Session{Logger: rec}).AutoMigrate(&vecIdxDoc{}, &vecIdxOpts{}))
		assert.Empty(t, rec.ddl())

		m := db.Migrator()
		assert.True(t, m.HasIndex(&vecIdxDoc{}, "idx_docs_embedding"))
		assert.True(t, m.HasIndex(&vecIdxDoc{}, "Embedding"), "by field name")

		indexes, err := m.GetIndexes(&vecIdxOpts{})
		require.NoError(t, err)
		got := map[string]gorm.Index{}
		for _, idx := range indexes {
			got[idx.Name()] = idx
		}
		require.Contains(t, got, "idx_opts_a")
		assert.Equal(t, []string{"a"}, got["idx_opts_a"].Columns())
		assert.Equal(t, "vector metric=l2 compress_neighbors=float8 max_neighbors=20", got["idx_opts_a"].Option())
		unique, _ := got["idx_opts_a"].Unique()
		assert.False(t, unique)
		assert.Equal(t, "vector metric=cosine max_neighbors=8 search_l=50", got["idx_opts_b"].Option())
		assert.Equal(t, "vector", got["idx_vec_idx_opts_c"].Option())
		assert.Equal(t, []string{"tag"}, got["idx_vec_idx_opts_tag"].Columns())
		assert.Equal(t, "", got["idx_vec_idx_opts_tag"].Option())
		assert.Len(t, indexes, 4, "the shadow tables' indexes are not the table's")

		// Drop and create again through the Migrator.
		require.NoError(t, m.DropIndex(&vecIdxOpts{}, "idx_opts_a"))
		assert.False(t, m.HasIndex(&vecIdxOpts{}, "idx_opts_a"))
		var shadows int
		require.NoError(t, db.Raw("SELECT count(*) FROM sqlite_master WHERE name LIKE 'idx_opts_a%'").Row().Scan(&shadows))
		assert.Zero(t, shadows, "DROP INDEX removes the shadow table")
		require.NoError(t, m.CreateIndex(&vecIdxOpts{}, "A"))
		assert.True(t, m.HasIndex(&vecIdxOpts{}, "idx_opts_a"))

		require.NoError(t, m.RenameIndex(&vecIdxOpts{}, "idx_opts_a", "idx_opts_a2"))
		assert.Contains(t, vecIndexSQL(t, db, "idx_opts_a2"), "libsql_vector_idx(`a`, 'metric=l2'")

		tables, err := m.GetTables()
		require.NoError(t, err)
		assert.Contains(t, tables, "docs")
		assert.Contains(t, tables, "vec_idx_opts")

		require.NoError(t, m.DropTable(&vecIdxDoc{}, &vecIdxOpts{}))
		require.NoError(t, db.Raw("SELECT count(*) FROM sqlite_master WHERE name LIKE '%shadow' AND name != 'libsql_vector_meta_shadow'").Row().Scan(&shadows))
		assert.Zero(t, shadows, "DROP TABLE removes the shadow tables")
	})
}

// TestVectorIndexShadowTablesHidden: GetTables lists the tables of the
// models, not the <index>_shadow tables libSQL keeps for vector indexes.
func TestVectorIndexShadowTablesHidden(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		require.NoError(t, db.AutoMigrate(&vecIdxDoc{}))
		tables, err := db.Migrator().GetTables()
		require.NoError(t, err)
		assert.Equal(t, []string{"docs"}, tables)
	})
}

type vecIdxBad struct {
	ID uint
	A  libsql.Vector `gorm:"size:4;index:idx_bad_metric,type:vector,metric:dot"`
	B  libsql.Vector `gorm:"size:4;index:idx_bad_unknown,type:vector,option:neighbours=3"`
	C  libsql.Vector `gorm:"size:4;uniqueIndex:idx_bad_unique,type:vector"`
	D  libsql.Vector `gorm:"size:4;index:idx_bad_count,type:vector,max_neighbors:0"`
	E  []byte        `gorm:"index:idx_bad_blob,type:vector"`
}

func TestVectorIndexErrors(t *testing.T) {
	db := openDB(t, libsql.Open(t.TempDir()+"/t.db"), nil)
	m := db.Migrator()
	require.NoError(t, db.Exec("CREATE TABLE vec_idx_bads (id integer PRIMARY KEY, a F32_BLOB(4), b F32_BLOB(4), c F32_BLOB(4), d F32_BLOB(4), e blob)").Error)
	for name, want := range map[string]string{
		"idx_bad_metric":  "metric=dot: want one of cosine, l2",
		"idx_bad_unknown": `unknown setting "neighbours"`,
		"idx_bad_unique":  "cannot be UNIQUE",
		"idx_bad_count":   "max_neighbors=0: want a positive integer",
		"idx_bad_blob":    "vector index \"idx_bad_blob\" on vec_idx_bads.e",
	} {
		err := m.CreateIndex(&vecIdxBad{}, name)
		if assert.Error(t, err, name) {
			assert.Contains(t, err.Error(), want)
		}
	}
}
