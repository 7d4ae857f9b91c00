package sqldtest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Proxy is a counting reverse proxy in front of a [Server], for counting the
// HTTP requests an operation makes and for slow-server fault tests. It stays
// valid across Server.Restart (same port).
type Proxy struct {
	srv       *httptest.Server
	transport *http.Transport
	closed    chan struct{}
	closeOnce sync.Once

	count atomic.Int64
	delay atomic.Int64 // time.Duration
	drop  atomic.Int64 // responses still to drop (DropResponses)

	mu       sync.Mutex
	reqs     []string
	dropPath string // only requests to paths ending so are dropped
}

// Proxy starts a counting reverse proxy to s; it is closed by t.Cleanup.
func (s *Server) Proxy(t testing.TB) *Proxy {
	t.Helper()
	p := NewProxy(s.URL())
	s.mu.Lock()
	s.proxies = append(s.proxies, p)
	s.mu.Unlock()
	t.Cleanup(p.Close)
	return p
}

// NewProxy starts a counting reverse proxy to target (an http:// base URL).
// The caller must Close it.
func NewProxy(target string) *Proxy {
	u, err := url.Parse(target)
	if err != nil {
		panic(fmt.Sprintf("sqldtest: proxy target %q: %v", target, err))
	}
	p := &Proxy{
		transport: http.DefaultTransport.(*http.Transport).Clone(),
		closed:    make(chan struct{}),
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(u)
		},
		Transport:     p.transport,
		FlushInterval: -1, // stream (replication responses are streamed)
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			http.Error(w, "sqldtest proxy: "+err.Error(), http.StatusBadGateway)
		},
	}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.count.Add(1)
		p.reqs = append(p.reqs, r.Method+" "+r.URL.Path)
		dropHere := strings.HasSuffix(r.URL.Path, p.dropPath)
		p.mu.Unlock()
		if d := time.Duration(p.delay.Load()); d > 0 {
			// net/http notices a client that goes away (and cancels
			// r.Context()) only once the request body has been read to its
			// end; read it now, so that a client giving up during the delay
			// ends the wait below and the request is never forwarded.
			body, err := io.ReadAll(r.Body)
			r.Body.Close()
			if err != nil {
				return // the client went away while sending
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			timer := time.NewTimer(d)
			select {
			case <-timer.C:
			case <-r.Context().Done():
				timer.Stop()
				return
			case <-p.closed:
				timer.Stop()
				http.Error(w, "sqldtest proxy closed", http.StatusServiceUnavailable)
				return
			}
		}
		if dropHere && p.drop.Add(-1) >= 0 {
			p.forwardAndHangUp(w, r, u)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	return p
}

// DropResponses makes the proxy forward the next n requests to the server
// and then close the client's connection without an answer: the request
// ran, and the client cannot know it. n = 0 stops dropping.
func (p *Proxy) DropResponses(n int) { p.DropResponsesTo("", n) }

// DropResponsesTo is DropResponses for the requests whose path ends with
// suffix only ("/v3/pipeline", "/proxy.Proxy/Execute").
func (p *Proxy) DropResponsesTo(suffix string, n int) {
	p.mu.Lock()
	p.dropPath = suffix
	p.mu.Unlock()
	p.drop.Store(int64(n))
}

func (p *Proxy) forwardAndHangUp(w http.ResponseWriter, r *http.Request, target *url.URL) {
	out := r.Clone(r.Context())
	out.URL.Scheme, out.URL.Host = target.Scheme, target.Host
	out.Host, out.RequestURI = "", ""
	if resp, err := p.transport.RoundTrip(out); err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
		conn.Close()
	}
}

// URL is the proxy's base URL, "http://127.0.0.1:PORT"; use it in place of
// Server.URL().
func (p *Proxy) URL() string { return p.srv.URL }

// Count is the number of requests received since the last Reset.
func (p *Proxy) Count() int64 { return p.count.Load() }

// Requests returns "METHOD /path" of each request since the last Reset, in
// arrival order.
func (p *Proxy) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.reqs...)
}

// Reset zeroes Count and Requests.
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.count.Store(0)
	p.reqs = nil
}

// SetDelay delays every request by d before forwarding it (0 disables).
// A delayed request whose client gives up is dropped without being forwarded.
func (p *Proxy) SetDelay(d time.Duration) { p.delay.Store(int64(d)) }

// Close shuts the proxy down; idempotent.
func (p *Proxy) Close() {
	p.closeOnce.Do(func() {
		close(p.closed)
		p.srv.CloseClientConnections()
		p.srv.Close()
		p.transport.CloseIdleConnections()
	})
}
