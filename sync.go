package libsql

import (
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/gorm-libsql/libsql/internal/conn"
)

// ErrNotReplica is returned by Sync for a database that is not an embedded
// replica.
var ErrNotReplica = errors.New("libsql: not an embedded replica")

// ErrPrimaryUnavailable is returned when the primary of an embedded replica
// cannot be reached: writes and syncs fail, local reads go on working.
var ErrPrimaryUnavailable = conn.ErrPrimaryUnavailable

// ErrNotSynced is matched by errors.Is when a write was committed on the
// primary but the embedded replica could not sync it afterwards (with
// read-your-writes, or Config.Sync): the write stands, do not run it again;
// local reads show it after the next successful sync.
var ErrNotSynced = conn.ErrNotSynced

// Replicated reports what a sync did.
type Replicated struct {
	// FrameNo is the replica's position in the primary's log after the sync.
	FrameNo int
	// FramesSynced is the number of frames the sync applied.
	FramesSynced int
}

// Sync pulls the primary's changes into the embedded replica db reads from,
// and returns where the replica stands. It is safe to call concurrently
// with reads and writes.
func Sync(db *gorm.DB) (Replicated, error) {
	d, ok := db.Dialector.(*Dialector)
	if !ok || d.connector == nil {
		return Replicated{}, ErrNotReplica
	}
	s, ok := d.connector.(conn.Syncer)
	if !ok {
		return Replicated{}, ErrNotReplica
	}
	r, err := s.Sync()
	if err != nil {
		return Replicated{}, fmt.Errorf("libsql: sync: %w", err)
	}
	return Replicated{FrameNo: r.FrameNo, FramesSynced: r.FramesSynced}, nil
}

// syncer adapts the replica connector to callbacks.Syncer.
type syncer struct{ connector any }

func (s syncer) Sync() error {
	c, ok := s.connector.(conn.Syncer)
	if !ok {
		return ErrNotReplica
	}
	_, err := c.Sync()
	return err
}
