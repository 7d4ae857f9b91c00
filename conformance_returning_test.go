package libsql_test

import (
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// confRetThing has defaults GORM fills in Go (Level, Label) and defaults
// only the database knows (Computed, Stamp), which GORM reads back through
// RETURNING.
type confRetThing struct {
	ID       uint
	Name     string
	Level    int       `gorm:"default:42"`
	Label    string    `gorm:"default:'none'"`
	Computed int       `gorm:"default:(6*7+1)"`
	Stamp    time.Time `gorm:"default:CURRENT_TIMESTAMP"`
}

func (confRetThing) TableName() string { return "conf_ret_things" }

func TestConformanceReturningIDs(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confRetThing{})
		tdb, trace := confTraced(db)

		one := confRetThing{Name: "one"}
		require.NoError(t, tdb.Create(&one).Error)
		require.NotZero(t, one.ID)
		inserts := trace.Matching("INSERT")
		require.Len(t, inserts, 1)
		assert.Contains(t, inserts[0].SQL, "RETURNING", "Create reads generated values with RETURNING")

		batch := make([]confRetThing, 6)
		for i := range batch {
			batch[i].Name = string(rune('a' + i))
		}
		require.NoError(t, db.Create(&batch).Error)
		ids := map[uint]bool{one.ID: true}
		for i, b := range batch {
			require.NotZero(t, b.ID, "batch[%d]", i)
			assert.False(t, ids[b.ID], "ID %d repeated", b.ID)
			ids[b.ID] = true
			var stored confRetThing
			require.NoError(t, db.First(&stored, b.ID).Error)
			assert.Equal(t, b.Name, stored.Name, "batch[%d] got the ID of its own row", i)
		}
	})
}

func TestConformanceReturningDefaults(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confRetThing{})
		th := confRetThing{Name: "d"}
		require.NoError(t, db.Create(&th).Error)

		assert.Equal(t, 42, th.Level, "default:42 in the struct")
		assert.Equal(t, "none", th.Label)
		assert.Equal(t, 43, th.Computed, "database-side default returned into the struct")
		assert.False(t, th.Stamp.IsZero(), "CURRENT_TIMESTAMP returned into the struct")

		var stored confRetThing
		require.NoError(t, db.First(&stored, th.ID).Error)
		assert.Equal(t, 42, stored.Level)
		assert.Equal(t, "none", stored.Label)
		assert.Equal(t, 43, stored.Computed)
		assert.True(t, th.Stamp.Equal(stored.Stamp), "returned %v, stored %v", th.Stamp, stored.Stamp)

		// The stored stamp is SQLite's own CURRENT_TIMESTAMP: it agrees with
		// the database's clock to the second.
		var agrees bool
		require.NoError(t, db.Raw("SELECT abs(strftime('%s', stamp) - strftime('%s', 'now')) < 600 FROM conf_ret_things WHERE id = ?", th.ID).Scan(&agrees).Error)
		assert.True(t, agrees)

		// Explicit values win over defaults.
		given := time.Date(2020, 5, 6, 7, 8, 9, 0, time.UTC)
		ex := confRetThing{Name: "e", Level: 7, Label: "set", Computed: 8, Stamp: given}
		require.NoError(t, db.Create(&ex).Error)
		stored = confRetThing{}
		require.NoError(t, db.First(&stored, ex.ID).Error)
		assert.Equal(t, 7, stored.Level)
		assert.Equal(t, "set", stored.Label)
		assert.Equal(t, 8, stored.Computed)
		assert.True(t, given.Equal(stored.Stamp))

		// Defaults come back for every row of a batch.
		batch := []confRetThing{{Name: "b1"}, {Name: "b2"}}
		require.NoError(t, db.Create(&batch).Error)
		for _, b := range batch {
			assert.Equal(t, 43, b.Computed, b.Name)
			assert.False(t, b.Stamp.IsZero(), b.Name)
		}
	})
}

