package hrana

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Options configures every connection of a Connector.
type Options struct {
	// AuthToken is sent as "Authorization: Bearer <token>" (a Turso or
	// sqld JWT). It never appears in errors.
	AuthToken string
	// Init holds statements that set up each server-side stream (the
	// server's connection) before the statements of a request, e.g.
	// "PRAGMA foreign_keys = ON". They travel in the same HTTP request as
	// the first statements of each stream, so they cost no round trip;
	// since a stream lasts one request outside transactions, they run again
	// with every such request. Rows they return are discarded; an error is
	// returned by the statement that triggered them.
	Init []string
	// Location is the location of time.Time values read back; nil means UTC.
	Location *time.Location
	// HTTPClient sends the requests; nil means DefaultHTTPClient().
	HTTPClient *http.Client
}

// Connector opens connections to one remote database (driver.Connector).
// Use it with sql.OpenDB. It is safe for concurrent use.
type Connector struct {
	client *client
	opts   Options
}

// NewConnector returns a Connector for the server at rawURL: libsql:// and
// wss:// mean https://, ws:// means http://; https:// and http:// are used
// as they are. The URL may carry a path prefix, and the query parameters
// authToken (used when opts.AuthToken is empty) and tls=0 (libsql:// over
// plain http). It does not contact the server.
func NewConnector(rawURL string, opts Options) (*Connector, error) {
	base, host, token, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if opts.AuthToken == "" {
		opts.AuthToken = token
	}
	if strings.ContainsAny(opts.AuthToken, "\r\n") {
		return nil, errors.New("hrana: the auth token contains a line break")
	}
	opts.Init = append([]string(nil), opts.Init...)
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = DefaultHTTPClient()
	}
	return &Connector{
		client: &client{http: hc, base: base, host: host, token: opts.AuthToken},
		opts:   opts,
	}, nil
}

// parseURL checks rawURL and returns the HTTP base URL, the host for error
// messages and a token given as the authToken parameter. Its errors never
// quote the URL, which may hold a token.
func parseURL(rawURL string) (base, host, token string, err error) {
	if rawURL == "" {
		return "", "", "", errors.New("hrana: empty server URL")
	}
	u, perr := url.Parse(rawURL)
	if perr != nil {
		return "", "", "", errors.New("hrana: the server URL does not parse")
	}
	scheme := strings.ToLower(u.Scheme)
	tls := true
	switch scheme {
	case "libsql", "https", "wss":
	case "http", "ws":
		tls = false
	case "":
		return "", "", "", errors.New("hrana: the server URL has no scheme (want libsql://, https://, http://, wss:// or ws://)")
	default:
		return "", "", "", fmt.Errorf("hrana: unsupported URL scheme %q (want libsql, https, http, wss or ws)", u.Scheme)
	}
	if u.User != nil {
		return "", "", "", errors.New("hrana: the server URL must not contain credentials; use Options.AuthToken")
	}
	if u.Host == "" || u.Opaque != "" {
		return "", "", "", errors.New("hrana: the server URL has no host")
	}
	if u.Fragment != "" {
		return "", "", "", errors.New("hrana: the server URL must not have a fragment")
	}
	q, qerr := url.ParseQuery(u.RawQuery)
	if qerr != nil {
		return "", "", "", errors.New("hrana: the server URL's query does not parse")
	}
	for k, vs := range q {
		v := vs[len(vs)-1]
		switch k {
		case "authToken":
			token = v
		case "tls":
			switch strings.ToLower(v) {
			case "0", "false", "no", "off":
				if scheme != "libsql" {
					return "", "", "", errors.New("hrana: tls=0 applies to libsql:// URLs only")
				}
				tls = false
			case "1", "true", "yes", "on":
				if !tls {
					return "", "", "", fmt.Errorf("hrana: tls=1 conflicts with the %s:// scheme", scheme)
				}
			default:
				return "", "", "", errors.New("hrana: bad tls parameter in the server URL (want 0 or 1)")
			}
		default:
			return "", "", "", fmt.Errorf("hrana: unknown parameter %q in the server URL", k)
		}
	}
	out := url.URL{Scheme: "https", Host: u.Host, Path: strings.TrimSuffix(u.Path, "/"), RawPath: strings.TrimSuffix(u.RawPath, "/")}
	if !tls {
		out.Scheme = "http"
	}
	return out.String(), u.Host, token, nil
}

// Connect implements driver.Connector. It does not contact the server:
// streams are opened by the first request (see Conn).
func (c *Connector) Connect(ctx context.Context) (driver.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &Conn{client: c.client, opts: &c.opts}, nil
}

// Driver implements driver.Connector.
func (c *Connector) Driver() driver.Driver { return Driver{} }

// Driver is the package's driver.Driver. It is not registered with
// database/sql; open databases with sql.OpenDB(NewConnector(...)).
type Driver struct{}

// Open implements driver.Driver: name is a URL as for NewConnector (with
// authToken as a query parameter when needed).
func (Driver) Open(name string) (driver.Conn, error) {
	c, err := NewConnector(name, Options{})
	if err != nil {
		return nil, err
	}
	return c.Connect(context.Background())
}

// OpenConnector implements driver.DriverContext.
func (Driver) OpenConnector(name string) (driver.Connector, error) {
	return NewConnector(name, Options{})
}
