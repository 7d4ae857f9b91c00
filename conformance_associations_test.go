package libsql_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

type confAscCompany struct {
	ID   uint
	Name string
}

func (confAscCompany) TableName() string { return "conf_asc_companies" }

type confAscProfile struct {
	ID     uint
	UserID uint
	Bio    string
}

func (confAscProfile) TableName() string { return "conf_asc_profiles" }

type confAscComment struct {
	ID        uint
	OwnerID   uint
	OwnerType string
	Body      string
}

func (confAscComment) TableName() string { return "conf_asc_comments" }

type confAscPost struct {
	ID       uint
	UserID   uint
	Title    string
	Comments []confAscComment `gorm:"polymorphic:Owner"`
}

func (confAscPost) TableName() string { return "conf_asc_posts" }

type confAscTag struct {
	ID   uint
	Name string `gorm:"uniqueIndex"`
}

func (confAscTag) TableName() string { return "conf_asc_tags" }

type confAscUser struct {
	ID        uint
	Name      string
	CompanyID *uint
	Company   *confAscCompany  // belongs to
	Profile   *confAscProfile  `gorm:"foreignKey:UserID"` // has one
	Posts     []confAscPost    `gorm:"foreignKey:UserID"` // has many
	Tags      []confAscTag     `gorm:"many2many:conf_asc_user_tags"`
	Comments  []confAscComment `gorm:"polymorphic:Owner"` // polymorphic has many
}

func (confAscUser) TableName() string { return "conf_asc_users" }

func confAscMigrate(t *testing.T, db *gorm.DB) {
	t.Helper()
	confMigrate(t, db, &confAscCompany{}, &confAscTag{}, &confAscUser{}, &confAscProfile{}, &confAscPost{}, &confAscComment{})
}

// confAscNewUser builds a user with every association filled.
func confAscNewUser(name string, posts ...string) confAscUser {
	u := confAscUser{
		Name:    name,
		Company: &confAscCompany{Name: name + "-co"},
		Profile: &confAscProfile{Bio: name + "-bio"},
		Tags:    []confAscTag{{Name: name + "-t1"}, {Name: name + "-t2"}},
	}
	for _, p := range posts {
		u.Posts = append(u.Posts, confAscPost{Title: p})
	}
	return u
}

func TestConformanceAssociationsSaveOnCreate(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confAscMigrate(t, db)
		u := confAscNewUser("ann", "p1", "p2", "p3")
		u.Comments = []confAscComment{{Body: "on user"}}
		require.NoError(t, db.Create(&u).Error)

		require.NotZero(t, u.ID)
		require.NotNil(t, u.Company)
		require.NotZero(t, u.Company.ID, "belongs-to created first and got an ID")
		require.NotNil(t, u.CompanyID)
		assert.Equal(t, u.Company.ID, *u.CompanyID, "foreign key set from the created company")
		require.NotZero(t, u.Profile.ID)
		assert.Equal(t, u.ID, u.Profile.UserID)
		for _, p := range u.Posts {
			assert.NotZero(t, p.ID)
			assert.Equal(t, u.ID, p.UserID)
		}
		for _, tag := range u.Tags {
			assert.NotZero(t, tag.ID)
		}
		assert.Equal(t, u.ID, u.Comments[0].OwnerID)
		assert.Equal(t, "conf_asc_users", u.Comments[0].OwnerType)

		assert.EqualValues(t, 1, confCount(t, db, "conf_asc_companies", ""))
		assert.EqualValues(t, 1, confCount(t, db, "conf_asc_profiles", "user_id = ?", u.ID))
		assert.EqualValues(t, len(u.Posts), confCount(t, db, "conf_asc_posts", "user_id = ?", u.ID))
		assert.EqualValues(t, len(u.Tags), confCount(t, db, "conf_asc_tags", ""))
		assert.EqualValues(t, len(u.Tags), confCount(t, db, "conf_asc_user_tags", "conf_asc_user_id = ?", u.ID))
		assert.EqualValues(t, 1, confCount(t, db, "conf_asc_comments", "owner_id = ? AND owner_type = ?", u.ID, "conf_asc_users"))

		// Omitting associations stores only the user.
		v := confAscNewUser("bea", "x")
		require.NoError(t, db.Omit(clause.Associations).Create(&v).Error)
		assert.EqualValues(t, 1, confCount(t, db, "conf_asc_companies", ""))
		assert.EqualValues(t, 0, confCount(t, db, "conf_asc_posts", "user_id = ?", v.ID))
	})
}

