package libsql

import (
	"fmt"
	"reflect"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// libSQL checks a vector's dimension only when its column has a vector
// index, and never its elements; a column without an index takes any blob.
// The vector types therefore check what a Create or an Update writes
// before the statement runs: GORM adds the clauses a field type returns
// from CreateClauses and UpdateClauses to every Create and Update of its
// model, and calls ModifyStatement on them, so no registration is needed.

// vectorColumn is what a vector field's tags say about its column.
type vectorColumn struct {
	kind vectorKind // the column's precision; 0 when its type is not a vector type
	dims int        // 0 when not declared
	// typeErr is set when the type tag names another precision than the
	// field's Go type.
	typeErr error
}

func vectorColumnOf(goKind vectorKind, f *schema.Field) vectorColumn {
	col := vectorColumn{kind: goKind, dims: f.Size}
	if f.Size < 0 {
		col.dims = 0
	}
	if t := f.TagSettings["TYPE"]; t != "" {
		kind, dims, ok := parseVectorColumnType(t)
		switch {
		case !ok:
			col.kind = 0 // a plain type such as BLOB: no precision to check
		case kind != goKind:
			col.typeErr = fmt.Errorf("%w: field %s is %s (%s) but its column type is %s; use %s",
				ErrVectorType, f.Name, kindInfo[goKind].goType, goKind, t, kindInfo[kind].goType)
		default:
			if dims > 0 {
				col.dims = dims
			}
		}
	}
	return col
}

func checkClauses(kind vectorKind, f *schema.Field, create bool) []clause.Interface {
	return []clause.Interface{vectorCheck{field: f, col: vectorColumnOf(kind, f), create: create}}
}

// vectorCheck validates the values a Create or Update writes to one vector
// column.
type vectorCheck struct {
	field  *schema.Field
	col    vectorColumn
	create bool
}

func (vectorCheck) Name() string                           { return "libsql:vector" }
func (vectorCheck) Build(clause.Builder)                   {}
func (vectorCheck) MergeClause(*clause.Clause)             {}
func (c vectorCheck) ModifyStatement(stmt *gorm.Statement) { c.check(stmt) }

func (c vectorCheck) check(stmt *gorm.Statement) {
	if stmt.Schema == nil || stmt.DB == nil || stmt.DB.Error != nil {
		return
	}
	field := stmt.Schema.LookUpField(c.field.DBName)
	if field == nil || field.DBName == "" {
		return
	}
	selected, restricted := stmt.SelectAndOmitColumns(c.create, !c.create)
	if v, ok := selected[field.DBName]; (ok && !v) || (!ok && restricted) {
		return
	}
	at := func(row int) string {
		if row < 0 {
			return ""
		}
		return fmt.Sprintf("row %d: ", row)
	}
	checkValue := func(row int, v any) {
		if err := c.checkValue(stmt, v); err != nil {
			_ = stmt.AddError(fmt.Errorf("%s%w", at(row), err))
		}
	}
	fromMap := func(row int, m map[string]any) {
		for _, key := range []string{field.Name, field.DBName} {
			if v, ok := m[key]; ok {
				checkValue(row, v)
				return
			}
		}
	}
	switch dest := stmt.Dest.(type) {
	case map[string]any:
		fromMap(-1, dest)
		return
	case *map[string]any:
		fromMap(-1, *dest)
		return
	case []map[string]any:
		for i, m := range dest {
			fromMap(i, m)
		}
		return
	case *[]map[string]any:
		for i, m := range *dest {
			fromMap(i, m)
		}
		return
	}
	rv := stmt.ReflectValue
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		for i := 0; i < rv.Len() && stmt.DB.Error == nil; i++ {
			elem := reflect.Indirect(rv.Index(i))
			if elem.Kind() == reflect.Struct && elem.Type() == stmt.Schema.ModelType {
				if v, zero := field.ValueOf(stmt.Context, elem); !zero {
					checkValue(i, v)
				}
			}
		}
	case reflect.Struct:
		if rv.Type() == stmt.Schema.ModelType {
			if v, zero := field.ValueOf(stmt.Context, rv); !zero {
				checkValue(-1, v)
			}
		}
	}
}

func (c vectorCheck) checkValue(stmt *gorm.Statement, v any) error {
	if rv := reflect.ValueOf(v); !rv.IsValid() || (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Slice) && rv.IsNil() {
		return nil
	} else if rv.Kind() == reflect.Pointer {
		v = rv.Elem().Interface()
	}
	column := stmt.Table + "." + c.field.DBName
	switch v := v.(type) {
	case vectorValue:
		if c.col.typeErr != nil {
			return fmt.Errorf("%s: %w", column, c.col.typeErr)
		}
		if c.col.kind != 0 && v.vectorKind() != c.col.kind {
			return fmt.Errorf("%w: column %s is %s, the value is %s; use %s",
				ErrVectorType, column, c.col.kind, v.vectorKind(), kindInfo[c.col.kind].goType)
		}
		if c.col.dims > 0 && v.vectorLen() != c.col.dims {
			return fmt.Errorf("%w: column %s has %d dimensions, the vector has %d",
				ErrVectorDimensions, column, c.col.dims, v.vectorLen())
		}
		if err := v.vectorCheck(); err != nil {
			return fmt.Errorf("column %s: %w", column, err)
		}
	case []float32, []float64:
		want := kindInfo[c.col.kind].goType
		if c.col.kind == 0 {
			want = "libsql.Vector"
		}
		return fmt.Errorf("%w: column %s: a %T would be bound element by element; convert it to %s",
			ErrVectorType, column, v, want)
	}
	return nil
}
