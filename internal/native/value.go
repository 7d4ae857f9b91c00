package native

import (
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"
	"unsafe"
)

// TimeFormat is the layout time.Time parameters are stored with, after
// conversion to UTC: e.g. "2024-05-06 07:08:09.123456789+00:00". Text in
// this form sorts in time order and SQLite's date functions read it.
const TimeFormat = "2006-01-02 15:04:05.999999999-07:00"

// timeLayouts are tried, in order, on TEXT read from DATETIME, TIMESTAMP and
// DATE columns (after a trailing "Z" is removed).
var timeLayouts = []string{
	TimeFormat,
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
	time.RFC3339Nano,
}

// CheckNamedValue implements driver.NamedValueChecker. It accepts the types
// the driver binds directly (nil, int64, float64, bool, string, []byte,
// time.Time), converts the other built-in integer and float types, rejects
// unsigned values above math.MaxInt64, and returns driver.ErrSkip for
// everything else so that database/sql's default converter handles
// driver.Valuer implementations and named types.
func (c *Conn) CheckNamedValue(nv *driver.NamedValue) error {
	switch v := nv.Value.(type) {
	case nil, int64, float64, bool, string, []byte, time.Time:
		return nil
	case int:
		nv.Value = int64(v)
	case int8:
		nv.Value = int64(v)
	case int16:
		nv.Value = int64(v)
	case int32:
		nv.Value = int64(v)
	case uint8:
		nv.Value = int64(v)
	case uint16:
		nv.Value = int64(v)
	case uint32:
		nv.Value = int64(v)
	case uint:
		if uint64(v) > math.MaxInt64 {
			return driverError(CodeMismatch, "uint value %d overflows int64", v)
		}
		nv.Value = int64(v)
	case uint64:
		if v > math.MaxInt64 {
			return driverError(CodeMismatch, "uint64 value %d overflows int64", v)
		}
		nv.Value = int64(v)
	case float32:
		nv.Value = float64(v)
	default:
		return driver.ErrSkip
	}
	return nil
}

// binder binds the arguments of one Exec or Query call to the statements it
// runs. Positional arguments are consumed in order, across statements;
// named arguments are bound in every statement that declares them.
type binder struct {
	args     []driver.NamedValue
	next     int    // next argument to consider for a positional slot
	hasNamed bool   // some argument has a Name
	used     []bool // per argument, when hasNamed
}

func newBinder(args []driver.NamedValue) binder {
	b := binder{args: args}
	for i := range args {
		if args[i].Name != "" {
			b.hasNamed = true
			b.used = make([]bool, len(args))
			break
		}
	}
	return b
}

// bind binds arguments to all n parameters of s.
func (b *binder) bind(c *Conn, s *stmtHandle, n int) error {
	if n == 0 {
		return nil
	}
	if !b.hasNamed {
		if len(b.args)-b.next < n {
			return driverError(CodeRange, "not enough arguments: statement has %d parameters, %d arguments left", n, len(b.args)-b.next)
		}
		for i := 1; i <= n; i++ {
			if err := c.bindValue(s, i, b.args[b.next].Value); err != nil {
				return err
			}
			b.next++
		}
		return nil
	}
	bound := make([]bool, n+1) // per parameter index
	for j := range b.args {
		name := b.args[j].Name
		if name == "" {
			continue
		}
		for _, prefix := range [...]string{":", "@", "$"} {
			idx := stmtParamIndex(s.ptr, prefix+name)
			if idx <= 0 || idx > n || bound[idx] {
				continue
			}
			if err := c.bindValue(s, idx, b.args[j].Value); err != nil {
				return err
			}
			bound[idx] = true
			b.used[j] = true
		}
	}
	for idx := 1; idx <= n; idx++ {
		if bound[idx] {
			continue
		}
		for b.next < len(b.args) && b.args[b.next].Name != "" {
			b.next++
		}
		if b.next >= len(b.args) {
			return driverError(CodeRange, "not enough arguments: no argument for parameter %d", idx)
		}
		if err := c.bindValue(s, idx, b.args[b.next].Value); err != nil {
			return err
		}
		b.used[b.next] = true
		b.next++
	}
	return nil
}

// finish reports arguments that no statement used.
func (b *binder) finish() error {
	if !b.hasNamed {
		if left := len(b.args) - b.next; left > 0 {
			return driverError(CodeRange, "%d argument(s) left over: the statement(s) have %d parameters, got %d arguments", left, b.next, len(b.args))
		}
		return nil
	}
	var unused []string
	for i, u := range b.used {
		if !u {
			if b.args[i].Name != "" {
				unused = append(unused, fmt.Sprintf("%q", b.args[i].Name))
			} else {
				unused = append(unused, fmt.Sprintf("#%d", b.args[i].Ordinal))
			}
		}
	}
	if len(unused) > 0 {
		return driverError(CodeRange, "arguments not used by any parameter: %s", strings.Join(unused, ", "))
	}
	return nil
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
		c.scratch = v.UTC().AppendFormat(c.scratch[:0], TimeFormat)
		rc = bindText(s.ptr, i, unsafe.String(unsafe.SliceData(c.scratch), len(c.scratch)))
	default:
		return driverError(CodeMismatch, "unsupported argument type %T for parameter %d", v, i)
	}
	if rc != rcOK {
		return c.d.lastError(rc)
	}
	return nil
}

