package sqlvalue

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFormatTime(t *testing.T) {
	loc := time.FixedZone("X", -7*3600)
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC), "2024-05-06 07:08:09.123456789+00:00"},
		{time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC), "2024-05-06 07:08:09+00:00"},
		{time.Date(2024, 5, 6, 7, 8, 9, 500000000, time.UTC), "2024-05-06 07:08:09.5+00:00"},
		{time.Date(2024, 5, 6, 0, 8, 9, 1, loc), "2024-05-06 07:08:09.000000001+00:00"},
		{time.Time{}, "0001-01-01 00:00:00+00:00"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, FormatTime(tt.in))
		assert.Equal(t, tt.want, string(AppendTime([]byte(nil), tt.in)))
		back, ok := ParseTime(tt.want)
		require.True(t, ok, tt.want)
		assert.True(t, back.Equal(tt.in), "%s: %v vs %v", tt.want, back, tt.in)
	}
}

func TestParseTime(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2024-01-02", utc(2024, 1, 2, 0, 0, 0, 0), true},
		{"2024-01-02 03:04:05", utc(2024, 1, 2, 3, 4, 5, 0), true},
		{"2024-01-02T03:04:05", utc(2024, 1, 2, 3, 4, 5, 0), true},
		{"2024-01-02T03:04:05Z", utc(2024, 1, 2, 3, 4, 5, 0), true},
		{"2024-01-02 03:04", utc(2024, 1, 2, 3, 4, 0, 0), true},
		{"2024-01-02T03:04", utc(2024, 1, 2, 3, 4, 0, 0), true},
		{"2024-01-02 03:04:05.123456789+00:00", utc(2024, 1, 2, 3, 4, 5, 123456789), true},
		{"2024-01-02 03:04:05.5-07:30", utc(2024, 1, 2, 10, 34, 5, 500000000), true},
		{"2024-01-02T03:04:05.000000001+01:00", utc(2024, 1, 2, 2, 4, 5, 1), true},
		{"2024-02-29", utc(2024, 2, 29, 0, 0, 0, 0), true},
		{"2023-02-29", time.Time{}, false},
		{"2024-13-01", time.Time{}, false},
		{"2024-1-2", time.Time{}, false},
		{"hello", time.Time{}, false},
		{"", time.Time{}, false},
		{"1704067200", time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseTime(tt.in)
		assert.Equal(t, tt.ok, ok, tt.in)
		if tt.ok {
			assert.True(t, got.Equal(tt.want), "%q: got %v want %v", tt.in, got, tt.want)
			assert.Equal(t, time.UTC, got.Location(), tt.in)
		}
	}
}

// TestParseTimeFastAgreesWithLayouts checks the hand-written parser against
// the layouts it short-cuts.
func TestParseTimeFastAgreesWithLayouts(t *testing.T) {
	inputs := []string{
		"2024-01-02", "2024-02-29", "2023-02-29", "2024-04-31", "2024-12-31", "2024-00-10", "2024-13-01", "0000-01-01",
		"2024-01-02 03:04:05", "2024-01-02T03:04:05", "2024-01-02 23:59:59", "2024-01-02 24:00:00", "2024-01-02 12:60:00",
		"2024-01-02 12:00:60", "2024-01-02 03:04:05.1", "2024-01-02 03:04:05.123456789", "2024-01-02 03:04:05.1234567891",
		"2024-01-02 03:04:05.", "2024-01-02 03:04:05,5", "2024-01-02 03:04:05+00:00", "2024-01-02 03:04:05-07:30",
		"2024-01-02 03:04:05.5+14:00", "2024-01-02T03:04:05.000000001-00:00", "2024-01-02 03:04:05+0100",
		"2024-01-02 03:04:05 +01:00", "2024-01-02 03:04", "2024-01-02T03:04", "2024-1-2", "x024-01-02", "2024-01-02x",
		"2024-01-02 03:04:05+24:00", "2024-01-02 03:04:05+01:60", "+2024-01-02",
	}
	for _, in := range inputs {
		fast, ok := parseTimeFast(in)
		var slow time.Time
		var slowOK bool
		for _, layout := range TimeLayouts {
			if v, err := time.ParseInLocation(layout, in, time.UTC); err == nil {
				slow, slowOK = v, true
				break
			}
		}
		if ok {
			assert.True(t, slowOK, "%q: fast accepted what the layouts reject", in)
			assert.True(t, fast.Equal(slow), "%q: fast %v, layouts %v", in, fast, slow)
		}
		got, gotOK := ParseTime(in)
		assert.Equal(t, slowOK, gotOK, in)
		if slowOK {
			assert.True(t, got.Equal(slow), "%q: %v vs %v", in, got, slow)
		}
	}
	for _, in := range []string{"2024-01-02 03:04:05.123456789+00:00", "2024-01-02 03:04:05+00:00", "2024-01-02", "2024-01-02T03:04:05"} {
		_, ok := parseTimeFast(in)
		assert.True(t, ok, in)
	}
}

func TestUnixTime(t *testing.T) {
	assert.True(t, UnixTime(1704067200, nil).Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)))
	assert.Equal(t, time.UTC, UnixTime(0, nil).Location())
	assert.True(t, UnixTime(1704067200123, nil).Equal(time.Date(2024, 1, 1, 0, 0, 0, 123000000, time.UTC)), "milliseconds")
	loc := time.FixedZone("Y", 3600)
	assert.Equal(t, loc, UnixTime(5, loc).Location())
	assert.True(t, UnixTime(-5, nil).Equal(time.Unix(-5, 0)))
}

