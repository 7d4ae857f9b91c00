package libsql

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/migrator"
	"gorm.io/gorm/schema"

	"github.com/gorm-libsql/libsql/callbacks"
)

// Migrator is the gorm.Migrator for libSQL. It asks the engine about the
// schema (sqlite_master and the table_xinfo, index_list and
// foreign_key_list pragmas) rather than parsing SQL, alters columns in place
// with libSQL's ALTER COLUMN where it can, and rebuilds a table, keeping its
// rows, indexes and triggers, only where SQLite offers no ALTER.
type Migrator struct {
	migrator.Migrator
}

// transaction runs fc in a transaction of db and, on an embedded replica
// whose own writes show only after a sync (DisableReadYourWrites), syncs it
// after the commit, so that the Migrator's next questions see the change.
// (Its DDL outside transactions syncs through the sync callback.)
func (m Migrator) transaction(db *gorm.DB, fc func(tx *gorm.DB) error) error {
	if err := db.Transaction(fc); err != nil {
		return err
	}
	if callbacks.SyncRequested(db.Statement.Context) {
		if d, ok := m.Dialector.(*Dialector); ok {
			if err := (syncer{d.connector}).Sync(); err != nil {
				return fmt.Errorf("%w: %w", callbacks.ErrSync, err)
			}
		}
	}
	return nil
}

// HasTable reports whether the table of value exists.
func (m Migrator) HasTable(value interface{}) bool {
	var count int
	_ = m.RunWithValue(value, func(stmt *gorm.Statement) error {
		return m.DB.Raw("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", stmt.Table).Row().Scan(&count)
	})
	return count > 0
}

// GetTables returns the names of the user tables, without SQLite's and
// libSQL's internal ones (such as the <index>_shadow tables of vector
// indexes).
func (m Migrator) GetTables() (tables []string, err error) {
	err = m.DB.Raw(`SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT LIKE 'libsql\_%' ESCAPE '\'
		AND name NOT IN (SELECT name || '_shadow' FROM sqlite_master WHERE type = 'index')
		ORDER BY name`).Scan(&tables).Error
	return tables, err
}

// DropTable drops the tables of values, children before parents, in one
// transaction with foreign keys off, so that the order of values does not
// matter.
func (m Migrator) DropTable(values ...interface{}) error {
	values = m.ReorderModels(values, false)
	return m.withoutForeignKeys(func(tx *gorm.DB) error {
		for i := len(values) - 1; i >= 0; i-- {
			if err := m.RunWithValue(values[i], func(stmt *gorm.Statement) error {
				return tx.Exec("DROP TABLE IF EXISTS ?", m.CurrentTable(stmt)).Error
			}); err != nil {
				return err
			}
		}
		return nil
	})
}

// HasColumn reports whether the table of value has the column of field
// (a field name or a column name).
func (m Migrator) HasColumn(value interface{}, field string) bool {
	var count int
	_ = m.RunWithValue(value, func(stmt *gorm.Statement) error {
		name := m.columnName(stmt, field)
		return m.DB.Raw("SELECT count(*) FROM pragma_table_xinfo(?) WHERE name = ? COLLATE NOCASE", stmt.Table, name).Row().Scan(&count)
	})
	return count > 0
}

// AddColumn adds the column of field. SQLite cannot add a NOT NULL column
// without a default with ALTER TABLE; such a column is added by rebuilding
// the table, which succeeds when the table is empty.
func (m Migrator) AddColumn(value interface{}, name string) error {
	err := m.Migrator.AddColumn(value, name)
	if err == nil || !strings.Contains(err.Error(), "Cannot add a NOT NULL column") {
		return err
	}
	return m.RunWithValue(value, func(stmt *gorm.Statement) error {
		field := stmt.Schema.LookUpField(name)
		def := m.columnDefinition(stmt, field)
		return m.rebuildTable(stmt.Table, func(ddl *tableDDL) error {
			at := len(ddl.defs)
			for i, d := range ddl.defs {
				if d.constraint {
					at = i
					break
				}
			}
			ddl.defs = append(ddl.defs[:at], append([]ddlDef{{name: field.DBName, sql: def}}, ddl.defs[at:]...)...)
			return nil
		})
	})
}

// DropColumn drops a column with ALTER TABLE DROP COLUMN, first dropping the
// indexes on it. Where SQLite refuses (a primary key, UNIQUE, CHECK or
// foreign key column) the table is rebuilt without the column and without
// the table constraints on it.
func (m Migrator) DropColumn(value interface{}, name string) error {
	return m.RunWithValue(value, func(stmt *gorm.Statement) error {
		name = m.columnName(stmt, name)
		indexes, err := m.indexesOn(stmt.Table, name)
		if err != nil {
			return err
		}
		for _, index := range indexes {
			if err := m.DB.Exec("DROP INDEX ?", clause.Column{Name: index}).Error; err != nil {
				return err
			}
		}
		if m.DB.Exec("ALTER TABLE ? DROP COLUMN ?", m.CurrentTable(stmt), clause.Column{Name: name}).Error == nil {
			return nil
		}
		return m.rebuildTable(stmt.Table, func(ddl *tableDDL) error {
			if ddl.column(name) < 0 {
				return fmt.Errorf("libsql: table %q has no column %q", stmt.Table, name)
			}
			kept := ddl.defs[:0]
			for _, d := range ddl.defs {
				if d.constraint && mentionsColumn(d.sql, name) || !d.constraint && strings.EqualFold(d.name, name) {
					continue
				}
				kept = append(kept, d)
			}
			ddl.defs = kept
			return nil
		})
	})
}

