package native

import (
	"database/sql/driver"
	"errors"
	"math"
	"time"
	"unsafe"

	"github.com/gorm-libsql/libsql/internal/sqlvalue"
)

// CheckNamedValue implements driver.NamedValueChecker with the rules of
// sqlvalue.CheckNamedValue: it accepts the types the driver binds directly
// (nil, int64, float64, bool, string, []byte, time.Time), converts the
// other built-in integer and float types, rejects unsigned values above
// math.MaxInt64 (an *Error with CodeMismatch), and returns driver.ErrSkip
// for everything else so that database/sql's default converter handles
// driver.Valuer implementations and named types.
func (c *Conn) CheckNamedValue(nv *driver.NamedValue) error {
	err := sqlvalue.CheckNamedValue(nv)
	if errors.Is(err, sqlvalue.ErrOverflow) {
		return driverError(CodeMismatch, "%T value %v overflows int64", nv.Value, nv.Value)
	}
	return err
}

// rangeError is the *Error for arguments that do not fit the parameters,
// for sqlvalue.NewBinder.
func rangeError(format string, args ...any) error {
	return driverError(CodeRange, format, args...)
}

func newBinder(args []driver.NamedValue) sqlvalue.Binder {
	return sqlvalue.NewBinder(args, rangeError)
}

// bind binds arguments from b to all parameters of s (see sqlvalue.Binder).
func (c *Conn) bind(b *sqlvalue.Binder, s *stmtHandle) error {
	return b.Bind(s.nparams,
		func(prefix, name string) int { return stmtParamIndex(s.ptr, prefix+name) },
		func(i int, v driver.Value) error { return c.bindValue(s, i, v) })
}

// bindValue binds one driver value to parameter i of s.
func (c *Conn) bindValue(s *stmtHandle, i int, v driver.Value) error {
	var rc int
	switch v := v.(type) {
	case nil:
		rc = bindNull(s.ptr, i)
	case int64:
		rc = bindInt64(s.ptr, i, v)
	case float64:
		rc = bindDouble(s.ptr, i, v)
	case bool:
		var n int64
		if v {
			n = 1
		}
		rc = bindInt64(s.ptr, i, n)
	case string:
		if len(v) > math.MaxInt32 {
			return driverError(CodeTooBig, "string argument for parameter %d is too long (%d bytes)", i, len(v))
		}
		rc = bindText(s.ptr, i, v)
	case []byte:
		if v == nil {
			rc = bindNull(s.ptr, i)
			break
		}
		if len(v) > math.MaxInt32 {
			return driverError(CodeTooBig, "[]byte argument for parameter %d is too long (%d bytes)", i, len(v))
		}
		rc = bindBytes(s.ptr, i, v)
	case time.Time:
		c.scratch = sqlvalue.AppendTime(c.scratch[:0], v)
		rc = bindText(s.ptr, i, unsafe.String(unsafe.SliceData(c.scratch), len(c.scratch)))
	default:
		return driverError(CodeMismatch, "unsupported argument type %T for parameter %d", v, i)
	}
	if rc != rcOK {
		return c.d.lastError(rc)
	}
	return nil
}
