package libsql_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/gorm-libsql/libsql"
	vclause "github.com/gorm-libsql/libsql/clause"
)

type vecPlain struct { // no vector index: the engine checks nothing
	ID        uint
	Embedding libsql.Vector `gorm:"size:3"`
}

type vecIndexed struct {
	ID        uint
	Name      string        `gorm:"index:idx_vec_indexed_name"`
	Embedding libsql.Vector `gorm:"size:3;index:idx_vec_indexed,type:vector"`
}

type vecMistyped struct {
	ID        uint
	Embedding libsql.Vector `gorm:"type:F16_BLOB(3)"`
}

func vecCount(t *testing.T, db *gorm.DB, table string) int64 {
	t.Helper()
	var n int64
	require.NoError(t, db.Table(table).Count(&n).Error)
	return n
}

// TestVectorWriteErrors: a vector of the wrong dimension or with a
// non-finite element fails before it is written, with or without a vector
// index, on Create, CreateInBatches, Save, Update and Updates.
func TestVectorWriteErrors(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		require.NoError(t, db.AutoMigrate(&vecPlain{}, &vecIndexed{}, &vecMistyped{}))

		err := db.Create(&vecPlain{Embedding: libsql.Vector{1, 2}}).Error
		assert.ErrorIs(t, err, libsql.ErrVectorDimensions)
		assert.EqualError(t, err, "libsql: wrong number of vector dimensions: column vec_plains.embedding has 3 dimensions, the vector has 2")
		assert.ErrorIs(t, db.Create(&vecIndexed{Embedding: libsql.Vector{1, 2, 3, 4}}).Error, libsql.ErrVectorDimensions)
		err = db.Create(&vecPlain{Embedding: libsql.Vector{1, float32(math.NaN()), 3}}).Error
		assert.ErrorIs(t, err, libsql.ErrVectorNotFinite)
		assert.EqualError(t, err, "column vec_plains.embedding: libsql: vector element is not finite: element 1 is NaN")
		assert.ErrorIs(t, db.Create(&vecIndexed{Embedding: libsql.Vector{float32(math.Inf(1)), 0, 0}}).Error, libsql.ErrVectorNotFinite)

		batch := []vecPlain{{Embedding: libsql.Vector{1, 2, 3}}, {Embedding: libsql.Vector{1, 2, 3}}, {Embedding: libsql.Vector{1}}}
		err = db.CreateInBatches(&batch, 10).Error
		assert.ErrorIs(t, err, libsql.ErrVectorDimensions)
		assert.Contains(t, err.Error(), "row 2: ")
		assert.Zero(t, vecCount(t, db, "vec_plains"), "nothing written")

		ok := vecPlain{Embedding: libsql.Vector{1, 2, 3}}
		require.NoError(t, db.Create(&ok).Error)
		ok.Embedding = libsql.Vector{1, 2}
		assert.ErrorIs(t, db.Save(&ok).Error, libsql.ErrVectorDimensions)
		assert.ErrorIs(t, db.Model(&ok).Update("embedding", libsql.Vector{1}).Error, libsql.ErrVectorDimensions)
		assert.ErrorIs(t, db.Model(&ok).Updates(map[string]any{"Embedding": libsql.Vector{1, 2, 3, 4}}).Error, libsql.ErrVectorDimensions)
		assert.ErrorIs(t, db.Model(&ok).Updates(vecPlain{Embedding: libsql.Vector{1}}).Error, libsql.ErrVectorDimensions)
		assert.ErrorIs(t, db.Model(&vecPlain{}).Create(map[string]any{"embedding": libsql.Vector{1}}).Error, libsql.ErrVectorDimensions)
		err = db.Model(&ok).Update("embedding", []float32{1, 2, 3}).Error
		assert.ErrorIs(t, err, libsql.ErrVectorType)
		assert.Contains(t, err.Error(), "convert it to libsql.Vector")
		// what is not written is not checked
		require.NoError(t, db.Model(&ok).Omit("embedding").Updates(vecPlain{ID: ok.ID, Embedding: libsql.Vector{1}}).Error)
		require.NoError(t, db.Model(&ok).Update("embedding", nil).Error)
		require.NoError(t, db.Model(&ok).Update("embedding", libsql.Vector{3, 2, 1}).Error)
		var back vecPlain
		require.NoError(t, db.First(&back, ok.ID).Error)
		assert.Equal(t, libsql.Vector{3, 2, 1}, back.Embedding)

		err = db.Create(&vecMistyped{Embedding: libsql.Vector{1, 2, 3}}).Error
		assert.ErrorIs(t, err, libsql.ErrVectorType)
		assert.Contains(t, err.Error(), "use libsql.Vector16")
	})
}

