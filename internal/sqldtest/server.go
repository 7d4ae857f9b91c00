package sqldtest

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Timeouts. Generous on purpose: sqld is normally healthy in about a second.
const (
	// StartTimeout bounds the wait for /health after launching sqld.
	StartTimeout = 60 * time.Second
	// StopTimeout is how long Stop waits after SIGTERM before SIGKILL.
	StopTimeout = 5 * time.Second
)

// Options configure a server started by [Start] or [StartServer].
type Options struct {
	// Auth starts sqld with --auth-jwt-key-file and a fresh Ed25519 key
	// pair; see [Server.Token] and friends.
	Auth bool
	// GRPC also listens for replication clients (replica servers) on a free
	// --grpc-listen-addr; see [Server.GRPCURL].
	GRPC bool
	// PrimaryGRPCURL, when set, runs this server as a replica server of that
	// primary (--primary-grpc-url); pass the primary's GRPCURL().
	PrimaryGRPCURL string
	// DataDir holds the database (DataDir/data.sqld), the JWT key file and
	// the log (DataDir/sqld.log). Start defaults it to t.TempDir(),
	// StartServer to a new temporary directory.
	DataDir string
	// ExtraArgs are appended to the sqld command line.
	ExtraArgs []string
}

// Server is a running (or stopped) sqld process.
type Server struct {
	opts     Options
	bin      string
	dataDir  string
	ownsDir  bool
	port     int
	grpcPort int

	pub  ed25519.PublicKey
	priv ed25519.PrivateKey

	token, roToken, expiredToken, forgedToken string

	mu      sync.Mutex
	cmd     *exec.Cmd
	done    chan struct{} // closed when cmd has been waited for
	proxies []*Proxy
}

// Start starts sqld for the test and registers t.Cleanup(s.Stop). When sqld
// cannot be installed or started it fails the test with the reason (and the
// tail of sqld's log), or skips it when LIBSQL_SKIP_SQLD=1.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	s, err := StartServer(opts)
	if err != nil {
		failOrSkip(t, err)
		return nil
	}
	t.Cleanup(s.Stop)
	return s
}

// StartServer starts sqld outside any test (e.g. from TestMain). The caller
// must call Stop. When opts.DataDir is empty a temporary directory is
// created; [Server.Cleanup] stops the server and removes it.
func StartServer(opts Options) (*Server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, bin: bin, dataDir: opts.DataDir}
	if s.dataDir == "" {
		dir, err := os.MkdirTemp("", "sqldtest-")
		if err != nil {
			return nil, fmt.Errorf("sqldtest: %w", err)
		}
		s.dataDir, s.ownsDir = dir, true
	} else if err := os.MkdirAll(s.dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("sqldtest: %w", err)
	}
	if opts.Auth {
		s.pub, s.priv = newKeyPair()
		if err := os.WriteFile(s.keyPath(), []byte(PublicKeyFileContent(s.pub)), 0o600); err != nil {
			return nil, s.cleanupAfter(fmt.Errorf("sqldtest: %w", err))
		}
		s.token = SignJWT(s.priv, nil)
		s.roToken = SignJWT(s.priv, map[string]any{"a": "ro"})
		s.expiredToken = SignJWT(s.priv, map[string]any{"exp": time.Now().Add(-time.Hour).Unix()})
		_, otherPriv := newKeyPair()
		s.forgedToken = SignJWT(otherPriv, nil)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.launchLocked(false); err != nil {
		return nil, s.cleanupAfter(err)
	}
	return s, nil
}

func (s *Server) cleanupAfter(err error) error {
	if s.ownsDir {
		// Keep the log readable in the error: it was already included.
		_ = os.RemoveAll(s.dataDir)
	}
	return err
}

func failOrSkip(t testing.TB, err error) {
	t.Helper()
	if os.Getenv(EnvSkip) == "1" {
		t.Skipf("sqldtest: skipping because sqld is unavailable (%s=1): %v", EnvSkip, err)
		return
	}
	t.Fatalf("%v\n(set %s=1 to skip tests that need sqld instead of failing)", err, EnvSkip)
}

