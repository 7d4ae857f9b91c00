package libsql_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
)

// confSoftNote is soft-deleted through gorm.DeletedAt.
type confSoftNote struct {
	ID        uint
	Title     string
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

func (confSoftNote) TableName() string { return "conf_soft_notes" }

func TestConformanceSoftDelete(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confSoftNote{})
		notes := []confSoftNote{{Title: "keep"}, {Title: "soft"}, {Title: "hard"}}
		require.NoError(t, db.Create(&notes).Error)
		soft, hard := notes[1], notes[2]

		res := db.Delete(&soft)
		require.NoError(t, res.Error)
		assert.EqualValues(t, 1, res.RowsAffected)
		assert.EqualValues(t, len(notes), confCount(t, db, "conf_soft_notes", ""), "soft delete keeps the row")
		assert.EqualValues(t, 1, confCount(t, db, "conf_soft_notes", "id = ? AND deleted_at IS NOT NULL", soft.ID))

		var visible []confSoftNote
		require.NoError(t, db.Order("id").Find(&visible).Error)
		assert.Equal(t, []string{"keep", "hard"}, []string{visible[0].Title, visible[1].Title})
		assert.Len(t, visible, 2)
		var n int64
		require.NoError(t, db.Model(&confSoftNote{}).Count(&n).Error)
		assert.EqualValues(t, 2, n)
		assert.True(t, errors.Is(db.First(&confSoftNote{}, soft.ID).Error, gorm.ErrRecordNotFound), "soft-deleted row hidden from First")

		var found confSoftNote
		require.NoError(t, db.Unscoped().First(&found, soft.ID).Error)
		assert.Equal(t, "soft", found.Title)
		assert.True(t, found.DeletedAt.Valid, "DeletedAt set")
		assert.False(t, found.DeletedAt.Time.IsZero())
		var all []confSoftNote
		require.NoError(t, db.Unscoped().Find(&all).Error)
		assert.Len(t, all, len(notes))
		var deletedOnly []confSoftNote
		require.NoError(t, db.Unscoped().Where("deleted_at IS NOT NULL").Find(&deletedOnly).Error)
		require.Len(t, deletedOnly, 1)
		assert.Equal(t, soft.ID, deletedOnly[0].ID)

		// Restore by clearing deleted_at.
		require.NoError(t, db.Unscoped().Model(&found).Update("deleted_at", nil).Error)
		require.NoError(t, db.First(&confSoftNote{}, soft.ID).Error, "restored row visible again")

		res = db.Unscoped().Delete(&hard)
		require.NoError(t, res.Error)
		assert.EqualValues(t, 1, res.RowsAffected)
		assert.Zero(t, confCount(t, db, "conf_soft_notes", "id = ?", hard.ID), "Unscoped Delete removes the row")
		assert.True(t, errors.Is(db.Unscoped().First(&confSoftNote{}, hard.ID).Error, gorm.ErrRecordNotFound))
	})
}
