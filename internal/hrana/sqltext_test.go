package hrana

import (
	"database/sql/driver"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sqls(sts []statement) []string {
	out := make([]string, len(sts))
	for i, st := range sts {
		out[i] = st.sql
	}
	return out
}

func TestSplitSQL(t *testing.T) {
	trigger := "CREATE TRIGGER tr AFTER INSERT ON a BEGIN INSERT INTO b VALUES (new.x); UPDATE c SET n = CASE WHEN 1 THEN 2 END; END;"
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"single", "SELECT 1", []string{"SELECT 1"}},
		{"trailing semicolon", "SELECT 1;", []string{"SELECT 1;"}},
		{"two", "SELECT 1; SELECT 2", []string{"SELECT 1;", " SELECT 2"}},
		{"blank", "  ;; -- c\n /* x */ ", nil},
		{"empty", "", nil},
		{"trailing comment", "SELECT 1; -- done", []string{"SELECT 1;"}},
		{"leading semicolons", ";;SELECT 1", []string{"SELECT 1"}},
		{"semicolon in string", "SELECT 'a;b'; SELECT 'it''s;'", []string{"SELECT 'a;b';", " SELECT 'it''s;'"}},
		{"semicolon in identifiers", `SELECT "a;b", [c;d], ` + "`e;f`" + `; SELECT 2`, []string{`SELECT "a;b", [c;d], ` + "`e;f`" + `;`, " SELECT 2"}},
		{"semicolon in comments", "SELECT 1 -- ;\n, 2 /* ; */; SELECT 3", []string{"SELECT 1 -- ;\n, 2 /* ; */;", " SELECT 3"}},
		{"trigger", trigger + " INSERT INTO a VALUES (1)", []string{trigger, " INSERT INTO a VALUES (1)"}},
		{"temp trigger", "create temp trigger t after delete on a begin delete from b; end; select 1", []string{"create temp trigger t after delete on a begin delete from b; end;", " select 1"}},
		{"trigger lowercase end", "CREATE TRIGGER IF NOT EXISTS t BEFORE UPDATE ON a BEGIN SELECT RAISE(ABORT, 'no;'); end ; SELECT 2", []string{"CREATE TRIGGER IF NOT EXISTS t BEFORE UPDATE ON a BEGIN SELECT RAISE(ABORT, 'no;'); end ;", " SELECT 2"}},
		{"table named trigger", "CREATE TABLE trigger(x); SELECT 1", []string{"CREATE TABLE trigger(x);", " SELECT 1"}},
		{"explain create trigger", "EXPLAIN CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END; SELECT 2", []string{"EXPLAIN CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END;", " SELECT 2"}},
		{"begin end", "BEGIN; INSERT INTO a VALUES(1); END;", []string{"BEGIN;", " INSERT INTO a VALUES(1);", " END;"}},
		{"unterminated string", "SELECT 'abc; SELECT 2", []string{"SELECT 'abc; SELECT 2"}},
		{"unterminated comment", "SELECT 1; /* x; y", []string{"SELECT 1;"}},
		{"blob literal", "SELECT x'00;'; SELECT 2", []string{"SELECT x'00;';", " SELECT 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := splitSQL(tt.in)
			if tt.want == nil {
				assert.Empty(t, got)
				return
			}
			want := make([]string, len(tt.want))
			for i, w := range tt.want {
				want[i] = strings.TrimLeft(w, " ") // leading space is left out
			}
			assert.Equal(t, want, sqls(got))
		})
	}
}

func TestSplitSQLKeyword(t *testing.T) {
	sts := splitSQL("begin immediate; savepoint a; -- c\n insert into t values(1); (select 1); /* x */ Commit")
	var kws []string
	for _, st := range sts {
		kws = append(kws, st.keyword)
	}
	assert.Equal(t, []string{"BEGIN", "SAVEPOINT", "INSERT", "", "COMMIT"}, kws)
	assert.True(t, beginsTx(sts))
	assert.False(t, beginsTx(splitSQL("SELECT 'BEGIN'; INSERT INTO begin VALUES(1)")))
}

func TestParamNumbering(t *testing.T) {
	tests := []struct {
		in    string
		n     int
		names map[string]int
	}{
		{"SELECT 1", 0, nil},
		{"SELECT ?, ?", 2, nil},
		{"SELECT ?3", 3, nil},
		{"SELECT ?2, ?", 3, nil},
		{"SELECT :a, @b, $c, :a", 3, map[string]int{":a": 1, "@b": 2, "$c": 3}},
		{"SELECT :a, ?, :b", 3, map[string]int{":a": 1, ":b": 3}},
		{"SELECT ?5, :a", 6, map[string]int{":a": 6}},
		{"SELECT :a, ?1", 1, map[string]int{":a": 1}},
		{"SELECT $a::b(c d), $x::y", 2, map[string]int{"$a::b(c": 1, "$x::y": 2}},
		{"SELECT $a::b(c), :é", 2, map[string]int{"$a::b(c)": 1, ":é": 2}},
		{"SELECT '?', \":a\", [?], `@b` -- ?\n /* :c */", 0, nil},
		{"SELECT a$b, x'3f'", 0, nil},
		{"SELECT 1e5, .5, ?", 1, nil},
		{"SELECT : a", 0, nil},
	}
	for _, tt := range tests {
		sts := splitSQL(tt.in)
		require.Len(t, sts, 1, tt.in)
		assert.Equal(t, tt.n, sts[0].nparams, tt.in)
		if tt.names == nil {
			assert.Empty(t, sts[0].names, tt.in)
		} else {
			assert.Equal(t, tt.names, sts[0].names, tt.in)
		}
	}
}

