package libsql_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gorm-libsql/libsql"
)

// sqlRecorder is a GORM logger that records every statement it traces.
type sqlRecorder struct {
	logger.Interface
	mu  sync.Mutex
	sql []string
}

func newSQLRecorder() *sqlRecorder { return &sqlRecorder{Interface: logger.Discard} }

func (r *sqlRecorder) LogMode(logger.LogLevel) logger.Interface { return r }

func (r *sqlRecorder) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	s, _ := fc()
	r.mu.Lock()
	r.sql = append(r.sql, s)
	r.mu.Unlock()
}

func (r *sqlRecorder) reset() { r.mu.Lock(); r.sql = nil; r.mu.Unlock() }

// ddl returns the recorded statements that change the schema.
func (r *sqlRecorder) ddl() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, s := range r.sql {
		u := strings.ToUpper(strings.TrimSpace(s))
		for _, verb := range []string{"CREATE", "ALTER", "DROP", "INSERT", "UPDATE", "DELETE"} {
			if strings.HasPrefix(u, verb) {
				out = append(out, s)
			}
		}
	}
	return out
}

type mgCompany struct {
	ID   uint
	Name string `gorm:"size:100;not null;uniqueIndex"`
}

type mgUser struct {
	ID        uint
	Name      string `gorm:"size:64;not null;default:'anon'"`
	Email     string `gorm:"unique"`
	Age       int    `gorm:"check:age >= 0;default:18"`
	Active    bool   `gorm:"default:true"`
	Score     float64
	Avatar    []byte
	Birthday  *time.Time
	CompanyID *uint
	Company   *mgCompany
	Tags      []mgTag `gorm:"many2many:mg_user_tags"`
	Code      string  `gorm:"index:idx_mg_code_name,priority:1"`
	Nick      string  `gorm:"index:idx_mg_code_name,priority:2;index:idx_mg_nick_partial,where:nick <> ''"`
	Lower     string  `gorm:"index:idx_mg_lower,expression:lower(lower)"`
	CreatedAt time.Time
	UpdatedAt time.Time
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

type mgTag struct {
	ID    uint
	Label string `gorm:"uniqueIndex"`
}

func TestAutoMigrateTwiceIssuesNoDDL(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		rec := newSQLRecorder()
		db = db.Session(&gorm.Session{Logger: rec})
		require.NoError(t, db.AutoMigrate(&mgCompany{}, &mgUser{}, &mgTag{}))
		assert.NotEmpty(t, rec.ddl(), "the first AutoMigrate creates tables")

		rec.reset()
		require.NoError(t, db.AutoMigrate(&mgCompany{}, &mgUser{}, &mgTag{}))
		assert.Empty(t, rec.ddl(), "the second AutoMigrate of unchanged models changed the schema")
	})
}

func TestMigratorTables(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		m := db.Migrator()
		require.NoError(t, m.CreateTable(&mgCompany{}))
		assert.True(t, m.HasTable(&mgCompany{}))
		assert.True(t, m.HasTable("mg_companies"))
		assert.False(t, m.HasTable("mg_nothing"))

		tables, err := m.GetTables()
		require.NoError(t, err)
		assert.Equal(t, []string{"mg_companies"}, tables)
		assert.Equal(t, "main", m.CurrentDatabase())

		require.NoError(t, db.Create(&mgCompany{Name: "acme"}).Error)
		require.NoError(t, m.RenameTable("mg_companies", "mg_firms"))
		assert.False(t, m.HasTable("mg_companies"))
		assert.True(t, m.HasTable("mg_firms"))
		var n int64
		require.NoError(t, db.Table("mg_firms").Count(&n).Error)
		assert.EqualValues(t, 1, n)

		require.NoError(t, m.DropTable("mg_firms"))
		assert.False(t, m.HasTable("mg_firms"))
	})
}

