package sqldtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gorm-libsql/libsql/internal/sqldtest"
)

// Exact answers of the pinned sqld (0.24.32) to rejected requests.
const (
	bodyReadOnlyWrite = `{"error":"Authorization forbidden: Current session doesn't not have Write permission to namespace default"}`
	bodyForged        = "{\"error\":\"Unauthorized: `The JWT is invalid`\"}"
	bodyExpired       = "{\"error\":\"Unauthorized: `The JWT has expired`\"}"
	bodyMissing       = "{\"error\":\"Unauthorized: `Expected authorization header but none given`\"}"
)

const pipelineJSON = `{"baton":null,"requests":[{"type":"execute","stmt":{"sql":"CREATE TABLE t(x)"}},{"type":"execute","stmt":{"sql":"INSERT INTO t VALUES (1)"}},{"type":"close"}]}`

func post(t *testing.T, baseURL, token string, body []byte) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	status, b, err := sqldtest.PostPipeline(ctx, baseURL, token, body)
	require.NoError(t, err)
	return status, string(b)
}

func TestBinaryIsPinnedAndCached(t *testing.T) {
	p1, err := sqldtest.Binary()
	if err != nil {
		t.Skipf("no sqld: %v", err) // Start-based tests report the failure
	}
	p2, err := sqldtest.Binary()
	require.NoError(t, err)
	assert.Equal(t, p1, p2)
	if os.Getenv(sqldtest.EnvBinary) == "" {
		root, err := sqldtest.RepoRoot()
		require.NoError(t, err)
		assert.Equal(t, filepath.Join(root, ".cache", "sqld", sqldtest.NPMVersion, "sqld"), p1)
	}
}

func TestPipeline(t *testing.T) {
	s := sqldtest.Start(t, sqldtest.Options{})
	assert.Empty(t, s.Token())
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, s.URL())

	status, body := post(t, s.URL(), "", []byte(pipelineJSON))
	require.Equal(t, http.StatusOK, status, body)
	var pr sqldtest.PipelineResponse
	require.NoError(t, json.Unmarshal([]byte(body), &pr))
	require.Len(t, pr.Results, 3)
	for i, r := range pr.Results {
		assert.Equal(t, "ok", r.Type, "result %d: %s", i, body)
	}
	assert.Equal(t, "execute", pr.Results[0].Response.Type)
	assert.Equal(t, int64(1), pr.Results[1].Response.Result.AffectedRowCount)
	require.NotNil(t, pr.Results[1].Response.Result.LastInsertRowID)
	assert.Equal(t, "1", *pr.Results[1].Response.Result.LastInsertRowID)
	assert.Equal(t, "close", pr.Results[2].Response.Type)

	assert.Equal(t, [][]any{{int64(1)}}, s.Query(t, "SELECT x FROM t"))

	// A failing statement is a 200 with an error result, not an HTTP error.
	status, body = post(t, s.URL(), "", sqldtest.PipelineBody("SELECT * FROM nope"))
	require.Equal(t, http.StatusOK, status, body)
	require.NoError(t, json.Unmarshal([]byte(body), &pr))
	require.Equal(t, "error", pr.Results[0].Type, body)
	assert.Contains(t, pr.Results[0].Error.Message, "no such table")
	assert.Equal(t, "SQLITE_UNKNOWN", pr.Results[0].Error.Code, body)

	_, err := sqldtest.TryExec(s.URL(), "", "SELECT * FROM nope")
	assert.ErrorContains(t, err, "no such table")
}

func TestAuth(t *testing.T) {
	s := sqldtest.Start(t, sqldtest.Options{Auth: true})
	for name, tok := range map[string]string{
		"full": s.Token(), "ro": s.ReadOnlyToken(), "expired": s.ExpiredToken(), "forged": s.ForgedToken(),
	} {
		require.NotEmpty(t, tok, name)
	}

	status, body := post(t, s.URL(), s.Token(), []byte(pipelineJSON))
	require.Equal(t, http.StatusOK, status, body)

	t.Run("read-only token reads", func(t *testing.T) {
		res, err := sqldtest.TryExec(s.URL(), s.ReadOnlyToken(), "SELECT x FROM t")
		require.NoError(t, err)
		assert.Equal(t, [][]any{{int64(1)}}, sqldtest.Rows(res[0]))
	})
	t.Run("read-only token cannot write", func(t *testing.T) {
		// The whole pipeline is rejected with 403, not an error result.
		for _, sqls := range [][]string{
			{"INSERT INTO t VALUES (2)"},
			{"CREATE TABLE u(x)"},
			{"SELECT 1", "INSERT INTO t VALUES (3)"},
		} {
			status, body := post(t, s.URL(), s.ReadOnlyToken(), sqldtest.PipelineBody(sqls...))
			assert.Equal(t, http.StatusForbidden, status, "%v", sqls)
			assert.Equal(t, bodyReadOnlyWrite, body, "%v", sqls)
		}
		assert.Equal(t, [][]any{{int64(1)}}, s.Query(t, "SELECT x FROM t"), "nothing was written")
	})
	for _, c := range []struct{ name, token, body string }{
		{"forged", s.ForgedToken(), bodyForged},
		{"garbage", "not-a-jwt", bodyForged},
		{"expired", s.ExpiredToken(), bodyExpired},
		{"missing", "", bodyMissing},
	} {
		t.Run(c.name+" token is 401", func(t *testing.T) {
			status, body := post(t, s.URL(), c.token, sqldtest.PipelineBody("SELECT 1"))
			assert.Equal(t, http.StatusUnauthorized, status)
			assert.Equal(t, c.body, body)
		})
	}
	t.Run("minted token with future exp works", func(t *testing.T) {
		tok := s.MintToken(map[string]any{"exp": time.Now().Add(time.Hour).Unix()})
		_, err := sqldtest.TryExec(s.URL(), tok, "SELECT 1")
		assert.NoError(t, err)
	})
}

