package libsql_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
)

type confCtxItem struct {
	ID   uint
	Name string
}

func (confCtxItem) TableName() string { return "conf_ctx_items" }

func TestConformanceContextCanceled(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confCtxItem{})
		require.NoError(t, db.Create(&confCtxItem{Name: "existing"}).Error)

		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		cdb := db.WithContext(ctx)
		ops := []struct {
			name string
			op   func() error
		}{
			{"Find", func() error { var out []confCtxItem; return cdb.Find(&out).Error }},
			{"First", func() error { var out confCtxItem; return cdb.First(&out).Error }},
			{"Count", func() error { var n int64; return cdb.Model(&confCtxItem{}).Count(&n).Error }},
			{"Create", func() error { return cdb.Create(&confCtxItem{Name: "never"}).Error }},
			{"Update", func() error { return cdb.Model(&confCtxItem{}).Where("1 = 1").Update("name", "never").Error }},
			{"Delete", func() error { return cdb.Where("1 = 1").Delete(&confCtxItem{}).Error }},
			{"Exec", func() error { return cdb.Exec("INSERT INTO conf_ctx_items (name) VALUES ('never')").Error }},
			{"Raw", func() error { var n int; return cdb.Raw("SELECT count(*) FROM conf_ctx_items").Scan(&n).Error }},
			{"Transaction", func() error {
				return cdb.Transaction(func(tx *gorm.DB) error { return tx.Create(&confCtxItem{Name: "never"}).Error })
			}},
		}
		for _, o := range ops {
			t.Run(o.name, func(t *testing.T) {
				err := o.op()
				require.Error(t, err)
				assert.True(t, errors.Is(err, context.Canceled), "got %v", err)
			})
		}
		var names []string
		require.NoError(t, db.Model(&confCtxItem{}).Pluck("name", &names).Error)
		assert.Equal(t, []string{"existing"}, names, "nothing written under a cancelled context")
	})
}

// confCtxSlowQuery counts to a number large enough that it runs for many
// seconds unless interrupted.
const confCtxSlowQuery = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000000) SELECT count(*) FROM c"

func TestConformanceContextInterruptsRunningQuery(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		cases := []struct {
			name string
			ctx  func() (context.Context, context.CancelFunc)
			want error
			run  func(db *gorm.DB) error
		}{
			{
				name: "cancel during Raw",
				ctx: func() (context.Context, context.CancelFunc) {
					ctx, cancel := context.WithCancel(context.Background())
					time.AfterFunc(200*time.Millisecond, cancel)
					return ctx, cancel
				},
				want: context.Canceled,
				run:  func(db *gorm.DB) error { var n int64; return db.Raw(confCtxSlowQuery).Scan(&n).Error },
			},
			{
				name: "cancel during Exec",
				ctx: func() (context.Context, context.CancelFunc) {
					ctx, cancel := context.WithCancel(context.Background())
					time.AfterFunc(200*time.Millisecond, cancel)
					return ctx, cancel
				},
				want: context.Canceled,
				run:  func(db *gorm.DB) error { return db.Exec(confCtxSlowQuery).Error },
			},
			{
				name: "deadline during Raw",
				ctx: func() (context.Context, context.CancelFunc) {
					return context.WithTimeout(context.Background(), 200*time.Millisecond)
				},
				want: context.DeadlineExceeded,
				run:  func(db *gorm.DB) error { var n int64; return db.Raw(confCtxSlowQuery).Scan(&n).Error },
			},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				ctx, cancel := tc.ctx()
				defer cancel()
				err := tc.run(db.WithContext(ctx))
				require.Error(t, err, "the query must be interrupted, not run to completion")
				assert.True(t, errors.Is(err, tc.want), "got %v", err)

				// The pool is still healthy afterwards.
				var one int
				require.NoError(t, db.Raw("SELECT 1").Scan(&one).Error)
				assert.Equal(t, 1, one)
			})
		}
	})
}