func TestKindOf(t *testing.T) {
	tests := []struct {
		decl string
		want Kind
	}{
		{"BOOLEAN", KindBool}, {"bool", KindBool}, {"Boolean", KindBool},
		{"DATETIME", KindTime}, {"timestamp", KindTime}, {"Date", KindTime},
		{"", KindOther}, {"TEXT", KindOther}, {"INTEGER", KindOther}, {"DATETIME2", KindOther},
		{"BOOLEANS", KindOther}, {"DATE TIME", KindOther}, {"numeric", KindOther}, {"BLOB", KindOther},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, KindOf(tt.decl), tt.decl)
	}
}

func TestFromIntegerAndText(t *testing.T) {
	loc := time.FixedZone("Z1", 2*3600)
	assert.Equal(t, driver.Value(int64(7)), FromInteger(7, KindOther, nil))
	assert.Equal(t, driver.Value(true), FromInteger(7, KindBool, nil))
	assert.Equal(t, driver.Value(false), FromInteger(0, KindBool, nil))
	tm := FromInteger(1704067200, KindTime, loc).(time.Time)
	assert.True(t, tm.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)))
	assert.Equal(t, loc, tm.Location())

	assert.Equal(t, driver.Value("2024-01-01"), FromText("2024-01-01", KindOther, nil), "date-like text stays text outside time columns")
	assert.Equal(t, driver.Value("2024-01-01"), FromText("2024-01-01", KindBool, nil))
	assert.Equal(t, driver.Value("not a time"), FromText("not a time", KindTime, nil), "unparsable text stays text")
	tm = FromText("2024-01-01 10:00:00+00:00", KindTime, loc).(time.Time)
	assert.True(t, tm.Equal(time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)))
	assert.Equal(t, loc, tm.Location())
	tm = FromText("2024-01-01", KindTime, nil).(time.Time)
	assert.Equal(t, time.UTC, tm.Location())
}

type named int

func TestCheckNamedValue(t *testing.T) {
	now := time.Now()
	tests := []struct {
		in   any
		want any
		err  error
	}{
		{nil, nil, nil},
		{int64(-5), int64(-5), nil},
		{3.5, 3.5, nil},
		{true, true, nil},
		{"s", "s", nil},
		{[]byte("b"), []byte("b"), nil},
		{[]byte(nil), []byte(nil), nil},
		{now, now, nil},
		{int(1), int64(1), nil},
		{int8(-2), int64(-2), nil},
		{int16(3), int64(3), nil},
		{int32(-4), int64(-4), nil},
		{uint8(5), int64(5), nil},
		{uint16(6), int64(6), nil},
		{uint32(7), int64(7), nil},
		{uint(8), int64(8), nil},
		{uint64(math.MaxInt64), int64(math.MaxInt64), nil},
		{float32(1.5), float64(1.5), nil},
		{named(1), named(1), driver.ErrSkip},
		{struct{}{}, struct{}{}, driver.ErrSkip},
		{&now, &now, driver.ErrSkip},
	}
	for _, tt := range tests {
		nv := driver.NamedValue{Ordinal: 1, Value: tt.in}
		err := CheckNamedValue(&nv)
		if tt.err != nil {
			assert.ErrorIs(t, err, tt.err, "%T", tt.in)
			continue
		}
		require.NoError(t, err, "%T", tt.in)
		assert.Equal(t, tt.want, nv.Value, "%T", tt.in)
	}
	for _, v := range []any{uint64(math.MaxInt64) + 1, uint64(math.MaxUint64)} {
		nv := driver.NamedValue{Ordinal: 1, Value: v}
		err := CheckNamedValue(&nv)
		require.Error(t, err)
		assert.True(t, errors.Is(err, ErrOverflow))
		assert.Contains(t, err.Error(), "overflows int64")
	}
	if math.MaxUint == math.MaxUint64 {
		nv := driver.NamedValue{Ordinal: 1, Value: uint(math.MaxUint)}
		assert.ErrorIs(t, CheckNamedValue(&nv), ErrOverflow)
	}
}

func TestScanType(t *testing.T) {
	tests := []struct {
		decl string
		want reflect.Type
	}{
		{"INTEGER", reflect.TypeFor[sql.NullInt64]()},
		{"bigint", reflect.TypeFor[sql.NullInt64]()},
		{"TEXT", reflect.TypeFor[sql.NullString]()},
		{"varchar(10)", reflect.TypeFor[sql.NullString]()},
		{"CLOB", reflect.TypeFor[sql.NullString]()},
		{"BLOB", reflect.TypeFor[sql.RawBytes]()},
		{"REAL", reflect.TypeFor[sql.NullFloat64]()},
		{"float", reflect.TypeFor[sql.NullFloat64]()},
		{"DOUBLE PRECISION", reflect.TypeFor[sql.NullFloat64]()},
		{"NUMERIC", reflect.TypeFor[sql.NullFloat64]()},
		{"decimal(10,2)", reflect.TypeFor[sql.NullFloat64]()},
		{"DATETIME", reflect.TypeFor[sql.NullTime]()},
		{"date", reflect.TypeFor[sql.NullTime]()},
		{"TIMESTAMP", reflect.TypeFor[sql.NullTime]()},
		{"BOOLEAN", reflect.TypeFor[sql.NullBool]()},
		{"bool", reflect.TypeFor[sql.NullBool]()},
		{"", reflect.TypeFor[any]()},
		{"JSON", reflect.TypeFor[any]()},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, ScanType(tt.decl), tt.decl)
	}
}
