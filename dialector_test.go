package libsql_test

import (
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/gorm-libsql/libsql"
)

func TestDialectorName(t *testing.T) {
	assert.Equal(t, "sqlite", libsql.Open(":memory:").Name(), "GORM and plugins key SQLite behaviour on the name")
}

func TestQuoteTo(t *testing.T) {
	tests := map[string]string{
		"users":            "`users`",
		"users.name":       "`users`.`name`",
		"we`ird":           "`we``ird`",
		"`users`.name":     "`users`.`name`",
		"`a.b`.c":          "`a.b`.`c`",
		"":                 "``",
		"x; DROP TABLE y":  "`x; DROP TABLE y`",
		"main.users.email": "`main`.`users`.`email`",
	}
	for in, want := range tests {
		var b strings.Builder
		libsql.Dialector{}.QuoteTo(&b, in)
		assert.Equal(t, want, b.String(), in)
	}
}

type dtModel struct {
	ID      uint
	Flag    bool
	Count   int64
	Small   int8
	Ratio   float32
	Name    string
	Sized   string `gorm:"size:20"`
	At      time.Time
	Day     time.Time `gorm:"type:date"`
	Raw     []byte
	Doc     string `gorm:"type:json"`
	Counter uint   `gorm:"autoIncrement;primaryKey"`
}

// TestDataTypeOf: the column types of GORM's SQLite dialect, so that
// databases it made migrate without changes.
func TestDataTypeOf(t *testing.T) {
	s, err := schema.Parse(&dtModel{}, &sync.Map{}, schema.NamingStrategy{})
	require.NoError(t, err)
	want := map[string]string{
		"Flag": "numeric", "Count": "integer", "Small": "integer", "Ratio": "real", "Name": "text",
		"Sized": "text", "At": "datetime", "Day": "date", "Raw": "blob", "Doc": "json",
		"Counter": "integer PRIMARY KEY AUTOINCREMENT",
	}
	d := libsql.Dialector{}
	for name, typ := range want {
		assert.Equal(t, typ, d.DataTypeOf(s.LookUpField(name)), name)
	}
}

func TestExplain(t *testing.T) {
	got := libsql.Dialector{}.Explain("INSERT INTO t VALUES (?, ?, ?, ?, ?)",
		"it's", 42, nil, true, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))
	assert.Equal(t, "INSERT INTO t VALUES ('it''s', 42, NULL, true, '2024-01-02 03:04:05')", got)
}

// TestConfigConn: a pool given in Config.Conn is used as it is: no second
// pool, the dialect's errors and Sync's answer as for any local database.
func TestConfigConn(t *testing.T) {
	owner := openDB(t, libsql.Open(filepath.Join(t.TempDir(), "shared.db")), nil)
	pool, err := owner.DB()
	require.NoError(t, err)
	db := openDB(t, libsql.New(libsql.Config{Conn: pool}), &gorm.Config{TranslateError: true})
	require.NoError(t, db.AutoMigrate(&exampleNote{}))
	require.NoError(t, db.Create(&exampleNote{Text: "shared"}).Error)

	var n int64
	require.NoError(t, owner.Model(&exampleNote{}).Where("text = ?", "shared").Count(&n).Error)
	assert.EqualValues(t, 1, n, "both *gorm.DB use the one pool")
	got, err := db.DB()
	require.NoError(t, err)
	assert.Same(t, pool, got)
	assert.ErrorIs(t, db.Create(&exampleNote{Text: "shared"}).Error, gorm.ErrDuplicatedKey)
	_, err = libsql.Sync(db)
	assert.True(t, errors.Is(err, libsql.ErrNotReplica), "%v", err)
}
