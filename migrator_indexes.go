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
// columns or expressions, partial with a WHERE clause, or a vector index
// (type:vector, see vector_index.go).
func (m Migrator) CreateIndex(value interface{}, name string) error {
	return m.RunWithValue(value, func(stmt *gorm.Statement) error {
		if stmt.Schema == nil {
			return errors.New("libsql: CreateIndex needs a model")
		}
		idx := stmt.Schema.LookIndex(name)
		if idx == nil {
			return fmt.Errorf("libsql: model %s has no index %q", stmt.Schema.Name, name)
		}
		if isVectorIndex(idx) {
			return m.createVectorIndex(stmt, idx)
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

// createVectorIndex creates a vector index (declared with type:vector):
// CREATE INDEX name ON table(libsql_vector_idx(column, 'setting', ...)).
// DDL takes no parameters, so the settings, which vectorIndexOptions has
// checked against libSQL's names and values, are written as literals.
func (m Migrator) createVectorIndex(stmt *gorm.Statement, idx *schema.Index) error {
	opts, err := vectorIndexOptions(idx)
	if err != nil {
		return err
	}
	args := quoteName(idx.Fields[0].DBName)
	for _, o := range opts {
		args += ", '" + o + "'"
	}
	sql := "CREATE INDEX ? ON ?(libsql_vector_idx(" + args + "))"
	if idx.Where != "" {
		sql += " WHERE " + idx.Where
	}
	if err := m.DB.Exec(sql, clause.Column{Name: idx.Name}, m.CurrentTable(stmt)).Error; err != nil {
		return fmt.Errorf("libsql: vector index %q on %s.%s: %w", idx.Name, stmt.Table, idx.Fields[0].DBName, err)
	}
	return nil
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
		return m.transaction(m.DB, func(tx *gorm.DB) error {
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
// makes for UNIQUE and PRIMARY KEY constraints. A vector index lists its
// column, and its Option is "vector" followed by its libSQL settings
// ("vector metric=l2 max_neighbors=20").
func (m Migrator) GetIndexes(value interface{}) ([]gorm.Index, error) {
	var indexes []gorm.Index
	err := m.RunWithValue(value, func(stmt *gorm.Statement) error {
		type indexRow struct {
			Name    string
			Unique  bool
			Origin  string
			Partial bool
			SQL     sql.NullString
		}
		var list []indexRow
		if err := m.DB.Raw(`SELECT l.name, l."unique", l.origin, l.partial, m.sql FROM pragma_index_list(?) AS l
			LEFT JOIN sqlite_master AS m ON m.type = 'index' AND m.name = l.name ORDER BY l.seq`, stmt.Table).Scan(&list).Error; err != nil {
			return err
		}
		for _, l := range list {
			if l.Origin != "c" {
				continue
			}
			if info, ok := parseVectorIndexDDL(l.SQL.String); ok {
				// A vector index is on an expression, libsql_vector_idx(column,
				// ...): list its column, and its settings in Option.
				indexes = append(indexes, &migrator.Index{
					TableName:       stmt.Table,
					NameValue:       l.Name,
					ColumnList:      []string{info.column},
					PrimaryKeyValue: sql.NullBool{Bool: false, Valid: true},
					UniqueValue:     sql.NullBool{Bool: l.Unique, Valid: true},
					OptionValue:     vectorIndexOption(info),
				})
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