// indexesOn returns the indexes made with CREATE INDEX that use column,
// directly or in an expression (such as a vector index's
// libsql_vector_idx(column)).
func (m Migrator) indexesOn(table, column string) ([]string, error) {
	var defs []struct{ Name, SQL string }
	if err := m.DB.Raw("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", table).
		Scan(&defs).Error; err != nil {
		return nil, err
	}
	var names []string
	for _, d := range defs {
		toks := sqlTokens(d.SQL)
		for i, tok := range toks {
			if tok.word == "ON" && i+2 < len(toks) && mentionsColumn(toks[i+2].text, column) {
				names = append(names, d.Name)
				break
			}
		}
	}
	return names, nil
}

// AlterColumn changes a column to the definition of its field. A change that
// keeps the column's type affinity (NOT NULL, DEFAULT, size, a type of the
// same affinity) is made in place with libSQL's
// "ALTER TABLE t ALTER COLUMN c TO c definition". A primary key column, or a
// change of affinity (whose stored values must be converted), rebuilds the
// table in a transaction. Making a column NOT NULL fails while it holds NULLs.
func (m Migrator) AlterColumn(value interface{}, name string) error {
	return m.RunWithValue(value, func(stmt *gorm.Statement) error {
		if stmt.Schema == nil {
			return errors.New("libsql: AlterColumn needs a model")
		}
		field := stmt.Schema.LookUpField(name)
		if field == nil {
			return fmt.Errorf("libsql: model %s has no field %q", stmt.Schema.Name, name)
		}
		current, err := m.columnInfo(stmt.Table, field.DBName)
		if err != nil {
			return err
		}
		def := m.columnDefinition(stmt, field)
		if field.NotNull && !current.notNull {
			var nulls int64
			if err := m.DB.Raw("SELECT count(*) FROM ? WHERE ? IS NULL", m.CurrentTable(stmt), clause.Column{Name: field.DBName}).Row().Scan(&nulls); err != nil {
				return err
			}
			if nulls > 0 {
				return fmt.Errorf("libsql: cannot make column %s.%s NOT NULL: %d rows hold NULL", stmt.Table, field.DBName, nulls)
			}
		}
		if !field.PrimaryKey && current.pk == 0 && affinity(current.typ) == affinity(m.DataTypeOf(field)) {
			ddl, err := m.tableDDL(m.DB, stmt.Table)
			if err != nil {
				return err
			}
			i := ddl.column(field.DBName)
			if i < 0 {
				return fmt.Errorf("libsql: table %q has no column %q", stmt.Table, field.DBName)
			}
			def = redefineColumn(ddl.defs[i].sql, def)
			return m.DB.Exec(fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s TO %s", quoteName(stmt.Table), quoteName(field.DBName), def)).Error
		}
		return m.rebuildTable(stmt.Table, func(ddl *tableDDL) error {
			i := ddl.column(field.DBName)
			if i < 0 {
				return fmt.Errorf("libsql: table %q has no column %q", stmt.Table, field.DBName)
			}
			ddl.defs[i].sql = redefineColumn(ddl.defs[i].sql, def)
			return nil
		})
	})
}

// columnDefinition renders "`name` type [NOT NULL] [DEFAULT x]" for field.
func (m Migrator) columnDefinition(stmt *gorm.Statement, field *schema.Field) string {
	expr := m.DB.Migrator().FullDataTypeOf(field)
	return quoteName(field.DBName) + " " + m.render(stmt, expr.SQL, expr.Vars...)
}

// render builds SQL with its variables inlined, for DDL, which takes no
// parameters.
func (m Migrator) render(stmt *gorm.Statement, sql string, vars ...interface{}) string {
	s := &gorm.Statement{DB: m.DB, Table: stmt.Table, Schema: stmt.Schema, Clauses: map[string]clause.Clause{}}
	clause.Expr{SQL: sql, Vars: vars}.Build(s)
	return m.Dialector.Explain(s.SQL.String(), s.Vars...)
}

// CreateConstraint adds a foreign key, CHECK or UNIQUE constraint of the
// model by rebuilding its table, as SQLite has no ADD CONSTRAINT.
func (m Migrator) CreateConstraint(value interface{}, name string) error {
	return m.RunWithValue(value, func(stmt *gorm.Statement) error {
		constraint, table := m.GuessConstraintInterfaceAndTable(stmt, name)
		if constraint == nil {
			return fmt.Errorf("libsql: model has no constraint %q", name)
		}
		sql, vars := constraint.Build()
		def := m.render(stmt, sql, vars...)
		return m.rebuildTable(table, func(ddl *tableDDL) error {
			if ddl.hasConstraint(constraint.GetName()) {
				return errNothingToDo
			}
			ddl.defs = append(ddl.defs, ddlDef{constraint: true, name: constraint.GetName(), sql: def})
			return nil
		})
	})
}

// DropConstraint removes a named table constraint by rebuilding its table.
func (m Migrator) DropConstraint(value interface{}, name string) error {
	return m.RunWithValue(value, func(stmt *gorm.Statement) error {
		constraint, table := m.GuessConstraintInterfaceAndTable(stmt, name)
		if constraint != nil {
			name = constraint.GetName()
		}
		return m.rebuildTable(table, func(ddl *tableDDL) error {
			if !ddl.removeConstraint(name) {
				return fmt.Errorf("libsql: table %q has no constraint %q", table, name)
			}
			return nil
		})
	})
}

// HasConstraint reports whether the table has a constraint called name (or
// the model's constraint of that name or field).
func (m Migrator) HasConstraint(value interface{}, name string) bool {
	found := false
	_ = m.RunWithValue(value, func(stmt *gorm.Statement) error {
		constraint, table := m.GuessConstraintInterfaceAndTable(stmt, name)
		if constraint != nil {
			name = constraint.GetName()
		}
		ddl, err := m.tableDDL(m.DB, table)
		if err != nil {
			return err
		}
		found = ddl.hasConstraint(name)
		return nil
	})
	return found
}

// CurrentDatabase returns the name of the main database, "main".
func (m Migrator) CurrentDatabase() (name string) {
	var seq int
	var file sql.NullString
	_ = m.DB.Raw("PRAGMA database_list").Row().Scan(&seq, &name, &file)
	return name
}

// CreateView creates a view; with option.Replace an existing view of that
// name is replaced in one transaction. SQLite has no CHECK OPTION.
func (m Migrator) CreateView(name string, option gorm.ViewOption) error {
	if option.Query == nil {
		return gorm.ErrSubQueryRequired
	}
	if option.CheckOption != "" {
		return fmt.Errorf("libsql: views do not support %q", option.CheckOption)
	}
	query := option.Query.Session(&gorm.Session{DryRun: true}).Find(nil)
	sql := "CREATE VIEW " + quoteName(name) + " AS " +
		m.Dialector.Explain(query.Statement.SQL.String(), query.Statement.Vars...)
	if !option.Replace {
		return m.DB.Exec(sql).Error
	}
	return m.transaction(m.DB, func(tx *gorm.DB) error {
		if err := tx.Exec("DROP VIEW IF EXISTS " + quoteName(name)).Error; err != nil {
			return err
		}
		return tx.Exec(sql).Error
	})
}

// TableType returns the type and SQL of the table of value.
func (m Migrator) TableType(value interface{}) (gorm.TableType, error) {
	var t migrator.TableType
	err := m.RunWithValue(value, func(stmt *gorm.Statement) error {
		var typ, ddl string
		if err := m.DB.Raw("SELECT type, sql FROM sqlite_master WHERE name = ? AND type IN ('table', 'view')", stmt.Table).Row().Scan(&typ, &ddl); err != nil {
			return fmt.Errorf("libsql: table %q: %w", stmt.Table, err)
		}
		t = migrator.TableType{NameValue: stmt.Table, TypeValue: typ, SchemaValue: m.CurrentDatabase(),
			CommentValue: sql.NullString{String: ddl, Valid: true}}
		return nil
	})
	return t, err
}

// columnName resolves a field name or column name to the column name.
func (m Migrator) columnName(stmt *gorm.Statement, name string) string {
	if stmt.Schema != nil {
		if field := stmt.Schema.LookUpField(name); field != nil {
			return field.DBName
		}
	}
	return name
}

// tableDDL reads the CREATE TABLE statement of table.
func (m Migrator) tableDDL(tx *gorm.DB, table string) (*tableDDL, error) {
	var ddl string
	if err := tx.Raw("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", table).Row().Scan(&ddl); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("libsql: no such table %q", table)
		}
		return nil, err
	}
	return parseCreateTable(ddl)
}

// affinity returns SQLite's type affinity of a declared type
// (https://www.sqlite.org/datatype3.html#determination_of_column_affinity).
func affinity(declared string) string {
	t := strings.ToUpper(declared)
	switch {
	case strings.Contains(t, "INT"):
		return "INTEGER"
	case strings.Contains(t, "CHAR"), strings.Contains(t, "CLOB"), strings.Contains(t, "TEXT"):
		return "TEXT"
	case strings.Contains(t, "BLOB"), strings.TrimSpace(t) == "":
		return "BLOB"
	case strings.Contains(t, "REAL"), strings.Contains(t, "FLOA"), strings.Contains(t, "DOUB"):
		return "REAL"
	}
	return "NUMERIC"
}
