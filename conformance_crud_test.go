package libsql_test

import (
	"database/sql"
	"errors"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
)

type confCrudCompany struct {
	ID   uint
	Name string
}

func (confCrudCompany) TableName() string { return "conf_crud_companies" }

type confCrudUser struct {
	ID        uint
	Name      string `gorm:"size:64;not null"`
	Age       int
	Active    bool
	Score     float64
	CompanyID *uint
	Company   *confCrudCompany
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (confCrudUser) TableName() string { return "conf_crud_users" }

// confCrudSeedRow is the source of truth for expected query results: every
// expectation is computed from this slice with plain Go.
type confCrudSeedRow struct {
	Name    string
	Age     int
	Active  bool
	Score   float64
	Company string // "" means no company
}

var confCrudSeedRows = []confCrudSeedRow{
	{"alice", 30, true, 88.5, "acme"},
	{"bob", 25, false, 72, "globex"},
	{"carol", 35, true, 91.25, "acme"},
	{"dave", 30, false, 65.5, ""},
	{"erin", 41, true, 79, "globex"},
	{"frank", 25, true, 55, "acme"},
	{"grace", 52, false, 99.5, ""},
	{"heidi", 35, true, 83, "globex"},
	{"ivan", 19, false, 47.75, "acme"},
	{"judy", 30, true, 68, ""},
}

// confCrudSeed migrates and fills the CRUD tables; it returns the users in
// insertion (= id) order.
func confCrudSeed(t *testing.T, db *gorm.DB) []confCrudUser {
	t.Helper()
	confMigrate(t, db, &confCrudCompany{}, &confCrudUser{})
	companies := map[string]*confCrudCompany{}
	for _, name := range []string{"acme", "globex"} {
		c := &confCrudCompany{Name: name}
		require.NoError(t, db.Create(c).Error)
		companies[name] = c
	}
	users := make([]confCrudUser, 0, len(confCrudSeedRows))
	for _, r := range confCrudSeedRows {
		u := confCrudUser{Name: r.Name, Age: r.Age, Active: r.Active, Score: r.Score}
		if c := companies[r.Company]; c != nil {
			u.CompanyID = &c.ID
		}
		users = append(users, u)
	}
	require.NoError(t, db.Create(&users).Error)
	return users
}

// confCrudNames returns the seed names whose rows satisfy keep, in seed order.
func confCrudNames(keep func(confCrudSeedRow) bool) []string {
	var out []string
	for _, r := range confCrudSeedRows {
		if keep(r) {
			out = append(out, r.Name)
		}
	}
	return out
}

func confCrudUserNames(users []confCrudUser) []string {
	out := make([]string, 0, len(users))
	for _, u := range users {
		out = append(out, u.Name)
	}
	return out
}

func TestConformanceCreateSingle(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confCrudUser{})
		u := confCrudUser{Name: "solo", Age: 33, Active: true, Score: 1.25}
		res := db.Create(&u)
		require.NoError(t, res.Error)
		assert.EqualValues(t, 1, res.RowsAffected)
		assert.NotZero(t, u.ID, "ID filled after Create")
		assert.False(t, u.CreatedAt.IsZero(), "CreatedAt set by GORM")

		var got confCrudUser
		require.NoError(t, db.First(&got, u.ID).Error)
		assert.Equal(t, u.ID, got.ID)
		assert.Equal(t, u.Name, got.Name)
		assert.Equal(t, u.Age, got.Age)
		assert.Equal(t, u.Active, got.Active)
		assert.Equal(t, u.Score, got.Score)
		assert.Nil(t, got.CompanyID)
		assert.True(t, u.CreatedAt.Equal(got.CreatedAt), "CreatedAt round trip: want %v got %v", u.CreatedAt, got.CreatedAt)
	})
}

func TestConformanceCreateBatch(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confCrudUser{})
		users := []confCrudUser{{Name: "a", Age: 1}, {Name: "b", Age: 2}, {Name: "c", Age: 3}, {Name: "d", Age: 4}, {Name: "e", Age: 5}}
		res := db.Create(&users)
		require.NoError(t, res.Error)
		assert.EqualValues(t, len(users), res.RowsAffected)

		seen := map[uint]bool{}
		for i, u := range users {
			require.NotZero(t, u.ID, "user %d has no ID", i)
			assert.False(t, seen[u.ID], "duplicate ID %d", u.ID)
			seen[u.ID] = true
			if i > 0 {
				assert.Greater(t, u.ID, users[i-1].ID, "IDs follow insertion order")
			}
			var got confCrudUser
			require.NoError(t, db.First(&got, u.ID).Error)
			assert.Equal(t, u.Name, got.Name, "ID %d belongs to the row it was returned for", u.ID)
		}
		assert.EqualValues(t, len(users), confCount(t, db, "conf_crud_users", ""))
	})
}

