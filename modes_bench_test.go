package libsql_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gorm-libsql/libsql"
	"github.com/gorm-libsql/libsql/internal/sqldtest"
)

type benchItem struct {
	ID    uint
	Name  string
	Price int
}

// BenchmarkModes compares the three modes on the same GORM operations,
// against a sqld on 127.0.0.1 (so remote costs are the protocol's and the
// server's, without network latency; add your round-trip time to every
// remote request and every replica write):
//
//	go test -run '^$' -bench BenchmarkModes -benchtime 2s .
func BenchmarkModes(b *testing.B) {
	srv := sqldtest.Start(b, sqldtest.Options{})
	srv2 := sqldtest.Start(b, sqldtest.Options{})
	dir := b.TempDir()
	cfg := &gorm.Config{Logger: logger.Discard}
	modes := []struct {
		name string
		d    gorm.Dialector
	}{
		{"local", libsql.Open(filepath.Join(dir, "local.db"))},
		{"remote", libsql.New(libsql.Config{URL: srv.URL()})},
		{"replica", libsql.New(libsql.Config{URL: srv2.URL(), Database: filepath.Join(dir, "replica.db")})},
	}
	for _, m := range modes {
		db, err := gorm.Open(m.d, cfg)
		if err != nil {
			b.Fatal(err)
		}
		if err := db.AutoMigrate(&benchItem{}); err != nil {
			b.Fatal(err)
		}
		rows := make([]benchItem, 1000)
		for i := range rows {
			rows[i] = benchItem{Name: fmt.Sprintf("item %d", i), Price: i}
		}
		if err := db.CreateInBatches(rows, 250).Error; err != nil {
			b.Fatal(err)
		}
		b.Run(m.name+"/First", func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				var it benchItem
				if err := db.First(&it, 1+i%1000).Error; err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(m.name+"/Find100", func(b *testing.B) {
			for b.Loop() {
				var its []benchItem
				if err := db.Where("price < ?", 100).Find(&its).Error; err != nil || len(its) != 100 {
					b.Fatal(err, len(its))
				}
			}
		})
		b.Run(m.name+"/Create", func(b *testing.B) {
			for b.Loop() {
				if err := db.Create(&benchItem{Name: "new", Price: 1}).Error; err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(m.name+"/Transaction5", func(b *testing.B) {
			for b.Loop() {
				err := db.Transaction(func(tx *gorm.DB) error {
					for range 5 {
						if err := tx.Create(&benchItem{Name: "tx", Price: 2}).Error; err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	}
}
