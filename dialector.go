package libsql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strconv"
	"strings"

	"gorm.io/gorm"
	gormcallbacks "gorm.io/gorm/callbacks"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
	"gorm.io/gorm/migrator"
	"gorm.io/gorm/schema"

	"github.com/gorm-libsql/libsql/callbacks"
	"github.com/gorm-libsql/libsql/internal/conn"
)

// Dialector is the gorm.Dialector for libSQL.
type Dialector struct {
	Config
	// dsnErr holds an error from parsing the DSN given to Open; gorm.Open
	// reports it.
	dsnErr error
	// connector is the connector Initialize opened the pool with.
	connector driver.Connector
}

// Open returns a Dialector for the data source name dsn; see ParseDSN for
// the accepted forms. Errors in dsn are reported by gorm.Open.
func Open(dsn string) gorm.Dialector {
	cfg, err := ParseDSN(dsn)
	return &Dialector{Config: cfg, dsnErr: err}
}

// New returns a Dialector for config.
func New(config Config) gorm.Dialector {
	return &Dialector{Config: config}
}

// Name returns "sqlite": GORM, its plugins and tools switch on this name to
// generate SQLite SQL, which is libSQL's dialect.
func (Dialector) Name() string {
	return "sqlite"
}

// Initialize opens the connection pool and registers GORM's callbacks with
// RETURNING support.
func (d *Dialector) Initialize(db *gorm.DB) error {
	if d.dsnErr != nil {
		return d.dsnErr
	}
	if err := d.validate(); err != nil {
		return err
	}
	if d.Conn != nil {
		db.ConnPool = d.Conn
	} else {
		connector, err := d.open(db)
		if err != nil {
			return err
		}
		d.connector = connector
		db.ConnPool = sql.OpenDB(connector)
	}

	gormcallbacks.RegisterDefaultCallbacks(db, &gormcallbacks.Config{
		CreateClauses:        []string{"INSERT", "VALUES", "ON CONFLICT", "RETURNING"},
		UpdateClauses:        []string{"UPDATE", "SET", "FROM", "WHERE", "RETURNING"},
		DeleteClauses:        []string{"DELETE", "FROM", "WHERE", "RETURNING"},
		LastInsertIDReversed: true,
	})
	for name, builder := range d.ClauseBuilders() {
		if _, ok := db.ClauseBuilders[name]; !ok {
			db.ClauseBuilders[name] = builder
		}
	}
	// After the default callbacks, which the sync follows.
	switch {
	case d.Sync && d.DisableReadYourWrites: // with read-your-writes every committed write syncs already
		return callbacks.RegisterSync(db, syncer{d.connector})
	case d.migrationsSync():
		return callbacks.RegisterSyncOnRequest(db, syncer{d.connector})
	}
	return nil
}

// migrationsSync reports whether the Migrator must sync the replica after
// its DDL: without read-your-writes (and without Sync) the local file, where
// the Migrator reads the schema, would not show the DDL it has just run.
func (d *Dialector) migrationsSync() bool {
	_, replica := d.connector.(conn.Syncer)
	return replica && d.DisableReadYourWrites && !d.Sync
}

// open returns the connector for the mode the configuration selects; the
// modes differ only here.
func (d *Dialector) open(db *gorm.DB) (driver.Connector, error) {
	switch {
	case d.URL != "" && d.Database != "":
		return conn.Replica(conn.ReplicaConfig{
			Database: d.Database, URL: d.URL, AuthToken: d.AuthToken, EncryptionKey: d.EncryptionKey,
			ReadYourWrites: !d.DisableReadYourWrites, SyncInterval: d.SyncInterval, OfflineOpen: d.OfflineOpen,
			OnSyncError: func(err error) {
				db.Logger.Error(context.Background(), "libsql: background sync: %v", err)
			},
		})
	case d.URL != "":
		return conn.Remote(conn.RemoteConfig{URL: d.URL, AuthToken: d.AuthToken})
	}
	return conn.Local(conn.Config{Database: d.Database, BusyTimeout: d.busyTimeout(), EncryptionKey: d.EncryptionKey})
}

// ClauseBuilders returns the SQLite forms of INSERT, LIMIT and FOR.
func (Dialector) ClauseBuilders() map[string]clause.ClauseBuilder {
	return map[string]clause.ClauseBuilder{
		"INSERT": buildInsert,
		"LIMIT":  buildLimit,
		"FOR": func(c clause.Clause, builder clause.Builder) {
			if _, ok := c.Expression.(clause.Locking); ok {
				return // SQLite locks the whole database; there is no row locking.
			}
			c.Build(builder)
		},
	}
}

