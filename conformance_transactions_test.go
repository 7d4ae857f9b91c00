package libsql_test

import (
	"database/sql"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
)

type confTxEntry struct {
	ID   uint
	Name string `gorm:"uniqueIndex"`
}

func (confTxEntry) TableName() string { return "conf_tx_entries" }

var errConfTx = errors.New("abort transaction")

// confTxNames returns the stored entry names, sorted.
func confTxNames(t *testing.T, db *gorm.DB) []string {
	t.Helper()
	var names []string
	require.NoError(t, db.Model(&confTxEntry{}).Order("name").Pluck("name", &names).Error)
	return names
}

func TestConformanceTransactionCommit(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confTxEntry{})
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Create(&confTxEntry{Name: "a"}).Error; err != nil {
				return err
			}
			if err := tx.Create(&confTxEntry{Name: "b"}).Error; err != nil {
				return err
			}
			// The transaction sees its own writes.
			var n int64
			if err := tx.Model(&confTxEntry{}).Count(&n).Error; err != nil {
				return err
			}
			assert.EqualValues(t, 2, n)
			// Other connections do not see them before commit.
			assert.EqualValues(t, 0, confCount(t, db, "conf_tx_entries", ""), "uncommitted rows invisible outside")
			return nil
		})
		require.NoError(t, err)
		assert.Equal(t, []string{"a", "b"}, confTxNames(t, db))
	})
}

func TestConformanceTransactionRollbackOnError(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confTxEntry{})
		require.NoError(t, db.Create(&confTxEntry{Name: "before"}).Error)

		err := db.Transaction(func(tx *gorm.DB) error {
			require.NoError(t, tx.Create(&confTxEntry{Name: "lost"}).Error)
			require.NoError(t, tx.Model(&confTxEntry{}).Where("name = ?", "before").Update("name", "renamed").Error)
			return errConfTx
		})
		assert.True(t, errors.Is(err, errConfTx), "got %v", err)
		assert.Equal(t, []string{"before"}, confTxNames(t, db))

		// A failing statement's error returned from the function rolls back
		// the statements before it.
		err = db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Create(&confTxEntry{Name: "lost2"}).Error; err != nil {
				return err
			}
			return tx.Create(&confTxEntry{Name: "before"}).Error // duplicate
		})
		assert.True(t, errors.Is(err, gorm.ErrDuplicatedKey), "got %v", err)
		assert.Equal(t, []string{"before"}, confTxNames(t, db))
	})
}

func TestConformanceTransactionRollbackOnPanic(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confTxEntry{})
		assert.PanicsWithValue(t, "boom", func() {
			_ = db.Transaction(func(tx *gorm.DB) error {
				require.NoError(t, tx.Create(&confTxEntry{Name: "panicked"}).Error)
				panic("boom")
			})
		})
		assert.Empty(t, confTxNames(t, db), "panic rolled the transaction back")

		// The connection went back to the pool clean: a new transaction works.
		require.NoError(t, db.Transaction(func(tx *gorm.DB) error {
			return tx.Create(&confTxEntry{Name: "after"}).Error
		}))
		assert.Equal(t, []string{"after"}, confTxNames(t, db))
	})
}

