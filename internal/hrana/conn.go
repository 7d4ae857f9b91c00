package hrana

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gorm-libsql/libsql/internal/sqlvalue"
	"github.com/gorm-libsql/libsql/internal/txopt"
)

// Conn is one database/sql connection to the server.
//
// It implements driver.Conn, driver.ConnBeginTx, driver.ConnPrepareContext,
// driver.ExecerContext, driver.QueryerContext, driver.NamedValueChecker,
// driver.SessionResetter, driver.Validator and driver.Pinger. Like every
// driver.Conn it is not safe for concurrent use.
//
// # Streams and requests
//
// A Hrana stream is a connection on the server; over HTTP it lives from one
// request to the next through a "baton". Outside transactions a Conn keeps
// no stream: every Exec and Query is one HTTP request that opens a stream,
// runs Options.Init, runs the statements and closes the stream. Keeping a
// stream between calls would save nothing (every call is one request
// either way) but the server expires idle streams after about ten seconds,
// so a kept stream would need an expiry check or a retry, and it would tie
// up a server connection per pooled connection.
//
// A transaction holds one stream from its first statement to its end:
// BEGIN is sent in the same request as that first statement (a transaction
// without statements sends nothing), each further statement is one request
// on the stream, and Commit or Rollback is one request that also closes
// the stream. A transaction of n statements therefore costs n+1 requests.
// The same holds for a transaction begun with Exec("BEGIN") (or SAVEPOINT)
// outside database/sql's Tx: the stream is kept until the server reports
// autocommit again.
//
// Every request is one "batch" whose steps run only if the step before
// succeeded, so that a statement never runs after a failed Init statement,
// BEGIN, or earlier statement.
type Conn struct {
	client *client
	opts   *Options

	baton   string // the stream this connection holds, "" for none
	baseURL string // where requests on the stream go; "" for the server URL
	lastID  int64  // last_insert_rowid seen on the held stream
	manual  bool   // holding the stream for a transaction begun with Exec
	tx      *Tx    // the database/sql transaction in progress, or nil
	bad     error  // why the connection cannot be used any more
	closed  bool
}

// dropStream forgets the held stream (the server expires it if it is still
// open).
func (c *Conn) dropStream() {
	c.baton, c.baseURL, c.lastID, c.manual = "", "", 0, false
}

// ready checks the connection before a request.
func (c *Conn) ready(ctx context.Context) error {
	if c.closed {
		return driver.ErrBadConn
	}
	if c.tx != nil && c.tx.err != nil {
		return c.tx.abortedError()
	}
	if c.bad != nil {
		return driver.ErrBadConn
	}
	return ctx.Err()
}

// beginsTx reports whether one of sts may open a transaction.
func beginsTx(sts []statement) bool {
	for i := range sts {
		if k := sts[i].keyword; k == "BEGIN" || k == "SAVEPOINT" {
			return true
		}
	}
	return false
}

