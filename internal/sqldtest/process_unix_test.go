//go:build unix

package sqldtest_test

import (
	"errors"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
)

// assertGone checks that pid no longer exists: not running and reaped (a
// zombie would still answer signal 0).
func assertGone(t *testing.T, pid int) {
	t.Helper()
	err := syscall.Kill(pid, 0)
	assert.True(t, errors.Is(err, syscall.ESRCH), "pid %d should be gone (ESRCH), got %v", pid, err)
}