func TestConformanceCreateInBatches(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confMigrate(t, db, &confCrudUser{})
		const total, batch = 25, 10
		users := make([]confCrudUser, total)
		for i := range users {
			users[i] = confCrudUser{Name: "u" + strings.Repeat("x", i), Age: i}
		}
		tdb, trace := confTraced(db)
		res := tdb.CreateInBatches(&users, batch)
		require.NoError(t, res.Error)
		assert.EqualValues(t, total, res.RowsAffected)
		assert.Len(t, trace.Matching("INSERT INTO `conf_crud_users`"), (total+batch-1)/batch, "one INSERT per batch")

		ids := map[uint]bool{}
		for _, u := range users {
			require.NotZero(t, u.ID)
			ids[u.ID] = true
		}
		assert.Len(t, ids, total, "every row got its own ID")
		assert.EqualValues(t, total, confCount(t, db, "conf_crud_users", ""))
	})
}

func TestConformanceQueryConditions(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		users := confCrudSeed(t, db)
		idOf := map[string]uint{}
		for _, u := range users {
			idOf[u.Name] = u.ID
		}
		cases := []struct {
			name  string
			query func(db *gorm.DB, out *[]confCrudUser) *gorm.DB
			want  []string
		}{
			{
				name: "struct",
				query: func(db *gorm.DB, out *[]confCrudUser) *gorm.DB {
					return db.Where(&confCrudUser{Age: 30, Active: true}).Find(out)
				},
				want: confCrudNames(func(r confCrudSeedRow) bool { return r.Age == 30 && r.Active }),
			},
			{
				name: "struct zero fields ignored",
				query: func(db *gorm.DB, out *[]confCrudUser) *gorm.DB {
					return db.Where(&confCrudUser{Age: 25, Active: false}).Find(out)
				},
				want: confCrudNames(func(r confCrudSeedRow) bool { return r.Age == 25 }),
			},
			{
				name: "map with zero value",
				query: func(db *gorm.DB, out *[]confCrudUser) *gorm.DB {
					return db.Where(map[string]interface{}{"age": 30, "active": false}).Find(out)
				},
				want: confCrudNames(func(r confCrudSeedRow) bool { return r.Age == 30 && !r.Active }),
			},
			{
				name: "inline",
				query: func(db *gorm.DB, out *[]confCrudUser) *gorm.DB {
					return db.Find(out, "age > ? AND active = ?", 30, true)
				},
				want: confCrudNames(func(r confCrudSeedRow) bool { return r.Age > 30 && r.Active }),
			},
			{
				name: "IN",
				query: func(db *gorm.DB, out *[]confCrudUser) *gorm.DB {
					return db.Where("name IN ?", []string{"alice", "erin", "nobody", "judy"}).Find(out)
				},
				want: confCrudNames(func(r confCrudSeedRow) bool { return slices.Contains([]string{"alice", "erin", "judy"}, r.Name) }),
			},
			{
				name: "primary keys",
				query: func(db *gorm.DB, out *[]confCrudUser) *gorm.DB {
					return db.Find(out, []uint{idOf["bob"], idOf["grace"]})
				},
				want: []string{"bob", "grace"},
			},
			{
				name: "LIKE",
				query: func(db *gorm.DB, out *[]confCrudUser) *gorm.DB {
					return db.Where("name LIKE ?", "%a%").Find(out)
				},
				want: confCrudNames(func(r confCrudSeedRow) bool { return strings.Contains(r.Name, "a") }),
			},
			{
				name: "NOT",
				query: func(db *gorm.DB, out *[]confCrudUser) *gorm.DB {
					return db.Not("age = ?", 30).Find(out)
				},
				want: confCrudNames(func(r confCrudSeedRow) bool { return r.Age != 30 }),
			},
			{
				name: "OR",
				query: func(db *gorm.DB, out *[]confCrudUser) *gorm.DB {
					return db.Where("age < ?", 25).Or("score > ?", 90).Find(out)
				},
				want: confCrudNames(func(r confCrudSeedRow) bool { return r.Age < 25 || r.Score > 90 }),
			},
			{
				name: "BETWEEN on float",
				query: func(db *gorm.DB, out *[]confCrudUser) *gorm.DB {
					return db.Where("score BETWEEN ? AND ?", 60.0, 80.0).Find(out)
				},
				want: confCrudNames(func(r confCrudSeedRow) bool { return r.Score >= 60 && r.Score <= 80 }),
			},
			{
				name: "NULL",
				query: func(db *gorm.DB, out *[]confCrudUser) *gorm.DB {
					return db.Where("company_id IS NULL").Find(out)
				},
				want: confCrudNames(func(r confCrudSeedRow) bool { return r.Company == "" }),
			},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				require.NotEmpty(t, tc.want, "case must select something")
				var got []confCrudUser
				res := tc.query(db, &got)
				require.NoError(t, res.Error)
				assert.ElementsMatch(t, tc.want, confCrudUserNames(got))
				assert.EqualValues(t, len(tc.want), res.RowsAffected)
			})
		}
	})
}

