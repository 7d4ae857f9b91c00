// Package txopt carries per-transaction options from the dialect to the
// drivers through the context given to BeginTx.
package txopt

import "context"

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
