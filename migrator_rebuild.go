package libsql

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/gorm-libsql/libsql/internal/txopt"
)

// errNothingToDo stops a table rebuild that would change nothing.
var errNothingToDo = errors.New("nothing to do")

// rebuildTable changes a table the way SQLite's documentation prescribes for
// changes ALTER TABLE cannot make
// (https://www.sqlite.org/lang_altertable.html#otheralter): in one
// transaction it creates the table anew from its definition as edit changes
// it, copies the rows of the columns both share, swaps the tables, recreates
// the table's indexes and triggers and the schema's views and triggers,
// keeps its AUTOINCREMENT sequence, and checks foreign keys before it
// commits. Foreign key enforcement is off meanwhile, so no ON DELETE
// action fires.
func (m Migrator) rebuildTable(table string, edit func(*tableDDL) error) error {
	err := m.withoutForeignKeys(func(tx *gorm.DB) error {
		if err := refuseCascades(tx, table); err != nil {
			return err
		}
		return m.rebuild(tx, table, edit)
	})
	if errors.Is(err, errNothingToDo) {
		return nil
	}
	return err
}

func (m Migrator) rebuild(tx *gorm.DB, table string, edit func(*tableDDL) error) error {
	ddl, err := m.tableDDL(tx, table)
	if err != nil {
		return err
	}
	if err := edit(ddl); err != nil {
		return err
	}
	// The table's indexes and triggers go with it; views, and triggers of
	// other tables, would break the rename of the new table (SQLite checks
	// the whole schema), so they are set aside too and recreated after it.
	var saved []string
	if err := tx.Raw(`SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND (tbl_name = ? AND type IN ('index', 'trigger') OR type IN ('view', 'trigger'))
		ORDER BY type = 'trigger', rowid`, table).Scan(&saved).Error; err != nil {
		return err
	}
	var setAside []struct{ Type, Name string }
	if err := tx.Raw("SELECT type, name FROM sqlite_master WHERE type IN ('view', 'trigger') AND tbl_name <> ? ORDER BY type = 'view', rowid DESC", table).
		Scan(&setAside).Error; err != nil {
		return err
	}
	seq, err := sequenceOf(tx, table)
	if err != nil {
		return err
	}

	temp := table + "__libsql_rebuild"
	if err := tx.Exec(ddl.compile(temp)).Error; err != nil {
		return fmt.Errorf("libsql: rebuild table %q: %w", table, err)
	}
	columns, err := sharedColumns(tx, table, temp)
	if err != nil {
		return err
	}
	steps := []string{fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s", quoteName(temp), columns, columns, quoteName(table))}
	for _, o := range setAside {
		steps = append(steps, fmt.Sprintf("DROP %s %s", strings.ToUpper(o.Type), quoteName(o.Name)))
	}
	steps = append(steps,
		"DROP TABLE "+quoteName(table),
		fmt.Sprintf("ALTER TABLE %s RENAME TO %s", quoteName(temp), quoteName(table)))
	for _, step := range append(steps, saved...) {
		if err := tx.Exec(step).Error; err != nil {
			return fmt.Errorf("libsql: rebuild table %q: %w", table, err)
		}
	}
	if seq.Valid {
		if err := tx.Exec("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?", seq.Int64, table).Error; err != nil {
			return err
		}
	}
	return checkForeignKeys(tx, table)
}

// sequenceOf returns the AUTOINCREMENT counter of table, if it has one.
func sequenceOf(tx *gorm.DB, table string) (sql.NullInt64, error) {
	var seq sql.NullInt64
	var n int
	if err := tx.Raw("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'").Row().Scan(&n); err != nil || n == 0 {
		return seq, err
	}
	err := tx.Raw("SELECT seq FROM sqlite_sequence WHERE name = ?", table).Row().Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return seq, err
}

// sharedColumns lists, quoted, the stored columns of from that to also has.
func sharedColumns(tx *gorm.DB, from, to string) (string, error) {
	var names []string
	err := tx.Raw(`SELECT a.name FROM pragma_table_xinfo(?) AS a JOIN pragma_table_xinfo(?) AS b
		ON a.name = b.name COLLATE NOCASE WHERE a.hidden = 0 AND b.hidden = 0 ORDER BY a.cid`, from, to).Scan(&names).Error
	if err != nil {
		return "", err
	}
	for i, n := range names {
		names[i] = quoteName(n)
	}
	return strings.Join(names, ", "), nil
}

// checkForeignKeys fails when rows of table, or rows referring to it, break
// a foreign key.
func checkForeignKeys(tx *gorm.DB, table string) error {
	rows, err := tx.Raw("SELECT \"table\", parent FROM pragma_foreign_key_check WHERE \"table\" = ? OR parent = ?", table, table).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		var child, parent string
		if err := rows.Scan(&child, &parent); err != nil {
			return err
		}
		return fmt.Errorf("libsql: rebuild table %q: rows of %q would break their foreign key to %q: %w", table, child, parent, gorm.ErrForeignKeyViolated)
	}
	return rows.Err()
}

// refuseCascades fails when foreign keys are enforced (inside a caller's
// transaction, where they cannot be switched off) and other tables refer to
// table: dropping it would fire their ON DELETE actions.
func refuseCascades(tx *gorm.DB, table string) error {
	var enabled bool
	if err := tx.Raw("PRAGMA foreign_keys").Row().Scan(&enabled); err != nil || !enabled {
		return err
	}
	var refs int
	if err := tx.Raw(`SELECT count(*) FROM sqlite_master AS t, pragma_foreign_key_list(t.name) AS f
		WHERE t.type = 'table' AND f."table" = ? COLLATE NOCASE`, table).Row().Scan(&refs); err != nil {
		return err
	}
	if refs > 0 {
		return fmt.Errorf("libsql: changing table %q rebuilds it, which other tables' foreign keys forbid inside a transaction; run the migration outside the transaction", table)
	}
	return nil
}

// withoutForeignKeys runs fc in a transaction with foreign key enforcement
// off: the drivers switch it off on the transaction's connection before
// BEGIN and on after it (txopt). Inside a caller's transaction enforcement
// cannot change, and fc runs in a savepoint as it is.
func (m Migrator) withoutForeignKeys(fc func(tx *gorm.DB) error) error {
	if _, inTx := m.DB.Statement.ConnPool.(gorm.TxCommitter); inTx {
		return m.DB.Transaction(fc)
	}
	ctx := txopt.WithoutForeignKeys(m.DB.Statement.Context)
	return m.transaction(m.DB.WithContext(ctx), fc)
}
