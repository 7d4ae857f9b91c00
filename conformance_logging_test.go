package libsql_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
)

type confLogItem struct {
	ID   uint
	Name string `gorm:"uniqueIndex"`
}

func (confLogItem) TableName() string { return "conf_log_items" }

func TestConformanceLoggerTrace(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		tdb, trace := confTraced(db)
		confMigrate(t, tdb, &confLogItem{})
		assert.NotEmpty(t, trace.Matching("CREATE TABLE `conf_log_items`"), "migration DDL goes through the logger")

		trace.Reset()
		require.NoError(t, tdb.Create(&[]confLogItem{{Name: "first"}, {Name: "second"}}).Error)
		inserts := trace.Matching("INSERT INTO `conf_log_items`")
		require.Len(t, inserts, 1)
		assert.Contains(t, inserts[0].SQL, "'first'", "arguments rendered into the logged SQL")
		assert.Contains(t, inserts[0].SQL, "'second'")
		assert.EqualValues(t, 2, inserts[0].Rows)
		assert.NoError(t, inserts[0].Err)

		trace.Reset()
		var items []confLogItem
		require.NoError(t, tdb.Where("name LIKE ?", "%s%").Find(&items).Error)
		selects := trace.Matching("SELECT * FROM `conf_log_items`")
		require.Len(t, selects, 1)
		assert.Contains(t, selects[0].SQL, "'%s%'")
		assert.EqualValues(t, len(items), selects[0].Rows)

		trace.Reset()
		require.NoError(t, tdb.Exec("UPDATE conf_log_items SET name = name || ? WHERE name = ?", "!", "first").Error)
		updates := trace.Matching("UPDATE conf_log_items")
		require.Len(t, updates, 1)
		assert.EqualValues(t, 1, updates[0].Rows)

		trace.Reset()
		err := tdb.Create(&confLogItem{Name: "second"}).Error
		require.True(t, errors.Is(err, gorm.ErrDuplicatedKey), "got %v", err)
		failed := trace.Matching("INSERT INTO `conf_log_items`")
		require.Len(t, failed, 1)
		assert.True(t, errors.Is(failed[0].Err, gorm.ErrDuplicatedKey), "the logger sees the translated error: %v", failed[0].Err)
	})
}
