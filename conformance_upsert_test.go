package libsql_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

type confUpsItem struct {
	ID   uint
	Code string `gorm:"uniqueIndex;not null"`
	Name string
	Qty  int
}

func (confUpsItem) TableName() string { return "conf_ups_items" }

// confUpsPair is unique on (a, b) together.
type confUpsPair struct {
	ID   uint
	A    string `gorm:"uniqueIndex:idx_conf_ups_pair;not null"`
	B    string `gorm:"uniqueIndex:idx_conf_ups_pair;not null"`
	Note string
	Hits int
}

func (confUpsPair) TableName() string { return "conf_ups_pairs" }

func confUpsGet(t *testing.T, db *gorm.DB, code string) confUpsItem {
	t.Helper()
	var it confUpsItem
	require.NoError(t, db.Where("code = ?", code).First(&it).Error)
	return it
}

func TestConformanceUpsertDoNothing(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confUpsItem{})
		orig := confUpsItem{Code: "A", Name: "first", Qty: 1}
		require.NoError(t, db.Create(&orig).Error)

		dup := confUpsItem{Code: "A", Name: "second", Qty: 2}
		res := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&dup)
		require.NoError(t, res.Error, "a conflict with DO NOTHING is not an error")
		assert.Zero(t, res.RowsAffected)
		assert.EqualValues(t, 1, confCount(t, db, "conf_ups_items", ""))
		got := confUpsGet(t, db, "A")
		assert.Equal(t, orig.ID, got.ID)
		assert.Equal(t, "first", got.Name)
		assert.Equal(t, 1, got.Qty)

		// A batch mixing new and conflicting rows inserts only the new ones.
		// (Which element receives which RETURNING id is GORM's business, so
		// only the stored rows are checked.)
		batch := []confUpsItem{{Code: "A", Name: "x"}, {Code: "B", Name: "b", Qty: 3}, {Code: "C", Name: "c", Qty: 4}}
		res = db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "code"}}, DoNothing: true}).Create(&batch)
		require.NoError(t, res.Error)
		assert.EqualValues(t, 2, res.RowsAffected)
		assert.EqualValues(t, 3, confCount(t, db, "conf_ups_items", ""))
		assert.Equal(t, "first", confUpsGet(t, db, "A").Name)
		for _, it := range batch[1:] {
			stored := confUpsGet(t, db, it.Code)
			assert.Equal(t, it.Qty, stored.Qty)
			assert.Equal(t, it.Name, stored.Name)
		}
	})
}

func TestConformanceUpsertUpdateAll(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confUpsItem{})
		orig := confUpsItem{Code: "K", Name: "old", Qty: 1}
		require.NoError(t, db.Create(&orig).Error)

		upd := confUpsItem{Code: "K", Name: "new", Qty: 9}
		res := db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "code"}}, UpdateAll: true}).Create(&upd)
		require.NoError(t, res.Error)
		assert.EqualValues(t, 1, res.RowsAffected)
		assert.EqualValues(t, 1, confCount(t, db, "conf_ups_items", ""))
		got := confUpsGet(t, db, "K")
		assert.Equal(t, orig.ID, got.ID, "the existing row was updated in place")
		assert.Equal(t, "new", got.Name)
		assert.Equal(t, 9, got.Qty)
		assert.Equal(t, orig.ID, upd.ID, "RETURNING gives the updated row's ID")

		// Upsert by primary key (GORM's default target) through Save of a slice.
		got.Name, got.Qty = "saved", 11
		fresh := confUpsItem{Code: "L", Name: "l", Qty: 2}
		items := []confUpsItem{got, fresh}
		require.NoError(t, db.Save(&items).Error)
		assert.EqualValues(t, 2, confCount(t, db, "conf_ups_items", ""))
		assert.Equal(t, "saved", confUpsGet(t, db, "K").Name)
		assert.Equal(t, 11, confUpsGet(t, db, "K").Qty)
		assert.Equal(t, 2, confUpsGet(t, db, "L").Qty)
	})
}

