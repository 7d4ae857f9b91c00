package hrana

import (
	"database/sql/driver"
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorm-libsql/libsql/internal/sqlvalue"
)

// This file holds the JSON encoding of Hrana 3 over HTTP (POST v3/pipeline).
// Requests are written by hand (the driver only ever sends "batch",
// "get_autocommit" and "close" stream requests); responses are decoded with
// encoding/json into the types below.

// hstmt is one statement to run, with its arguments bound by position.
type hstmt struct {
	sql      string
	args     []driver.Value // by position ("args")
	named    []namedValue   // by name ("named_args")
	wantRows bool
}

// namedValue is an argument for the parameter of that name (with its
// prefix, as in the SQL text).
type namedValue struct {
	name  string
	value driver.Value
}

// pipeline is the body of one HTTP request: a batch whose steps each run
// only when the step before succeeded, optionally followed by get_autocommit
// and close.
type pipeline struct {
	baton         string // "" opens a new stream
	steps         []hstmt
	extra         []batchStep // steps with their own conditions, after steps
	getAutocommit bool
	close         bool
}

// batchStep is a step with an explicit condition (raw JSON, "" for none).
type batchStep struct {
	stmt hstmt
	cond string
}

// condNotAutocommit runs a step only inside a transaction.
const condNotAutocommit = `{"type":"not","cond":{"type":"is_autocommit"}}`

// encode appends the JSON body of p to b.
func (p *pipeline) encode(b []byte) ([]byte, error) {
	b = append(b, `{"baton":`...)
	if p.baton == "" {
		b = append(b, "null"...)
	} else {
		b = appendJSONString(b, p.baton)
	}
	b = append(b, `,"requests":[`...)
	first := true
	if len(p.steps) > 0 || len(p.extra) > 0 {
		first = false
		b = append(b, `{"type":"batch","batch":{"steps":[`...)
		var err error
		for i := range p.steps {
			if i > 0 {
				b = append(b, `,{"condition":{"type":"ok","step":`...)
				b = strconv.AppendInt(b, int64(i-1), 10)
				b = append(b, `},"stmt":`...)
			} else {
				b = append(b, `{"stmt":`...)
			}
			if b, err = p.steps[i].encode(b); err != nil {
				return nil, err
			}
			b = append(b, '}')
		}
		for i, st := range p.extra {
			if i > 0 || len(p.steps) > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			if st.cond != "" {
				b = append(b, `"condition":`...)
				b = append(b, st.cond...)
				b = append(b, ',')
			}
			b = append(b, `"stmt":`...)
			if b, err = st.stmt.encode(b); err != nil {
				return nil, err
			}
			b = append(b, '}')
		}
		b = append(b, "]}}"...)
	}
	if p.getAutocommit {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, `{"type":"get_autocommit"}`...)
	}
	if p.close {
		if !first {
			b = append(b, ',')
		}
		b = append(b, `{"type":"close"}`...)
	}
	return append(b, "]}"...), nil
}

