package native

import (
	"database/sql/driver"
	"math"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/gorm-libsql/libsql/internal/sqlvalue"
)

// This file splits the SQL given to a replica connection into statements
// and describes each one, with the connection's private sqlite3 connection
// (see ReplicaConnector). Descriptions are cached per SQL text.

// repKind classifies a statement for routing.
type repKind uint8

const (
	repOther    repKind = iota
	repRead             // read-only query, compiled locally: may run on the sqlite3 connection
	repBegin            // BEGIN ...
	repCommit           // COMMIT, END
	repRollback         // ROLLBACK (not ROLLBACK TO)
)

// repStmt describes one statement of a query.
type repStmt struct {
	text     string   // the statement as written
	send     string   // text for libsql: named parameters rewritten as ?NNN
	names    []string // names[i] is the name of parameter i (1-based), "" when nameless
	nparams  int
	kind     repKind
	dml      bool // inserts, updates or deletes rows: its change count is kept
	parsed   bool // compiled by the local sqlite3 connection
	readOnly bool // compiled, and writes nothing (sqlite3_stmt_readonly)
}

// repCacheSize bounds the per-connection cache of statement descriptions;
// the cache is emptied when it is full.
const repCacheSize = 256

// repIter walks the statements of a query, describing each only when the
// previous one has run, so that later statements may depend on earlier
// ones (CREATE TABLE t ...; INSERT INTO t ...).
type repIter struct {
	c      *ReplicaConn
	query  string
	cached []repStmt
	i      int

	cq        *cchar
	off       int
	collected []repStmt
	complete  bool // every statement compiled locally
}

func (c *ReplicaConn) newIter(query string) (*repIter, error) {
	if strings.IndexByte(query, 0) >= 0 {
		return nil, driverError(CodeMisuse, "query text contains a NUL byte")
	}
	if len(query) > math.MaxInt32 {
		return nil, driverError(CodeTooBig, "query text too long")
	}
	if st, ok := c.cache[query]; ok {
		return &repIter{c: c, query: query, cached: st}, nil
	}
	return &repIter{c: c, query: query, cq: cString(query), complete: true}, nil
}

func (it *repIter) close() {
	if it.cq != nil {
		cFree(unsafe.Pointer(it.cq))
		it.cq = nil
	}
}

// next returns the next statement and whether it is the last one; nil at
// the end, when the description of the query is cached if every statement
// compiled locally.
func (it *repIter) next() (*repStmt, bool, error) {
	if it.cq == nil {
		if it.i >= len(it.cached) {
			return nil, false, nil
		}
		s := &it.cached[it.i]
		it.i++
		return s, it.i == len(it.cached), nil
	}
	q := it.query
	for it.off < len(q) && !isBlankSQL(q[it.off:]) {
		start := it.off
		ps, rc := it.c.local.d.parsePrepare(it.cq, start, len(q)-start)
		if rc != rcOK {
			err := it.c.local.d.lastError(rc)
			if isSyntaxError(err.Msg) {
				return nil, false, err
			}
			// Most likely the local schema lags behind the primary: send
			// the statement as written.
			end := statementEnd(q, start)
			it.off = end
			it.complete = false
			s := fallbackStmt(q[start:end])
			return &s, isBlankSQL(q[end:]), nil
		}
		it.off = start + ps.tail
		if ps.ptr == nil {
			if ps.tail == 0 {
				break
			}
			continue
		}
		s := describeStmt(q[start:it.off], ps)
		stmtFinalize(ps.ptr)
		it.collected = append(it.collected, s)
		last := isBlankSQL(q[it.off:])
		if last {
			it.finish()
		}
		return &it.collected[len(it.collected)-1], last, nil
	}
	it.finish()
	return nil, false, nil
}

// finish caches the description when every statement compiled.
func (it *repIter) finish() {
	if !it.complete || it.c.cache == nil {
		return
	}
	it.complete = false
	if len(it.c.cache) >= repCacheSize {
		clear(it.c.cache)
	}
	it.c.cache[it.query] = it.collected
}

func isSyntaxError(msg string) bool {
	return strings.Contains(msg, "syntax error") || strings.Contains(msg, "incomplete input") ||
		strings.Contains(msg, "unrecognized token")
}

// statementEnd returns the end of the statement starting at start: just
// after the first semicolon that completes it (sqlite3_complete, which
// knows strings, comments and trigger bodies), or the end of q.
func statementEnd(q string, start int) int {
	for i := start; i < len(q); i++ {
		if q[i] == ';' && sqlComplete(q[start:i+1]) {
			return i + 1
		}
	}
	return len(q)
}

// describeStmt builds the description of a compiled statement.
func describeStmt(text string, ps parsedStmt) repStmt {
	n := stmtParamCount(ps.ptr)
	s := repStmt{text: text, nparams: n, names: make([]string, n+1), dml: ps.dml && !ps.ddl, parsed: true, readOnly: stmtReadOnly(ps.ptr)}
	index := make(map[string]int)
	for i := 1; i <= n; i++ {
		name := stmtParamName(ps.ptr, i)
		if name != "" && name[0] != '?' {
			s.names[i] = name
			index[name] = i
		}
	}
	vars, words := scanSQL(text)
	s.kind = kindOfWords(words)
	if s.kind == repOther && len(words) > 0 && stmtReadOnly(ps.ptr) && stmtColumnCount(ps.ptr) > 0 {
		switch words[0] {
		case "SELECT", "WITH", "VALUES", "EXPLAIN":
			s.kind = repRead
		}
	}
	s.send = text
	if len(index) > 0 {
		if send, ok := rewriteNamed(text, vars, func(name string) int { return index[name] }); ok {
			s.send = send
		}
	}
	return s
}