// run sends stmts (split from one query, sts) in one HTTP request and
// returns one result per statement.
func (c *Conn) run(ctx context.Context, sts []statement, stmts []hstmt) ([]*stmtResult, error) {
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	tx := c.tx
	if tx != nil && tx.readOnly {
		for i := range sts {
			if !sts[i].readOnly() {
				return nil, errReadOnly
			}
		}
	}
	newStream := c.baton == ""
	p := pipeline{baton: c.baton}
	ninit := 0
	if newStream {
		for _, q := range c.opts.Init {
			p.steps = append(p.steps, hstmt{sql: q})
		}
		ninit = len(p.steps)
	}
	beginning := tx != nil && !tx.begun
	if beginning {
		for _, q := range tx.before {
			p.steps = append(p.steps, hstmt{sql: q})
		}
		p.steps = append(p.steps, hstmt{sql: tx.begin})
	}
	npre := len(p.steps)
	p.steps = append(p.steps, stmts...)
	startsManual := tx == nil && newStream && beginsTx(sts)
	keep := tx != nil || c.manual || startsManual
	p.getAutocommit = tx == nil && keep
	p.close = !keep

	resp, err := c.client.send(ctx, c.baseURL, &p)
	if err != nil {
		return nil, c.sendFailed(err, newStream, keep, beginning)
	}

	// The stream.
	autocommit := true
	if p.getAutocommit {
		r := resp.Results[1]
		if r.Type == "ok" && r.Response != nil && r.Response.IsAutocommit != nil {
			autocommit = *r.Response.IsAutocommit
		}
	}
	prevID := c.lastID
	switch {
	case !keep:
	case resp.Baton == nil:
		// The server closed the stream.
		c.dropStream()
		if tx != nil && (tx.begun || beginning) {
			tx.err = fmt.Errorf("hrana: %s closed the transaction's stream: %w", c.client.host, ErrStreamExpired)
		}
	case tx == nil && autocommit:
		c.dropStream() // a transaction begun with Exec ended
	default:
		c.baton = *resp.Baton
		if resp.BaseURL != nil && *resp.BaseURL != "" {
			if base, ok := c.client.streamBase(*resp.BaseURL); ok {
				c.baseURL = base
			}
		}
		if tx == nil {
			c.manual = true
		}
	}

	// The batch.
	br := resp.Results[0]
	if br.Type != "ok" || br.Response == nil || br.Response.Result == nil {
		if br.Error == nil {
			err := protocolErrorf("%s returned no batch result", c.client.host)
			if beginning {
				tx.err = err
			}
			if keep {
				c.dropStream()
			}
			return nil, err
		}
		// The server refused the batch as a whole (a statement it cannot
		// parse or does not support): nothing of it ran, BEGIN included,
		// so a transaction is still to begin. A new stream is dropped
		// since its Init statements did not run either.
		var err error = newError(br.Error, c.client.token)
		for _, q := range p.steps[:ninit] {
			if strings.Contains(br.Error.Message, q.sql) {
				err = fmt.Errorf("hrana: init statement %q: %w", q.sql, err)
				break
			}
		}
		if newStream && keep {
			c.dropStream()
		}
		return nil, err
	}
	res := br.Response.Result
	if len(res.StepResults) != len(p.steps) || len(res.StepErrors) != len(p.steps) {
		return nil, protocolErrorf("%s returned %d step results for %d steps", c.client.host, len(res.StepResults), len(p.steps))
	}
	for i := 0; i < npre; i++ {
		if pe := res.StepErrors[i]; pe != nil || res.StepResults[i] == nil {
			var err error = protocolErrorf("step %d was skipped", i)
			if pe != nil {
				err = newError(pe, c.client.token)
			}
			if i < ninit {
				err = fmt.Errorf("hrana: init statement %q: %w", p.steps[i].sql, err)
			}
			if beginning {
				tx.err = err
			}
			if keep {
				c.dropStream()
			}
			return nil, err
		}
	}
	if beginning {
		tx.begun = true
	}
	out := res.StepResults[npre:]
	for i, pe := range res.StepErrors[npre:] {
		if pe != nil {
			return nil, newError(pe, c.client.token)
		}
		if out[i] == nil {
			return nil, protocolErrorf("statement %d was skipped", i+1)
		}
	}
	if keep && c.baton != "" {
		c.lastID = prevID
		for _, r := range out {
			if r.LastInsertRowid != nil {
				if id, err := strconv.ParseInt(*r.LastInsertRowid, 10, 64); err == nil {
					c.lastID = id
				}
			}
		}
	}
	return out, nil
}

// sendFailed updates the connection after a request that got no usable
// answer and returns the error to report.
func (c *Conn) sendFailed(err error, newStream, keep, beginning bool) error {
	var te *TransportError
	var he *HTTPError
	isTransport := errors.As(err, &te)
	isHTTP := errors.As(err, &he)
	if !isTransport && !isHTTP && !errors.Is(err, ErrProtocol) {
		return err // not sent (an argument the JSON encoding cannot carry)
	}
	notSent := isTransport && te.NotSent
	tx := c.tx
	if !keep {
		if notSent {
			// Nothing ran: database/sql may retry on another connection.
			return fmt.Errorf("%w: %w", driver.ErrBadConn, err)
		}
		return err
	}
	// The stream's baton is lost with the answer.
	held := !newStream
	if held && !isHTTP {
		// The request may not have reached the server, in which case the
		// stream, and the transaction's locks, would stay until the server
		// expires it: try to close it with the old baton (harmless if the
		// server used it already).
		go c.client.abandon(c.baton, c.baseURL)
	}
	c.dropStream()
	switch {
	case tx != nil && beginning && newStream:
		// The transaction had not begun; it may begin on a later call.
		if notSent {
			return fmt.Errorf("%w: %w", driver.ErrBadConn, err)
		}
		if isHTTP {
			return err // refused (auth, permission): nothing to roll back
		}
		tx.err = err
		c.bad = err
		return err
	case tx != nil:
		tx.err = err
		if isHTTP && he.streamGone() {
			return fmt.Errorf("hrana: the transaction was rolled back: %w", err)
		}
		if !isHTTP {
			// The server may still be running the request on the stream.
			c.bad = err
		}
		return fmt.Errorf("hrana: the transaction was aborted: %w", err)
	case held:
		// A transaction begun with Exec is lost.
		if isHTTP && he.streamGone() {
			return fmt.Errorf("hrana: the transaction begun with BEGIN was rolled back: %w", err)
		}
		if !isHTTP {
			c.bad = err
		}
		return fmt.Errorf("hrana: the transaction begun with BEGIN was aborted: %w", err)
	default:
		if notSent {
			return fmt.Errorf("%w: %w", driver.ErrBadConn, err)
		}
		return err
	}
}

