package libsql_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/gorm-libsql/libsql"
)

type secretNote struct {
	ID   uint
	Body string
}

func TestEncryptedDatabase(t *testing.T) {
	const key = "0123456789abcdef0123456789abcdef-key"
	path := filepath.Join(t.TempDir(), "enc.db")

	db := openDB(t, libsql.New(libsql.Config{Database: path, EncryptionKey: key}), nil)
	require.NoError(t, db.AutoMigrate(&secretNote{}))
	require.NoError(t, db.Create(&secretNote{Body: "meet at dawn"}).Error)
	sqlDB, _ := db.DB()
	require.NoError(t, sqlDB.Close())

	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.False(t, strings.HasPrefix(string(raw), "SQLite format 3"), "file header is encrypted")
	assert.NotContains(t, string(raw), "meet at dawn")

	dsn := openDB(t, libsql.Open(path+"?encryptionKey="+key), nil)
	var note secretNote
	require.NoError(t, dsn.First(&note).Error)
	assert.Equal(t, "meet at dawn", note.Body, "the DSN form opens it too")

	tests := []struct {
		name string
		cfg  libsql.Config
		is   error
		want string
	}{
		{"wrong key", libsql.Config{Database: path, EncryptionKey: strings.Repeat("x", 40)}, libsql.ErrWrongKey, "wrong encryption key"},
		{"missing key", libsql.Config{Database: path}, libsql.ErrWrongKey, "wrong encryption key"},
		{"short key", libsql.Config{Database: path, EncryptionKey: "short-key"}, libsql.ErrInvalidDSN, "too short"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := gorm.Open(libsql.New(tt.cfg), &gorm.Config{})
			require.Error(t, err)
			assert.True(t, errors.Is(err, tt.is), "%v", err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), key)
			if tt.cfg.EncryptionKey != "" {
				assert.NotContains(t, err.Error(), tt.cfg.EncryptionKey)
			}
		})
	}

	require.NoError(t, dsn.First(&note).Error, "committed data is intact after failed opens")
}
