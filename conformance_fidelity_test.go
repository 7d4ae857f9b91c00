package libsql_test

import (
	"crypto/rand"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
)

// ---------------------------------------------------------------------------
// Strings

type confFidText struct {
	ID  uint
	S   string
	P   *string
	Tag string
}

func (confFidText) TableName() string { return "conf_fid_texts" }

var confFidStrings = []struct{ name, value string }{
	{"date", "2024-01-01"},
	{"datetime", "2024-01-01 10:00:00"},
	{"RFC 3339", "2024-01-01T10:00:00Z"},
	{"datetime with fraction and offset", "2024-01-01 10:00:00.123456789+02:00"},
	{"time of day", "10:00:00"},
	{"digits with leading zeros", "000123"},
	{"number-like", "1e5"},
	{"boolean-like", "true"},
	{"empty", ""},
	{"blank padded", "  padded  "},
	{"unicode", "héllo wörld ✓ 日本語 🎉 Ωμέγα"},
	{"quotes", `it's "quoted" ` + "`tick`"},
	{"sql injection", `'); DROP TABLE conf_fid_texts; --`},
	{"backslashes and controls", "back\\slash\nline2\ttab\r"},
	{"percent and underscore", "100%_done"},
	{"uuid", "123e4567-e89b-12d3-a456-426614174000"},
	{"long", strings.Repeat("abc✓", 5000)},
}

func TestConformanceStringFidelity(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confFidText{})
		for _, tc := range confFidStrings {
			t.Run(tc.name, func(t *testing.T) {
				v := tc.value
				row := confFidText{S: v, P: &v, Tag: tc.name}
				require.NoError(t, db.Create(&row).Error)

				// Model round trip: string and *string.
				var got confFidText
				require.NoError(t, db.First(&got, row.ID).Error)
				assert.Equal(t, v, got.S)
				if assert.NotNil(t, got.P) {
					assert.Equal(t, v, *got.P)
				}

				// Stored as TEXT, byte for byte.
				var typ string
				var n int
				require.NoError(t, db.Raw("SELECT typeof(s), length(CAST(s AS BLOB)) FROM conf_fid_texts WHERE id = ?", row.ID).Row().Scan(&typ, &n))
				assert.Equal(t, "text", typ)
				assert.Equal(t, len(v), n, "stored byte length")
				assert.EqualValues(t, 1, confCount(t, db, "conf_fid_texts", "id = ? AND s = ? AND p = ?", row.ID, v, v), "WHERE equality on the exact bytes")

				// Map scan of a TEXT column gives the exact string, as the
				// driver returns it (no model: no GORM conversion).
				var m map[string]interface{}
				require.NoError(t, db.Table("conf_fid_texts").Where("id = ?", row.ID).Take(&m).Error)
				assert.Equal(t, v, m["s"], "map scan of TEXT column")
				assert.Equal(t, v, m["p"], "map scan of TEXT column")

				// Raw scan into string.
				var raw string
				require.NoError(t, db.Raw("SELECT s FROM conf_fid_texts WHERE id = ?", row.ID).Scan(&raw).Error)
				assert.Equal(t, v, raw)

				// Expression columns (no declared type) stay strings too.
				var expr map[string]interface{}
				require.NoError(t, db.Raw("SELECT ? AS bound, s || '' AS concat FROM conf_fid_texts WHERE id = ?", v, row.ID).Scan(&expr).Error)
				assert.Equal(t, v, expr["bound"], "bound parameter echoed back")
				assert.Equal(t, v, expr["concat"], "text expression")
			})
		}

		// NULL *string.
		row := confFidText{S: "x", P: nil, Tag: "nil"}
		require.NoError(t, db.Create(&row).Error)
		var got confFidText
		require.NoError(t, db.First(&got, row.ID).Error)
		assert.Nil(t, got.P)
		assert.EqualValues(t, 1, confCount(t, db, "conf_fid_texts", "id = ? AND p IS NULL", row.ID))
	})
}

// confFidDoc is keyed by a UUID string.
type confFidDoc struct {
	ID    string `gorm:"primaryKey;size:36"`
	Owner string `gorm:"size:36;index"`
	Title string
}

func (confFidDoc) TableName() string { return "conf_fid_docs" }

