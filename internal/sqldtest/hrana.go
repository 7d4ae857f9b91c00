package sqldtest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// PipelineBody is the JSON body of a one-shot Hrana-over-HTTP pipeline that
// executes sqls in order and closes the stream.
func PipelineBody(sqls ...string) []byte {
	type stmt struct {
		SQL string `json:"sql"`
	}
	type request struct {
		Type string `json:"type"`
		Stmt *stmt  `json:"stmt,omitempty"`
	}
	reqs := make([]request, 0, len(sqls)+1)
	for _, q := range sqls {
		reqs = append(reqs, request{Type: "execute", Stmt: &stmt{SQL: q}})
	}
	reqs = append(reqs, request{Type: "close"})
	b, _ := json.Marshal(map[string]any{"baton": nil, "requests": reqs})
	return b
}

// PostPipeline POSTs body to baseURL+"/v3/pipeline" (with a bearer token
// when token != "") and returns the HTTP status and response body.
func PostPipeline(ctx context.Context, baseURL, token string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/v3/pipeline", bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// PipelineResponse is the decoded answer to a pipeline.
type PipelineResponse struct {
	Baton   *string `json:"baton"`
	BaseURL *string `json:"base_url"`
	Results []struct {
		Type     string `json:"type"` // "ok" or "error"
		Response *struct {
			Type   string      `json:"type"` // "execute", "close", ...
			Result *StmtResult `json:"result"`
		} `json:"response"`
		Error *struct {
			Message string `json:"message"`
			Code    string `json:"code"`
		} `json:"error"`
	} `json:"results"`
}

// StmtResult is the result of one executed statement.
type StmtResult struct {
	Cols []struct {
		Name     string  `json:"name"`
		Decltype *string `json:"decltype"`
	} `json:"cols"`
	Rows             [][]Value `json:"rows"`
	AffectedRowCount int64     `json:"affected_row_count"`
	LastInsertRowID  *string   `json:"last_insert_rowid"`
}

// Value is a Hrana value: {"type":"integer","value":"1"} and so on.
type Value struct {
	Type   string `json:"type"` // null, integer, float, text, blob
	Value  any    `json:"value"`
	Base64 string `json:"base64"`
}

// Go converts v to int64, float64, string, []byte or nil.
func (v Value) Go() any {
	switch v.Type {
	case "integer":
		s, _ := v.Value.(string)
		n, _ := strconv.ParseInt(s, 10, 64)
		return n
	case "float":
		f, _ := v.Value.(float64)
		return f
	case "text":
		s, _ := v.Value.(string)
		return s
	case "blob":
		b, _ := base64.RawStdEncoding.DecodeString(trimPad(v.Base64))
		return b
	default:
		return nil
	}
}

func trimPad(s string) string {
	for len(s) > 0 && s[len(s)-1] == '=' {
		s = s[:len(s)-1]
	}
	return s
}

// Exec runs sqls in one pipeline on the server (with Token() when Auth is
// on) and fails the test unless every statement succeeds. It returns one
// result per statement.
func (s *Server) Exec(t testing.TB, sqls ...string) []*StmtResult {
	t.Helper()
	return Exec(t, s.URL(), s.Token(), sqls...)
}

// Query runs one statement and returns its rows converted with Value.Go.
func (s *Server) Query(t testing.TB, sql string) [][]any {
	t.Helper()
	return Rows(s.Exec(t, sql)[0])
}

// Exec runs sqls in one pipeline against baseURL and fails the test unless
// every statement succeeds.
func Exec(t testing.TB, baseURL, token string, sqls ...string) []*StmtResult {
	t.Helper()
	res, err := TryExec(baseURL, token, sqls...)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TryExec is Exec returning an error instead of failing a test.
func TryExec(baseURL, token string, sqls ...string) ([]*StmtResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	status, body, err := PostPipeline(ctx, baseURL, token, PipelineBody(sqls...))
	if err != nil {
		return nil, fmt.Errorf("sqldtest: pipeline to %s: %w", baseURL, err)
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("sqldtest: pipeline to %s: HTTP %d: %s", baseURL, status, body)
	}
	var pr PipelineResponse
	if err := json.Unmarshal(body, &pr); err != nil {
		return nil, fmt.Errorf("sqldtest: pipeline to %s: decoding %s: %w", baseURL, body, err)
	}
	if len(pr.Results) != len(sqls)+1 {
		return nil, fmt.Errorf("sqldtest: pipeline to %s: %d results for %d requests: %s", baseURL, len(pr.Results), len(sqls)+1, body)
	}
	out := make([]*StmtResult, len(sqls))
	for i := range sqls {
		r := pr.Results[i]
		if r.Type != "ok" || r.Response == nil || r.Response.Result == nil {
			msg := string(body)
			if r.Error != nil {
				msg = r.Error.Code + ": " + r.Error.Message
			}
			return nil, fmt.Errorf("sqldtest: %q failed: %s", sqls[i], msg)
		}
		out[i] = r.Response.Result
	}
	return out, nil
}

// Rows converts a result's rows with Value.Go.
func Rows(r *StmtResult) [][]any {
	rows := make([][]any, len(r.Rows))
	for i, row := range r.Rows {
		rows[i] = make([]any, len(row))
		for j, v := range row {
			rows[i][j] = v.Go()
		}
	}
	return rows
}