// TestVectorQueryErrors: a query vector of the wrong dimension or with a
// non-finite element fails before the query is sent (also on an empty table
// or a column without an index, where the engine would not notice); so do
// top-k without a vector index and k < 1.
func TestVectorQueryErrors(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		require.NoError(t, db.AutoMigrate(&vecPlain{}, &vecIndexed{}))
		var docs []vecPlain
		err := db.Clauses(vclause.OrderByDistance{Column: "embedding", Vector: []float32{1, 2}}).Find(&docs).Error
		assert.ErrorIs(t, err, vclause.ErrDimensions)
		assert.EqualError(t, err, "libsql: wrong number of vector dimensions: column vec_plains.embedding has 3 dimensions, the query vector has 2")
		assert.ErrorIs(t, db.Select("*, ?", vclause.Distance{Column: "embedding", Vector: libsql.Vector{1}}.As("d")).Find(&docs).Error, vclause.ErrDimensions)
		assert.ErrorIs(t, db.Clauses(vclause.OrderByDistance{Column: "embedding", Vector: []float64{1, math.NaN(), 3}}).Find(&docs).Error, vclause.ErrNotFinite)
		err = db.Clauses(vclause.OrderByDistance{Column: "embedding", Vector: libsql.Vector{1, float32(math.Inf(1)), 3}}).Find(&docs).Error
		assert.ErrorIs(t, err, libsql.ErrVectorNotFinite)
		assert.ErrorIs(t, db.Clauses(vclause.OrderByDistance{Column: "embedding", Vector: []float32{1, 2, 3}, Metric: "dot"}).Find(&docs).Error, vclause.ErrInvalid)
		assert.ErrorIs(t, db.Clauses(vclause.OrderByDistance{Column: "embedding", Vector: "[1,2,3]"}).Find(&docs).Error, vclause.ErrInvalid)

		// Without a model the engine checks, once rows exist.
		require.NoError(t, db.Create(&vecPlain{Embedding: libsql.Vector{1, 2, 3}}).Error)
		var ids []int
		err = db.Table("vec_plains").Clauses(vclause.OrderByDistance{Column: "embedding", Vector: []float32{1, 2}}).Pluck("id", &ids).Error
		if assert.Error(t, err) {
			assert.Contains(t, err.Error(), "vectors must have the same length: 3 != 2")
		}

		var found []vecIndexed
		err = db.Scopes(vclause.Nearest("idx_vec_indexed", []float32{1, 2}, 5)).Find(&found).Error
		assert.ErrorIs(t, err, vclause.ErrDimensions)
		assert.EqualError(t, err, "libsql: wrong number of vector dimensions: column vec_indexeds.embedding has 3 dimensions, the query vector has 2")
		assert.ErrorIs(t, db.Scopes(vclause.Nearest("idx_vec_indexed", []float32{1, 2, 3}, 0)).Find(&found).Error, vclause.ErrInvalid)

		// No index of that name, in the model or the database.
		err = db.Scopes(vclause.Nearest("idx_missing", []float32{1, 2, 3}, 5)).Find(&found).Error
		assert.ErrorIs(t, err, vclause.ErrNoVectorIndex)
		assert.Contains(t, err.Error(), `"idx_missing" does not exist`)
		err = db.Table("vec_plains").Scopes(vclause.Nearest("idx_missing", []float32{1, 2, 3}, 5)).Find(&[]map[string]any{}).Error
		assert.ErrorIs(t, err, vclause.ErrNoVectorIndex)
		// An ordinary index, declared in the model or not.
		err = db.Scopes(vclause.Nearest("idx_vec_indexed_name", []float32{1, 2, 3}, 5)).Find(&found).Error
		assert.ErrorIs(t, err, vclause.ErrNoVectorIndex)
		assert.Contains(t, err.Error(), "is not declared as a vector index")
		err = db.Table("vec_indexeds").Scopes(vclause.Nearest("idx_vec_indexed_name", []float32{1, 2, 3}, 5)).Find(&[]map[string]any{}).Error
		assert.ErrorIs(t, err, vclause.ErrNoVectorIndex)
		assert.Contains(t, err.Error(), "is an ordinary index, not a vector index")
		// A model index missing from the database: the engine's error,
		// explained.
		require.NoError(t, db.Migrator().DropIndex(&vecIndexed{}, "idx_vec_indexed"))
		err = db.Scopes(vclause.Nearest("idx_vec_indexed", []float32{1, 2, 3}, 5)).Find(&found).Error
		assert.ErrorIs(t, err, vclause.ErrNoVectorIndex)
	})
}
