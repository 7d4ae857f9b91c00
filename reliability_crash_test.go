package libsql_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gorm-libsql/libsql"
	"github.com/gorm-libsql/libsql/internal/sqldtest"
)

// crashChildEnv switches TestReliabilityCrash into child mode: the value is
// the JSON of a crashChildConfig.
const crashChildEnv = "LIBSQL_RELIABILITY_CRASH_CHILD"

// crashRounds is the number of SIGKILLs per variant.
const crashRounds = 5

// crashRow is one committed transaction of the child: the row itself, and
// crashItemsPerRow crashItem rows and one increment of crashCounter, all in
// the same transaction, so that a half-applied transaction shows.
type crashRow struct {
	ID      uint
	Round   int
	Payload string
}

type crashItem struct {
	ID         uint
	CrashRowID uint `gorm:"index"`
	N          int
}

type crashCounter struct {
	ID uint
	N  int64
}

const crashItemsPerRow = 3

type crashChildConfig struct {
	Database      string
	URL           string
	EncryptionKey string
	Round         int
}

func (c crashChildConfig) libsqlConfig() libsql.Config {
	return libsql.Config{Database: c.Database, URL: c.URL, EncryptionKey: c.EncryptionKey}
}

// TestReliabilityCrash kills a process committing GORM transactions with
// SIGKILL at random moments and checks, after each kill, that the database
// reopens, passes PRAGMA integrity_check, and holds every transaction the
// process reported as committed, whole.
func TestReliabilityCrash(t *testing.T) {
	if raw := os.Getenv(crashChildEnv); raw != "" {
		runCrashChild(raw) // never returns
	}
	const key = "crash-test-encryption-key-0123456789abcdef"
	t.Run("local", func(t *testing.T) {
		runCrashRounds(t, crashChildConfig{Database: filepath.Join(t.TempDir(), "crash.db")}, nil)
	})
	t.Run("encrypted", func(t *testing.T) {
		runCrashRounds(t, crashChildConfig{Database: filepath.Join(t.TempDir(), "crash-enc.db"), EncryptionKey: key}, nil)
	})
	t.Run("replica", func(t *testing.T) {
		srv := sqldtest.Start(t, sqldtest.Options{})
		runCrashRounds(t, crashChildConfig{Database: filepath.Join(t.TempDir(), "crash-replica.db"), URL: srv.URL()}, srv)
	})
}

// runCrashRounds runs crashRounds child processes one after the other on
// the same database and kills each of them.
func runCrashRounds(t *testing.T, cfg crashChildConfig, primary *sqldtest.Server) {
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, seed>>1))
	t.Logf("seed %d", seed)
	var committed []uint
	for round := 1; round <= crashRounds; round++ {
		cfg.Round = round
		delay := time.Duration(50+rng.IntN(351)) * time.Millisecond
		ids := runCrashChildOnce(t, cfg, delay)
		committed = append(committed, ids...)
		t.Logf("round %d: killed after %v, %d transactions reported committed", round, delay, len(ids))
		verifyCrashDatabase(t, cfg, committed, primary)
	}
	require.NotEmpty(t, committed, "the children committed nothing: the test proved nothing")
}

// runCrashChildOnce starts a child, waits until it has opened the database,
// lets it commit for delay, SIGKILLs it and returns the ids it reported.
func runCrashChildOnce(t *testing.T, cfg crashChildConfig, delay time.Duration) []uint {
	t.Helper()
	raw, err := json.Marshal(cfg)
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0], "-test.run=^TestReliabilityCrash$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+string(raw))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() }) // if the test fails before the kill

	var (
		mu    sync.Mutex
		ids   []uint
		ready = make(chan struct{})
		done  = make(chan struct{})
	)
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stdout)
		readyClosed := false
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "ready":
				if !readyClosed {
					close(ready)
					readyClosed = true
				}
			case strings.HasPrefix(line, "committed "):
				id, err := strconv.ParseUint(strings.TrimPrefix(line, "committed "), 10, 64)
				if err == nil {
					mu.Lock()
					ids = append(ids, uint(id))
					mu.Unlock()
				}
			}
		}
	}()

	select {
	case <-ready:
	case <-done:
		_ = cmd.Wait()
		t.Fatalf("the child exited before it was ready: %v\n%s", cmd.ProcessState, stderr.String())
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("the child never got ready\n%s", stderr.String())
	}
	time.Sleep(delay)
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	<-done // everything the child wrote before it died has been read
	err = cmd.Wait()
	status, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	require.True(t, status.Signaled() && status.Signal() == syscall.SIGKILL,
		"the child ended on its own (%v): %v\n%s", err, cmd.ProcessState, stderr.String())
	mu.Lock()
	defer mu.Unlock()
	return ids
}