func TestMigratorDropTableIgnoresForeignKeyOrder(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		require.NoError(t, db.AutoMigrate(&mgCompany{}, &mgUser{}))
		c := mgCompany{Name: "acme"}
		require.NoError(t, db.Create(&c).Error)
		require.NoError(t, db.Create(&mgUser{Name: "ann", Email: "a@x", CompanyID: &c.ID}).Error)
		require.NoError(t, db.Migrator().DropTable(&mgCompany{}, &mgUser{}, "mg_user_tags"))
		assert.False(t, db.Migrator().HasTable(&mgUser{}))
		assert.False(t, db.Migrator().HasTable(&mgCompany{}))
	})
}

func TestMigratorColumnTypes(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		require.NoError(t, db.AutoMigrate(&mgCompany{}, &mgUser{}))
		cols, err := db.Migrator().ColumnTypes(&mgUser{})
		require.NoError(t, err)
		byName := map[string]gorm.ColumnType{}
		for _, c := range cols {
			byName[c.Name()] = c
		}

		id := byName["id"]
		require.NotNil(t, id)
		pk, ok := id.PrimaryKey()
		assert.True(t, ok && pk, "id is the primary key")
		auto, ok := id.AutoIncrement()
		assert.True(t, ok && auto, "id auto-increments")
		assert.Equal(t, "integer", id.DatabaseTypeName())

		name := byName["name"]
		require.NotNil(t, name)
		nullable, ok := name.Nullable()
		assert.True(t, ok && !nullable, "name is NOT NULL")
		def, ok := name.DefaultValue()
		assert.True(t, ok)
		assert.Equal(t, "anon", def)
		assert.Equal(t, "text", name.DatabaseTypeName())

		email := byName["email"]
		unique, ok := email.Unique()
		assert.True(t, ok && unique, "email has a UNIQUE constraint")
		unique, ok = name.Unique()
		assert.True(t, ok && !unique, "name is not unique")
		nullable, _ = email.Nullable()
		assert.True(t, nullable)
		_, hasDefault := email.DefaultValue()
		assert.False(t, hasDefault)

		age := byName["age"]
		def, _ = age.DefaultValue()
		assert.Equal(t, "18", def)

		assert.Equal(t, "numeric", byName["active"].DatabaseTypeName())
		assert.Equal(t, "real", byName["score"].DatabaseTypeName())
		assert.Equal(t, "blob", byName["avatar"].DatabaseTypeName())
		assert.Equal(t, "datetime", byName["birthday"].DatabaseTypeName())
	})
}

func TestMigratorColumnLength(t *testing.T) {
	type mgSized struct {
		ID   uint
		Code string  `gorm:"type:varchar(12)"`
		Cost float64 `gorm:"type:decimal(10,2)"`
	}
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		require.NoError(t, db.AutoMigrate(&mgSized{}))
		cols, err := db.Migrator().ColumnTypes(&mgSized{})
		require.NoError(t, err)
		for _, c := range cols {
			switch c.Name() {
			case "code":
				n, ok := c.Length()
				assert.True(t, ok)
				assert.EqualValues(t, 12, n)
				assert.Equal(t, "varchar", c.DatabaseTypeName())
			case "cost":
				p, s, ok := c.DecimalSize()
				assert.True(t, ok)
				assert.EqualValues(t, 10, p)
				assert.EqualValues(t, 2, s)
			}
		}
		rec := newSQLRecorder()
		require.NoError(t, db.Session(&gorm.Session{Logger: rec}).AutoMigrate(&mgSized{}))
		assert.Empty(t, rec.ddl())
	})
}

type mgPerson struct {
	ID   uint
	Name string
}

func (mgPerson) TableName() string { return "mg_people" }

type mgPersonV2 struct {
	ID       uint
	Name     string
	Nickname string `gorm:"default:'none'"`
	Height   int
}

func (mgPersonV2) TableName() string { return "mg_people" }

