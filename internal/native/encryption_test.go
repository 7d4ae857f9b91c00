package native_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gorm-libsql/libsql/internal/native"
)

func openKeyed(t *testing.T, path, key string) *sql.DB {
	t.Helper()
	c, err := native.NewConnector(path, native.Options{EncryptionKey: key, Init: []string{"PRAGMA journal_mode = WAL"}})
	require.NoError(t, err)
	db := sql.OpenDB(c)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestEncryptionAtRest(t *testing.T) {
	const key = "correct horse battery staple, 32+ chars"
	path := filepath.Join(t.TempDir(), "secret.db")

	db := openKeyed(t, path, key)
	_, err := db.Exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('plain words here')")
	require.NoError(t, err)
	require.NoError(t, db.Close())

	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.False(t, bytes.HasPrefix(raw, []byte("SQLite format 3")), "the header is encrypted")
	assert.False(t, bytes.Contains(raw, []byte("plain words here")), "the data is encrypted")

	var body string
	require.NoError(t, openKeyed(t, path, key).QueryRow("SELECT body FROM notes").Scan(&body))
	assert.Equal(t, "plain words here", body)

	for name, wrong := range map[string]string{"wrong key": "another key, also 32 characters long", "no key": ""} {
		t.Run(name, func(t *testing.T) {
			err := openKeyed(t, path, wrong).PingContext(context.Background())
			require.Error(t, err)
			assert.Contains(t, err.Error(), "wrong encryption key")
			var e *native.Error
			require.True(t, errors.As(err, &e))
			assert.Equal(t, native.CodeNotADB, e.Code)
			if wrong != "" {
				assert.NotContains(t, err.Error(), wrong)
			}
			assert.NotContains(t, err.Error(), key)
		})
	}
}

func TestEncryptionKeyWithQuote(t *testing.T) {
	key := "it's a key with 'quotes' and more than 32 chars"
	path := filepath.Join(t.TempDir(), "q.db")
	db := openKeyed(t, path, key)
	_, err := db.Exec("CREATE TABLE t (x)")
	require.NoError(t, err)
	require.NoError(t, db.Close())
	var n int
	require.NoError(t, openKeyed(t, path, key).QueryRow("SELECT count(*) FROM t").Scan(&n))
	err = openKeyed(t, path, strings.ReplaceAll(key, "'", "")).Ping()
	require.Error(t, err)
}

// A file with frames still in its WAL (the process died, or another
// connection has it open) must survive an open with a wrong key or none.
func TestEncryptionWrongKeyLeavesWALIntact(t *testing.T) {
	const key = "correct horse battery staple, 32+ chars"
	dir := t.TempDir()
	path := filepath.Join(dir, "live.db")
	db := openKeyed(t, path, key)
	_, err := db.Exec("PRAGMA wal_autocheckpoint = 0; CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('a'), ('b')")
	require.NoError(t, err)

	snap := filepath.Join(dir, "snapshot.db")
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(path + suffix)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(snap+suffix, b, 0o600))
	}
	info, err := os.Stat(snap + "-wal")
	require.NoError(t, err)
	require.Positive(t, info.Size(), "the snapshot has frames in its WAL")

	for _, wrong := range []string{"another key, also 32 characters long", ""} {
		bad := openKeyed(t, snap, wrong)
		require.Error(t, bad.Ping())
		require.NoError(t, bad.Close())
	}
	good := openKeyed(t, snap, key)
	var n int
	require.NoError(t, good.QueryRow("SELECT count(*) FROM notes").Scan(&n))
	assert.Equal(t, 2, n, "the right key still reads every committed row")
	require.NoError(t, good.Close())
	_, err = os.Stat(snap + "-wal")
	assert.True(t, errors.Is(err, os.ErrNotExist), "a connection with the right key checkpoints and removes the WAL when it closes last")
}