func nv(args ...any) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, a := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
		if n, ok := a.(namedArg); ok {
			out[i] = driver.NamedValue{Ordinal: i + 1, Name: n.name, Value: n.v}
		}
	}
	return out
}

type namedArg struct {
	name string
	v    any
}

func TestBinder(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		args []driver.NamedValue
		want []string // JSON of each statement sent
		err  string
	}{
		{"positional across statements", "INSERT INTO a VALUES(?); INSERT INTO a VALUES(?, ?)", nv(int64(1), int64(2), int64(3)), []string{
			`{"sql":"INSERT INTO a VALUES(?);","args":[{"type":"integer","value":"1"}],"want_rows":false}`,
			`{"sql":"INSERT INTO a VALUES(?, ?)","args":[{"type":"integer","value":"2"},{"type":"integer","value":"3"}],"want_rows":false}`}, ""},
		{"none", "SELECT 1; SELECT 2", nil, []string{`{"sql":"SELECT 1;","want_rows":false}`, `{"sql":"SELECT 2","want_rows":false}`}, ""},
		{"too few", "SELECT ?, ?", nv(int64(1)), nil, "not enough arguments"},
		{"too many", "SELECT ?", nv(int64(1), int64(2)), nil, "left over"},
		{"?NNN takes as many as its index", "SELECT ?2", nv("a", "b"), []string{
			`{"sql":"SELECT ?2","args":[{"type":"text","value":"a"},{"type":"text","value":"b"}],"want_rows":false}`}, ""},
		{"named prefixes", "SELECT :x, @y, $z", nv(namedArg{"z", int64(3)}, namedArg{"x", int64(1)}, namedArg{"y", int64(2)}), []string{
			`{"sql":"SELECT :x, @y, $z","named_args":[{"name":":x","value":{"type":"integer","value":"1"}},{"name":"@y","value":{"type":"integer","value":"2"}},{"name":"$z","value":{"type":"integer","value":"3"}}],"want_rows":false}`}, ""},
		{"named in every statement", "SELECT :x; SELECT 1, :x", nv(namedArg{"x", "v"}), []string{
			`{"sql":"SELECT :x;","named_args":[{"name":":x","value":{"type":"text","value":"v"}}],"want_rows":false}`,
			`{"sql":"SELECT 1, :x","named_args":[{"name":":x","value":{"type":"text","value":"v"}}],"want_rows":false}`}, ""},
		{"named and positional", "SELECT :x, ?, ?, :x", nv(namedArg{"x", "n"}, "p1", "p2"), []string{
			`{"sql":"SELECT ?1, ?2, ?3, ?1","args":[{"type":"text","value":"n"},{"type":"text","value":"p1"},{"type":"text","value":"p2"}],"want_rows":false}`}, ""},
		{"unused named", "SELECT :x", nv(namedArg{"x", 1}, namedArg{"y", 2}), nil, `"y"`},
		{"missing named", "SELECT :x, :y", nv(namedArg{"x", 1}), nil, "no argument for parameter 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stmts, err := prepareStmts(tt.sql, tt.args, false)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				var e *Error
				assert.ErrorAs(t, err, &e)
				return
			}
			require.NoError(t, err)
			require.Len(t, stmts, len(tt.want))
			for i := range stmts {
				b, err := stmts[i].encode(nil)
				require.NoError(t, err)
				require.True(t, json.Valid(b), string(b))
				assert.JSONEq(t, tt.want[i], string(b))
			}
		})
	}
}

func TestReadOnlyStatements(t *testing.T) {
	ro := []string{"SELECT 1", "select * from t", "VALUES (1)", "WITH x AS (DELETE FROM t RETURNING *) SELECT 1",
		"WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM c) SELECT n FROM c", "EXPLAIN INSERT INTO t VALUES (1)",
		"PRAGMA foreign_keys", "PRAGMA main.table_info(t)", "PRAGMA table_info('t')", "SAVEPOINT a", "RELEASE a", "ROLLBACK TO a",
		"(SELECT 1)"}
	rw := []string{"INSERT INTO t VALUES (1)", "UPDATE t SET a = 1", "DELETE FROM t", "REPLACE INTO t VALUES (1)",
		"WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x", "CREATE TABLE t2(a)", "DROP TABLE t", "PRAGMA foreign_keys = OFF",
		"PRAGMA user_version(3)", "ALTER TABLE t ADD b", "VACUUM", "ANALYZE"}
	for _, q := range ro {
		sts := splitSQL(q)
		require.Len(t, sts, 1)
		if q == "(SELECT 1)" {
			assert.False(t, sts[0].readOnly(), "unknown shapes count as writes: %s", q)
			continue
		}
		assert.True(t, sts[0].readOnly(), q)
	}
	for _, q := range rw {
		sts := splitSQL(q)
		require.Len(t, sts, 1)
		assert.False(t, sts[0].readOnly(), q)
	}
}