func TestConformanceBelongsTo(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confAscMigrate(t, db)
		withCo := confAscNewUser("cat")
		noCo := confAscUser{Name: "dan"}
		require.NoError(t, db.Create(&withCo).Error)
		require.NoError(t, db.Create(&noCo).Error)

		var preloaded []confAscUser
		require.NoError(t, db.Preload("Company").Order("id").Find(&preloaded).Error)
		require.Len(t, preloaded, 2)
		require.NotNil(t, preloaded[0].Company)
		assert.Equal(t, withCo.Company.Name, preloaded[0].Company.Name)
		assert.Nil(t, preloaded[1].Company)

		var joined confAscUser
		require.NoError(t, db.Joins("Company").First(&joined, withCo.ID).Error)
		require.NotNil(t, joined.Company)
		assert.Equal(t, withCo.Company.ID, joined.Company.ID)
		assert.Equal(t, withCo.Company.Name, joined.Company.Name)

		var co confAscCompany
		require.NoError(t, db.Model(&withCo).Association("Company").Find(&co))
		assert.Equal(t, withCo.Company.Name, co.Name)

		// Replacing the belongs-to target rewrites the foreign key.
		other := confAscCompany{Name: "other-co"}
		require.NoError(t, db.Model(&withCo).Association("Company").Replace(&other))
		var reloaded confAscUser
		require.NoError(t, db.Preload("Company").First(&reloaded, withCo.ID).Error)
		require.NotNil(t, reloaded.Company)
		assert.Equal(t, "other-co", reloaded.Company.Name)
	})
}

func TestConformanceHasOne(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confAscMigrate(t, db)
		u := confAscNewUser("eve")
		require.NoError(t, db.Create(&u).Error)

		var preloaded confAscUser
		require.NoError(t, db.Preload("Profile").First(&preloaded, u.ID).Error)
		require.NotNil(t, preloaded.Profile)
		assert.Equal(t, "eve-bio", preloaded.Profile.Bio)

		var joined confAscUser
		require.NoError(t, db.Joins("Profile").Where("Profile.bio = ?", "eve-bio").First(&joined).Error)
		assert.Equal(t, u.ID, joined.ID)
		require.NotNil(t, joined.Profile)
		assert.Equal(t, u.Profile.ID, joined.Profile.ID)

		require.NoError(t, db.Model(&u).Association("Profile").Replace(&confAscProfile{Bio: "new-bio"}))
		var again confAscUser
		require.NoError(t, db.Preload("Profile").First(&again, u.ID).Error)
		require.NotNil(t, again.Profile)
		assert.Equal(t, "new-bio", again.Profile.Bio)
	})
}

func TestConformanceHasManyPreload(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confAscMigrate(t, db)
		u1 := confAscNewUser("fay", "keep-1", "drop-1", "keep-2")
		u2 := confAscNewUser("gus", "keep-3")
		u3 := confAscUser{Name: "hal"}
		for _, u := range []*confAscUser{&u1, &u2, &u3} {
			require.NoError(t, db.Create(u).Error)
		}
		for i, p := range u1.Posts {
			for j := 0; j <= i; j++ {
				require.NoError(t, db.Create(&confAscComment{OwnerID: p.ID, OwnerType: "conf_asc_posts", Body: p.Title}).Error)
			}
		}

		t.Run("plain", func(t *testing.T) {
			var users []confAscUser
			require.NoError(t, db.Preload("Posts").Order("id").Find(&users).Error)
			require.Len(t, users, 3)
			assert.Len(t, users[0].Posts, 3)
			assert.Len(t, users[1].Posts, 1)
			assert.Empty(t, users[2].Posts)
		})
		t.Run("conditional", func(t *testing.T) {
			var u confAscUser
			require.NoError(t, db.Preload("Posts", "title LIKE ?", "keep%").First(&u, u1.ID).Error)
			var titles []string
			for _, p := range u.Posts {
				titles = append(titles, p.Title)
			}
			assert.ElementsMatch(t, []string{"keep-1", "keep-2"}, titles)
		})
		t.Run("ordered by function", func(t *testing.T) {
			var u confAscUser
			require.NoError(t, db.Preload("Posts", func(db *gorm.DB) *gorm.DB { return db.Order("title DESC") }).First(&u, u1.ID).Error)
			require.Len(t, u.Posts, 3)
			assert.Equal(t, []string{"keep-2", "keep-1", "drop-1"}, []string{u.Posts[0].Title, u.Posts[1].Title, u.Posts[2].Title})
		})
		t.Run("nested", func(t *testing.T) {
			var u confAscUser
			require.NoError(t, db.Preload("Posts.Comments").Preload("Posts", func(db *gorm.DB) *gorm.DB { return db.Order("id") }).First(&u, u1.ID).Error)
			require.Len(t, u.Posts, len(u1.Posts))
			for i, p := range u.Posts {
				assert.Len(t, p.Comments, i+1, "post %s", p.Title)
				for _, c := range p.Comments {
					assert.Equal(t, p.Title, c.Body)
				}
			}
		})
		t.Run("all associations", func(t *testing.T) {
			var u confAscUser
			require.NoError(t, db.Preload(clause.Associations).First(&u, u2.ID).Error)
			require.NotNil(t, u.Company)
			require.NotNil(t, u.Profile)
			assert.Len(t, u.Posts, 1)
			assert.Len(t, u.Tags, 2)
		})
		t.Run("association count and append", func(t *testing.T) {
			assert.EqualValues(t, 1, db.Model(&u2).Association("Posts").Count())
			require.NoError(t, db.Model(&u2).Association("Posts").Append(&confAscPost{Title: "appended"}))
			assert.EqualValues(t, 2, db.Model(&u2).Association("Posts").Count())
			assert.EqualValues(t, 2, confCount(t, db, "conf_asc_posts", "user_id = ?", u2.ID))
		})
	})
}

