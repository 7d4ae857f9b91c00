package hrana

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeServer answers pipelines with canned JSON, recording the bodies.
type fakeServer struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []map[string]any
	paths  []string
	conns  atomic.Int64
	answer func(n int, body map[string]any) (int, string)
}

func newFake(t *testing.T, answer func(n int, body map[string]any) (int, string)) *fakeServer {
	f := &fakeServer{answer: answer}
	f.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(data, &body)
		f.mu.Lock()
		n := len(f.bodies)
		f.bodies = append(f.bodies, body)
		f.paths = append(f.paths, r.URL.Path)
		f.mu.Unlock()
		status, out := f.answer(n, body)
		w.WriteHeader(status)
		io.WriteString(w, out+"\n")
	}))
	f.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			f.conns.Add(1)
		}
	}
	f.Start()
	t.Cleanup(f.Close)
	return f
}

const okSelect1 = `{"baton":null,"base_url":null,"results":[{"type":"ok","response":{"type":"batch","result":{"step_results":[{"cols":[{"name":"1","decltype":null}],"rows":[[{"type":"integer","value":"1"}]],"affected_row_count":0,"last_insert_rowid":null}],"step_errors":[null]}}},{"type":"ok","response":{"type":"close"}}]}`

func TestKeepAliveReusesConnections(t *testing.T) {
	f := newFake(t, func(int, map[string]any) (int, string) { return 200, okSelect1 })
	db := open(t, f.URL+"/prefix", Options{AuthToken: "tok"})
	db.SetMaxOpenConns(1)
	for range 5 {
		var n int
		require.NoError(t, db.QueryRow(`SELECT 1`).Scan(&n))
	}
	assert.Equal(t, int64(1), f.conns.Load(), "one HTTP connection for all requests")
	assert.Equal(t, "/prefix/v3/pipeline", f.paths[0])
}

func TestBaseURLMovesTheStream(t *testing.T) {
	var other *fakeServer
	other = newFake(t, func(n int, body map[string]any) (int, string) {
		return 200, `{"baton":"b2","base_url":null,"results":[{"type":"ok","response":{"type":"batch","result":{"step_results":[{"cols":[],"rows":[],"affected_row_count":1,"last_insert_rowid":"7"}],"step_errors":[null]}}}]}`
	})
	first := newFake(t, func(n int, body map[string]any) (int, string) {
		return 200, `{"baton":"b1","base_url":"` + other.URL + `","results":[{"type":"ok","response":{"type":"batch","result":{"step_results":[{"cols":[],"rows":[],"affected_row_count":0,"last_insert_rowid":null},{"cols":[],"rows":[],"affected_row_count":1,"last_insert_rowid":"5"}],"step_errors":[null,null]}}}]}`
	})
	db := open(t, first.URL, Options{})
	tx, err := db.Begin()
	require.NoError(t, err)
	res, err := tx.Exec(`INSERT INTO t VALUES (1)`)
	require.NoError(t, err)
	id, _ := res.LastInsertId()
	assert.Equal(t, int64(5), id)
	res, err = tx.Exec(`INSERT INTO t VALUES (2)`)
	require.NoError(t, err)
	id, _ = res.LastInsertId()
	assert.Equal(t, int64(7), id)
	require.Len(t, other.bodies, 1, "the second request went to base_url")
	assert.Equal(t, "b1", other.bodies[0]["baton"])
	require.Len(t, first.bodies, 1)
	assert.Nil(t, first.bodies[0]["baton"])

	c := &client{base: "https://a.example"}
	_, ok := c.streamBase("http://b.example")
	assert.False(t, ok, "no downgrade to http")
	_, ok = c.streamBase("ftp://b.example")
	assert.False(t, ok)
	got, ok := c.streamBase("https://b.example/x?q=1")
	assert.True(t, ok)
	assert.Equal(t, "https://b.example/x", got)
}

func TestServerAnswers(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"not found", 404, `Not Found`, "not found (is this a libSQL server"},
		{"plain 500", 500, `boom`, "request failed (HTTP 500): boom"},
		{"json error", 500, `{"error":"invalid utf-8 sequence"}`, "invalid utf-8 sequence"},
		{"html", 502, `<html>bad gateway</html>`, "request failed (HTTP 502)"},
		{"not json", 200, `hello`, "protocol error"},
		{"wrong result count", 200, `{"baton":null,"base_url":null,"results":[]}`, "protocol error"},
		{"echoed token", 401, `{"message":"bad token sekrit-token","code":"AUTH"}`, "bad token [REDACTED]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(int, map[string]any) (int, string) { return tt.status, tt.body })
			db := open(t, f.URL, Options{AuthToken: "sekrit-token"})
			_, err := db.ExecContext(context.Background(), `SELECT 1`)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			noSecret(t, err, "sekrit-token")
		})
	}
}

func TestRequestBody(t *testing.T) {
	f := newFake(t, func(int, map[string]any) (int, string) {
		return 200, `{"baton":null,"base_url":null,"results":[{"type":"ok","response":{"type":"batch","result":{"step_results":[{"cols":[],"rows":[],"affected_row_count":0,"last_insert_rowid":null},{"cols":[],"rows":[],"affected_row_count":0,"last_insert_rowid":null}],"step_errors":[null,null]}}},{"type":"ok","response":{"type":"close"}}]}`
	})
	db := open(t, f.URL, Options{Init: []string{"PRAGMA foreign_keys = ON"}, AuthToken: "tok"})
	_, err := db.Exec(`INSERT INTO t VALUES (:a, :a)`, sql.Named("a", []byte{1, 2}))
	require.NoError(t, err)
	b, _ := json.Marshal(f.bodies[0])
	assert.JSONEq(t, `{"baton":null,"requests":[
		{"type":"batch","batch":{"steps":[
			{"stmt":{"sql":"PRAGMA foreign_keys = ON","want_rows":false}},
			{"condition":{"type":"ok","step":0},"stmt":{"sql":"INSERT INTO t VALUES (:a, :a)","named_args":[{"name":":a","value":{"type":"blob","base64":"AQI="}}],"want_rows":false}}]}},
		{"type":"close"}]}`, string(b))
}
