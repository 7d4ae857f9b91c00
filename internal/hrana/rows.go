package hrana

import (
	"database/sql/driver"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/gorm-libsql/libsql/internal/sqlvalue"
)

// Rows is the result of a query (driver.Rows), read in full from the
// server's answer. It implements driver.RowsColumnTypeDatabaseTypeName and
// driver.RowsColumnTypeScanType.
//
// Values convert as in the local driver, from their type and the declared
// type of their column: integer gives int64 (bool in BOOLEAN/BOOL columns,
// time.Time from Unix seconds in DATETIME/TIMESTAMP/DATE columns), float
// float64, text string (time.Time in DATETIME/TIMESTAMP/DATE columns when it
// parses, in Options.Location), blob []byte (empty, not nil, for a
// zero-length blob) and null nil.
type Rows struct {
	names []string
	decls []string // upper-cased declared types, "" for none
	kinds []sqlvalue.Kind
	rows  [][]protoValue
	next  int
	loc   *time.Location
}

func newRows(r *stmtResult, loc *time.Location) *Rows {
	n := len(r.Cols)
	rs := &Rows{
		names: make([]string, n),
		decls: make([]string, n),
		kinds: make([]sqlvalue.Kind, n),
		rows:  r.Rows,
		loc:   loc,
	}
	for i, col := range r.Cols {
		if col.Name != nil {
			rs.names[i] = *col.Name
		}
		if col.Decltype != nil {
			rs.decls[i] = strings.ToUpper(*col.Decltype)
			rs.kinds[i] = sqlvalue.KindOf(rs.decls[i])
		}
	}
	return rs
}

// Columns returns the column names.
func (r *Rows) Columns() []string { return append([]string(nil), r.names...) }

// Close releases the rows; it never fails.
func (r *Rows) Close() error {
	r.rows = nil
	r.next = 0
	return nil
}

// Next implements driver.Rows.
func (r *Rows) Next(dest []driver.Value) error {
	if r.next >= len(r.rows) {
		return io.EOF
	}
	row := r.rows[r.next]
	r.rows[r.next] = nil // let the row be collected
	r.next++
	for i := range dest {
		if i >= len(row) || i >= len(r.kinds) {
			dest[i] = nil
			continue
		}
		v, err := row[i].toDriver(r.kinds[i], r.loc)
		if err != nil {
			return err
		}
		dest[i] = v
	}
	return nil
}

// ColumnTypeDatabaseTypeName returns the upper-cased declared type of column
// i ("" for expressions).
func (r *Rows) ColumnTypeDatabaseTypeName(i int) string { return r.decls[i] }

// ColumnTypeScanType returns the type to scan column i into, from its
// declared type (sqlvalue.ScanType).
func (r *Rows) ColumnTypeScanType(i int) reflect.Type { return sqlvalue.ScanType(r.decls[i]) }