func TestConformanceNestedTransactions(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confTxEntry{})
		tdb, trace := confTraced(db)

		err := tdb.Transaction(func(tx *gorm.DB) error {
			if err := tx.Create(&confTxEntry{Name: "outer"}).Error; err != nil {
				return err
			}
			innerErr := tx.Transaction(func(tx2 *gorm.DB) error {
				require.NoError(t, tx2.Create(&confTxEntry{Name: "inner-rolled-back"}).Error)
				return errConfTx
			})
			assert.True(t, errors.Is(innerErr, errConfTx), "got %v", innerErr)

			if err := tx.Transaction(func(tx2 *gorm.DB) error {
				if err := tx2.Create(&confTxEntry{Name: "inner-kept"}).Error; err != nil {
					return err
				}
				// Two levels deep: the innermost rollback keeps its parent's work.
				_ = tx2.Transaction(func(tx3 *gorm.DB) error {
					require.NoError(t, tx3.Create(&confTxEntry{Name: "deepest-rolled-back"}).Error)
					return errConfTx
				})
				return nil
			}); err != nil {
				return err
			}

			// A rolled-back middle level takes its committed child with it.
			_ = tx.Transaction(func(tx2 *gorm.DB) error {
				require.NoError(t, tx2.Create(&confTxEntry{Name: "middle-rolled-back"}).Error)
				require.NoError(t, tx2.Transaction(func(tx3 *gorm.DB) error {
					return tx3.Create(&confTxEntry{Name: "child-of-rolled-back"}).Error
				}))
				return errConfTx
			})

			// Inside the outer transaction the inner rollbacks are visible.
			assert.Equal(t, []string{"inner-kept", "outer"}, confTxNames(t, tx))
			return nil
		})
		require.NoError(t, err)
		assert.Equal(t, []string{"inner-kept", "outer"}, confTxNames(t, db))
		assert.NotEmpty(t, trace.Matching("SAVEPOINT"), "nested transactions use SAVEPOINT")
		assert.NotEmpty(t, trace.Matching("ROLLBACK TO SAVEPOINT"), "inner rollback uses ROLLBACK TO SAVEPOINT")

		// Rolling back the outer transaction discards committed inner work.
		err = db.Transaction(func(tx *gorm.DB) error {
			require.NoError(t, tx.Transaction(func(tx2 *gorm.DB) error {
				return tx2.Create(&confTxEntry{Name: "discarded"}).Error
			}))
			return errConfTx
		})
		assert.True(t, errors.Is(err, errConfTx))
		assert.Equal(t, []string{"inner-kept", "outer"}, confTxNames(t, db))
	})
}

func TestConformanceManualTransaction(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confTxEntry{})

		tx := db.Begin()
		require.NoError(t, tx.Error)
		require.NoError(t, tx.Create(&confTxEntry{Name: "m1"}).Error)
		require.NoError(t, tx.SavePoint("sp1").Error)
		require.NoError(t, tx.Create(&confTxEntry{Name: "m2"}).Error)
		require.NoError(t, tx.SavePoint("sp2").Error)
		require.NoError(t, tx.Create(&confTxEntry{Name: "m3"}).Error)
		require.NoError(t, tx.RollbackTo("sp2").Error)
		assert.Equal(t, []string{"m1", "m2"}, confTxNames(t, tx))
		require.NoError(t, tx.RollbackTo("sp1").Error)
		assert.Equal(t, []string{"m1"}, confTxNames(t, tx))
		require.NoError(t, tx.Create(&confTxEntry{Name: "m4"}).Error)
		assert.Empty(t, confTxNames(t, db), "nothing visible outside before Commit")
		require.NoError(t, tx.Commit().Error)
		assert.Equal(t, []string{"m1", "m4"}, confTxNames(t, db))
		assert.True(t, errors.Is(tx.Commit().Error, sql.ErrTxDone), "second Commit fails")

		tx = db.Begin()
		require.NoError(t, tx.Error)
		require.NoError(t, tx.Create(&confTxEntry{Name: "r1"}).Error)
		require.NoError(t, tx.Rollback().Error)
		assert.Equal(t, []string{"m1", "m4"}, confTxNames(t, db), "Rollback discards")

		// Savepoint names that need quoting.
		tx = db.Begin()
		require.NoError(t, tx.SavePoint("sp with space").Error)
		require.NoError(t, tx.Create(&confTxEntry{Name: "q1"}).Error)
		require.NoError(t, tx.RollbackTo("sp with space").Error)
		require.NoError(t, tx.Commit().Error)
		assert.Equal(t, []string{"m1", "m4"}, confTxNames(t, db))
	})
}
