package libsql

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// DefaultBusyTimeout is how long a local connection waits for a lock held by
// another connection before it reports "database is locked".
const DefaultBusyTimeout = 5 * time.Second

// Config selects and configures a libSQL database.
//
// The connection mode follows from the fields that are set:
//
//   - Database only: a local file, a "file:" URI or ":memory:".
//   - URL only: a remote libSQL server or Turso database.
//   - Database and URL: an embedded replica of the remote primary at URL,
//     kept in the local file Database.
//   - Conn: an existing connection pool; every other field is ignored.
type Config struct {
	// Database is the local database: a file path, a "file:" URI or ":memory:".
	Database string
	// URL is the remote primary: libsql://, https://, http://, wss:// or ws://.
	URL string
	// AuthToken authenticates to the remote primary.
	AuthToken string
	// Sync makes an embedded replica sync after every write GORM commits
	// on its own. With read-your-writes (the default) every committed write
	// syncs already, so it matters together with DisableReadYourWrites:
	// then GORM's writes sync, while writes through raw connections do not.
	Sync bool
	// SyncInterval makes an embedded replica pull from its primary in the
	// background at this interval; 0 disables background sync.
	SyncInterval time.Duration
	// DisableReadYourWrites stops an embedded replica from applying its own
	// writes locally when they return; they then appear with the next sync.
	DisableReadYourWrites bool
	// OfflineOpen lets an embedded replica open while its primary cannot be
	// reached, from a local file that has synced before: reads are served
	// locally, while writes, transactions and Sync fail with
	// ErrPrimaryUnavailable until the primary answers again. The replica
	// keeps trying (at each write, Sync and background sync) and then works
	// as if the primary had been there all along. Without it, gorm.Open
	// fails when the primary is unreachable. A rejected token fails either
	// way.
	OfflineOpen bool
	// EncryptionKey encrypts the local database file at rest (AES-256-CBC,
	// the format of go-libsql's encrypted embedded replicas). It must be at
	// least MinKeyLength characters; opening with another key fails with
	// ErrWrongKey. No error or log line contains it.
	EncryptionKey string
	// BusyTimeout is how long a connection waits for a lock before it gives
	// up; 0 means DefaultBusyTimeout, a negative value disables waiting.
	BusyTimeout time.Duration
	// Conn is an existing connection pool to use instead of opening one,
	// such as the *sql.DB of another *gorm.DB of this package. A pool of
	// go-libsql's own database/sql driver brings that driver's behaviour
	// with it (date-like text read back as time, only the first statement
	// of a multi-statement Exec run).
	Conn gorm.ConnPool
}

// ParseDSN parses a data source name into a Config.
//
// Accepted forms:
//
//	app.db                              a local file
//	/var/data/app.db?busy_timeout=10s   a local file with parameters
//	file:app.db?mode=ro                 a SQLite URI (mode, cache, vfs, immutable, nolock, psow pass through)
//	:memory:                            a private in-memory database shared by the pool
//	libsql://db.turso.io?authToken=T    a remote database (also https://, http://, wss://, ws://)
//	libsql://127.0.0.1:8080?tls=0       libsql:// without TLS, for a local server
//
// Parameters understood by this package: busy_timeout (a Go duration such as
// "10s" or whole milliseconds), encryptionKey, and for remote URLs also
// authToken, syncInterval, sync, offlineOpen and database (the local file of
// an embedded replica).
// Any other parameter is an error, so a misspelt option is never silently
// ignored.
func ParseDSN(dsn string) (Config, error) {
	if strings.TrimSpace(dsn) == "" {
		return Config{}, fmt.Errorf("libsql: empty DSN: %w", ErrInvalidDSN)
	}
	if dsn == ":memory:" {
		return Config{Database: dsn}, nil
	}
	if scheme, _, ok := strings.Cut(dsn, "://"); ok && isRemoteScheme(scheme) {
		return parseRemoteDSN(dsn)
	}
	if scheme, _, ok := strings.Cut(dsn, "://"); ok && isScheme(scheme) && !strings.HasPrefix(dsn, "file:") {
		return Config{}, fmt.Errorf("libsql: unsupported URL scheme %q (want libsql, https, http, wss, ws or a file path): %w", scheme, ErrInvalidDSN)
	}
	return parseLocalDSN(dsn)
}