func confFidUUID(t *testing.T) string {
	t.Helper()
	var b [16]byte
	_, err := rand.Read(b[:])
	require.NoError(t, err)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func TestConformanceUUIDStrings(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confFidDoc{})
		owner := strings.ToUpper(confFidUUID(t)) // case must be preserved
		var docs []confFidDoc
		for i := range 5 {
			docs = append(docs, confFidDoc{ID: confFidUUID(t), Owner: owner, Title: strconv.Itoa(i)})
		}
		require.NoError(t, db.Create(&docs).Error)

		for _, d := range docs {
			var got confFidDoc
			require.NoError(t, db.First(&got, "id = ?", d.ID).Error)
			assert.Equal(t, d, got)
		}
		var byOwner []confFidDoc
		require.NoError(t, db.Where("owner = ?", owner).Find(&byOwner).Error)
		assert.Len(t, byOwner, len(docs))
		var ids []string
		require.NoError(t, db.Model(&confFidDoc{}).Where("id IN ?", []string{docs[1].ID, docs[3].ID}).Order("id").Pluck("id", &ids).Error)
		want := []string{docs[1].ID, docs[3].ID}
		sort.Strings(want)
		assert.Equal(t, want, ids)
		var lower int64
		require.NoError(t, db.Model(&confFidDoc{}).Where("owner = ?", strings.ToLower(owner)).Count(&lower).Error)
		assert.Zero(t, lower, "comparison is exact (case preserved)")
	})
}

// ---------------------------------------------------------------------------
// Times

type confFidEvent struct {
	ID   uint
	Name string
	At   time.Time
	AtP  *time.Time
}

func (confFidEvent) TableName() string { return "conf_fid_events" }

// confFidCanonical is the documented storage form of a time.Time.
func confFidCanonical(tm time.Time) string {
	return tm.UTC().Format("2006-01-02 15:04:05.999999999") + "+00:00"
}

func TestConformanceTimeFidelity(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confFidEvent{})
		cases := []struct {
			name string
			at   time.Time
		}{
			{"India +05:30 with nanoseconds", time.Date(2024, 3, 10, 2, 15, 30, 123456789, time.FixedZone("IST", 5*3600+1800))},
			{"US -08:00 one nanosecond", time.Date(2023, 12, 31, 23, 59, 59, 1, time.FixedZone("PST", -8*3600))},
			{"UTC whole second", time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)},
			{"+14:00 microseconds", time.Date(2030, 1, 1, 0, 0, 0, 500000, time.FixedZone("LINT", 14*3600))},
			{"Local", time.Date(2022, 6, 15, 8, 30, 0, 987654321, time.Local)},
			{"zero", time.Time{}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				at := tc.at
				ev := confFidEvent{Name: tc.name, At: at, AtP: &at}
				require.NoError(t, db.Create(&ev).Error)

				var got confFidEvent
				require.NoError(t, db.First(&got, ev.ID).Error)
				assert.True(t, at.Equal(got.At), "model: want %v got %v", at, got.At)
				if assert.NotNil(t, got.AtP) {
					assert.True(t, at.Equal(*got.AtP), "*time.Time: want %v got %v", at, *got.AtP)
				}
				// Documented: times come back as the same instant at UTC offset
				// 0 (the stored text is UTC); the zone of the original is not kept.
				_, offset := got.At.Zone()
				assert.Zero(t, offset, "returned time is at UTC offset 0, location %q", got.At.Location())
				t.Logf("stored %v, returned %v (location %q)", at, got.At, got.At.Location())

				// Raw scan into time.Time.
				var raw time.Time
				require.NoError(t, db.Raw("SELECT at FROM conf_fid_events WHERE id = ?", ev.ID).Scan(&raw).Error)
				assert.True(t, at.Equal(raw), "raw: want %v got %v", at, raw)

				// Map scan of a DATETIME column gives time.Time.
				var m map[string]interface{}
				require.NoError(t, db.Model(&confFidEvent{}).Where("id = ?", ev.ID).Take(&m).Error)
				if mt, ok := m["at"].(time.Time); assert.True(t, ok, "map value is %T", m["at"]) {
					assert.True(t, at.Equal(mt))
				}

				// Stored text is canonical UTC.
				var text, typ string
				require.NoError(t, db.Raw("SELECT CAST(at AS TEXT), typeof(at) FROM conf_fid_events WHERE id = ?", ev.ID).Row().Scan(&text, &typ))
				assert.Equal(t, "text", typ)
				assert.Equal(t, confFidCanonical(at), text)

				// A bound time in any zone matches the stored instant.
				for _, loc := range []*time.Location{time.UTC, time.FixedZone("X", -3*3600-1800)} {
					assert.EqualValues(t, 1, confCount(t, db, "conf_fid_events", "id = ? AND at = ?", ev.ID, at.In(loc)), "bound in %v", loc)
				}
			})
		}
	})
}

