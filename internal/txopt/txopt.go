// Package txopt carries per-transaction options from the dialect to the
// drivers through the context given to BeginTx, and maps database/sql's
// isolation levels to the BEGIN statement the drivers run.
package txopt

import (
	"context"
	"database/sql"
	"fmt"
)

type foreignKeysOffKey struct{}

// WithoutForeignKeys returns a context that makes a transaction begun with
// it run with foreign key enforcement off: the drivers switch it off on the
// transaction's connection before BEGIN (it cannot change inside a
// transaction) and back on after it ends.
func WithoutForeignKeys(ctx context.Context) context.Context {
	return context.WithValue(ctx, foreignKeysOffKey{}, true)
}

// ForeignKeysOff reports whether ctx asks for foreign keys off.
func ForeignKeysOff(ctx context.Context) bool {
	off, _ := ctx.Value(foreignKeysOffKey{}).(bool)
	return off
}

// Statements before BEGIN and after the end of a transaction begun with ctx.
func Statements(ctx context.Context) (before, after []string) {
	if ForeignKeysOff(ctx) {
		return []string{"PRAGMA foreign_keys = OFF"}, []string{"PRAGMA foreign_keys = ON"}
	}
	return nil, nil
}

// BeginStatement returns the statement that begins a transaction with the
// isolation level of database/sql's TxOptions, mapped to SQLite's
// transaction kinds:
//
//	sql.LevelDefault, sql.LevelSerializable  BEGIN (DEFERRED)
//	sql.LevelWriteCommitted                  BEGIN IMMEDIATE
//	sql.LevelLinearizable                    BEGIN EXCLUSIVE
//
// Other levels are an error. SQLite transactions are always serializable;
// IMMEDIATE and EXCLUSIVE take the write lock at BEGIN, so a writer waits
// (busy timeout) there rather than failing with SQLITE_BUSY mid-way.
func BeginStatement(level sql.IsolationLevel) (string, error) {
	switch level {
	case sql.LevelDefault, sql.LevelSerializable:
		return "BEGIN", nil
	case sql.LevelWriteCommitted:
		return "BEGIN IMMEDIATE", nil
	case sql.LevelLinearizable:
		return "BEGIN EXCLUSIVE", nil
	}
	return "", fmt.Errorf("isolation level %v is not supported", level)
}