func TestMigratorAddDropRenameColumn(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		m := db.Migrator()
		require.NoError(t, m.CreateTable(&mgPerson{}))
		require.NoError(t, db.Create(&mgPerson{Name: "ann"}).Error)

		assert.False(t, m.HasColumn(&mgPersonV2{}, "Nickname"))
		require.NoError(t, m.AddColumn(&mgPersonV2{}, "Nickname"))
		assert.True(t, m.HasColumn(&mgPersonV2{}, "Nickname"))
		assert.True(t, m.HasColumn(&mgPersonV2{}, "nickname"))

		var p mgPersonV2
		require.NoError(t, db.First(&p).Error)
		assert.Equal(t, "ann", p.Name)
		assert.Equal(t, "none", p.Nickname, "the new column takes its default")

		require.NoError(t, m.RenameColumn(&mgPersonV2{}, "nickname", "alias"))
		assert.False(t, m.HasColumn(&mgPersonV2{}, "nickname"))
		assert.True(t, m.HasColumn(&mgPersonV2{}, "alias"))

		require.NoError(t, m.DropColumn(&mgPersonV2{}, "alias"))
		assert.False(t, m.HasColumn(&mgPersonV2{}, "alias"))
		require.NoError(t, db.First(&p).Error)
		assert.Equal(t, "ann", p.Name)
	})
}

func TestMigratorAutoMigrateAddsColumns(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		require.NoError(t, db.AutoMigrate(&mgPerson{}))
		require.NoError(t, db.Create(&mgPerson{Name: "ann"}).Error)
		require.NoError(t, db.AutoMigrate(&mgPersonV2{}))
		var p mgPersonV2
		require.NoError(t, db.First(&p).Error)
		assert.Equal(t, "ann", p.Name)
		assert.Equal(t, "none", p.Nickname)
		assert.Equal(t, 0, p.Height)
	})
}

type mgPersonStrict struct {
	ID    uint
	Name  string
	Badge string `gorm:"not null"`
}

func (mgPersonStrict) TableName() string { return "mg_people" }

func TestMigratorAddNotNullColumnWithoutDefault(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		m := db.Migrator()
		require.NoError(t, m.CreateTable(&mgPerson{}))
		require.NoError(t, m.AddColumn(&mgPersonStrict{}, "Badge"), "an empty table is rebuilt with the column")
		cols, err := m.ColumnTypes(&mgPersonStrict{})
		require.NoError(t, err)
		for _, c := range cols {
			if c.Name() == "badge" {
				nullable, _ := c.Nullable()
				assert.False(t, nullable)
			}
		}
		require.NoError(t, db.Create(&mgPersonStrict{Name: "ann", Badge: "b1"}).Error)

		require.NoError(t, m.DropTable("mg_people"))
		require.NoError(t, m.CreateTable(&mgPerson{}))
		require.NoError(t, db.Create(&mgPerson{Name: "bob"}).Error)
		err = m.AddColumn(&mgPersonStrict{}, "Badge")
		require.Error(t, err, "existing rows have no value for a NOT NULL column")
		assert.Contains(t, err.Error(), "NOT NULL")
		assert.False(t, m.HasColumn(&mgPersonStrict{}, "badge"))
		var n int64
		require.NoError(t, db.Table("mg_people").Count(&n).Error)
		assert.EqualValues(t, 1, n, "the table and its row are intact")
	})
}

