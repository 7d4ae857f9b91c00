package libsql

import (
	"fmt"
	"strings"
)

// This file reads and edits CREATE TABLE statements as stored in
// sqlite_master. It only splits the statement into its column definitions
// and table constraints and each definition into clauses; everything the
// engine can report itself (columns, types, indexes, foreign keys) is asked
// of the engine, not parsed from SQL text.

// tableDDL is a CREATE TABLE statement split into its definitions.
type tableDDL struct {
	defs []ddlDef
	tail string // what follows the closing parenthesis: STRICT, WITHOUT ROWID
}

// ddlDef is one column definition or table constraint.
type ddlDef struct {
	constraint bool   // a table constraint rather than a column
	name       string // the column name or the CONSTRAINT name, unquoted
	sql        string
}

// parseCreateTable splits a CREATE TABLE statement into its definitions.
func parseCreateTable(sql string) (*tableDDL, error) {
	open := -1
	depth, start := 0, 0
	ddl := &tableDDL{}
	for i := 0; i < len(sql); i++ {
		switch c := sql[i]; c {
		case '\'', '"', '`', '[':
			i = skipQuoted(sql, i)
		case '-':
			if strings.HasPrefix(sql[i:], "--") {
				i = skipLineComment(sql, i)
			}
		case '/':
			if strings.HasPrefix(sql[i:], "/*") {
				i = skipBlockComment(sql, i)
			}
		case '(':
			depth++
			if depth == 1 && open < 0 {
				open, start = i, i+1
			}
		case ',', ')':
			if depth == 1 {
				ddl.add(sql[start:i])
				start = i + 1
			}
			if c == ')' {
				depth--
				if depth == 0 {
					ddl.tail = strings.TrimSpace(sql[i+1:])
					return ddl, nil
				}
			}
		}
	}
	return nil, fmt.Errorf("libsql: cannot read table definition %q", sql)
}

func (t *tableDDL) add(def string) {
	def = strings.TrimSpace(def)
	toks := sqlTokens(def)
	if len(toks) == 0 {
		return
	}
	d := ddlDef{sql: def, name: unquoteIdent(toks[0].text)}
	switch toks[0].word {
	case "CONSTRAINT":
		d.constraint = true
		d.name = ""
		if len(toks) > 1 {
			d.name = unquoteIdent(toks[1].text)
		}
	case "PRIMARY", "UNIQUE", "CHECK", "FOREIGN":
		d.constraint, d.name = true, ""
	}
	t.defs = append(t.defs, d)
}

// column returns the index of the definition of column name, or -1.
func (t *tableDDL) column(name string) int {
	for i, d := range t.defs {
		if !d.constraint && strings.EqualFold(d.name, name) {
			return i
		}
	}
	return -1
}

// hasConstraint reports whether a table constraint, or a named clause of a
// column definition, is called name.
func (t *tableDDL) hasConstraint(name string) bool {
	for _, d := range t.defs {
		if d.constraint && strings.EqualFold(d.name, name) {
			return true
		}
		if !d.constraint {
			toks := sqlTokens(d.sql)
			for i := 0; i+1 < len(toks); i++ {
				if toks[i].word == "CONSTRAINT" && strings.EqualFold(unquoteIdent(toks[i+1].text), name) {
					return true
				}
			}
		}
	}
	return false
}

// removeConstraint removes the table constraint called name.
func (t *tableDDL) removeConstraint(name string) bool {
	for i, d := range t.defs {
		if d.constraint && strings.EqualFold(d.name, name) {
			t.defs = append(t.defs[:i], t.defs[i+1:]...)
			return true
		}
	}
	return false
}

// compile writes the statement for a table called table.
func (t *tableDDL) compile(table string) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE ")
	b.WriteString(quoteName(table))
	b.WriteString(" (")
	for i, d := range t.defs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(d.sql)
	}
	b.WriteString(")")
	if t.tail != "" {
		b.WriteString(" ")
		b.WriteString(t.tail)
	}
	return b.String()
}

// redefineColumn returns the column definition newDef (name, type, NOT NULL
// and DEFAULT as GORM writes them) followed by the clauses of oldDef that
// GORM's type does not express: PRIMARY KEY (unless newDef has one), UNIQUE,
// CHECK, REFERENCES, COLLATE and generated-column clauses.
func redefineColumn(oldDef, newDef string) string {
	newHasPK := strings.Contains(strings.ToUpper(newDef), "PRIMARY KEY")
	var keep []string
	for _, c := range columnClauses(oldDef) {
		switch c.keyword {
		case "PRIMARY":
			if !newHasPK {
				keep = append(keep, c.sql)
			}
		case "UNIQUE", "CHECK", "REFERENCES", "COLLATE", "GENERATED", "AS":
			keep = append(keep, c.sql)
		}
	}
	if len(keep) == 0 {
		return newDef
	}
	return newDef + " " + strings.Join(keep, " ")
}

type columnClause struct {
	keyword string // the keyword that starts the constraint, after any CONSTRAINT name
	sql     string
}

var clauseStarts = map[string]bool{
	"CONSTRAINT": true, "PRIMARY": true, "NOT": true, "NULL": true, "UNIQUE": true, "CHECK": true,
	"DEFAULT": true, "COLLATE": true, "REFERENCES": true, "GENERATED": true, "AS": true,
}

