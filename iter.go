package libsql

import (
	"iter"

	"gorm.io/gorm"
)

// Rows iterates over the rows of a query as values of T, reading one row at
// a time, so memory stays flat however many rows the query returns:
//
//	for user, err := range libsql.Rows[User](db.Where("age > ?", 18).Order("id")) {
//		if err != nil { ... }
//	}
//
// The query runs when the loop starts; leaving the loop early closes it.
// Local databases stream rows from the engine; remote ones receive the
// result whole.
func Rows[T any](db *gorm.DB) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		tx := db
		if tx.Statement.Model == nil && tx.Statement.Table == "" && tx.Statement.SQL.Len() == 0 {
			tx = tx.Model(new(T))
		}
		rows, err := tx.Rows()
		if err != nil {
			yield(zero, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var v T
			if err := tx.ScanRows(rows, &v); err != nil {
				yield(zero, err)
				return
			}
			if !yield(v, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(zero, err)
		}
	}
}
