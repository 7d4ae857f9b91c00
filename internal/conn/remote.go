package conn

import (
	"database/sql/driver"

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

// RemoteConfig describes a remote database.
type RemoteConfig struct {
	// URL is the server: libsql://, https://, http://, wss:// or ws://.
	URL string
	// AuthToken authenticates to the server.
	AuthToken string
}

// remoteInit sets up each server-side connection like a local one; the
// server keeps its own journal and synchronous settings.
var remoteInit = []string{"PRAGMA foreign_keys = ON"}

// Remote returns a connector for a remote libSQL server or Turso database,
// speaking Hrana over HTTP. WebSocket URLs are served over HTTP on the same
// host and port.
func Remote(cfg RemoteConfig) (driver.Connector, error) {
	return hrana.NewConnector(cfg.URL, hrana.Options{AuthToken: cfg.AuthToken, Init: remoteInit})
}
