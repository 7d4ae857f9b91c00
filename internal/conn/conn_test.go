package conn

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPrimaryURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"libsql://db.turso.io", "https://db.turso.io"},
		{"libsql://127.0.0.1:8080?tls=0", "http://127.0.0.1:8080"},
		{"https://db.example.com:8443", "https://db.example.com:8443"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"wss://db.example.com", "https://db.example.com"},
		{"ws://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"LIBSQL://db.turso.io", "https://db.turso.io"},
	}
	for _, tt := range tests {
		got, err := primaryURL(tt.in)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
	for _, bad := range []string{"ftp://x", "libsql://", "::"} {
		_, err := primaryURL(bad)
		assert.Error(t, err, bad)
	}
}

func TestIsReplicaFile(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.db")
	replica := filepath.Join(dir, "replica.db")
	require.NoError(t, os.WriteFile(replica+"-client_wal_index", make([]byte, 32), 0o600))
	assert.False(t, isReplicaFile(plain))
	assert.True(t, isReplicaFile(replica))
	assert.True(t, isReplicaFile("file:"+replica+"?mode=ro"), "a file: URI names the same file")
}
