package conn

import (
	"database/sql/driver"
	"errors"

	"github.com/gorm-libsql/libsql/internal/hrana"
)

// Errors of remote servers, matched with errors.Is.
var (
	// ErrAuthentication: the server refused the token (missing, forged or
	// expired).
	ErrAuthentication = hrana.ErrAuthentication
	// ErrPermission: the token does not allow the request, e.g. a write
	// with a read-only token.
	ErrPermission = hrana.ErrPermission
)

// ServerCode returns the error code a remote server gave err (such as
// "SQLITE_CONSTRAINT_UNIQUE"), if it gave one.
func ServerCode(err error) (string, bool) {
	var e *hrana.Error
	if errors.As(err, &e) && e.Code != "" {
		return e.Code, true
	}
	return "", false
}

// RemoteConfig describes a remote database.
type RemoteConfig struct {
	// URL is the server: libsql://, https://, http://, wss:// or ws://.
	URL string
	// AuthToken authenticates to the server.
	AuthToken string
}

// Remote returns a connector for a remote libSQL server or Turso database,
// speaking Hrana over HTTP. WebSocket URLs are served over HTTP on the same
// host and port. The server sets its connections up itself: foreign keys
// are on, journal and synchronous settings are its own (it refuses to
// change them).
func Remote(cfg RemoteConfig) (driver.Connector, error) {
	return hrana.NewConnector(cfg.URL, hrana.Options{AuthToken: cfg.AuthToken})
}
