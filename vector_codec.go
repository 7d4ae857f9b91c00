package libsql

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// This file mirrors libSQL's binary vector format (libsql-sqlite3/src/
// vector*.c, engine 0.9.25) so that a value bound from Go is the blob the
// engine's own vector32(), vector64(), vector16(), vectorb16(), vector8() and
// vector1bit() functions produce for the same numbers:
//
//	F32    n×float32 LE                                      (no type byte)
//	F64    n×float64 LE, 0x02
//	F16    n×IEEE half LE, 0x05
//	FB16   n×bfloat16 LE (float32 truncated), 0x06
//	F8     n×uint8, 0-3 zero bytes to a multiple of 4, alpha f32 LE,
//	       shift f32 LE, 0x00, number of padding bytes, 0x04
//	F1BIT  ceil(n/8) bytes (bit i of byte i/8 set when element i > 0),
//	       a zero byte when ceil(n/8) is even, 8×(len-1)-n, 0x03
//
// A blob of even length is float32 without a type byte; every other type
// makes the blob's length odd.

// vectorKind is libSQL's vector type code, which is also the trailing type
// byte of its blobs.
type vectorKind uint8

const (
	kindF32   vectorKind = 1
	kindF64   vectorKind = 2
	kindF1Bit vectorKind = 3
	kindF8    vectorKind = 4
	kindF16   vectorKind = 5
	kindFB16  vectorKind = 6
)

// maxVectorDims is libSQL's MAX_VECTOR_SZ.
const maxVectorDims = 65536

// kindInfo describes a vector type: its column type, SQL conversion
// function and the Go type of this package that binds it.
var kindInfo = map[vectorKind]struct{ column, function, goType string }{
	kindF32:   {"F32_BLOB", "vector32", "libsql.Vector"},
	kindF64:   {"F64_BLOB", "vector64", "libsql.Vector64"},
	kindF1Bit: {"F1BIT_BLOB", "vector1bit", "libsql.Vector1Bit"},
	kindF8:    {"F8_BLOB", "vector8", "libsql.Vector8"},
	kindF16:   {"F16_BLOB", "vector16", "libsql.Vector16"},
	kindFB16:  {"FB16_BLOB", "vectorb16", "libsql.VectorB16"},
}

func (k vectorKind) String() string {
	if info, ok := kindInfo[k]; ok {
		return strings.TrimSuffix(info.column, "_BLOB")
	}
	return fmt.Sprintf("vector type %d", uint8(k))
}

// columnKinds maps the column type names libSQL recognises (case
// insensitive) to their vector type.
var columnKinds = map[string]vectorKind{
	"FLOAT32": kindF32, "F32_BLOB": kindF32,
	"FLOAT64": kindF64, "F64_BLOB": kindF64,
	"FLOAT1BIT": kindF1Bit, "F1BIT_BLOB": kindF1Bit,
	"FLOAT8": kindF8, "F8_BLOB": kindF8,
	"FLOAT16": kindF16, "F16_BLOB": kindF16,
	"FLOATB16": kindFB16, "FB16_BLOB": kindFB16,
}

// parseVectorColumnType reads a declared column type such as
// "F32_BLOB(384)": ok is false when it is not a vector type; dims is 0 when
// the type has no dimension.
func parseVectorColumnType(declared string) (kind vectorKind, dims int, ok bool) {
	base, args, hasArgs := strings.Cut(strings.TrimSpace(declared), "(")
	kind, ok = columnKinds[strings.ToUpper(strings.TrimSpace(base))]
	if !ok {
		return 0, 0, false
	}
	if hasArgs {
		n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(args), ")")))
		if err != nil || n < 0 {
			return 0, 0, false
		}
		dims = n
	}
	return kind, dims, true
}

// checkFinite reports the first NaN or infinite element of v.
func checkFinite[T float32 | float64](v []T) error {
	for i, x := range v {
		if f := float64(x); math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%w: element %d is %v", ErrVectorNotFinite, i, f)
		}
	}
	return nil
}

func checkLen(n int) error {
	if n > maxVectorDims {
		return fmt.Errorf("%w: %d dimensions, libSQL allows at most %d", ErrVectorDimensions, n, maxVectorDims)
	}
	return nil
}

