package txopt

import (
	"database/sql"
	"testing"
)

func TestBeginStatement(t *testing.T) {
	for level, want := range map[sql.IsolationLevel]string{
		sql.LevelDefault:        "BEGIN",
		sql.LevelSerializable:   "BEGIN",
		sql.LevelWriteCommitted: "BEGIN IMMEDIATE",
		sql.LevelLinearizable:   "BEGIN EXCLUSIVE",
	} {
		if got, err := BeginStatement(level); err != nil || got != want {
			t.Errorf("BeginStatement(%v) = %q, %v; want %q", level, got, err, want)
		}
	}
	for _, level := range []sql.IsolationLevel{sql.LevelReadUncommitted, sql.LevelReadCommitted, sql.LevelRepeatableRead, sql.LevelSnapshot} {
		if _, err := BeginStatement(level); err == nil || err.Error() != "isolation level "+level.String()+" is not supported" {
			t.Errorf("BeginStatement(%v): err %v", level, err)
		}
	}
}
