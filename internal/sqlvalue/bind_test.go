package sqlvalue

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type rangeErr struct{ msg string }

func (e *rangeErr) Error() string { return e.msg }

func testRangeError(format string, args ...any) error {
	return &rangeErr{fmt.Sprintf(format, args...)}
}

// stmtIndex looks parameter names up in names (names[i] is the name of
// parameter i+1).
func stmtIndex(names ...string) func(prefix, name string) int {
	return func(prefix, name string) int {
		for i, n := range names {
			if n == prefix+name {
				return i + 1
			}
		}
		return 0
	}
}

func TestBinderPositional(t *testing.T) {
	b := NewBinder([]driver.NamedValue{{Ordinal: 1, Value: int64(1)}, {Ordinal: 2, Value: "a"}, {Ordinal: 3, Value: nil}}, testRangeError)
	vals, err := b.Values(2, stmtIndex("", ""))
	require.NoError(t, err)
	assert.Equal(t, []driver.Value{int64(1), "a"}, vals)
	vals, err = b.Values(0, stmtIndex())
	require.NoError(t, err)
	assert.Nil(t, vals)
	vals, err = b.Values(1, stmtIndex(""))
	require.NoError(t, err)
	assert.Equal(t, []driver.Value{nil}, vals)
	require.NoError(t, b.Finish())

	b = NewBinder([]driver.NamedValue{{Ordinal: 1, Value: int64(1)}}, testRangeError)
	_, err = b.Values(2, stmtIndex("", ""))
	var re *rangeErr
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "not enough arguments: statement has 2 parameters, 1 arguments left", re.msg)

	b = NewBinder([]driver.NamedValue{{Ordinal: 1, Value: int64(1)}, {Ordinal: 2, Value: int64(2)}}, testRangeError)
	_, err = b.Values(1, stmtIndex(""))
	require.NoError(t, err)
	require.ErrorAs(t, b.Finish(), &re)
	assert.Equal(t, "1 argument(s) left over: the statement(s) have 1 parameters, got 2 arguments", re.msg)
}

func TestBinderNamed(t *testing.T) {
	args := []driver.NamedValue{{Name: "a", Ordinal: 1, Value: "A"}, {Ordinal: 2, Value: int64(2)}, {Name: "b", Ordinal: 3, Value: "B"}}
	b := NewBinder(args, testRangeError)
	vals, err := b.Values(3, stmtIndex("", ":a", "@b"))
	require.NoError(t, err)
	assert.Equal(t, []driver.Value{int64(2), "A", "B"}, vals)
	vals, err = b.Values(1, stmtIndex("$a"))
	require.NoError(t, err)
	assert.Equal(t, []driver.Value{"A"}, vals)
	require.NoError(t, b.Finish())

	b = NewBinder(args, testRangeError)
	_, err = b.Values(2, stmtIndex(":a", ""))
	require.NoError(t, err)
	var re *rangeErr
	require.ErrorAs(t, b.Finish(), &re)
	assert.Equal(t, `arguments not used by any parameter: "b"`, re.msg)

	b = NewBinder(args, testRangeError)
	_, err = b.Values(3, stmtIndex("", "", ":b"))
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "not enough arguments: no argument for parameter 2", re.msg)

	b = NewBinder(args, testRangeError)
	_, err = b.Values(2, stmtIndex(":a", ":b"))
	require.NoError(t, err)
	require.ErrorAs(t, b.Finish(), &re)
	assert.Equal(t, "arguments not used by any parameter: #2", re.msg)
}

func TestBinderSetError(t *testing.T) {
	errSet := errors.New("set failed")
	b := NewBinder([]driver.NamedValue{{Ordinal: 1, Value: int64(1)}}, testRangeError)
	err := b.Bind(1, stmtIndex(""), func(i int, v driver.Value) error { return errSet })
	assert.Same(t, errSet, err)
}
