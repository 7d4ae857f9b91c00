package libsql

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gorm-libsql/libsql/internal/hrana"
	"github.com/gorm-libsql/libsql/internal/native"
)

var gormSentinels = []error{gorm.ErrDuplicatedKey, gorm.ErrForeignKeyViolated, gorm.ErrCheckConstraintViolated}

// fuzzError builds the error Translate is given: an engine error (local
// files), a server error (remote), a plain error (as replicas and wrappers
// produce) or a wrapped engine error.
func fuzzError(kind uint8, code int, hranaCode, msg string) error {
	switch kind % 4 {
	case 0:
		return &native.Error{Code: code & 0xff, ExtendedCode: code, Msg: msg}
	case 1:
		return &hrana.Error{Code: hranaCode, Message: msg}
	case 2:
		return errors.New(msg)
	default:
		return fmt.Errorf("wrapped: %w", &native.Error{Code: code & 0xff, ExtendedCode: code, Msg: msg})
	}
}

// FuzzTranslate: Translate never panics, keeps the error it translates
// (errors.Is and its text), is idempotent, maps to at most one GORM
// sentinel, and maps errors that carry a code by their code alone: an
// engine or server error that is no constraint violation is never
// translated, whatever its message says.
func FuzzTranslate(f *testing.F) {
	seeds := []struct {
		kind      uint8
		code      int
		hranaCode string
		msg       string
	}{
		{0, 2067, "", "UNIQUE constraint failed: users.email"},
		{0, 1555, "", "UNIQUE constraint failed: users.id"},
		{0, 787, "", "FOREIGN KEY constraint failed"},
		{0, 275, "", "CHECK constraint failed: age > 0"},
		{0, 1299, "", "NOT NULL constraint failed: users.name"},
		{0, 1, "", "no such table: UNIQUE constraint failed"},
		{0, 19, "", "UNIQUE constraint failed: x"},
		{0, 0, "", ""},
		{0, -1, "", "negative"},
		{1, 0, "SQLITE_CONSTRAINT", "UNIQUE constraint failed: users.email"},
		{1, 0, "SQLITE_CONSTRAINT_UNIQUE", "UNIQUE constraint failed: users.email"},
		{1, 0, "SQLITE_CONSTRAINT_FOREIGNKEY", "FOREIGN KEY constraint failed"},
		{1, 0, "SQLITE_CONSTRAINT_CHECK", "CHECK constraint failed: c"},
		{1, 0, "SQLITE_ERROR", "no such table: UNIQUE constraint failed"},
		{1, 0, "SQLITE_UNKNOWN", "near \"CHECK constraint failed\": syntax error"},
		{1, 0, "SQL_PARSE_ERROR", "SQL string could not be parsed: FOREIGN KEY constraint failed"},
		{1, 0, "", "UNIQUE constraint failed: t.c"},
		{2, 0, "", "native: replica exec: primary: UNIQUE constraint failed: t.c"},
		{2, 0, "", "FOREIGN KEY constraint failed UNIQUE constraint failed"},
		{2, 0, "", "sql: database is closed"},
		{3, 2067, "", "UNIQUE constraint failed: t.c"},
		{3, 5, "", "database is locked"},
	}
	for _, s := range seeds {
		f.Add(s.kind, s.code, s.hranaCode, s.msg)
	}
	f.Fuzz(func(t *testing.T, kind uint8, code int, hranaCode, msg string) {
		if (Dialector{}).Translate(nil) != nil {
			t.Fatal("Translate(nil) != nil")
		}
		in := fuzzError(kind, code, hranaCode, msg)
		out := (Dialector{}).Translate(in)
		if out == nil {
			t.Fatalf("Translate(%v) = nil", in)
		}
		if !errors.Is(out, in) {
			t.Fatalf("Translate(%v) = %v, which no longer matches the original error", in, out)
		}
		if !strings.Contains(out.Error(), in.Error()) {
			t.Fatalf("Translate(%v) = %v, which lost the engine's message", in, out)
		}
		if again := (Dialector{}).Translate(out); again.Error() != out.Error() {
			t.Fatalf("Translate is not idempotent: %v, then %v", out, again)
		}
		var matched []error
		for _, s := range gormSentinels {
			if errors.Is(out, s) {
				matched = append(matched, s)
			}
		}
		if len(matched) > 1 {
			t.Fatalf("Translate(%v) matches several sentinels: %v", in, matched)
		}
		var ne *native.Error
		if errors.As(in, &ne) {
			want := errorsByCode[ne.ExtendedCode]
			if (want == nil) != (len(matched) == 0) || (want != nil && matched[0] != want) {
				t.Fatalf("Translate(%v) (extended code %d) matches %v, want %v", in, ne.ExtendedCode, matched, want)
			}
		}
		var he *hrana.Error
		if errors.As(in, &he) && he.Code != "" && !he.IsConstraint() && len(matched) > 0 {
			t.Fatalf("Translate(%v): a %s error is no constraint violation, but it matches %v", in, he.Code, matched)
		}
	})
}