func TestMigratorDropIndexedAndUniqueColumn(t *testing.T) {
	type mgGadget struct {
		ID     uint
		Serial string `gorm:"unique"`
		Model  string `gorm:"index"`
		Name   string
	}
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		m := db.Migrator()
		require.NoError(t, db.AutoMigrate(&mgGadget{}))
		require.NoError(t, db.Create(&mgGadget{Serial: "s1", Model: "m1", Name: "one"}).Error)

		require.NoError(t, m.DropColumn(&mgGadget{}, "Model"), "an indexed column drops with its index")
		assert.False(t, m.HasColumn(&mgGadget{}, "model"))
		require.NoError(t, m.DropColumn(&mgGadget{}, "Serial"), "a UNIQUE column drops by rebuilding the table")
		assert.False(t, m.HasColumn(&mgGadget{}, "serial"))

		var name string
		require.NoError(t, db.Raw("SELECT name FROM mg_gadgets WHERE id = 1").Scan(&name).Error)
		assert.Equal(t, "one", name)
	})
}

type mgItem struct {
	ID    uint
	Code  string `gorm:"index:idx_mg_items_code"`
	Qty   string
	Label string
}

func (mgItem) TableName() string { return "mg_items" }

type mgItemNotNull struct {
	ID    uint
	Code  string `gorm:"index:idx_mg_items_code"`
	Qty   string
	Label string `gorm:"not null;default:'x'"`
}

func (mgItemNotNull) TableName() string { return "mg_items" }

type mgItemIntQty struct {
	ID    uint
	Code  string `gorm:"index:idx_mg_items_code"`
	Qty   int64
	Label string `gorm:"not null;default:'x'"`
}

func (mgItemIntQty) TableName() string { return "mg_items" }

func TestMigratorAlterColumnInPlace(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		require.NoError(t, db.AutoMigrate(&mgItem{}))
		require.NoError(t, db.Create(&mgItem{Code: "a", Qty: "7", Label: "first"}).Error)

		rec := newSQLRecorder()
		require.NoError(t, db.Session(&gorm.Session{Logger: rec}).Migrator().AlterColumn(&mgItemNotNull{}, "Label"))
		ddl := strings.Join(rec.ddl(), "\n")
		assert.Contains(t, ddl, "ALTER COLUMN", "NOT NULL and DEFAULT change in place")
		assert.NotContains(t, ddl, "DROP TABLE")

		cols, err := db.Migrator().ColumnTypes(&mgItemNotNull{})
		require.NoError(t, err)
		for _, c := range cols {
			if c.Name() == "label" {
				nullable, _ := c.Nullable()
				assert.False(t, nullable)
				def, _ := c.DefaultValue()
				assert.Equal(t, "x", def)
			}
		}
		var it mgItemNotNull
		require.NoError(t, db.First(&it).Error)
		assert.Equal(t, "first", it.Label)
		require.NoError(t, db.Exec("INSERT INTO mg_items (code, qty) VALUES ('b', '1')").Error)
		var last mgItemNotNull
		require.NoError(t, db.Last(&last).Error)
		assert.Equal(t, "x", last.Label, "the new default applies")
	})
}

func TestMigratorAlterColumnNotNullWithNulls(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		require.NoError(t, db.AutoMigrate(&mgItem{}))
		require.NoError(t, db.Exec("INSERT INTO mg_items (code, qty, label) VALUES ('a', '1', NULL)").Error)
		err := db.Migrator().AlterColumn(&mgItemNotNull{}, "Label")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "NULL")
		var n int64
		require.NoError(t, db.Table("mg_items").Count(&n).Error)
		assert.EqualValues(t, 1, n, "the row is still there")
	})
}

