package native

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/gorm-libsql/libsql/internal/sqlvalue"
	"github.com/gorm-libsql/libsql/internal/txopt"
)

// replica transaction states.
const (
	repIdle     = iota // no transaction
	repRemoteTx        // a transaction on the primary (BEGIN went through libsql)
	repLocalTx         // a read-only transaction on the local sqlite3 connection
)

// ReplicaConn is one connection to an embedded replica (see
// ReplicaConnector).
//
// It implements the same driver interfaces as Conn: driver.Conn,
// driver.ConnBeginTx, driver.ConnPrepareContext, driver.ExecerContext,
// driver.QueryerContext, driver.NamedValueChecker, driver.SessionResetter,
// driver.Validator and driver.Pinger. Use LastInsertRowID, Changes,
// TotalChanges and Autocommit through sql.Conn.Raw.
type ReplicaConn struct {
	rc    *ReplicaConnector
	epoch uint64 // rc.epoch when local was opened
	ls    lsConn // zero until the primary is reached after an offline open
	local *Conn  // private read-only sqlite3 connection to the local file
	loc   *time.Location

	cache  map[string][]repStmt
	state  int
	rows   map[*ReplicaRows]struct{} // open libsql rows
	closed bool

	changes, total int64

	delegated   []string // Init statements that went to libsql
	pending     []string // Init statements still to (re)apply on the primary
	inInit      bool
	usedLibsql  bool
	libsqlCalls int // statements sent to libsql; read by tests
}

func newReplicaConn(rc *ReplicaConnector, ls lsConn, local *Conn) *ReplicaConn {
	loc := rc.opts.Location
	if loc == nil {
		loc = time.UTC
	}
	return &ReplicaConn{
		rc:    rc,
		epoch: rc.epoch.Load(),
		ls:    ls,
		local: local,
		loc:   loc,
		cache: make(map[string][]repStmt),
		rows:  make(map[*ReplicaRows]struct{}),
	}
}

// runInit runs ReplicaOptions.Init (see there).
func (c *ReplicaConn) runInit(ctx context.Context) error {
	c.inInit = true
	defer func() { c.inInit = false }()
	for _, q := range c.rc.opts.Init {
		c.usedLibsql = false
		_, err := c.exec(ctx, q, nil)
		if c.usedLibsql {
			c.delegated = append(c.delegated, q)
		}
		if err != nil {
			if errors.Is(err, ErrPrimaryUnavailable) {
				c.pending = append(c.pending, q)
				continue
			}
			return initError(c.rc.path, q, err)
		}
	}
	return nil
}

func initError(path, q string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return &Error{Code: e.Code, ExtendedCode: e.ExtendedCode, Msg: fmt.Sprintf("open replica %q: init statement %q: %s", path, q, e.Msg)}
	}
	return fmt.Errorf("native: open replica %q: init statement %q: %w", path, q, err)
}

// applyPending re-applies the Init statements the primary has not seen, when
// outside a transaction.
func (c *ReplicaConn) applyPending(ctx context.Context) error {
	if len(c.pending) == 0 || c.inInit || c.state != repIdle {
		return nil
	}
	c.inInit = true
	defer func() { c.inInit = false }()
	for len(c.pending) > 0 {
		q := c.pending[0]
		if _, err := c.exec(ctx, q, nil); err != nil {
			if errors.Is(err, ErrPrimaryUnavailable) {
				return err
			}
			return initError(c.rc.path, q, err)
		}
		c.pending = c.pending[1:]
	}
	return nil
}