// URL is the Hrana-over-HTTP (and replication) base URL, "http://127.0.0.1:PORT".
func (s *Server) URL() string { return "http://" + s.Addr() }

// Addr is "127.0.0.1:PORT".
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// Port is the HTTP port; it stays the same across Restart.
func (s *Server) Port() int { return s.port }

// GRPCURL is "http://127.0.0.1:G" when started with Options.GRPC, else "".
func (s *Server) GRPCURL() string {
	if s.grpcPort == 0 {
		return ""
	}
	return "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(s.grpcPort))
}

// Token is a full-access JWT ("" without Options.Auth).
func (s *Server) Token() string { return s.token }

// ReadOnlyToken is a JWT with claims {"a":"ro"} ("" without Options.Auth).
func (s *Server) ReadOnlyToken() string { return s.roToken }

// ExpiredToken is a full-access JWT whose exp is an hour in the past.
func (s *Server) ExpiredToken() string { return s.expiredToken }

// ForgedToken is a full-access JWT signed by a key the server does not know.
func (s *Server) ForgedToken() string { return s.forgedToken }

// MintToken signs claims with the server's key ("" without Options.Auth).
func (s *Server) MintToken(claims map[string]any) string {
	if s.priv == nil {
		return ""
	}
	return SignJWT(s.priv, claims)
}

// DataDir is the server's data directory.
func (s *Server) DataDir() string { return s.dataDir }

// DBPath is the --db-path passed to sqld.
func (s *Server) DBPath() string { return filepath.Join(s.dataDir, "data.sqld") }

// LogPath is the file receiving sqld's stdout and stderr (appended across
// restarts).
func (s *Server) LogPath() string { return filepath.Join(s.dataDir, "sqld.log") }

// LogTail returns about the last n bytes of the log.
func (s *Server) LogTail(n int) string {
	b, _ := os.ReadFile(s.LogPath())
	return tail(b, n)
}

func (s *Server) keyPath() string { return filepath.Join(s.dataDir, "jwt.pub") }

// Pid is the pid of the running sqld, or 0 when stopped.
func (s *Server) Pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.runningLocked() {
		return 0
	}
	return s.cmd.Process.Pid
}

// Running reports whether the sqld process is alive.
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.runningLocked()
}

func (s *Server) runningLocked() bool {
	if s.cmd == nil {
		return false
	}
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// Stop sends SIGTERM, waits up to StopTimeout, then SIGKILLs; it always
// reaps the process. Idempotent; the server can be started again with
// Restart.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopLocked(false)
}

// Kill SIGKILLs the server at once (a crash) and reaps it.
func (s *Server) Kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopLocked(true)
}

// Cleanup stops the server and, when StartServer created its data
// directory, removes that directory.
func (s *Server) Cleanup() {
	s.Stop()
	if s.ownsDir {
		_ = os.RemoveAll(s.dataDir)
	}
}

func (s *Server) stopLocked(kill bool) {
	if s.cmd == nil {
		return
	}
	p, done := s.cmd.Process, s.done
	select {
	case <-done:
	default:
		if kill {
			_ = p.Kill()
		} else if err := p.Signal(syscall.SIGTERM); err != nil {
			_ = p.Kill()
		}
		select {
		case <-done:
		case <-time.After(StopTimeout):
			_ = p.Kill()
			<-done
		}
	}
	s.cmd, s.done = nil, nil
	for _, px := range s.proxies {
		px.transport.CloseIdleConnections()
	}
}

// Restart stops the server (if running) and starts it again on the same
// port(s) and data directory, waiting for /health. Works after Stop and
// Kill. Fails the test if sqld does not come back.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopLocked(false)
	if err := s.launchLocked(true); err != nil {
		t.Fatalf("sqldtest: restart: %v", err)
	}
}

var errAddrInUse = errors.New("address already in use")

