package sqldtest

import (
	"sync"
	"testing"
)

var (
	sharedMu  sync.Mutex
	shared    *Server
	sharedErr error
)

// Shared returns the process-wide server (Auth off), starting it on first
// use. It fails or skips the test like Start when sqld is unavailable; the
// start error is remembered, so later calls fail fast the same way. The
// package's TestMain must call StopShared after m.Run:
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		sqldtest.StopShared()
//		os.Exit(code)
//	}
//
// Tests sharing the server share its database: use distinct table names.
func Shared(t testing.TB) *Server {
	t.Helper()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared == nil && sharedErr == nil {
		shared, sharedErr = StartServer(Options{})
	}
	if sharedErr != nil {
		failOrSkip(t, sharedErr)
		return nil
	}
	return shared
}

// StopShared stops the server started by Shared and removes its data
// directory. Safe to call when Shared was never used; a later Shared starts
// a new server.
func StopShared() {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared != nil {
		shared.Cleanup()
	}
	shared, sharedErr = nil, nil
}
