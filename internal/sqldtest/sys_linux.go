//go:build linux

package sqldtest

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// sysProcAttr makes the kernel SIGKILL sqld when the test binary dies, so a
// crashed test never orphans a server. (Pdeathsig fires when the creating OS
// thread exits; Go only retires threads of goroutines that exit while locked
// with runtime.LockOSThread, which this package never does.)
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// lockFile takes an exclusive flock on path, waiting at most timeout. The
// lock dies with the process, so a crashed installer never blocks others.
func lockFile(path string, timeout time.Duration) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(timeout)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				f.Close()
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, err
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("timed out after %v waiting for %s", timeout, path)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// listensOn reports whether process pid owns a TCP socket listening on
// 127.0.0.1:port. It guards against a /health answer coming from some other
// process that grabbed the port we picked.
func listensOn(pid, port int) bool {
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		return true // cannot tell; trust the health check
	}
	defer f.Close()
	want := fmt.Sprintf("0100007F:%04X", port)
	var inodes []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
		if len(fields) < 10 || fields[1] != want || fields[3] != "0A" {
			continue
		}
		inodes = append(inodes, fields[9])
	}
	if len(inodes) == 0 {
		return false
	}
	fdDir := filepath.Join("/proc", strconv.Itoa(pid), "fd")
	entries, err := os.ReadDir(fdDir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		target, err := os.Readlink(filepath.Join(fdDir, e.Name()))
		if err != nil {
			continue
		}
		for _, ino := range inodes {
			if target == "socket:["+ino+"]" {
				return true
			}
		}
	}
	return false
}