func TestConformanceTimeOrdering(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confFidEvent{})
		tokyo := time.FixedZone("JST", 9*3600)
		ny := time.FixedZone("EST", -5*3600)
		// Wall clocks disagree with instants: sorting the text of local
		// times would give the wrong order.
		times := []time.Time{
			time.Date(2024, 1, 1, 9, 0, 0, 0, tokyo),           // 00:00:00Z
			time.Date(2023, 12, 31, 20, 0, 0, 0, ny),           // 01:00:00Z
			time.Date(2024, 1, 1, 0, 30, 0, 0, time.UTC),       // 00:30:00Z
			time.Date(2024, 1, 1, 0, 30, 0, 5, time.UTC),       // 00:30:00.000000005Z
			time.Date(2024, 1, 1, 9, 30, 0, 100000000, tokyo),  // 00:30:00.1Z
			time.Date(2024, 1, 1, 9, 30, 0, 20000000, tokyo),   // 00:30:00.02Z
			time.Date(2023, 12, 31, 18, 59, 59, 999999999, ny), // 23:59:59.999999999Z
			time.Date(2024, 1, 1, 0, 30, 1, 0, time.UTC),       // 00:30:01Z
		}
		for i, tm := range times {
			require.NoError(t, db.Create(&confFidEvent{Name: strconv.Itoa(i), At: tm}).Error)
		}
		want := make([]int, len(times))
		for i := range want {
			want[i] = i
		}
		sort.Slice(want, func(a, b int) bool { return times[want[a]].Before(times[want[b]]) })
		wantNames := make([]string, len(want))
		for i, idx := range want {
			wantNames[i] = strconv.Itoa(idx)
		}

		var names []string
		require.NoError(t, db.Model(&confFidEvent{}).Order("at").Pluck("name", &names).Error)
		assert.Equal(t, wantNames, names, "ORDER BY at is chronological")

		var textSorted []string
		require.NoError(t, db.Raw("SELECT name FROM conf_fid_events ORDER BY CAST(at AS TEXT)").Scan(&textSorted).Error)
		assert.Equal(t, wantNames, textSorted, "the stored text itself sorts chronologically")

		// Range conditions with bounds in other zones.
		lo := time.Date(2024, 1, 1, 9, 30, 0, 0, tokyo) // 00:30:00Z
		hi := time.Date(2023, 12, 31, 19, 30, 0, 50000000, ny)
		var inRange []string
		require.NoError(t, db.Model(&confFidEvent{}).Where("at >= ? AND at < ?", lo, hi).Order("at").Pluck("name", &inRange).Error)
		var wantRange []string
		for _, idx := range want {
			if !times[idx].Before(lo) && times[idx].Before(hi) {
				wantRange = append(wantRange, strconv.Itoa(idx))
			}
		}
		require.NotEmpty(t, wantRange)
		assert.Equal(t, wantRange, inRange)

		var latest time.Time
		require.NoError(t, db.Model(&confFidEvent{}).Select("at").Order("at DESC").Limit(1).Scan(&latest).Error)
		assert.True(t, times[want[len(want)-1]].Equal(latest))
	})
}