// verifyCrashDatabase reopens the database (the primary too, for a
// replica) and checks its integrity and that every committed id is there,
// with its items and counter increment.
func verifyCrashDatabase(t *testing.T, cfg crashChildConfig, committed []uint, primary *sqldtest.Server) {
	t.Helper()
	if cfg.EncryptionKey != "" {
		// A mistyped key right after the crash, with the WAL still full,
		// must not cost the database.
		wrong := cfg.libsqlConfig()
		wrong.EncryptionKey = strings.Repeat("x", len(cfg.EncryptionKey))
		_, err := gorm.Open(libsql.New(wrong), &gorm.Config{Logger: logger.Discard})
		require.ErrorIs(t, err, libsql.ErrWrongKey)
	}
	db, err := gorm.Open(libsql.New(cfg.libsqlConfig()), &gorm.Config{Logger: logger.Discard})
	require.NoError(t, err, "the database reopens after SIGKILL")
	defer func() {
		sqlDB, _ := db.DB()
		_ = sqlDB.Close()
	}()

	var check []string
	require.NoError(t, db.Raw("PRAGMA integrity_check").Scan(&check).Error)
	require.Equal(t, []string{"ok"}, check, "PRAGMA integrity_check")

	var ids []uint
	require.NoError(t, db.Model(&crashRow{}).Order("id").Pluck("id", &ids).Error)
	assertAllPresent(t, "local file", committed, ids)
	var items, counter int64
	require.NoError(t, db.Model(&crashItem{}).Count(&items).Error)
	require.NoError(t, db.Model(&crashCounter{}).Select("n").Where("id = 1").Scan(&counter).Error)
	assert.EqualValues(t, int64(len(ids))*crashItemsPerRow, items, "every transaction is whole: items")
	assert.EqualValues(t, len(ids), counter, "every transaction is whole: counter")

	if primary == nil {
		return
	}
	rows := primary.Query(t, "SELECT id FROM crash_rows ORDER BY id")
	onPrimary := make([]uint, 0, len(rows))
	for _, r := range rows {
		onPrimary = append(onPrimary, uint(r[0].(int64)))
	}
	assertAllPresent(t, "primary", committed, onPrimary)
	c := primary.Query(t, "SELECT (SELECT count(*) FROM crash_items), (SELECT n FROM crash_counters WHERE id = 1)")
	assert.Equal(t, []any{int64(len(onPrimary)) * crashItemsPerRow, int64(len(onPrimary))}, c[0], "every transaction is whole on the primary")
}

func assertAllPresent(t *testing.T, where string, committed, present []uint) {
	t.Helper()
	have := make(map[uint]bool, len(present))
	for _, id := range present {
		have[id] = true
	}
	var missing []uint
	for _, id := range committed {
		if !have[id] {
			missing = append(missing, id)
		}
	}
	assert.Empty(t, missing, "%s: transactions reported committed but missing after SIGKILL", where)
}

// runCrashChild is the child process: it commits transactions until it is
// killed, printing "committed <id>" after each Commit returns.
func runCrashChild(raw string) {
	fail := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "crash child: "+format+"\n", args...)
		os.Exit(3)
	}
	var cfg crashChildConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		fail("config: %v", err)
	}
	db, err := gorm.Open(libsql.New(cfg.libsqlConfig()), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		fail("open: %v", err)
	}
	if err := db.AutoMigrate(&crashRow{}, &crashItem{}, &crashCounter{}); err != nil {
		fail("migrate: %v", err)
	}
	if err := db.Exec("INSERT OR IGNORE INTO crash_counters (id, n) VALUES (1, 0)").Error; err != nil {
		fail("counter: %v", err)
	}
	out := bufio.NewWriter(os.Stdout)
	say := func(line string) {
		out.WriteString(line)
		out.WriteByte('\n')
		if err := out.Flush(); err != nil {
			os.Exit(4)
		}
	}
	say("ready")
	payload := strings.Repeat("p", 512) // a few pages per transaction
	for {
		row := crashRow{Round: cfg.Round, Payload: payload}
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
			items := make([]crashItem, crashItemsPerRow)
			for i := range items {
				items[i] = crashItem{CrashRowID: row.ID, N: i}
			}
			if err := tx.Create(&items).Error; err != nil {
				return err
			}
			return tx.Model(&crashCounter{}).Where("id = 1").Update("n", gorm.Expr("n + 1")).Error
		})
		if err != nil {
			fail("transaction: %v", err)
		}
		say("committed " + strconv.FormatUint(uint64(row.ID), 10))
	}
}