func TestRestartKeepsData(t *testing.T) {
	s := sqldtest.Start(t, sqldtest.Options{Auth: true})
	s.Exec(t, "CREATE TABLE t(x)", "INSERT INTO t VALUES (42)")
	port, pid := s.Port(), s.Pid()
	s.Restart(t)
	assert.Equal(t, port, s.Port())
	assert.NotEqual(t, pid, s.Pid())
	assertGone(t, pid)
	assert.Equal(t, [][]any{{int64(42)}}, s.Query(t, "SELECT x FROM t"))
	// Tokens survive a restart (same key file).
	_, err := sqldtest.TryExec(s.URL(), s.ReadOnlyToken(), "SELECT 1")
	assert.NoError(t, err)
}

func TestKillThenRestart(t *testing.T) {
	s := sqldtest.Start(t, sqldtest.Options{})
	s.Exec(t, "CREATE TABLE t(x)", "INSERT INTO t VALUES (7)")
	pid := s.Pid()
	s.Kill()
	assertGone(t, pid)
	assert.False(t, s.Running())
	_, err := sqldtest.TryExec(s.URL(), "", "SELECT 1")
	assert.Error(t, err, "server is down")

	s.Restart(t)
	assert.True(t, s.Running())
	assert.Equal(t, [][]any{{int64(7)}}, s.Query(t, "SELECT x FROM t"))
}

func TestStopIsCleanIdempotentAndRestartable(t *testing.T) {
	s := sqldtest.Start(t, sqldtest.Options{GRPC: true})
	pid := s.Pid()
	require.NotZero(t, pid)
	s.Stop()
	assertGone(t, pid)
	assert.Zero(t, s.Pid())
	s.Stop() // idempotent
	s.Kill() // also a no-op now

	s.Restart(t)
	pid2 := s.Pid()
	require.NotZero(t, pid2)
	s.Exec(t, "SELECT 1")
	assert.Contains(t, s.LogTail(100000), "Got SIGTERM", "first Stop was graceful")
	s.Stop()
	assertGone(t, pid2)
}

func TestCleanupStopsServer(t *testing.T) {
	var pid int
	t.Run("inner", func(t *testing.T) {
		pid = sqldtest.Start(t, sqldtest.Options{}).Pid()
	})
	require.NotZero(t, pid)
	assertGone(t, pid)
}

