package native

import (
	"context"
	"database/sql/driver"
	"io"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMemoryDoesNotGrow opens, uses and closes connections 2000 times and
// checks that neither the engine's C heap (sqlite3_memory_used, which also
// counts this package's C allocations) nor the Go heap keeps growing.
func TestMemoryDoesNotGrow(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	path := filepath.Join(t.TempDir(), "mem.db")
	c, err := NewConnector(path, Options{Init: []string{"PRAGMA journal_mode=WAL"}})
	require.NoError(t, err)
	ctx := context.Background()
	blob := make([]byte, 4096)

	cycle := func(i int) {
		dc, err := c.Connect(ctx)
		require.NoError(t, err)
		conn := dc.(*Conn)
		require.Greater(t, memoryUsed(), int64(0), "sqlite3_memory_used must count, or this test proves nothing")
		_, err = conn.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS m(id INTEGER PRIMARY KEY, s TEXT, b BLOB, t DATETIME); DELETE FROM m WHERE id % 50 = 0", nil)
		require.NoError(t, err)
		_, err = conn.ExecContext(ctx, "INSERT INTO m(s, b, t) VALUES (?, ?, ?)", []driver.NamedValue{{Ordinal: 1, Value: "some text"}, {Ordinal: 2, Value: blob}, {Ordinal: 3, Value: "2024-01-01 00:00:00+00:00"}})
		require.NoError(t, err)
		rows, err := conn.QueryContext(ctx, "SELECT id, s, b, t FROM m ORDER BY id DESC LIMIT 20", nil)
		require.NoError(t, err)
		dest := make([]driver.Value, 4)
		for {
			if err := rows.Next(dest); err == io.EOF {
				break
			} else {
				require.NoError(t, err)
			}
		}
		require.NoError(t, rows.Close())
		st, err := conn.PrepareContext(ctx, "SELECT count(*) FROM m WHERE s = ?")
		require.NoError(t, err)
		rows, err = st.(driver.StmtQueryContext).QueryContext(ctx, []driver.NamedValue{{Ordinal: 1, Value: "x"}})
		require.NoError(t, err)
		if i%2 == 0 { // leave rows and Stmt open: Close must finalize them
			require.NoError(t, rows.Close())
			require.NoError(t, st.Close())
		}
		_, err = conn.ExecContext(ctx, "SELECT 1; SELECT ?", []driver.NamedValue{{Ordinal: 1, Value: int64(i)}})
		require.NoError(t, err)
		require.NoError(t, conn.Close())
	}
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}

	for i := range 200 { // warm up caches and pools
		cycle(i)
	}
	cBefore, goBefore := memoryUsed(), heap()
	for i := range 2000 {
		cycle(i)
	}
	cAfter, goAfter := memoryUsed(), heap()
	t.Logf("C heap %d -> %d bytes, Go heap %d -> %d bytes", cBefore, cAfter, goBefore, goAfter)
	assert.Less(t, cAfter-cBefore, int64(64<<10), "C heap grew")
	assert.Less(t, int64(goAfter)-int64(goBefore), int64(4<<20), "Go heap grew")
}
