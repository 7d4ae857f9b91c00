// Command vectors is a semantic search over a handful of sentences: it
// stores their embeddings in a libSQL vector column with a vector index,
// then finds the sentences nearest to a few queries, exactly (ORDER BY
// distance) and through the index (vector_top_k).
//
// The embeddings ship with the example in embeddings.json: 8 dimensions,
// assigned by hand to stand in for a model's output.
package main

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gorm-libsql/libsql"
	vclause "github.com/gorm-libsql/libsql/clause"
)

//go:embed embeddings.json
var embeddingsJSON []byte

// Sentence is a text and its embedding, with a vector index for
// nearest-neighbour queries.
type Sentence struct {
	ID        uint
	Text      string
	Embedding libsql.Vector `gorm:"size:8;index:idx_sentences_embedding,type:vector,metric:cosine"`
	// Distance is filled by queries that select it; it is not a column.
	Distance float64 `gorm:"->;-:migration"`
}

type example struct {
	Text      string    `json:"text"`
	Embedding []float32 `json:"embedding"`
}

func main() {
	dir, err := os.MkdirTemp("", "libsql-vectors")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := run(filepath.Join(dir, "vectors.db"), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(path string, out io.Writer) error {
	var data struct {
		Sentences []example `json:"sentences"`
		Queries   []example `json:"queries"`
	}
	if err := json.Unmarshal(embeddingsJSON, &data); err != nil {
		return err
	}

	db, err := gorm.Open(libsql.Open(path), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return err
	}
	if sqlDB, err := db.DB(); err == nil {
		defer sqlDB.Close()
	}
	// Creates sentences with an F32_BLOB(8) column and
	// CREATE INDEX idx_sentences_embedding ON sentences(libsql_vector_idx(embedding, 'metric=cosine')).
	if err := db.AutoMigrate(&Sentence{}); err != nil {
		return err
	}
	rows := make([]Sentence, len(data.Sentences))
	for i, s := range data.Sentences {
		rows[i] = Sentence{Text: s.Text, Embedding: s.Embedding}
	}
	if err := db.Create(&rows).Error; err != nil {
		return err
	}

	for _, q := range data.Queries {
		query := libsql.Vector(q.Embedding)

		// Exact: the distance of every row, smallest first.
		var exact []Sentence
		if err := db.Select("*, ?", vclause.Distance{Column: "embedding", Vector: query}.As("distance")).
			Clauses(vclause.OrderByDistance{Column: "embedding", Vector: query}).
			Limit(3).Find(&exact).Error; err != nil {
			return err
		}
		fmt.Fprintf(out, "%q\n", q.Text)
		for _, s := range exact {
			fmt.Fprintf(out, "  %.3f  %s\n", s.Distance, s.Text)
		}

		// Approximate: the 3 nearest through the vector index.
		var nearest []Sentence
		if err := db.Scopes(vclause.Nearest("idx_sentences_embedding", query, 3)).Find(&nearest).Error; err != nil {
			return err
		}
		fmt.Fprintf(out, "  index: ")
		for i, s := range nearest {
			if i > 0 {
				fmt.Fprint(out, ", ")
			}
			fmt.Fprintf(out, "#%d", s.ID)
		}
		fmt.Fprintln(out)
	}
	return nil
}