func (c *ReplicaConn) ready(ctx context.Context) error {
	if c.closed {
		return driver.ErrBadConn
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return c.refresh(ctx)
}

// refresh reopens the private local connection after libsql has reset the
// file to another database (ReplicaConnector.checkLog): its cached schema,
// statements and statement descriptions belong to the old one. It waits
// until the connection is idle, with no rows open.
func (c *ReplicaConn) refresh(ctx context.Context) error {
	e := c.rc.epoch.Load()
	if e == c.epoch || c.state != repIdle || c.local.openRows > 0 {
		return nil
	}
	local, err := c.rc.openLocal(ctx)
	if err != nil {
		return err
	}
	c.local.Close()
	c.local = local
	clear(c.cache)
	c.epoch = e
	return nil
}

// CheckNamedValue implements driver.NamedValueChecker, as Conn does.
func (c *ReplicaConn) CheckNamedValue(nv *driver.NamedValue) error {
	return c.local.CheckNamedValue(nv)
}

// ExecContext implements driver.ExecerContext, with the rules of
// Conn.ExecContext: every statement runs, in order; rows are discarded;
// positional arguments are consumed across statements, named ones bind in
// every statement that has them; an unused argument is an error.
func (c *ReplicaConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	res, err := c.exec(ctx, query, args)
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (c *ReplicaConn) exec(ctx context.Context, query string, args []driver.NamedValue) (sqlvalue.Result, error) {
	it, err := c.newIter(query)
	if err != nil {
		return sqlvalue.Result{}, err
	}
	defer it.close()
	b := newBinder(args)
	var res sqlvalue.Result
	for {
		s, _, err := it.next()
		if err != nil {
			return sqlvalue.Result{}, err
		}
		if s == nil {
			break
		}
		vals, err := s.bind(&b)
		if err != nil {
			return sqlvalue.Result{}, err
		}
		n, _, err := c.run(ctx, s, vals, false)
		if err != nil {
			return sqlvalue.Result{}, err
		}
		res.Rows += n
	}
	if err := b.Finish(); err != nil {
		return sqlvalue.Result{}, err
	}
	res.ID = c.LastInsertRowID()
	return res, nil
}

// QueryContext implements driver.QueryerContext, with the rules of
// Conn.QueryContext: all statements but the last run as in ExecContext and
// the rows of the last are returned. The first row is read before
// QueryContext returns. Local queries return a *Rows, the others a
// *ReplicaRows.
func (c *ReplicaConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	it, err := c.newIter(query)
	if err != nil {
		return nil, err
	}
	defer it.close()
	b := newBinder(args)
	for {
		s, last, err := it.next()
		if err != nil {
			return nil, err
		}
		if s == nil {
			return nil, driverError(CodeMisuse, "query holds no statement")
		}
		vals, err := s.bind(&b)
		if err != nil {
			return nil, err
		}
		if !last {
			if _, _, err := c.run(ctx, s, vals, false); err != nil {
				return nil, err
			}
			continue
		}
		if err := b.Finish(); err != nil {
			return nil, err
		}
		_, rows, err := c.run(ctx, s, vals, true)
		return rows, err
	}
}

// run runs one statement where it belongs (see ReplicaConnector) and
// returns the rows it changed and, with wantRows, its rows.
func (c *ReplicaConn) run(ctx context.Context, s *repStmt, vals []driver.Value, wantRows bool) (int64, driver.Rows, error) {
	switch c.state {
	case repLocalTx:
		return c.runLocal(ctx, s, vals, wantRows)
	case repIdle:
		switch s.kind {
		case repRead:
			return c.runLocal(ctx, s, vals, wantRows)
		case repCommit:
			return 0, nil, &Error{Code: CodeError, ExtendedCode: CodeError, Msg: "cannot commit - no transaction is active"}
		case repRollback:
			return 0, nil, &Error{Code: CodeError, ExtendedCode: CodeError, Msg: "cannot rollback - no transaction is active"}
		}
	case repRemoteTx:
		if s.kind == repBegin {
			return 0, nil, &Error{Code: CodeError, ExtendedCode: CodeError, Msg: "cannot start a transaction within a transaction"}
		}
	}
	return c.runLibsql(ctx, s, vals, wantRows)
}

// runLocal runs s on the local sqlite3 connection.
func (c *ReplicaConn) runLocal(ctx context.Context, s *repStmt, vals []driver.Value, wantRows bool) (int64, driver.Rows, error) {
	var (
		rows driver.Rows
		err  error
	)
	if wantRows {
		rows, err = c.local.QueryContext(ctx, s.text, sqlvalue.NamedValues(vals))
	} else {
		_, err = c.local.ExecContext(ctx, s.text, sqlvalue.NamedValues(vals))
	}
	if c.state == repLocalTx && c.local.Autocommit() {
		c.state = repIdle
	}
	return 0, rows, err
}

// runLibsql runs s on the libsql connection.
func (c *ReplicaConn) runLibsql(ctx context.Context, s *repStmt, vals []driver.Value, wantRows bool) (int64, driver.Rows, error) {
	if err := c.applyPending(ctx); err != nil {
		return 0, nil, err
	}
	if err := ctx.Err(); err != nil {
		return 0, nil, err
	}
	c.usedLibsql = true
	if err := c.attach(); err != nil {
		return 0, nil, err
	}
	c.libsqlCalls++
	st, msg, ok := c.ls.prepare(s.send)
	if !ok {
		return 0, nil, c.libsqlFailed(s, msg)
	}
	defer st.free()
	if err := c.bindLibsql(st, vals); err != nil {
		return 0, nil, err
	}
	if err := ctx.Err(); err != nil {
		return 0, nil, err
	}
	lr, msg, ok := st.query()
	if !ok {
		return 0, nil, sizeHint(c.libsqlFailed(s, msg), vals)
	}
	var n int64
	if s.dml {
		n = c.ls.changes()
		c.changes = n
		c.total += n
	}
	prev := c.state
	switch s.kind {
	case repBegin:
		c.state = repRemoteTx
	case repCommit, repRollback:
		c.state = repIdle
	}
	if c.rc.opts.ReadYourWrites && c.state == repIdle && s.kind != repRollback && (prev == repRemoteTx || !s.readOnly) {
		// A write of its own is committed on the primary: bring it here.
		if err := c.rc.catchUp(); err != nil {
			lr.free()
			return 0, nil, err
		}
	}
	if !wantRows {
		defer lr.free()
		var buf repCols
		for {
			if err := ctx.Err(); err != nil {
				return 0, nil, err
			}
			has, msg, ok := buf.next(lr)
			if !ok {
				return 0, nil, c.libsqlFailed(s, msg)
			}
			if !has {
				return n, nil, nil
			}
		}
	}
	r, err := c.newRows(ctx, s, lr)
	if err != nil {
		return 0, nil, err
	}
	return n, r, nil
}

// attach connects the connection to libsql if it has no libsql connection
// yet (the replica was opened offline), trying to reach the primary.
func (c *ReplicaConn) attach() error {
	if c.ls.p != nil {
		return nil
	}
	ls, err := c.rc.connectLibsql("exec", true)
	if err != nil {
		return err
	}
	c.ls = ls
	return nil
}

// libsqlFailed converts a libsql error and updates the connection's state
// after it.
func (c *ReplicaConn) libsqlFailed(s *repStmt, msg string) error {
	err := convertLibsqlError("exec", c.rc.scrub(msg))
	var re *ReplicaError
	if errors.As(err, &re) && re.Unavailable && !notSent(re.Msg) {
		// The connection failed after the statement may have been sent: a
		// write may have been applied, and must not be retried blindly.
		re.Msg += " (the statement may have run on the primary)"
	}
	if errors.Is(err, ErrPrimaryUnavailable) {
		// The primary may come back as a new process that has forgotten
		// this connection's session: apply the delegated Init again.
		if !c.inInit && len(c.pending) == 0 {
			c.pending = append(c.pending, c.delegated...)
		}
	}
	switch {
	case c.state != repRemoteTx:
	case s.kind == repRollback:
		c.state = repIdle
		if errors.Is(err, ErrPrimaryUnavailable) {
			c.resetLibsqlState()
		}
	default:
		c.refreshTxState()
	}
	return err
}

// resetLibsqlState brings libsql's transaction state back to "none" when
// the transaction is given up while the primary cannot be reached (the
// primary rolls it back when it times out or restarts). Compiling BEGIN
// inside a transaction makes libsql reset its state, locally.
func (c *ReplicaConn) resetLibsqlState() {
	if st, _, ok := c.ls.prepare("BEGIN"); ok {
		st.free()
	}
}

// refreshTxState asks libsql whether the connection is still inside a
// transaction on the primary, which may have rolled it back (an error, a
// timeout). Compiling COMMIT outside a transaction fails at once without
// touching the primary; inside one, libsql only describes it remotely.
func (c *ReplicaConn) refreshTxState() {
	st, msg, ok := c.ls.prepare("COMMIT")
	if ok {
		st.free()
		return
	}
	if strings.Contains(msg, "invalid state") {
		c.state = repIdle
	}
}

// bindLibsql binds vals (vals[i] to parameter i+1) to st with the
// conversions of Conn.
func (c *ReplicaConn) bindLibsql(st lsStmt, vals []driver.Value) error {
	for j, v := range vals {
		i := j + 1
		var (
			msg string
			ok  bool
		)
		switch v := v.(type) {
		case nil:
			msg, ok = st.bindNull(i)
		case int64:
			msg, ok = st.bindInt(i, v)
		case float64:
			msg, ok = st.bindFloat(i, v)
		case bool:
			var n int64
			if v {
				n = 1
			}
			msg, ok = st.bindInt(i, n)
		case string:
			if err := checkLibsqlText(v, i); err != nil {
				return err
			}
			msg, ok = st.bindString(i, v)
		case []byte:
			if v == nil {
				msg, ok = st.bindNull(i)
				break
			}
			if len(v) > math.MaxInt32 {
				return driverError(CodeTooBig, "[]byte argument for parameter %d is too long (%d bytes)", i, len(v))
			}
			msg, ok = st.bindBlob(i, v)
		case time.Time:
			msg, ok = st.bindString(i, sqlvalue.FormatTime(v))
		default:
			return driverError(CodeMismatch, "unsupported argument type %T for parameter %d", v, i)
		}
		if !ok {
			return convertLibsqlError("exec", c.rc.scrub(msg))
		}
	}
	return nil
}

func checkLibsqlText(v string, i int) error {
	if len(v) > math.MaxInt32 {
		return driverError(CodeTooBig, "string argument for parameter %d is too long (%d bytes)", i, len(v))
	}
	if strings.IndexByte(v, 0) >= 0 {
		return driverError(CodeMismatch, "string argument for parameter %d holds a NUL byte, which libsql's replica API cannot pass (use []byte)", i)
	}
	if !utf8.ValidString(v) {
		return driverError(CodeMismatch, "string argument for parameter %d is not valid UTF-8, which libsql's replica API cannot pass (use []byte)", i)
	}
	return nil
}

// Begin implements driver.Conn; use BeginTx.
func (c *ReplicaConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx implements driver.ConnBeginTx. Isolation levels map as in
// Conn.BeginTx (txopt.BeginStatement), run on the primary; a context from
// txopt.WithoutForeignKeys switches foreign keys off (on the primary)
// before BEGIN and on again after the transaction. A read-only transaction
// is a snapshot of the local file (BEGIN on the private sqlite3
// connection, no txopt statements); writes in it fail.
func (c *ReplicaConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	begin, err := txopt.BeginStatement(sql.IsolationLevel(opts.Isolation))
	if err != nil {
		return nil, fmt.Errorf("native: %w", err)
	}
	if c.state != repIdle {
		return nil, &Error{Code: CodeError, ExtendedCode: CodeError, Msg: "cannot start a transaction within a transaction"}
	}
	if opts.ReadOnly {
		if _, err := c.local.ExecContext(ctx, "BEGIN", nil); err != nil {
			return nil, err
		}
		c.state = repLocalTx
		return &ReplicaTx{c: c}, nil
	}
	before, after := txopt.Statements(ctx)
	for _, q := range before {
		if _, err := c.exec(ctx, q, nil); err != nil {
			return nil, err
		}
	}
	if _, err := c.exec(ctx, begin, nil); err != nil {
		t := ReplicaTx{c: c, after: after}
		t.restore()
		return nil, err
	}
	return &ReplicaTx{c: c, after: after}, nil
}

// ReplicaTx is a transaction of a ReplicaConn (driver.Tx).
type ReplicaTx struct {
	c     *ReplicaConn
	done  bool
	after []string // run when the transaction ends (txopt)
}

// restore runs the statements the context of BeginTx asked for after the
// transaction (see txopt).
func (t *ReplicaTx) restore() error {
	var errs []error
	for _, q := range t.after {
		_, err := t.c.exec(context.Background(), q, nil)
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Commit runs COMMIT. If COMMIT fails and the transaction is still open it
// is rolled back, and the COMMIT error is returned.
func (t *ReplicaTx) Commit() error {
	if t.done {
		return errTxDone
	}
	t.done = true
	c := t.c
	if c.closed {
		return driver.ErrBadConn
	}
	var err error
	if c.state == repIdle {
		// The primary ended it (an error, sqld's transaction timeout).
		err = &Error{Code: CodeError, ExtendedCode: CodeError, Msg: "cannot commit - no transaction is active"}
	} else {
		_, err = c.exec(context.Background(), "COMMIT", nil)
	}
	if err != nil && c.state != repIdle {
		c.exec(context.Background(), "ROLLBACK", nil)
		c.state = repIdle
	}
	if rerr := t.restore(); err == nil {
		err = rerr
	}
	return err
}

// Rollback runs ROLLBACK. A transaction the primary already rolled back
// (an error, sqld's transaction timeout) rolls back without error.
func (t *ReplicaTx) Rollback() error {
	if t.done {
		return errTxDone
	}
	t.done = true
	c := t.c
	if c.closed {
		return driver.ErrBadConn
	}
	var err error
	if c.state != repIdle {
		_, err = c.exec(context.Background(), "ROLLBACK", nil)
		if err != nil && strings.Contains(err.Error(), "no transaction is active") {
			err = nil
		}
		c.state = repIdle
	}
	if rerr := t.restore(); err == nil {
		err = rerr
	}
	return err
}

// PrepareContext implements driver.ConnPrepareContext. Nothing is compiled
// ahead: each execution runs the query like ExecContext/QueryContext.
func (c *ReplicaConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	it, err := c.newIter(query)
	if err != nil {
		return nil, err
	}
	defer it.close()
	n := -1
	if s, last, err := it.next(); err != nil {
		return nil, err
	} else if s != nil && last {
		n = s.nparams
	}
	return &ReplicaStmt{c: c, query: query, numInput: n}, nil
}

// Prepare implements driver.Conn.
func (c *ReplicaConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// ReplicaStmt is a prepared statement of a ReplicaConn.
type ReplicaStmt struct {
	c        *ReplicaConn
	query    string
	numInput int
	closed   bool
}

// NumInput returns the number of parameters, or -1 when the query holds
// several statements.
func (s *ReplicaStmt) NumInput() int { return s.numInput }

// Close implements driver.Stmt.
func (s *ReplicaStmt) Close() error {
	s.closed = true
	return nil
}

// ExecContext implements driver.StmtExecContext.
func (s *ReplicaStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if s.closed {
		return nil, errStmtClosed
	}
	return s.c.ExecContext(ctx, s.query, args)
}

// QueryContext implements driver.StmtQueryContext.
func (s *ReplicaStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if s.closed {
		return nil, errStmtClosed
	}
	return s.c.QueryContext(ctx, s.query, args)
}

// Exec implements driver.Stmt; use ExecContext.
func (s *ReplicaStmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), sqlvalue.NamedValues(args))
}

// Query implements driver.Stmt; use QueryContext.
func (s *ReplicaStmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), sqlvalue.NamedValues(args))
}

// Close closes the connection; a transaction still open on the primary is
// rolled back first (best effort).
func (c *ReplicaConn) Close() error {
	if c.closed {
		return nil
	}
	if c.state == repRemoteTx {
		c.exec(context.Background(), "ROLLBACK", nil)
	}
	for r := range c.rows {
		r.Close()
	}
	c.closed = true
	err := c.local.Close()
	if c.ls.p != nil {
		c.ls.disconnect()
	}
	return err
}

// ResetSession implements driver.SessionResetter: a transaction that
// database/sql does not know of (an explicit BEGIN run with Exec) is rolled
// back; if that fails the connection is reported bad.
func (c *ReplicaConn) ResetSession(ctx context.Context) error {
	if c.closed {
		return driver.ErrBadConn
	}
	if c.state != repIdle {
		if _, err := c.exec(context.Background(), "ROLLBACK", nil); err != nil {
			return driver.ErrBadConn
		}
		c.state = repIdle
	}
	return nil
}

// IsValid implements driver.Validator.
func (c *ReplicaConn) IsValid() bool { return !c.closed }

// Ping implements driver.Pinger. It does not contact the primary: a
// replica answers local reads while the primary is down.
func (c *ReplicaConn) Ping(ctx context.Context) error { return c.ready(ctx) }

// LastInsertRowID returns the rowid of the most recent successful INSERT
// of the connection (run on the primary).
func (c *ReplicaConn) LastInsertRowID() int64 {
	if c.closed || c.ls.p == nil {
		return 0
	}
	return c.ls.lastRowID()
}

// Changes returns the rows changed by the most recent INSERT, UPDATE or
// DELETE of the connection.
func (c *ReplicaConn) Changes() int64 { return c.changes }

// TotalChanges returns the rows changed by the connection's INSERT, UPDATE
// and DELETE statements since it was opened (counted by the driver, on the
// results the primary reports; triggers' changes are not included).
func (c *ReplicaConn) TotalChanges() int64 { return c.total }

// Autocommit reports whether the connection is outside any transaction.
// It is tracked from the transaction statements the connection ran and,
// after errors inside a transaction, asked from libsql.
func (c *ReplicaConn) Autocommit() bool { return c.closed || c.state == repIdle }

// ReplicaRows are the rows of a statement run by libsql (driver.Rows),
// converted as in Rows: the declared types come from the local schema.
type ReplicaRows struct {
	c   *ReplicaConn
	lr  lsRows
	buf repCols
	ctx context.Context
	resultCols
	pending bool
	done    bool
	closed  bool
}

// newRows wraps lr and reads its first row. On error lr is freed.
func (c *ReplicaConn) newRows(ctx context.Context, s *repStmt, lr lsRows) (*ReplicaRows, error) {
	n := lr.columnCount()
	r := &ReplicaRows{c: c, lr: lr, ctx: ctx, buf: newRepCols(n)}
	r.names = make([]string, n)
	for i := range n {
		name, msg, ok := lr.columnName(i)
		if !ok {
			r.free()
			return nil, convertLibsqlError("exec", c.rc.scrub(msg))
		}
		r.names[i] = name
	}
	r.decls = make([]string, n)
	r.kinds = make([]sqlvalue.Kind, n)
	if s.parsed {
		// libsql re-serializes statements it sends to the primary, which
		// changes expression column names ("count (*)"): take names and
		// declared types from the statement as written.
		if cols, ok := c.columnMeta(s.text); ok && len(cols.names) == n {
			r.resultCols = cols
		}
	}
	c.rows[r] = struct{}{}
	has, err := r.fetch()
	if err != nil {
		r.Close()
		return nil, err
	}
	r.pending = has
	r.done = !has
	return r, nil
}

// columnMeta compiles text on the local connection for its result columns.
func (c *ReplicaConn) columnMeta(text string) (resultCols, bool) {
	cq := cString(text)
	defer cFree(unsafe.Pointer(cq))
	ps, rc := c.local.d.parsePrepare(cq, 0, len(text))
	if rc != rcOK || ps.ptr == nil {
		return resultCols{}, false
	}
	defer stmtFinalize(ps.ptr)
	return readResultCols(ps.ptr), true
}

func (r *ReplicaRows) fetch() (bool, error) {
	has, msg, ok := r.buf.next(r.lr)
	if !ok {
		return false, convertLibsqlError("exec", r.c.rc.scrub(msg))
	}
	return has, nil
}

func (r *ReplicaRows) free() {
	r.buf.free()
	r.lr.free()
	r.lr = lsRows{}
}

// Columns returns the column names.
func (r *ReplicaRows) Columns() []string { return slices.Clone(r.names) }

// Close frees the rows; it never fails.
func (r *ReplicaRows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	r.free()
	delete(r.c.rows, r)
	return nil
}

// Next implements driver.Rows. The context is checked between rows.
func (r *ReplicaRows) Next(dest []driver.Value) error {
	if r.closed {
		return io.EOF
	}
	if r.pending {
		r.pending = false
	} else {
		if r.done {
			return io.EOF
		}
		if err := r.ctx.Err(); err != nil {
			r.done = true
			return err
		}
		has, err := r.fetch()
		if err != nil {
			r.done = true
			return err
		}
		if !has {
			r.done = true
			return io.EOF
		}
	}
	loc := r.c.loc
	n := min(len(dest), len(r.kinds))
	for i := range n {
		kind, iv, fv, p, size := r.buf.col(i)
		switch kind {
		case repInt:
			dest[i] = sqlvalue.FromInteger(iv, r.kinds[i], loc)
		case repFloat:
			dest[i] = fv
		case repText:
			dest[i] = textValue(p, size, r.kinds[i], loc)
		case repBlob:
			dest[i] = blobValue(p, size)
		case repTextNUL:
			return driverError(CodeMismatch, "column %d (%s): TEXT holding a NUL byte cannot be read through libsql's replica API", i, r.names[i])
		default:
			dest[i] = nil
		}
	}
	for i := n; i < len(dest); i++ {
		dest[i] = nil
	}
	return nil
}

// ColumnTypeDatabaseTypeName returns the upper-cased declared type of column
// i in the local schema ("" for expressions, or when unknown).
func (r *ReplicaRows) ColumnTypeDatabaseTypeName(i int) string { return r.decls[i] }

// ColumnTypeScanType returns the scan type of column i, as Rows does.
func (r *ReplicaRows) ColumnTypeScanType(i int) reflect.Type { return sqlvalue.ScanType(r.decls[i]) }

// ColumnTypeNullable reports ok false: rows from libsql carry no column
// origin.
func (r *ReplicaRows) ColumnTypeNullable(i int) (nullable, ok bool) { return false, false }

// Error texts of libsql (go-libsql's C API), after its "Error ...: " prefix.
var (
	reRemoteSQLite = regexp.MustCompile("(?s)^Remote SQlite failure: `(-?\\d+):(-?\\d+):(.*)`$")
	reLocalSQLite  = regexp.MustCompile("(?s)^SQLite failure: `(.*)`$")
	reDelegation   = regexp.MustCompile(`(?s)status: (\w+), message: "(.*?)", details:`)
)

// trimLibsql removes the "Error executing statement: " style prefix of a
// libsql message.
func trimLibsql(msg string) string {
	for _, p := range []string{"Error executing statement: ", "Error preparing statement: ", "Error fetching next row: ",
		"Error fetching value: ", "Error syncing database: ", "Unable to connect: "} {
		if strings.HasPrefix(msg, p) {
			return msg[len(p):]
		}
	}
	return msg
}

// convertLibsqlError turns a libsql error message into an *Error (SQLite
// errors, local or from the primary) or a *ReplicaError. The caller has
// scrubbed msg.
func convertLibsqlError(op, msg string) error {
	m := trimLibsql(msg)
	if sm := reRemoteSQLite.FindStringSubmatch(m); sm != nil {
		ext, _ := strconv.Atoi(sm[2])
		text := sm[3]
		if ext == 0 {
			ext = codeOfMessage(text)
		}
		return &Error{Code: ext & 0xff, ExtendedCode: ext, Msg: text}
	}
	if sm := reLocalSQLite.FindStringSubmatch(m); sm != nil {
		ext := codeOfMessage(sm[1])
		return &Error{Code: ext & 0xff, ExtendedCode: ext, Msg: sm[1]}
	}
	switch {
	case strings.HasPrefix(m, "Write delegation"), strings.Contains(m, "sync error"), strings.Contains(m, "replication error"):
		status, text := "", m
		if sm := reDelegation.FindStringSubmatch(m); sm != nil {
			status, text = sm[1], sm[2]
		}
		switch status {
		case "PermissionDenied", "Unauthenticated":
			return &ReplicaError{Op: op, Msg: "the primary refused: " + text}
		case "", "Unavailable", "DeadlineExceeded", "Unknown", "Cancelled", "Aborted", "Internal":
			if status != "" || isNetworkText(text) {
				return &ReplicaError{Op: op, Unavailable: true, Msg: "the primary is unreachable: " + text}
			}
		}
		return &ReplicaError{Op: op, Msg: "primary: " + text}
	case strings.Contains(m, "invalid state"):
		return &Error{Code: CodeError, ExtendedCode: CodeError, Msg: "transaction statement out of place (libsql: " + m + ")"}
	case strings.Contains(m, "unsupported statement"):
		return &Error{Code: CodeError, ExtendedCode: CodeError,
			Msg: "unsupported statement: libsql's embedded replicas cannot run it (e.g. VACUUM, ATTACH, CREATE TEMP TABLE, most PRAGMAs with an argument)"}
	case strings.Contains(m, "syntax error"):
		return &Error{Code: CodeError, ExtendedCode: CodeError, Msg: m}
	case strings.Contains(m, "Invalid write in a readonly transaction"):
		return &Error{Code: CodeReadOnly, ExtendedCode: CodeReadOnly, Msg: m}
	}
	return &ReplicaError{Op: op, Msg: m}
}

// primaryMessageLimit is sqld's default limit on one replication-protocol
// message (gRPC); a statement whose arguments come near it is refused, often
// by the server dropping the connection.
const primaryMessageLimit = 4 << 20

// sizeHint adds to an error of a statement sent to the primary that its
// arguments may be over the primary's message size limit.
func sizeHint(err error, vals []driver.Value) error {
	n := 0
	for _, v := range vals {
		switch v := v.(type) {
		case []byte:
			n += len(v)
		case string:
			n += len(v)
		}
	}
	var re *ReplicaError
	if n < primaryMessageLimit/2 || !errors.As(err, &re) {
		return err
	}
	re.Msg += fmt.Sprintf(" (the statement's arguments hold %.1f MiB: a primary refuses requests over its message size limit, %d MiB by default for sqld)", float64(n)/(1<<20), primaryMessageLimit>>20)
	return err
}

// notSent reports whether a network error text of libsql says that the
// connection could not be made, so that no request reached the primary.
func notSent(s string) bool {
	for _, w := range []string{"error trying to connect", "tcp connect error", "Connection refused", "dns error"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func isNetworkText(s string) bool {
	for _, w := range []string{"connect", "Connection refused", "timed out", "Timeout", "broken pipe", "reset by peer", "dns error"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// isConstraintMessage reports whether msg is SQLite's "<KIND> constraint
// failed" message itself, not another message that quotes one.
func isConstraintMessage(msg string) bool {
	i := strings.Index(msg, " constraint failed")
	return i > 0 && !strings.ContainsAny(msg[:i], ":'\"")
}

// codeOfMessage guesses the extended result code of an SQLite message that
// came without one.
func codeOfMessage(msg string) int {
	switch {
	case strings.HasPrefix(msg, "UNIQUE constraint failed"):
		return ExtConstraintUnique
	case strings.HasPrefix(msg, "NOT NULL constraint failed"):
		return ExtConstraintNotNull
	case strings.HasPrefix(msg, "FOREIGN KEY constraint failed"):
		return ExtConstraintForeignKey
	case strings.HasPrefix(msg, "CHECK constraint failed"):
		return ExtConstraintCheck
	case isConstraintMessage(msg):
		return CodeConstraint
	case strings.Contains(msg, "database is locked"):
		return CodeBusy
	case strings.Contains(msg, "readonly database"):
		return CodeReadOnly
	case strings.Contains(msg, "not a database"):
		return CodeNotADB
	case strings.Contains(msg, "interrupted"):
		return CodeInterrupt
	}
	return CodeError
}

var (
	_ driver.Conn                           = (*ReplicaConn)(nil)
	_ driver.ConnBeginTx                    = (*ReplicaConn)(nil)
	_ driver.ConnPrepareContext             = (*ReplicaConn)(nil)
	_ driver.ExecerContext                  = (*ReplicaConn)(nil)
	_ driver.QueryerContext                 = (*ReplicaConn)(nil)
	_ driver.NamedValueChecker              = (*ReplicaConn)(nil)
	_ driver.SessionResetter                = (*ReplicaConn)(nil)
	_ driver.Validator                      = (*ReplicaConn)(nil)
	_ driver.Pinger                         = (*ReplicaConn)(nil)
	_ driver.StmtExecContext                = (*ReplicaStmt)(nil)
	_ driver.StmtQueryContext               = (*ReplicaStmt)(nil)
	_ driver.RowsColumnTypeDatabaseTypeName = (*ReplicaRows)(nil)
	_ driver.RowsColumnTypeScanType         = (*ReplicaRows)(nil)
	_ driver.RowsColumnTypeNullable         = (*ReplicaRows)(nil)
	_ driver.Tx                             = (*ReplicaTx)(nil)
)
