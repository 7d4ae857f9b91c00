//go:build !linux

package sqldtest

import (
	"syscall"
	"time"
)

// sysProcAttr: parent-death signals exist only on Linux.
func sysProcAttr() *syscall.SysProcAttr { return nil }

// lockFile is a no-op: Binary installs only on linux/amd64.
func lockFile(string, time.Duration) (func(), error) { return func() {}, nil }

// listensOn cannot be checked portably; trust the health check.
func listensOn(int, int) bool { return true }