func TestConformanceUpsertDoUpdates(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confUpsItem{})
		require.NoError(t, db.Create(&confUpsItem{Code: "X", Name: "x0", Qty: 5}).Error)
		onCode := []clause.Column{{Name: "code"}}

		t.Run("AssignmentColumns", func(t *testing.T) {
			res := db.Clauses(clause.OnConflict{Columns: onCode, DoUpdates: clause.AssignmentColumns([]string{"name"})}).
				Create(&confUpsItem{Code: "X", Name: "x1", Qty: 100})
			require.NoError(t, res.Error)
			got := confUpsGet(t, db, "X")
			assert.Equal(t, "x1", got.Name, "listed column takes the new value")
			assert.Equal(t, 5, got.Qty, "unlisted column keeps the old value")
		})

		t.Run("Assignments with expression", func(t *testing.T) {
			res := db.Clauses(clause.OnConflict{Columns: onCode, DoUpdates: clause.Assignments(map[string]interface{}{
				"qty":  gorm.Expr("conf_ups_items.qty + excluded.qty"),
				"name": "fixed",
			})}).Create(&confUpsItem{Code: "X", Name: "ignored", Qty: 7})
			require.NoError(t, res.Error)
			got := confUpsGet(t, db, "X")
			assert.Equal(t, 5+7, got.Qty, "old + excluded")
			assert.Equal(t, "fixed", got.Name)
		})

		t.Run("no conflict inserts", func(t *testing.T) {
			it := confUpsItem{Code: "Y", Name: "y", Qty: 1}
			res := db.Clauses(clause.OnConflict{Columns: onCode, DoUpdates: clause.AssignmentColumns([]string{"name", "qty"})}).Create(&it)
			require.NoError(t, res.Error)
			assert.NotZero(t, it.ID)
			assert.Equal(t, 1, confUpsGet(t, db, "Y").Qty)
		})

		t.Run("conditional update", func(t *testing.T) {
			before := confUpsGet(t, db, "X")
			oc := clause.OnConflict{
				Columns:   onCode,
				DoUpdates: clause.AssignmentColumns([]string{"qty"}),
				Where:     clause.Where{Exprs: []clause.Expression{gorm.Expr("excluded.qty > conf_ups_items.qty")}},
			}
			require.NoError(t, db.Clauses(oc).Create(&confUpsItem{Code: "X", Qty: before.Qty - 1}).Error)
			assert.Equal(t, before.Qty, confUpsGet(t, db, "X").Qty, "WHERE false: not updated")
			require.NoError(t, db.Clauses(oc).Create(&confUpsItem{Code: "X", Qty: before.Qty + 1}).Error)
			assert.Equal(t, before.Qty+1, confUpsGet(t, db, "X").Qty, "WHERE true: updated")
		})
		assert.EqualValues(t, 2, confCount(t, db, "conf_ups_items", ""))
	})
}

func TestConformanceUpsertCompositeTarget(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confUpsPair{})
		target := []clause.Column{{Name: "a"}, {Name: "b"}}
		upsert := func(p confUpsPair) confUpsPair {
			t.Helper()
			require.NoError(t, db.Clauses(clause.OnConflict{
				Columns: target,
				DoUpdates: clause.Assignments(map[string]interface{}{
					"hits": gorm.Expr("conf_ups_pairs.hits + 1"),
					"note": gorm.Expr("excluded.note"),
				}),
			}).Create(&p).Error)
			return p
		}
		first := upsert(confUpsPair{A: "x", B: "1", Note: "n1", Hits: 1})
		upsert(confUpsPair{A: "x", B: "2", Note: "n2", Hits: 1}) // same a, other b: new row
		upsert(confUpsPair{A: "y", B: "1", Note: "n3", Hits: 1}) // same b, other a: new row
		again := upsert(confUpsPair{A: "x", B: "1", Note: "n4", Hits: 1})
		upsert(confUpsPair{A: "x", B: "1", Note: "n5", Hits: 1})

		assert.EqualValues(t, 3, confCount(t, db, "conf_ups_pairs", ""))
		var got confUpsPair
		require.NoError(t, db.Where("a = ? AND b = ?", "x", "1").First(&got).Error)
		assert.Equal(t, first.ID, got.ID)
		assert.Equal(t, first.ID, again.ID, "RETURNING gives the existing row's ID")
		assert.Equal(t, 3, got.Hits, "inserted once, bumped twice")
		assert.Equal(t, "n5", got.Note)
		for _, k := range [][2]string{{"x", "2"}, {"y", "1"}} {
			var p confUpsPair
			require.NoError(t, db.Where("a = ? AND b = ?", k[0], k[1]).First(&p).Error)
			assert.Equal(t, 1, p.Hits, "%v untouched", k)
		}

		// The same target through UpdateAll.
		require.NoError(t, db.Clauses(clause.OnConflict{Columns: target, UpdateAll: true}).
			Create(&confUpsPair{A: "y", B: "1", Note: "all", Hits: 42}).Error)
		var y confUpsPair
		require.NoError(t, db.Where("a = ? AND b = ?", "y", "1").First(&y).Error)
		assert.Equal(t, "all", y.Note)
		assert.Equal(t, 42, y.Hits)
		assert.EqualValues(t, 3, confCount(t, db, "conf_ups_pairs", ""))
	})
}
