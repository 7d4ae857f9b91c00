// Command quickstart creates a local libSQL database, migrates two models,
// writes a few rows and reads them back.
package main

import (
	"fmt"
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
	path := filepath.Join(dir, "quickstart.db")

	db, err := gorm.Open(libsql.Open(path), &gorm.Config{})
	if err != nil {
		log.Fatal(err)
	}
	if err := db.AutoMigrate(&Author{}, &Book{}); err != nil {
		log.Fatal(err)
	}

	author := Author{Name: "Ursula K. Le Guin", Books: []Book{
		{Title: "A Wizard of Earthsea", Published: time.Date(1968, 11, 1, 0, 0, 0, 0, time.UTC)},
		{Title: "The Left Hand of Darkness", Published: time.Date(1969, 3, 1, 0, 0, 0, 0, time.UTC)},
	}}
	if err := db.Create(&author).Error; err != nil {
		log.Fatal(err)
	}

	var authors []Author
	if err := db.Preload("Books", func(db *gorm.DB) *gorm.DB { return db.Order("published") }).Find(&authors).Error; err != nil {
		log.Fatal(err)
	}
	fmt.Printf("database: %s\n", path)
	for _, a := range authors {
		fmt.Printf("author %d: %s\n", a.ID, a.Name)
		for _, b := range a.Books {
			fmt.Printf("  book %d: %s (%s)\n", b.ID, b.Title, b.Published.Format("January 2006"))
		}
	}
}