var errReadOnly = &Error{Code: "SQLITE_READONLY", Message: "attempt to write a readonly database"}

// ExecContext implements driver.ExecerContext.
//
// Every statement of query runs, in order, in one request; rows they return
// are discarded. Arguments bind as in the local driver: positional ones in
// order across the statements, named ones (sql.Named) to :name, @name and
// $name in every statement that has them. When a statement fails the
// statements after it do not run and the earlier ones stay done (unless
// inside a transaction that is then rolled back).
//
// The result's LastInsertId is the rowid of the last row inserted by the
// statement(s), or, in a transaction, by an earlier statement of it; 0 when
// none was. RowsAffected is the rows the statement(s) inserted, updated or
// deleted: the sum over the statements of a multi-statement Exec.
func (c *Conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	sts, stmts, err := prepareStmts(query, args, false)
	if err != nil {
		return nil, err
	}
	if len(stmts) == 0 {
		return sqlvalue.Result{}, nil
	}
	var prevID int64
	if c.baton != "" {
		prevID = c.lastID
	}
	out, err := c.run(ctx, sts, stmts)
	if err != nil {
		return nil, err
	}
	res := sqlvalue.Result{ID: prevID}
	for _, r := range out {
		res.Rows += r.AffectedRowCount
		if r.LastInsertRowid != nil {
			if id, err := strconv.ParseInt(*r.LastInsertRowid, 10, 64); err == nil {
				res.ID = id
			}
		}
	}
	return res, nil
}

// QueryContext implements driver.QueryerContext.
//
// When query holds several statements, all but the last run as in
// ExecContext and the rows of the last are returned; all of them go in one
// request. The rows are read in full before QueryContext returns (Hrana's
// "execute" answers with all rows at once), so every error, including a
// constraint violation of INSERT ... RETURNING, is returned here.
func (c *Conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	sts, stmts, err := prepareStmts(query, args, true)
	if err != nil {
		return nil, err
	}
	if len(stmts) == 0 {
		return nil, &Error{Code: "SQLITE_MISUSE", Message: "query holds no statement"}
	}
	out, err := c.run(ctx, sts, stmts)
	if err != nil {
		return nil, err
	}
	return newRows(out[len(out)-1], c.opts.Location), nil
}

// CheckNamedValue implements driver.NamedValueChecker with the rules of
// sqlvalue.CheckNamedValue.
func (c *Conn) CheckNamedValue(nv *driver.NamedValue) error {
	return sqlvalue.CheckNamedValue(nv)
}

// PrepareContext implements driver.ConnPrepareContext. Nothing is sent:
// the statement is checked by the server when it runs.
func (c *Conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	return &Stmt{c: c, query: query}, nil
}

