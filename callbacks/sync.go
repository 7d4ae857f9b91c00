// Package callbacks holds GORM callbacks of the libSQL dialect.
package callbacks

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/gorm-libsql/libsql/internal/conn"
)

// Syncer pulls the primary's changes into an embedded replica.
type Syncer interface {
	Sync() error
}

// ErrSync marks an error of the sync that follows a committed write: the
// write itself is committed on the primary; the replica has not caught up.
// It is libsql.ErrNotSynced, which the replica's own read-your-writes sync
// reports too.
var ErrSync = conn.ErrNotSynced

// SyncName is the name the sync callback is registered under.
const SyncName = "libsql:sync_after_commit"

// RegisterSync makes every write that GORM commits on its own (Create, Save,
// Update, Delete and Exec outside a caller's transaction) sync the replica
// before it returns, so the replica reflects the primary when the call
// returns. Writes inside db.Transaction are synced by the caller after the
// transaction (libsql.Sync). Each sync costs one round trip to the primary.
func RegisterSync(db *gorm.DB, s Syncer) error { return register(db, s, true) }

// RegisterSyncOnRequest is RegisterSync for the statements whose context
// comes from WithSync only.
func RegisterSyncOnRequest(db *gorm.DB, s Syncer) error { return register(db, s, false) }

type syncKey struct{}

// WithSync returns a context whose writes sync the replica, where
// RegisterSyncOnRequest is registered.
func WithSync(ctx context.Context) context.Context { return context.WithValue(ctx, syncKey{}, true) }

// SyncRequested reports whether ctx comes from WithSync.
func SyncRequested(ctx context.Context) bool { return ctx != nil && ctx.Value(syncKey{}) != nil }

func register(db *gorm.DB, s Syncer, always bool) error {
	changed := func(tx *gorm.DB) {
		syncAfterWrite(tx, s, tx.RowsAffected > 0 && (always || SyncRequested(tx.Statement.Context)))
	}
	executed := func(tx *gorm.DB) { // DDL changes no rows
		syncAfterWrite(tx, s, always || SyncRequested(tx.Statement.Context))
	}
	cb := db.Callback()
	return errors.Join(
		cb.Create().After("gorm:commit_or_rollback_transaction").Register(SyncName, changed),
		cb.Update().After("gorm:commit_or_rollback_transaction").Register(SyncName, changed),
		cb.Delete().After("gorm:commit_or_rollback_transaction").Register(SyncName, changed),
		cb.Raw().After("gorm:raw").Register(SyncName, executed),
	)
}

func syncAfterWrite(tx *gorm.DB, s Syncer, wrote bool) {
	if tx.Error != nil || tx.DryRun || !wrote {
		return
	}
	if _, inTx := tx.Statement.ConnPool.(gorm.TxCommitter); inTx {
		return // the caller's transaction is not committed yet
	}
	if err := s.Sync(); err != nil {
		_ = tx.AddError(fmt.Errorf("%w: %w", ErrSync, err))
	}
}