func TestConformanceFirstTakeLast(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		users := confCrudSeed(t, db)
		minID, maxID := users[0].ID, users[0].ID
		for _, u := range users {
			minID, maxID = min(minID, u.ID), max(maxID, u.ID)
		}

		var first, last, take confCrudUser
		require.NoError(t, db.First(&first).Error)
		assert.Equal(t, minID, first.ID, "First orders by primary key")
		require.NoError(t, db.Last(&last).Error)
		assert.Equal(t, maxID, last.ID, "Last orders by primary key descending")
		require.NoError(t, db.Take(&take).Error)
		assert.Contains(t, confCrudUserNames(users), take.Name)

		var byID confCrudUser
		require.NoError(t, db.First(&byID, users[3].ID).Error)
		assert.Equal(t, users[3].Name, byID.Name)

		want := confCrudNames(func(r confCrudSeedRow) bool { return r.Age == 35 })
		var firstOf35, lastOf35 confCrudUser
		require.NoError(t, db.Where("age = ?", 35).First(&firstOf35).Error)
		require.NoError(t, db.Last(&lastOf35, "age = ?", 35).Error)
		assert.Equal(t, want[0], firstOf35.Name)
		assert.Equal(t, want[len(want)-1], lastOf35.Name)

		var m map[string]interface{}
		require.NoError(t, db.Model(&confCrudUser{}).Where("name = ?", "carol").Take(&m).Error)
		assert.Equal(t, "carol", m["name"])
	})
}

func TestConformanceErrRecordNotFound(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confCrudSeed(t, db)
		for name, q := range map[string]func(*confCrudUser) error{
			"First": func(u *confCrudUser) error { return db.Where("name = ?", "nobody").First(u).Error },
			"Take":  func(u *confCrudUser) error { return db.Take(u, "age > ?", 1000).Error },
			"Last":  func(u *confCrudUser) error { return db.Last(u, "name = ?", "nobody").Error },
			"ByPK":  func(u *confCrudUser) error { return db.First(u, 987654).Error },
		} {
			t.Run(name, func(t *testing.T) {
				var u confCrudUser
				err := q(&u)
				require.Error(t, err)
				assert.True(t, errors.Is(err, gorm.ErrRecordNotFound), "got %v", err)
			})
		}
		var none []confCrudUser
		res := db.Where("name = ?", "nobody").Find(&none)
		assert.NoError(t, res.Error, "Find with no match is not an error")
		assert.Zero(t, res.RowsAffected)
		assert.Empty(t, none)
	})
}

func TestConformanceOrderLimitOffset(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confCrudSeed(t, db)
		sorted := slices.Clone(confCrudSeedRows)
		sort.SliceStable(sorted, func(i, j int) bool {
			if sorted[i].Age != sorted[j].Age {
				return sorted[i].Age > sorted[j].Age
			}
			return sorted[i].Name < sorted[j].Name
		})
		sortedNames := make([]string, len(sorted))
		for i, r := range sorted {
			sortedNames[i] = r.Name
		}
		n := len(sortedNames)
		cases := []struct {
			name          string
			limit, offset int // -1: not set
			want          []string
		}{
			{"order only", -1, -1, sortedNames},
			{"limit", 3, -1, sortedNames[:3]},
			{"limit and offset", 3, 2, sortedNames[2:5]},
			{"offset without limit", -1, 4, sortedNames[4:]},
			{"offset past end", -1, n + 5, nil},
			{"limit larger than table", n + 10, 1, sortedNames[1:]},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				q := db.Order("age DESC").Order("name")
				if tc.limit >= 0 {
					q = q.Limit(tc.limit)
				}
				if tc.offset >= 0 {
					q = q.Offset(tc.offset)
				}
				var got []confCrudUser
				require.NoError(t, q.Find(&got).Error)
				if tc.want == nil {
					assert.Empty(t, got)
					return
				}
				assert.Equal(t, tc.want, confCrudUserNames(got))
			})
		}
	})
}

func TestConformanceSelectOmit(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confCrudSeed(t, db)
		var selected []confCrudUser
		require.NoError(t, db.Select("id", "name").Order("id").Find(&selected).Error)
		require.Len(t, selected, len(confCrudSeedRows))
		for i, u := range selected {
			assert.Equal(t, confCrudSeedRows[i].Name, u.Name)
			assert.Zero(t, u.Age, "age not selected")
			assert.Zero(t, u.Score, "score not selected")
		}

		var omitted confCrudUser
		require.NoError(t, db.Omit("score", "age").Where("name = ?", "carol").First(&omitted).Error)
		assert.Equal(t, "carol", omitted.Name)
		assert.Zero(t, omitted.Age)
		assert.Zero(t, omitted.Score)
		assert.True(t, omitted.Active)

		// Omit on Create leaves the column to its database default (NULL).
		u := confCrudUser{Name: "omit-age", Age: 77, Score: 3}
		require.NoError(t, db.Omit("Age").Create(&u).Error)
		assert.EqualValues(t, 1, confCount(t, db, "conf_crud_users", "id = ? AND age IS NULL AND score = ?", u.ID, 3))

		// Select on Create writes only the named columns.
		v := confCrudUser{Name: "only-name", Age: 88, Score: 4}
		require.NoError(t, db.Select("Name").Create(&v).Error)
		assert.EqualValues(t, 1, confCount(t, db, "conf_crud_users", "id = ? AND age IS NULL AND score IS NULL", v.ID))
	})
}

func TestConformancePluckCountDistinct(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confCrudSeed(t, db)

		var names []string
		require.NoError(t, db.Model(&confCrudUser{}).Order("id").Pluck("name", &names).Error)
		assert.Equal(t, confCrudNames(func(confCrudSeedRow) bool { return true }), names)

		var scores []float64
		require.NoError(t, db.Model(&confCrudUser{}).Order("id").Pluck("score", &scores).Error)
		for i, r := range confCrudSeedRows {
			assert.Equal(t, r.Score, scores[i])
		}

		wantAges := map[int]bool{}
		for _, r := range confCrudSeedRows {
			wantAges[r.Age] = true
		}
		var ages []int
		require.NoError(t, db.Model(&confCrudUser{}).Distinct().Order("age").Pluck("age", &ages).Error)
		assert.Len(t, ages, len(wantAges))
		assert.True(t, sort.IntsAreSorted(ages))
		for _, a := range ages {
			assert.True(t, wantAges[a], "age %d", a)
		}

		var distinctRows []confCrudUser
		require.NoError(t, db.Distinct("age").Order("age").Find(&distinctRows).Error)
		assert.Len(t, distinctRows, len(wantAges))

		var total, active, distinctAges int64
		require.NoError(t, db.Model(&confCrudUser{}).Count(&total).Error)
		require.NoError(t, db.Model(&confCrudUser{}).Where("active = ?", true).Count(&active).Error)
		require.NoError(t, db.Model(&confCrudUser{}).Distinct("age").Count(&distinctAges).Error)
		assert.EqualValues(t, len(confCrudSeedRows), total)
		assert.EqualValues(t, len(confCrudNames(func(r confCrudSeedRow) bool { return r.Active })), active)
		assert.EqualValues(t, len(wantAges), distinctAges)
	})
}

func TestConformanceGroupHaving(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confCrudSeed(t, db)
		type group struct {
			Age   int
			N     int64
			Total float64
		}
		want := map[int]group{}
		for _, r := range confCrudSeedRows {
			g := want[r.Age]
			g.Age, g.N, g.Total = r.Age, g.N+1, g.Total+r.Score
			want[r.Age] = g
		}
		var wantGroups []group
		for _, g := range want {
			if g.N > 1 {
				wantGroups = append(wantGroups, g)
			}
		}
		sort.Slice(wantGroups, func(i, j int) bool { return wantGroups[i].Age < wantGroups[j].Age })
		require.NotEmpty(t, wantGroups)

		var got []group
		require.NoError(t, db.Model(&confCrudUser{}).
			Select("age, count(*) AS n, sum(score) AS total").
			Group("age").Having("count(*) > ?", 1).Order("age").
			Scan(&got).Error)
		assert.Equal(t, wantGroups, got)
	})
}

