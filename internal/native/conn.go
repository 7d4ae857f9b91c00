package native

import (
	"context"
	"database/sql/driver"
	"math"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/gorm-libsql/libsql/internal/sqlvalue"
)

// Conn is one connection to a libSQL database file.
//
// It implements driver.Conn, driver.ConnBeginTx, driver.ConnPrepareContext,
// driver.ExecerContext, driver.QueryerContext, driver.NamedValueChecker,
// driver.SessionResetter, driver.Validator and driver.Pinger. It leaves out
// the deprecated driver.Execer and driver.Queryer (the context variants
// replace them) and driver.RowsNextResultSet (a query with several
// statements returns the rows of the last one only).
//
// Like every driver.Conn it is not safe for concurrent use, except that a
// context ending on another goroutine interrupts the running statement.
// Use LastInsertRowID, Changes, TotalChanges and Autocommit through
// sql.Conn.Raw.
type Conn struct {
	d     cdb
	loc   *time.Location
	cache stmtCache
	live  map[*stmtHandle]struct{} // every compiled statement not yet finalized, but the stmtIter ones in flight

	scratch  []byte // formatting buffer for time.Time arguments
	prepares int    // statements compiled; read by tests
	openRows int    // Rows not closed yet

	// Cancellation. cancelFn runs on a context.AfterFunc goroutine; mu
	// and cond order it against Close and against unwatch.
	mu       sync.Mutex
	cond     sync.Cond
	closed   bool
	fired    int // cancelFn runs finished
	expected int // cancelFn runs that unwatch knows have been started
	watchers int
	cancelFn func()
}

func newConn(d cdb, opts *Options) *Conn {
	c := &Conn{
		d:    d,
		loc:  opts.Location,
		live: make(map[*stmtHandle]struct{}),
	}
	if c.loc == nil {
		c.loc = time.UTC
	}
	c.cache.max = opts.StmtCacheSize
	switch {
	case c.cache.max == 0:
		c.cache.max = DefaultStmtCacheSize
	case c.cache.max < 0:
		c.cache.max = 0
	}
	c.cond.L = &c.mu
	c.cancelFn = c.interrupt
	return c
}

// ready checks that the connection is open and ctx has not ended.
func (c *Conn) ready(ctx context.Context) error {
	if c.closed {
		return driver.ErrBadConn
	}
	return ctx.Err()
}

// interrupt stops the statements running on the connection; it is the
// context.AfterFunc callback of watch.
func (c *Conn) interrupt() {
	c.mu.Lock()
	if !c.closed {
		c.d.cancel()
	}
	c.fired++
	c.cond.Broadcast()
	c.mu.Unlock()
}

// watch arranges for the end of ctx to interrupt the connection until
// unwatch(stop). It costs nothing for contexts that never end.
func (c *Conn) watch(ctx context.Context) (stop func() bool) {
	if ctx.Done() == nil {
		return nil
	}
	c.watchers++
	return context.AfterFunc(ctx, c.cancelFn)
}

// unwatch undoes watch. If the interrupt has been started it waits for it
// to finish, so that it cannot hit a later statement; once no watch is
// left, the cancel flag is cleared.
func (c *Conn) unwatch(stop func() bool) {
	if stop == nil {
		return
	}
	if !stop() {
		c.mu.Lock()
		c.expected++
		for c.fired < c.expected {
			c.cond.Wait()
		}
		c.mu.Unlock()
	}
	c.watchers--
	if c.watchers == 0 && !c.closed {
		atomic.StoreInt32(c.d.cancelFlag(), 0)
	}
}

// acquire returns a compiled statement for query, from the cache or newly
// compiled. multi is true (and s nil) when query holds more than one
// statement; s is nil and multi false when it holds none.
func (c *Conn) acquire(query string) (s *stmtHandle, multi bool, err error) {
	if s := c.cache.take(query); s != nil {
		return s, false, nil
	}
	if len(query) > math.MaxInt32 {
		return nil, false, driverError(CodeTooBig, "query text too long")
	}
	cq := cString(query)
	defer cFree(unsafe.Pointer(cq))
	ptr, used, rc := c.d.prepare(cq, 0, len(query), c.cache.max > 0)
	if rc != rcOK {
		return nil, false, c.d.lastError(rc)
	}
	if !isBlankSQL(query[used:]) {
		if ptr != nil {
			stmtFinalize(ptr)
		}
		return nil, true, nil
	}
	if ptr == nil {
		return nil, false, nil
	}
	c.prepares++
	s = &stmtHandle{ptr: ptr, query: query, cacheable: c.cache.max > 0, nparams: stmtParamCount(ptr)}
	c.live[s] = struct{}{}
	return s, false, nil
}

