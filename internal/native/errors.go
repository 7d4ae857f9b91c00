package native

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Error is an error reported by the SQLite engine.
//
// Code is the primary result code (e.g. 19, SQLITE_CONSTRAINT), ExtendedCode
// the extended result code (e.g. 2067, SQLITE_CONSTRAINT_UNIQUE; equal to
// Code when the engine gave no extended code) and Msg the engine's message
// (sqlite3_errmsg).
//
// Problems the driver detects before asking the engine are *Error values
// too, with the code SQLite uses for the same kind of problem: CodeRange
// for a wrong number of arguments, CodeMismatch for an argument of an
// unsupported type or an unsigned value above math.MaxInt64, CodeTooBig for
// oversized text, CodeMisuse for use of a closed statement or finished
// transaction. Configuration errors (NewConnector, an unsupported isolation
// level) are plain errors, and an ended context is reported as ctx.Err().
type Error struct {
	Code         int
	ExtendedCode int
	Msg          string
}

// Primary result codes, for comparison with Error.Code.
const (
	CodeError      = 1
	CodeInternal   = 2
	CodePerm       = 3
	CodeAbort      = 4
	CodeBusy       = 5
	CodeLocked     = 6
	CodeNoMem      = 7
	CodeReadOnly   = 8
	CodeInterrupt  = 9
	CodeIOErr      = 10
	CodeCorrupt    = 11
	CodeFull       = 13
	CodeCantOpen   = 14
	CodeSchema     = 17
	CodeTooBig     = 18
	CodeConstraint = 19
	CodeMismatch   = 20
	CodeMisuse     = 21
	CodeRange      = 25
	CodeNotADB     = 26
)

// Extended result codes, for comparison with Error.ExtendedCode.
const (
	ExtBusySnapshot         = 517
	ExtReadOnlyDBMoved      = 1032
	ExtConstraintCheck      = 275
	ExtConstraintForeignKey = 787
	ExtConstraintNotNull    = 1299
	ExtConstraintPrimaryKey = 1555
	ExtConstraintTrigger    = 1811
	ExtConstraintUnique     = 2067
	ExtConstraintRowID      = 2579
	ExtConstraintDataType   = 3091
	ExtConstraintCommitHook = 531
	ExtConstraintFunction   = 1043
	ExtConstraintVTab       = 2323
	ExtConstraintPinned     = 2835
	ExtIOErrShortRead       = 522
	ExtCantOpenIsDir        = 526
	ExtCantOpenFullPath     = 782
	ExtCantOpenNoTempDir    = 270
	ExtCantOpenConvPath     = 1038
	ExtBusyRecovery         = 261
	ExtLockedSharedCache    = 262
	ExtReadOnlyRollback     = 776
	ExtAbortRollback        = 516
)

// Error returns "sqlite: <message> (code <extended code>)".
func (e *Error) Error() string {
	return "sqlite: " + e.Msg + " (code " + strconv.Itoa(e.ExtendedCode) + ")"
}

// Is makes errors.Is match an *Error target by code: a target's non-zero
// ExtendedCode must equal e.ExtendedCode and its non-zero Code must equal
// e.Code; Msg is ignored. So errors.Is(err, &Error{Code: CodeConstraint})
// matches every constraint violation and
// errors.Is(err, &Error{ExtendedCode: ExtConstraintUnique}) only UNIQUE ones.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok || t == nil {
		return false
	}
	if t.Code == 0 && t.ExtendedCode == 0 {
		return false
	}
	return (t.Code == 0 || t.Code == e.Code) && (t.ExtendedCode == 0 || t.ExtendedCode == e.ExtendedCode)
}

// IsConstraint reports whether e is a constraint violation (SQLITE_CONSTRAINT).
func (e *Error) IsConstraint() bool { return e.Code == CodeConstraint }

// IsBusy reports whether e is SQLITE_BUSY or SQLITE_LOCKED: the database or a
// table was locked by another connection.
func (e *Error) IsBusy() bool { return e.Code == CodeBusy || e.Code == CodeLocked }

// driverError is an *Error detected by the driver itself, before the engine
// was asked: wrong argument count or type, misuse of a closed object.
func driverError(code int, format string, args ...any) *Error {
	return &Error{Code: code, ExtendedCode: code, Msg: fmt.Sprintf(format, args...)}
}

// lastError builds the *Error for result code rc that the handle just
// returned.
func (d cdb) lastError(rc int) *Error {
	primary := rc & 0xff
	ext, dbPrimary, msg := d.errInfo()
	if dbPrimary != primary {
		// The handle's error state belongs to another call; fall back to
		// the generic text of rc.
		return &Error{Code: primary, ExtendedCode: rc, Msg: errstr(rc)}
	}
	if ext&0xff != primary {
		ext = rc
	}
	return &Error{Code: primary, ExtendedCode: ext, Msg: msg}
}

// stepError turns a failed step's result code into the error to report: the
// context's error when the statement was interrupted because ctx ended,
// otherwise an *Error.
func (c *Conn) stepError(ctx context.Context, rc int) error {
	if rc&0xff == rcInterrupt && ctx != nil {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return c.d.lastError(rc)
}

// openError describes a failed open of path, adding the likely reason when
// the engine only says it cannot open the file.
func openError(path string, rc int, msg string) *Error {
	text := "open " + strconv.Quote(path) + ": " + msg
	if rc&0xff == rcCantOpen {
		if why := cantOpenReason(path); why != "" {
			text += ": " + why
		}
	}
	return &Error{Code: rc & 0xff, ExtendedCode: rc, Msg: text}
}

// cantOpenReason looks at the file system for why path cannot be opened.
func cantOpenReason(path string) string {
	p := path
	if strings.HasPrefix(p, "file:") {
		p = strings.TrimPrefix(p, "file:")
		if i := strings.IndexAny(p, "?#"); i >= 0 {
			p = p[:i]
		}
		if strings.HasPrefix(p, "//") {
			p = strings.TrimPrefix(p, "//localhost")
			p = strings.TrimPrefix(p, "//")
		}
	}
	if p == "" || p == ":memory:" {
		return ""
	}
	dir := filepath.Dir(p)
	st, err := os.Stat(dir)
	switch {
	case os.IsNotExist(err):
		return "directory " + strconv.Quote(dir) + " does not exist"
	case os.IsPermission(err):
		return "permission denied on directory " + strconv.Quote(dir)
	case err != nil:
		return err.Error()
	case !st.IsDir():
		return strconv.Quote(dir) + " is not a directory"
	}
	if fi, err := os.Stat(p); err == nil && fi.IsDir() {
		return strconv.Quote(p) + " is a directory"
	} else if os.IsPermission(err) {
		return "permission denied"
	}
	return ""
}
