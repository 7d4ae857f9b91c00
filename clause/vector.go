package clause

import (
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"gorm.io/gorm"
	gclause "gorm.io/gorm/clause"
	"gorm.io/gorm/migrator"
	"gorm.io/gorm/schema"
)

// Errors of vector clauses. The statement fails with an error wrapping one
// of these before it is sent.
var (
	// ErrDimensions: the query vector's number of dimensions differs from
	// the column's.
	ErrDimensions = errors.New("libsql: wrong number of vector dimensions")
	// ErrNotFinite: an element of the query vector is NaN or infinite.
	ErrNotFinite = errors.New("libsql: vector element is not finite")
	// ErrNoVectorIndex: Nearest names an index that does not exist or is
	// not a vector index.
	ErrNoVectorIndex = errors.New("libsql: no such vector index")
	// ErrInvalid: a clause is malformed (no column, an unknown metric, k
	// below 1, a query vector of an unsupported type).
	ErrInvalid = errors.New("libsql: invalid vector clause")
)

// libSQL's vector type codes, the trailing byte of its vector blobs.
const (
	kindF32   = 1
	kindF64   = 2
	kindF1Bit = 3
	kindF8    = 4
	kindF16   = 5
	kindFB16  = 6
)

const maxDims = 65536 // libSQL's MAX_VECTOR_SZ

// kinds maps column type names to vector types, and functions vector types
// to libSQL's conversion functions.
var (
	kinds = map[string]int{
		"FLOAT32": kindF32, "F32_BLOB": kindF32,
		"FLOAT64": kindF64, "F64_BLOB": kindF64,
		"FLOAT1BIT": kindF1Bit, "F1BIT_BLOB": kindF1Bit,
		"FLOAT8": kindF8, "F8_BLOB": kindF8,
		"FLOAT16": kindF16, "F16_BLOB": kindF16,
		"FLOATB16": kindFB16, "FB16_BLOB": kindFB16,
	}
	functions = map[int]string{
		kindF32: "vector32", kindF64: "vector64", kindF1Bit: "vector1bit",
		kindF8: "vector8", kindF16: "vector16", kindFB16: "vectorb16",
	}
)

// columnSpec is a vector column's type as the model declares it.
type columnSpec struct {
	kind int // 0: unknown
	dims int // 0: unknown
	name string
}

// parseColumnType reads a declared type such as "F16_BLOB(384)".
func parseColumnType(declared string) (kind, dims int) {
	base, args, hasArgs := strings.Cut(strings.TrimSpace(declared), "(")
	kind = kinds[strings.ToUpper(strings.TrimSpace(base))]
	if kind != 0 && hasArgs {
		dims, _ = strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(args), ")")))
	}
	return kind, dims
}

// specOf returns the column type of a model field: its type tag, else the
// type its Go type declares (GormDBDataType), else its GORM data type and
// size.
func specOf(stmt *gorm.Statement, f *schema.Field) columnSpec {
	spec := columnSpec{name: f.DBName}
	if f.Schema != nil {
		spec.name = f.Schema.Table + "." + f.DBName
	}
	declared := f.TagSettings["TYPE"]
	if declared == "" {
		if t, ok := reflect.New(f.IndirectFieldType).Interface().(migrator.GormDataTypeInterface); ok && stmt != nil {
			declared = t.GormDBDataType(stmt.DB, f)
		}
	}
	if declared == "" {
		declared = string(f.DataType)
	}
	spec.kind, spec.dims = parseColumnType(declared)
	if spec.kind != 0 && spec.dims == 0 && f.Size > 0 {
		spec.dims = f.Size
	}
	return spec
}

// resolveColumn turns "embedding" or "docs.embedding" into a column of the
// statement, qualified with its table when the model has it, and its type.
func resolveColumn(stmt *gorm.Statement, name string) (gclause.Column, columnSpec) {
	table, column := "", name
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		table, column = name[:i], name[i+1:]
	}
	col := gclause.Column{Table: table, Name: column}
	if stmt == nil || stmt.Schema == nil || (table != "" && table != stmt.Table && table != stmt.Schema.Table) {
		return col, columnSpec{name: name}
	}
	f := stmt.Schema.LookUpField(column)
	if f == nil || f.DBName == "" {
		return col, columnSpec{name: name}
	}
	if table == "" {
		col.Table = gclause.CurrentTable
	}
	col.Name = f.DBName
	return col, specOf(stmt, f)
}

// queryVector is a query vector ready to bind.
type queryVector struct {
	blob []byte
	kind int
	dims int
}

