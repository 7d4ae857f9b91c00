package libsql_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/gorm-libsql/libsql"
	"github.com/gorm-libsql/libsql/internal/sqldtest"
)

// TestAllModesInOneProcess keeps a local file, a remote database, an
// embedded replica and go-libsql's own driver open at once in one process,
// which needs go-libsql initialised before the first raw engine call.
func TestAllModesInOneProcess(t *testing.T) {
	type mode1Row struct {
		ID   uint
		Name string
	}
	srv := sqldtest.Start(t, sqldtest.Options{})
	dir := t.TempDir()
	dbs := map[string]*gorm.DB{
		"local":   openDB(t, libsql.Open(filepath.Join(dir, "local.db")), nil),
		"remote":  openDB(t, libsql.New(libsql.Config{URL: srv.URL()}), nil),
		"replica": openDB(t, libsql.New(libsql.Config{Database: filepath.Join(dir, "replica.db"), URL: srv.URL()}), nil),
	}
	require.NoError(t, dbs["local"].AutoMigrate(&mode1Row{}))
	require.NoError(t, dbs["remote"].AutoMigrate(&mode1Row{}))
	_, err := libsql.Sync(dbs["replica"])
	require.NoError(t, err)

	plain, err := sql.Open("libsql", "file:"+filepath.Join(dir, "golibsql.db"))
	require.NoError(t, err)
	defer plain.Close()
	_, err = plain.Exec("CREATE TABLE t (x)")
	require.NoError(t, err)

	for name, db := range dbs {
		require.NoError(t, db.Create(&mode1Row{Name: name}).Error, name)
	}
	_, err = plain.Exec("INSERT INTO t VALUES (1)")
	require.NoError(t, err)

	var n int64
	require.NoError(t, dbs["local"].Model(&mode1Row{}).Count(&n).Error)
	assert.EqualValues(t, 1, n)
	_, err = libsql.Sync(dbs["replica"]) // the remote write may have come after the replica's
	require.NoError(t, err)
	require.NoError(t, dbs["replica"].Model(&mode1Row{}).Count(&n).Error)
	assert.EqualValues(t, 2, n, "the replica sees its own write and the remote one")
	require.NoError(t, plain.QueryRow("SELECT count(*) FROM t").Scan(&n))
	assert.EqualValues(t, 1, n)

	// The local layer reads the file go-libsql wrote.
	other := openDB(t, libsql.Open(filepath.Join(dir, "golibsql.db")), nil)
	require.NoError(t, other.Table("t").Count(&n).Error)
	assert.EqualValues(t, 1, n)
}
