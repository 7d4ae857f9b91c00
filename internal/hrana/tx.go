package hrana

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"
)

// Tx is a transaction (driver.Tx). See Conn for how it maps to requests.
type Tx struct {
	c        *Conn
	ctx      context.Context // from BeginTx; governs Commit
	begin    string
	before   []string // run before BEGIN, in the same request
	readOnly bool
	begun    bool  // BEGIN ran on the server
	err      error // the transaction was aborted: later calls fail with it
	done     bool
}

var errTxDone = &Error{Code: "SQLITE_MISUSE", Message: "transaction has already been committed or rolled back"}

// rollbackTimeout bounds the request of Rollback, which has no context of
// its own (database/sql calls it when the transaction's context ends).
const rollbackTimeout = 10 * time.Second

func (t *Tx) abortedError() error {
	return fmt.Errorf("hrana: transaction aborted: %w", t.err)
}

// Commit runs COMMIT and closes the stream in one request. If COMMIT fails
// (e.g. a deferred foreign key violation) the same request rolls the
// transaction back, so the connection is never left inside it; the COMMIT
// error is returned. A transaction that ran no statement commits without a
// request.
func (t *Tx) Commit() error {
	if t.done {
		return errTxDone
	}
	t.done = true
	c := t.c
	c.tx = nil
	if t.err != nil {
		c.dropStream()
		return t.abortedError()
	}
	if !t.begun {
		return nil
	}
	if c.closed || c.bad != nil {
		return fmt.Errorf("hrana: commit on a broken connection: %w", driver.ErrBadConn)
	}
	pe, err := c.endStream(t.ctx, "COMMIT")
	if err != nil {
		var he *HTTPError
		if errors.As(err, &he) && he.streamGone() {
			return fmt.Errorf("hrana: COMMIT failed, the transaction was rolled back: %w", err)
		}
		if !errors.As(err, &he) {
			c.bad = err // the outcome is unknown
		}
		return fmt.Errorf("hrana: COMMIT failed: %w", err)
	}
	if pe != nil {
		return newError(pe, c.client.token)
	}
	return nil
}

// Rollback runs ROLLBACK (if the transaction is still open on the server)
// and closes the stream in one request. A transaction that ran no statement,
// or that was already aborted, rolls back without a request.
func (t *Tx) Rollback() error {
	if t.done {
		return errTxDone
	}
	t.done = true
	c := t.c
	c.tx = nil
	if t.err != nil || !t.begun || c.closed || c.bad != nil {
		if c.bad == nil {
			c.dropStream()
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(t.ctx), rollbackTimeout)
	defer cancel()
	pe, err := c.endStream(ctx, "ROLLBACK")
	if err != nil {
		var he *HTTPError
		if errors.As(err, &he) {
			if he.streamGone() {
				return nil // the server rolled it back already
			}
			return fmt.Errorf("hrana: ROLLBACK failed: %w", err)
		}
		c.bad = err
		return fmt.Errorf("hrana: ROLLBACK failed: %w", err)
	}
	if pe != nil {
		return newError(pe, c.client.token)
	}
	return nil
}