// isScheme reports whether s is a URL scheme (RFC 3986: a letter, then
// letters, digits, '+', '-' or '.'). Anything else before "://" belongs to a
// local path and its parameters, which may hold a key, and is not quoted as
// a scheme.
func isScheme(s string) bool {
	for i, c := range s {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return s != ""
}

func isRemoteScheme(scheme string) bool {
	switch strings.ToLower(scheme) {
	case "libsql", "https", "http", "wss", "ws":
		return true
	}
	return false
}

// sqliteURIParams are the SQLite URI parameters passed through to the engine.
var sqliteURIParams = map[string]bool{
	"mode": true, "cache": true, "vfs": true, "immutable": true, "nolock": true, "psow": true,
}

func parseLocalDSN(dsn string) (Config, error) {
	path, rawQuery, _ := strings.Cut(dsn, "?")
	var cfg Config
	if rawQuery == "" {
		cfg.Database = path
		return cfg, nil
	}
	query, err := url.ParseQuery(rawQuery)
	if err != nil {
		return Config{}, fmt.Errorf("libsql: malformed DSN parameters: %w", ErrInvalidDSN)
	}
	pass := url.Values{}
	for key, values := range query {
		value := values[len(values)-1]
		switch {
		case key == "busy_timeout":
			if cfg.BusyTimeout, err = parseDuration(key, value); err != nil {
				return Config{}, err
			}
		case key == "encryptionKey":
			cfg.EncryptionKey = value
		case sqliteURIParams[key] && strings.HasPrefix(path, "file:"):
			pass[key] = values
		default:
			return Config{}, unknownParam(key)
		}
	}
	cfg.Database = path
	if len(pass) > 0 {
		cfg.Database += "?" + pass.Encode()
	}
	return cfg, nil
}

func parseRemoteDSN(dsn string) (Config, error) {
	u, err := url.Parse(dsn)
	if err != nil || u.Host == "" {
		// url.Parse errors quote the whole input, which may hold a token.
		return Config{}, fmt.Errorf("libsql: malformed URL (want scheme://host[:port]): %w", ErrInvalidDSN)
	}
	if u.Fragment != "" { // it would swallow the parameters, token included, into the URL
		return Config{}, fmt.Errorf("libsql: malformed URL: a '#' fragment is not allowed (percent-encode '#' as %%23): %w", ErrInvalidDSN)
	}
	query, err := url.ParseQuery(u.RawQuery)
	if err != nil { // u.Query() would drop the malformed parameter silently
		return Config{}, fmt.Errorf("libsql: malformed DSN parameters: %w", ErrInvalidDSN)
	}
	cfg := Config{}
	pass := url.Values{}
	for key, values := range query {
		value := values[len(values)-1]
		switch key {
		case "tls":
			pass.Set(key, value) // tls=0: libsql:// over plain HTTP, for local servers
		case "authToken":
			cfg.AuthToken = value
		case "database":
			cfg.Database = value
		case "syncInterval":
			if cfg.SyncInterval, err = parseDuration(key, value); err != nil {
				return Config{}, err
			}
		case "sync":
			if cfg.Sync, err = parseBool(key, value); err != nil {
				return Config{}, err
			}
		case "offlineOpen":
			if cfg.OfflineOpen, err = parseBool(key, value); err != nil {
				return Config{}, err
			}
		case "busy_timeout":
			if cfg.BusyTimeout, err = parseDuration(key, value); err != nil {
				return Config{}, err
			}
		case "encryptionKey":
			cfg.EncryptionKey = value
		default:
			return Config{}, unknownParam(key)
		}
	}
	u.RawQuery = pass.Encode()
	cfg.URL = u.String()
	return cfg, nil
}

// driverParams are parameters of other SQLite drivers' DSNs
// (mattn/go-sqlite3, modernc.org/sqlite), with what to use instead.
var driverParams = map[string]string{
	"_busy_timeout": "busy_timeout=5s (or Config.BusyTimeout)",
	"_timeout":      "busy_timeout=5s (or Config.BusyTimeout)",
	"_foreign_keys": "nothing: foreign keys are always on",
	"_fk":           "nothing: foreign keys are always on",
	"_journal_mode": "nothing: local files always use WAL",
	"_journal":      "nothing: local files always use WAL",
	"_txlock":       "libsql.Immediate() or libsql.Exclusive() as db.Transaction options",
	"_pragma":       "nothing for foreign_keys, journal_mode and busy_timeout (handled); run other pragmas with db.Exec",
	"_loc":          "nothing: times are read in UTC",
}

// unknownParam describes a DSN parameter this package does not know, with
// a hint when another SQLite driver uses it.
func unknownParam(key string) error {
	if hint, ok := driverParams[key]; ok {
		return fmt.Errorf("libsql: unknown DSN parameter %q (a parameter of another SQLite driver; use %s): %w", key, hint, ErrInvalidDSN)
	}
	return fmt.Errorf("libsql: unknown DSN parameter %q: %w", key, ErrInvalidDSN)
}

// parseDuration accepts a Go duration ("5s") or whole milliseconds ("5000").
func parseDuration(key, value string) (time.Duration, error) {
	if ms, err := strconv.ParseInt(value, 10, 64); err == nil {
		return time.Duration(ms) * time.Millisecond, nil
	}
	d, err := time.ParseDuration(value)
	if err != nil {
		return 0, fmt.Errorf("libsql: DSN parameter %s=%s is not a duration: %w", key, shownValue(value), ErrInvalidDSN)
	}
	return d, nil
}

func parseBool(key, value string) (bool, error) {
	b, err := strconv.ParseBool(value)
	if err != nil {
		return false, fmt.Errorf("libsql: DSN parameter %s=%s is not a boolean: %w", key, shownValue(value), ErrInvalidDSN)
	}
	return b, nil
}

// shownValue quotes a bad parameter value for an error, unless it may hold
// a secret: a '?' typed for '&' makes "5s?authToken=T" one value.
func shownValue(value string) string {
	if len(value) > 16 || strings.ContainsAny(value, "?&=#") {
		return "(value not shown)"
	}
	return strconv.Quote(value)
}

// busyTimeout resolves the configured busy timeout.
func (c Config) busyTimeout() time.Duration {
	switch {
	case c.BusyTimeout == 0:
		return DefaultBusyTimeout
	case c.BusyTimeout < 0:
		return 0
	}
	return c.BusyTimeout
}

// validate reports configurations that cannot describe a database.
func (c Config) validate() error {
	if c.Conn != nil {
		return nil
	}
	switch {
	case c.EncryptionKey != "" && len(c.EncryptionKey) < MinKeyLength:
		return fmt.Errorf("libsql: encryption key too short: %d characters, need at least %d: %w", len(c.EncryptionKey), MinKeyLength, ErrInvalidDSN)
	case c.URL != "" && c.Database == ":memory:":
		return fmt.Errorf("libsql: an embedded replica needs a file (Config.Database), not :memory:: %w", ErrInvalidDSN)
	case c.URL != "" && c.Database != "":
		if c.SyncInterval < 0 {
			return fmt.Errorf("libsql: negative Config.SyncInterval %v: %w", c.SyncInterval, ErrInvalidDSN)
		}
		return nil
	case c.URL != "" && c.EncryptionKey != "":
		return fmt.Errorf("libsql: Config.EncryptionKey encrypts a local file; a remote database (Config.URL without Config.Database) has none: %w", ErrInvalidDSN)
	case c.URL != "" && (c.Sync || c.SyncInterval != 0):
		return fmt.Errorf("libsql: Config.Sync and Config.SyncInterval need an embedded replica (Config.Database with Config.URL): %w", ErrInvalidDSN)
	case c.URL != "":
		return nil
	case c.AuthToken != "":
		return fmt.Errorf("libsql: Config.AuthToken is set but Config.URL is empty: %w", ErrInvalidDSN)
	case c.Sync || c.SyncInterval != 0:
		return fmt.Errorf("libsql: Config.Sync and Config.SyncInterval need an embedded replica (Config.URL): %w", ErrInvalidDSN)
	case strings.TrimSpace(c.Database) == "":
		return fmt.Errorf("libsql: Config.Database is empty (want a file path, file: URI or :memory:): %w", ErrInvalidDSN)
	}
	return nil
}
