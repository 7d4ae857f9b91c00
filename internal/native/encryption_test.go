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
