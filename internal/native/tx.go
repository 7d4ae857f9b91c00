package native

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/gorm-libsql/libsql/internal/txopt"
)

// Tx is a transaction (driver.Tx).
type Tx struct {
	c        *Conn
	readOnly bool
	done     bool
	after    []string // run when the transaction ends (txopt)
}

var errTxDone = driverError(CodeMisuse, "transaction has already been committed or rolled back")

// BeginTx implements driver.ConnBeginTx.
//
// Isolation levels map to SQLite's transaction kinds as
// txopt.BeginStatement says (BEGIN, BEGIN IMMEDIATE, BEGIN EXCLUSIVE);
// other levels are rejected. A read-only transaction runs PRAGMA
// query_only=1 after BEGIN, undone at Commit or Rollback. A context from
// txopt.WithoutForeignKeys switches foreign keys off before BEGIN and on
// again after the transaction.
func (c *Conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	begin, err := txopt.BeginStatement(sql.IsolationLevel(opts.Isolation))
	if err != nil {
		return nil, fmt.Errorf("native: %w", err)
	}
	before, after := txopt.Statements(ctx)
	for _, q := range before {
		if _, err := c.ExecContext(ctx, q, nil); err != nil {
			return nil, err
		}
	}
	if _, err := c.ExecContext(ctx, begin, nil); err != nil {
		t := Tx{c: c, after: after}
		t.restore()
		return nil, err
	}
	if opts.ReadOnly {
		if _, err := c.ExecContext(ctx, "PRAGMA query_only=1", nil); err != nil {
			c.exec(context.Background(), "ROLLBACK", nil)
			return nil, err
		}
	}
	return &Tx{c: c, readOnly: opts.ReadOnly, after: after}, nil
}

// Commit runs COMMIT. If COMMIT fails and the transaction is still open
// (e.g. a deferred foreign key violation, or SQLITE_BUSY) it is rolled back,
// so that the connection is never left inside it; the COMMIT error is
// returned.
func (t *Tx) Commit() error {
	if t.done {
		return errTxDone
	}
	t.done = true
	if t.c.closed {
		return driver.ErrBadConn
	}
	_, err := t.c.exec(context.Background(), "COMMIT", nil)
	if err != nil && !t.c.d.autocommit() {
		t.c.exec(context.Background(), "ROLLBACK", nil)
	}
	if rerr := t.restore(); err == nil {
		err = rerr
	}
	return err
}

// Rollback runs ROLLBACK. A transaction the engine already rolled back
// (after an interrupt or some I/O errors) rolls back without error.
func (t *Tx) Rollback() error {
	if t.done {
		return errTxDone
	}
	t.done = true
	if t.c.closed {
		return driver.ErrBadConn
	}
	var err error
	if !t.c.d.autocommit() {
		_, err = t.c.exec(context.Background(), "ROLLBACK", nil)
	}
	if rerr := t.restore(); err == nil {
		err = rerr
	}
	return err
}

// restore undoes the query_only pragma of a read-only transaction and runs
// the statements the context of BeginTx asked for after it (see txopt).
func (t *Tx) restore() error {
	var errs []error
	if t.readOnly {
		_, err := t.c.exec(context.Background(), "PRAGMA query_only=0", nil)
		errs = append(errs, err)
	}
	for _, q := range t.after {
		_, err := t.c.exec(context.Background(), q, nil)
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
