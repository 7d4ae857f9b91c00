package hrana

import (
	"strconv"
	"strings"
)

// statement is one SQL statement of a query text, as the server will
// compile it.
type statement struct {
	sql     string         // the text, with its trailing semicolon if any
	keyword string         // first keyword, upper-cased ("" when the text starts otherwise)
	main    string         // keyword of the statement proper (after WITH's tables)
	nparams int            // largest parameter index: sqlite3_bind_parameter_count
	names   map[string]int // named parameters (":a", "@a", "$a", with prefix) to index
	anon    bool           // has "?" or "?NNN" parameters
	refs    []paramRef     // every parameter, in text order

	pragmaName string // for PRAGMA: the pragma's name, lower-cased
	pragmaEq   bool   // for PRAGMA: "=" follows the name
	pragmaArg  bool   // for PRAGMA: "(" follows the name

	depth int // parenthesis depth while scanning
}

// paramRef is one parameter in statement.sql[off:end] with index idx.
type paramRef struct{ off, end, idx int }

// splitSQL splits query into statements the way SQLite does, leaving out
// empty ones (only white space, comments and semicolons). A semicolon ends a
// statement unless it is in a string, quoted identifier or comment, or in
// the body of a CREATE TRIGGER (up to END;): the rules of sqlite3_complete.
// It also numbers the parameters of each statement as SQLite's parser does:
// "?" takes the next index after the largest so far, "?NNN" index NNN, and
// ":name", "@name", "$name" a new index at their first use.
//
// Text the lexer cannot make sense of (an unterminated string) runs to the
// end of query as one statement, which the server then rejects.
func splitSQL(query string) []statement {
	var (
		out   []statement
		lx    = lexer{s: query}
		state = 0 // sqlite3_complete's state machine
		start = 0
		cur   statement
		empty = true
	)
	flush := func(end int) {
		if !empty {
			cur.sql = query[start:end]
			if cur.main == "" && cur.keyword != "WITH" {
				cur.main = cur.keyword
			}
			out = append(out, cur)
		}
		cur = statement{}
		empty = true
		start = end
	}
	for {
		tok, text := lx.next()
		if tok == tkEOF {
			break
		}
		switch tok {
		case tkWS:
			continue
		case tkSemi:
			state = completeTrans[state][ctSemi]
			if state == 1 {
				flush(lx.pos)
			}
			continue
		}
		if empty {
			empty = false
			if tok == tkWord {
				cur.keyword = strings.ToUpper(text)
			}
			start = lx.pos - len(text) // leave out leading space and comments
		}
		cur.scan(tok, text)
		switch tok {
		case tkWord:
			state = completeTrans[state][keywordClass(text)]
		case tkParam:
			state = completeTrans[state][ctOther]
			cur.addParam(text, lx.pos-len(text)-start)
		default:
			state = completeTrans[state][ctOther]
		}
	}
	flush(len(query))
	return out
}

// scan notes what the read-only check needs from each token.
func (st *statement) scan(tok token, text string) {
	switch {
	case text == "(":
		if st.keyword == "PRAGMA" && st.pragmaName != "" && !st.pragmaEq {
			st.pragmaArg = true
		}
		st.depth++
	case text == ")":
		st.depth--
	case text == "=" && st.keyword == "PRAGMA" && !st.pragmaArg:
		st.pragmaEq = true
	case tok == tkWord && st.depth == 0:
		switch st.keyword {
		case "PRAGMA":
			if !st.pragmaEq && !st.pragmaArg {
				st.pragmaName = strings.ToLower(text)
			}
		case "WITH":
			if st.main == "" {
				switch w := strings.ToUpper(text); w {
				case "SELECT", "VALUES", "INSERT", "UPDATE", "DELETE", "REPLACE":
					st.main = w
				}
			}
		}
	}
}

// addParam numbers the parameter tok (with its "?", ":", "@" or "$") found
// at offset off of the statement.
func (st *statement) addParam(tok string, off int) {
	idx := 0
	switch {
	case tok[0] == '?' && len(tok) == 1:
		st.anon = true
		st.nparams++
		idx = st.nparams
	case tok[0] == '?':
		st.anon = true
		for i := 1; i < len(tok); i++ {
			idx = idx*10 + int(tok[i]-'0')
			if idx > 1<<20 { // beyond any SQLITE_MAX_VARIABLE_NUMBER: the server rejects it
				break
			}
		}
		st.nparams = max(st.nparams, idx)
	default:
		var ok bool
		if idx, ok = st.names[tok]; !ok {
			if st.names == nil {
				st.names = make(map[string]int)
			}
			st.nparams++
			idx = st.nparams
			st.names[tok] = idx
		}
	}
	st.refs = append(st.refs, paramRef{off: off, end: off + len(tok), idx: idx})
}

// positional returns the statement's text with every parameter written as
// ?NNN, its index: for sqld, which binds a statement's arguments either all
// by position or all by name.
func (st *statement) positional() string {
	var b strings.Builder
	last := 0
	for _, r := range st.refs {
		b.WriteString(st.sql[last:r.off])
		b.WriteByte('?')
		b.WriteString(strconv.Itoa(r.idx))
		last = r.end
	}
	b.WriteString(st.sql[last:])
	return b.String()
}

// readPragmas may take an argument in parentheses without writing.
var readPragmas = map[string]bool{
	"table_info": true, "table_xinfo": true, "index_info": true, "index_xinfo": true, "index_list": true,
	"foreign_key_list": true, "foreign_key_check": true, "integrity_check": true, "quick_check": true,
	"table_list": true,
}