// encodeVector encodes v as a blob of kind. Every element must be finite
// and, for F16, within its range; F8 needs a finite max-min range.
func encodeVector(kind vectorKind, v []float32) ([]byte, error) {
	if err := checkLen(len(v)); err != nil {
		return nil, err
	}
	if err := checkFinite(v); err != nil {
		return nil, err
	}
	switch kind {
	case kindF32:
		return encodeF32(v), nil
	case kindF16:
		return encodeF16(v)
	case kindFB16:
		return encodeFB16(v), nil
	case kindF8:
		return encodeF8(v)
	case kindF1Bit:
		return encodeF1Bit(v), nil
	case kindF64:
		w := make([]float64, len(v))
		for i, x := range v {
			w[i] = float64(x)
		}
		return encodeF64(w), nil
	}
	return nil, fmt.Errorf("libsql: unknown vector type %d", kind)
}

func encodeF32(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func encodeF64(v []float64) []byte {
	b := make([]byte, 8*len(v)+1)
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
	b[len(b)-1] = byte(kindF64)
	return b
}

func encodeF16(v []float32) ([]byte, error) {
	b := make([]byte, 2*len(v)+1)
	for i, x := range v {
		h := f16FromFloat(x)
		if h&0x7c00 == 0x7c00 { // a finite float32 beyond ±65504 rounds to ±Inf
			return nil, fmt.Errorf("%w: element %d (%v) is out of the F16 range (±65504)", ErrVectorNotFinite, i, x)
		}
		binary.LittleEndian.PutUint16(b[2*i:], h)
	}
	b[len(b)-1] = byte(kindF16)
	return b, nil
}

func encodeFB16(v []float32) []byte {
	b := make([]byte, 2*len(v)+1)
	for i, x := range v {
		binary.LittleEndian.PutUint16(b[2*i:], fb16FromFloat(x))
	}
	b[len(b)-1] = byte(kindFB16)
	return b
}

// encodeF8 quantizes v as libSQL does: shift = min, alpha = (max-min)/255,
// q = round((x-shift)/alpha) clipped to [0, 255], in float32 arithmetic.
func encodeF8(v []float32) ([]byte, error) {
	var minF, maxF float32
	for i, x := range v {
		if i == 0 || x < minF {
			minF = x
		}
		if i == 0 || x > maxF {
			maxF = x
		}
	}
	shift := minF
	span := maxF - minF
	if math.IsInf(float64(span), 0) {
		return nil, fmt.Errorf("%w: the range of the elements (%v to %v) overflows F8's float32 scale", ErrVectorNotFinite, minF, maxF)
	}
	alpha := span / 255
	aligned := align4(len(v))
	b := make([]byte, aligned+8+3)
	for i, x := range v {
		b[i] = f8Quantize(x, shift, alpha)
	}
	binary.LittleEndian.PutUint32(b[aligned:], math.Float32bits(alpha))
	binary.LittleEndian.PutUint32(b[aligned+4:], math.Float32bits(shift))
	n := len(b)
	b[n-3] = 0
	b[n-2] = byte(aligned - len(v))
	b[n-1] = byte(kindF8)
	return b, nil
}

// f8Quantize is libSQL's clip((x - shift) / alpha, 0, 255). When alpha is
// 0 (all elements equal) the quotient is NaN, which the engine's (int) cast
// turns into 0 on the platforms it runs on; this returns 0 explicitly.
func f8Quantize(x, shift, alpha float32) byte {
	f := (x - shift) / alpha
	switch {
	case f != f:
		return 0
	case f < 0:
		return 0
	case f > 255:
		return 255
	}
	return byte(int(f + 0.5))
}

func align4(n int) int { return (n + 3) / 4 * 4 }

func encodeF1Bit(v []float32) []byte {
	data := (len(v) + 7) / 8
	n := data + 2
	if data%2 == 0 {
		n++ // a padding byte puts the trailing-bits byte at an odd offset
	}
	b := make([]byte, n)
	for i, x := range v {
		if x > 0 {
			b[i/8] |= 1 << (i & 7)
		}
	}
	b[n-2] = byte(8*(n-1) - len(v))
	b[n-1] = byte(kindF1Bit)
	return b
}

// blobMeta is what a vector blob's length and trailing bytes say about it.
type blobMeta struct {
	kind vectorKind
	dims int
}

// parseBlobMeta validates the layout of a libSQL vector blob and returns
// its type and dimensions. It is stricter than the engine, which for
// F1BIT does not check that the trailing-bits byte is consistent with the
// length.
func parseBlobMeta(b []byte) (blobMeta, error) {
	n := len(b)
	if n%2 == 0 {
		if n%4 != 0 {
			return blobMeta{}, fmt.Errorf("%w: a float32 blob's length must be a multiple of 4, got %d bytes", ErrVectorFormat, n)
		}
		return checkMeta(blobMeta{kindF32, n / 4})
	}
	kind := vectorKind(b[n-1])
	n-- // without the type byte
	switch kind {
	case kindF32:
		if n%4 != 0 {
			return blobMeta{}, fmt.Errorf("%w: F32 blob of %d bytes (without its type byte) is not a multiple of 4", ErrVectorFormat, n)
		}
		return checkMeta(blobMeta{kind, n / 4})
	case kindF64:
		if n%8 != 0 {
			return blobMeta{}, fmt.Errorf("%w: F64 blob of %d bytes (without its type byte) is not a multiple of 8", ErrVectorFormat, n)
		}
		return checkMeta(blobMeta{kind, n / 8})
	case kindF16, kindFB16:
		if n%2 != 0 {
			return blobMeta{}, fmt.Errorf("%w: %s blob of %d bytes (without its type byte) is not a multiple of 2", ErrVectorFormat, kind, n)
		}
		return checkMeta(blobMeta{kind, n / 2})
	case kindF8:
		if n < 10 || n%2 != 0 {
			return blobMeta{}, fmt.Errorf("%w: F8 blob of %d bytes (without its type byte) is too short or odd", ErrVectorFormat, n)
		}
		pad := int(b[n-1])
		dims := n - 2 - 8 - pad
		if pad > 3 || dims < 0 || align4(dims) != n-2-8 {
			return blobMeta{}, fmt.Errorf("%w: F8 blob of %d bytes has an inconsistent padding count %d", ErrVectorFormat, n+1, pad)
		}
		return checkMeta(blobMeta{kind, dims})
	case kindF1Bit:
		if n == 0 || n%2 != 0 {
			return blobMeta{}, fmt.Errorf("%w: F1BIT blob of %d bytes (without its type byte) is empty or odd", ErrVectorFormat, n)
		}
		dims := n*8 - int(b[n-1])
		data := (dims + 7) / 8
		want := data + 1
		if data%2 == 0 {
			want++
		}
		if dims < 0 || want != n {
			return blobMeta{}, fmt.Errorf("%w: F1BIT blob of %d bytes has an inconsistent trailing-bits byte %d", ErrVectorFormat, n+1, b[n-1])
		}
		return checkMeta(blobMeta{kind, dims})
	}
	return blobMeta{}, fmt.Errorf("%w: unknown vector type byte %d", ErrVectorFormat, b[n])
}

func checkMeta(m blobMeta) (blobMeta, error) {
	if m.dims > maxVectorDims {
		return blobMeta{}, fmt.Errorf("%w: %d dimensions, libSQL allows at most %d", ErrVectorFormat, m.dims, maxVectorDims)
	}
	return m, nil
}

// decodeVector decodes a vector blob of any type. F64 vectors come back in
// f64, every other type in f32, converted as libSQL's vector_extract does.
func decodeVector(b []byte) (kind vectorKind, f32 []float32, f64 []float64, err error) {
	meta, err := parseBlobMeta(b)
	if err != nil {
		return 0, nil, nil, err
	}
	n := meta.dims
	switch meta.kind {
	case kindF64:
		f64 = make([]float64, n)
		for i := range f64 {
			f64[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
		}
		return meta.kind, nil, f64, nil
	case kindF32:
		f32 = make([]float32, n)
		for i := range f32 {
			f32[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
	case kindF16:
		f32 = make([]float32, n)
		for i := range f32 {
			f32[i] = f16ToFloat(binary.LittleEndian.Uint16(b[2*i:]))
		}
	case kindFB16:
		f32 = make([]float32, n)
		for i := range f32 {
			f32[i] = fb16ToFloat(binary.LittleEndian.Uint16(b[2*i:]))
		}
	case kindF8:
		f32 = make([]float32, n)
		aligned := align4(n)
		alpha := math.Float32frombits(binary.LittleEndian.Uint32(b[aligned:]))
		shift := math.Float32frombits(binary.LittleEndian.Uint32(b[aligned+4:]))
		for i := range f32 {
			// The conversion keeps the compiler from fusing the multiply and
			// the add, which the engine does not do either.
			f32[i] = float32(alpha*float32(b[i])) + shift
		}
	case kindF1Bit:
		f32 = make([]float32, n)
		for i := range f32 {
			if b[i/8]>>(i&7)&1 == 1 {
				f32[i] = 1
			} else {
				f32[i] = -1
			}
		}
	}
	return meta.kind, f32, nil, nil
}

// parseVectorText reads libSQL's text form "[1, 2.5, -3]" (what
// vector_extract returns).
func parseVectorText(s string) ([]float64, error) {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "[") || !strings.HasSuffix(t, "]") {
		return nil, fmt.Errorf("%w: text %q is not of the form [x, y, ...]", ErrVectorFormat, truncate(s, 40))
	}
	t = strings.TrimSpace(t[1 : len(t)-1])
	if t == "" {
		return []float64{}, nil
	}
	parts := strings.Split(t, ",")
	if len(parts) > maxVectorDims {
		return nil, fmt.Errorf("%w: %d dimensions, libSQL allows at most %d", ErrVectorFormat, len(parts), maxVectorDims)
	}
	out := make([]float64, len(parts))
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, fmt.Errorf("%w: element %d of %q: %v", ErrVectorFormat, i, truncate(s, 40), err)
		}
		out[i] = x
	}
	return out, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// f16FromFloat is libSQL's vectorF16FromFloat: IEEE 754 half precision,
// round to nearest even, overflow to infinity, NaN kept.
func f16FromFloat(f float32) uint16 {
	i := math.Float32bits(f)
	sgn := (i >> 16) & 0x8000
	exp := int((i>>23)&0xff) - 127
	mntBits := i & 0x7fffff
	var mntNonZero uint32
	if mntBits != 0 {
		mntNonZero = 1
	}
	switch {
	case exp == 128: // NaN or infinity
		exp, mntBits = 16, mntNonZero<<22
	case exp > 15: // too big for half precision
		exp, mntBits = 16, 0
	case exp < -14 && exp >= -25: // a half-precision subnormal
		mntBits = (mntBits | 0x800000) >> uint(-exp-14)
		exp = -15
	case exp < -24:
		exp, mntBits = -15, 0
	}
	if mntBits&0x1fff > 0x1000-((mntBits>>13)&1) {
		mntBits += 0x2000
	}
	mnt := mntBits >> 13
	return uint16(sgn | uint32(exp+15+int(mnt>>10))<<10 | mnt&0x3ff)
}

// f16ToFloat is libSQL's vectorF16ToFloat.
func f16ToFloat(h uint16) float32 {
	sgn := uint32(h&0x8000) << 16
	exp := int(h>>10&0x1f) - 15
	mnt := uint32(h & 0x3ff)
	switch {
	case exp == 16: // NaN or infinity
		exp = 128
		if mnt != 0 {
			mnt = 1 << 22
		}
	case exp == -15 && mnt == 0: // zero
		exp = -127
	case exp == -15: // subnormal: normalise
		exp++
		for mnt&0x400 == 0 {
			mnt <<= 1
			exp--
		}
		mnt = (mnt & 0x3ff) << 13
	default:
		mnt <<= 13
	}
	return math.Float32frombits(sgn | uint32(exp+127)<<23 | mnt)
}

// fb16FromFloat is libSQL's vectorFB16FromFloat: bfloat16 by truncation.
func fb16FromFloat(f float32) uint16 { return uint16(math.Float32bits(f) >> 16) }

func fb16ToFloat(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }
