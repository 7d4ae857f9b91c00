package libsql_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/gorm-libsql/libsql"
	"github.com/gorm-libsql/libsql/internal/sqldtest"
)

type opsRow struct {
	ID      uint
	Name    string `gorm:"uniqueIndex"`
	Age     int
	Score   float64
	Active  bool
	Born    time.Time
	Note    *string
	Data    []byte
	Deleted gorm.DeletedAt
}

// TestModesAgreeOnOperations runs one random sequence of GORM operations
// (creates, batch creates, upserts, updates, soft and hard deletes,
// transactions that commit or roll back, queries) in every mode and
// requires each step to report the same outcome (rows affected, assigned
// IDs, translated error, rows read) and every mode to end with the same
// table.
func TestModesAgreeOnOperations(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	srv := sqldtest.Start(t, sqldtest.Options{})
	dir := t.TempDir()
	cfg := &gorm.Config{TranslateError: true}
	names := []string{"local", "remote", "replica"}
	dbs := []*gorm.DB{
		openDB(t, libsql.Open(filepath.Join(dir, "ops.db")), cfg),
		openDB(t, libsql.New(libsql.Config{URL: srv.URL()}), cfg),
		nil,
	}
	require.NoError(t, dbs[0].AutoMigrate(&opsRow{}))
	require.NoError(t, dbs[1].AutoMigrate(&opsRow{}))
	// The replica gets a primary of its own with the same starting point.
	srv2 := sqldtest.Start(t, sqldtest.Options{})
	dbs[2] = openDB(t, libsql.New(libsql.Config{Database: filepath.Join(dir, "replica.db"), URL: srv2.URL()}), cfg)
	require.NoError(t, dbs[2].AutoMigrate(&opsRow{}))

	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	newRow := func(r *rand.Rand) opsRow {
		row := opsRow{
			Name:   fmt.Sprintf("n%d", r.IntN(40)),
			Age:    r.IntN(100),
			Score:  float64(r.IntN(1000)) / 8,
			Active: r.IntN(2) == 0,
			Born:   base.Add(time.Duration(r.Int64N(1e6)) * time.Second),
		}
		if r.IntN(3) == 0 {
			s := fmt.Sprintf("note %d", r.IntN(10))
			row.Note = &s
		}
		if r.IntN(3) == 0 {
			row.Data = []byte{byte(r.IntN(256)), 0, byte(r.IntN(256))}
		}
		return row
	}
	outcome := func(tx *gorm.DB) string {
		s := fmt.Sprintf("rows=%d", tx.RowsAffected)
		for _, sentinel := range []error{gorm.ErrDuplicatedKey, gorm.ErrRecordNotFound, gorm.ErrCheckConstraintViolated} {
			if errors.Is(tx.Error, sentinel) {
				return s + " err=" + sentinel.Error()
			}
		}
		if tx.Error != nil {
			return s + " err=other: " + tx.Error.Error()
		}
		return s
	}
	ops := []func(db *gorm.DB, r *rand.Rand) string{
		func(db *gorm.DB, r *rand.Rand) string { // create
			row := newRow(r)
			tx := db.Create(&row)
			return fmt.Sprintf("create %s id=%d", outcome(tx), row.ID)
		},
		func(db *gorm.DB, r *rand.Rand) string { // batch create
			rows := make([]opsRow, 1+r.IntN(4))
			for i := range rows {
				rows[i] = newRow(r)
			}
			tx := db.CreateInBatches(&rows, 2)
			ids := []uint{}
			for _, row := range rows {
				ids = append(ids, row.ID)
			}
			return fmt.Sprintf("batch %s ids=%v", outcome(tx), ids)
		},
		func(db *gorm.DB, r *rand.Rand) string { // upsert
			row := newRow(r)
			tx := db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "name"}}, DoUpdates: clause.AssignmentColumns([]string{"age", "score"})}).Create(&row)
			return "upsert " + outcome(tx)
		},
		func(db *gorm.DB, r *rand.Rand) string { // update
			tx := db.Model(&opsRow{}).Where("age > ?", r.IntN(100)).Updates(map[string]any{"score": gorm.Expr("score + 1"), "active": r.IntN(2) == 0})
			return "update " + outcome(tx)
		},
		func(db *gorm.DB, r *rand.Rand) string { // soft delete
			tx := db.Where("age < ?", r.IntN(30)).Delete(&opsRow{})
			return "delete " + outcome(tx)
		},
		func(db *gorm.DB, r *rand.Rand) string { // hard delete
			tx := db.Unscoped().Where("name = ?", fmt.Sprintf("n%d", r.IntN(40))).Delete(&opsRow{})
			return "purge " + outcome(tx)
		},
		func(db *gorm.DB, r *rand.Rand) string { // transaction
			rollback := r.IntN(2) == 0
			row, age := newRow(r), r.IntN(100)
			err := db.Transaction(func(tx *gorm.DB) error {
				if err := tx.Create(&row).Error; err != nil {
					return err
				}
				if err := tx.Model(&opsRow{}).Where("age = ?", age).Update("age", age+1).Error; err != nil {
					return err
				}
				if rollback {
					return errors.New("roll back")
				}
				return nil
			})
			return fmt.Sprintf("tx rollback=%v %s", rollback, outcome(&gorm.DB{Error: err}))
		},
		func(db *gorm.DB, r *rand.Rand) string { // query
			var rows []opsRow
			tx := db.Where("active = ? AND born > ?", r.IntN(2) == 0, base.Add(time.Duration(r.Int64N(1e6))*time.Second)).Order("id").Find(&rows)
			return fmt.Sprintf("find %s %s", outcome(tx), dump(rows))
		},
		func(db *gorm.DB, r *rand.Rand) string { // first
			var row opsRow
			tx := db.Where("name = ?", fmt.Sprintf("n%d", r.IntN(40))).First(&row)
			return fmt.Sprintf("first %s %s", outcome(tx), dump([]opsRow{row}))
		},
	}
	const steps = 150
	logs := make([][]string, len(dbs))
	for i, db := range dbs {
		r := rand.New(rand.NewPCG(seed, 7))
		for range steps {
			logs[i] = append(logs[i], ops[r.IntN(len(ops))](db, r))
		}
	}
	for i := range dbs[1:] {
		m := i + 1
		for s := range steps {
			if logs[m][s] != logs[0][s] {
				t.Fatalf("step %d differs:\n  local:   %s\n  %-8s %s", s, logs[0][s], names[m]+":", logs[m][s])
			}
		}
	}
	var final [][]opsRow
	for _, db := range dbs {
		var rows []opsRow
		require.NoError(t, db.Unscoped().Order("id").Find(&rows).Error)
		final = append(final, rows)
	}
	require.Equal(t, dump(final[0]), dump(final[1]), "remote ends like local")
	require.Equal(t, dump(final[0]), dump(final[2]), "replica ends like local")
	t.Logf("%d steps agree in all modes; %d rows at the end", steps, len(final[0]))
}

func dump(rows []opsRow) string {
	s := ""
	for _, r := range rows {
		note := "<nil>"
		if r.Note != nil {
			note = *r.Note
		}
		s += fmt.Sprintf("{%d %s %d %g %v %s %s %x %v}", r.ID, r.Name, r.Age, r.Score, r.Active, r.Born.UTC().Format(time.RFC3339Nano), note, r.Data, r.Deleted.Valid)
	}
	return s
}