// readOnly reports whether the statement cannot write, judged from its
// text: what a read-only transaction accepts.
func (st *statement) readOnly() bool {
	switch st.main {
	case "SELECT", "VALUES", "EXPLAIN", "BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE":
		return true
	case "PRAGMA":
		return !st.pragmaEq && (!st.pragmaArg || readPragmas[st.pragmaName])
	}
	return false
}

// Token classes of sqlite3_complete.
const (
	ctSemi = iota
	ctWS
	ctOther
	ctExplain
	ctCreate
	ctTemp
	ctTrigger
	ctEnd
)

// completeTrans is sqlite3_complete's transition table: states 0 INVALID,
// 1 START, 2 NORMAL, 3 EXPLAIN, 4 CREATE, 5 TRIGGER, 6 SEMI, 7 END. A
// statement is complete when a semicolon leads to START.
var completeTrans = [8][8]int{
	/* 0 INVALID */ {1, 0, 2, 3, 4, 2, 2, 2},
	/* 1 START   */ {1, 1, 2, 3, 4, 2, 2, 2},
	/* 2 NORMAL  */ {1, 2, 2, 2, 2, 2, 2, 2},
	/* 3 EXPLAIN */ {1, 3, 3, 2, 4, 2, 2, 2},
	/* 4 CREATE  */ {1, 4, 2, 2, 2, 4, 5, 2},
	/* 5 TRIGGER */ {6, 5, 5, 5, 5, 5, 5, 5},
	/* 6 SEMI    */ {6, 6, 5, 5, 5, 5, 5, 7},
	/* 7 END     */ {1, 7, 5, 5, 5, 5, 5, 5},
}

func keywordClass(w string) int {
	switch {
	case strings.EqualFold(w, "CREATE"):
		return ctCreate
	case strings.EqualFold(w, "TRIGGER"):
		return ctTrigger
	case strings.EqualFold(w, "END"):
		return ctEnd
	case strings.EqualFold(w, "TEMP"), strings.EqualFold(w, "TEMPORARY"):
		return ctTemp
	case strings.EqualFold(w, "EXPLAIN"):
		return ctExplain
	}
	return ctOther
}

type token uint8

const (
	tkEOF   token = iota
	tkWS          // white space or a comment
	tkSemi        // ;
	tkWord        // identifier or keyword (unquoted)
	tkParam       // ?, ?NNN, :name, @name, $name
	tkOther       // literal, quoted identifier, operator, ...
)

// lexer splits SQL text into the tokens splitSQL needs, following SQLite's
// tokenizer for white space, comments, quoting and parameters.
type lexer struct {
	s   string
	pos int
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == '\v'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isIDChar reports whether c may continue an identifier: letters, digits,
// '_', '$' and every byte of a multi-byte UTF-8 character.
func isIDChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '_' || c == '$' || c >= 0x80
}

func (lx *lexer) next() (token, string) {
	s, i := lx.s, lx.pos
	if i >= len(s) {
		return tkEOF, ""
	}
	start := i
	c := s[i]
	tok := tkOther
	switch {
	case isSpace(c):
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		tok = tkWS
	case c == '-' && i+1 < len(s) && s[i+1] == '-':
		if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
			i += j + 1
		} else {
			i = len(s)
		}
		tok = tkWS
	case c == '/' && i+1 < len(s) && s[i+1] == '*':
		if j := strings.Index(s[i+2:], "*/"); j >= 0 {
			i += j + 4
		} else {
			i = len(s)
		}
		tok = tkWS
	case c == ';':
		i++
		tok = tkSemi
	case c == '\'' || c == '"' || c == '`':
		i = quoted(s, i, c)
	case c == '[':
		if j := strings.IndexByte(s[i:], ']'); j >= 0 {
			i += j + 1
		} else {
			i = len(s)
		}
	case c == '?':
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		tok = tkParam
	case c == ':' || c == '@' || c == '$':
		i, tok = variable(s, i)
	case isDigit(c) || c == '.' && i+1 < len(s) && isDigit(s[i+1]):
		// A number, with any suffix SQLite would reject anyway.
		for i < len(s) && (isIDChar(s[i]) || s[i] == '.' ||
			(s[i] == '+' || s[i] == '-') && (s[i-1] == 'e' || s[i-1] == 'E')) {
			i++
		}
	case (c == 'x' || c == 'X') && i+1 < len(s) && s[i+1] == '\'':
		i = quoted(s, i+1, '\'')
	case isIDChar(c):
		for i < len(s) && isIDChar(s[i]) {
			i++
		}
		tok = tkWord
	default:
		i++
	}
	lx.pos = i
	return tok, s[start:i]
}

// quoted returns the end of the string or quoted identifier opening at
// s[i] == q, where a doubled q stands for one; the end of s when it is not
// closed.
func quoted(s string, i int, q byte) int {
	for i++; i < len(s); i++ {
		if s[i] == q {
			if i+1 < len(s) && s[i+1] == q {
				i++
				continue
			}
			return i + 1
		}
	}
	return len(s)
}

// variable scans a ":name", "@name" or "$name" parameter at s[i] as SQLite's
// tokenizer does (including Tcl-style "$a::b(c)" names). Without a name the
// character is just an operator (a syntax error for the server).
func variable(s string, i int) (int, token) {
	start := i
	n := 0
	i++
scan:
	for i < len(s) {
		c := s[i]
		switch {
		case isIDChar(c):
			n++
			i++
		case c == ':' && i+1 < len(s) && s[i+1] == ':':
			i += 2
		case c == '(' && n > 0:
			for i++; i < len(s) && !isSpace(s[i]) && s[i] != ')'; i++ {
			}
			if i < len(s) && s[i] == ')' {
				i++
			}
			break scan
		default:
			break scan
		}
	}
	if n == 0 {
		return start + 1, tkOther
	}
	return i, tkParam
}
