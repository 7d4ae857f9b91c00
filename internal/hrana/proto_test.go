package hrana

import (
	"database/sql/driver"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gorm-libsql/libsql/internal/sqlvalue"
)

func TestAppendValue(t *testing.T) {
	tests := []struct {
		in   driver.Value
		want string
	}{
		{nil, `{"type":"null"}`},
		{int64(math.MinInt64), `{"type":"integer","value":"-9223372036854775808"}`},
		{true, `{"type":"integer","value":"1"}`},
		{false, `{"type":"integer","value":"0"}`},
		{1.5, `{"type":"float","value":1.5}`},
		{2.0, `{"type":"float","value":2.0}`},
		{1e300, `{"type":"float","value":1e+300}`},
		{math.NaN(), `{"type":"null"}`},
		{"a\"b\\c\n\x00é😀", `{"type":"text","value":"a\"b\\c\n\u0000é😀"}`},
		{[]byte(nil), `{"type":"null"}`},
		{[]byte{}, `{"type":"blob","base64":""}`},
		{[]byte{1}, `{"type":"blob","base64":"AQ=="}`},
		{time.Date(2024, 1, 2, 3, 4, 5, 6, time.FixedZone("x", 3600)), `{"type":"text","value":"2024-01-02 02:04:05.000000006+00:00"}`},
	}
	for _, tt := range tests {
		b, err := appendValue(nil, tt.in, 1)
		require.NoError(t, err, "%#v", tt.in)
		assert.Equal(t, tt.want, string(b))
		assert.True(t, json.Valid(b), string(b))
	}
	for _, bad := range []driver.Value{math.Inf(1), math.Inf(-1), "\xff", struct{}{}} {
		_, err := appendValue(nil, bad, 3)
		require.Error(t, err, "%#v", bad)
		assert.Contains(t, err.Error(), "parameter 3")
	}
}

func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", "\x00\x01\x1f\x7f", "<&>", "\u2028", "tab\tcr\r", "日本語", "a\xffb"} {
		got := appendJSONString(nil, s)
		var back string
		require.NoError(t, json.Unmarshal(got, &back), string(got))
		assert.Equal(t, strings.ToValidUTF8(s, "\uFFFD"), back)
	}
}

func TestPipelineEncode(t *testing.T) {
	p := pipeline{
		baton: "b1",
		steps: []hstmt{{sql: "BEGIN"}, {sql: "SELECT ?", args: []driver.Value{int64(1)}, wantRows: true}},
		extra: []batchStep{{stmt: hstmt{sql: "ROLLBACK"}, cond: condNotAutocommit}},
		close: true, getAutocommit: true,
	}
	b, err := p.encode(nil)
	require.NoError(t, err)
	assert.JSONEq(t, `{"baton":"b1","requests":[
		{"type":"batch","batch":{"steps":[
			{"stmt":{"sql":"BEGIN","want_rows":false}},
			{"condition":{"type":"ok","step":0},"stmt":{"sql":"SELECT ?","args":[{"type":"integer","value":"1"}],"want_rows":true}},
			{"condition":{"type":"not","cond":{"type":"is_autocommit"}},"stmt":{"sql":"ROLLBACK","want_rows":false}}]}},
		{"type":"get_autocommit"},{"type":"close"}]}`, string(b))
	assert.Equal(t, 3, p.requests())

	b, err = (&pipeline{close: true}).encode(nil)
	require.NoError(t, err)
	assert.JSONEq(t, `{"baton":null,"requests":[{"type":"close"}]}`, string(b))
}

