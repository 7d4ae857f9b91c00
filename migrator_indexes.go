package libsql

import (
	"database/sql"
	"errors"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/migrator"
	"gorm.io/gorm/schema"
)

// BuildIndexOptions renders the columns of an index: a quoted column or an
// expression, with COLLATE and sort order.
func (m Migrator) BuildIndexOptions(opts []schema.IndexOption, stmt *gorm.Statement) (results []interface{}) {
	for _, opt := range opts {
		str := stmt.Quote(opt.DBName)
		if opt.Expression != "" {
			str = opt.Expression
		}
		if opt.Collate != "" {
			str += " COLLATE " + opt.Collate
		}
		if opt.Sort != "" {
			str += " " + opt.Sort
		}
		results = append(results, clause.Expr{SQL: str})
	}
	return results
}

// CreateIndex creates the model's index called name: unique or not, on
// columns or expressions, partial with a WHERE clause.
func (m Migrator) CreateIndex(value interface{}, name string) error {
	return m.RunWithValue(value, func(stmt *gorm.Statement) error {
		if stmt.Schema == nil {
			return errors.New("libsql: CreateIndex needs a model")
		}
		idx := stmt.Schema.LookIndex(name)
		if idx == nil {
			return fmt.Errorf("libsql: model %s has no index %q", stmt.Schema.Name, name)
		}
		sql := "CREATE "
		if idx.Class != "" {
			sql += idx.Class + " "
		}
		sql += "INDEX ? ON ??"
		if idx.Where != "" {
			sql += " WHERE " + idx.Where
		}
		return m.DB.Exec(sql, clause.Column{Name: idx.Name}, m.CurrentTable(stmt), m.BuildIndexOptions(idx.Fields, stmt)).Error
	})
}

// HasIndex reports whether the table of value has the index called name
// (or the model's index of that name or field).
func (m Migrator) HasIndex(value interface{}, name string) bool {
	var count int
	_ = m.RunWithValue(value, func(stmt *gorm.Statement) error {
		name = m.indexName(stmt, name)
		return m.DB.Raw("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name = ?", stmt.Table, name).Row().Scan(&count)
	})
	return count > 0
}

// DropIndex drops the index called name.
func (m Migrator) DropIndex(value interface{}, name string) error {
	return m.RunWithValue(value, func(stmt *gorm.Statement) error {
		return m.DB.Exec("DROP INDEX ?", clause.Column{Name: m.indexName(stmt, name)}).Error
	})
}

// RenameIndex renames an index; SQLite has none, so the index is recreated
// under the new name in one transaction.
func (m Migrator) RenameIndex(value interface{}, oldName, newName string) error {
	return m.RunWithValue(value, func(stmt *gorm.Statement) error {
		var ddl string
		err := m.DB.Raw("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name = ?", stmt.Table, oldName).Row().Scan(&ddl)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("libsql: table %q has no index %q", stmt.Table, oldName)
		}
		if err != nil {
			return err
		}
		renamed, err := renameIndexDDL(ddl, newName)
		if err != nil {
			return err
		}
		return m.DB.Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec("DROP INDEX ?", clause.Column{Name: oldName}).Error; err != nil {
				return err
			}
			return tx.Exec(renamed).Error
		})
	})
}

// renameIndexDDL replaces the name in "CREATE [UNIQUE] INDEX [IF NOT EXISTS]
// name ON ...".
func renameIndexDDL(ddl, newName string) (string, error) {
	toks := sqlTokens(ddl)
	for i, tok := range toks {
		if tok.word != "INDEX" {
			continue
		}
		i++
		if i+2 < len(toks) && toks[i].word == "IF" && toks[i+1].word == "NOT" && toks[i+2].word == "EXISTS" {
			i += 3
		}
		if i >= len(toks) {
			break
		}
		name := toks[i]
		return ddl[:name.pos] + quoteName(newName) + ddl[name.pos+len(name.text):], nil
	}
	return "", fmt.Errorf("libsql: cannot read index definition %q", ddl)
}

// GetIndexes returns the indexes of the table of value, without those SQLite
// makes for UNIQUE and PRIMARY KEY constraints.
func (m Migrator) GetIndexes(value interface{}) ([]gorm.Index, error) {
	var indexes []gorm.Index
	err := m.RunWithValue(value, func(stmt *gorm.Statement) error {
		type indexRow struct {
			Name    string
			Unique  bool
			Origin  string
			Partial bool
		}
		var list []indexRow
		if err := m.DB.Raw(`SELECT name, "unique", origin, partial FROM pragma_index_list(?) ORDER BY seq`, stmt.Table).Scan(&list).Error; err != nil {
			return err
		}
		for _, l := range list {
			if l.Origin != "c" {
				continue
			}
			var columns []sql.NullString
			if err := m.DB.Raw("SELECT name FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno", l.Name).Scan(&columns).Error; err != nil {
				return err
			}
			idx := &migrator.Index{
				TableName:       stmt.Table,
				NameValue:       l.Name,
				PrimaryKeyValue: sql.NullBool{Bool: false, Valid: true},
				UniqueValue:     sql.NullBool{Bool: l.Unique, Valid: true},
			}
			for _, c := range columns {
				idx.ColumnList = append(idx.ColumnList, c.String) // "" for an expression
			}
			if l.Partial {
				idx.OptionValue = "partial"
			}
			indexes = append(indexes, idx)
		}
		return nil
	})
	return indexes, err
}

// indexName resolves the model's index name (or field) to the index name.
func (m Migrator) indexName(stmt *gorm.Statement, name string) string {
	if stmt.Schema != nil {
		if idx := stmt.Schema.LookIndex(name); idx != nil {
			return idx.Name
		}
	}
	return name
}