func TestConformanceMany2Many(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confAscMigrate(t, db)
		u := confAscUser{Name: "ida", Tags: []confAscTag{{Name: "go"}, {Name: "sql"}}}
		require.NoError(t, db.Create(&u).Error)
		joinRows := func() int64 {
			return confCount(t, db, "conf_asc_user_tags", "conf_asc_user_id = ?", u.ID)
		}
		tagNames := func() []string {
			var tags []confAscTag
			require.NoError(t, db.Model(&u).Association("Tags").Find(&tags))
			var names []string
			for _, tag := range tags {
				names = append(names, tag.Name)
			}
			return names
		}
		assert.EqualValues(t, 2, db.Model(&u).Association("Tags").Count())
		assert.EqualValues(t, 2, joinRows())

		t.Run("Append", func(t *testing.T) {
			require.NoError(t, db.Model(&u).Association("Tags").Append(&confAscTag{Name: "orm"}))
			assert.ElementsMatch(t, []string{"go", "sql", "orm"}, tagNames())
			assert.EqualValues(t, 3, db.Model(&u).Association("Tags").Count())
			assert.EqualValues(t, 3, joinRows())
		})
		t.Run("shared tag", func(t *testing.T) {
			var goTag confAscTag
			require.NoError(t, db.Where("name = ?", "go").First(&goTag).Error)
			other := confAscUser{Name: "jo", Tags: []confAscTag{goTag}}
			require.NoError(t, db.Create(&other).Error)
			assert.EqualValues(t, 1, confCount(t, db, "conf_asc_tags", "name = ?", "go"), "existing tag not duplicated")
			assert.EqualValues(t, 1, db.Model(&other).Association("Tags").Count())
		})
		t.Run("Delete", func(t *testing.T) {
			var sqlTag confAscTag
			require.NoError(t, db.Where("name = ?", "sql").First(&sqlTag).Error)
			require.NoError(t, db.Model(&u).Association("Tags").Delete(&sqlTag))
			assert.ElementsMatch(t, []string{"go", "orm"}, tagNames())
			assert.EqualValues(t, 2, joinRows())
			assert.EqualValues(t, 1, confCount(t, db, "conf_asc_tags", "name = ?", "sql"), "Delete removes the link, not the tag")
		})
		t.Run("Replace", func(t *testing.T) {
			require.NoError(t, db.Model(&u).Association("Tags").Replace([]confAscTag{{Name: "new1"}, {Name: "new2"}}))
			assert.ElementsMatch(t, []string{"new1", "new2"}, tagNames())
			assert.EqualValues(t, 2, joinRows())
		})
		t.Run("Preload", func(t *testing.T) {
			var got confAscUser
			require.NoError(t, db.Preload("Tags", func(db *gorm.DB) *gorm.DB { return db.Order("name DESC") }).First(&got, u.ID).Error)
			require.Len(t, got.Tags, 2)
			assert.Equal(t, "new2", got.Tags[0].Name)
			assert.Equal(t, "new1", got.Tags[1].Name)
		})
		t.Run("Clear", func(t *testing.T) {
			require.NoError(t, db.Model(&u).Association("Tags").Clear())
			assert.Zero(t, db.Model(&u).Association("Tags").Count())
			assert.Zero(t, joinRows())
			assert.NotZero(t, confCount(t, db, "conf_asc_tags", ""), "Clear keeps the tags")
		})
	})
}

func TestConformancePolymorphicHasMany(t *testing.T) {
	forEachMode(t, func(t *testing.T, db *gorm.DB) {
		confAscMigrate(t, db)
		u := confAscUser{Name: "kim", Posts: []confAscPost{{Title: "kp"}}}
		require.NoError(t, db.Create(&u).Error)
		post := u.Posts[0]
		// The user and the post may well share the same ID; only owner_type
		// tells their comments apart.
		require.NoError(t, db.Model(&u).Association("Comments").Append(&confAscComment{Body: "u1"}, &confAscComment{Body: "u2"}))
		require.NoError(t, db.Model(&post).Association("Comments").Append(&confAscComment{Body: "p1"}))

		var gotUser confAscUser
		require.NoError(t, db.Preload("Comments").Preload("Posts.Comments").First(&gotUser, u.ID).Error)
		var userBodies []string
		for _, c := range gotUser.Comments {
			assert.Equal(t, "conf_asc_users", c.OwnerType)
			userBodies = append(userBodies, c.Body)
		}
		assert.ElementsMatch(t, []string{"u1", "u2"}, userBodies)
		require.Len(t, gotUser.Posts, 1)
		require.Len(t, gotUser.Posts[0].Comments, 1)
		assert.Equal(t, "p1", gotUser.Posts[0].Comments[0].Body)
		assert.Equal(t, "conf_asc_posts", gotUser.Posts[0].Comments[0].OwnerType)

		assert.EqualValues(t, 2, db.Model(&u).Association("Comments").Count())
		assert.EqualValues(t, 1, db.Model(&post).Association("Comments").Count())
	})
}
