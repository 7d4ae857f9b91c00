package libsql_test

import (
	"database/sql/driver"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/gorm-libsql/libsql"
)

type vecDoc struct {
	ID        uint
	Title     string
	Embedding libsql.Vector `gorm:"size:3"`
}

// vecAll has a column of every precision.
type vecAll struct {
	ID   uint
	F32  libsql.Vector     `gorm:"size:5"`
	F64  libsql.Vector64   `gorm:"size:5"`
	F16  libsql.Vector16   `gorm:"size:5"`
	FB16 libsql.VectorB16  `gorm:"size:5"`
	F8   libsql.Vector8    `gorm:"size:5"`
	F1   libsql.Vector1Bit `gorm:"size:5"`
	Tag  libsql.Vector16   `gorm:"type:F16_BLOB(5)"`
}

func vecColumnTypes(t *testing.T, db *gorm.DB, table string) map[string]string {
	t.Helper()
	var rows []struct{ Name, Type string }
	require.NoError(t, db.Raw("SELECT name, type FROM pragma_table_info(?)", table).Scan(&rows).Error)
	out := map[string]string{}
	for _, r := range rows {
		out[r.Name] = r.Type
	}
	return out
}

func TestVectorColumnTypes(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		require.NoError(t, db.AutoMigrate(&vecDoc{}, &vecAll{}))
		assert.Equal(t, "F32_BLOB(3)", vecColumnTypes(t, db, "vec_docs")["embedding"])
		assert.Equal(t, map[string]string{
			"f32": "F32_BLOB(5)", "f64": "F64_BLOB(5)", "f16": "F16_BLOB(5)",
			"fb16": "FB16_BLOB(5)", "f8": "F8_BLOB(5)", "f1": "F1BIT_BLOB(5)", "tag": "F16_BLOB(5)",
		}, vecWithout(vecColumnTypes(t, db, "vec_alls"), "id"))

		rec := newSQLRecorder()
		require.NoError(t, db.Session(&gorm.Session{Logger: rec}).AutoMigrate(&vecDoc{}, &vecAll{}))
		assert.Empty(t, rec.ddl(), "a second AutoMigrate changed the schema")
	})
}

// TestVectorBoundAsBlob: values go to the engine as blobs in libSQL's own
// layout (the bytes its vector32() makes), never as text; nil is NULL.
func TestVectorBoundAsBlob(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		require.NoError(t, db.AutoMigrate(&vecDoc{}))
		require.NoError(t, db.Create(&vecDoc{Title: "a", Embedding: libsql.Vector{1, -2.5, 3e-7}}).Error)
		require.NoError(t, db.Create(&vecDoc{Title: "nil"}).Error)

		var row struct {
			Typ  string
			Same bool
			Hex  string
		}
		require.NoError(t, db.Raw("SELECT typeof(embedding) AS typ, embedding = vector32('[1,-2.5,3e-7]') AS same, hex(embedding) AS hex FROM vec_docs WHERE title = 'a'").Scan(&row).Error)
		assert.Equal(t, "blob", row.Typ)
		assert.True(t, row.Same, "stored %s", row.Hex)
		assert.Equal(t, "0000803F000020C0"+fmt.Sprintf("%08X", vecBE(math.Float32bits(3e-7))), row.Hex)

		require.NoError(t, db.Raw("SELECT typeof(embedding) AS typ FROM vec_docs WHERE title = 'nil'").Scan(&row).Error)
		assert.Equal(t, "null", row.Typ)

		var docs []vecDoc
		require.NoError(t, db.Order("id").Find(&docs).Error)
		require.Len(t, docs, 2)
		assert.Equal(t, libsql.Vector{1, -2.5, 3e-7}, docs[0].Embedding)
		assert.Nil(t, docs[1].Embedding)
	})
}

// vecBE returns the bytes of a little-endian uint32 as a big-endian number,
// so that %08X prints them in memory order.
func vecBE(u uint32) uint32 {
	return u<<24 | (u<<8)&0xff0000 | (u>>8)&0xff00 | u>>24
}

