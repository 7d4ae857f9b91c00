package hrana

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gorm-libsql/libsql/internal/sqldtest"
	"github.com/gorm-libsql/libsql/internal/sqlvalue"
)

func TestBindAndReadTypes(t *testing.T) {
	db := shared(t)
	tb := table("types")
	_, err := db.Exec(`CREATE TABLE ` + tb + ` (id INTEGER PRIMARY KEY, v)`)
	require.NoError(t, err)

	zone := time.FixedZone("X", -7*3600)
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"nil", nil, nil},
		{"int64 max", int64(math.MaxInt64), int64(math.MaxInt64)},
		{"int64 min", int64(math.MinInt64), int64(math.MinInt64)},
		{"int", 42, int64(42)},
		{"uint64", uint64(math.MaxInt64), int64(math.MaxInt64)},
		{"int8", int8(-8), int64(-8)},
		{"float64", 3.25, 3.25},
		{"float whole", 2.0, 2.0},
		{"float tiny", 5e-324, 5e-324},
		{"float32", float32(1.5), 1.5},
		{"NaN is NULL", math.NaN(), nil},
		{"true", true, int64(1)},
		{"false", false, int64(0)},
		{"string", "héllo 😀", "héllo 😀"},
		{"string with NUL", "a\x00b", "a\x00b"},
		{"empty string", "", ""},
		{"date-like string", "2024-01-01", "2024-01-01"},
		{"bytes", []byte{0, 1, 2, 255}, []byte{0, 1, 2, 255}},
		{"bytes 1", []byte{7}, []byte{7}},
		{"bytes 2", []byte{7, 8}, []byte{7, 8}},
		{"empty bytes", []byte{}, []byte{}},
		{"nil bytes", []byte(nil), nil},
		{"time", time.Date(2024, 5, 6, 7, 8, 9, 123456789, zone), "2024-05-06 14:08:09.123456789+00:00"},
		{"valuer", sql.NullString{String: "v", Valid: true}, "v"},
		{"null valuer", sql.NullInt64{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := db.Exec(`INSERT INTO `+tb+`(v) VALUES (?)`, tt.in)
			require.NoError(t, err)
			id, err := res.LastInsertId()
			require.NoError(t, err)
			var got any
			require.NoError(t, db.QueryRow(`SELECT v FROM `+tb+` WHERE id = ?`, id).Scan(&got))
			assert.Equal(t, tt.want, got)
			if b, ok := tt.want.([]byte); ok && len(b) == 0 {
				assert.NotNil(t, got, "an empty blob reads as a non-nil []byte")
			}
			var typ string
			require.NoError(t, db.QueryRow(`SELECT typeof(v) FROM `+tb+` WHERE id = ?`, id).Scan(&typ))
			switch tt.name {
			case "empty bytes":
				assert.Equal(t, "blob", typ)
			case "nil bytes", "nil":
				assert.Equal(t, "null", typ)
			}
		})
	}
}

func TestBindErrors(t *testing.T) {
	db := shared(t)
	var v any
	err := db.QueryRow(`SELECT ?`, uint64(math.MaxInt64)+1).Scan(&v)
	require.Error(t, err)
	assert.ErrorIs(t, err, sqlvalue.ErrOverflow)
	err = db.QueryRow(`SELECT ?`, math.Inf(1)).Scan(&v)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "infinite")
	err = db.QueryRow(`SELECT ?`, "\xff\xfe").Scan(&v)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "UTF-8")
	err = db.QueryRow(`SELECT ?`, struct{ A int }{1}).Scan(&v)
	require.Error(t, err)
}

