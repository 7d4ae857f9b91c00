package hrana

import (
	"database/sql/driver"
	"fmt"

	"github.com/gorm-libsql/libsql/internal/sqlvalue"
)

// rangeError is the *Error for arguments that do not fit the parameters.
func rangeError(format string, args ...any) error {
	return &Error{Code: "SQLITE_RANGE", Message: fmt.Sprintf(format, args...)}
}

// prepareStmts splits query and binds args to its statements; the last one
// asks for rows when wantRows.
//
// Arguments bind with the local driver's rules (sqlvalue.Binder): positional
// arguments are consumed in order, across statements, each statement taking
// as many as it has parameters that no named argument fills; named
// arguments bind to :name, @name and $name in every statement that has
// them. The values are worked out per parameter index, so every kind of
// parameter, ?NNN included, binds the same way, and named and positional
// arguments can be mixed, which sqld does not allow in one statement:
//
// sqld binds the arguments of a statement either all by position ("args",
// which it also uses for ?NNN) or all by name ("named_args", looked up with
// the prefix the SQL text uses), and refuses both at once. So a statement
// with only ? and ?NNN parameters gets "args", one with only :name, @name
// and $name parameters "named_args", and one with both is sent with every
// parameter rewritten as ?NNN (same indexes, so the same binding).
func prepareStmts(query string, args []driver.NamedValue, wantRows bool) ([]statement, []hstmt, error) {
	sts := splitSQL(query)
	b := sqlvalue.NewBinder(args, rangeError)
	out := make([]hstmt, len(sts))
	for i := range sts {
		st := &sts[i]
		vals, err := b.Values(st.nparams, func(prefix, name string) int { return st.names[prefix+name] })
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
	if err := b.Finish(); err != nil {
		return nil, nil, err
	}
	if wantRows && len(out) > 0 {
		out[len(out)-1].wantRows = true
	}
	return sts, out, nil
}