func (s *hstmt) encode(b []byte) ([]byte, error) {
	b = append(b, `{"sql":`...)
	b = appendJSONString(b, s.sql)
	if len(s.args) > 0 {
		b = append(b, `,"args":[`...)
		for i, v := range s.args {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendValue(b, v, i+1); err != nil {
				return nil, err
			}
		}
		b = append(b, ']')
	}
	if len(s.named) > 0 {
		b = append(b, `,"named_args":[`...)
		for i, nv := range s.named {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"name":`...)
			b = appendJSONString(b, nv.name)
			b = append(b, `,"value":`...)
			var err error
			if b, err = appendValue(b, nv.value, i+1); err != nil {
				return nil, err
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if s.wantRows {
		b = append(b, `,"want_rows":true}`...)
	} else {
		b = append(b, `,"want_rows":false}`...)
	}
	return b, nil
}

// appendValue appends the Hrana Value of argument v for parameter i.
func appendValue(b []byte, v driver.Value, i int) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, `{"type":"null"}`...), nil
	case int64:
		b = append(b, `{"type":"integer","value":"`...)
		b = strconv.AppendInt(b, v, 10)
		return append(b, `"}`...), nil
	case bool:
		if v {
			return append(b, `{"type":"integer","value":"1"}`...), nil
		}
		return append(b, `{"type":"integer","value":"0"}`...), nil
	case float64:
		if math.IsNaN(v) { // SQLite stores NaN as NULL
			return append(b, `{"type":"null"}`...), nil
		}
		if math.IsInf(v, 0) {
			return nil, &Error{Code: "SQLITE_MISMATCH", Message: fmt.Sprintf("argument for parameter %d is %v: Hrana's JSON encoding cannot carry infinite floats", i, v)}
		}
		b = append(b, `{"type":"float","value":`...)
		n := len(b)
		b = strconv.AppendFloat(b, v, 'g', -1, 64)
		if !strings.ContainsAny(string(b[n:]), ".eE") {
			b = append(b, ".0"...)
		}
		return append(b, '}'), nil
	case string:
		if !utf8.ValidString(v) {
			return nil, &Error{Code: "SQLITE_MISMATCH", Message: fmt.Sprintf("string argument for parameter %d is not valid UTF-8: Hrana's JSON encoding cannot carry it (pass a []byte for binary data)", i)}
		}
		b = append(b, `{"type":"text","value":`...)
		b = appendJSONString(b, v)
		return append(b, '}'), nil
	case []byte:
		if v == nil {
			return append(b, `{"type":"null"}`...), nil
		}
		b = append(b, `{"type":"blob","base64":"`...)
		b = base64.StdEncoding.AppendEncode(b, v)
		return append(b, `"}`...), nil
	case time.Time:
		b = append(b, `{"type":"text","value":"`...)
		b = sqlvalue.AppendTime(b, v)
		return append(b, `"}`...), nil
	}
	return nil, &Error{Code: "SQLITE_MISMATCH", Message: fmt.Sprintf("unsupported argument type %T for parameter %d", v, i)}
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Invalid UTF-8 becomes
// U+FFFD (callers that care check first).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// Response structures.

type pipelineResp struct {
	Baton   *string        `json:"baton"`
	BaseURL *string        `json:"base_url"`
	Results []streamResult `json:"results"`
}

type streamResult struct {
	Type     string          `json:"type"` // "ok" or "error"
	Response *streamResponse `json:"response"`
	Error    *protoError     `json:"error"`
}

type streamResponse struct {
	Type         string       `json:"type"`
	Result       *batchResult `json:"result"` // for "batch"
	IsAutocommit *bool        `json:"is_autocommit"`
}

type batchResult struct {
	StepResults []*stmtResult `json:"step_results"`
	StepErrors  []*protoError `json:"step_errors"`
}

type stmtResult struct {
	Cols             []col          `json:"cols"`
	Rows             [][]protoValue `json:"rows"`
	AffectedRowCount int64          `json:"affected_row_count"`
	LastInsertRowid  *string        `json:"last_insert_rowid"`
}

type col struct {
	Name     *string `json:"name"`
	Decltype *string `json:"decltype"`
}

type protoError struct {
	Message string `json:"message"`
	Code    string `json:"code"`
}

// protoValue is a Hrana Value: Value holds the text (string), the integer
// (a decimal string) or the float (float64, or nil for the infinities,
// which the server's JSON encoder writes as null: an error when read).
type protoValue struct {
	Type   string `json:"type"`
	Value  any    `json:"value"`
	Base64 string `json:"base64"`
}

// toDriver converts v, read from a column of kind k.
func (v *protoValue) toDriver(k sqlvalue.Kind, loc *time.Location) (driver.Value, error) {
	switch v.Type {
	case "null":
		return nil, nil
	case "integer":
		s, ok := v.Value.(string)
		if !ok {
			if f, isNum := v.Value.(float64); isNum && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
				return sqlvalue.FromInteger(int64(f), k, loc), nil
			}
			return nil, protocolErrorf("integer value %v is not a string", v.Value)
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, protocolErrorf("bad integer value %q", s)
		}
		return sqlvalue.FromInteger(n, k, loc), nil
	case "float":
		switch f := v.Value.(type) {
		case float64:
			return f, nil
		case nil:
			// An infinity: the server's JSON encoder writes it as null. It
			// is not NULL in the database, and its sign is lost.
			return nil, &Error{Code: "SQLITE_MISMATCH", Message: "the server sent an infinite REAL, which Hrana's JSON encoding cannot carry (its sign is lost); select it as CAST(column AS TEXT) to read \"Inf\" or \"-Inf\""}
		case string: // tolerated: some servers may quote special values
			x, err := strconv.ParseFloat(f, 64)
			if err != nil {
				return nil, protocolErrorf("bad float value %q", f)
			}
			return x, nil
		}
		return nil, protocolErrorf("bad float value %v", v.Value)
	case "text":
		s, ok := v.Value.(string)
		if !ok {
			return nil, protocolErrorf("text value %v is not a string", v.Value)
		}
		return sqlvalue.FromText(s, k, loc), nil
	case "blob":
		return decodeBase64(v.Base64)
	}
	return nil, protocolErrorf("unknown value type %q", v.Type)
}

// decodeBase64 decodes a blob, with or without padding (sqld sends none);
// the result is non-nil even when empty.
func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	enc := base64.RawStdEncoding
	if strings.ContainsAny(s, "-_") {
		enc = base64.RawURLEncoding
	}
	b := make([]byte, enc.DecodedLen(len(s)))
	n, err := enc.Decode(b, []byte(s))
	if err != nil {
		return nil, protocolErrorf("bad base64 blob: %v", err)
	}
	return b[:n], nil
}