// colKind says how values of a result column are converted, from its
// declared type.
type colKind uint8

const (
	kindPlain colKind = iota
	kindBool          // BOOLEAN, BOOL: integers read as bool
	kindTime          // DATETIME, TIMESTAMP, DATE: integers and parsable text read as time.Time
)

// kindOf classifies an upper-cased declared type.
func kindOf(decl string) colKind {
	switch decl {
	case "BOOLEAN", "BOOL":
		return kindBool
	case "DATETIME", "TIMESTAMP", "DATE":
		return kindTime
	}
	return kindPlain
}

// unixTime converts an INTEGER from a time column: seconds since the epoch,
// or milliseconds when the value is too large to be seconds (as
// mattn/go-sqlite3 does).
func unixTime(v int64, loc *time.Location) time.Time {
	var t time.Time
	if v > 1e12 || v < -1e12 {
		t = time.Unix(0, v*int64(time.Millisecond))
	} else {
		t = time.Unix(v, 0)
	}
	return t.In(loc)
}

// parseTime parses TEXT from a time column with timeLayouts, in UTC.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSuffix(s, "Z")
	if t, ok := parseTimeFast(s); ok {
		return t, true
	}
	for _, layout := range timeLayouts {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseTimeFast parses the common shapes of timeLayouts without the
// generic layout machinery: "YYYY-MM-DD", optionally followed by
// " HH:MM:SS" or "THH:MM:SS", an optional fraction of 1 to 9 digits and an
// optional "+HH:MM" or "-HH:MM" offset. It gives up (ok false) on anything
// else, leaving the decision to time.ParseInLocation, and accepts nothing
// that the layouts would reject or read differently.
func parseTimeFast(s string) (t time.Time, ok bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return t, false
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || month < 1 || month > 12 || day < 1 || day > daysIn(time.Month(month), year) {
		return t, false
	}
	var hour, minute, sec, nsec, offset int
	rest := s[10:]
	if rest != "" {
		if len(rest) < 9 || (rest[0] != ' ' && rest[0] != 'T') || rest[3] != ':' || rest[6] != ':' {
			return t, false
		}
		var ok4, ok5, ok6 bool
		hour, ok4 = digits(rest[1:3])
		minute, ok5 = digits(rest[4:6])
		sec, ok6 = digits(rest[7:9])
		if !ok4 || !ok5 || !ok6 || hour > 23 || minute > 59 || sec > 59 {
			return t, false
		}
		rest = rest[9:]
		if rest != "" && rest[0] == '.' {
			n := 1
			for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
				n++
			}
			if n == 1 || n > 10 {
				return t, false
			}
			frac, _ := digits(rest[1:n])
			for i := n; i < 10; i++ {
				frac *= 10
			}
			nsec = frac
			rest = rest[n:]
		}
		if rest != "" {
			if len(rest) != 6 || (rest[0] != '+' && rest[0] != '-') || rest[3] != ':' {
				return t, false
			}
			oh, ok7 := digits(rest[1:3])
			om, ok8 := digits(rest[4:6])
			if !ok7 || !ok8 || oh > 23 || om > 59 {
				return t, false
			}
			offset = (oh*60 + om) * 60
			if rest[0] == '-' {
				offset = -offset
			}
		}
	}
	t = time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if offset != 0 {
		t = t.Add(-time.Duration(offset) * time.Second)
	}
	return t, true
}

// digits parses a short string of ASCII digits.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(m time.Month, year int) int {
	if m == time.February {
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	}
	return 30 + int((m+m/8)&1)
}

var (
	typeInt64   = reflect.TypeFor[sql.NullInt64]()
	typeString  = reflect.TypeFor[sql.NullString]()
	typeBytes   = reflect.TypeFor[sql.RawBytes]()
	typeFloat64 = reflect.TypeFor[sql.NullFloat64]()
	typeBool    = reflect.TypeFor[sql.NullBool]()
	typeTime    = reflect.TypeFor[sql.NullTime]()
	typeAny     = reflect.TypeFor[any]()
)

// scanTypeOf maps an upper-cased declared type to a scan type the way
// mattn/go-sqlite3 does, so that code written against it (GORM's map scans)
// sees the same types.
func scanTypeOf(decl string) reflect.Type {
	switch {
	case strings.Contains(decl, "INT"):
		return typeInt64
	case decl == "CLOB" || decl == "TEXT" || strings.Contains(decl, "CHAR"):
		return typeString
	case decl == "BLOB":
		return typeBytes
	case decl == "REAL" || decl == "FLOAT" || strings.Contains(decl, "DOUBLE"):
		return typeFloat64
	case decl == "DATE" || decl == "DATETIME" || decl == "TIMESTAMP":
		return typeTime
	case decl == "NUMERIC" || strings.Contains(decl, "DECIMAL"):
		return typeFloat64
	case decl == "BOOLEAN" || decl == "BOOL":
		return typeBool
	}
	return typeAny
}