func TestConformanceTimeSQLFunctions(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confFidEvent{})
		// 02:00 in +05:30 is the previous day in UTC.
		at := time.Date(2024, 3, 10, 2, 0, 0, 250000000, time.FixedZone("IST", 5*3600+1800))
		ev := confFidEvent{Name: "f", At: at}
		require.NoError(t, db.Create(&ev).Error)
		u := at.UTC()

		var got struct {
			Day      string
			Minute   string
			Unix     string
			Tomorrow string
			Julian   float64
		}
		require.NoError(t, db.Raw(`SELECT date(at) AS day,
			strftime('%Y-%m-%d %H:%M', at) AS minute,
			strftime('%s', at) AS unix,
			date(at, '+1 day') AS tomorrow,
			julianday(at) AS julian
			FROM conf_fid_events WHERE id = ?`, ev.ID).Scan(&got).Error)
		assert.Equal(t, u.Format("2006-01-02"), got.Day)
		assert.Equal(t, u.Format("2006-01-02 15:04"), got.Minute)
		assert.Equal(t, strconv.FormatInt(u.Unix(), 10), got.Unix)
		assert.Equal(t, u.AddDate(0, 0, 1).Format("2006-01-02"), got.Tomorrow)
		wantJulian := float64(u.UnixNano())/float64(24*time.Hour) + 2440587.5
		assert.InDelta(t, wantJulian, got.Julian, 1e-6)

		var byDay int64
		require.NoError(t, db.Model(&confFidEvent{}).Where("date(at) = ?", u.Format("2006-01-02")).Count(&byDay).Error)
		assert.EqualValues(t, 1, byDay)
	})
}

func TestConformanceTimeFromSQLiteText(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confFidEvent{})
		// Times written by SQL rather than by Go: SQLite's own formats.
		cases := []struct {
			text string
			want time.Time
		}{
			{"2024-01-01 10:00:00", time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)},
			{"2024-01-01 10:00:00.5", time.Date(2024, 1, 1, 10, 0, 0, 500000000, time.UTC)},
			{"2024-01-01T10:00:00Z", time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)},
			{"2024-01-01 12:00:00+02:00", time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)},
			{"2024-01-01", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		}
		for _, tc := range cases {
			t.Run(tc.text, func(t *testing.T) {
				require.NoError(t, db.Exec(fmt.Sprintf("INSERT INTO conf_fid_events (name, at) VALUES (?, '%s')", tc.text), tc.text).Error)
				var ev confFidEvent
				require.NoError(t, db.Where("name = ?", tc.text).First(&ev).Error)
				assert.True(t, tc.want.Equal(ev.At), "want %v got %v", tc.want, ev.At)
			})
		}
		var now confFidEvent
		require.NoError(t, db.Exec("INSERT INTO conf_fid_events (name, at) VALUES ('now', CURRENT_TIMESTAMP)").Error)
		require.NoError(t, db.Where("name = ?", "now").First(&now).Error)
		assert.False(t, now.At.IsZero(), "CURRENT_TIMESTAMP reads as time.Time")
	})
}

// confFidTypedTime has time columns declared TIMESTAMP and DATE.
type confFidTypedTime struct {
	ID uint
	TS time.Time  `gorm:"type:timestamp"`
	D  time.Time  `gorm:"type:date"`
	DP *time.Time `gorm:"type:date"`
}

func (confFidTypedTime) TableName() string { return "conf_fid_typed_times" }

func TestConformanceTimeColumnTypes(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confFidTypedTime{})
		ts := time.Date(2024, 7, 8, 9, 10, 11, 120000000, time.FixedZone("CEST", 2*3600))
		day := time.Date(2024, 7, 8, 0, 0, 0, 0, time.UTC)
		row := confFidTypedTime{TS: ts, D: day, DP: nil}
		require.NoError(t, db.Create(&row).Error)

		var got confFidTypedTime
		require.NoError(t, db.First(&got, row.ID).Error)
		assert.True(t, ts.Equal(got.TS), "TIMESTAMP: want %v got %v", ts, got.TS)
		assert.True(t, day.Equal(got.D), "DATE: want %v got %v", day, got.D)
		assert.Nil(t, got.DP)

		var m map[string]interface{}
		require.NoError(t, db.Table("conf_fid_typed_times").Where("id = ?", row.ID).Take(&m).Error)
		for _, col := range []string{"ts", "d"} {
			_, ok := m[col].(time.Time)
			assert.True(t, ok, "%s scans as time.Time, got %T", col, m[col])
		}
		assert.Nil(t, m["dp"], "NULL DATE scans as nil")

		// A DATE column written by SQL in SQLite's date format.
		require.NoError(t, db.Exec("UPDATE conf_fid_typed_times SET dp = date('2024-07-08 23:59:59') WHERE id = ?", row.ID).Error)
		require.NoError(t, db.First(&got, row.ID).Error)
		if assert.NotNil(t, got.DP) {
			assert.True(t, day.Equal(*got.DP), "want %v got %v", day, *got.DP)
		}
	})
}