func TestConformanceUpdate(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		users := confCrudSeed(t, db)
		reload := func(id uint) confCrudUser {
			var u confCrudUser
			require.NoError(t, db.First(&u, id).Error)
			return u
		}

		t.Run("Update one column", func(t *testing.T) {
			u := users[0]
			res := db.Model(&u).Update("name", "alice2")
			require.NoError(t, res.Error)
			assert.EqualValues(t, 1, res.RowsAffected)
			assert.Equal(t, "alice2", reload(u.ID).Name)
			assert.Equal(t, users[1].Name, reload(users[1].ID).Name, "other rows untouched")
		})

		t.Run("Updates struct skips zero fields", func(t *testing.T) {
			u := users[2] // carol, 35, active
			require.NoError(t, db.Model(&u).Updates(confCrudUser{Name: "carol2", Age: 0, Active: false}).Error)
			got := reload(u.ID)
			assert.Equal(t, "carol2", got.Name)
			assert.Equal(t, confCrudSeedRows[2].Age, got.Age, "zero Age ignored")
			assert.True(t, got.Active, "zero Active ignored")
		})

		t.Run("Updates map writes zero values", func(t *testing.T) {
			u := users[4] // erin, 41, active
			require.NoError(t, db.Model(&u).Updates(map[string]interface{}{"age": 0, "active": false, "score": 0.0}).Error)
			got := reload(u.ID)
			assert.Zero(t, got.Age)
			assert.False(t, got.Active)
			assert.Zero(t, got.Score)
		})

		t.Run("Select with struct writes zero values", func(t *testing.T) {
			u := users[5] // frank, 25, active
			require.NoError(t, db.Model(&u).Select("Age", "Active").Updates(confCrudUser{Name: "ignored", Age: 0, Active: false}).Error)
			got := reload(u.ID)
			assert.Equal(t, "frank", got.Name, "Name not selected")
			assert.Zero(t, got.Age)
			assert.False(t, got.Active)
		})

		t.Run("batch update by condition", func(t *testing.T) {
			var want int64
			require.NoError(t, db.Model(&confCrudUser{}).Where("age < ?", 30).Count(&want).Error)
			require.NotZero(t, want)
			res := db.Model(&confCrudUser{}).Where("age < ?", 30).Update("score", 1.5)
			require.NoError(t, res.Error)
			assert.Equal(t, want, res.RowsAffected)
			assert.Equal(t, want, confCount(t, db, "conf_crud_users", "score = ?", 1.5))
		})

		t.Run("gorm.Expr", func(t *testing.T) {
			u := reload(users[6].ID) // grace
			require.NoError(t, db.Model(&u).Updates(map[string]interface{}{
				"score": gorm.Expr("score * ? + ?", 2, 1),
				"age":   gorm.Expr("age + 1"),
			}).Error)
			got := reload(u.ID)
			assert.Equal(t, u.Score*2+1, got.Score)
			assert.Equal(t, u.Age+1, got.Age)
		})

		t.Run("UpdateColumn keeps UpdatedAt, Update sets it", func(t *testing.T) {
			u := users[7]
			old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
			require.NoError(t, db.Model(&u).UpdateColumn("updated_at", old).Error)
			require.True(t, reload(u.ID).UpdatedAt.Equal(old))

			require.NoError(t, db.Model(&u).UpdateColumn("age", 99).Error)
			got := reload(u.ID)
			assert.Equal(t, 99, got.Age)
			assert.True(t, got.UpdatedAt.Equal(old), "UpdateColumn must not touch updated_at, got %v", got.UpdatedAt)

			require.NoError(t, db.Model(&u).UpdateColumns(map[string]interface{}{"age": 98}).Error)
			assert.True(t, reload(u.ID).UpdatedAt.Equal(old), "UpdateColumns must not touch updated_at")

			require.NoError(t, db.Model(&u).Update("age", 100).Error)
			got = reload(u.ID)
			assert.Equal(t, 100, got.Age)
			assert.True(t, got.UpdatedAt.After(old), "Update sets updated_at, got %v", got.UpdatedAt)
		})

		t.Run("Save", func(t *testing.T) {
			u := reload(users[8].ID)
			u.Name, u.Score = "ivan2", 12.5
			require.NoError(t, db.Save(&u).Error)
			got := reload(u.ID)
			assert.Equal(t, "ivan2", got.Name)
			assert.Equal(t, 12.5, got.Score)

			n := confCrudUser{Name: "saved-new", Age: 4}
			require.NoError(t, db.Save(&n).Error)
			assert.NotZero(t, n.ID, "Save of a new record inserts it")
			assert.Equal(t, "saved-new", reload(n.ID).Name)
		})

		t.Run("no WHERE is refused", func(t *testing.T) {
			err := db.Model(&confCrudUser{}).Update("age", 1).Error
			assert.True(t, errors.Is(err, gorm.ErrMissingWhereClause), "got %v", err)
		})

		t.Run("no match affects nothing", func(t *testing.T) {
			res := db.Model(&confCrudUser{}).Where("name = ?", "nobody").Update("age", 1)
			require.NoError(t, res.Error)
			assert.Zero(t, res.RowsAffected)
		})
	})
}

func TestConformanceDelete(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		users := confCrudSeed(t, db)
		remaining := int64(len(users))
		checkRemaining := func() {
			t.Helper()
			assert.Equal(t, remaining, confCount(t, db, "conf_crud_users", ""))
		}

		res := db.Delete(&confCrudUser{}, users[0].ID)
		require.NoError(t, res.Error)
		assert.EqualValues(t, 1, res.RowsAffected)
		remaining--
		checkRemaining()
		assert.True(t, errors.Is(db.First(&confCrudUser{}, users[0].ID).Error, gorm.ErrRecordNotFound))

		res = db.Delete(&confCrudUser{}, []uint{users[1].ID, users[2].ID})
		require.NoError(t, res.Error)
		assert.EqualValues(t, 2, res.RowsAffected)
		remaining -= 2
		checkRemaining()

		u := users[3]
		res = db.Delete(&u)
		require.NoError(t, res.Error)
		assert.EqualValues(t, 1, res.RowsAffected)
		remaining--
		checkRemaining()

		var want int64
		require.NoError(t, db.Model(&confCrudUser{}).Where("age > ?", 34).Count(&want).Error)
		require.NotZero(t, want)
		res = db.Where("age > ?", 34).Delete(&confCrudUser{})
		require.NoError(t, res.Error)
		assert.Equal(t, want, res.RowsAffected)
		remaining -= want
		checkRemaining()
		assert.Zero(t, confCount(t, db, "conf_crud_users", "age > ?", 34))

		res = db.Delete(&confCrudUser{}, 987654)
		require.NoError(t, res.Error)
		assert.Zero(t, res.RowsAffected)

		err := db.Delete(&confCrudUser{}).Error
		assert.True(t, errors.Is(err, gorm.ErrMissingWhereClause), "got %v", err)
		checkRemaining()
	})
}

func TestConformanceRawAndExec(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confCrudSeed(t, db)
		wantMid := confCrudNames(func(r confCrudSeedRow) bool { return r.Age >= 30 && r.Age <= 40 })
		sort.Strings(wantMid)

		t.Run("Raw positional", func(t *testing.T) {
			var names []string
			require.NoError(t, db.Raw("SELECT name FROM conf_crud_users WHERE age >= ? AND age <= ? ORDER BY name", 30, 40).Scan(&names).Error)
			assert.Equal(t, wantMid, names)
		})
		t.Run("Raw sql.Named", func(t *testing.T) {
			var names []string
			require.NoError(t, db.Raw("SELECT name FROM conf_crud_users WHERE age >= @lo AND age <= @hi AND @lo <= @hi ORDER BY name",
				sql.Named("lo", 30), sql.Named("hi", 40)).Scan(&names).Error)
			assert.Equal(t, wantMid, names)
		})
		t.Run("Raw named map", func(t *testing.T) {
			var names []string
			require.NoError(t, db.Raw("SELECT name FROM conf_crud_users WHERE age >= @lo AND age <= @hi ORDER BY name",
				map[string]interface{}{"lo": 30, "hi": 40}).Scan(&names).Error)
			assert.Equal(t, wantMid, names)
		})
		t.Run("Raw IN slice", func(t *testing.T) {
			var n int64
			require.NoError(t, db.Raw("SELECT count(*) FROM conf_crud_users WHERE name IN ?", []string{"bob", "dave", "zed"}).Scan(&n).Error)
			assert.EqualValues(t, 2, n)
		})
		t.Run("Exec positional", func(t *testing.T) {
			want := int64(len(confCrudNames(func(r confCrudSeedRow) bool { return r.Age == 25 })))
			res := db.Exec("UPDATE conf_crud_users SET score = ? WHERE age = ?", 7.5, 25)
			require.NoError(t, res.Error)
			assert.Equal(t, want, res.RowsAffected)
			assert.Equal(t, want, confCount(t, db, "conf_crud_users", "score = ?", 7.5))
		})
		t.Run("Exec sql.Named", func(t *testing.T) {
			res := db.Exec("INSERT INTO conf_crud_users (name, age, active, score) VALUES (@name, @age, @active, @age * 2)",
				sql.Named("name", "named"), sql.Named("age", 21), sql.Named("active", true))
			require.NoError(t, res.Error)
			assert.EqualValues(t, 1, res.RowsAffected)
			var u confCrudUser
			require.NoError(t, db.Where("name = ?", "named").First(&u).Error)
			assert.Equal(t, 21, u.Age)
			assert.True(t, u.Active)
			assert.Equal(t, 42.0, u.Score)
		})
		t.Run("Raw into model", func(t *testing.T) {
			var us []confCrudUser
			require.NoError(t, db.Raw("SELECT * FROM conf_crud_users WHERE age = ?", 35).Scan(&us).Error)
			assert.ElementsMatch(t, confCrudNames(func(r confCrudSeedRow) bool { return r.Age == 35 }), confCrudUserNames(us))
		})
	})
}

