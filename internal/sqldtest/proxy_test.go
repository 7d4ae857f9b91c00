package sqldtest_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gorm-libsql/libsql/internal/sqldtest"
)

// TestProxyDropsAbandonedDelayedRequest checks the promise of SetDelay: a
// delayed request whose client gives up is never forwarded, so a slow-server
// fault test cannot see a write it abandoned reach the server later.
func TestProxyDropsAbandonedDelayedRequest(t *testing.T) {
	var arrived, completed atomic.Int64
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived.Add(1)
		if _, err := io.Copy(io.Discard, r.Body); err == nil {
			completed.Add(1)
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer target.Close()
	p := sqldtest.NewProxy(target.URL)
	defer p.Close()

	post := func(ctx context.Context, body []byte) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL()+"/v3/pipeline", bytes.NewReader(body))
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return err
	}

	const delay = 400 * time.Millisecond
	for name, body := range map[string][]byte{
		"small body": sqldtest.PipelineBody("INSERT INTO t VALUES (1)"),
		"large body": sqldtest.PipelineBody("INSERT INTO t VALUES ('" + strings.Repeat("x", 256<<10) + "')"),
	} {
		t.Run(name, func(t *testing.T) {
			arrived.Store(0)
			completed.Store(0)
			p.Reset()
			p.SetDelay(delay)
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			require.ErrorIs(t, post(ctx, body), context.DeadlineExceeded)

			time.Sleep(delay + 300*time.Millisecond) // a forwarded request would have arrived by now
			assert.EqualValues(t, 1, p.Count(), "the proxy received the request")
			assert.Zero(t, arrived.Load(), "the abandoned request reached the server after its client gave up")

			// A delayed request whose client waits is still forwarded whole.
			p.SetDelay(50 * time.Millisecond)
			require.NoError(t, post(context.Background(), body))
			assert.EqualValues(t, 1, completed.Load())
			p.SetDelay(0)
		})
	}
}
