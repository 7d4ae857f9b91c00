package libsql

import (
	"database/sql"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/migrator"
)

// columnInfo is one row of pragma_table_xinfo.
type columnInfo struct {
	name    string
	typ     string
	notNull bool
	dflt    sql.NullString
	pk      int
	hidden  int
}

func (m Migrator) columnInfos(table string) ([]columnInfo, error) {
	rows, err := m.DB.Raw("SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid", table).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []columnInfo
	for rows.Next() {
		var c columnInfo
		if err := rows.Scan(&c.name, &c.typ, &c.notNull, &c.dflt, &c.pk, &c.hidden); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("libsql: no such table %q", table)
	}
	return cols, nil
}

func (m Migrator) columnInfo(table, column string) (columnInfo, error) {
	cols, err := m.columnInfos(table)
	if err != nil {
		return columnInfo{}, err
	}
	for _, c := range cols {
		if strings.EqualFold(c.name, column) {
			return c, nil
		}
	}
	return columnInfo{}, fmt.Errorf("libsql: table %q has no column %q", table, column)
}

// ColumnTypes describes the columns of the table of value as the engine
// reports them: declared type, length and precision, nullability, default,
// primary key, uniqueness (a single-column UNIQUE constraint) and
// auto-increment. It asks in one query, one round trip to a remote server.
func (m Migrator) ColumnTypes(value interface{}) ([]gorm.ColumnType, error) {
	var types []gorm.ColumnType
	err := m.RunWithValue(value, func(stmt *gorm.Statement) error {
		rows, err := m.DB.Raw(columnTypesQuery, stmt.Table).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c columnInfo
			var unique, autoIncrement bool
			if err := rows.Scan(&c.name, &c.typ, &c.notNull, &c.dflt, &c.pk, &c.hidden, &unique, &autoIncrement); err != nil {
				return err
			}
			if c.hidden == 1 { // a hidden column of a virtual table
				continue
			}
			types = append(types, newColumnType(c, unique, autoIncrement))
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(types) == 0 {
			return fmt.Errorf("libsql: no such table %q", stmt.Table)
		}
		return nil
	})
	return types, err
}

// columnTypesQuery lists the columns of table ?1 with, for each, whether a
// single-column UNIQUE constraint covers it and whether the table uses
// AUTOINCREMENT.
const columnTypesQuery = `SELECT x.name, x.type, x."notnull", x.dflt_value, x.pk, x.hidden,
	EXISTS (SELECT 1 FROM pragma_index_list(?1) AS l, pragma_index_info(l.name) AS i
		WHERE l."unique" = 1 AND l.origin = 'u' AND i.name = x.name
		AND (SELECT count(*) FROM pragma_index_info(l.name)) = 1),
	EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1 AND sql LIKE '%AUTOINCREMENT%')
	FROM pragma_table_xinfo(?1) AS x ORDER BY x.cid`

func newColumnType(c columnInfo, unique, autoIncrementTable bool) migrator.ColumnType {
	base, size := splitType(c.typ)
	ct := migrator.ColumnType{
		NameValue:          sql.NullString{String: c.name, Valid: true},
		DataTypeValue:      sql.NullString{String: base, Valid: true},
		ColumnTypeValue:    sql.NullString{String: c.typ, Valid: true},
		PrimaryKeyValue:    sql.NullBool{Bool: c.pk > 0, Valid: true},
		UniqueValue:        sql.NullBool{Bool: unique, Valid: true},
		NullableValue:      sql.NullBool{Bool: !c.notNull, Valid: true},
		AutoIncrementValue: sql.NullBool{Bool: autoIncrementTable && c.pk > 0 && base == "integer", Valid: true},
		ScanTypeValue:      scanType(c.typ),
	}
	if len(size) > 0 {
		if base == "decimal" || base == "numeric" {
			ct.DecimalSizeValue = sql.NullInt64{Int64: size[0], Valid: true}
			if len(size) > 1 {
				ct.ScaleValue = sql.NullInt64{Int64: size[1], Valid: true}
			}
		} else {
			ct.LengthValue = sql.NullInt64{Int64: size[0], Valid: true}
		}
	}
	if c.dflt.Valid && !strings.EqualFold(c.dflt.String, "NULL") {
		ct.DefaultValueValue = sql.NullString{String: unquoteLiteral(c.dflt.String), Valid: true}
	}
	return ct
}

// splitType splits "VARCHAR(100)" into "varchar" and [100].
func splitType(declared string) (string, []int64) {
	base, args, ok := strings.Cut(declared, "(")
	base = strings.ToLower(strings.TrimSpace(base))
	if !ok {
		return base, nil
	}
	var size []int64
	for _, a := range strings.Split(strings.TrimSuffix(strings.TrimSpace(args), ")"), ",") {
		n, err := strconv.ParseInt(strings.TrimSpace(a), 10, 64)
		if err != nil {
			return base, nil
		}
		size = append(size, n)
	}
	return base, size
}

// unquoteLiteral turns the SQL string literal 'it”s' into it's; other
// default expressions are returned as written.
func unquoteLiteral(s string) string {
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		return strings.ReplaceAll(s[1:len(s)-1], "''", "'")
	}
	return s
}

var (
	typeInt64   = reflect.TypeOf(int64(0))
	typeFloat64 = reflect.TypeOf(float64(0))
	typeString  = reflect.TypeOf("")
	typeBytes   = reflect.TypeOf([]byte(nil))
	typeTime    = reflect.TypeOf(time.Time{})
)

// scanType returns the Go type the connection layer reads a column of the
// declared type into.
func scanType(declared string) reflect.Type {
	switch t := strings.ToUpper(declared); {
	case strings.HasPrefix(t, "DATE"), strings.HasPrefix(t, "TIMESTAMP"):
		return typeTime
	}
	switch affinity(declared) {
	case "INTEGER":
		return typeInt64
	case "TEXT":
		return typeString
	case "BLOB":
		return typeBytes
	}
	return typeFloat64
}