func TestConformanceScan(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confCrudSeed(t, db)
		seed := confCrudSeedRows[2] // carol

		var one struct {
			Name  string
			Age   int
			Score float64
		}
		require.NoError(t, db.Model(&confCrudUser{}).Select("name, age, score").Where("name = ?", seed.Name).Scan(&one).Error)
		assert.Equal(t, seed.Name, one.Name)
		assert.Equal(t, seed.Age, one.Age)
		assert.Equal(t, seed.Score, one.Score)

		var m map[string]interface{}
		require.NoError(t, db.Model(&confCrudUser{}).Select("name, age, score").Where("name = ?", seed.Name).Scan(&m).Error)
		assert.Equal(t, seed.Name, m["name"], "TEXT scans as string")
		assert.Equal(t, int64(seed.Age), m["age"], "INTEGER scans as int64")
		assert.Equal(t, seed.Score, m["score"], "REAL scans as float64")

		var maps []map[string]interface{}
		require.NoError(t, db.Table("conf_crud_users").Select("name").Order("id").Find(&maps).Error)
		require.Len(t, maps, len(confCrudSeedRows))
		for i, r := range confCrudSeedRows {
			assert.Equal(t, r.Name, maps[i]["name"])
		}

		var many []struct {
			Name string
			Age  int
		}
		require.NoError(t, db.Table("conf_crud_users").Where("active = ?", false).Order("name").Scan(&many).Error)
		want := confCrudNames(func(r confCrudSeedRow) bool { return !r.Active })
		sort.Strings(want)
		require.Len(t, many, len(want))
		for i := range want {
			assert.Equal(t, want[i], many[i].Name)
		}

		var maxAge int
		require.NoError(t, db.Model(&confCrudUser{}).Select("max(age)").Row().Scan(&maxAge))
		wantMax := 0
		for _, r := range confCrudSeedRows {
			wantMax = max(wantMax, r.Age)
		}
		assert.Equal(t, wantMax, maxAge)
	})
}

func TestConformanceRowsIteration(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confCrudSeed(t, db)
		want := confCrudNames(func(r confCrudSeedRow) bool { return r.Age > 28 })

		rows, err := db.Model(&confCrudUser{}).Where("age > ?", 28).Order("id").Rows()
		require.NoError(t, err)
		var viaScanRows []string
		for rows.Next() {
			var u confCrudUser
			require.NoError(t, db.ScanRows(rows, &u))
			viaScanRows = append(viaScanRows, u.Name)
		}
		require.NoError(t, rows.Err())
		require.NoError(t, rows.Close())
		assert.Equal(t, want, viaScanRows)

		rows, err = db.Model(&confCrudUser{}).Select("name", "age").Where("age > ?", 28).Order("id").Rows()
		require.NoError(t, err)
		defer rows.Close()
		cols, err := rows.Columns()
		require.NoError(t, err)
		assert.Equal(t, []string{"name", "age"}, cols)
		var viaScan []string
		for rows.Next() {
			var name string
			var age int
			require.NoError(t, rows.Scan(&name, &age))
			assert.Greater(t, age, 28)
			viaScan = append(viaScan, name)
		}
		require.NoError(t, rows.Err())
		assert.Equal(t, want, viaScan)
	})
}

func TestConformanceFindInBatches(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confCrudSeed(t, db)
		const size = 3
		n := len(confCrudSeedRows)
		var wantSizes []int
		for i := 0; i < n; i += size {
			wantSizes = append(wantSizes, min(size, n-i))
		}

		var batch []confCrudUser
		var sizes []int
		var names []string
		res := db.FindInBatches(&batch, size, func(tx *gorm.DB, b int) error {
			sizes = append(sizes, len(batch))
			assert.EqualValues(t, len(batch), tx.RowsAffected)
			for i := range batch {
				names = append(names, batch[i].Name)
				batch[i].Score = -1
			}
			return tx.Save(&batch).Error
		})
		require.NoError(t, res.Error)
		assert.EqualValues(t, n, res.RowsAffected)
		assert.Equal(t, wantSizes, sizes)
		assert.Equal(t, confCrudNames(func(confCrudSeedRow) bool { return true }), names)
		assert.EqualValues(t, n, confCount(t, db, "conf_crud_users", "score = ?", -1), "updates inside batches persisted")

		stop := errors.New("stop")
		calls := 0
		res = db.FindInBatches(&batch, size, func(*gorm.DB, int) error {
			calls++
			if calls == 2 {
				return stop
			}
			return nil
		})
		assert.True(t, errors.Is(res.Error, stop), "got %v", res.Error)
		assert.Equal(t, 2, calls, "an error stops the iteration")
	})
}

func TestConformanceScopes(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confCrudSeed(t, db)
		active := func(db *gorm.DB) *gorm.DB { return db.Where("active = ?", true) }
		olderThan := func(age int) func(*gorm.DB) *gorm.DB {
			return func(db *gorm.DB) *gorm.DB { return db.Where("age > ?", age) }
		}
		var got []confCrudUser
		require.NoError(t, db.Scopes(active, olderThan(30)).Find(&got).Error)
		assert.ElementsMatch(t, confCrudNames(func(r confCrudSeedRow) bool { return r.Active && r.Age > 30 }), confCrudUserNames(got))

		var n int64
		require.NoError(t, db.Model(&confCrudUser{}).Scopes(olderThan(40)).Count(&n).Error)
		assert.EqualValues(t, len(confCrudNames(func(r confCrudSeedRow) bool { return r.Age > 40 })), n)
	})
}

