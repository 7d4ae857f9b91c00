package hrana

import (
	"errors"
	"fmt"
	"strings"
)

// Error is an error the server reported for a statement (or that the driver
// detected before sending one, with the code SQLite uses for that kind of
// problem).
//
// Code is the server's machine-readable code: SQLite's result code name for
// engine errors ("SQLITE_CONSTRAINT", ...), or a Hrana code such as
// "SQL_PARSE_ERROR" or "ARGS_INVALID". Message is the engine's message
// without the server's "SQLite error: " prefix, e.g. "UNIQUE constraint
// failed: t.c".
type Error struct {
	Code    string
	Message string
}

// Error returns "sqlite: <message> (<code>)", like the local driver's errors.
func (e *Error) Error() string {
	if e.Code == "" {
		return "sqlite: " + e.Message
	}
	return "sqlite: " + e.Message + " (" + e.Code + ")"
}

// Is makes errors.Is match an *Error target with the same non-empty Code,
// or whose Code is a prefix of e.Code ending at "_" ("SQLITE_CONSTRAINT"
// matches "SQLITE_CONSTRAINT_UNIQUE"); Message is ignored.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok || t == nil || t.Code == "" {
		return false
	}
	return e.Code == t.Code || strings.HasPrefix(e.Code, t.Code+"_")
}

// IsConstraint reports whether e is a constraint violation.
func (e *Error) IsConstraint() bool { return strings.HasPrefix(e.Code, "SQLITE_CONSTRAINT") }

func newError(pe *protoError, token string) *Error {
	msg := strings.TrimPrefix(pe.Message, "SQLite error: ")
	return &Error{Code: pe.Code, Message: redact(msg, token)}
}

// Sentinel errors, matched with errors.Is.
var (
	// ErrAuthentication: the server refused the credentials (HTTP 401): the
	// token is missing, malformed, forged or expired.
	ErrAuthentication = errors.New("authentication failed")
	// ErrPermission: the credentials do not allow the request (HTTP 403),
	// e.g. a write with a read-only token.
	ErrPermission = errors.New("permission denied")
	// ErrStreamExpired: the server closed the stream (the server-side
	// connection) that held a transaction, usually after about 10 seconds
	// without requests; the transaction was rolled back.
	ErrStreamExpired = errors.New("stream expired")
	// ErrProtocol: the server's answer could not be understood.
	ErrProtocol = errors.New("protocol error")
)

// HTTPError is an HTTP response other than 200 from the server.
type HTTPError struct {
	Host    string // host[:port] of the server
	Status  int
	Code    string // Hrana error code from the body, if any
	Message string // from the body, without the token
}

func (e *HTTPError) Error() string {
	var what string
	switch {
	case e.Status == 401:
		what = "authentication failed"
	case e.Status == 403:
		what = "permission denied"
	case e.Status == 404:
		what = "not found (is this a libSQL server speaking Hrana 3 over HTTP?)"
	case e.Code == "STREAM_EXPIRED" || strings.Contains(e.Message, "baton"):
		what = "stream expired (the server-side connection was closed after inactivity)"
	default:
		what = "request failed"
	}
	s := fmt.Sprintf("hrana: %s: %s (HTTP %d", e.Host, what, e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	s += ")"
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Is matches ErrAuthentication (401), ErrPermission (403) and
// ErrStreamExpired (an expired, unknown or reused baton).
func (e *HTTPError) Is(target error) bool {
	switch target {
	case ErrAuthentication:
		return e.Status == 401
	case ErrPermission:
		return e.Status == 403
	case ErrStreamExpired:
		return e.streamGone()
	}
	return false
}

// streamGone reports whether the server rejected the baton: the stream it
// named is gone (expired, or never existed), and with it any transaction.
func (e *HTTPError) streamGone() bool {
	return e.Status == 400 && (e.Code == "STREAM_EXPIRED" || strings.Contains(e.Message, "baton"))
}

// TransportError is a failure to exchange an HTTP request with the server.
type TransportError struct {
	Host string
	// NotSent is true when the request certainly did not reach the server
	// (the connection could not be made), so nothing of it ran.
	NotSent bool
	Err     error
}

func (e *TransportError) Error() string {
	if e.NotSent {
		return fmt.Sprintf("hrana: cannot reach libSQL server %s: %v", e.Host, e.Err)
	}
	return fmt.Sprintf("hrana: request to libSQL server %s failed after it was sent, so it may have run: %v", e.Host, e.Err)
}

func (e *TransportError) Unwrap() error { return e.Err }

func protocolErrorf(format string, args ...any) error {
	return fmt.Errorf("hrana: %w: "+format, append([]any{ErrProtocol}, args...)...)
}

// redact removes token from s.
func redact(s, token string) string {
	if token == "" || !strings.Contains(s, token) {
		return s
	}
	return strings.ReplaceAll(s, token, "[REDACTED]")
}