// ---------------------------------------------------------------------------
// Numbers and booleans

type confFidNum struct {
	ID  uint
	B   bool
	I64 int64
	I32 int32
	I8  int8
	U32 uint32
	U64 uint64
	U8  uint8
	F64 float64
	F32 float32
}

func (confFidNum) TableName() string { return "conf_fid_nums" }

func TestConformanceNumericFidelity(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confFidNum{})
		cases := []struct {
			name string
			row  confFidNum
		}{
			{"true and max", confFidNum{B: true, I64: math.MaxInt64, I32: math.MaxInt32, I8: math.MaxInt8, U32: math.MaxUint32, U64: math.MaxInt64, U8: math.MaxUint8, F64: math.MaxFloat64, F32: math.MaxFloat32}},
			{"false and min", confFidNum{B: false, I64: math.MinInt64, I32: math.MinInt32, I8: math.MinInt8, U32: 0, U64: 0, U8: 0, F64: -math.MaxFloat64, F32: -math.MaxFloat32}},
			{"tiny floats", confFidNum{B: true, I64: -1, F64: math.SmallestNonzeroFloat64, F32: math.SmallestNonzeroFloat32}},
			{"ordinary", confFidNum{I64: 1 << 53, U64: 1<<53 + 1, F64: 0.1, F32: 0.1}},
			{"small and negative", confFidNum{I64: -(1 << 53) - 1, F64: -1e-300, F32: -2.5}},
			{"pi and integral float", confFidNum{F64: math.Pi, F32: 3}},
			{"large float", confFidNum{F64: 1.7976931348623157e308 / 3, F32: 1e30}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				row := tc.row
				require.NoError(t, db.Create(&row).Error)
				var got confFidNum
				require.NoError(t, db.First(&got, row.ID).Error)
				assert.Equal(t, row, got)

				var raw struct {
					B   bool
					I64 int64
					U32 uint32
					U64 uint64
					F64 float64
				}
				require.NoError(t, db.Raw("SELECT b, i64, u32, u64, f64 FROM conf_fid_nums WHERE id = ?", row.ID).Scan(&raw).Error)
				assert.Equal(t, row.B, raw.B)
				assert.Equal(t, row.I64, raw.I64)
				assert.Equal(t, row.U32, raw.U32)
				assert.Equal(t, row.U64, raw.U64)
				assert.Equal(t, row.F64, raw.F64)

				var types struct{ B, I64, U64, F64 string }
				require.NoError(t, db.Raw("SELECT typeof(b) AS b, typeof(i64) AS i64, typeof(u64) AS u64, typeof(f64) AS f64 FROM conf_fid_nums WHERE id = ?", row.ID).Scan(&types).Error)
				assert.Equal(t, "integer", types.B, "bool stored as integer")
				assert.Equal(t, "integer", types.I64)
				assert.Equal(t, "integer", types.U64)
				assert.Equal(t, "real", types.F64)

				var b int
				require.NoError(t, db.Raw("SELECT b FROM conf_fid_nums WHERE id = ?", row.ID).Scan(&b).Error)
				assert.Equal(t, map[bool]int{true: 1, false: 0}[row.B], b, "bool stored as 1/0")

				assert.EqualValues(t, 1, confCount(t, db, "conf_fid_nums", "id = ? AND i64 = ? AND u32 = ? AND u64 = ? AND f64 = ? AND b = ?",
					row.ID, row.I64, row.U32, row.U64, row.F64, row.B), "WHERE with bound values matches exactly")
			})
		}
		// A uint64 beyond int64 cannot be stored as an SQLite integer: it
		// must be refused, never wrapped to a negative number.
		before := confCount(t, db, "conf_fid_nums", "")
		err := db.Create(&confFidNum{U64: math.MaxUint64}).Error
		assert.Error(t, err, "uint64 above MaxInt64 is refused")
		assert.Equal(t, before, confCount(t, db, "conf_fid_nums", ""))
		assert.Zero(t, confCount(t, db, "conf_fid_nums", "u64 < 0"), "no wrapped value stored")

		var trues int64
		require.NoError(t, db.Model(&confFidNum{}).Where("b = ?", true).Count(&trues).Error)
		want := 0
		for _, tc := range cases {
			if tc.row.B {
				want++
			}
		}
		assert.EqualValues(t, want, trues)
	})
}