func TestDeclaredTypeConversions(t *testing.T) {
	db := shared(t)
	tb := table("decl")
	_, err := db.Exec(`CREATE TABLE ` + tb + ` (t TEXT, d DATETIME, ts timestamp, dt DATE, b BOOLEAN, bo bool, i INTEGER, r REAL, bl BLOB, n NUMERIC, x)`)
	require.NoError(t, err)
	instant := time.Date(2024, 2, 29, 23, 59, 58, 999999999, time.FixedZone("Y", 5*3600+1800))
	_, err = db.Exec(`INSERT INTO `+tb+` VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		"2024-01-01", instant, int64(1704067200), "2024-03-01", true, int64(0), true, 1.5, []byte("b"), 7, "2024-01-01")
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO ` + tb + ` VALUES ('2024-01-01 10:00:00', 'not a time', 1704067200123, '2024-03-01T04:05:06Z', 5, NULL, 1, 2, x'', 1.25, 3)`)
	require.NoError(t, err)

	rows, err := db.Query(`SELECT * FROM ` + tb + ` ORDER BY rowid`)
	require.NoError(t, err)
	defer rows.Close()
	types, err := rows.ColumnTypes()
	require.NoError(t, err)
	var decls []string
	var scans []reflect.Type
	for _, ct := range types {
		decls = append(decls, ct.DatabaseTypeName())
		scans = append(scans, ct.ScanType())
	}
	assert.Equal(t, []string{"TEXT", "DATETIME", "TIMESTAMP", "DATE", "BOOLEAN", "BOOL", "INTEGER", "REAL", "BLOB", "NUMERIC", ""}, decls)
	assert.Equal(t, []reflect.Type{
		reflect.TypeFor[sql.NullString](), reflect.TypeFor[sql.NullTime](), reflect.TypeFor[sql.NullTime](), reflect.TypeFor[sql.NullTime](),
		reflect.TypeFor[sql.NullBool](), reflect.TypeFor[sql.NullBool](), reflect.TypeFor[sql.NullInt64](), reflect.TypeFor[sql.NullFloat64](),
		reflect.TypeFor[sql.RawBytes](), reflect.TypeFor[sql.NullFloat64](), reflect.TypeFor[any](),
	}, scans)

	vals := make([]any, 11)
	ptrs := make([]any, 11)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	require.True(t, rows.Next())
	require.NoError(t, rows.Scan(ptrs...))
	assert.Equal(t, "2024-01-01", vals[0], "date-like text in a TEXT column stays text")
	got, ok := vals[1].(time.Time)
	require.True(t, ok, "%T", vals[1])
	assert.True(t, got.Equal(instant), "DATETIME keeps the instant to the nanosecond: %v vs %v", got, instant)
	assert.Equal(t, time.UTC, got.Location())
	assert.Equal(t, time.Unix(1704067200, 0).UTC(), vals[2])
	assert.Equal(t, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), vals[3])
	assert.Equal(t, true, vals[4])
	assert.Equal(t, false, vals[5])
	assert.Equal(t, int64(1), vals[6], "bool binds as integer 1")
	assert.Equal(t, 1.5, vals[7])
	assert.Equal(t, []byte("b"), vals[8])
	assert.Equal(t, int64(7), vals[9])
	assert.Equal(t, "2024-01-01", vals[10])

	require.True(t, rows.Next())
	require.NoError(t, rows.Scan(ptrs...))
	assert.Equal(t, "2024-01-01 10:00:00", vals[0])
	assert.Equal(t, "not a time", vals[1], "unparsable text in a time column stays text")
	assert.Equal(t, time.UnixMilli(1704067200123).UTC(), vals[2])
	assert.Equal(t, time.Date(2024, 3, 1, 4, 5, 6, 0, time.UTC), vals[3])
	assert.Equal(t, true, vals[4])
	assert.Nil(t, vals[5])
	assert.Equal(t, float64(2), vals[7], "REAL affinity")
	assert.Equal(t, []byte{}, vals[8])
	assert.NotNil(t, vals[8])
	assert.Equal(t, 1.25, vals[9])
	assert.Equal(t, int64(3), vals[10])
	require.False(t, rows.Next())
	require.NoError(t, rows.Err())

	// Scanning into typed destinations.
	var s string
	var tm time.Time
	var b bool
	require.NoError(t, db.QueryRow(`SELECT t, d, b FROM `+tb+` ORDER BY rowid LIMIT 1`).Scan(&s, &tm, &b))
	assert.Equal(t, "2024-01-01", s)
	assert.True(t, tm.Equal(instant))
	assert.True(t, b)
}

func TestLocationOption(t *testing.T) {
	loc := time.FixedZone("Z", 9*3600)
	db := open(t, sqldtest.Shared(t).URL(), Options{Location: loc})
	tb := table("loc")
	_, err := db.Exec(`CREATE TABLE ` + tb + ` (d DATETIME)`)
	require.NoError(t, err)
	instant := time.Date(2024, 1, 1, 0, 0, 0, 1, time.UTC)
	_, err = db.Exec(`INSERT INTO `+tb+` VALUES (?)`, instant)
	require.NoError(t, err)
	var got time.Time
	require.NoError(t, db.QueryRow(`SELECT d FROM `+tb).Scan(&got))
	assert.True(t, got.Equal(instant))
	assert.Equal(t, loc, got.Location())
	var raw string
	require.NoError(t, db.QueryRow(`SELECT CAST(d AS TEXT) || '' FROM `+tb).Scan(&raw))
	assert.Equal(t, "2024-01-01 00:00:00.000000001+00:00", raw)
}

func TestValuesThroughRawConn(t *testing.T) {
	db := shared(t)
	conn, err := db.Conn(context.Background())
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.Raw(func(dc any) error {
		c := dc.(*Conn)
		rows, err := c.QueryContext(context.Background(), `SELECT 1, 'a', x'', NULL, 2.5`, nil)
		if err != nil {
			return err
		}
		defer rows.Close()
		assert.Equal(t, []string{"1", "'a'", "x''", "NULL", "2.5"}, rows.Columns())
		dest := make([]driver.Value, 5)
		require.NoError(t, rows.Next(dest))
		assert.Equal(t, []driver.Value{int64(1), "a", []byte{}, nil, 2.5}, dest)
		if err := rows.Next(dest); !errors.Is(err, io.EOF) {
			t.Errorf("want io.EOF, got %v", err)
		}
		return nil
	}))
}
