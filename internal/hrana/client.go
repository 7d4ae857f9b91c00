package hrana

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// client sends pipelines to one server.
type client struct {
	http  *http.Client
	base  string // scheme://host[:port][/path], without trailing slash
	host  string // for error messages
	token string
}

var (
	defaultClientOnce sync.Once
	defaultClient     *http.Client
)

// DefaultHTTPClient returns the client used when Options.HTTPClient is nil:
// connections time out after 10 s (TCP connect and TLS handshake), idle
// connections are kept for reuse (many per host, as database/sql pools
// connections), and there is no overall timeout: contexts govern requests.
func DefaultHTTPClient() *http.Client {
	defaultClientOnce.Do(func() {
		tr := &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          256,
			MaxIdleConnsPerHost:   64,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ExpectContinueTimeout: time.Second,
		}
		defaultClient = &http.Client{Transport: tr}
	})
	return defaultClient
}

// endpoint returns the pipeline URL under base (the connector's URL or a
// stream's base_url).
func endpoint(base string) string {
	return strings.TrimSuffix(base, "/") + "/v3/pipeline"
}

// send posts the pipeline to base (the server URL unless the stream was
// moved with base_url) and decodes the answer. Errors are *HTTPError,
// *TransportError, the context's error (wrapped) or protocol errors; none
// contains the token.
func (c *client) send(ctx context.Context, base string, p *pipeline) (*pipelineResp, error) {
	body, err := p.encode(make([]byte, 0, 512))
	if err != nil {
		return nil, err
	}
	if base == "" {
		base = c.base
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint(base), bytes.NewReader(body))
	if err != nil {
		return nil, &TransportError{Host: c.host, NotSent: true, Err: errors.New("cannot build request")}
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.transportError(ctx, err)
	}
	defer func() {
		// Drain what is left (a trailing newline) so that the HTTP
		// connection can be reused.
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
	}()
	if resp.StatusCode != http.StatusOK {
		return nil, c.httpError(resp)
	}
	var out pipelineResp
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, &TransportError{Host: c.host, Err: ctxErr}
		}
		return nil, protocolErrorf("decoding the response of %s: %v", c.host, err)
	}
	if len(out.Results) != p.requests() {
		return nil, protocolErrorf("%s answered %d results to %d requests", c.host, len(out.Results), p.requests())
	}
	return &out, nil
}

// requests is the number of stream requests in p.
func (p *pipeline) requests() int {
	n := 0
	if len(p.steps) > 0 || len(p.extra) > 0 {
		n++
	}
	if p.getAutocommit {
		n++
	}
	if p.close {
		n++
	}
	return n
}

// transportError describes a failed http.Client.Do without the URL (which
// *url.Error would print).
func (c *client) transportError(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return &TransportError{Host: c.host, Err: ctxErr}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	notSent := false
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		notSent = true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		notSent = true
	}
	return &TransportError{Host: c.host, NotSent: notSent, Err: err}
}

// httpError reads a non-200 response: a JSON Error ({"message","code"}),
// {"error": "..."} or plain text.
func (c *client) httpError(resp *http.Response) error {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	e := &HTTPError{Host: c.host, Status: resp.StatusCode}
	var body struct {
		Message string `json:"message"`
		Code    string `json:"code"`
		Error   string `json:"error"`
	}
	if json.Unmarshal(data, &body) == nil && (body.Message != "" || body.Error != "") {
		e.Message, e.Code = body.Message, body.Code
		if e.Message == "" {
			e.Message = body.Error
		}
	} else {
		e.Message = strings.TrimSpace(string(data))
		if strings.HasPrefix(e.Message, "<") { // an HTML error page
			e.Message = ""
		}
	}
	if len(e.Message) > 500 {
		e.Message = e.Message[:500] + "..."
	}
	e.Message = redact(e.Message, c.token)
	return e
}

// streamBase checks a base_url the server gave for a stream: an absolute
// http or https URL, not downgrading https. Anything else is ignored (the
// stream stays on the current URL), so that a bad answer cannot send the
// token elsewhere in clear text.
func (c *client) streamBase(baseURL string) (string, bool) {
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" || u.User != nil {
		return "", false
	}
	switch u.Scheme {
	case "https":
	case "http":
		if strings.HasPrefix(c.base, "https:") {
			return "", false
		}
	default:
		return "", false
	}
	u.RawQuery, u.Fragment = "", ""
	return u.String(), true
}

// abandonTimeout bounds abandon's request.
const abandonTimeout = 5 * time.Second

// abandon closes the stream of baton, best effort, ignoring the answer.
func (c *client) abandon(baton, base string) {
	ctx, cancel := context.WithTimeout(context.Background(), abandonTimeout)
	defer cancel()
	c.send(ctx, base, &pipeline{baton: baton, close: true})
}
