package libsql_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gorm-libsql/libsql"
)

// TestTursoCloud runs against a real Turso database when
// LIBSQL_TURSO_URL (libsql://...) and LIBSQL_TURSO_TOKEN are set; every
// other test uses a local sqld. It creates and drops its own table.
func TestTursoCloud(t *testing.T) {
	url, token := os.Getenv("LIBSQL_TURSO_URL"), os.Getenv("LIBSQL_TURSO_TOKEN")
	if url == "" || token == "" {
		t.Skip("set LIBSQL_TURSO_URL and LIBSQL_TURSO_TOKEN to test against Turso")
	}
	type tursoProbe struct {
		ID        uint
		Note      string
		CreatedAt time.Time
	}
	table := fmt.Sprintf("gorm_libsql_probe_%d", time.Now().UnixNano())
	remote := openDB(t, libsql.New(libsql.Config{URL: url, AuthToken: token}), nil)
	require.NoError(t, remote.Table(table).AutoMigrate(&tursoProbe{}))
	t.Cleanup(func() { remote.Migrator().DropTable(table) })
	require.NoError(t, remote.Table(table).Create(&tursoProbe{Note: "2024-01-01"}).Error)

	replica := openDB(t, libsql.New(libsql.Config{Database: filepath.Join(t.TempDir(), "turso.db"), URL: url, AuthToken: token}), nil)
	var got tursoProbe
	require.NoError(t, replica.Table(table).First(&got).Error)
	assert.Equal(t, "2024-01-01", got.Note)
}