// Prepare implements driver.Conn.
func (c *Conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// Begin implements driver.Conn; use BeginTx.
func (c *Conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx implements driver.ConnBeginTx. It sends nothing: BEGIN goes with
// the first statement of the transaction.
//
// Isolation levels map to SQLite's transaction kinds as in the local
// driver (txopt.BeginStatement: BEGIN, BEGIN IMMEDIATE, BEGIN EXCLUSIVE);
// other levels are rejected.
//
// sqld refuses PRAGMA query_only, so a read-only transaction is enforced by
// the driver: it accepts only statements that cannot write, judged from
// their text (SELECT, VALUES, WITH ... SELECT, EXPLAIN, PRAGMA reads,
// SAVEPOINT, RELEASE, ROLLBACK), and fails the others, before sending them,
// with SQLite's SQLITE_READONLY error "attempt to write a readonly
// database", as the local driver does.
func (c *Conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	begin, err := txopt.BeginStatement(sql.IsolationLevel(opts.Isolation))
	if err != nil {
		return nil, fmt.Errorf("hrana: %w", err)
	}
	if c.tx != nil || c.manual {
		// As SQLite says for a BEGIN inside a transaction (here one begun
		// with Exec, which stays open).
		return nil, &Error{Code: "SQLITE_ERROR", Message: "cannot start a transaction within a transaction"}
	}
	// Statements the context asks for before BEGIN (txopt) ride with it;
	// those for after the end are moot, as the stream ends with it.
	before, _ := txopt.Statements(ctx)
	t := &Tx{c: c, ctx: ctx, begin: begin, before: before, readOnly: opts.ReadOnly}
	c.tx = t
	return t, nil
}

// endStream runs sql (COMMIT or ROLLBACK; a ROLLBACK also follows a failed
// COMMIT) on the held stream and closes it, in one request.
func (c *Conn) endStream(ctx context.Context, sql string) (*protoError, error) {
	p := pipeline{baton: c.baton, close: true}
	if sql == "COMMIT" {
		p.steps = []hstmt{{sql: "COMMIT"}}
	}
	p.extra = []batchStep{{stmt: hstmt{sql: "ROLLBACK"}, cond: condNotAutocommit}}
	resp, err := c.client.send(ctx, c.baseURL, &p)
	if err != nil {
		var he *HTTPError
		if !errors.As(err, &he) {
			go c.client.abandon(c.baton, c.baseURL) // see sendFailed
		}
	}
	c.dropStream()
	if err != nil {
		return nil, err
	}
	br := resp.Results[0]
	if br.Type != "ok" || br.Response == nil || br.Response.Result == nil {
		if br.Error != nil {
			return br.Error, nil
		}
		return nil, protocolErrorf("%s returned no batch result", c.client.host)
	}
	res := br.Response.Result
	for _, pe := range res.StepErrors {
		if pe != nil {
			return pe, nil
		}
	}
	return nil, nil
}

// Close closes the held stream, if any, and the connection.
func (c *Conn) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	if c.baton != "" && c.bad == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c.client.send(ctx, c.baseURL, &pipeline{baton: c.baton, close: true})
		cancel()
	}
	c.dropStream()
	return nil
}

// ResetSession implements driver.SessionResetter. A transaction begun with
// Exec("BEGIN") and left open is rolled back (one request); if that fails
// the connection is reported bad.
func (c *Conn) ResetSession(ctx context.Context) error {
	if c.closed || c.bad != nil {
		return driver.ErrBadConn
	}
	if c.manual && c.baton != "" && c.tx == nil {
		if _, err := c.endStream(ctx, "ROLLBACK"); err != nil {
			var he *HTTPError
			if errors.As(err, &he) && he.streamGone() {
				return nil // the server already rolled it back
			}
			c.bad = err
			return driver.ErrBadConn
		}
	}
	return nil
}

// IsValid implements driver.Validator.
func (c *Conn) IsValid() bool { return !c.closed && c.bad == nil }

// PingTimeout bounds a Ping whose context has no deadline.
const PingTimeout = 10 * time.Second

// Ping implements driver.Pinger: one request that opens and closes a
// stream (or, while a stream is held, keeps it alive), so it checks that
// the server is reachable and accepts the token.
func (c *Conn) Ping(ctx context.Context) error {
	if c.closed || c.bad != nil {
		return driver.ErrBadConn
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, ok := ctx.Deadline(); !ok {
		// gorm.Open pings without a deadline; a server that accepts the
		// connection but never answers must not hang it.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, PingTimeout)
		defer cancel()
	}
	p := pipeline{baton: c.baton, close: c.baton == ""}
	resp, err := c.client.send(ctx, c.baseURL, &p)
	if err != nil {
		if c.baton != "" {
			return c.sendFailed(err, false, true, false)
		}
		var te *TransportError
		if errors.As(err, &te) && te.NotSent {
			return fmt.Errorf("%w: %w", driver.ErrBadConn, err)
		}
		return err
	}
	if c.baton != "" {
		if resp.Baton == nil {
			c.dropStream()
		} else {
			c.baton = *resp.Baton
		}
	}
	return nil
}

// Interfaces implemented, checked at compile time.
var (
	_ driver.Conn                           = (*Conn)(nil)
	_ driver.ConnBeginTx                    = (*Conn)(nil)
	_ driver.ConnPrepareContext             = (*Conn)(nil)
	_ driver.ExecerContext                  = (*Conn)(nil)
	_ driver.QueryerContext                 = (*Conn)(nil)
	_ driver.NamedValueChecker              = (*Conn)(nil)
	_ driver.SessionResetter                = (*Conn)(nil)
	_ driver.Validator                      = (*Conn)(nil)
	_ driver.Pinger                         = (*Conn)(nil)
	_ driver.StmtExecContext                = (*Stmt)(nil)
	_ driver.StmtQueryContext               = (*Stmt)(nil)
	_ driver.RowsColumnTypeDatabaseTypeName = (*Rows)(nil)
	_ driver.RowsColumnTypeScanType         = (*Rows)(nil)
	_ driver.Tx                             = (*Tx)(nil)
	_ driver.Connector                      = (*Connector)(nil)
	_ driver.DriverContext                  = Driver{}
)
