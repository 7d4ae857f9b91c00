//go:build linux

package sqldtest_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gorm-libsql/libsql/internal/sqldtest"
)

const helperEnv = "SQLDTEST_PDEATHSIG_HELPER_PIDFILE"

// TestHelperStartAndHang is run only as a child of TestParentDeathKillsSqld.
func TestHelperStartAndHang(t *testing.T) {
	pidFile := os.Getenv(helperEnv)
	if pidFile == "" {
		t.Skip("helper process for TestParentDeathKillsSqld")
	}
	s := sqldtest.Start(t, sqldtest.Options{DataDir: filepath.Join(filepath.Dir(pidFile), "data")})
	require.NoError(t, os.WriteFile(pidFile+".tmp", []byte(strconv.Itoa(s.Pid())), 0o644))
	require.NoError(t, os.Rename(pidFile+".tmp", pidFile))
	time.Sleep(time.Minute) // killed by the parent long before
}

// alive reports whether pid exists and is not a zombie.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// pid (comm) STATE ...
	i := bytes.LastIndexByte(stat, ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}

func TestParentDeathKillsSqld(t *testing.T) {
	if _, err := sqldtest.Binary(); err != nil {
		t.Skipf("no sqld: %v", err)
	}
	pidFile := filepath.Join(t.TempDir(), "pid")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperStartAndHang$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+pidFile)
	outFile, err := os.Create(filepath.Join(t.TempDir(), "helper.out"))
	require.NoError(t, err)
	defer outFile.Close()
	cmd.Stdout, cmd.Stderr = outFile, outFile
	require.NoError(t, cmd.Start())
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()

	var sqldPid int
	deadline := time.Now().Add(60 * time.Second)
	for sqldPid == 0 {
		if b, err := os.ReadFile(pidFile); err == nil {
			sqldPid, err = strconv.Atoi(strings.TrimSpace(string(b)))
			require.NoError(t, err)
			break
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(outFile.Name())
			t.Fatalf("helper did not start sqld within 60s:\n%s", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	require.True(t, alive(sqldPid))

	require.NoError(t, cmd.Process.Kill()) // crash the "test binary"
	_ = cmd.Wait()

	deadline = time.Now().Add(10 * time.Second)
	for alive(sqldPid) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(sqldPid, syscall.SIGKILL)
			t.Fatalf("sqld pid %d outlived its killed parent", sqldPid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
