package libsql

import (
	"encoding/hex"
	"errors"
	"net/url"
	"strings"
	"testing"
)

// dsnSeeds are the DSN fuzzers' seed corpus: every documented form and the
// malformed inputs that once went wrong. They run as ordinary test cases in
// `go test`; testdata/fuzz/FuzzParseDSN holds the inputs fuzzing found.
var dsnSeeds = []string{
	"app.db", "/var/data/app.db", ":memory:", "file:app.db?mode=ro", "file:app.db?mode=ro&busy_timeout=1s",
	"app.db?busy_timeout=10s", "app.db?busy_timeout=250", "app.db?encryptionKey=k3y",
	"libsql://db.example.com?authToken=secret", "https://db.example.com:8443", "http://127.0.0.1:8080",
	"wss://db.example.com", "ws://127.0.0.1:8080", "libsql://127.0.0.1:8080?tls=0&authToken=t",
	"libsql://db.example.com?database=replica.db&syncInterval=1m&sync=true",
	"", "   ", "app.db?cache_size=10", "app.db?mode=ro", "libsql://h?authToken=secret&timeout=3",
	"app.db?busy_timeout=soon", "libsql://h?sync=maybe", "postgres://h/db", "libsql://?authToken=secret",
	"app.db?busy_timeout=%zz", "libsql://h?authToken=secret&busy_timeout=%zz", "libsql://h?a=1;b=2",
	"libsql://h#frag?authToken=secret", "libsql://user:pw@h:notaport", "file:", "?", "?busy_timeout=1s",
	"libsql://h?busy_timeout=99999999999999999999", "app.db?busy_timeout=-5s", "LIBSQL://H", "libsql:h",
	"a\x00b.db", "libsql://h\x00x", "file:a.db?mode=ro&mode=rw&vfs=unix", "::memory:", "://", "libsql:///path",
	"app.db?encryptionKey=k3y&backup=s3://bucket", "a b://c", "C:\\data\\app.db",
}

// FuzzParseDSN: ParseDSN never panics; its errors match ErrInvalidDSN; what
// it accepts is stable (parsing the result again gives the same URL or
// database) and validate never panics on it.
func FuzzParseDSN(f *testing.F) {
	for _, s := range dsnSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dsn string) {
		cfg, err := ParseDSN(dsn)
		if err != nil {
			if !errors.Is(err, ErrInvalidDSN) {
				t.Fatalf("ParseDSN(%q): error %v does not match ErrInvalidDSN", dsn, err)
			}
			if (cfg != Config{}) {
				t.Fatalf("ParseDSN(%q): error %v with a non-zero Config %+v", dsn, err, cfg)
			}
			return
		}
		_ = cfg.validate()
		if cfg.URL != "" {
			if u, err := url.Parse(dsn); err == nil {
				if _, qerr := url.ParseQuery(u.RawQuery); qerr != nil {
					t.Fatalf("ParseDSN(%q) accepted malformed parameters (%v), dropping some silently", dsn, qerr)
				}
			}
			u, err := url.Parse(cfg.URL)
			if err != nil || u.Host == "" || !isRemoteScheme(u.Scheme) {
				t.Fatalf("ParseDSN(%q) accepted URL %q, which is no remote URL (%v)", dsn, cfg.URL, err)
			}
			if _, qerr := url.ParseQuery(u.RawQuery); qerr != nil {
				t.Fatalf("ParseDSN(%q) kept a malformed query in URL %q", dsn, cfg.URL)
			}
			again, err := ParseDSN(cfg.URL)
			if err != nil || again.URL != cfg.URL {
				t.Fatalf("ParseDSN(%q) = URL %q, which parses again as %q, %v", dsn, cfg.URL, again.URL, err)
			}
			return
		}
		if scheme, _, ok := strings.Cut(cfg.Database, "://"); ok && isScheme(scheme) && !strings.HasPrefix(cfg.Database, "file:") {
			t.Fatalf("ParseDSN(%q): local database %q looks like a URL", dsn, cfg.Database)
		}
		if cfg.Database != "" && cfg.Database != ":memory:" && strings.TrimSpace(cfg.Database) != "" {
			again, err := ParseDSN(cfg.Database)
			if err != nil || again.Database != cfg.Database {
				t.Fatalf("ParseDSN(%q) = database %q, which parses again as %q, %v", dsn, cfg.Database, again.Database, err)
			}
		}
	})
}

// FuzzParseDSNSecrets: no error of ParseDSN or validate, and no URL or
// database it returns, contains the auth token or the encryption key given
// in the DSN. The secret carries a marker the rest of the input may not.
func FuzzParseDSNSecrets(f *testing.F) {
	f.Add("db.example.com", "", []byte("0123456789"), true)
	f.Add("db.example.com", "timeout=3", []byte("0123456789"), true)
	f.Add("db.example.com:notaport", "", []byte("0123456789"), true)
	f.Add("", "", []byte("0123456789"), true)
	f.Add("h#", "", []byte("0123456789"), true)
	f.Add("h", "busy_timeout=%zz", []byte("0123456789"), true)
	f.Add("h", "sync=maybe", []byte("0123456789"), true)
	f.Add("h", "database=r.db&syncInterval=-1s", []byte("0123456789"), true)
	f.Add("app.db", "", []byte("0123456789"), false)
	f.Add("app.db", "cache_size=1", []byte("0123456789"), false)
	f.Add("app.db", "busy_timeout=%zz", []byte("0123456789"), false)
	f.Add("app.db", "", []byte("01"), false)
	// A '?' typed for '&' makes the secret part of the previous value.
	f.Add("app.db?busy_timeout=5s", "", []byte("0123456789"), false)
	f.Add("h?sync=true", "", []byte("0123456789"), true)
	f.Add("h?syncInterval=1m", "", []byte("0123456789"), true)
	f.Fuzz(func(t *testing.T, host, extra string, raw []byte, remote bool) {
		const marker = "S3CRET"
		if len(raw) == 0 || strings.Contains(strings.ToUpper(host+extra), marker) {
			t.Skip()
		}
		secret := marker + hex.EncodeToString(raw)
		var dsn string
		if remote {
			dsn = "libsql://" + host + "?authToken=" + secret
		} else {
			dsn = host + "?encryptionKey=" + secret
		}
		if extra != "" {
			dsn += "&" + extra
		}
		cfg, err := ParseDSN(dsn)
		if err == nil {
			err = cfg.validate()
		}
		if err != nil && strings.Contains(strings.ToUpper(err.Error()), marker) {
			t.Fatalf("ParseDSN(%q): the error shows the secret: %v", dsn, err)
		}
		if strings.Contains(strings.ToUpper(cfg.URL+cfg.Database), marker) {
			t.Fatalf("ParseDSN(%q): the secret ended up in URL %q or Database %q, which errors may show", dsn, cfg.URL, cfg.Database)
		}
	})
}
