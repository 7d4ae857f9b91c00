package clause_test

import (
	"fmt"
	"log"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gorm-libsql/libsql"
	vclause "github.com/gorm-libsql/libsql/clause"
)

// Doc is a text with a 3-dimensional embedding and a vector index on it.
type Doc struct {
	ID        uint
	Text      string
	Embedding libsql.Vector `gorm:"size:3;index:idx_docs_embedding,type:vector,metric:cosine"`
	// Distance is filled by queries that select it; it is not a column.
	Distance float64 `gorm:"->;-:migration"`
}

func openDocs() *gorm.DB {
	db, err := gorm.Open(libsql.Open(":memory:"), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		log.Fatal(err)
	}
	if err := db.AutoMigrate(&Doc{}); err != nil {
		log.Fatal(err)
	}
	db.Create(&[]Doc{
		{Text: "cats", Embedding: libsql.Vector{1, 0, 0}},
		{Text: "kittens", Embedding: libsql.Vector{0.9, 0.1, 0}},
		{Text: "engines", Embedding: libsql.Vector{0, 0, 1}},
	})
	return db
}

func ExampleOrderByDistance() {
	db := openDocs()
	q := libsql.Vector{1, 0.05, 0}

	var docs []Doc
	err := db.Select("*, ?", vclause.Distance{Column: "embedding", Vector: q}.As("distance")).
		Clauses(vclause.OrderByDistance{Column: "embedding", Vector: q}).
		Limit(2).Find(&docs).Error
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range docs {
		fmt.Printf("%s %.3f\n", d.Text, d.Distance)
	}
	// Output:
	// cats 0.001
	// kittens 0.002
}

func ExampleNearest() {
	db := openDocs()

	var docs []Doc
	err := db.Scopes(vclause.Nearest("idx_docs_embedding", []float32{0, 0.1, 1}, 2)).Find(&docs).Error
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range docs {
		fmt.Println(d.Text)
	}

	// A query vector of the wrong dimension is refused before it reaches SQL.
	err = db.Scopes(vclause.Nearest("idx_docs_embedding", []float32{1, 0}, 2)).Find(&docs).Error
	fmt.Println(err)
	// Output:
	// engines
	// kittens
	// libsql: wrong number of vector dimensions: column docs.embedding has 3 dimensions, the query vector has 2
}