// TestVectorPrecisionsMatchEngine: for every precision, the blob a Go value
// binds is the one libSQL's conversion function makes from the same
// float32s (compared through vector_extract, as F8 leaves its alignment
// bytes uninitialised), values read back as the engine decodes them, and
// blobs the engine makes read back the same way.
func TestVectorPrecisionsMatchEngine(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		require.NoError(t, db.AutoMigrate(&vecAll{}))
		r := rand.New(rand.NewPCG(7, 7))
		for i := 0; i < 20; i++ {
			v := make([]float32, 5)
			for j := range v {
				switch i % 4 {
				case 0:
					v[j] = float32(r.NormFloat64())
				case 1:
					v[j] = float32(r.NormFloat64() * 1000)
				case 2:
					v[j] = float32(r.NormFloat64() * 1e-6) // F16 subnormals
				default:
					v[j] = float32(r.IntN(5) - 2)
				}
			}
			v64 := make([]float64, 5)
			for j := range v {
				v64[j] = float64(v[j]) + 1e-12
			}
			row := vecAll{F32: v, F64: v64, F16: v, FB16: v, F8: v, F1: v, Tag: v}
			require.NoError(t, db.Create(&row).Error)

			blob := libsql.Vector(v)
			for _, c := range []struct{ col, fn string }{
				{"f32", "vector32"}, {"f16", "vector16"}, {"fb16", "vectorb16"}, {"f8", "vector8"}, {"f1", "vector1bit"}, {"tag", "vector16"},
			} {
				var got struct{ Mine, Engine string }
				require.NoError(t, db.Raw(fmt.Sprintf("SELECT vector_extract(%s) AS mine, vector_extract(%s(?)) AS engine FROM vec_alls WHERE id = ?", c.col, c.fn), blob, row.ID).Scan(&got).Error)
				assert.Equal(t, got.Engine, got.Mine, "%s of %v", c.col, v)
				if c.col != "f8" {
					var same bool
					require.NoError(t, db.Raw(fmt.Sprintf("SELECT %s = %s(?) FROM vec_alls WHERE id = ?", c.col, c.fn), blob, row.ID).Row().Scan(&same))
					assert.True(t, same, "%s of %v: bytes differ", c.col, v)
				}
			}
			var same bool
			require.NoError(t, db.Raw("SELECT f64 = vector64(?) FROM vec_alls WHERE id = ?", libsql.Vector64(v64), row.ID).Row().Scan(&same))
			assert.True(t, same)

			// Read back: as the engine decodes, and blobs the engine wrote
			// decode the same way.
			var got vecAll
			require.NoError(t, db.First(&got, row.ID).Error)
			assert.Equal(t, libsql.Vector(v), got.F32)
			assert.Equal(t, libsql.Vector64(v64), got.F64)
			var eng struct {
				F16, FB16, F8, F1 libsql.Vector
			}
			require.NoError(t, db.Raw("SELECT vector16(?1) AS f16, vectorb16(?1) AS fb16, vector8(?1) AS f8, vector1bit(?1) AS f1", blob).Scan(&eng).Error)
			assert.Equal(t, []float32(eng.F16), []float32(got.F16))
			assert.Equal(t, []float32(eng.FB16), []float32(got.FB16))
			assert.Equal(t, []float32(eng.F8), []float32(got.F8))
			assert.Equal(t, []float32(eng.F1), []float32(got.F1))
			assert.Equal(t, got.F16, got.Tag)
			var text struct{ F16, F8 string }
			require.NoError(t, db.Raw("SELECT vector_extract(f16) AS f16, vector_extract(f8) AS f8 FROM vec_alls WHERE id = ?", row.ID).Scan(&text).Error)
			var fromText libsql.Vector16
			require.NoError(t, fromText.Scan(text.F16))
			assert.InDeltaSlice(t, vecF64(got.F16), vecF64(fromText), 1e-3)
			for j, x := range got.F1 {
				if v[j] > 0 {
					assert.Equal(t, float32(1), x)
				} else {
					assert.Equal(t, float32(-1), x)
				}
			}
		}
	})
}

func vecF64[T ~[]float32](v T) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func TestVectorValueErrors(t *testing.T) {
	for _, v := range []driver.Valuer{
		libsql.Vector{1, float32(math.NaN())}, libsql.Vector64{math.Inf(1)}, libsql.Vector16{float32(math.Inf(-1))},
		libsql.VectorB16{float32(math.NaN())}, libsql.Vector8{1, float32(math.NaN())}, libsql.Vector1Bit{float32(math.NaN())},
		libsql.Vector16{70000}, libsql.Vector8{-3e38, 3e38},
	} {
		_, err := v.Value()
		assert.ErrorIs(t, err, libsql.ErrVectorNotFinite, "%T%v", v, v)
	}
	_, err := make(libsql.Vector, 65537).Value()
	assert.ErrorIs(t, err, libsql.ErrVectorDimensions)

	for _, src := range []any{[]byte{1, 2, 3}, []byte{1, 2}, []byte{0, 0, 0, 0, 9}, "[1,x]", "1,2", 42} {
		var v libsql.Vector
		assert.ErrorIs(t, v.Scan(src), libsql.ErrVectorFormat, "%v", src)
	}
	var v libsql.Vector
	require.NoError(t, v.Scan("[1, 2.5 ,-3]"))
	assert.Equal(t, libsql.Vector{1, 2.5, -3}, v)
	require.NoError(t, v.Scan(nil))
	assert.Nil(t, v)
	require.NoError(t, v.Scan([]byte{}))
	assert.Equal(t, libsql.Vector{}, v)
}

func vecWithout(m map[string]string, key string) map[string]string {
	delete(m, key)
	return m
}
