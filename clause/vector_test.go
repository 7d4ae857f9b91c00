package clause

import (
	"database/sql/driver"
	"errors"
	"math"
	"testing"
)

type f16Valuer []byte

func (v f16Valuer) Value() (driver.Value, error) { return []byte(v), nil }

type myFloats []float32

func TestEncodeQuery(t *testing.T) {
	for _, c := range []struct {
		in         any
		kind, dims int
		blobLen    int
	}{
		{[]float32{1, 2, 3}, kindF32, 3, 12},
		{myFloats{1, 2}, kindF32, 2, 8},
		{[]float64{1, 2}, kindF64, 2, 17},
		{[]byte{0, 0, 128, 63}, kindF32, 1, 4},
		{[]byte{0, 0, 128, 63, 1}, kindF32, 1, 5},
		{f16Valuer{0, 60, 0, 64, 5}, kindF16, 2, 5},
		{f16Valuer{0, 60, 6}, kindFB16, 1, 3},
		{f16Valuer{1, 14, 3}, kindF1Bit, 2, 3},
		// F8 of 2 dims: 2 bytes, 2 padding, alpha, shift, 0, 2, 4
		{f16Valuer{0, 255, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 2, 4}, kindF8, 2, 15},
	} {
		q, err := encodeQuery(c.in)
		if err != nil {
			t.Errorf("%v: %v", c.in, err)
			continue
		}
		if q.kind != c.kind || q.dims != c.dims || len(q.blob) != c.blobLen {
			t.Errorf("%v: kind %d dims %d len %d, want %d %d %d", c.in, q.kind, q.dims, len(q.blob), c.kind, c.dims, c.blobLen)
		}
	}
	for _, c := range []struct {
		in   any
		want error
	}{
		{nil, ErrInvalid},
		{"[1,2]", ErrInvalid},
		{[]int{1}, ErrInvalid},
		{[]byte{1, 2, 3, 4, 5, 6}, ErrInvalid}, // even but not a multiple of 4
		{[]byte{1, 2, 9}, ErrInvalid},          // unknown type byte
		{[]float32{float32(math.NaN())}, ErrNotFinite},
		{[]float64{math.Inf(-1)}, ErrNotFinite},
		{make([]float32, maxDims+1), ErrDimensions},
	} {
		if _, err := encodeQuery(c.in); !errors.Is(err, c.want) {
			t.Errorf("%v: %v, want %v", c.in, err, c.want)
		}
	}
	if _, err := toQueryVector([]float32{1, 2}, columnSpec{kind: kindF32, dims: 3, name: "t.e"}); !errors.Is(err, ErrDimensions) {
		t.Errorf("dimension check: %v", err)
	}
}

func TestParseColumnType(t *testing.T) {
	for in, want := range map[string][2]int{
		"F32_BLOB(384)": {kindF32, 384}, "f16_blob( 8 )": {kindF16, 8}, "FLOAT64": {kindF64, 0},
		"F1BIT_BLOB(3)": {kindF1Bit, 3}, "blob": {0, 0}, "text(3)": {0, 0},
	} {
		kind, dims := parseColumnType(in)
		if kind != want[0] || dims != want[1] {
			t.Errorf("%s: %d %d, want %v", in, kind, dims, want)
		}
	}
}

func TestMetric(t *testing.T) {
	for m, want := range map[Metric]string{"": "vector_distance_cos", Cosine: "vector_distance_cos", L2: "vector_distance_l2"} {
		if fn, err := m.function(); err != nil || fn != want {
			t.Errorf("%q: %s %v", m, fn, err)
		}
	}
	if _, err := Metric("dot").function(); !errors.Is(err, ErrInvalid) {
		t.Error(err)
	}
}