// launchLocked starts sqld and waits until it is healthy. With samePorts it
// reuses the current ports (retrying while they are still busy), otherwise
// it picks fresh ones (retrying with other ports on a bind race).
func (s *Server) launchLocked(samePorts bool) error {
	const attempts = 8
	var err error
	for i := 0; i < attempts; i++ {
		if !samePorts {
			if s.port, err = freePort(); err != nil {
				return err
			}
			s.grpcPort = 0
			if s.opts.GRPC {
				if s.grpcPort, err = freePort(); err != nil {
					return err
				}
				if s.grpcPort == s.port {
					continue
				}
			}
		}
		err = s.launchOnceLocked()
		if err == nil {
			return nil
		}
		if !errors.Is(err, errAddrInUse) {
			return err
		}
		if samePorts {
			time.Sleep(250 * time.Millisecond)
		}
	}
	return err
}

func (s *Server) args() []string {
	args := []string{
		"--db-path", s.DBPath(),
		"--http-listen-addr", s.Addr(),
		"--no-welcome",
		"--disable-metrics",
	}
	if s.opts.Auth {
		args = append(args, "--auth-jwt-key-file", s.keyPath())
	}
	if s.grpcPort != 0 {
		args = append(args, "--grpc-listen-addr", net.JoinHostPort("127.0.0.1", strconv.Itoa(s.grpcPort)))
	}
	if s.opts.PrimaryGRPCURL != "" {
		args = append(args, "--primary-grpc-url", s.opts.PrimaryGRPCURL)
	}
	return append(args, s.opts.ExtraArgs...)
}

func (s *Server) launchOnceLocked() error {
	logf, err := os.OpenFile(s.LogPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("sqldtest: %w", err)
	}
	defer logf.Close() // the child has its own copy
	args := s.args()
	fmt.Fprintf(logf, "=== sqldtest %s: %s %s\n", time.Now().Format(time.RFC3339Nano), s.bin, strings.Join(args, " "))
	offset, _ := logf.Seek(0, io.SeekEnd)

	cmd := exec.Command(s.bin, args...)
	cmd.Dir = s.dataDir
	cmd.Env = childEnv()
	cmd.Stdin = nil
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("sqldtest: starting %s: %w", s.bin, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	s.cmd, s.done = cmd, done

	logSince := func() string {
		b, _ := os.ReadFile(s.LogPath())
		if int64(len(b)) >= offset {
			b = b[offset:]
		}
		return tail(b, 4096)
	}
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	healthURL := s.URL() + "/health"
	deadline := time.Now().Add(StartTimeout)
	for {
		select {
		case <-done:
			s.cmd, s.done = nil, nil
			out := logSince()
			if strings.Contains(out, "Address already in use") || strings.Contains(out, "os error 98") {
				return fmt.Errorf("sqldtest: sqld could not bind %s: %w\nsqld log (%s):\n%s", s.Addr(), errAddrInUse, s.LogPath(), out)
			}
			return fmt.Errorf("sqldtest: sqld exited during startup (%v): %s %s\nsqld log (%s):\n%s",
				cmd.ProcessState, s.bin, strings.Join(args, " "), s.LogPath(), out)
		default:
		}
		if resp, err := client.Get(healthURL); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			pid := cmd.Process.Pid
			if resp.StatusCode == http.StatusOK && listensOn(pid, s.port) &&
				(s.grpcPort == 0 || listensOn(pid, s.grpcPort)) {
				return nil
			}
		}
		if time.Now().After(deadline) {
			s.stopLocked(true)
			return fmt.Errorf("sqldtest: sqld not healthy at %s after %v: %s %s\nsqld log (%s):\n%s",
				healthURL, StartTimeout, s.bin, strings.Join(args, " "), s.LogPath(), logSince())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// childEnv is the test's environment without SQLD_* variables, which sqld
// would read as flags.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SQLD_") {
			env = append(env, kv)
		}
	}
	return env
}

// freePort asks the kernel for a free port on 127.0.0.1. Another process
// can take it before sqld binds it; callers retry on bind failure.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("sqldtest: finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