// release takes back a statement that is reset: into the cache, or
// finalized.
func (c *Conn) release(s *stmtHandle) {
	if s.ptr == nil {
		return
	}
	if !s.cacheable || c.closed {
		c.finalize(s)
		return
	}
	if old := c.cache.put(s); old != nil {
		c.finalize(old)
	}
}

func (c *Conn) finalize(s *stmtHandle) {
	if s.ptr == nil {
		return
	}
	stmtFinalize(s.ptr)
	s.ptr = nil
	s.buf.free()
	delete(c.live, s)
}

// ExecContext implements driver.ExecerContext.
//
// Every statement of query runs, in order; rows they return are discarded.
// Positional arguments are consumed in order, each statement taking as many
// as it has parameters that no named argument fills; named arguments
// (sql.Named) bind to :name, @name and $name in every statement that has
// them. An argument no statement used is an error. Statements are not run
// in a transaction of their own: when one fails, the earlier ones stay done.
//
// The result's LastInsertId is sqlite3_last_insert_rowid after the
// statement(s); RowsAffected is the rows they inserted, updated or deleted:
// 0 for statements that changed none (DDL, SELECT, ...), and the sum over
// the statements of a multi-statement Exec.
func (c *Conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	stop := c.watch(ctx)
	res, err := c.exec(ctx, query, args)
	c.unwatch(stop)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// exec runs query; the caller has checked and watches ctx.
func (c *Conn) exec(ctx context.Context, query string, args []driver.NamedValue) (sqlvalue.Result, error) {
	s, multi, err := c.acquire(query)
	if err != nil {
		return sqlvalue.Result{}, err
	}
	if multi {
		return c.execMulti(ctx, query, args)
	}
	b := newBinder(args)
	if s == nil {
		return sqlvalue.Result{}, b.Finish()
	}
	res, err := c.execHandle(ctx, s, &b)
	c.release(s)
	return res, err
}

// execHandle binds all arguments to s and runs it to completion, leaving s
// reset.
func (c *Conn) execHandle(ctx context.Context, s *stmtHandle, b *sqlvalue.Binder) (sqlvalue.Result, error) {
	err := c.bind(b, s)
	if err == nil {
		err = b.Finish()
	}
	if err != nil {
		stmtReset(s.ptr)
		return sqlvalue.Result{}, err
	}
	changes, id, rc := c.d.exec(s.ptr)
	if rc != rcDone {
		err := c.stepError(ctx, rc)
		stmtReset(s.ptr)
		return sqlvalue.Result{}, err
	}
	return sqlvalue.Result{ID: id, Rows: changes}, nil
}

func (c *Conn) execMulti(ctx context.Context, query string, args []driver.NamedValue) (sqlvalue.Result, error) {
	it := c.newStmtIter(query)
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
		err = c.bind(&b, s)
		if err == nil {
			changes, id, rc := c.d.exec(s.ptr)
			if rc == rcDone {
				res.Rows += changes
				res.ID = id
			} else {
				err = c.stepError(ctx, rc)
			}
		}
		stmtFinalize(s.ptr)
		if err != nil {
			return sqlvalue.Result{}, err
		}
	}
	if err := b.Finish(); err != nil {
		return sqlvalue.Result{}, err
	}
	return res, nil
}

// QueryContext implements driver.QueryerContext.
//
// When query holds several statements, all but the last run as in
// ExecContext and the rows of the last are returned; arguments are consumed
// as in ExecContext. The first row is read before QueryContext returns, so
// errors from starting the statement (including constraint violations of
// INSERT ... RETURNING) are returned here; later ones come from Rows.Next.
// A statement that returns no rows runs to completion here.
func (c *Conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	stop := c.watch(ctx)
	rows, err := c.query(ctx, query, args)
	if err != nil {
		c.unwatch(stop)
		return nil, err
	}
	rows.stop = stop
	return rows, nil
}

// query starts query; the caller has checked and watches ctx.
func (c *Conn) query(ctx context.Context, query string, args []driver.NamedValue) (*Rows, error) {
	s, multi, err := c.acquire(query)
	if err != nil {
		return nil, err
	}
	b := newBinder(args)
	switch {
	case multi:
		if s, err = c.queryMultiPrefix(ctx, query, &b); err != nil {
			return nil, err
		}
	case s == nil:
		return nil, driverError(CodeMisuse, "query holds no statement")
	default:
		if err := c.bind(&b, s); err != nil {
			stmtReset(s.ptr)
			c.release(s)
			return nil, err
		}
	}
	if err := b.Finish(); err != nil {
		stmtReset(s.ptr)
		c.release(s)
		return nil, err
	}
	return c.startRows(ctx, s, nil)
}

