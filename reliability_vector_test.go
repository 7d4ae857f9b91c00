package libsql_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/gorm-libsql/libsql"
)

// biVec has a 3-dimensional float32 vector column.
type biVec struct {
	ID        uint
	Name      string
	Embedding libsql.Vector `gorm:"size:3"`
}

// TestReliabilityBadVectors is the vector part of the bad-input table in
// docs/reliability.md: a vector of the wrong dimension and one with a NaN
// or infinite element fail with a clear error before anything is written,
// in every mode.
func TestReliabilityBadVectors(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		require.NoError(t, db.AutoMigrate(&biVec{}))
		require.NoError(t, db.Create(&biVec{Name: "ok", Embedding: libsql.Vector{1, 2, 3}}).Error)
		count := func() int64 {
			var n int64
			require.NoError(t, db.Model(&biVec{}).Count(&n).Error)
			return n
		}
		rows := []struct {
			name string
			vec  libsql.Vector
			ce   clearError
		}{
			{"too many dimensions", libsql.Vector{1, 2, 3, 4}, clearError{is: []error{libsql.ErrVectorDimensions}, names: []string{"dimensions"}}},
			{"too few dimensions", libsql.Vector{1}, clearError{is: []error{libsql.ErrVectorDimensions}, names: []string{"dimensions"}}},
			{"empty", libsql.Vector{}, clearError{is: []error{libsql.ErrVectorDimensions}, names: []string{"dimensions"}}},
			{"NaN element", libsql.Vector{1, float32(math.NaN()), 3}, clearError{is: []error{libsql.ErrVectorNotFinite}, names: []string{"not finite"}}},
			{"infinite element", libsql.Vector{1, 2, float32(math.Inf(-1))}, clearError{is: []error{libsql.ErrVectorNotFinite}, names: []string{"not finite"}}},
		}
		for _, r := range rows {
			t.Run(r.name, func(t *testing.T) {
				assert.NotPanics(t, func() {
					r.ce.check(t, db.Create(&biVec{Name: r.name, Embedding: r.vec}).Error)
					r.ce.check(t, db.Model(&biVec{}).Where("name = ?", "ok").Update("embedding", r.vec).Error)
				})
				assert.EqualValues(t, 1, count(), "nothing was written")
				var v biVec
				require.NoError(t, db.Where("name = ?", "ok").First(&v).Error)
				assert.Equal(t, libsql.Vector{1, 2, 3}, v.Embedding, "the existing vector is unchanged")
			})
		}

		// Values stored behind GORM's back, read into a Vector: libSQL's
		// text form and other precisions convert (as documented on
		// Vector.Scan); anything else is a clear error.
		for name, expr := range map[string]string{"text form": "'[1,2,3]'", "float64 vector": "vector64('[1,2,3]')"} {
			t.Run("reading "+name, func(t *testing.T) {
				require.NoError(t, db.Exec("INSERT INTO bi_vecs (name, embedding) VALUES (?, "+expr+")", name).Error)
				var v biVec
				require.NoError(t, db.Where("name = ?", name).First(&v).Error)
				assert.Equal(t, libsql.Vector{1, 2, 3}, v.Embedding)
			})
		}
		for name, expr := range map[string]string{
			"junk blob": "x'0102'", "truncated vector": "substr(vector32('[1,2,3]'), 1, 7)", "integer": "42",
			"junk text": "'1 OR 1=1'", "unfinished text": "'[1,2,'",
		} {
			t.Run("reading "+name, func(t *testing.T) {
				require.NoError(t, db.Exec("INSERT INTO bi_vecs (name, embedding) VALUES (?, "+expr+")", name).Error)
				var v biVec
				assert.NotPanics(t, func() {
					clearError{is: []error{libsql.ErrVectorFormat}, names: []string{"vector"}}.check(t, db.Where("name = ?", name).First(&v).Error)
				})
			})
		}
	})
}
