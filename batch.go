package libsql

import (
	"errors"

	"gorm.io/gorm"
)

// Statement is one SQL statement of a batch with its arguments.
type Statement struct {
	SQL  string
	Args []any
}

// BatchResult is the outcome of one statement of a batch.
type BatchResult struct {
	RowsAffected int64
	Err          error
}

// Batch runs statements one after another, each on its own, like
// ecto_libsql's batch: a failing statement does not stop the others. It
// returns one result per statement, and the errors of all failed statements
// joined.
func Batch(db *gorm.DB, statements []Statement) ([]BatchResult, error) {
	results := make([]BatchResult, len(statements))
	var errs []error
	for i, s := range statements {
		res := db.Session(&gorm.Session{NewDB: true}).Exec(s.SQL, s.Args...)
		results[i] = BatchResult{RowsAffected: res.RowsAffected, Err: res.Error}
		if res.Error != nil {
			errs = append(errs, res.Error)
		}
	}
	return results, errors.Join(errs...)
}

// BatchTransactional runs statements in one transaction, like ecto_libsql's
// batch_transactional: all of them take effect, or, when one fails, none
// does. The results of a failed batch hold the error of the statement that
// failed; the statements after it did not run.
func BatchTransactional(db *gorm.DB, statements []Statement) ([]BatchResult, error) {
	results := make([]BatchResult, len(statements))
	err := db.Transaction(func(tx *gorm.DB) error {
		for i, s := range statements {
			res := tx.Exec(s.SQL, s.Args...)
			results[i] = BatchResult{RowsAffected: res.RowsAffected, Err: res.Error}
			if res.Error != nil {
				return res.Error
			}
		}
		return nil
	})
	return results, err
}
