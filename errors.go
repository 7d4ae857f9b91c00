package libsql

import (
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/gorm-libsql/libsql/internal/conn"
)

var (
	// ErrInvalidDSN is returned for a data source name or Config that cannot
	// describe a database.
	ErrInvalidDSN = errors.New("invalid data source")
	// ErrWrongKey is returned when a database cannot be read with the
	// encryption key given: the key is wrong or missing, or the file is not
	// a database.
	ErrWrongKey = conn.ErrWrongKey
	// ErrAuthentication is returned when a remote server refuses the auth
	// token: it is missing, forged or expired.
	ErrAuthentication = conn.ErrAuthentication
	// ErrPermission is returned when the auth token does not allow a
	// request, such as a write with a read-only token.
	ErrPermission = conn.ErrPermission
)

// MinKeyLength is the shortest encryption key accepted.
const MinKeyLength = 32

// SQLite extended result codes of constraint violations.
const (
	codeConstraintCheck      = 275
	codeConstraintForeignKey = 787
	codeConstraintPrimaryKey = 1555
	codeConstraintUnique     = 2067
)

var errorsByCode = map[int]error{
	codeConstraintUnique:     gorm.ErrDuplicatedKey,
	codeConstraintPrimaryKey: gorm.ErrDuplicatedKey,
	codeConstraintForeignKey: gorm.ErrForeignKeyViolated,
	codeConstraintCheck:      gorm.ErrCheckConstraintViolated,
}

// Remote servers report violations as text only; these are the engine's
// messages, which every transport carries verbatim.
var errorsByMessage = []struct {
	text string
	err  error
}{
	{"UNIQUE constraint failed", gorm.ErrDuplicatedKey},
	{"PRIMARY KEY constraint failed", gorm.ErrDuplicatedKey},
	{"FOREIGN KEY constraint failed", gorm.ErrForeignKeyViolated},
	{"CHECK constraint failed", gorm.ErrCheckConstraintViolated},
}

// Translate maps constraint violations to GORM's sentinel errors
// (gorm.ErrDuplicatedKey, gorm.ErrForeignKeyViolated,
// gorm.ErrCheckConstraintViolated) when gorm.Config.TranslateError is set.
// The result matches the sentinel with errors.Is and keeps the engine's
// message, which names the table and column.
func (Dialector) Translate(err error) error {
	if sentinel := translate(err); sentinel != nil {
		return fmt.Errorf("%w: %w", sentinel, err)
	}
	return err
}

func translate(err error) error {
	if err == nil {
		return nil
	}
	for _, sentinel := range errorsByCode {
		if errors.Is(err, sentinel) {
			return nil // already translated
		}
	}
	if code, ok := conn.ErrorCode(err); ok {
		return errorsByCode[code]
	}
	if code, ok := conn.ServerCode(err); ok && !strings.HasPrefix(code, "SQLITE_CONSTRAINT") {
		return nil // the server's code says it is no violation, whatever the message quotes
	}
	msg := err.Error()
	for _, m := range errorsByMessage {
		if strings.Contains(msg, m.text) {
			return m.err
		}
	}
	return nil
}
