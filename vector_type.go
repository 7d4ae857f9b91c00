package libsql

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// Errors of vector values. Errors from vector columns, values and queries
// wrap one of these (the vector clauses in package
// github.com/gorm-libsql/libsql/clause have their own, with the same
// meaning).
var (
	// ErrVectorDimensions: a vector's number of dimensions differs from its
	// column's, or exceeds libSQL's 65536.
	ErrVectorDimensions = errors.New("libsql: wrong number of vector dimensions")
	// ErrVectorNotFinite: an element is NaN or infinite, or does not fit
	// the column's precision (F16 holds at most ±65504).
	ErrVectorNotFinite = errors.New("libsql: vector element is not finite")
	// ErrVectorFormat: a value read from the database is not a libSQL vector.
	ErrVectorFormat = errors.New("libsql: not a libSQL vector")
	// ErrVectorType: a vector of one precision is written to a column of
	// another (a Vector into an F16_BLOB column, say).
	ErrVectorType = errors.New("libsql: vector precision differs from its column's")
)

// Vector is a vector of float32: an F32_BLOB(n) column, libSQL's default
// vector type. Give the dimension with the size tag:
//
//	Embedding libsql.Vector `gorm:"size:384"` // F32_BLOB(384)
//
// A Vector is bound as a blob in libSQL's float32 layout (never as text);
// a nil Vector is NULL. Writing a Vector whose length differs from the
// column's dimension, or that holds NaN or ±Inf, fails with
// ErrVectorDimensions or ErrVectorNotFinite before anything is sent.
//
// The other precisions have types of their own, each bound in the layout
// libSQL's matching function produces: Vector64 (F64_BLOB, vector64),
// Vector16 (F16_BLOB, vector16), VectorB16 (FB16_BLOB, vectorb16), Vector8
// (F8_BLOB, vector8) and Vector1Bit (F1BIT_BLOB, vector1bit). A `type` tag
// such as `gorm:"type:F32_BLOB(384)"` may replace the size tag; it must name
// the type's own precision.
type Vector []float32

// Vector64 is a vector of float64: an F64_BLOB(n) column.
type Vector64 []float64

// Vector16 is a vector stored in half precision: an F16_BLOB(n) column.
// Elements are rounded to the nearest half-precision value when written
// (as libSQL's vector16 does) and must lie within ±65504; they read back as
// the rounded values.
type Vector16 []float32

// VectorB16 is a vector stored as bfloat16: an FB16_BLOB(n) column.
// Elements are truncated to bfloat16 when written (as libSQL's vectorb16
// does): float32's range with 8 bits of precision.
type VectorB16 []float32

// Vector8 is a vector quantized to 8 bits: an F8_BLOB(n) column. Each
// vector is stored as bytes q with a scale and offset, x = alpha*q + shift,
// where shift is its smallest element and alpha its range / 255 (libSQL's
// vector8); elements read back with that precision.
type Vector8 []float32

// Vector1Bit is a vector of signs: an F1BIT_BLOB(n) column. An element
// greater than 0 is stored as 1 and reads back as +1; any other as -1
// (libSQL's vector1bit). libSQL compares such vectors by Hamming distance
// (vector_distance_cos); it has no L2 distance for them.
type Vector1Bit []float32

// Value encodes v as an F32 blob; nil is NULL.
func (v Vector) Value() (driver.Value, error) { return valueOf(kindF32, v) }

// Value encodes v as an F64 blob; nil is NULL.
func (v Vector64) Value() (driver.Value, error) {
	if v == nil {
		return nil, nil
	}
	if err := checkLen(len(v)); err != nil {
		return nil, err
	}
	if err := checkFinite(v); err != nil {
		return nil, err
	}
	return encodeF64(v), nil
}

// Value encodes v as an F16 blob; nil is NULL.
func (v Vector16) Value() (driver.Value, error) { return valueOf(kindF16, v) }

// Value encodes v as an FB16 blob; nil is NULL.
func (v VectorB16) Value() (driver.Value, error) { return valueOf(kindFB16, v) }

// Value encodes v as an F8 blob; nil is NULL.
func (v Vector8) Value() (driver.Value, error) { return valueOf(kindF8, v) }

// Value encodes v as an F1BIT blob; nil is NULL.
func (v Vector1Bit) Value() (driver.Value, error) { return valueOf(kindF1Bit, v) }