func TestDecodeValues(t *testing.T) {
	var row []protoValue
	require.NoError(t, json.Unmarshal([]byte(`[
		{"type":"null"},{"type":"integer","value":"9223372036854775807"},{"type":"float","value":1.0},
		{"type":"float","value":"-Infinity"},{"type":"text","value":"2024-01-01"},{"type":"blob","base64":""},
		{"type":"blob","base64":"AQ"},{"type":"blob","base64":"AQ=="},{"type":"blob","base64":"AQL/"},
		{"type":"integer","value":"1"},{"type":"text","value":"2024-01-01"},{"type":"integer","value":"0"}]`), &row))
	kinds := []sqlvalue.Kind{0, 0, 0, 0, 0, 0, 0, 0, 0, sqlvalue.KindBool, sqlvalue.KindTime, sqlvalue.KindTime}
	want := []driver.Value{nil, int64(math.MaxInt64), 1.0, math.Inf(-1), "2024-01-01", []byte{}, []byte{1}, []byte{1}, []byte{1, 2, 255},
		true, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(0, 0).UTC()}
	for i := range row {
		got, err := row[i].toDriver(kinds[i], time.UTC)
		require.NoError(t, err, i)
		assert.Equal(t, want[i], got, i)
	}
	b, _ := row[5].toDriver(0, nil)
	assert.NotNil(t, b, "an empty blob is a non-nil []byte")

	var inf protoValue
	require.NoError(t, json.Unmarshal([]byte(`{"type":"float","value":null}`), &inf))
	_, err := inf.toDriver(0, nil)
	require.Error(t, err, "an infinity (null on the wire) is not read as NULL")
	assert.Contains(t, err.Error(), "infinite REAL")

	for _, bad := range []string{`{"type":"integer","value":"x"}`, `{"type":"blob","base64":"!!"}`, `{"type":"what"}`, `{"type":"text","value":1}`} {
		var v protoValue
		require.NoError(t, json.Unmarshal([]byte(bad), &v))
		_, err := v.toDriver(0, nil)
		assert.ErrorIs(t, err, ErrProtocol, bad)
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		in, base, host, token string
	}{
		{"libsql://db.example.com", "https://db.example.com", "db.example.com", ""},
		{"libsql://db.example.com?tls=0", "http://db.example.com", "db.example.com", ""},
		{"https://db.example.com:8443/prefix/", "https://db.example.com:8443/prefix", "db.example.com:8443", ""},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080", "127.0.0.1:8080", ""},
		{"wss://db.example.com", "https://db.example.com", "db.example.com", ""},
		{"ws://localhost:1234", "http://localhost:1234", "localhost:1234", ""},
		{"LIBSQL://db.example.com?authToken=sekrit", "https://db.example.com", "db.example.com", "sekrit"},
	}
	for _, tt := range tests {
		base, host, token, err := parseURL(tt.in)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.base, base, tt.in)
		assert.Equal(t, tt.host, host, tt.in)
		assert.Equal(t, tt.token, token, tt.in)
	}
	bad := []struct{ in, msg string }{
		{"", "empty"},
		{"ftp://x", `unsupported URL scheme "ftp"`},
		{"file:test.db", `unsupported URL scheme "file"`},
		{"db.example.com", "no scheme"},
		{"https://user:sekrit@db.example.com", "credentials"},
		{"https://db.example.com?authToken=sekrit&foo=1", `unknown parameter "foo"`},
		{"https://db.example.com?tls=0&authToken=sekrit", "tls=0 applies to libsql"},
		{"https://db.example.com#sekrit", "fragment"},
		{"https://%zz?authToken=sekrit", "does not parse"},
		{"https:///path?authToken=sekrit", "no host"},
	}
	for _, tt := range bad {
		_, err := NewConnector(tt.in, Options{})
		require.Error(t, err, tt.in)
		assert.Contains(t, err.Error(), tt.msg, tt.in)
		assert.NotContains(t, err.Error(), "sekrit", tt.in)
	}
	c, err := NewConnector("libsql://db.example.com?authToken=fromurl", Options{})
	require.NoError(t, err)
	assert.Equal(t, "fromurl", c.client.token)
	c, err = NewConnector("libsql://db.example.com?authToken=fromurl", Options{AuthToken: "explicit"})
	require.NoError(t, err)
	assert.Equal(t, "explicit", c.client.token)
}
