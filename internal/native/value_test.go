package native

import (
	"database/sql"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type myString string

type myInt int32

func TestBindAndReadTypes(t *testing.T) {
	db, _ := openTestDB(t, Options{})
	_, err := db.Exec("CREATE TABLE v(x)") // no declared type: values keep their storage class
	require.NoError(t, err)
	i64 := int64(42)

	tests := []struct {
		name     string
		arg      any
		want     any
		wantType string
	}{
		{"int64 min", int64(math.MinInt64), int64(math.MinInt64), "integer"},
		{"int64 max", int64(math.MaxInt64), int64(math.MaxInt64), "integer"},
		{"uint32 max", uint32(math.MaxUint32), int64(math.MaxUint32), "integer"},
		{"uint64 max int64", uint64(math.MaxInt64), int64(math.MaxInt64), "integer"},
		{"int", -7, int64(-7), "integer"},
		{"int8", int8(-128), int64(-128), "integer"},
		{"uint8", uint8(250), int64(250), "integer"},
		{"named int type", myInt(-3), int64(-3), "integer"},
		{"pointer to int64", &i64, int64(42), "integer"},
		{"float64", 3.25, 3.25, "real"},
		{"float64 tiny", math.SmallestNonzeroFloat64, math.SmallestNonzeroFloat64, "real"},
		{"float32", float32(1.5), 1.5, "real"},
		{"bool true", true, int64(1), "integer"},
		{"bool false", false, int64(0), "integer"},
		{"string", "héllo, wörld", "héllo, wörld", "text"},
		{"empty string", "", "", "text"},
		{"string with NUL", "a\x00b", "a\x00b", "text"},
		{"named string type", myString("x"), "x", "text"},
		{"bytes", []byte{1, 2, 0, 3}, []byte{1, 2, 0, 3}, "blob"},
		{"empty bytes", []byte{}, []byte{}, "blob"},
		{"nil bytes", []byte(nil), nil, "null"},
		{"nil", nil, nil, "null"},
		{"null valuer", sql.NullInt64{}, nil, "null"},
		{"valid valuer", sql.NullString{String: "a", Valid: true}, "a", "text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.Exec("DELETE FROM v")
			require.NoError(t, err)
			_, err = db.Exec("INSERT INTO v VALUES (?)", tt.arg)
			require.NoError(t, err)
			var typ string
			var got any
			require.NoError(t, db.QueryRow("SELECT typeof(x), x FROM v").Scan(&typ, &got))
			assert.Equal(t, tt.wantType, typ)
			assert.Equal(t, tt.want, got)
			if b, ok := tt.want.([]byte); ok && len(b) == 0 {
				assert.NotNil(t, got, "a zero-length blob must read back non-nil")
			}
		})
	}
}

func TestBindRejectsOverflowAndUnknownTypes(t *testing.T) {
	db, _ := openTestDB(t, Options{})
	for _, arg := range []any{uint64(math.MaxInt64) + 1, uint64(math.MaxUint64), uint(math.MaxUint64)} {
		var got any
		err := db.QueryRow("SELECT ?", arg).Scan(&got)
		var e *Error
		require.ErrorAs(t, err, &e, "%T %v", arg, arg)
		assert.Equal(t, CodeMismatch, e.Code)
		assert.Contains(t, e.Msg, "overflows int64")
	}
	for _, arg := range []any{struct{}{}, []int{1}, time.Local} {
		var got any
		err := db.QueryRow("SELECT ?", arg).Scan(&got)
		assert.Error(t, err, "%T %v", arg, arg)
	}
}