func valueOf(kind vectorKind, v []float32) (driver.Value, error) {
	if v == nil {
		return nil, nil
	}
	return encodeVector(kind, v)
}

// Scan reads a vector blob of any libSQL type (converted to float32 as
// vector_extract does), libSQL's text form "[1,2,3]", or NULL (nil).
func (v *Vector) Scan(src any) error { return scanF32(src, (*[]float32)(v), "Vector") }

// Scan reads a vector like Vector.Scan, into float64.
func (v *Vector64) Scan(src any) error {
	f32, f64, null, err := scanAny(src, "Vector64")
	switch {
	case err != nil:
		return err
	case null:
		*v = nil
	case f64 != nil:
		*v = f64
	default:
		w := make(Vector64, len(f32))
		for i, x := range f32 {
			w[i] = float64(x)
		}
		*v = w
	}
	return nil
}

// Scan reads a vector like Vector.Scan.
func (v *Vector16) Scan(src any) error { return scanF32(src, (*[]float32)(v), "Vector16") }

// Scan reads a vector like Vector.Scan.
func (v *VectorB16) Scan(src any) error { return scanF32(src, (*[]float32)(v), "VectorB16") }

// Scan reads a vector like Vector.Scan.
func (v *Vector8) Scan(src any) error { return scanF32(src, (*[]float32)(v), "Vector8") }

// Scan reads a vector like Vector.Scan.
func (v *Vector1Bit) Scan(src any) error { return scanF32(src, (*[]float32)(v), "Vector1Bit") }

func scanF32(src any, dst *[]float32, name string) error {
	f32, f64, null, err := scanAny(src, name)
	switch {
	case err != nil:
		return err
	case null:
		*dst = nil
	case f64 != nil:
		w := make([]float32, len(f64))
		for i, x := range f64 {
			w[i] = float32(x)
		}
		*dst = w
	default:
		*dst = f32
	}
	return nil
}

func scanAny(src any, name string) (f32 []float32, f64 []float64, null bool, err error) {
	switch s := src.(type) {
	case nil:
		return nil, nil, true, nil
	case []byte:
		_, f32, f64, err = decodeVector(s)
	case string:
		f64, err = parseVectorText(s)
	default:
		err = fmt.Errorf("%w: cannot scan %T into libsql.%s", ErrVectorFormat, src, name)
	}
	return f32, f64, false, err
}

// GormDataType returns the column type without its dimension.
func (Vector) GormDataType() string { return kindInfo[kindF32].column }

// GormDataType returns the column type without its dimension.
func (Vector64) GormDataType() string { return kindInfo[kindF64].column }

// GormDataType returns the column type without its dimension.
func (Vector16) GormDataType() string { return kindInfo[kindF16].column }

// GormDataType returns the column type without its dimension.
func (VectorB16) GormDataType() string { return kindInfo[kindFB16].column }

// GormDataType returns the column type without its dimension.
func (Vector8) GormDataType() string { return kindInfo[kindF8].column }

// GormDataType returns the column type without its dimension.
func (Vector1Bit) GormDataType() string { return kindInfo[kindF1Bit].column }

// GormDBDataType returns the column type: F32_BLOB(size), or the field's
// type tag.
func (Vector) GormDBDataType(_ *gorm.DB, f *schema.Field) string { return dbDataType(kindF32, f) }

// GormDBDataType returns the column type: F64_BLOB(size), or the field's
// type tag.
func (Vector64) GormDBDataType(_ *gorm.DB, f *schema.Field) string { return dbDataType(kindF64, f) }

// GormDBDataType returns the column type: F16_BLOB(size), or the field's
// type tag.
func (Vector16) GormDBDataType(_ *gorm.DB, f *schema.Field) string { return dbDataType(kindF16, f) }

// GormDBDataType returns the column type: FB16_BLOB(size), or the field's
// type tag.
func (VectorB16) GormDBDataType(_ *gorm.DB, f *schema.Field) string { return dbDataType(kindFB16, f) }

// GormDBDataType returns the column type: F8_BLOB(size), or the field's
// type tag.
func (Vector8) GormDBDataType(_ *gorm.DB, f *schema.Field) string { return dbDataType(kindF8, f) }

// GormDBDataType returns the column type: F1BIT_BLOB(size), or the field's
// type tag.
func (Vector1Bit) GormDBDataType(_ *gorm.DB, f *schema.Field) string {
	return dbDataType(kindF1Bit, f)
}

