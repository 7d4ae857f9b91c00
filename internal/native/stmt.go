package native

import (
	"context"
	"database/sql/driver"
	"strings"
	"unsafe"

	"github.com/gorm-libsql/libsql/internal/sqlvalue"
)

// stmtHandle is one compiled sqlite3 statement owned by a Conn. At any time
// it is idle in the Conn's cache, or used by exactly one caller (an Exec, a
// Rows or a Stmt), or finalized (ptr == nil).
type stmtHandle struct {
	ptr       *sqlStmt
	query     string // the SQL text; the cache key when cacheable
	cacheable bool   // may go back to the cache when released
	nparams   int

	// Result metadata, loaded on the first query and reloaded when the
	// engine re-prepared the statement after a schema change.
	meta      bool
	reprepare int
	resultCols
	nullable []int8 // 0 not looked up yet, 1 nullable, 2 NOT NULL, 3 unknown
	buf      colBuf // C array receiving one row

	prev, next *stmtHandle // links in the cache's LRU list while idle
	twin       *stmtHandle // the next older idle statement of the same query
}

// loadMeta (re)reads the column names and declared types.
func (s *stmtHandle) loadMeta(reprepare int) {
	s.resultCols = readResultCols(s.ptr)
	n := len(s.names)
	if len(s.buf.cols) != n {
		s.buf.free()
		s.buf = newColBuf(n)
	}
	s.nullable = make([]int8, n)
	s.reprepare = reprepare
	s.meta = true
}

// resultCols describes the result columns of a statement.
type resultCols struct {
	names []string
	decls []string        // upper-cased declared types, "" for none
	kinds []sqlvalue.Kind // conversion per column, from decls
}

// readResultCols reads the names and declared types of the result columns
// of the compiled statement p.
func readResultCols(p *sqlStmt) resultCols {
	n := stmtColumnCount(p)
	rc := resultCols{names: make([]string, n), decls: make([]string, n), kinds: make([]sqlvalue.Kind, n)}
	for i := range n {
		name, decl := stmtColumnMeta(p, i)
		decl = strings.ToUpper(decl)
		rc.names[i], rc.decls[i], rc.kinds[i] = name, decl, sqlvalue.KindOf(decl)
	}
	return rc
}

// stmtCache keeps idle statements by SQL text, evicting the least recently
// used beyond max. Statements in use are not in the cache, so one is never
// handed out twice. A query may have several idle statements: GORM with
// PrepareStmt runs the same INSERT many times in one transaction, each on a
// statement of its own, and all of them come back at the end.
type stmtCache struct {
	max        int
	n          int                    // idle statements
	idle       map[string]*stmtHandle // per query, the latest; older ones follow twin
	head, tail *stmtHandle            // head is the most recently used
}

// take removes and returns an idle statement for query, or nil.
func (c *stmtCache) take(query string) *stmtHandle {
	s := c.idle[query]
	if s == nil {
		return nil
	}
	if s.twin != nil {
		c.idle[query] = s.twin
	} else {
		delete(c.idle, query)
	}
	s.twin = nil
	c.unlink(s)
	c.n--
	return s
}

// put adds s to the cache. It returns a statement the caller must finalize:
// the evicted least recently used one, or nil.
func (c *stmtCache) put(s *stmtHandle) *stmtHandle {
	if c.idle == nil {
		c.idle = make(map[string]*stmtHandle)
	}
	s.twin = c.idle[s.query]
	c.idle[s.query] = s
	s.prev, s.next = nil, c.head
	if c.head != nil {
		c.head.prev = s
	}
	c.head = s
	if c.tail == nil {
		c.tail = s
	}
	c.n++
	if c.n <= c.max {
		return nil
	}
	old := c.tail
	c.dropTwin(old)
	c.unlink(old)
	c.n--
	return old
}

// dropTwin removes s from the idle statements of its query.
func (c *stmtCache) dropTwin(s *stmtHandle) {
	p := c.idle[s.query]
	if p == s {
		if s.twin != nil {
			c.idle[s.query] = s.twin
		} else {
			delete(c.idle, s.query)
		}
		s.twin = nil
		return
	}
	for ; p != nil; p = p.twin {
		if p.twin == s {
			p.twin, s.twin = s.twin, nil
			return
		}
	}
}

func (c *stmtCache) unlink(s *stmtHandle) {
	if s.prev != nil {
		s.prev.next = s.next
	} else {
		c.head = s.next
	}
	if s.next != nil {
		s.next.prev = s.prev
	} else {
		c.tail = s.prev
	}
	s.prev, s.next = nil, nil
}

