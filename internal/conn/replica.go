package conn

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/gorm-libsql/libsql/internal/hrana"
	"github.com/gorm-libsql/libsql/internal/native"
)

// ErrPrimaryUnavailable: the primary of an embedded replica cannot be
// reached; local reads still work.
var ErrPrimaryUnavailable = native.ErrPrimaryUnavailable

// ErrNotSynced: a write was committed on the primary, but the replica
// could not sync it afterwards.
var ErrNotSynced = native.ErrNotSynced

// ReplicaConfig describes an embedded replica.
type ReplicaConfig struct {
	Database       string // the local file
	URL            string // the primary
	AuthToken      string
	EncryptionKey  string
	ReadYourWrites bool
	SyncInterval   time.Duration
	OnSyncError    func(error)
	OfflineOpen    bool // open from the local file while the primary is unreachable
}

// Replicated reports a sync.
type Replicated = native.Replicated

// Syncer is implemented by the connectors of embedded replicas.
type Syncer interface {
	Sync() (Replicated, error)
}

// Replica returns a connector for an embedded replica: the local file
// cfg.Database kept in sync with the primary at cfg.URL. It checks the
// primary and the token first, so that a wrong token fails at once with
// ErrAuthentication, and syncs once before it returns.
func Replica(cfg ReplicaConfig) (driver.Connector, error) {
	primary, err := primaryURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	if err := checkPrimary(cfg.URL, cfg.AuthToken); err != nil {
		var te *hrana.TransportError
		if !errors.As(err, &te) {
			return nil, err
		}
		if !cfg.OfflineOpen {
			return nil, fmt.Errorf("libsql: opening embedded replica: %w: %w", ErrPrimaryUnavailable, te)
		}
		// Unreachable: the replica opens offline if its file has synced.
	}
	c, err := native.NewReplicaConnector(cfg.Database, primary, native.ReplicaOptions{
		AuthToken:      cfg.AuthToken,
		EncryptionKey:  cfg.EncryptionKey,
		ReadYourWrites: cfg.ReadYourWrites,
		SyncInterval:   cfg.SyncInterval,
		OnSyncError:    cfg.OnSyncError,
		OfflineOpen:    cfg.OfflineOpen,
	})
	var e *native.Error
	if errors.As(err, &e) && e.Code == native.CodeNotADB {
		return nil, fmt.Errorf("libsql: %w: %w", ErrWrongKey, err)
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// primaryURL maps the URL forms users have to the http(s) URL of the
// replication protocol, served on the same host and port as Hrana.
func primaryURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", errors.New("libsql: malformed primary URL (want scheme://host[:port])")
	}
	tls := !strings.EqualFold(u.Query().Get("tls"), "0")
	switch strings.ToLower(u.Scheme) {
	case "http", "ws":
		u.Scheme = "http"
	case "https", "wss":
		u.Scheme = "https"
	case "libsql":
		u.Scheme = "https"
		if !tls {
			u.Scheme = "http"
		}
	default:
		return "", fmt.Errorf("libsql: unsupported URL scheme %q for a primary", u.Scheme)
	}
	u.RawQuery, u.Fragment = "", ""
	return u.String(), nil
}

// checkPrimary sends one Hrana request to the primary, which reports a bad
// token at once, where the replication handshake only times out.
func checkPrimary(rawURL, token string) error {
	c, err := hrana.NewConnector(rawURL, hrana.Options{AuthToken: token})
	if err != nil {
		return err
	}
	conn, err := c.Connect(context.Background())
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := conn.(driver.Pinger).Ping(ctx); err != nil {
		return fmt.Errorf("libsql: opening embedded replica: %w", err)
	}
	return nil
}
