package libsql

import (
	"database/sql"
	"fmt"

	"gorm.io/gorm"
)

// ConnInfo is what the engine knows about one connection, like ecto_libsql's
// connection metadata.
type ConnInfo struct {
	// LastInsertRowID is the rowid of the last row inserted.
	LastInsertRowID int64
	// Changes is the number of rows changed by the last INSERT, UPDATE or
	// DELETE.
	Changes int64
	// TotalChanges is the number of rows changed since the connection opened.
	TotalChanges int64
	// Autocommit reports whether no transaction is open.
	Autocommit bool
}

// Info returns the metadata of the connection db runs on. The numbers are
// per connection, so db must be pinned to one: inside db.Transaction or
// db.Connection, or a transaction from db.Begin. On a pool it reports an
// arbitrary connection.
func Info(db *gorm.DB) (ConnInfo, error) {
	var info ConnInfo
	row := db.Raw("SELECT last_insert_rowid(), changes(), total_changes()").Row()
	if err := row.Scan(&info.LastInsertRowID, &info.Changes, &info.TotalChanges); err != nil {
		return info, fmt.Errorf("libsql: reading connection info: %w", err)
	}
	info.Autocommit = true
	switch pool := db.Statement.ConnPool.(type) {
	case gorm.TxCommitter:
		info.Autocommit = false
	case *sql.Conn:
		err := pool.Raw(func(c any) error {
			if ac, ok := c.(interface{ Autocommit() bool }); ok {
				info.Autocommit = ac.Autocommit()
			}
			return nil
		})
		if err != nil {
			return info, fmt.Errorf("libsql: reading connection info: %w", err)
		}
	}
	return info, nil
}
