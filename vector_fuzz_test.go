package libsql_test

import (
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"math"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gorm-libsql/libsql"
)

// The fuzz targets check the vector codec against libSQL's engine (local
// mode): every blob the decoder accepts must decode to what the engine's
// vector32/vector64 make of it, and every value the encoders produce must be
// the engine's own encoding of the same numbers. Their seed corpora run as
// ordinary tests; fuzz them with
//
//	go test -run '^$' -fuzz FuzzVectorBlob -fuzztime 2m .
//	go test -run '^$' -fuzz FuzzVectorEncode -fuzztime 2m .

// vecFuzzDB opens a local database for the engine's side of the
// comparisons. The fuzz targets query it through database/sql: GORM would
// expand a []byte argument after "(" into one parameter per byte.
func vecFuzzDB(f *testing.F) *sql.DB {
	db, err := gorm.Open(libsql.Open(filepath.Join(f.TempDir(), "fuzz.db")), &gorm.Config{Logger: logger.Discard})
	require.NoError(f, err)
	sqlDB, err := db.DB()
	require.NoError(f, err)
	sqlDB.SetMaxOpenConns(1)
	f.Cleanup(func() { _ = sqlDB.Close() })
	return sqlDB
}

// vecSameFloats compares element by element; NaNs are equal to NaNs.
func vecSameFloats[T float32 | float64](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(a[i] != a[i] && b[i] != b[i]) {
			return false
		}
	}
	return true
}

func vecSeedBlobs() [][]byte {
	var seeds [][]byte
	for _, v := range []libsql.Vector{nil, {}, {1}, {1, -2, 3.5}, {0, 0, 0, 0, 0}, {1e-7, -1e-5, 65504, -65519, 3e38}} {
		for _, b := range [][]byte{
			vecMust(libsql.Vector(v).Value()),
			vecMust(libsql.VectorB16(v).Value()),
			vecMust(libsql.Vector8(v).Value()),
			vecMust(libsql.Vector1Bit(v).Value()),
			vecMust(libsql.Vector64(vecF64(v)).Value()),
		} {
			if b != nil {
				seeds = append(seeds, b)
			}
		}
		if b, err := libsql.Vector16(v).Value(); err == nil && b != nil {
			seeds = append(seeds, b.([]byte))
		}
	}
	nine := make([]byte, 9*8+1) // 9-bit and 65-bit 1-bit vectors, padding cases
	nine[len(nine)-1] = 3
	return append(seeds,
		vecMust(libsql.Vector1Bit(make([]float32, 9)).Value()),
		vecMust(libsql.Vector1Bit(make([]float32, 16)).Value()),
		vecMust(libsql.Vector8(make([]float32, 7)).Value()),
		[]byte{0, 0, 128, 63, 1},                      // F32 with its optional type byte
		[]byte{0, 0, 192, 127},                        // NaN
		[]byte{0, 0, 0, 0, 0, 0},                      // not a multiple of 4
		[]byte{0, 0xFF, 3},                            // 1-bit with an impossible trailing count
		[]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 200, 4}, // F8 with a bad padding count
		[]byte{7}, nine,
	)
}

func vecMust(v driver.Value, err error) []byte {
	if err != nil {
		panic(err)
	}
	if v == nil {
		return nil
	}
	return v.([]byte)
}

