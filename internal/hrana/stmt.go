package hrana

import (
	"context"
	"database/sql/driver"

	"github.com/gorm-libsql/libsql/internal/sqlvalue"
)

// Stmt is a prepared statement (driver.Stmt with the context variants). The
// server offers nothing worth preparing ahead over HTTP, so it only keeps
// the text; each execution runs it like Conn.ExecContext/QueryContext.
type Stmt struct {
	c      *Conn
	query  string
	closed bool
}

var errStmtClosed = &Error{Code: "SQLITE_MISUSE", Message: "statement is closed"}

// NumInput returns -1: the arguments are checked when the statement runs.
func (s *Stmt) NumInput() int { return -1 }

// Close implements driver.Stmt.
func (s *Stmt) Close() error {
	s.closed = true
	return nil
}

// ExecContext implements driver.StmtExecContext.
func (s *Stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if s.closed {
		return nil, errStmtClosed
	}
	return s.c.ExecContext(ctx, s.query, args)
}

// QueryContext implements driver.StmtQueryContext.
func (s *Stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if s.closed {
		return nil, errStmtClosed
	}
	return s.c.QueryContext(ctx, s.query, args)
}

// Exec implements driver.Stmt; use ExecContext.
func (s *Stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), sqlvalue.NamedValues(args))
}

// Query implements driver.Stmt; use QueryContext.
func (s *Stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), sqlvalue.NamedValues(args))
}
