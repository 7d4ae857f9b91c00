package libsql_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
)

var errConfHook = errors.New("hook refused")

// confHookItem records every hook GORM calls on it in Events and fails the
// hook named in FailAt.
type confHookItem struct {
	ID     uint
	Name   string
	Code   string
	Qty    int
	Events []string `gorm:"-"`
	FailAt string   `gorm:"-"`
}

func (confHookItem) TableName() string { return "conf_hook_items" }

// confHookAudit is written by AfterCreate inside the create transaction.
type confHookAudit struct {
	ID     uint
	ItemID uint
	Action string
}

func (confHookAudit) TableName() string { return "conf_hook_audits" }

func (i *confHookItem) record(hook string) error {
	i.Events = append(i.Events, hook)
	if i.FailAt == hook {
		return errConfHook
	}
	return nil
}

func (i *confHookItem) BeforeCreate(tx *gorm.DB) error {
	if i.Code == "" {
		i.Code = "C-" + i.Name
	}
	return i.record("BeforeCreate")
}

func (i *confHookItem) AfterCreate(tx *gorm.DB) error {
	if err := tx.Create(&confHookAudit{ItemID: i.ID, Action: "create"}).Error; err != nil {
		return err
	}
	return i.record("AfterCreate")
}

func (i *confHookItem) BeforeUpdate(tx *gorm.DB) error {
	if tx.Statement.Changed("Qty") {
		tx.Statement.SetColumn("Code", "U-"+i.Name)
	}
	return i.record("BeforeUpdate")
}

func (i *confHookItem) AfterUpdate(tx *gorm.DB) error  { return i.record("AfterUpdate") }
func (i *confHookItem) BeforeDelete(tx *gorm.DB) error { return i.record("BeforeDelete") }
func (i *confHookItem) AfterDelete(tx *gorm.DB) error  { return i.record("AfterDelete") }

func (i *confHookItem) AfterFind(tx *gorm.DB) error {
	if i.Name == "fail-find" {
		return errConfHook
	}
	return i.record("AfterFind")
}

func TestConformanceHooksRun(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confHookItem{}, &confHookAudit{})

		item := confHookItem{Name: "widget"}
		require.NoError(t, db.Create(&item).Error)
		assert.Equal(t, []string{"BeforeCreate", "AfterCreate"}, item.Events)
		assert.EqualValues(t, 1, confCount(t, db, "conf_hook_items", "id = ? AND code = ?", item.ID, "C-widget"), "BeforeCreate change stored")
		assert.EqualValues(t, 1, confCount(t, db, "conf_hook_audits", "item_id = ? AND action = ?", item.ID, "create"), "AfterCreate write committed with the row")

		item.Events = nil
		require.NoError(t, db.Model(&item).Update("qty", 5).Error)
		assert.Equal(t, []string{"BeforeUpdate", "AfterUpdate"}, item.Events)
		assert.EqualValues(t, 1, confCount(t, db, "conf_hook_items", "id = ? AND qty = ? AND code = ?", item.ID, 5, "U-widget"), "BeforeUpdate SetColumn stored")

		item.Events = nil
		require.NoError(t, db.Model(&item).UpdateColumn("qty", 6).Error)
		assert.Empty(t, item.Events, "UpdateColumn skips hooks")

		batch := []confHookItem{{Name: "a"}, {Name: "b"}, {Name: "c"}}
		require.NoError(t, db.Create(&batch).Error)
		for _, b := range batch {
			assert.Equal(t, []string{"BeforeCreate", "AfterCreate"}, b.Events, b.Name)
		}

		var found []confHookItem
		require.NoError(t, db.Order("id").Find(&found).Error)
		require.Len(t, found, 1+len(batch))
		for _, f := range found {
			assert.Equal(t, []string{"AfterFind"}, f.Events, "AfterFind once per row (%s)", f.Name)
		}
		var one confHookItem
		require.NoError(t, db.First(&one, item.ID).Error)
		assert.Equal(t, []string{"AfterFind"}, one.Events)

		item.Events = nil
		require.NoError(t, db.Delete(&item).Error)
		assert.Equal(t, []string{"BeforeDelete", "AfterDelete"}, item.Events)
		assert.Zero(t, confCount(t, db, "conf_hook_items", "id = ?", item.ID))
	})
}

func TestConformanceHookErrorRollsBack(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confHookItem{}, &confHookAudit{})

		for _, hook := range []string{"BeforeCreate", "AfterCreate"} {
			t.Run(hook, func(t *testing.T) {
				items := confCount(t, db, "conf_hook_items", "")
				audits := confCount(t, db, "conf_hook_audits", "")
				item := confHookItem{Name: "create-" + hook, FailAt: hook}
				err := db.Create(&item).Error
				require.Error(t, err)
				assert.True(t, errors.Is(err, errConfHook), "got %v", err)
				assert.Contains(t, item.Events, hook, "hook ran")
				assert.Equal(t, items, confCount(t, db, "conf_hook_items", ""), "insert rolled back")
				assert.Equal(t, audits, confCount(t, db, "conf_hook_audits", ""), "AfterCreate's own write rolled back too")
			})
		}

		for _, hook := range []string{"BeforeUpdate", "AfterUpdate"} {
			t.Run(hook, func(t *testing.T) {
				item := confHookItem{Name: "update-" + hook, Qty: 1}
				require.NoError(t, db.Create(&item).Error)
				item.FailAt = hook
				err := db.Model(&item).Update("qty", 2).Error
				require.Error(t, err)
				assert.True(t, errors.Is(err, errConfHook), "got %v", err)
				assert.EqualValues(t, 1, confCount(t, db, "conf_hook_items", "id = ? AND qty = ?", item.ID, 1), "update rolled back")
			})
		}

		for _, hook := range []string{"BeforeDelete", "AfterDelete"} {
			t.Run(hook, func(t *testing.T) {
				item := confHookItem{Name: "delete-" + hook}
				require.NoError(t, db.Create(&item).Error)
				item.FailAt = hook
				err := db.Delete(&item).Error
				require.Error(t, err)
				assert.True(t, errors.Is(err, errConfHook), "got %v", err)
				assert.EqualValues(t, 1, confCount(t, db, "conf_hook_items", "id = ?", item.ID), "delete rolled back")
			})
		}

		t.Run("AfterFind", func(t *testing.T) {
			require.NoError(t, db.Create(&confHookItem{Name: "fail-find"}).Error)
			var items []confHookItem
			err := db.Where("name = ?", "fail-find").Find(&items).Error
			assert.True(t, errors.Is(err, errConfHook), "got %v", err)
		})

		t.Run("database still usable", func(t *testing.T) {
			item := confHookItem{Name: "after-failures"}
			require.NoError(t, db.Create(&item).Error)
			assert.EqualValues(t, 1, confCount(t, db, "conf_hook_items", "id = ?", item.ID))
		})
	})
}