func TestDeclaredTypeConversions(t *testing.T) {
	db, _ := openTestDB(t, Options{})
	_, err := db.Exec(`CREATE TABLE d(b BOOLEAN, bl bool, dt DATETIME, ts timestamp, da Date, n INTEGER)`)
	require.NoError(t, err)

	t.Run("bool", func(t *testing.T) {
		_, err := db.Exec("DELETE FROM d; INSERT INTO d(b, bl) VALUES (?, ?), (?, ?)", true, false, 0, 5)
		require.NoError(t, err)
		rows, err := db.Query("SELECT b, bl FROM d")
		require.NoError(t, err)
		defer rows.Close()
		var got [][2]any
		for rows.Next() {
			var b, bl any
			require.NoError(t, rows.Scan(&b, &bl))
			got = append(got, [2]any{b, bl})
		}
		require.NoError(t, rows.Err())
		assert.Equal(t, [][2]any{{true, false}, {false, true}}, got)
	})

	t.Run("integers in time columns", func(t *testing.T) {
		_, err := db.Exec("DELETE FROM d; INSERT INTO d(dt, ts, da, n) VALUES (1700000000, 1700000000123, 0, 1700000000)")
		require.NoError(t, err)
		var dt, ts, da, n any
		require.NoError(t, db.QueryRow("SELECT dt, ts, da, n FROM d").Scan(&dt, &ts, &da, &n))
		assert.Equal(t, time.Unix(1700000000, 0).UTC(), dt)
		assert.Equal(t, time.UnixMilli(1700000000123).UTC(), ts)
		assert.Equal(t, time.Unix(0, 0).UTC(), da)
		assert.Equal(t, int64(1700000000), n)
	})

	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	textTests := []struct {
		in   string
		want any
	}{
		{"2024-01-02 03:04:05.123456789+00:00", utc(2024, 1, 2, 3, 4, 5, 123456789)},
		{"2024-01-02 03:04:05+02:00", utc(2024, 1, 2, 1, 4, 5, 0)},
		{"2024-01-02T03:04:05.5-01:30", utc(2024, 1, 2, 4, 34, 5, 500000000)},
		{"2024-01-02 03:04:05.25", utc(2024, 1, 2, 3, 4, 5, 250000000)},
		{"2024-01-02T03:04:05.25", utc(2024, 1, 2, 3, 4, 5, 250000000)},
		{"2024-01-02 03:04:05", utc(2024, 1, 2, 3, 4, 5, 0)},
		{"2024-01-02T03:04:05", utc(2024, 1, 2, 3, 4, 5, 0)},
		{"2024-01-02 03:04", utc(2024, 1, 2, 3, 4, 0, 0)},
		{"2024-01-02T03:04", utc(2024, 1, 2, 3, 4, 0, 0)},
		{"2024-01-02", utc(2024, 1, 2, 0, 0, 0, 0)},
		{"2024-01-02T03:04:05Z", utc(2024, 1, 2, 3, 4, 5, 0)},
		{"2024-01-02T03:04:05.987Z", utc(2024, 1, 2, 3, 4, 5, 987000000)},
		{"not a date", "not a date"},
		{"", ""},
		{"2024-13-45", "2024-13-45"},
	}
	for _, col := range []string{"dt", "ts", "da"} {
		for _, tt := range textTests {
			t.Run(col+" "+tt.in, func(t *testing.T) {
				_, err := db.Exec("DELETE FROM d; INSERT INTO d("+col+") VALUES (?)", tt.in)
				require.NoError(t, err)
				var got any
				require.NoError(t, db.QueryRow("SELECT "+col+" FROM d").Scan(&got))
				if want, ok := tt.want.(time.Time); ok {
					require.IsType(t, time.Time{}, got)
					assert.True(t, want.Equal(got.(time.Time)), "got %v want %v", got, want)
					assert.Equal(t, time.UTC, got.(time.Time).Location())
				} else {
					assert.Equal(t, tt.want, got)
				}
			})
		}
	}
}

func TestDateLikeTextStaysText(t *testing.T) {
	db, _ := openTestDB(t, Options{})
	_, err := db.Exec("CREATE TABLE s(a TEXT, b VARCHAR(40), c, d CLOB, e NVARCHAR)")
	require.NoError(t, err)
	for _, v := range []string{
		"2024-01-01",
		"2024-01-01 10:00:00",
		"2024-01-01T10:00:00Z",
		"2024-01-01 10:00:00.5+00:00",
		"2024-01-01T10:00:00.123456789+05:30",
		"1700000000",
	} {
		t.Run(v, func(t *testing.T) {
			_, err := db.Exec("DELETE FROM s; INSERT INTO s VALUES (?, ?, ?, ?, ?)", v, v, v, v, v)
			require.NoError(t, err)
			var a, b, c, d, e any
			require.NoError(t, db.QueryRow("SELECT a, b, c, d, e FROM s").Scan(&a, &b, &c, &d, &e))
			for _, got := range []any{a, b, c, d, e} {
				assert.Equal(t, v, got)
			}
			// Expressions have no declared type either.
			var expr any
			require.NoError(t, db.QueryRow("SELECT a || '' FROM s").Scan(&expr))
			assert.Equal(t, v, expr)
		})
	}
}