func TestReplicaServer(t *testing.T) {
	primary := sqldtest.Start(t, sqldtest.Options{GRPC: true})
	require.NotEmpty(t, primary.GRPCURL())
	primary.Exec(t, "CREATE TABLE r(x)", "INSERT INTO r VALUES (1)")

	replica := sqldtest.Start(t, sqldtest.Options{PrimaryGRPCURL: primary.GRPCURL()})
	waitRows := func(sql string, want [][]any) {
		t.Helper()
		start, tries := time.Now(), 0
		var last, firstMiss string
		for time.Since(start) < 30*time.Second {
			tries++
			res, err := sqldtest.TryExec(replica.URL(), "", sql)
			if err == nil && assert.ObjectsAreEqual(want, sqldtest.Rows(res[0])) {
				t.Logf("replica caught up on %q after %v (%d tries; first miss: %s)", sql, time.Since(start).Round(time.Millisecond), tries, firstMiss)
				return
			}
			last = fmt.Sprint(err)
			if err == nil {
				last = fmt.Sprint(sqldtest.Rows(res[0]))
			}
			if firstMiss == "" {
				firstMiss = last
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("replica never returned %v for %q within 30s; last: %s\nreplica log:\n%s", want, sql, last, replica.LogTail(4000))
	}
	waitRows("SELECT x FROM r ORDER BY x", [][]any{{int64(1)}})

	// Later writes on the primary reach the replica.
	primary.Exec(t, "INSERT INTO r VALUES (2)")
	waitRows("SELECT x FROM r ORDER BY x", [][]any{{int64(1)}, {int64(2)}})

	// Writes sent to the replica server are forwarded to the primary.
	replica.Exec(t, "INSERT INTO r VALUES (3)")
	assert.Equal(t, [][]any{{int64(1)}, {int64(2)}, {int64(3)}}, primary.Query(t, "SELECT x FROM r ORDER BY x"))
}

func TestProxy(t *testing.T) {
	s := sqldtest.Start(t, sqldtest.Options{})
	p := s.Proxy(t)
	assert.NotEqual(t, s.URL(), p.URL())

	sqldtest.Exec(t, p.URL(), "", "CREATE TABLE t(x)")
	sqldtest.Exec(t, p.URL(), "", "INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (2)")
	sqldtest.Exec(t, p.URL(), "", "SELECT * FROM t")
	assert.EqualValues(t, 3, p.Count())
	assert.Equal(t, []string{"POST /v3/pipeline", "POST /v3/pipeline", "POST /v3/pipeline"}, p.Requests())

	p.Reset()
	assert.Zero(t, p.Count())
	assert.Empty(t, p.Requests())
	resp, err := http.Get(p.URL() + "/health")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, []string{"GET /health"}, p.Requests())

	t.Run("delay", func(t *testing.T) {
		const d = 300 * time.Millisecond
		p.SetDelay(d)
		start := time.Now()
		sqldtest.Exec(t, p.URL(), "", "SELECT 1")
		assert.GreaterOrEqual(t, time.Since(start), d)

		// A client that gives up before the delay ends gets a deadline error.
		p.SetDelay(5 * time.Second)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, _, err := sqldtest.PostPipeline(ctx, p.URL(), "", sqldtest.PipelineBody("SELECT 1"))
		assert.ErrorIs(t, err, context.DeadlineExceeded)

		p.SetDelay(0)
		sqldtest.Exec(t, p.URL(), "", "SELECT 1")
	})

	t.Run("survives restart", func(t *testing.T) {
		s.Restart(t)
		assert.Equal(t, [][]any{{int64(1)}, {int64(2)}}, sqldtest.Rows(sqldtest.Exec(t, p.URL(), "", "SELECT x FROM t ORDER BY x")[0]))
	})
}

func TestShared(t *testing.T) {
	a := sqldtest.Shared(t)
	b := sqldtest.Shared(t)
	require.Same(t, a, b)
	a.Exec(t, "CREATE TABLE IF NOT EXISTS shared_t(x)")
	assert.Empty(t, a.Token())
}

// recordTB captures Fatalf/Skipf instead of ending the test.
type recordTB struct {
	*testing.T
	fatal, skip string
}

func (r *recordTB) Helper()                   {}
func (r *recordTB) Fatalf(f string, a ...any) { r.fatal = fmt.Sprintf(f, a...) }
func (r *recordTB) Skipf(f string, a ...any)  { r.skip = fmt.Sprintf(f, a...) }

func TestStartFailureReportsLogAndHonoursSkip(t *testing.T) {
	// A fake "sqld" that prints something and exits.
	fake := filepath.Join(t.TempDir(), "sqld")
	require.NoError(t, os.WriteFile(fake, []byte("#!/bin/sh\necho 'boom: fake sqld refuses to start' >&2\nexit 3\n"), 0o755))
	t.Setenv(sqldtest.EnvBinary, fake)

	t.Setenv(sqldtest.EnvSkip, "")
	r := &recordTB{T: t}
	assert.Nil(t, sqldtest.Start(r, sqldtest.Options{}))
	assert.Contains(t, r.fatal, "sqld exited during startup")
	assert.Contains(t, r.fatal, "boom: fake sqld refuses to start")
	assert.Contains(t, r.fatal, sqldtest.EnvSkip+"=1")
	assert.Empty(t, r.skip)

	t.Setenv(sqldtest.EnvSkip, "1")
	r = &recordTB{T: t}
	assert.Nil(t, sqldtest.Start(r, sqldtest.Options{}))
	assert.Contains(t, r.skip, "boom: fake sqld refuses to start")
	assert.Empty(t, r.fatal)

	t.Setenv(sqldtest.EnvBinary, filepath.Join(t.TempDir(), "missing"))
	t.Setenv(sqldtest.EnvSkip, "")
	r = &recordTB{T: t}
	assert.Nil(t, sqldtest.Start(r, sqldtest.Options{}))
	assert.True(t, strings.Contains(r.fatal, sqldtest.EnvBinary), r.fatal)
}