func dbDataType(kind vectorKind, f *schema.Field) string {
	if t := f.TagSettings["TYPE"]; t != "" {
		return t
	}
	if f.Size > 0 {
		return kindInfo[kind].column + "(" + strconv.Itoa(f.Size) + ")"
	}
	return kindInfo[kind].column
}

// CreateClauses checks the vectors of a Create before it runs (see
// Vector).
func (Vector) CreateClauses(f *schema.Field) []clause.Interface {
	return checkClauses(kindF32, f, true)
}

// UpdateClauses checks the vectors of an Update before it runs.
func (Vector) UpdateClauses(f *schema.Field) []clause.Interface {
	return checkClauses(kindF32, f, false)
}

// CreateClauses checks the vectors of a Create before it runs.
func (Vector64) CreateClauses(f *schema.Field) []clause.Interface {
	return checkClauses(kindF64, f, true)
}

// UpdateClauses checks the vectors of an Update before it runs.
func (Vector64) UpdateClauses(f *schema.Field) []clause.Interface {
	return checkClauses(kindF64, f, false)
}

// CreateClauses checks the vectors of a Create before it runs.
func (Vector16) CreateClauses(f *schema.Field) []clause.Interface {
	return checkClauses(kindF16, f, true)
}

// UpdateClauses checks the vectors of an Update before it runs.
func (Vector16) UpdateClauses(f *schema.Field) []clause.Interface {
	return checkClauses(kindF16, f, false)
}

// CreateClauses checks the vectors of a Create before it runs.
func (VectorB16) CreateClauses(f *schema.Field) []clause.Interface {
	return checkClauses(kindFB16, f, true)
}

// UpdateClauses checks the vectors of an Update before it runs.
func (VectorB16) UpdateClauses(f *schema.Field) []clause.Interface {
	return checkClauses(kindFB16, f, false)
}

// CreateClauses checks the vectors of a Create before it runs.
func (Vector8) CreateClauses(f *schema.Field) []clause.Interface {
	return checkClauses(kindF8, f, true)
}

// UpdateClauses checks the vectors of an Update before it runs.
func (Vector8) UpdateClauses(f *schema.Field) []clause.Interface {
	return checkClauses(kindF8, f, false)
}

// CreateClauses checks the vectors of a Create before it runs.
func (Vector1Bit) CreateClauses(f *schema.Field) []clause.Interface {
	return checkClauses(kindF1Bit, f, true)
}

// UpdateClauses checks the vectors of an Update before it runs.
func (Vector1Bit) UpdateClauses(f *schema.Field) []clause.Interface {
	return checkClauses(kindF1Bit, f, false)
}

// vectorValue is implemented by the vector types: their precision, length
// and a check of their elements.
type vectorValue interface {
	vectorKind() vectorKind
	vectorLen() int
	vectorCheck() error
}

func (v Vector) vectorKind() vectorKind     { return kindF32 }
func (v Vector64) vectorKind() vectorKind   { return kindF64 }
func (v Vector16) vectorKind() vectorKind   { return kindF16 }
func (v VectorB16) vectorKind() vectorKind  { return kindFB16 }
func (v Vector8) vectorKind() vectorKind    { return kindF8 }
func (v Vector1Bit) vectorKind() vectorKind { return kindF1Bit }

func (v Vector) vectorLen() int     { return len(v) }
func (v Vector64) vectorLen() int   { return len(v) }
func (v Vector16) vectorLen() int   { return len(v) }
func (v VectorB16) vectorLen() int  { return len(v) }
func (v Vector8) vectorLen() int    { return len(v) }
func (v Vector1Bit) vectorLen() int { return len(v) }

func (v Vector) vectorCheck() error     { return checkVector(kindF32, v) }
func (v Vector64) vectorCheck() error   { _, err := v.Value(); return err }
func (v Vector16) vectorCheck() error   { return checkVector(kindF16, v) }
func (v VectorB16) vectorCheck() error  { return checkVector(kindFB16, v) }
func (v Vector8) vectorCheck() error    { return checkVector(kindF8, v) }
func (v Vector1Bit) vectorCheck() error { return checkVector(kindF1Bit, v) }

// checkVector reports what encodeVector would refuse in v, without
// encoding where it need not.
func checkVector(kind vectorKind, v []float32) error {
	if kind == kindF16 || kind == kindF8 {
		_, err := encodeVector(kind, v)
		return err
	}
	if err := checkLen(len(v)); err != nil {
		return err
	}
	return checkFinite(v)
}
