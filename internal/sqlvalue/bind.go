package sqlvalue

import (
	"database/sql/driver"
	"fmt"
	"strings"
)

// Binder distributes the arguments of one Exec or Query call over the
// statements it runs, with the rules both drivers share: positional
// arguments are consumed in order, across statements, each statement
// taking as many as it has parameters that no named argument fills; named
// arguments (sql.Named) bind to :name, @name and $name in every statement
// that has them; an argument that no statement used is an error (Finish).
type Binder struct {
	args     []driver.NamedValue
	next     int    // next argument to consider for a positional slot
	hasNamed bool   // some argument has a Name
	used     []bool // per argument, when hasNamed

	rangeError func(format string, args ...any) error
}

// NewBinder returns a Binder for args. rangeError builds the driver's error
// for arguments that do not fit the parameters (SQLite's SQLITE_RANGE).
func NewBinder(args []driver.NamedValue, rangeError func(format string, args ...any) error) Binder {
	b := Binder{args: args, rangeError: rangeError}
	for i := range args {
		if args[i].Name != "" {
			b.hasNamed = true
			b.used = make([]bool, len(args))
			break
		}
	}
	return b
}

// Bind binds arguments to the n parameters of one statement, calling
// set(i, v) for each parameter i from 1 to n. index returns the index of
// the parameter named prefix+name (prefix is ":", "@" or "$"), or 0 when
// the statement has no such parameter. An error from set is returned as it
// is.
func (b *Binder) Bind(n int, index func(prefix, name string) int, set func(i int, v driver.Value) error) error {
	if n == 0 {
		return nil
	}
	if !b.hasNamed {
		if len(b.args)-b.next < n {
			return b.rangeError("not enough arguments: statement has %d parameters, %d arguments left", n, len(b.args)-b.next)
		}
		for i := 1; i <= n; i++ {
			if err := set(i, b.args[b.next].Value); err != nil {
				return err
			}
			b.next++
		}
		return nil
	}
	bound := make([]bool, n+1) // per parameter index
	for j := range b.args {
		name := b.args[j].Name
		if name == "" {
			continue
		}
		for _, prefix := range [...]string{":", "@", "$"} {
			idx := index(prefix, name)
			if idx <= 0 || idx > n || bound[idx] {
				continue
			}
			if err := set(idx, b.args[j].Value); err != nil {
				return err
			}
			bound[idx] = true
			b.used[j] = true
		}
	}
	for idx := 1; idx <= n; idx++ {
		if bound[idx] {
			continue
		}
		for b.next < len(b.args) && b.args[b.next].Name != "" {
			b.next++
		}
		if b.next >= len(b.args) {
			return b.rangeError("not enough arguments: no argument for parameter %d", idx)
		}
		if err := set(idx, b.args[b.next].Value); err != nil {
			return err
		}
		b.used[b.next] = true
		b.next++
	}
	return nil
}

// Values binds arguments to the n parameters of one statement as Bind
// does and returns them by position: vals[i] is the value of parameter
// i+1. It returns nil when n is 0.
func (b *Binder) Values(n int, index func(prefix, name string) int) ([]driver.Value, error) {
	if n == 0 {
		return nil, nil
	}
	vals := make([]driver.Value, n)
	err := b.Bind(n, index, func(i int, v driver.Value) error {
		vals[i-1] = v
		return nil
	})
	if err != nil {
		return nil, err
	}
	return vals, nil
}

// Finish reports the arguments that no statement used.
func (b *Binder) Finish() error {
	if !b.hasNamed {
		if left := len(b.args) - b.next; left > 0 {
			return b.rangeError("%d argument(s) left over: the statement(s) have %d parameters, got %d arguments", left, b.next, len(b.args))
		}
		return nil
	}
	var unused []string
	for i, u := range b.used {
		if !u {
			if b.args[i].Name != "" {
				unused = append(unused, fmt.Sprintf("%q", b.args[i].Name))
			} else {
				unused = append(unused, fmt.Sprintf("#%d", b.args[i].Ordinal))
			}
		}
	}
	if len(unused) > 0 {
		return b.rangeError("arguments not used by any parameter: %s", strings.Join(unused, ", "))
	}
	return nil
}

// NamedValues turns the arguments of the deprecated driver.Stmt Exec and
// Query into the NamedValues of their context variants.
func NamedValues(args []driver.Value) []driver.NamedValue {
	nv := make([]driver.NamedValue, len(args))
	for i, v := range args {
		nv[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return nv
}

// Result is the driver.Result of an Exec: the rowid the driver reports as
// the last inserted one, and the rows the statement(s) inserted, updated or
// deleted (summed over the statements of a multi-statement Exec).
type Result struct{ ID, Rows int64 }

// LastInsertId returns r.ID.
func (r Result) LastInsertId() (int64, error) { return r.ID, nil }

// RowsAffected returns r.Rows.
func (r Result) RowsAffected() (int64, error) { return r.Rows, nil }