// buildInsert writes INSERT [OR modifier] INTO table; SQLite's modifiers
// (OR IGNORE, OR REPLACE) go between INSERT and INTO.
func buildInsert(c clause.Clause, builder clause.Builder) {
	insert, ok := c.Expression.(clause.Insert)
	stmt, isStmt := builder.(*gorm.Statement)
	if !ok || !isStmt {
		c.Build(builder)
		return
	}
	stmt.WriteString("INSERT ")
	if insert.Modifier != "" {
		stmt.WriteString(insert.Modifier)
		stmt.WriteByte(' ')
	}
	stmt.WriteString("INTO ")
	if insert.Table.Name == "" {
		// The current table: db.Table's expression when there is one, as
		// in GORM's own INSERT, so a Create never goes to the model's table
		// instead.
		stmt.WriteQuoted(clause.Table{Name: clause.CurrentTable})
	} else {
		stmt.WriteQuoted(insert.Table)
	}
}

// buildLimit writes LIMIT n OFFSET m; SQLite needs a LIMIT (-1: none) before
// an OFFSET.
func buildLimit(c clause.Clause, builder clause.Builder) {
	limit, ok := c.Expression.(clause.Limit)
	if !ok {
		return
	}
	n := -1
	if limit.Limit != nil && *limit.Limit >= 0 {
		n = *limit.Limit
	}
	if n < 0 && limit.Offset <= 0 {
		return
	}
	builder.WriteString("LIMIT ")
	builder.WriteString(strconv.Itoa(n))
	if limit.Offset > 0 {
		builder.WriteString(" OFFSET ")
		builder.WriteString(strconv.Itoa(limit.Offset))
	}
}

// DefaultValueOf returns what GORM inserts for a field left at its database
// default in a batch whose other rows set it. SQLite has no DEFAULT keyword
// in VALUES, so this is the field's default expression from its tag (the one
// AutoMigrate declared), or NULL for an auto-increment key or a field with
// none.
func (Dialector) DefaultValueOf(field *schema.Field) clause.Expression {
	if !field.AutoIncrement && field.DefaultValue != "" && field.DefaultValue != "(-)" {
		return clause.Expr{SQL: field.DefaultValue}
	}
	return clause.Expr{SQL: "NULL"}
}

// Migrator returns the libSQL Migrator.
func (d *Dialector) Migrator(db *gorm.DB) gorm.Migrator {
	if d.migrationsSync() && !callbacks.SyncRequested(db.Statement.Context) {
		db = db.WithContext(callbacks.WithSync(db.Statement.Context))
	}
	return Migrator{migrator.Migrator{Config: migrator.Config{
		DB:                          db,
		Dialector:                   d,
		CreateIndexAfterCreateTable: true,
	}}}
}

// BindVarTo writes a positional parameter.
func (Dialector) BindVarTo(writer clause.Writer, _ *gorm.Statement, _ interface{}) {
	writer.WriteByte('?')
}

// QuoteTo quotes an identifier with backticks, quoting each part of a dotted
// name on its own and doubling backticks inside a name. Parts that are
// already quoted are written as they are.
func (Dialector) QuoteTo(writer clause.Writer, str string) {
	start, quoted := 0, false
	for i := 0; i <= len(str); i++ {
		if i < len(str) {
			if str[i] == '`' {
				quoted = !quoted
			}
			if str[i] != '.' || quoted {
				continue
			}
		}
		if start > 0 {
			writer.WriteByte('.')
		}
		quoteIdentPart(writer, str[start:i])
		start = i + 1
	}
}

// quoteIdentPart writes one part of a dotted name.
func quoteIdentPart(writer clause.Writer, part string) {
	if len(part) >= 2 && part[0] == '`' && part[len(part)-1] == '`' {
		writer.WriteString(part)
		return
	}
	writer.WriteByte('`')
	if strings.IndexByte(part, '`') < 0 {
		writer.WriteString(part)
	} else {
		writer.WriteString(strings.ReplaceAll(part, "`", "``"))
	}
	writer.WriteByte('`')
}

// Explain renders sql with its arguments inlined, for logs.
func (Dialector) Explain(sql string, vars ...interface{}) string {
	return logger.ExplainSQL(sql, nil, `'`, vars...)
}

// DataTypeOf returns the column type of a field: the same types GORM's
// SQLite dialect uses, so databases made by it migrate without changes.
func (Dialector) DataTypeOf(field *schema.Field) string {
	switch field.DataType {
	case schema.Bool:
		return "numeric"
	case schema.Int, schema.Uint:
		if field.AutoIncrement {
			return "integer PRIMARY KEY AUTOINCREMENT"
		}
		return "integer"
	case schema.Float:
		return "real"
	case schema.String:
		return "text"
	case schema.Time:
		if typ, ok := field.TagSettings["TYPE"]; ok {
			return typ
		}
		return "datetime"
	case schema.Bytes:
		return "blob"
	}
	return string(field.DataType)
}

// SavePoint creates a savepoint named name.
func (Dialector) SavePoint(tx *gorm.DB, name string) error {
	return tx.Exec("SAVEPOINT " + quoteName(name)).Error
}

// RollbackTo rolls back to the savepoint named name.
func (Dialector) RollbackTo(tx *gorm.DB, name string) error {
	return tx.Exec("ROLLBACK TO SAVEPOINT " + quoteName(name)).Error
}

// quoteName quotes one identifier, dots included, for SQL built outside a
// gorm.Statement.
func quoteName(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}
