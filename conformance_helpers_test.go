package libsql_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// confTrace is one statement seen by confTraceLogger.
type confTrace struct {
	SQL  string
	Rows int64
	Err  error
}

// confTraceLogger is a gorm logger.Interface that records every Trace call,
// so tests can assert which SQL GORM actually ran.
type confTraceLogger struct {
	mu      sync.Mutex
	entries []confTrace
}

func (l *confTraceLogger) LogMode(logger.LogLevel) logger.Interface      { return l }
func (l *confTraceLogger) Info(context.Context, string, ...interface{})  {}
func (l *confTraceLogger) Warn(context.Context, string, ...interface{})  {}
func (l *confTraceLogger) Error(context.Context, string, ...interface{}) {}

func (l *confTraceLogger) Trace(_ context.Context, _ time.Time, fc func() (string, int64), err error) {
	sql, rows := fc()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, confTrace{SQL: sql, Rows: rows, Err: err})
}

// Entries returns a copy of everything traced so far.
func (l *confTraceLogger) Entries() []confTrace {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]confTrace(nil), l.entries...)
}

// Reset forgets everything traced so far.
func (l *confTraceLogger) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = nil
}

// Matching returns the traced statements whose SQL starts with prefix
// (case-insensitive, leading blanks ignored).
func (l *confTraceLogger) Matching(prefix string) []confTrace {
	var out []confTrace
	for _, e := range l.Entries() {
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(e.SQL)), strings.ToUpper(prefix)) {
			out = append(out, e)
		}
	}
	return out
}

// confTraced returns a session of db whose statements are recorded.
func confTraced(db *gorm.DB) (*gorm.DB, *confTraceLogger) {
	l := &confTraceLogger{}
	return db.Session(&gorm.Session{Logger: l}), l
}

// confMigrate creates the tables of models or fails the test.
func confMigrate(t *testing.T, db *gorm.DB, models ...interface{}) {
	t.Helper()
	require.NoError(t, db.AutoMigrate(models...))
}

// confCount counts the rows of table with an optional WHERE condition.
func confCount(t *testing.T, db *gorm.DB, table string, where string, args ...interface{}) int64 {
	t.Helper()
	var n int64
	q := db.Table(table)
	if where != "" {
		q = q.Where(where, args...)
	}
	require.NoError(t, q.Count(&n).Error)
	return n
}
