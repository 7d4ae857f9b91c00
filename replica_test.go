package libsql_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/gorm-libsql/libsql"
	"github.com/gorm-libsql/libsql/internal/sqldtest"
)

type rpEvent struct {
	ID   uint
	Name string
}

// openReplica opens an embedded replica of srv in a new file of dir.
func openReplica(t *testing.T, cfg libsql.Config) *gorm.DB {
	t.Helper()
	if cfg.Database == "" {
		cfg.Database = filepath.Join(t.TempDir(), "replica.db")
	}
	return openDB(t, libsql.New(cfg), &gorm.Config{TranslateError: true})
}

func countEvents(t *testing.T, db *gorm.DB, name string) int64 {
	t.Helper()
	var n int64
	require.NoError(t, db.Model(&rpEvent{}).Where("name = ?", name).Count(&n).Error)
	return n
}

// eventually polls cond for up to 15 s.
func eventually(t *testing.T, cond func() bool, msg string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal(msg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestReplicasSyncThroughPrimary(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	r1 := openReplica(t, libsql.Config{URL: srv.URL()})
	r2 := openReplica(t, libsql.Config{URL: srv.URL()})
	require.NoError(t, r1.AutoMigrate(&rpEvent{}))
	require.NoError(t, r1.Create(&rpEvent{Name: "from r1"}).Error)
	assert.EqualValues(t, 1, countEvents(t, r1, "from r1"), "read-your-writes: r1 sees its write at once")

	before, err := libsql.Sync(r2)
	require.NoError(t, err)
	assert.Positive(t, before.FrameNo)
	assert.EqualValues(t, 1, countEvents(t, r2, "from r1"), "r2 sees r1's write after a sync")

	require.NoError(t, r1.Create(&rpEvent{Name: "second"}).Error)
	after, err := libsql.Sync(r2)
	require.NoError(t, err)
	assert.Greater(t, after.FrameNo, before.FrameNo)
	assert.Positive(t, after.FramesSynced)

	_, err = libsql.Sync(openDB(t, libsql.Open(filepath.Join(t.TempDir(), "plain.db")), nil))
	assert.ErrorIs(t, err, libsql.ErrNotReplica)
}

func TestReplicaSyncInterval(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	r1 := openReplica(t, libsql.Config{URL: srv.URL()})
	require.NoError(t, r1.AutoMigrate(&rpEvent{}))
	r2 := openReplica(t, libsql.Config{URL: srv.URL(), SyncInterval: 50 * time.Millisecond})
	require.NoError(t, r1.Create(&rpEvent{Name: "background"}).Error)
	eventually(t, func() bool {
		var n int64
		return r2.Model(&rpEvent{}).Where("name = ?", "background").Count(&n).Error == nil && n == 1
	}, "the write never reached the replica with a sync interval")
}

func TestReplicaSyncAfterCommit(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	plain := openReplica(t, libsql.Config{URL: srv.URL(), DisableReadYourWrites: true})
	require.NoError(t, plain.Exec("CREATE TABLE rp_events (id integer PRIMARY KEY, name text)").Error)
	_, err := libsql.Sync(plain)
	require.NoError(t, err)
	require.NoError(t, plain.Create(&rpEvent{Name: "unsynced"}).Error)
	assert.EqualValues(t, 0, countEvents(t, plain, "unsynced"), "without read-your-writes a write shows only after a sync")

	synced := openReplica(t, libsql.Config{URL: srv.URL(), DisableReadYourWrites: true, Sync: true})
	require.NoError(t, synced.Create(&rpEvent{Name: "created"}).Error)
	assert.EqualValues(t, 1, countEvents(t, synced, "created"), "Create")
	require.NoError(t, synced.Model(&rpEvent{}).Where("name = ?", "created").Update("name", "updated").Error)
	require.NoError(t, synced.Exec("INSERT INTO rp_events (name) VALUES ('exec')").Error)
	assert.EqualValues(t, 1, countEvents(t, synced, "updated"), "Sync: true makes the replica reflect the primary when the call returns")
	assert.EqualValues(t, 1, countEvents(t, synced, "exec"))
	require.NoError(t, synced.Where("name = ?", "exec").Delete(&rpEvent{}).Error)
	assert.EqualValues(t, 0, countEvents(t, synced, "exec"))
}

func TestReplicaWhilePrimaryIsDown(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	r := openReplica(t, libsql.Config{URL: srv.URL()})
	require.NoError(t, r.AutoMigrate(&rpEvent{}))
	require.NoError(t, r.Create(&rpEvent{Name: "committed"}).Error)

	srv.Stop()
	assert.EqualValues(t, 1, countEvents(t, r, "committed"), "reads are local")
	start := time.Now()
	err := r.Create(&rpEvent{Name: "while down"}).Error
	require.Error(t, err)
	assert.Less(t, time.Since(start), 15*time.Second)
	assert.ErrorIs(t, err, libsql.ErrPrimaryUnavailable)
	_, err = libsql.Sync(r)
	assert.Error(t, err)

	srv.Restart(t)
	eventually(t, func() bool { return r.Create(&rpEvent{Name: "after"}).Error == nil }, "writes never worked again")
	_, err = libsql.Sync(r)
	require.NoError(t, err)
	var names []string
	require.NoError(t, r.Model(&rpEvent{}).Order("id").Pluck("name", &names).Error)
	assert.Equal(t, []string{"committed", "after"}, names, "no committed row lost, nothing half-written")
}

func TestReplicaOfflineOpen(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	path := filepath.Join(t.TempDir(), "offline.db")
	first := openReplica(t, libsql.Config{Database: path, URL: srv.URL()})
	require.NoError(t, first.AutoMigrate(&rpEvent{}))
	require.NoError(t, first.Create(&rpEvent{Name: "synced"}).Error)
	sqlDB, err := first.DB()
	require.NoError(t, err)
	require.NoError(t, sqlDB.Close())
	srv.Stop()

	_, err = gorm.Open(libsql.New(libsql.Config{Database: path, URL: srv.URL()}), &gorm.Config{})
	require.Error(t, err, "without OfflineOpen an unreachable primary fails the open")
	t.Logf("open without OfflineOpen: %v", err)
	assert.ErrorIs(t, err, libsql.ErrPrimaryUnavailable)

	_, err = gorm.Open(libsql.New(libsql.Config{Database: filepath.Join(t.TempDir(), "never-synced.db"), URL: srv.URL(), OfflineOpen: true}), &gorm.Config{})
	assert.ErrorIs(t, err, libsql.ErrPrimaryUnavailable, "a file that never synced has nothing to read offline")

	db := openReplica(t, libsql.Config{Database: path, URL: srv.URL(), OfflineOpen: true, SyncInterval: 50 * time.Millisecond})
	assert.EqualValues(t, 1, countEvents(t, db, "synced"), "reads work offline")
	err = db.Create(&rpEvent{Name: "offline"}).Error
	t.Logf("write while offline: %v", err)
	assert.ErrorIs(t, err, libsql.ErrPrimaryUnavailable)
	_, err = libsql.Sync(db)
	assert.ErrorIs(t, err, libsql.ErrPrimaryUnavailable)

	srv.Restart(t)
	srv.Exec(t, "INSERT INTO rp_events (name) VALUES ('elsewhere')")
	eventually(t, func() bool { return countEvents(t, db, "elsewhere") == 1 },
		"the background sync never reached the primary after it came back")
	require.NoError(t, db.Create(&rpEvent{Name: "online"}).Error)
	var names []string
	require.NoError(t, db.Model(&rpEvent{}).Order("id").Pluck("name", &names).Error)
	assert.Equal(t, []string{"synced", "elsewhere", "online"}, names)
}

type rpDoc struct {
	ID    uint
	Title string `gorm:"index"`
}

type rpDocV2 struct {
	ID    uint
	Title string `gorm:"index"`
	Rank  string `gorm:"index"`
}

func (rpDocV2) TableName() string { return "rp_docs" }

type rpDocV3 struct {
	ID    uint
	Title string `gorm:"index"`
	Rank  int    `gorm:"index"`
}

func (rpDocV3) TableName() string { return "rp_docs" }

// TestReplicaMigrationsWithoutReadYourWrites migrates through a replica whose
// own writes show locally only after a sync: the Migrator, which reads the
// schema from the local file, used to miss its own DDL (a second
// AutoMigrate failed with "table already exists").
func TestReplicaMigrationsWithoutReadYourWrites(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	rec := newSQLRecorder()
	db := openReplica(t, libsql.Config{URL: srv.URL(), DisableReadYourWrites: true}).Session(&gorm.Session{Logger: rec})
	require.NoError(t, db.AutoMigrate(&mgCompany{}, &mgUser{}, &mgTag{}))
	rec.reset()
	require.NoError(t, db.AutoMigrate(&mgCompany{}, &mgUser{}, &mgTag{}))
	assert.Empty(t, rec.ddl(), "the second AutoMigrate sees the first one's tables")

	require.NoError(t, db.AutoMigrate(&rpDoc{}))
	require.NoError(t, db.AutoMigrate(&rpDocV2{}), "a new indexed column")
	m := db.Migrator()
	assert.True(t, m.HasColumn(&rpDocV2{}, "Rank"))
	assert.True(t, m.HasIndex(&rpDocV2{}, "idx_rp_docs_rank"))

	require.NoError(t, m.AlterColumn(&rpDocV3{}, "Rank"), "text to integer: a table rebuild, in a transaction")
	types, err := m.ColumnTypes(&rpDocV3{})
	require.NoError(t, err)
	for _, ct := range types {
		if ct.Name() == "rank" {
			assert.Equal(t, "integer", strings.ToLower(ct.DatabaseTypeName()))
		}
	}
	require.NoError(t, m.RenameIndex(&rpDocV3{}, "idx_rp_docs_rank", "idx_rp_docs_rank2"), "in a transaction")
	assert.True(t, m.HasIndex(&rpDocV3{}, "idx_rp_docs_rank2"))
	assert.False(t, m.HasIndex(&rpDocV3{}, "idx_rp_docs_rank"))
	rec.reset()
	require.NoError(t, db.AutoMigrate(&rpDocV3{}))
	assert.Equal(t, []string{"CREATE INDEX `idx_rp_docs_rank` ON `rp_docs`(`rank`)"}, rec.ddl(), "only the renamed-away index is missing")
	assert.NotEmpty(t, srv.Query(t, "SELECT name FROM sqlite_master WHERE name = 'idx_rp_docs_rank2'"), "on the primary")
}

// TestReplicaRoundTrips counts the requests a replica sends the primary
// per GORM write (libsql sends Describe and Execute per statement; a sync
// is Hello and BatchLogEntries). With read-your-writes the replica syncs
// once per committed write, not after every statement of a transaction as
// libsql's own read-your-writes would (12 requests for a Create).
func TestReplicaRoundTrips(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	proxy := srv.Proxy(t)
	for _, ryw := range []bool{true, false} {
		db := openReplica(t, libsql.Config{URL: proxy.URL(), DisableReadYourWrites: !ryw})
		require.NoError(t, db.AutoMigrate(&rpEvent{}))
		steps := []struct {
			name       string
			ryw, plain int64
			op         func() error
		}{
			{"Create (BEGIN, INSERT, COMMIT)", 8, 6, func() error { return db.Create(&rpEvent{Name: "tx"}).Error }},
			{"Create, SkipDefaultTransaction", 4, 2, func() error {
				return db.Session(&gorm.Session{SkipDefaultTransaction: true}).Create(&rpEvent{Name: "single"}).Error
			}},
			{"First (local)", 0, 0, func() error { return db.First(&rpEvent{}).Error }},
			{"rolled-back transaction", 6, 6, func() error {
				return db.Transaction(func(tx *gorm.DB) error {
					tx.Create(&rpEvent{Name: "gone"})
					return errors.New("roll back")
				})
			}},
		}
		for _, s := range steps {
			proxy.Reset()
			err := s.op()
			if s.name != "rolled-back transaction" {
				require.NoError(t, err, s.name)
			}
			want := s.plain
			if ryw {
				want = s.ryw
			}
			t.Logf("read-your-writes %v, %s: %d requests %v", ryw, s.name, proxy.Count(), proxy.Requests())
			assert.Equal(t, want, proxy.Count(), "read-your-writes %v, %s", ryw, s.name)
		}
		if ryw {
			assert.EqualValues(t, 1, countEvents(t, db, "single"), "read-your-writes: the write shows locally at once")
		}
	}

	// Sync: true adds nothing to read-your-writes, which syncs already.
	db := openReplica(t, libsql.Config{URL: proxy.URL(), Sync: true})
	proxy.Reset()
	require.NoError(t, db.Create(&rpEvent{Name: "sync and read-your-writes"}).Error)
	assert.EqualValues(t, 8, proxy.Count(), "Create with Sync: true: %v", proxy.Requests())
}

// TestReplicaReadYourWritesSyncFails loses the answer to the sync that
// follows a committed write: the error says the write is committed
// (ErrNotSynced), not that the primary is unavailable, so it is not run
// again; the next sync brings it.
func TestReplicaReadYourWritesSyncFails(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	proxy := srv.Proxy(t)
	db := openReplica(t, libsql.Config{URL: proxy.URL()})
	require.NoError(t, db.AutoMigrate(&rpEvent{}))

	for _, op := range []struct {
		name string
		run  func() error
	}{
		{"autocommit write", func() error {
			return db.Session(&gorm.Session{SkipDefaultTransaction: true}).Create(&rpEvent{Name: "autocommit write"}).Error
		}},
		{"COMMIT", func() error { return db.Create(&rpEvent{Name: "COMMIT"}).Error }},
	} {
		proxy.DropResponsesTo("/BatchLogEntries", 1)
		err := op.run()
		proxy.DropResponses(0)
		require.Error(t, err, op.name)
		t.Logf("%s: %v", op.name, err)
		assert.ErrorIs(t, err, libsql.ErrNotSynced, op.name)
		assert.NotErrorIs(t, err, libsql.ErrPrimaryUnavailable, op.name)
		assert.Contains(t, err.Error(), "committed", op.name)
		assert.Equal(t, [][]any{{int64(1)}}, srv.Query(t, "SELECT count(*) FROM rp_events WHERE name = '"+op.name+"'"), "on the primary, once")
		_, err = libsql.Sync(db)
		require.NoError(t, err)
		assert.EqualValues(t, 1, countEvents(t, db, op.name), "the next sync brings it")
	}
}

func TestReplicaEncryption(t *testing.T) {
	const key = "replica-encryption-key-0123456789abcdef"
	srv := sqldtest.Start(t, sqldtest.Options{})
	path := filepath.Join(t.TempDir(), "enc-replica.db")
	r := openReplica(t, libsql.Config{Database: path, URL: srv.URL(), EncryptionKey: key})
	require.NoError(t, r.AutoMigrate(&rpEvent{}))
	require.NoError(t, r.Create(&rpEvent{Name: "secret event"}).Error)
	sqlDB, _ := r.DB()
	require.NoError(t, sqlDB.Close())

	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.False(t, strings.HasPrefix(string(raw), "SQLite format 3"), "the replica file is encrypted")

	_, err = gorm.Open(libsql.Open(path), &gorm.Config{})
	require.Error(t, err, "unreadable without its key")
	assert.ErrorIs(t, err, libsql.ErrWrongKey)

	// The local layer reads what go-libsql's replica wrote: one format.
	local := openDB(t, libsql.New(libsql.Config{Database: path, EncryptionKey: key, BusyTimeout: 5 * time.Second}), nil)
	assert.EqualValues(t, 1, countEvents(t, local, "secret event"))
	sqlDB, _ = local.DB()
	require.NoError(t, sqlDB.Close())

	_, err = gorm.Open(libsql.New(libsql.Config{Database: path, URL: srv.URL(), EncryptionKey: strings.Repeat("w", 40)}), &gorm.Config{})
	require.Error(t, err)
	assert.ErrorIs(t, err, libsql.ErrWrongKey)
	assert.NotContains(t, err.Error(), strings.Repeat("w", 40))

	again := openReplica(t, libsql.Config{Database: path, URL: srv.URL(), EncryptionKey: key})
	assert.EqualValues(t, 1, countEvents(t, again, "secret event"), "the replica reopens with its key")
	sqlDB, _ = again.DB()
	require.NoError(t, sqlDB.Close())

	// Offline, the key is checked against the local file.
	srv.Stop()
	_, err = gorm.Open(libsql.New(libsql.Config{Database: path, URL: srv.URL(), EncryptionKey: strings.Repeat("w", 40), OfflineOpen: true}), &gorm.Config{})
	require.Error(t, err)
	assert.ErrorIs(t, err, libsql.ErrWrongKey)
	assert.NotContains(t, err.Error(), strings.Repeat("w", 40))
	offline := openReplica(t, libsql.Config{Database: path, URL: srv.URL(), EncryptionKey: key, OfflineOpen: true})
	assert.EqualValues(t, 1, countEvents(t, offline, "secret event"), "the replica opens offline with its key")
}

func TestReplicaFileOpensReadOnlyLocally(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	path := filepath.Join(t.TempDir(), "r.db")
	r := openReplica(t, libsql.Config{Database: path, URL: srv.URL()})
	require.NoError(t, r.AutoMigrate(&rpEvent{}))
	require.NoError(t, r.Create(&rpEvent{Name: "synced"}).Error)

	local := openDB(t, libsql.Open(path), nil)
	assert.EqualValues(t, 1, countEvents(t, local, "synced"), "a replica's file reads locally, offline")
	err := local.Create(&rpEvent{Name: "local write"}).Error
	require.Error(t, err, "a local write would be overwritten by the next sync and can corrupt the file")
	assert.Contains(t, err.Error(), "readonly")

	require.NoError(t, r.Create(&rpEvent{Name: "still replicating"}).Error)
	_, err = libsql.Sync(r)
	require.NoError(t, err)
	assert.EqualValues(t, 1, countEvents(t, r, "still replicating"))
}

func TestReplicaAuth(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{Auth: true})
	r := openReplica(t, libsql.Config{URL: srv.URL(), AuthToken: srv.Token()})
	require.NoError(t, r.AutoMigrate(&rpEvent{}))
	require.NoError(t, r.Create(&rpEvent{Name: "ok"}).Error)

	ro := openReplica(t, libsql.Config{URL: srv.URL(), AuthToken: srv.ReadOnlyToken()})
	assert.EqualValues(t, 1, countEvents(t, ro, "ok"), "a read-only token syncs and reads")
	err := ro.Create(&rpEvent{Name: "denied"}).Error
	require.Error(t, err)
	assert.Contains(t, strings.ToLower(err.Error()), "permission")
	assert.NotContains(t, err.Error(), srv.ReadOnlyToken())

	for name, token := range map[string]string{"forged": srv.ForgedToken(), "missing": "", "expired": srv.ExpiredToken()} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			_, err := gorm.Open(libsql.New(libsql.Config{Database: filepath.Join(t.TempDir(), "r.db"), URL: srv.URL(), AuthToken: token}), &gorm.Config{})
			require.Error(t, err)
			assert.Less(t, time.Since(start), 2*time.Second, "fails fast, not after a handshake timeout")
			assert.True(t, errors.Is(err, libsql.ErrAuthentication), "%v", err)
			assert.Contains(t, err.Error(), "authentication failed")
			if token != "" {
				assert.NotContains(t, err.Error(), token)
			}
		})
	}
}