// queryMultiPrefix runs all statements of query but the last and returns the
// last one, bound and tracked by the connection (not cacheable).
func (c *Conn) queryMultiPrefix(ctx context.Context, query string, b *sqlvalue.Binder) (*stmtHandle, error) {
	it := c.newStmtIter(query)
	defer it.close()
	for {
		s, last, err := it.next()
		if err != nil {
			return nil, err
		}
		if s == nil {
			return nil, driverError(CodeMisuse, "query holds no statement")
		}
		err = c.bind(b, s)
		if err == nil && last {
			c.live[s] = struct{}{}
			return s, nil
		}
		if err == nil {
			if _, _, rc := c.d.exec(s.ptr); rc != rcDone {
				err = c.stepError(ctx, rc)
			}
		}
		stmtFinalize(s.ptr)
		if err != nil {
			return nil, err
		}
	}
}

// startRows steps the bound statement s to its first row and returns the
// rows. owner is the Stmt s belongs to, nil when s goes back to the
// connection at Rows.Close. On error s is reset (and released when it has
// no owner).
func (c *Conn) startRows(ctx context.Context, s *stmtHandle, owner *Stmt) (*Rows, error) {
	rc, reprepare := c.d.stepFirst(s.ptr)
	if rc != rcRow && rc != rcDone {
		err := c.stepError(ctx, rc)
		stmtReset(s.ptr)
		if owner == nil {
			c.release(s)
		}
		return nil, err
	}
	if !s.meta || reprepare != s.reprepare {
		s.loadMeta(reprepare)
	}
	r := &Rows{c: c, s: s, owner: owner, ctx: ctx}
	c.openRows++
	if rc == rcRow {
		s.buf.fetch(s.ptr)
		r.pending = true
	} else {
		r.done = true
	}
	return r, nil
}

// Begin implements driver.Conn; use BeginTx.
func (c *Conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// Close finalizes every statement of the connection and closes it
// (sqlite3_close_v2).
func (c *Conn) Close() error {
	if c.closed {
		return nil
	}
	for s := range c.live {
		c.finalize(s)
	}
	c.cache = stmtCache{}
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	if rc := c.d.close(); rc != rcOK {
		return &Error{Code: rc & 0xff, ExtendedCode: rc, Msg: "close: " + errstr(rc)}
	}
	return nil
}

// ResetSession implements driver.SessionResetter. A connection left inside
// a transaction that database/sql does not know of (an explicit BEGIN run
// with Exec) is rolled back; if that fails the connection is reported bad.
func (c *Conn) ResetSession(ctx context.Context) error {
	if c.closed {
		return driver.ErrBadConn
	}
	if !c.d.autocommit() {
		if _, err := c.exec(context.Background(), "ROLLBACK", nil); err != nil {
			return driver.ErrBadConn
		}
	}
	return nil
}

// IsValid implements driver.Validator.
func (c *Conn) IsValid() bool { return !c.closed }

// Ping implements driver.Pinger. It runs no SQL: a local connection that is
// open is alive.
func (c *Conn) Ping(ctx context.Context) error { return c.ready(ctx) }

// LastInsertRowID returns sqlite3_last_insert_rowid: the rowid of the most
// recent successful INSERT on the connection.
func (c *Conn) LastInsertRowID() int64 {
	if c.closed {
		return 0
	}
	return c.d.lastInsertRowID()
}

// Changes returns sqlite3_changes64: the rows changed by the most recent
// INSERT, UPDATE or DELETE on the connection.
func (c *Conn) Changes() int64 {
	if c.closed {
		return 0
	}
	return c.d.changes()
}

// TotalChanges returns sqlite3_total_changes64: the rows changed since the
// connection was opened.
func (c *Conn) TotalChanges() int64 {
	if c.closed {
		return 0
	}
	return c.d.totalChanges()
}

// Autocommit reports whether the connection is outside any transaction
// (sqlite3_get_autocommit). A closed connection reports true.
func (c *Conn) Autocommit() bool {
	if c.closed {
		return true
	}
	return c.d.autocommit()
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
	_ driver.RowsColumnTypeNullable         = (*Rows)(nil)
	_ driver.Tx                             = (*Tx)(nil)
	_ driver.Connector                      = (*Connector)(nil)
	_ driver.DriverContext                  = Driver{}
)