func TestMigratorAlterColumnRebuildKeepsEverything(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		require.NoError(t, db.AutoMigrate(&mgItemNotNull{}))
		require.NoError(t, db.Create(&[]mgItemNotNull{{Code: "a", Qty: "7", Label: "one"}, {Code: "b", Qty: "12", Label: "two"}, {Code: "c", Qty: "3", Label: "three"}}).Error)
		require.NoError(t, db.Exec("DELETE FROM mg_items WHERE code = 'c'").Error)
		require.NoError(t, db.Exec("CREATE TABLE mg_item_log (item_id integer, label text)").Error)
		require.NoError(t, db.Exec("CREATE TRIGGER mg_items_log AFTER INSERT ON mg_items BEGIN INSERT INTO mg_item_log VALUES (new.id, new.label); END").Error)
		require.NoError(t, db.Exec("CREATE VIEW mg_item_view AS SELECT code, qty FROM mg_items").Error)
		require.NoError(t, db.Exec("CREATE TABLE mg_item_refs (item_id integer REFERENCES mg_items(id) ON DELETE CASCADE)").Error)
		require.NoError(t, db.Exec("INSERT INTO mg_item_refs VALUES (1), (2)").Error)

		rec := newSQLRecorder()
		require.NoError(t, db.Session(&gorm.Session{Logger: rec}).AutoMigrate(&mgItemIntQty{}))
		assert.Contains(t, strings.Join(rec.ddl(), "\n"), "DROP TABLE", "a change of affinity rebuilds the table")

		var qtys []any
		require.NoError(t, db.Raw("SELECT qty FROM mg_items ORDER BY id").Pluck("qty", &qtys).Error)
		assert.Equal(t, []any{int64(7), int64(12)}, qtys, "stored text becomes integers")

		var refs int64
		require.NoError(t, db.Table("mg_item_refs").Count(&refs).Error)
		assert.EqualValues(t, 2, refs, "no ON DELETE CASCADE fired")
		assert.True(t, db.Migrator().HasIndex(&mgItemIntQty{}, "idx_mg_items_code"), "indexes survive")
		var view []map[string]any
		require.NoError(t, db.Raw("SELECT * FROM mg_item_view").Scan(&view).Error)
		assert.Len(t, view, 2, "views still work")

		require.NoError(t, db.Create(&mgItemIntQty{Code: "d", Qty: 5, Label: "four"}).Error)
		var logged int64
		require.NoError(t, db.Table("mg_item_log").Count(&logged).Error)
		assert.EqualValues(t, 1, logged, "triggers survive")
		var last mgItemIntQty
		require.NoError(t, db.Last(&last).Error)
		assert.EqualValues(t, 4, last.ID, "AUTOINCREMENT does not reuse deleted ids")

		rec.reset()
		require.NoError(t, db.Session(&gorm.Session{Logger: rec}).AutoMigrate(&mgItemIntQty{}))
		assert.Empty(t, rec.ddl())
	})
}

type mgParent struct {
	ID uint
}

type mgChild struct {
	ID       uint
	ParentID uint
	Parent   mgParent
}

func TestMigratorRebuildChecksForeignKeys(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		require.NoError(t, db.Migrator().CreateTable(&mgParent{}))
		require.NoError(t, db.Exec("CREATE TABLE mg_children (id integer PRIMARY KEY, parent_id integer)").Error)
		require.NoError(t, db.Exec("INSERT INTO mg_children VALUES (1, 99)").Error)
		// Adding the foreign key rebuilds mg_children; the orphan row breaks it.
		err := db.Migrator().CreateConstraint(&mgChild{}, "Parent")
		require.Error(t, err)
		assert.ErrorIs(t, err, gorm.ErrForeignKeyViolated)
		assert.False(t, db.Migrator().HasConstraint(&mgChild{}, "Parent"), "the rebuild rolled back")
		var n int64
		require.NoError(t, db.Table("mg_children").Count(&n).Error)
		assert.EqualValues(t, 1, n)
	})
}