// fallbackStmt describes a statement that did not compile locally, from
// its tokens, numbering parameters as SQLite does.
func fallbackStmt(text string) repStmt {
	vars, words := scanSQL(text)
	s := repStmt{text: text, send: text, kind: kindOfWords(words)}
	index := make(map[string]int)
	n := 0
	for _, v := range vars {
		name := text[v.start:v.end]
		switch {
		case name == "?":
			n++
		case name[0] == '?':
			if k, err := strconv.Atoi(name[1:]); err == nil && k > n {
				n = k
			}
		default:
			if _, ok := index[name]; !ok {
				n++
				index[name] = n
			}
		}
	}
	s.nparams = n
	s.names = make([]string, n+1)
	for name, i := range index {
		s.names[i] = name
	}
	if len(index) > 0 {
		if send, ok := rewriteNamed(text, vars, func(name string) int { return index[name] }); ok {
			s.send = send
		}
	}
	if len(words) > 0 {
		switch words[0] {
		case "INSERT", "UPDATE", "DELETE", "REPLACE":
			s.dml = true
		case "WITH":
			for _, w := range words[1:] {
				if w == "INSERT" || w == "UPDATE" || w == "DELETE" || w == "REPLACE" {
					s.dml = true
				}
			}
		}
	}
	return s
}

// kindOfWords classifies transaction control statements by their first
// words.
func kindOfWords(words []string) repKind {
	if len(words) == 0 {
		return repOther
	}
	switch words[0] {
	case "BEGIN":
		return repBegin
	case "COMMIT", "END":
		return repCommit
	case "ROLLBACK":
		if (len(words) > 1 && words[1] == "TO") || (len(words) > 2 && words[1] == "TRANSACTION" && words[2] == "TO") {
			return repOther
		}
		return repRollback
	}
	return repOther
}

// rewriteNamed replaces each named parameter (:x, @x, $x) of text with
// ?NNN, NNN being its index; ok is false when a name has no index.
func rewriteNamed(text string, vars []sqlVar, index func(string) int) (string, bool) {
	var b strings.Builder
	last := 0
	for _, v := range vars {
		name := text[v.start:v.end]
		if name[0] == '?' {
			continue
		}
		i := index(name)
		if i <= 0 {
			return "", false
		}
		b.WriteString(text[last:v.start])
		b.WriteByte('?')
		b.WriteString(strconv.Itoa(i))
		last = v.end
	}
	b.WriteString(text[last:])
	return b.String(), true
}

// sqlVar is a parameter token: text[start:end].
type sqlVar struct{ start, end int }

// scanSQL tokenizes s as SQLite does, far enough to return its parameters
// (?, ?NNN, :name, @name, $name) and its bare words, upper-cased, outside
// strings, quoted identifiers and comments.
func scanSQL(s string) (vars []sqlVar, words []string) {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return
			}
			i += j + 1
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return
			}
			i += j + 4
		case c == '\'' || c == '"' || c == '`':
			i = skipQuoted(s, i, c)
		case c == '[':
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				return
			}
			i += j + 1
		case c == '?':
			j := i + 1
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			vars = append(vars, sqlVar{i, j})
			i = j
		case c == ':' || c == '@' || c == '$' || c == '#':
			j := scanVariable(s, i)
			if j > i+1 && c != '#' {
				vars = append(vars, sqlVar{i, j})
			}
			i = max(j, i+1)
		case isIDStart(c):
			j := i + 1
			for j < len(s) && isIDChar(s[j]) {
				j++
			}
			if (c == 'x' || c == 'X') && j == i+1 && j < len(s) && s[j] == '\'' {
				i = skipQuoted(s, j, '\'')
				continue
			}
			words = append(words, strings.ToUpper(s[i:j]))
			i = j
		case c >= '0' && c <= '9' || c == '.':
			j := i + 1
			for j < len(s) && (isIDChar(s[j]) || s[j] == '.') {
				j++
			}
			i = j
		default:
			i++
		}
	}
	return
}

// skipQuoted returns the index after the quoted token starting at i.
func skipQuoted(s string, i int, q byte) int {
	for j := i + 1; j < len(s); j++ {
		if s[j] == q {
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(s)
}

// scanVariable returns the end of the variable starting at s[i] (one of
// :@$#), following SQLite's tokenizer: identifier characters, "::" and a
// "(...)" suffix.
func scanVariable(s string, i int) int {
	j := i + 1
	n := 0
	for j < len(s) {
		c := s[j]
		switch {
		case isIDChar(c):
			n++
			j++
		case c == '(' && n > 0:
			k := j + 1
			for k < len(s) && s[k] != ')' && !isSpace(s[k]) {
				k++
			}
			if k < len(s) && s[k] == ')' {
				return k + 1
			}
			return j
		case c == ':' && j+1 < len(s) && s[j+1] == ':':
			j += 2
		default:
			return j
		}
	}
	return j
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isIDStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

func isIDChar(c byte) bool { return isIDStart(c) || c >= '0' && c <= '9' || c == '$' }

// bind picks the values of the parameters of s from b (see
// sqlvalue.Binder): vals[i] is the value of parameter i+1.
func (s *repStmt) bind(b *sqlvalue.Binder) ([]driver.Value, error) {
	return b.Values(s.nparams, func(prefix, name string) int { return slices.Index(s.names, prefix+name) })
}