// TestReplicaOfReplicaServer is the scale-out topology: an embedded replica
// syncing from a second sqld that replicates the primary.
func TestReplicaOfReplicaServer(t *testing.T) {
	primary := sqldtest.Start(t, sqldtest.Options{GRPC: true})
	edge := sqldtest.Start(t, sqldtest.Options{PrimaryGRPCURL: primary.GRPCURL()})
	primary.Exec(t, "CREATE TABLE rp_events (id integer PRIMARY KEY, name text)", "INSERT INTO rp_events (name) VALUES ('on primary')")

	var r *gorm.DB
	eventually(t, func() bool {
		db, err := gorm.Open(libsql.New(libsql.Config{Database: filepath.Join(t.TempDir(), "edge.db"), URL: edge.URL()}), &gorm.Config{})
		if err != nil {
			return false
		}
		var n int64
		if db.Model(&rpEvent{}).Count(&n).Error != nil || n != 1 {
			sqlDB, _ := db.DB()
			sqlDB.Close()
			return false
		}
		r = db
		return true
	}, "the edge server never caught up with the primary")
	t.Cleanup(func() { sqlDB, _ := r.DB(); sqlDB.Close() })

	require.NoError(t, r.Create(&rpEvent{Name: "via edge"}).Error, "writes go through the edge to the primary")
	eventually(t, func() bool {
		rows := primary.Query(t, "SELECT count(*) FROM rp_events WHERE name = 'via edge'")
		return len(rows) == 1 && rows[0][0] == int64(1)
	}, "the write never reached the primary")
}

// TestReplicaReadYourWritesConcurrent: four goroutines write through one
// replica, and each sees its own write locally as soon as it returns.
func TestReplicaReadYourWritesConcurrent(t *testing.T) {
	srv := sqldtest.Start(t, sqldtest.Options{})
	db := openReplica(t, libsql.Config{URL: srv.URL()})
	require.NoError(t, db.AutoMigrate(&rpEvent{}))
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	start := time.Now()
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				name := fmt.Sprintf("g%d-%d", g, i)
				if err := db.Create(&rpEvent{Name: name}).Error; err != nil {
					errs <- err
					continue
				}
				var n int64
				if err := db.Model(&rpEvent{}).Where("name = ?", name).Count(&n).Error; err != nil || n != 1 {
					errs <- fmt.Errorf("%s not visible after its write: %d rows, %v", name, n, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var total int64
	require.NoError(t, db.Model(&rpEvent{}).Count(&total).Error)
	t.Logf("200 creates from 4 goroutines in %v", time.Since(start))
	assert.EqualValues(t, 200, total)
	assert.Equal(t, [][]any{{int64(200)}}, srv.Query(t, "SELECT count(*) FROM rp_events"))
}
