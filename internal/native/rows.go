package native

import (
	"context"
	"database/sql/driver"
	"io"
	"reflect"
	"slices"
	"time"
	"unsafe"

	"github.com/gorm-libsql/libsql/internal/sqlvalue"
)

// Rows is the result of a query (driver.Rows). It implements
// driver.RowsColumnTypeDatabaseTypeName, driver.RowsColumnTypeScanType and
// driver.RowsColumnTypeNullable.
//
// Values are converted from the storage class of each value and the
// declared type of its column: INTEGER gives int64 (bool in BOOLEAN/BOOL
// columns, time.Time from Unix seconds in DATETIME/TIMESTAMP/DATE columns),
// REAL float64, TEXT string (time.Time in DATETIME/TIMESTAMP/DATE columns
// when it parses, in Options.Location), BLOB a fresh []byte (empty, not
// nil, for a zero-length blob) and NULL nil.
type Rows struct {
	c       *Conn
	s       *stmtHandle
	owner   *Stmt // Stmt that s belongs to, or nil
	ctx     context.Context
	stop    func() bool // from Conn.watch
	pending bool        // the current row of s has not been returned yet
	done    bool
	closed  bool
}

// Columns returns the column names.
func (r *Rows) Columns() []string { return slices.Clone(r.s.names) }

// Close releases the statement; it never fails.
func (r *Rows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	r.c.openRows--
	if r.s.ptr != nil {
		stmtReset(r.s.ptr)
	}
	if r.owner != nil {
		r.owner.rowsClosed()
	} else {
		r.c.release(r.s)
	}
	r.c.unwatch(r.stop)
	r.stop = nil
	return nil
}

// Next implements driver.Rows. When the statement fails it returns an
// *Error, or the context's error when the context ended.
func (r *Rows) Next(dest []driver.Value) error {
	s := r.s
	if s.ptr == nil { // the connection was closed under the rows
		return io.EOF
	}
	if r.pending {
		r.pending = false
	} else {
		if r.done {
			return io.EOF
		}
		if rc := s.buf.stepRow(s.ptr); rc != rcRow {
			r.done = true
			if rc == rcDone {
				return io.EOF
			}
			return r.c.stepError(r.ctx, rc)
		}
	}
	loc := r.c.loc
	n := min(len(dest), len(s.kinds))
	for i := range n {
		kind, iv, fv, p, size := s.buf.col(i)
		switch kind {
		case colInteger:
			dest[i] = sqlvalue.FromInteger(iv, s.kinds[i], loc)
		case colFloat:
			dest[i] = fv
		case colText:
			dest[i] = textValue(p, size, s.kinds[i], loc)
		case colBlob:
			dest[i] = blobValue(p, size)
		default:
			dest[i] = nil
		}
	}
	for i := n; i < len(dest); i++ {
		dest[i] = nil
	}
	return nil
}

// textValue converts TEXT of a column of kind k, read from the engine's
// memory p[:size], which it copies: time.Time in loc when k is
// sqlvalue.KindTime and the text parses, else a string.
func textValue(p unsafe.Pointer, size int, k sqlvalue.Kind, loc *time.Location) driver.Value {
	if k == sqlvalue.KindTime {
		// The parse does not keep its input, so it may read the engine's
		// buffer in place.
		if t, ok := sqlvalue.ParseTime(unsafe.String((*byte)(p), size)); ok {
			return t.In(loc)
		}
	}
	return string(unsafe.Slice((*byte)(p), size))
}

// blobValue copies a BLOB from the engine's memory p[:size]; the copy is
// empty, not nil, for a zero-length blob.
func blobValue(p unsafe.Pointer, size int) []byte {
	b := make([]byte, size)
	copy(b, unsafe.Slice((*byte)(p), size))
	return b
}

// ColumnTypeDatabaseTypeName returns the upper-cased declared type of column
// i ("" for expressions).
func (r *Rows) ColumnTypeDatabaseTypeName(i int) string { return r.s.decls[i] }

// ColumnTypeScanType returns the type to scan column i into, from its
// declared type as mattn/go-sqlite3 does: sql.NullInt64, sql.NullString,
// sql.RawBytes, sql.NullFloat64, sql.NullBool, sql.NullTime, or any.
func (r *Rows) ColumnTypeScanType(i int) reflect.Type { return sqlvalue.ScanType(r.s.decls[i]) }

// ColumnTypeNullable reports whether column i may be NULL; ok is false
// unless the column comes straight from a table column.
func (r *Rows) ColumnTypeNullable(i int) (nullable, ok bool) {
	s := r.s
	if s.nullable[i] == 0 && s.ptr != nil && !r.c.closed {
		s.nullable[i] = 3
		if notNull, known := r.c.d.notNull(s.ptr, i); known {
			s.nullable[i] = 1
			if notNull {
				s.nullable[i] = 2
			}
		}
	}
	switch s.nullable[i] {
	case 1:
		return true, true
	case 2:
		return false, true
	}
	return false, false
}
