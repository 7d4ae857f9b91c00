// Package sqlvalue holds the value conventions shared by the database/sql
// drivers of this module (the cgo driver for local files and the Hrana driver
// for remote servers), so that both bind and read values the same way.
//
// Binding (see CheckNamedValue): nil is NULL; int64 and the other integer
// types are INTEGER (unsigned values above math.MaxInt64 are an error);
// float64 and float32 are REAL; bool is 0 or 1; string is TEXT; []byte is a
// BLOB (nil is NULL, an empty non-nil slice a zero-length BLOB); time.Time is
// TEXT in TimeFormat after conversion to UTC (FormatTime). Other types are
// left to database/sql's default converter (driver.ErrSkip).
//
// Reading: the storage class of each value decides, and the declared type of
// the column (KindOf) only matters for BOOLEAN/BOOL, where integers read as
// bool, and DATETIME/TIMESTAMP/DATE, where integers read as Unix times
// (UnixTime) and text that parses (ParseTime) as time.Time. TEXT in any other
// column is returned exactly as stored.
//
// Arguments are distributed over the statements of a query by a Binder, and
// an Exec returns a Result, the same way in both drivers.
package sqlvalue

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"
)

// TimeFormat is the layout time.Time parameters are stored with, after
// conversion to UTC: e.g. "2024-05-06 07:08:09.123456789+00:00". Text in
// this form sorts in time order and SQLite's date functions read it.
const TimeFormat = "2006-01-02 15:04:05.999999999-07:00"

// FormatTime returns t in UTC formatted with TimeFormat; the result ends in
// "+00:00".
func FormatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

// AppendTime appends FormatTime(t) to b.
func AppendTime(b []byte, t time.Time) []byte { return t.UTC().AppendFormat(b, TimeFormat) }

// TimeLayouts are tried, in order, by ParseTime on text read from
// DATETIME, TIMESTAMP and DATE columns (after a trailing "Z" is removed).
var TimeLayouts = []string{
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

// ParseTime parses text from a time column with TimeLayouts, in UTC (text
// without an offset is taken as UTC). ok is false when no layout matches;
// the caller then returns the text unchanged. It does not keep s.
func ParseTime(s string) (t time.Time, ok bool) {
	s = strings.TrimSuffix(s, "Z")
	if t, ok := parseTimeFast(s); ok {
		return t, true
	}
	for _, layout := range TimeLayouts {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// UnixTime converts an INTEGER from a time column: seconds since the epoch,
// or milliseconds when the value is too large to be seconds (as
// mattn/go-sqlite3 does), in loc (nil means UTC).
func UnixTime(v int64, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	var t time.Time
	if v > 1e12 || v < -1e12 {
		t = time.Unix(0, v*int64(time.Millisecond))
	} else {
		t = time.Unix(v, 0)
	}
	return t.In(loc)
}

// parseTimeFast parses the common shapes of TimeLayouts without the
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

// Kind says how the values of a result column are converted, from the
// column's declared type.
type Kind uint8

const (
	// KindOther: values keep their storage class.
	KindOther Kind = iota
	// KindBool: BOOLEAN, BOOL; integers read as bool.
	KindBool
	// KindTime: DATETIME, TIMESTAMP, DATE; integers (UnixTime) and text
	// that parses (ParseTime) read as time.Time.
	KindTime
)

// KindOf classifies a declared type, case-insensitively and exactly (no
// affinity rules: "DATETIME2" or "BOOLEAN NOT" are KindOther). "" (an
// expression) is KindOther.
func KindOf(decltype string) Kind {
	switch {
	case strings.EqualFold(decltype, "BOOLEAN"), strings.EqualFold(decltype, "BOOL"):
		return KindBool
	case strings.EqualFold(decltype, "DATETIME"), strings.EqualFold(decltype, "TIMESTAMP"), strings.EqualFold(decltype, "DATE"):
		return KindTime
	}
	return KindOther
}

// FromInteger converts an INTEGER read from a column of kind k: bool for
// KindBool, time.Time in loc (nil means UTC) for KindTime, else v.
func FromInteger(v int64, k Kind, loc *time.Location) driver.Value {
	switch k {
	case KindBool:
		return v != 0
	case KindTime:
		return UnixTime(v, loc)
	}
	return v
}

// FromText converts TEXT read from a column of kind k: a time.Time in loc
// (nil means UTC) when k is KindTime and the text parses, else s unchanged.
func FromText(s string, k Kind, loc *time.Location) driver.Value {
	if k == KindTime {
		if t, ok := ParseTime(s); ok {
			if loc == nil {
				loc = time.UTC
			}
			return t.In(loc)
		}
	}
	return s
}

// ErrOverflow is wrapped by the error CheckNamedValue returns for unsigned
// values above math.MaxInt64.
var ErrOverflow = errors.New("value overflows int64")

// CheckNamedValue implements the rules of driver.NamedValueChecker shared by
// the drivers: it accepts the types they bind directly (nil, int64,
// float64, bool, string, []byte, time.Time), converts the other built-in
// integer and float types to int64 and float64, rejects unsigned values
// above math.MaxInt64 with an error wrapping ErrOverflow, and returns
// driver.ErrSkip for everything else so that database/sql's default
// converter handles driver.Valuer implementations and named types.
func CheckNamedValue(nv *driver.NamedValue) error {
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
			return fmt.Errorf("uint value %d: %w", v, ErrOverflow)
		}
		nv.Value = int64(v)
	case uint64:
		if v > math.MaxInt64 {
			return fmt.Errorf("uint64 value %d: %w", v, ErrOverflow)
		}
		nv.Value = int64(v)
	case float32:
		nv.Value = float64(v)
	default:
		return driver.ErrSkip
	}
	return nil
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

// ScanType maps a declared type (any case) to a scan type the way
// mattn/go-sqlite3 does, so that code written against it (GORM's map scans)
// sees the same types: sql.NullInt64, sql.NullString, sql.RawBytes,
// sql.NullFloat64, sql.NullBool, sql.NullTime, or any.
func ScanType(decltype string) reflect.Type {
	decl := strings.ToUpper(decltype)
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