// isBlankSQL reports whether s holds no statement: only white space,
// semicolons and comments.
func isBlankSQL(s string) bool {
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == ';':
			i++
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return true
			}
			i += j + 1
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return true // SQLite reads an unterminated comment to the end
			}
			i += j + 4
		default:
			return false
		}
	}
	return true
}

// stmtIter compiles the statements of a multi-statement text one at a time,
// each only after the previous one ran, so that later statements may depend
// on earlier ones (CREATE TABLE t ...; INSERT INTO t ...).
type stmtIter struct {
	c     *Conn
	query string
	cq    *cchar
	off   int
}

func (c *Conn) newStmtIter(query string) *stmtIter {
	return &stmtIter{c: c, query: query, cq: cString(query)}
}

// next returns the next statement, not cached and not yet tracked by the
// Conn, and whether it is the last one; nil at the end. The caller finalizes
// it (or hands it to c.track).
func (it *stmtIter) next() (s *stmtHandle, last bool, err error) {
	for it.off < len(it.query) && !isBlankSQL(it.query[it.off:]) {
		ptr, used, rc := it.c.d.prepare(it.cq, it.off, len(it.query)-it.off, false)
		if rc != rcOK {
			return nil, false, it.c.d.lastError(rc)
		}
		start := it.off
		it.off += used
		if ptr == nil {
			if used == 0 {
				break
			}
			continue
		}
		it.c.prepares++
		s = &stmtHandle{ptr: ptr, query: it.query[start:it.off], nparams: stmtParamCount(ptr)}
		return s, isBlankSQL(it.query[it.off:]), nil
	}
	return nil, false, nil
}

func (it *stmtIter) close() { cFree(unsafe.Pointer(it.cq)) }

// Stmt is a prepared statement (driver.Stmt with the context variants).
//
// It holds one compiled sqlite3 statement, taken from and given back to its
// Conn's statement cache. While rows from a query are open on it, further
// executions use another compiled copy. A query text holding several
// statements is not compiled ahead; each execution runs it like
// Conn.ExecContext/QueryContext.
type Stmt struct {
	c      *Conn
	query  string
	h      *stmtHandle // nil for several statements or none
	busy   bool        // rows are open on h
	closed bool
}

var errStmtClosed = driverError(CodeMisuse, "statement is closed")

// PrepareContext implements driver.ConnPrepareContext. It compiles the first
// statement of query, or takes it from the statement cache.
func (c *Conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	h, _, err := c.acquire(query)
	if err != nil {
		return nil, err
	}
	return &Stmt{c: c, query: query, h: h}, nil
}

// Prepare implements driver.Conn.
func (c *Conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// NumInput returns the number of parameters of the statement, or -1 (no
// check by database/sql) when the query holds several statements.
func (s *Stmt) NumInput() int {
	if s.h == nil {
		return -1
	}
	return s.h.nparams
}

// Close gives the compiled statement back to the connection's cache.
func (s *Stmt) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	if s.h != nil && !s.busy {
		s.c.release(s.h)
	}
	return nil
}

// ExecContext implements driver.StmtExecContext.
func (s *Stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if s.closed {
		return nil, errStmtClosed
	}
	c := s.c
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	stop := c.watch(ctx)
	defer c.unwatch(stop)
	if s.h == nil || s.busy || s.h.ptr == nil {
		return c.exec(ctx, s.query, args)
	}
	b := newBinder(args)
	return c.execHandle(ctx, s.h, &b)
}

// QueryContext implements driver.StmtQueryContext.
func (s *Stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if s.closed {
		return nil, errStmtClosed
	}
	c := s.c
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	stop := c.watch(ctx)
	var (
		rows *Rows
		err  error
	)
	if s.h == nil || s.busy || s.h.ptr == nil {
		rows, err = c.query(ctx, s.query, args)
	} else {
		b := newBinder(args)
		if err = c.bind(&b, s.h); err == nil {
			err = b.Finish()
		}
		if err != nil {
			stmtReset(s.h.ptr)
		} else if rows, err = c.startRows(ctx, s.h, s); err == nil {
			s.busy = true
		}
	}
	if err != nil {
		c.unwatch(stop)
		return nil, err
	}
	rows.stop = stop
	return rows, nil
}

// Exec implements driver.Stmt; use ExecContext.
func (s *Stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), sqlvalue.NamedValues(args))
}

// Query implements driver.Stmt; use QueryContext.
func (s *Stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), sqlvalue.NamedValues(args))
}

// rowsClosed is called by rows that ran on s.h.
func (s *Stmt) rowsClosed() {
	s.busy = false
	if s.closed {
		s.c.release(s.h)
	}
}
