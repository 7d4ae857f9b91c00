package libsql_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
)

type confErrUser struct {
	ID    uint
	Email string `gorm:"uniqueIndex;not null"`
	Age   int    `gorm:"check:age > 0"`
}

func (confErrUser) TableName() string { return "conf_err_users" }

// confErrCode has a text primary key: GORM inserts it without RETURNING,
// so its errors come from Exec rather than from reading rows.
type confErrCode struct {
	Code string `gorm:"primaryKey"`
	Name string
}

func (confErrCode) TableName() string { return "conf_err_codes" }

type confErrOrder struct {
	ID     uint
	UserID uint
	User   confErrUser
	Amount int
}

func (confErrOrder) TableName() string { return "conf_err_orders" }

func TestConformanceErrorTranslation(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confErrUser{}, &confErrCode{}, &confErrOrder{})
		alice := confErrUser{Email: "alice@example.com", Age: 30}
		bob := confErrUser{Email: "bob@example.com", Age: 40}
		require.NoError(t, db.Create(&alice).Error)
		require.NoError(t, db.Create(&bob).Error)
		require.NoError(t, db.Create(&confErrCode{Code: "C1", Name: "one"}).Error)
		require.NoError(t, db.Create(&confErrOrder{UserID: alice.ID, Amount: 1}).Error)

		cases := []struct {
			name     string
			op       func(db *gorm.DB) error
			want     error
			wantText string // the engine's message must survive translation
			table    string // its row count must not change
		}{
			{
				name:     "duplicate unique column on Create (INSERT ... RETURNING)",
				op:       func(db *gorm.DB) error { return db.Create(&confErrUser{Email: alice.Email, Age: 1}).Error },
				want:     gorm.ErrDuplicatedKey,
				wantText: "conf_err_users.email",
				table:    "conf_err_users",
			},
			{
				name: "duplicate unique column in a batch Create",
				op: func(db *gorm.DB) error {
					return db.Create(&[]confErrUser{{Email: "new@example.com", Age: 1}, {Email: bob.Email, Age: 1}}).Error
				},
				want:     gorm.ErrDuplicatedKey,
				wantText: "conf_err_users.email",
				table:    "conf_err_users",
			},
			{
				name: "duplicate unique column on Exec",
				op: func(db *gorm.DB) error {
					return db.Exec("INSERT INTO conf_err_users (email, age) VALUES (?, ?)", alice.Email, 5).Error
				},
				want:     gorm.ErrDuplicatedKey,
				wantText: "conf_err_users.email",
				table:    "conf_err_users",
			},
			{
				name: "duplicate unique column on Update",
				op: func(db *gorm.DB) error {
					return db.Model(&confErrUser{ID: bob.ID}).Update("email", alice.Email).Error
				},
				want:     gorm.ErrDuplicatedKey,
				wantText: "conf_err_users.email",
				table:    "conf_err_users",
			},
			{
				name:     "duplicate text primary key on Create (no RETURNING)",
				op:       func(db *gorm.DB) error { return db.Create(&confErrCode{Code: "C1", Name: "again"}).Error },
				want:     gorm.ErrDuplicatedKey,
				wantText: "conf_err_codes.code",
				table:    "conf_err_codes",
			},
			{
				name: "duplicate integer primary key on Create",
				op: func(db *gorm.DB) error {
					return db.Create(&confErrUser{ID: alice.ID, Email: "other@example.com", Age: 1}).Error
				},
				want:     gorm.ErrDuplicatedKey,
				wantText: "conf_err_users.id",
				table:    "conf_err_users",
			},
			{
				name:     "foreign key on Create",
				op:       func(db *gorm.DB) error { return db.Create(&confErrOrder{UserID: 999999, Amount: 2}).Error },
				want:     gorm.ErrForeignKeyViolated,
				wantText: "FOREIGN KEY constraint failed",
				table:    "conf_err_orders",
			},
			{
				name: "foreign key on Update",
				op: func(db *gorm.DB) error {
					return db.Model(&confErrOrder{}).Where("user_id = ?", alice.ID).Update("user_id", 999999).Error
				},
				want:     gorm.ErrForeignKeyViolated,
				wantText: "FOREIGN KEY constraint failed",
				table:    "conf_err_orders",
			},
			{
				name:     "foreign key on Delete of a referenced parent",
				op:       func(db *gorm.DB) error { return db.Delete(&confErrUser{}, alice.ID).Error },
				want:     gorm.ErrForeignKeyViolated,
				wantText: "FOREIGN KEY constraint failed",
				table:    "conf_err_users",
			},
			{
				name:     "check constraint on Create",
				op:       func(db *gorm.DB) error { return db.Create(&confErrUser{Email: "zero@example.com", Age: 0}).Error },
				want:     gorm.ErrCheckConstraintViolated,
				wantText: "CHECK constraint failed",
				table:    "conf_err_users",
			},
			{
				name: "check constraint on Update",
				op: func(db *gorm.DB) error {
					return db.Model(&confErrUser{ID: bob.ID}).Update("age", -1).Error
				},
				want:     gorm.ErrCheckConstraintViolated,
				wantText: "CHECK constraint failed",
				table:    "conf_err_users",
			},
		}
		sentinels := []error{gorm.ErrDuplicatedKey, gorm.ErrForeignKeyViolated, gorm.ErrCheckConstraintViolated}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := confCount(t, db, tc.table, "")
				err := tc.op(db)
				require.Error(t, err)
				assert.True(t, errors.Is(err, tc.want), "want errors.Is(%v), got %v", tc.want, err)
				for _, other := range sentinels {
					if other != tc.want {
						assert.False(t, errors.Is(err, other), "must not also match %v: %v", other, err)
					}
				}
				assert.Contains(t, err.Error(), tc.wantText)
				assert.Equal(t, before, confCount(t, db, tc.table, ""), "failed statement changed nothing")
			})
		}

		// State after all failures is exactly the seed.
		var users []confErrUser
		require.NoError(t, db.Order("id").Find(&users).Error)
		require.Len(t, users, 2)
		assert.Equal(t, alice.Email, users[0].Email)
		assert.Equal(t, bob.Email, users[1].Email)
		assert.Equal(t, bob.Age, users[1].Age)
	})
}

func TestConformanceErrorInsideTransaction(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confErrUser{})
		require.NoError(t, db.Create(&confErrUser{Email: "dup@example.com", Age: 1}).Error)
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Create(&confErrUser{Email: "fresh@example.com", Age: 1}).Error; err != nil {
				return err
			}
			return tx.Create(&confErrUser{Email: "dup@example.com", Age: 2}).Error
		})
		assert.True(t, errors.Is(err, gorm.ErrDuplicatedKey), "got %v", err)
		assert.EqualValues(t, 0, confCount(t, db, "conf_err_users", "email = ?", "fresh@example.com"))
	})
}

func TestConformanceErrorNotTranslatedForOtherFailures(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confErrUser{})
		for name, err := range map[string]error{
			"syntax error":  db.Exec("SELEC 1").Error,
			"missing table": db.Exec("INSERT INTO conf_err_nowhere (x) VALUES (1)").Error,
			"NOT NULL":      db.Exec("INSERT INTO conf_err_users (email, age) VALUES (NULL, 1)").Error,
		} {
			t.Run(name, func(t *testing.T) {
				require.Error(t, err)
				assert.False(t, errors.Is(err, gorm.ErrDuplicatedKey), "%v", err)
				assert.False(t, errors.Is(err, gorm.ErrForeignKeyViolated), "%v", err)
				assert.False(t, errors.Is(err, gorm.ErrCheckConstraintViolated), "%v", err)
			})
		}
	})
}
