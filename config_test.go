package libsql

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseDSN(t *testing.T) {
	tests := []struct {
		dsn  string
		want Config
	}{
		{"app.db", Config{Database: "app.db"}},
		{"/var/data/app.db", Config{Database: "/var/data/app.db"}},
		{":memory:", Config{Database: ":memory:"}},
		{"app.db?busy_timeout=10s", Config{Database: "app.db", BusyTimeout: 10 * time.Second}},
		{"app.db?busy_timeout=250", Config{Database: "app.db", BusyTimeout: 250 * time.Millisecond}},
		{"file:app.db?mode=ro", Config{Database: "file:app.db?mode=ro"}},
		{"file:app.db?mode=ro&busy_timeout=1s", Config{Database: "file:app.db?mode=ro", BusyTimeout: time.Second}},
		{"app.db?encryptionKey=k3y", Config{Database: "app.db", EncryptionKey: "k3y"}},
		{"libsql://db.example.com?authToken=secret", Config{URL: "libsql://db.example.com", AuthToken: "secret"}},
		{"https://db.example.com:8443", Config{URL: "https://db.example.com:8443"}},
		{"http://127.0.0.1:8080", Config{URL: "http://127.0.0.1:8080"}},
		{"wss://db.example.com", Config{URL: "wss://db.example.com"}},
		{"ws://127.0.0.1:8080", Config{URL: "ws://127.0.0.1:8080"}},
		{"libsql://127.0.0.1:8080?tls=0&authToken=t", Config{URL: "libsql://127.0.0.1:8080?tls=0", AuthToken: "t"}},
		{"libsql://db.example.com?database=replica.db&syncInterval=1m&sync=true",
			Config{URL: "libsql://db.example.com", Database: "replica.db", SyncInterval: time.Minute, Sync: true}},
		{"libsql://db.example.com?database=replica.db&offlineOpen=1",
			Config{URL: "libsql://db.example.com", Database: "replica.db", OfflineOpen: true}},
	}
	for _, tt := range tests {
		t.Run(tt.dsn, func(t *testing.T) {
			got, err := ParseDSN(tt.dsn)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseDSNErrors(t *testing.T) {
	tests := []struct {
		name, dsn, want string
	}{
		{"empty", "", "empty DSN"},
		{"blank", "   ", "empty DSN"},
		{"unknown parameter", "app.db?cache_size=10", `unknown DSN parameter "cache_size"`},
		{"sqlite parameter on a plain path", "app.db?mode=ro", `unknown DSN parameter "mode"`},
		{"unknown remote parameter", "libsql://h?authToken=secret&timeout=3", `unknown DSN parameter "timeout"`},
		{"another driver's parameter", "app.db?_busy_timeout=5000", `unknown DSN parameter "_busy_timeout" (a parameter of another SQLite driver; use busy_timeout=5s`},
		{"another driver's pragma", "file:app.db?_pragma=foreign_keys(1)", `another SQLite driver`},
		{"bad duration", "app.db?busy_timeout=soon", `busy_timeout="soon" is not a duration`},
		{"bad sync", "libsql://h?sync=maybe", `sync="maybe" is not a boolean`},
		{"bad offlineOpen", "libsql://h?offlineOpen=yes", `offlineOpen="yes" is not a boolean`},
		{"unsupported scheme", "postgres://h/db", `unsupported URL scheme "postgres"`},
		{"no host", "libsql://?authToken=secret", "malformed URL"},
		{"malformed query", "app.db?busy_timeout=%zz", "malformed DSN parameters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDSN(tt.dsn)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.True(t, errors.Is(err, ErrInvalidDSN))
			assert.NotContains(t, err.Error(), "secret", "an error must not show the token")
		})
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		is   error
		want string
	}{
		{"replica in memory", Config{URL: "libsql://h", Database: ":memory:"}, ErrInvalidDSN, "needs a file"},
		{"negative interval", Config{URL: "libsql://h", Database: "r.db", SyncInterval: -1}, ErrInvalidDSN, "negative"},
		{"remote with key", Config{URL: "libsql://h", EncryptionKey: strings.Repeat("k", 31) + "kk"}, ErrInvalidDSN, "EncryptionKey"},
		{"remote with sync", Config{URL: "libsql://h", Sync: true}, ErrInvalidDSN, "Sync"},
		{"short key", Config{Database: "a.db", EncryptionKey: strings.Repeat("k", 31)}, ErrInvalidDSN, "encryption key too short: 31 characters, need at least 32"},
		{"token without URL", Config{Database: "a.db", AuthToken: "secret"}, ErrInvalidDSN, "AuthToken"},
		{"sync without URL", Config{Database: "a.db", Sync: true}, ErrInvalidDSN, "Sync"},
		{"no database", Config{}, ErrInvalidDSN, "Database is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.validate()
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.is)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "secret")
			assert.NotContains(t, err.Error(), strings.Repeat("k", 31))
		})
	}
	assert.NoError(t, Config{Database: "a.db"}.validate())
	assert.NoError(t, Config{URL: "libsql://h", AuthToken: "t"}.validate())
	assert.NoError(t, Config{URL: "libsql://h", Database: "r.db", Sync: true, SyncInterval: time.Second}.validate())
	assert.NoError(t, Config{Database: "a.db", EncryptionKey: strings.Repeat("k", 32)}.validate())
}
