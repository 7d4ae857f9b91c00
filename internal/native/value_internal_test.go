package native

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestParseTimeFastAgreesWithLayouts checks the hand-written parser against
// the layouts it short-cuts: same result where it answers, and it must
// answer for the canonical forms.
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
		for _, layout := range timeLayouts {
			if v, err := time.ParseInLocation(layout, in, time.UTC); err == nil {
				slow, slowOK = v, true
				break
			}
		}
		if ok {
			assert.True(t, slowOK, "%q: fast accepted what the layouts reject", in)
			assert.True(t, fast.Equal(slow), "%q: fast %v, layouts %v", in, fast, slow)
		}
		got, gotOK := parseTime(in)
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