// ---------------------------------------------------------------------------
// Blobs

type confFidBlob struct {
	ID   uint
	Name string
	Data []byte
}

func (confFidBlob) TableName() string { return "conf_fid_blobs" }

func TestConformanceBytesFidelity(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confFidBlob{})
		cases := []struct {
			name     string
			data     []byte
			wantType string
		}{
			{"nil is NULL", nil, "null"},
			{"empty is a zero-length blob", []byte{}, "blob"},
			{"binary with NULs", []byte{0, 1, 2, 0, 255, 254, 0}, "blob"},
			{"invalid UTF-8", []byte{0xff, 0xfe, 0xc3, 0x28}, "blob"},
			{"text-like bytes", []byte("2024-01-01 10:00:00"), "blob"},
			{"large", confBytesRepeat(0xA5, 1<<20), "blob"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				row := confFidBlob{Name: tc.name, Data: tc.data}
				require.NoError(t, db.Create(&row).Error)

				var typ string
				var n sql.NullInt64
				require.NoError(t, db.Raw("SELECT typeof(data), length(data) FROM conf_fid_blobs WHERE id = ?", row.ID).Row().Scan(&typ, &n))
				assert.Equal(t, tc.wantType, typ)
				if tc.data == nil {
					assert.False(t, n.Valid)
				} else {
					assert.EqualValues(t, len(tc.data), n.Int64)
				}

				var got confFidBlob
				require.NoError(t, db.First(&got, row.ID).Error)
				var raw []byte
				require.NoError(t, db.Raw("SELECT data FROM conf_fid_blobs WHERE id = ?", row.ID).Row().Scan(&raw))
				for via, b := range map[string][]byte{"model": got.Data, "raw": raw} {
					if tc.data == nil {
						assert.Nil(t, b, via)
					} else {
						assert.NotNil(t, b, "%s: non-nil", via)
						assert.Equal(t, tc.data, b, via)
					}
				}
				assert.EqualValues(t, 1, confCount(t, db, "conf_fid_blobs", "id = ? AND data IS ?", row.ID, tc.data), "bound []byte compares equal")
			})
		}
	})
}

func confBytesRepeat(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b + byte(i%7)
	}
	return out
}

// ---------------------------------------------------------------------------
// NULL

type confFidNullable struct {
	ID  uint
	S   *string
	I   *int64
	F   *float64
	B   *bool
	T   *time.Time
	NS  sql.NullString
	NI  sql.NullInt64
	NT  sql.NullTime
	NB  sql.NullBool
	NF  sql.NullFloat64
	NI3 sql.Null[int32]
}

func (confFidNullable) TableName() string { return "conf_fid_nullables" }

func TestConformanceNullFidelity(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confFidNullable{})

		empty := confFidNullable{}
		require.NoError(t, db.Create(&empty).Error)
		var gotEmpty confFidNullable
		require.NoError(t, db.First(&gotEmpty, empty.ID).Error)
		assert.Equal(t, empty, gotEmpty, "all NULL round trip")
		assert.EqualValues(t, 1, confCount(t, db, "conf_fid_nullables",
			"id = ? AND s IS NULL AND i IS NULL AND f IS NULL AND b IS NULL AND t IS NULL AND ns IS NULL AND ni IS NULL AND nt IS NULL AND nb IS NULL AND nf IS NULL AND ni3 IS NULL", empty.ID),
			"stored as SQL NULL")

		s, i, f, b := "2024-01-01", int64(-7), 2.5, false
		tm := time.Date(2024, 5, 6, 7, 8, 9, 10, time.FixedZone("Z+3", 3*3600))
		full := confFidNullable{
			S: &s, I: &i, F: &f, B: &b, T: &tm,
			NS:  sql.NullString{String: "", Valid: true},
			NI:  sql.NullInt64{Int64: 0, Valid: true},
			NT:  sql.NullTime{Time: tm, Valid: true},
			NB:  sql.NullBool{Bool: false, Valid: true},
			NF:  sql.NullFloat64{Float64: -0.5, Valid: true},
			NI3: sql.Null[int32]{V: 12, Valid: true},
		}
		require.NoError(t, db.Create(&full).Error)
		var got confFidNullable
		require.NoError(t, db.First(&got, full.ID).Error)
		if assert.NotNil(t, got.S) {
			assert.Equal(t, s, *got.S)
		}
		if assert.NotNil(t, got.I) {
			assert.Equal(t, i, *got.I)
		}
		if assert.NotNil(t, got.F) {
			assert.Equal(t, f, *got.F)
		}
		if assert.NotNil(t, got.B) {
			assert.Equal(t, b, *got.B)
		}
		if assert.NotNil(t, got.T) {
			assert.True(t, tm.Equal(*got.T))
		}
		assert.Equal(t, full.NS, got.NS, "valid empty string is not NULL")
		assert.Equal(t, full.NI, got.NI, "valid zero is not NULL")
		assert.True(t, got.NT.Valid)
		assert.True(t, tm.Equal(got.NT.Time))
		assert.Equal(t, full.NB, got.NB)
		assert.Equal(t, full.NF, got.NF)
		assert.Equal(t, full.NI3, got.NI3)
		assert.EqualValues(t, 1, confCount(t, db, "conf_fid_nullables", "id = ? AND ns = '' AND ni = 0 AND nb = 0", full.ID))

		// Raw scans of NULL into sql.Null* and pointers.
		var rs sql.NullString
		var ri sql.NullInt64
		var rt sql.NullTime
		var rp *string
		require.NoError(t, db.Raw("SELECT s, i, t, s FROM conf_fid_nullables WHERE id = ?", empty.ID).Row().Scan(&rs, &ri, &rt, &rp))
		assert.False(t, rs.Valid)
		assert.False(t, ri.Valid)
		assert.False(t, rt.Valid)
		assert.Nil(t, rp)

		// Updating to NULL.
		require.NoError(t, db.Model(&got).Updates(map[string]interface{}{"s": nil, "nt": nil}).Error)
		var cleared confFidNullable
		require.NoError(t, db.First(&cleared, full.ID).Error)
		assert.Nil(t, cleared.S)
		assert.False(t, cleared.NT.Valid)
	})
}

// ---------------------------------------------------------------------------
// JSON serializer

type confFidMeta struct {
	Name   string            `json:"name"`
	Count  int               `json:"count"`
	When   time.Time         `json:"when"`
	Nested map[string][]int  `json:"nested"`
	Attrs  map[string]string `json:"attrs,omitempty"`
}

type confFidJSON struct {
	ID     uint
	Meta   confFidMeta            `gorm:"serializer:json"`
	Labels map[string]string      `gorm:"serializer:json"`
	Tags   []string               `gorm:"serializer:json"`
	Items  []confFidMeta          `gorm:"serializer:json"`
	Any    map[string]interface{} `gorm:"serializer:json"`
}

func (confFidJSON) TableName() string { return "conf_fid_jsons" }

func TestConformanceJSONSerializer(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confFidJSON{})
		row := confFidJSON{
			Meta: confFidMeta{
				Name: "héllo \"json\"", Count: 3,
				When:   time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC),
				Nested: map[string][]int{"a": {1, 2}, "b": {}},
			},
			Labels: map[string]string{"env": "prod", "date": "2024-01-01"},
			Tags:   []string{"x", "2024-01-01T10:00:00Z", "日本"},
			Items:  []confFidMeta{{Name: "i1", Count: 1, When: time.Date(2020, 2, 2, 2, 2, 2, 0, time.UTC), Nested: map[string][]int{}}},
			Any:    map[string]interface{}{"n": 1.5, "s": "str", "b": true, "l": []interface{}{"a", 2.0}},
		}
		require.NoError(t, db.Create(&row).Error)

		var got confFidJSON
		require.NoError(t, db.First(&got, row.ID).Error)
		assert.Equal(t, row.Meta.Name, got.Meta.Name)
		assert.Equal(t, row.Meta.Count, got.Meta.Count)
		assert.True(t, row.Meta.When.Equal(got.Meta.When))
		assert.Equal(t, row.Meta.Nested, got.Meta.Nested)
		assert.Equal(t, row.Labels, got.Labels)
		assert.Equal(t, row.Tags, got.Tags)
		require.Len(t, got.Items, 1)
		assert.Equal(t, row.Items[0].Name, got.Items[0].Name)
		assert.Equal(t, row.Any, got.Any)

		var valid int
		var name, tag string
		require.NoError(t, db.Raw("SELECT json_valid(meta), json_extract(meta, '$.name'), json_extract(tags, '$[1]') FROM conf_fid_jsons WHERE id = ?", row.ID).Row().Scan(&valid, &name, &tag))
		assert.Equal(t, 1, valid, "stored value is JSON")
		assert.Equal(t, row.Meta.Name, name)
		assert.Equal(t, row.Tags[1], tag)

		var n int64
		require.NoError(t, db.Model(&confFidJSON{}).Where("json_extract(labels, '$.env') = ?", "prod").Count(&n).Error)
		assert.EqualValues(t, 1, n)

		empty := confFidJSON{}
		require.NoError(t, db.Create(&empty).Error)
		var gotEmpty confFidJSON
		require.NoError(t, db.First(&gotEmpty, empty.ID).Error)
		assert.Empty(t, gotEmpty.Tags)
		assert.Empty(t, gotEmpty.Labels)
	})
}

// ---------------------------------------------------------------------------
// Statements

type confFidMulti struct {
	ID uint
	N  int
}

func (confFidMulti) TableName() string { return "conf_fid_multi" }

func TestConformanceMultiStatementExec(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confFidMulti{})
		require.NoError(t, db.Exec("INSERT INTO conf_fid_multi (n) VALUES (1); INSERT INTO conf_fid_multi (n) VALUES (2)").Error)
		assert.EqualValues(t, 2, confCount(t, db, "conf_fid_multi", ""), "both statements ran")

		require.NoError(t, db.Exec(`
			INSERT INTO conf_fid_multi (n) VALUES (3);
			UPDATE conf_fid_multi SET n = n * 10;
			DELETE FROM conf_fid_multi WHERE n = 20;
		`).Error)
		var ns []int
		require.NoError(t, db.Model(&confFidMulti{}).Order("n").Pluck("n", &ns).Error)
		assert.Equal(t, []int{10, 30}, ns, "statements ran in order")

		require.NoError(t, db.Exec("CREATE TABLE conf_fid_multi_b (x TEXT); INSERT INTO conf_fid_multi_b VALUES ('a;b'); INSERT INTO conf_fid_multi_b VALUES ('--c')").Error)
		var xs []string
		require.NoError(t, db.Raw("SELECT x FROM conf_fid_multi_b ORDER BY x").Scan(&xs).Error)
		assert.Equal(t, []string{"--c", "a;b"}, xs, "semicolons inside literals are not separators")

		err := db.Exec("INSERT INTO conf_fid_multi (n) VALUES (4); INSERT INTO conf_fid_multi_missing (n) VALUES (5)").Error
		assert.Error(t, err, "an error in a later statement is reported")
	})
}

func TestConformanceRowReturningExec(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confFidMulti{})
		stmts := []string{
			"PRAGMA foreign_keys",
			"PRAGMA table_info(conf_fid_multi)",
			"SELECT 1",
			"SELECT n FROM conf_fid_multi",
		}
		if strings.HasSuffix(t.Name(), "/local") {
			// A remote server manages its journal itself and refuses this pragma.
			stmts = append(stmts, "PRAGMA journal_mode=WAL")
		}
		for _, stmt := range stmts {
			assert.NoError(t, db.Exec(stmt).Error, stmt)
		}
		var cols []map[string]interface{}
		require.NoError(t, db.Raw("PRAGMA table_info(conf_fid_multi)").Scan(&cols).Error)
		var names []string
		for _, c := range cols {
			names = append(names, fmt.Sprint(c["name"]))
		}
		assert.ElementsMatch(t, []string{"id", "n"}, names)

		var fk int
		require.NoError(t, db.Raw("PRAGMA foreign_keys").Scan(&fk).Error)
		assert.Equal(t, 1, fk, "foreign keys are on")

		res := db.Exec("INSERT INTO conf_fid_multi (n) VALUES (1), (2), (3) RETURNING id")
		require.NoError(t, res.Error, "Exec of INSERT ... RETURNING")
		assert.EqualValues(t, 3, confCount(t, db, "conf_fid_multi", ""))
	})
}