// columnClauses splits a column definition into its constraint clauses,
// leaving out the name and type. Each clause keeps its original text.
func columnClauses(def string) []columnClause {
	toks := sqlTokens(def)
	var clauses []columnClause
	first, last := -1, -1 // token range of the current clause
	keyword := ""
	flush := func() {
		if first >= 0 {
			end := toks[last].pos + len(toks[last].text)
			clauses = append(clauses, columnClause{keyword: keyword, sql: def[toks[first].pos:end]})
		}
		first, keyword = -1, ""
	}
	cur := func() *columnClause {
		if first < 0 {
			return nil
		}
		return &columnClause{keyword: keyword}
	}
	for i := 1; i < len(toks); i++ {
		tok := toks[i]
		switch {
		case first >= 0 && keyword == "": // the constraint after "CONSTRAINT name"
			keyword = tok.word
		case clauseStarts[tok.word] && !continuesReferences(cur(), toks, i):
			flush()
			first, keyword = i, tok.word
			if tok.word == "CONSTRAINT" {
				keyword = ""
				if i+1 < len(toks) {
					i++
				}
			}
		}
		if first >= 0 {
			last = i
		}
	}
	flush()
	return clauses
}

// mentionsColumn reports whether a table constraint names column among its
// own columns (before any REFERENCES) or in its CHECK expression.
func mentionsColumn(constraint, column string) bool {
	for _, tok := range sqlTokens(constraint) {
		if tok.word == "REFERENCES" {
			return false
		}
		if strings.HasPrefix(tok.text, "(") {
			if mentionsColumn(tok.text[1:len(tok.text)-1], column) {
				return true
			}
			continue
		}
		if strings.EqualFold(unquoteIdent(tok.text), column) && (tok.word != "" || strings.ContainsAny(tok.text[:1], "`\"[")) {
			return true
		}
	}
	return false
}

// continuesReferences reports whether toks[i] belongs to the REFERENCES
// clause cur: "ON DELETE SET NULL" and "NOT DEFERRABLE" do.
func continuesReferences(cur *columnClause, toks []sqlToken, i int) bool {
	if cur == nil || cur.keyword != "REFERENCES" {
		return false
	}
	switch toks[i].word {
	case "NULL":
		return toks[i-1].word == "SET"
	case "NOT":
		return i+1 < len(toks) && toks[i+1].word == "DEFERRABLE"
	}
	return false
}

// sqlToken is one token of SQL text; a parenthesised group is one token.
type sqlToken struct {
	pos  int // byte offset in the text
	text string
	word string // the upper-cased text of a bare word, else ""
}

// sqlTokens splits SQL text into tokens, dropping white space and comments.
func sqlTokens(s string) []sqlToken {
	var toks []sqlToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.HasPrefix(s[i:], "--"):
			i = skipLineComment(s, i) + 1
		case strings.HasPrefix(s[i:], "/*"):
			i = skipBlockComment(s, i) + 1
		case c == '\'' || c == '"' || c == '`' || c == '[':
			end := skipQuoted(s, i) + 1
			toks = append(toks, sqlToken{pos: i, text: s[i:min(end, len(s))]})
			i = end
		case c == '(':
			end := skipGroup(s, i) + 1
			toks = append(toks, sqlToken{pos: i, text: s[i:min(end, len(s))]})
			i = end
		case isWordByte(c):
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			toks = append(toks, sqlToken{pos: i, text: s[i:j], word: strings.ToUpper(s[i:j])})
			i = j
		default:
			toks = append(toks, sqlToken{pos: i, text: s[i : i+1]})
			i++
		}
	}
	return toks
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 ||
		('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

// skipQuoted returns the index of the quote closing the quoted text at i;
// a doubled quote inside does not close it.
func skipQuoted(s string, i int) int {
	closing := s[i]
	if closing == '[' {
		closing = ']'
	}
	for j := i + 1; j < len(s); j++ {
		if s[j] == closing {
			if closing != ']' && j+1 < len(s) && s[j+1] == closing {
				j++
				continue
			}
			return j
		}
	}
	return len(s) - 1
}

// skipGroup returns the index of the parenthesis closing the one at i.
func skipGroup(s string, i int) int {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '\'', '"', '`', '[':
			j = skipQuoted(s, j)
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(s) - 1
}

func skipLineComment(s string, i int) int {
	if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
		return i + j
	}
	return len(s) - 1
}

func skipBlockComment(s string, i int) int {
	if j := strings.Index(s[i+2:], "*/"); j >= 0 {
		return i + 2 + j + 1
	}
	return len(s) - 1
}

// unquoteIdent removes SQL identifier quotes from s.
func unquoteIdent(s string) string {
	if len(s) < 2 {
		return s
	}
	switch q := s[0]; {
	case q == '[' && s[len(s)-1] == ']':
		return s[1 : len(s)-1]
	case (q == '"' || q == '`' || q == '\'') && s[len(s)-1] == q:
		return strings.ReplaceAll(s[1:len(s)-1], string([]byte{q, q}), string(q))
	}
	return s
}