func TestTimeRoundTrip(t *testing.T) {
	zone := time.FixedZone("UTC+05:30", 5*3600+30*60)
	db, _ := openTestDB(t, Options{})
	_, err := db.Exec("CREATE TABLE tt(id INTEGER PRIMARY KEY, c DATETIME)")
	require.NoError(t, err)

	ts := time.Date(2024, 3, 9, 23, 59, 58, 123456789, zone)
	_, err = db.Exec("INSERT INTO tt(id, c) VALUES (1, ?)", ts)
	require.NoError(t, err)

	var got time.Time
	require.NoError(t, db.QueryRow("SELECT c FROM tt WHERE id = 1").Scan(&got))
	assert.True(t, ts.Equal(got), "got %v want %v", got, ts)
	assert.Equal(t, ts.UnixNano(), got.UnixNano())
	assert.Equal(t, time.UTC, got.Location())

	var typ, text string
	var epoch int64
	require.NoError(t, db.QueryRow("SELECT typeof(c), CAST(c AS TEXT), CAST(strftime('%s', c) AS INTEGER) FROM tt WHERE id = 1").Scan(&typ, &text, &epoch))
	assert.Equal(t, "text", typ)
	assert.Equal(t, "2024-03-09 18:29:58.123456789+00:00", text)
	assert.Equal(t, ts.Unix(), epoch, "SQLite's date functions must read the stored form")

	t.Run("Location option", func(t *testing.T) {
		ny := time.FixedZone("NY", -5*3600)
		db2 := openTestDBAt(t, t.TempDir()+"/loc.db", Options{Location: ny})
		_, err := db2.Exec("CREATE TABLE tt(c DATETIME); INSERT INTO tt VALUES (?), ('2024-01-01 00:00:00'), (0)", ts)
		require.NoError(t, err)
		rows, err := db2.Query("SELECT c FROM tt")
		require.NoError(t, err)
		defer rows.Close()
		var got []time.Time
		for rows.Next() {
			var v time.Time
			require.NoError(t, rows.Scan(&v))
			assert.Equal(t, ny, v.Location())
			got = append(got, v)
		}
		require.NoError(t, rows.Err())
		require.Len(t, got, 3)
		assert.True(t, ts.Equal(got[0]))
		assert.True(t, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Equal(got[1]))
		assert.True(t, time.Unix(0, 0).Equal(got[2]))
	})

	t.Run("stored text sorts in time order", func(t *testing.T) {
		_, err := db.Exec("DELETE FROM tt")
		require.NoError(t, err)
		base := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
		want := []time.Time{
			base.Add(-time.Hour),
			base,
			base.Add(time.Nanosecond),
			base.Add(250 * time.Millisecond),
			base.Add(500 * time.Millisecond),
			base.Add(550 * time.Millisecond),
			base.Add(time.Second),
			base.Add(24 * time.Hour),
		}
		zones := []*time.Location{time.UTC, zone, time.FixedZone("W", -11*3600), time.FixedZone("E", 14*3600)}
		order := []int{5, 2, 7, 0, 3, 6, 1, 4}
		for i, j := range order {
			_, err := db.Exec("INSERT INTO tt(c) VALUES (?)", want[j].In(zones[i%len(zones)]))
			require.NoError(t, err)
		}
		rows, err := db.Query("SELECT c FROM tt ORDER BY c")
		require.NoError(t, err)
		defer rows.Close()
		var got []time.Time
		for rows.Next() {
			var v time.Time
			require.NoError(t, rows.Scan(&v))
			got = append(got, v)
		}
		require.NoError(t, rows.Err())
		require.Len(t, got, len(want))
		assert.True(t, slices.EqualFunc(want, got, time.Time.Equal), "got %v", got)
	})
}