// FuzzVectorBlob decodes arbitrary bytes. Accepted blobs must decode as the
// engine decodes them, and re-encode to a blob that decodes the same;
// rejected ones fail with ErrVectorFormat.
func FuzzVectorBlob(f *testing.F) {
	for _, s := range vecSeedBlobs() {
		f.Add(s)
	}
	db := vecFuzzDB(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		var v32 libsql.Vector
		err := v32.Scan(b)
		var v64 libsql.Vector64
		err64 := v64.Scan(b)
		if (err == nil) != (err64 == nil) {
			t.Fatalf("Vector and Vector64 disagree on %x: %v / %v", b, err, err64)
		}
		if err != nil {
			if !errors.Is(err, libsql.ErrVectorFormat) {
				t.Fatalf("%x: %v does not wrap ErrVectorFormat", b, err)
			}
			return
		}
		if len(v32) != len(v64) {
			t.Fatalf("%x: %d vs %d dimensions", b, len(v32), len(v64))
		}

		// The engine's reading of the same blob.
		var eng32, eng64 []byte
		if err := db.QueryRow("SELECT vector32(?), vector64(?)", b, b).Scan(&eng32, &eng64); err != nil {
			t.Fatalf("the engine refuses %x, which the decoder accepts: %v", b, err)
		}
		var e32 libsql.Vector
		var e64 libsql.Vector64
		require.NoError(t, e32.Scan(eng32))
		require.NoError(t, e64.Scan(eng64))
		if !vecSameFloats(v32, e32) {
			t.Fatalf("%x: decoded %v, the engine %v", b, v32, e32)
		}
		if !vecSameFloats(v64, e64) {
			t.Fatalf("%x: decoded as float64 %v, the engine %v", b, v64, e64)
		}

		// Re-encoding in the blob's own type keeps the values (F8 is
		// re-quantized, so only its length is kept).
		finite := true
		for _, x := range v64 {
			finite = finite && !math.IsNaN(x) && !math.IsInf(x, 0)
		}
		if !finite {
			return
		}
		var again []byte
		switch kind := vecKindOf(b); kind {
		case 1:
			again = vecMust(v32.Value())
		case 2:
			again = vecMust(v64.Value())
		case 3:
			again = vecMust(libsql.Vector1Bit(v32).Value())
		case 4:
			again, err = vecValue(libsql.Vector8(v32))
		case 5:
			again, err = vecValue(libsql.Vector16(v32))
		case 6:
			again = vecMust(libsql.VectorB16(v32).Value())
		}
		if err != nil {
			return // an F8 range beyond float32
		}
		var back libsql.Vector64
		require.NoError(t, back.Scan(again))
		if vecKindOf(b) == 4 {
			if len(back) != len(v64) {
				t.Fatalf("%x: F8 re-encoding has %d dimensions, want %d", b, len(back), len(v64))
			}
			return
		}
		if !vecSameFloats(back, v64) {
			t.Fatalf("%x: re-encoded %x decodes to %v, want %v", b, again, back, v64)
		}
	})
}

func vecValue(v driver.Valuer) ([]byte, error) {
	x, err := v.Value()
	if err != nil {
		return nil, err
	}
	return x.([]byte), nil
}

// vecKindOf is the vector type of a valid blob.
func vecKindOf(b []byte) int {
	if len(b)%2 == 0 {
		return 1
	}
	return int(b[len(b)-1])
}

// FuzzVectorEncode reads float32s from arbitrary bytes and encodes them in
// every precision: each encoding must be the engine's conversion of the
// float32 vector (compared after vector_extract-equivalent decoding, as
// libSQL's F8 leaves its alignment bytes uninitialised), and non-finite
// input must fail with ErrVectorNotFinite.
func FuzzVectorEncode(f *testing.F) {
	for _, s := range [][]float32{{}, {1}, {1, 2, 3}, {-1, 0, 1e-8, 6e4, 7e4}, {float32(math.NaN())}, {5, 5, 5}, {3e38, -3e38}} {
		raw := make([]byte, 4*len(s))
		for i, x := range s {
			binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(x))
		}
		f.Add(raw)
	}
	db := vecFuzzDB(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		v := make(libsql.Vector, len(raw)/4)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		blob, err := v.Value()
		finite := true
		for _, x := range v {
			finite = finite && !math.IsNaN(float64(x)) && !math.IsInf(float64(x), 0)
		}
		if !finite {
			if !errors.Is(err, libsql.ErrVectorNotFinite) {
				t.Fatalf("%v: Value gave %v, want ErrVectorNotFinite", v, err)
			}
			return
		}
		require.NoError(t, err)
		var back libsql.Vector
		require.NoError(t, back.Scan(blob))
		if !vecSameFloats(back, v) {
			t.Fatalf("F32 round trip of %v gave %v", v, back)
		}
		for _, c := range []struct {
			fn string
			v  driver.Valuer
		}{
			{"vector16", libsql.Vector16(v)}, {"vectorb16", libsql.VectorB16(v)}, {"vector8", libsql.Vector8(v)},
			{"vector1bit", libsql.Vector1Bit(v)}, {"vector64", libsql.Vector64(vecF64(v))},
		} {
			mine, err := vecValue(c.v)
			if err != nil {
				if !errors.Is(err, libsql.ErrVectorNotFinite) {
					t.Fatalf("%s of %v: %v", c.fn, v, err)
				}
				continue // F16 overflow or an F8 range beyond float32
			}
			var eng []byte
			require.NoError(t, db.QueryRow("SELECT "+c.fn+"(?)", blob).Scan(&eng))
			if len(mine) != len(eng) {
				t.Fatalf("%s of %v: %x, the engine %x", c.fn, v, mine, eng)
			}
			var m, e libsql.Vector64
			require.NoError(t, m.Scan(mine))
			require.NoError(t, e.Scan(eng))
			if !vecSameFloats(m, e) {
				t.Fatalf("%s of %v: %v (%x), the engine %v (%x)", c.fn, v, m, mine, e, eng)
			}
			if c.fn != "vector8" && string(mine) != string(eng) {
				t.Fatalf("%s of %v: %x, the engine %x", c.fn, v, mine, eng)
			}
		}
	})
}
