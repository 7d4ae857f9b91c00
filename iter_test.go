package libsql_test

import (
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/gorm-libsql/libsql"
)

type streamRow struct {
	ID   int64
	Name string
}

func TestRowsIterator(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		require.NoError(t, db.AutoMigrate(&streamRow{}))
		require.NoError(t, db.Exec("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 50) INSERT INTO stream_rows SELECT x, 'n' || x FROM c").Error)
		var got []int64
		for r, err := range libsql.Rows[streamRow](db.Where("id > ?", 40).Order("id")) {
			require.NoError(t, err)
			assert.Equal(t, "n", r.Name[:1])
			got = append(got, r.ID)
		}
		assert.Equal(t, []int64{41, 42, 43, 44, 45, 46, 47, 48, 49, 50}, got)

		n := 0
		for range libsql.Rows[streamRow](db) {
			n++
			if n == 5 {
				break
			}
		}
		assert.Equal(t, 5, n, "breaking out stops the query")

		for _, err := range libsql.Rows[streamRow](db.Raw("SELECT * FROM no_such_table")) {
			assert.Error(t, err)
		}
	})
}

// TestStreamingMemoryIsBounded reads a million rows three ways and checks
// that the heap does not grow with the result.
func TestStreamingMemoryIsBounded(t *testing.T) {
	const total = 1_000_000
	db := openDB(t, libsql.Open(filepath.Join(t.TempDir(), "big.db")), nil)
	require.NoError(t, db.AutoMigrate(&streamRow{}))
	require.NoError(t, db.Exec("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < ?) INSERT INTO stream_rows SELECT x, printf('row number %08d', x) FROM c", total).Error)

	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	// A million rows held at once take well over 60 MB; streaming holds one.
	const bound = 16 << 20

	check := func(t *testing.T, visit func(func())) {
		base := heap()
		var peak uint64
		n := 0
		visit(func() {
			n++
			if n%200_000 == 0 {
				peak = max(peak, heap())
			}
		})
		assert.Equal(t, total, n)
		assert.Less(t, int64(peak)-int64(base), int64(bound), "heap grew by %d bytes", int64(peak)-int64(base))
	}

	t.Run("iterator", func(t *testing.T) {
		check(t, func(row func()) {
			for _, err := range libsql.Rows[streamRow](db.Order("id")) {
				require.NoError(t, err)
				row()
			}
		})
	})
	t.Run("Rows", func(t *testing.T) {
		check(t, func(row func()) {
			rows, err := db.Model(&streamRow{}).Rows()
			require.NoError(t, err)
			defer rows.Close()
			var r streamRow
			for rows.Next() {
				require.NoError(t, rows.Scan(&r.ID, &r.Name))
				row()
			}
			require.NoError(t, rows.Err())
		})
	})
	t.Run("FindInBatches", func(t *testing.T) {
		check(t, func(row func()) {
			var batch []streamRow
			require.NoError(t, db.FindInBatches(&batch, 2000, func(tx *gorm.DB, _ int) error {
				for range batch {
					row()
				}
				return nil
			}).Error)
		})
	})
}
