package libsql_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"gorm.io/gorm"

	"github.com/gorm-libsql/libsql"
)

type exampleNote struct {
	ID   uint
	Text string `gorm:"uniqueIndex"`
}

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "libsql-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	db, err := gorm.Open(libsql.Open(filepath.Join(dir, "app.db")), &gorm.Config{})
	if err != nil {
		log.Fatal(err)
	}
	if err := db.AutoMigrate(&exampleNote{}); err != nil {
		log.Fatal(err)
	}
	db.Create(&exampleNote{Text: "2024-01-01"}) // text that looks like a date stays text

	var note exampleNote
	db.First(&note)
	fmt.Println(note.ID, note.Text)
	// Output: 1 2024-01-01
}

func ExampleNew() {
	db, err := gorm.Open(libsql.New(libsql.Config{
		Database:    ":memory:",
		BusyTimeout: 10 * time.Second,
	}), &gorm.Config{TranslateError: true})
	if err != nil {
		log.Fatal(err)
	}
	if err := db.AutoMigrate(&exampleNote{}); err != nil {
		log.Fatal(err)
	}
	db.Create(&exampleNote{Text: "hello"})
	err = db.Create(&exampleNote{Text: "hello"}).Error
	fmt.Println(errors.Is(err, gorm.ErrDuplicatedKey))
	// Output: true
}

func ExampleParseDSN() {
	cfg, err := libsql.ParseDSN("app.db?busy_timeout=10s")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cfg.Database, cfg.BusyTimeout)

	_, err = libsql.ParseDSN("app.db?busy_timeuot=10s")
	fmt.Println(err)
	// Output:
	// app.db 10s
	// libsql: unknown DSN parameter "busy_timeuot": invalid data source
}

// An embedded replica: a local file that syncs with a remote primary. Reads
// are local; writes go to the primary. This example needs a server, so it
// is compiled but not run.
func ExampleSync() {
	db, err := gorm.Open(libsql.New(libsql.Config{
		Database:     "replica.db",
		URL:          os.Getenv("TURSO_DATABASE_URL"), // libsql://..., https://...
		AuthToken:    os.Getenv("TURSO_AUTH_TOKEN"),
		SyncInterval: time.Minute, // background sync
		Sync:         true,        // and after every write GORM commits
	}), &gorm.Config{})
	if err != nil {
		log.Fatal(err)
	}
	r, err := libsql.Sync(db) // a manual sync
	if errors.Is(err, libsql.ErrPrimaryUnavailable) {
		log.Print("primary unreachable; reading local data")
	} else if err != nil {
		log.Fatal(err)
	}
	fmt.Println("replica at frame", r.FrameNo)
}

func ExampleRows() {
	db, err := gorm.Open(libsql.Open(":memory:"), &gorm.Config{})
	if err != nil {
		log.Fatal(err)
	}
	if err := db.AutoMigrate(&exampleNote{}); err != nil {
		log.Fatal(err)
	}
	db.Create(&[]exampleNote{{Text: "one"}, {Text: "two"}, {Text: "three"}})

	// One row at a time, however many the query returns.
	for note, err := range libsql.Rows[exampleNote](db.Model(&exampleNote{}).Order("id")) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(note.ID, note.Text)
	}
	// Output:
	// 1 one
	// 2 two
	// 3 three
}

func ExampleBatchTransactional() {
	db, err := gorm.Open(libsql.Open(":memory:"), &gorm.Config{})
	if err != nil {
		log.Fatal(err)
	}
	if err := db.AutoMigrate(&exampleNote{}); err != nil {
		log.Fatal(err)
	}
	results, err := libsql.BatchTransactional(db, []libsql.Statement{
		{SQL: "INSERT INTO example_notes (text) VALUES (?)", Args: []any{"kept only if all succeed"}},
		{SQL: "INSERT INTO example_notes (text) VALUES (?)", Args: []any{"kept only if all succeed"}}, // duplicate
	})
	fmt.Println(err != nil, results[1].Err != nil)

	var n int64
	db.Model(&exampleNote{}).Count(&n)
	fmt.Println(n, "rows: the batch rolled back as a whole")
	// Output:
	// true true
	// 0 rows: the batch rolled back as a whole
}

func ExampleImmediate() {
	db, err := gorm.Open(libsql.Open(":memory:"), &gorm.Config{})
	if err != nil {
		log.Fatal(err)
	}
	if err := db.AutoMigrate(&exampleNote{}); err != nil {
		log.Fatal(err)
	}
	// Read, then write, without another writer slipping in between: the
	// transaction takes the write lock at BEGIN.
	err = db.Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&exampleNote{}).Count(&n).Error; err != nil {
			return err
		}
		return tx.Create(&exampleNote{Text: fmt.Sprintf("note %d", n+1)}).Error
	}, libsql.Immediate())
	fmt.Println(err)
	// Output: <nil>
}
