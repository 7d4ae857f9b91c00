// Command quickstart creates a local libSQL database, migrates two models,
// writes a few rows and reads them back.
package main

import (
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"time"

	"gorm.io/gorm"

	"github.com/gorm-libsql/libsql"
)

// Author writes books.
type Author struct {
	ID    uint
	Name  string `gorm:"uniqueIndex"`
	Books []Book
}

// Book belongs to an author.
type Book struct {
	ID        uint
	Title     string
	Published time.Time
	AuthorID  uint
}

func main() {
	dir, err := os.MkdirTemp("", "libsql-quickstart")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := run(filepath.Join(dir, "quickstart.db"), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(path string, out io.Writer) error {
	db, err := gorm.Open(libsql.Open(path), &gorm.Config{})
	if err != nil {
		return err
	}
	if sqlDB, err := db.DB(); err == nil {
		defer sqlDB.Close()
	}
	if err := db.AutoMigrate(&Author{}, &Book{}); err != nil {
		return err
	}

	author := Author{Name: "Ursula K. Le Guin", Books: []Book{
		{Title: "A Wizard of Earthsea", Published: time.Date(1968, 11, 1, 0, 0, 0, 0, time.UTC)},
		{Title: "The Left Hand of Darkness", Published: time.Date(1969, 3, 1, 0, 0, 0, 0, time.UTC)},
	}}
	if err := db.Create(&author).Error; err != nil {
		return err
	}

	var authors []Author
	if err := db.Preload("Books", func(db *gorm.DB) *gorm.DB { return db.Order("published") }).Find(&authors).Error; err != nil {
		return err
	}
	fmt.Fprintf(out, "database: %s\n", path)
	for _, a := range authors {
		fmt.Fprintf(out, "author %d: %s\n", a.ID, a.Name)
		for _, b := range a.Books {
			fmt.Fprintf(out, "  book %d: %s (%s)\n", b.ID, b.Title, b.Published.Format("January 2006"))
		}
	}
	return nil
}