// bind writes the query vector as a parameter, converted to the column's
// precision when it has another.
func (q queryVector) bind(builder gclause.Builder, spec columnSpec) {
	fn := ""
	if spec.kind != 0 && spec.kind != q.kind {
		fn = functions[spec.kind]
	}
	if fn != "" {
		builder.WriteString(fn)
		builder.WriteByte('(')
	}
	builder.AddVar(builder, q.blob)
	if fn != "" {
		builder.WriteByte(')')
	}
}

// toQueryVector encodes v and checks it against the column.
func toQueryVector(v any, spec columnSpec) (queryVector, error) {
	q, err := encodeQuery(v)
	if err != nil {
		return q, err
	}
	if spec.dims > 0 && q.dims != spec.dims {
		return q, fmt.Errorf("%w: column %s has %d dimensions, the query vector has %d", ErrDimensions, spec.name, spec.dims, q.dims)
	}
	return q, nil
}

func encodeQuery(v any) (queryVector, error) {
	switch x := v.(type) {
	case nil:
		return queryVector{}, fmt.Errorf("%w: the query vector is nil", ErrInvalid)
	case []float32:
		return encodeF32(x)
	case []float64:
		return encodeF64(x)
	case driver.Valuer:
		if rv := reflect.ValueOf(x); (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Slice) && rv.IsNil() {
			return queryVector{}, fmt.Errorf("%w: the query vector is nil", ErrInvalid)
		}
		val, err := x.Value()
		if err != nil {
			return queryVector{}, fmt.Errorf("query vector: %w", err)
		}
		b, ok := val.([]byte)
		if !ok {
			return queryVector{}, fmt.Errorf("%w: the query vector's Value is %T, not a vector blob", ErrInvalid, val)
		}
		return fromBlob(b)
	case []byte:
		return fromBlob(x)
	}
	// named slice types without a Value method
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice {
		switch rv.Type().Elem().Kind() {
		case reflect.Float32:
			return encodeF32(rv.Convert(reflect.TypeFor[[]float32]()).Interface().([]float32))
		case reflect.Float64:
			return encodeF64(rv.Convert(reflect.TypeFor[[]float64]()).Interface().([]float64))
		}
	}
	return queryVector{}, fmt.Errorf("%w: a query vector must be []float32, []float64 or a driver.Valuer of a vector blob (libsql.Vector), not %T", ErrInvalid, v)
}

func checkElements[T float32 | float64](v []T) error {
	if len(v) > maxDims {
		return fmt.Errorf("%w: %d dimensions, libSQL allows at most %d", ErrDimensions, len(v), maxDims)
	}
	for i, x := range v {
		if f := float64(x); math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%w: query vector element %d is %v", ErrNotFinite, i, f)
		}
	}
	return nil
}

func encodeF32(v []float32) (queryVector, error) {
	if err := checkElements(v); err != nil {
		return queryVector{}, err
	}
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return queryVector{blob: b, kind: kindF32, dims: len(v)}, nil
}

func encodeF64(v []float64) (queryVector, error) {
	if err := checkElements(v); err != nil {
		return queryVector{}, err
	}
	b := make([]byte, 8*len(v)+1)
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
	b[len(b)-1] = kindF64
	return queryVector{blob: b, kind: kindF64, dims: len(v)}, nil
}

// fromBlob reads the type and dimensions of a vector blob from its length
// and trailing bytes, as libSQL does; the engine validates the rest.
func fromBlob(b []byte) (queryVector, error) {
	q := queryVector{blob: b}
	n := len(b)
	bad := func() (queryVector, error) {
		return queryVector{}, fmt.Errorf("%w: the query vector is not a libSQL vector blob (%d bytes)", ErrInvalid, len(b))
	}
	if n%2 == 0 {
		if n%4 != 0 {
			return bad()
		}
		q.kind, q.dims = kindF32, n/4
		return q, nil
	}
	q.kind = int(b[n-1])
	n--
	switch q.kind {
	case kindF32:
		q.dims = n / 4
	case kindF64:
		q.dims = n / 8
	case kindF16, kindFB16:
		q.dims = n / 2
	case kindF8:
		if n < 10 {
			return bad()
		}
		q.dims = n - 10 - int(b[n-1])
	case kindF1Bit:
		if n < 2 {
			return bad()
		}
		q.dims = 8*n - int(b[n-1])
	default:
		return bad()
	}
	if q.dims < 0 {
		return bad()
	}
	return q, nil
}

// statementOf returns the statement a clause is built into, or nil.
func statementOf(builder gclause.Builder) *gorm.Statement {
	stmt, _ := builder.(*gorm.Statement)
	return stmt
}
