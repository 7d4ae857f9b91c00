package hrana

import (
	"database/sql/driver"
	"fmt"
	"strings"
)

// binder distributes the arguments of one Exec or Query call over the
// statements it runs, with the local driver's rules: positional arguments
// are consumed in order, across statements, each statement taking as many
// as it has parameters that no named argument fills; named arguments bind
// to :name, @name and $name in every statement that has them. Values are
// sent to the server by position (Hrana's "args"), so every kind of
// parameter, ?NNN included, works the same way, and named and positional
// arguments can be mixed (sqld refuses both in one statement).
type binder struct {
	args     []driver.NamedValue
	next     int    // next argument to consider for a positional slot
	hasNamed bool   // some argument has a Name
	used     []bool // per argument, when hasNamed
}

func newBinder(args []driver.NamedValue) binder {
	b := binder{args: args}
	for i := range args {
		if args[i].Name != "" {
			b.hasNamed = true
			b.used = make([]bool, len(args))
			break
		}
	}
	return b
}

func rangeError(format string, args ...any) *Error {
	return &Error{Code: "SQLITE_RANGE", Message: fmt.Sprintf(format, args...)}
}

// bind returns the values of parameters 1..st.nparams.
func (b *binder) bind(st *statement) ([]driver.Value, error) {
	n := st.nparams
	if n == 0 {
		return nil, nil
	}
	vals := make([]driver.Value, n)
	if !b.hasNamed {
		if len(b.args)-b.next < n {
			return nil, rangeError("not enough arguments: statement has %d parameters, %d arguments left", n, len(b.args)-b.next)
		}
		for i := range vals {
			vals[i] = b.args[b.next].Value
			b.next++
		}
		return vals, nil
	}
	bound := make([]bool, n)
	for j := range b.args {
		name := b.args[j].Name
		if name == "" {
			continue
		}
		for _, prefix := range [...]string{":", "@", "$"} {
			idx, ok := st.names[prefix+name]
			if !ok || idx < 1 || idx > n || bound[idx-1] {
				continue
			}
			vals[idx-1] = b.args[j].Value
			bound[idx-1] = true
			b.used[j] = true
		}
	}
	for idx := range vals {
		if bound[idx] {
			continue
		}
		for b.next < len(b.args) && b.args[b.next].Name != "" {
			b.next++
		}
		if b.next >= len(b.args) {
			return nil, rangeError("not enough arguments: no argument for parameter %d", idx+1)
		}
		vals[idx] = b.args[b.next].Value
		b.used[b.next] = true
		b.next++
	}
	return vals, nil
}

// finish reports arguments that no statement used.
func (b *binder) finish() error {
	if !b.hasNamed {
		if left := len(b.args) - b.next; left > 0 {
			return rangeError("%d argument(s) left over: the statement(s) have %d parameters, got %d arguments", left, b.next, len(b.args))
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
		return rangeError("arguments not used by any parameter: %s", strings.Join(unused, ", "))
	}
	return nil
}

// prepareStmts splits query and binds args to its statements; the last one
// asks for rows when wantRows.
//
// sqld binds the arguments of a statement either all by position ("args",
// which it also uses for ?NNN) or all by name ("named_args", looked up with
// the prefix the SQL text uses), and refuses both at once. So a statement
// with only ? and ?NNN parameters gets "args", one with only :name, @name
// and $name parameters "named_args", and one with both is sent with every
// parameter rewritten as ?NNN (same indexes, so the same binding).
func prepareStmts(query string, args []driver.NamedValue, wantRows bool) ([]statement, []hstmt, error) {
	sts := splitSQL(query)
	b := newBinder(args)
	out := make([]hstmt, len(sts))
	for i := range sts {
		st := &sts[i]
		vals, err := b.bind(st)
		if err != nil {
			return nil, nil, err
		}
		h := hstmt{sql: st.sql}
		switch {
		case len(st.names) == 0:
			h.args = vals
		case !st.anon:
			h.named = make([]namedValue, len(st.names))
			for name, idx := range st.names {
				h.named[idx-1] = namedValue{name: name, value: vals[idx-1]}
			}
		default:
			h.sql = st.positional()
			h.args = vals
		}
		out[i] = h
	}
	if err := b.finish(); err != nil {
		return nil, nil, err
	}
	if wantRows && len(out) > 0 {
		out[len(out)-1].wantRows = true
	}
	return sts, out, nil
}
