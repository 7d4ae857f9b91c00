package libsql_test

import (
	"database/sql"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/gorm-libsql/libsql"
)

type txAccount struct {
	ID      uint
	Balance int
}

func TestTransactionModes(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		require.NoError(t, db.AutoMigrate(&txAccount{}))
		require.NoError(t, db.Create(&txAccount{Balance: 10}).Error)

		for name, opts := range map[string]*sql.TxOptions{"immediate": libsql.Immediate(), "exclusive": libsql.Exclusive(), "deferred": nil} {
			t.Run(name, func(t *testing.T) {
				var err error
				if opts == nil {
					err = db.Transaction(func(tx *gorm.DB) error {
						return tx.Model(&txAccount{}).Where("id = 1").Update("balance", gorm.Expr("balance + 1")).Error
					})
				} else {
					err = db.Transaction(func(tx *gorm.DB) error {
						return tx.Model(&txAccount{}).Where("id = 1").Update("balance", gorm.Expr("balance + 1")).Error
					}, opts)
				}
				require.NoError(t, err)
			})
		}
		var acc txAccount
		require.NoError(t, db.First(&acc, 1).Error)
		assert.Equal(t, 13, acc.Balance)

		err := db.Transaction(func(tx *gorm.DB) error {
			var a txAccount
			if err := tx.First(&a, 1).Error; err != nil {
				return err
			}
			return tx.Model(&a).Update("balance", 0).Error
		}, libsql.ReadOnly())
		require.Error(t, err, "a read-only transaction rejects writes")
		assert.Contains(t, err.Error(), "readonly")
		require.NoError(t, db.First(&acc, 1).Error)
		assert.Equal(t, 13, acc.Balance)

		err = db.Transaction(func(tx *gorm.DB) error { return nil }, &sql.TxOptions{Isolation: sql.LevelReadUncommitted})
		assert.Error(t, err, "unsupported isolation levels are refused")

		require.NoError(t, db.Create(&txAccount{Balance: 1}).Error, "the pool still writes after a read-only transaction")
	})
}

func TestConnInfo(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		require.NoError(t, db.AutoMigrate(&txAccount{}))
		require.NoError(t, db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Create(&[]txAccount{{Balance: 1}, {Balance: 2}, {Balance: 3}}).Error; err != nil {
				return err
			}
			info, err := libsql.Info(tx)
			require.NoError(t, err)
			assert.EqualValues(t, 3, info.LastInsertRowID)
			assert.EqualValues(t, 3, info.Changes)
			assert.False(t, info.Autocommit)

			require.NoError(t, tx.Model(&txAccount{}).Where("balance > 1").Update("balance", 9).Error)
			info, err = libsql.Info(tx)
			require.NoError(t, err)
			assert.EqualValues(t, 2, info.Changes)
			assert.GreaterOrEqual(t, info.TotalChanges, int64(5))
			return nil
		}))
		require.NoError(t, db.Connection(func(conn *gorm.DB) error {
			info, err := libsql.Info(conn)
			require.NoError(t, err)
			assert.True(t, info.Autocommit)
			return nil
		}))
	})
}

func TestBatch(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		require.NoError(t, db.AutoMigrate(&txAccount{}))
		stmts := []libsql.Statement{
			{SQL: "INSERT INTO tx_accounts (id, balance) VALUES (?, ?)", Args: []any{1, 100}},
			{SQL: "INSERT INTO tx_accounts (id, balance) VALUES (?, ?)", Args: []any{1, 200}}, // duplicate key
			{SQL: "UPDATE tx_accounts SET balance = balance + ? WHERE id = 1", Args: []any{5}},
		}
		results, err := libsql.Batch(db, stmts)
		require.Error(t, err)
		assert.ErrorIs(t, err, gorm.ErrDuplicatedKey)
		require.Len(t, results, 3)
		assert.NoError(t, results[0].Err)
		assert.EqualValues(t, 1, results[0].RowsAffected)
		assert.ErrorIs(t, results[1].Err, gorm.ErrDuplicatedKey)
		assert.NoError(t, results[2].Err)
		var acc txAccount
		require.NoError(t, db.First(&acc, 1).Error)
		assert.Equal(t, 105, acc.Balance, "independent statements ran around the failure")

		stmts = []libsql.Statement{
			{SQL: "UPDATE tx_accounts SET balance = 0 WHERE id = 1"},
			{SQL: "INSERT INTO tx_accounts (id, balance) VALUES (2, 1)"},
			{SQL: "INSERT INTO tx_accounts (id, balance) VALUES (2, 2)"}, // duplicate key
		}
		results, err = libsql.BatchTransactional(db, stmts)
		require.Error(t, err)
		assert.ErrorIs(t, results[2].Err, gorm.ErrDuplicatedKey)
		require.NoError(t, db.First(&acc, 1).Error)
		assert.Equal(t, 105, acc.Balance, "all or nothing")
		var n int64
		require.NoError(t, db.Model(&txAccount{}).Count(&n).Error)
		assert.EqualValues(t, 1, n)

		results, err = libsql.BatchTransactional(db, stmts[:2])
		require.NoError(t, err)
		assert.EqualValues(t, 1, results[1].RowsAffected)
		require.NoError(t, db.Model(&txAccount{}).Count(&n).Error)
		assert.EqualValues(t, 2, n)
	})
}