// TestConformanceReturningDefaultsMixedBatch creates one batch in which a
// database-default column is set on some rows and left to its default on
// others. SQLite has no DEFAULT keyword inside VALUES, so the dialect must
// write the rows without a value some other way.
func TestConformanceReturningDefaultsMixedBatch(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confRetThing{})
		given := time.Date(2021, 1, 2, 3, 4, 5, 0, time.UTC)
		batch := []confRetThing{{Name: "default"}, {Name: "given", Computed: 5, Stamp: given}}
		require.NoError(t, db.Create(&batch).Error)
		assert.Equal(t, 43, batch[0].Computed, "database default returned")
		assert.False(t, batch[0].Stamp.IsZero(), "database default returned")
		assert.Equal(t, 5, batch[1].Computed)
		assert.True(t, given.Equal(batch[1].Stamp))

		var stored []confRetThing
		require.NoError(t, db.Order("id").Find(&stored).Error)
		require.Len(t, stored, 2)
		assert.Equal(t, 43, stored[0].Computed)
		assert.Equal(t, 5, stored[1].Computed)
		assert.True(t, given.Equal(stored[1].Stamp))
	})
}

func TestConformanceReturningUpdate(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confRetThing{})
		things := []confRetThing{{Name: "u1", Level: 1}, {Name: "u2", Level: 2}, {Name: "u3", Level: 3}, {Name: "u4", Level: 4}}
		require.NoError(t, db.Create(&things).Error)

		var updated []confRetThing
		res := db.Model(&updated).Clauses(clause.Returning{}).Where("level >= ?", 2).
			Update("level", gorm.Expr("level * 10"))
		require.NoError(t, res.Error)
		assert.EqualValues(t, 3, res.RowsAffected)
		require.Len(t, updated, 3, "RETURNING gives every updated row")
		sort.Slice(updated, func(i, j int) bool { return updated[i].ID < updated[j].ID })
		for i, u := range updated {
			src := things[i+1]
			assert.Equal(t, src.ID, u.ID)
			assert.Equal(t, src.Name, u.Name, "all columns returned")
			assert.Equal(t, src.Level*10, u.Level, "new value returned")
			assert.Equal(t, 43, u.Computed)
		}

		var someCols []confRetThing
		require.NoError(t, db.Model(&someCols).Clauses(clause.Returning{Columns: []clause.Column{{Name: "id"}, {Name: "level"}}}).
			Where("name = ?", "u1").Update("level", 5).Error)
		require.Len(t, someCols, 1)
		assert.Equal(t, things[0].ID, someCols[0].ID)
		assert.Equal(t, 5, someCols[0].Level)
		assert.Empty(t, someCols[0].Name, "column not listed in RETURNING")

		single := confRetThing{ID: things[3].ID}
		require.NoError(t, db.Model(&single).Clauses(clause.Returning{}).Update("name", "u4b").Error)
		assert.Equal(t, "u4b", single.Name)
		assert.Equal(t, 40, single.Level, "unchanged column read back into the model")
	})
}

func TestConformanceReturningDelete(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confRetThing{})
		things := []confRetThing{{Name: "d1", Level: 1}, {Name: "d2", Level: 2}, {Name: "d3", Level: 3}}
		require.NoError(t, db.Create(&things).Error)

		var deleted []confRetThing
		res := db.Clauses(clause.Returning{}).Where("level < ?", 3).Delete(&deleted)
		require.NoError(t, res.Error)
		assert.EqualValues(t, 2, res.RowsAffected)
		require.Len(t, deleted, 2)
		sort.Slice(deleted, func(i, j int) bool { return deleted[i].ID < deleted[j].ID })
		for i, d := range deleted {
			assert.Equal(t, things[i].ID, d.ID)
			assert.Equal(t, things[i].Name, d.Name)
			assert.Equal(t, things[i].Level, d.Level)
			assert.Equal(t, things[i].Label, d.Label)
		}
		assert.EqualValues(t, 1, confCount(t, db, "conf_ret_things", ""))

		var names []confRetThing
		require.NoError(t, db.Clauses(clause.Returning{Columns: []clause.Column{{Name: "name"}}}).
			Where("id = ?", things[2].ID).Delete(&names).Error)
		require.Len(t, names, 1)
		assert.Equal(t, "d3", names[0].Name)
		assert.Zero(t, names[0].Level, "column not listed in RETURNING")
		assert.Zero(t, confCount(t, db, "conf_ret_things", ""))
	})
}