func TestMigratorConstraints(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		m := db.Migrator()
		require.NoError(t, db.AutoMigrate(&mgCompany{}, &mgUser{}))
		assert.True(t, m.HasConstraint(&mgUser{}, "Company"), "foreign key by field")
		assert.True(t, m.HasConstraint(&mgUser{}, "fk_mg_users_company"), "foreign key by name")
		assert.True(t, m.HasConstraint(&mgUser{}, "chk_mg_users_age"), "check by name")
		assert.True(t, m.HasConstraint(&mgUser{}, "uni_mg_users_email"), "unique by name")

		require.NoError(t, db.Create(&mgUser{Name: "ann", Email: "a@x", Age: 3}).Error)

		require.NoError(t, m.DropConstraint(&mgUser{}, "chk_mg_users_age"))
		assert.False(t, m.HasConstraint(&mgUser{}, "chk_mg_users_age"))
		require.NoError(t, db.Create(&mgUser{Name: "bob", Email: "b@x", Age: -1}).Error, "no check any more")
		require.NoError(t, db.Unscoped().Delete(&mgUser{}, "age < 0").Error)
		require.NoError(t, m.CreateConstraint(&mgUser{}, "chk_mg_users_age"))
		assert.True(t, m.HasConstraint(&mgUser{}, "chk_mg_users_age"))
		assert.ErrorIs(t, db.Create(&mgUser{Name: "cy", Email: "c@x", Age: -1}).Error, gorm.ErrCheckConstraintViolated)

		require.NoError(t, m.DropConstraint(&mgUser{}, "Company"))
		assert.False(t, m.HasConstraint(&mgUser{}, "Company"))
		missing := uint(42)
		require.NoError(t, db.Create(&mgUser{Name: "dee", Email: "d@x", CompanyID: &missing}).Error, "no foreign key any more")
		require.NoError(t, db.Unscoped().Delete(&mgUser{}, "company_id = 42").Error)
		require.NoError(t, m.CreateConstraint(&mgUser{}, "Company"))
		assert.True(t, m.HasConstraint(&mgUser{}, "Company"))
		assert.ErrorIs(t, db.Create(&mgUser{Name: "eve", Email: "e@x", CompanyID: &missing}).Error, gorm.ErrForeignKeyViolated)

		var n int64
		require.NoError(t, db.Model(&mgUser{}).Count(&n).Error)
		assert.EqualValues(t, 1, n, "rows survive constraint changes")
	})
}

func TestMigratorIndexes(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		m := db.Migrator()
		require.NoError(t, db.AutoMigrate(&mgCompany{}, &mgUser{}))

		for _, name := range []string{"idx_mg_code_name", "idx_mg_nick_partial", "idx_mg_lower", "idx_mg_users_deleted_at"} {
			assert.True(t, m.HasIndex(&mgUser{}, name), name)
		}
		assert.True(t, m.HasIndex(&mgUser{}, "DeletedAt"), "index by field name")
		assert.True(t, m.HasIndex(&mgCompany{}, "idx_mg_companies_name"))

		indexes, err := m.GetIndexes(&mgUser{})
		require.NoError(t, err)
		byName := map[string]gorm.Index{}
		for _, idx := range indexes {
			byName[idx.Name()] = idx
		}
		require.Contains(t, byName, "idx_mg_code_name")
		assert.Equal(t, []string{"code", "nick"}, byName["idx_mg_code_name"].Columns(), "composite")
		unique, _ := byName["idx_mg_code_name"].Unique()
		assert.False(t, unique)
		opt := byName["idx_mg_nick_partial"].Option()
		assert.Equal(t, "partial", opt)
		assert.Equal(t, []string{""}, byName["idx_mg_lower"].Columns(), "expression index")
		assert.NotContains(t, byName, "uni_mg_users_email", "constraint indexes are not listed")

		companyIdx, err := m.GetIndexes(&mgCompany{})
		require.NoError(t, err)
		require.Len(t, companyIdx, 1)
		unique, _ = companyIdx[0].Unique()
		assert.True(t, unique)

		require.NoError(t, m.RenameIndex(&mgUser{}, "idx_mg_code_name", "idx_mg_code_nick"))
		assert.False(t, m.HasIndex(&mgUser{}, "idx_mg_code_name"))
		assert.True(t, m.HasIndex(&mgUser{}, "idx_mg_code_nick"))
		indexes, err = m.GetIndexes(&mgUser{})
		require.NoError(t, err)
		for _, idx := range indexes {
			if idx.Name() == "idx_mg_code_nick" {
				assert.Equal(t, []string{"code", "nick"}, idx.Columns())
			}
		}

		require.NoError(t, m.DropIndex(&mgUser{}, "idx_mg_code_nick"))
		assert.False(t, m.HasIndex(&mgUser{}, "idx_mg_code_nick"))
		require.NoError(t, m.CreateIndex(&mgUser{}, "idx_mg_code_name"))
		assert.True(t, m.HasIndex(&mgUser{}, "idx_mg_code_name"))
		require.NoError(t, m.DropIndex(&mgUser{}, "DeletedAt"))
		assert.False(t, m.HasIndex(&mgUser{}, "idx_mg_users_deleted_at"))
		assert.Error(t, m.DropIndex(&mgUser{}, "idx_none"))
	})
}