func TestConformanceSubqueries(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confCrudSeed(t, db)
		sum := 0
		for _, r := range confCrudSeedRows {
			sum += r.Age
		}
		avg := float64(sum) / float64(len(confCrudSeedRows))

		t.Run("scalar subquery in WHERE", func(t *testing.T) {
			var got []confCrudUser
			require.NoError(t, db.Where("age > (?)", db.Model(&confCrudUser{}).Select("AVG(age)")).Find(&got).Error)
			assert.ElementsMatch(t, confCrudNames(func(r confCrudSeedRow) bool { return float64(r.Age) > avg }), confCrudUserNames(got))
		})
		t.Run("IN subquery", func(t *testing.T) {
			var got []confCrudUser
			sub := db.Model(&confCrudCompany{}).Select("id").Where("name = ?", "globex")
			require.NoError(t, db.Where("company_id IN (?)", sub).Find(&got).Error)
			assert.ElementsMatch(t, confCrudNames(func(r confCrudSeedRow) bool { return r.Company == "globex" }), confCrudUserNames(got))
		})
		t.Run("FROM subquery", func(t *testing.T) {
			var got []struct {
				Name string
				Age  int
			}
			sub := db.Model(&confCrudUser{}).Select("name, age").Where("active = ?", true)
			require.NoError(t, db.Table("(?) AS sub", sub).Where("sub.age < ?", 35).Order("sub.name").Find(&got).Error)
			want := confCrudNames(func(r confCrudSeedRow) bool { return r.Active && r.Age < 35 })
			sort.Strings(want)
			require.Len(t, got, len(want))
			for i := range want {
				assert.Equal(t, want[i], got[i].Name)
			}
		})
		t.Run("EXISTS subquery", func(t *testing.T) {
			var got []confCrudCompany
			sub := db.Table("conf_crud_users AS u").Select("1").Where("u.company_id = conf_crud_companies.id AND u.age > ?", 40)
			require.NoError(t, db.Where("EXISTS (?)", sub).Find(&got).Error)
			wantSet := map[string]bool{}
			for _, r := range confCrudSeedRows {
				if r.Age > 40 && r.Company != "" {
					wantSet[r.Company] = true
				}
			}
			var names []string
			for _, c := range got {
				names = append(names, c.Name)
			}
			var want []string
			for c := range wantSet {
				want = append(want, c)
			}
			assert.ElementsMatch(t, want, names)
		})
	})
}

func TestConformanceJoins(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confCrudSeed(t, db)

		t.Run("Joins association", func(t *testing.T) {
			var got []confCrudUser
			require.NoError(t, db.Joins("Company").Where("Company.name = ?", "acme").Order("conf_crud_users.id").Find(&got).Error)
			assert.Equal(t, confCrudNames(func(r confCrudSeedRow) bool { return r.Company == "acme" }), confCrudUserNames(got))
			for _, u := range got {
				require.NotNil(t, u.Company, "%s: Company loaded by the join", u.Name)
				assert.Equal(t, "acme", u.Company.Name)
				assert.Equal(t, *u.CompanyID, u.Company.ID)
			}
		})
		t.Run("LEFT join keeps rows without match", func(t *testing.T) {
			var got []confCrudUser
			require.NoError(t, db.Joins("Company").Order("conf_crud_users.id").Find(&got).Error)
			require.Len(t, got, len(confCrudSeedRows))
			for i, u := range got {
				if confCrudSeedRows[i].Company == "" {
					assert.Nil(t, u.Company, u.Name)
				} else if assert.NotNil(t, u.Company, u.Name) {
					assert.Equal(t, confCrudSeedRows[i].Company, u.Company.Name)
				}
			}
		})
		t.Run("InnerJoins drops rows without match", func(t *testing.T) {
			var got []confCrudUser
			require.NoError(t, db.InnerJoins("Company").Find(&got).Error)
			assert.ElementsMatch(t, confCrudNames(func(r confCrudSeedRow) bool { return r.Company != "" }), confCrudUserNames(got))
		})
		t.Run("raw join with argument", func(t *testing.T) {
			var got []struct {
				Name    string
				Company string
			}
			require.NoError(t, db.Model(&confCrudUser{}).
				Select("conf_crud_users.name AS name, c.name AS company").
				Joins("JOIN conf_crud_companies c ON c.id = conf_crud_users.company_id AND c.name = ?", "globex").
				Order("conf_crud_users.id").Scan(&got).Error)
			want := confCrudNames(func(r confCrudSeedRow) bool { return r.Company == "globex" })
			require.Len(t, got, len(want))
			for i := range want {
				assert.Equal(t, want[i], got[i].Name)
				assert.Equal(t, "globex", got[i].Company)
			}
		})
	})
}