func TestMigratorUniqueIndexEnforced(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		require.NoError(t, db.AutoMigrate(&mgCompany{}))
		require.NoError(t, db.Create(&mgCompany{Name: "acme"}).Error)
		assert.ErrorIs(t, db.Create(&mgCompany{Name: "acme"}).Error, gorm.ErrDuplicatedKey)
	})
}

func TestMigratorViews(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		m := db.Migrator()
		require.NoError(t, db.AutoMigrate(&mgCompany{}))
		require.NoError(t, db.Create(&[]mgCompany{{Name: "a"}, {Name: "b"}, {Name: "c"}}).Error)

		require.Error(t, m.CreateView("mg_v", gorm.ViewOption{}), "a view needs a query")
		require.NoError(t, m.CreateView("mg_v", gorm.ViewOption{Query: db.Model(&mgCompany{}).Where("name <> ?", "a")}))
		var n int64
		require.NoError(t, db.Table("mg_v").Count(&n).Error)
		assert.EqualValues(t, 2, n)

		require.Error(t, m.CreateView("mg_v", gorm.ViewOption{Query: db.Model(&mgCompany{})}), "exists already")
		require.NoError(t, m.CreateView("mg_v", gorm.ViewOption{Query: db.Model(&mgCompany{}), Replace: true}))
		require.NoError(t, db.Table("mg_v").Count(&n).Error)
		assert.EqualValues(t, 3, n, "replaced")
		assert.Error(t, m.CreateView("mg_w", gorm.ViewOption{Query: db.Model(&mgCompany{}), CheckOption: "WITH CHECK OPTION"}))

		require.NoError(t, m.DropView("mg_v"))
		assert.Error(t, db.Table("mg_v").Count(&n).Error)
		tt, err := m.TableType(&mgCompany{})
		require.NoError(t, err)
		assert.Equal(t, "table", tt.Type())
	})
}

type mgVecDoc struct {
	ID        uint
	Body      string
	Embedding libsql.Vector `gorm:"size:3;index:idx_mg_vec_docs_embedding,type:vector"`
}

func TestMigratorDropVectorIndexedColumn(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		m := db.Migrator()
		require.NoError(t, db.AutoMigrate(&mgVecDoc{}))
		require.NoError(t, db.Create(&mgVecDoc{Body: "a", Embedding: libsql.Vector{1, 2, 3}}).Error)
		require.NoError(t, m.DropColumn(&mgVecDoc{}, "Embedding"), "the vector index goes with its column")
		assert.False(t, m.HasColumn(&mgVecDoc{}, "embedding"))
		assert.False(t, m.HasIndex(&mgVecDoc{}, "idx_mg_vec_docs_embedding"))
		tables, err := m.GetTables()
		require.NoError(t, err)
		assert.Equal(t, []string{"mg_vec_docs"}, tables)
		var body string
		require.NoError(t, db.Raw("SELECT body FROM mg_vec_docs").Scan(&body).Error)
		assert.Equal(t, "a", body)
	})
}
