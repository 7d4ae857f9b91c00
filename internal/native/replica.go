package native

import (
	"bytes"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ReplicaOptions configures a ReplicaConnector.
type ReplicaOptions struct {
	// AuthToken is the JWT the primary requires, if any. It never appears
	// in errors.
	AuthToken string
	// EncryptionKey, when set, encrypts the local replica file with Cipher,
	// in the same format as Options.EncryptionKey: NewConnector opens the
	// file with the same key. It never appears in errors.
	EncryptionKey string
	// ReadYourWrites makes a write visible to local reads when it returns:
	// the connection syncs the replica after each statement that commits a
	// write on the primary (an autocommit write, COMMIT). If that sync
	// fails the statement reports an error matching ErrNotSynced: the
	// write is committed. Without it a write is only visible locally after
	// the next Sync (manual or SyncInterval).
	ReadYourWrites bool
	// SyncInterval, when positive, runs Sync in the background at this
	// interval until Close. 0 means no background sync.
	SyncInterval time.Duration
	// OnSyncError receives the errors of background syncs, from the
	// background goroutine. They are never printed; nil drops them.
	OnSyncError func(error)
	// Location is the location of time.Time values read back; nil means UTC.
	Location *time.Location
	// Init holds statements run, in order, on every new connection, like
	// Options.Init. They go where any other statement would go (see
	// ReplicaConnector): in practice PRAGMA foreign_keys = ON is delegated
	// to the primary (it applies to the primary-side connection that runs
	// this connection's writes, the only place it matters), while pragmas
	// libsql does not delegate (journal_mode=..., busy_timeout=..., ...)
	// fail Connect with "unsupported statement". An Init statement that
	// cannot reach the primary does not fail Connect (local reads keep
	// working offline); it is retried before the next statement that goes
	// to the primary, and re-applied after any statement found the primary
	// unreachable (a restarted primary has forgotten it). A primary that
	// restarts unnoticed between two statements of a connection forgets it
	// too: that state lives in the primary's process. (sqld enables
	// foreign keys on its connections by default.)
	Init []string
	// OfflineOpen lets NewReplicaConnector open the replica while the
	// primary cannot be reached, provided the local file is a replica that
	// has synced before: reads are then served from it, while writes,
	// transactions and Sync fail with an error matching
	// ErrPrimaryUnavailable. The connector keeps trying to reach the
	// primary (at each write, Sync and background sync) and, once it
	// answers, works as if it had been reachable at open. Without it, an
	// unreachable primary fails NewReplicaConnector, as it does libsql.
	OfflineOpen bool
}

// Replicated reports the state of the replica after a Sync: FrameNo is the
// frame number of the primary's log the replica has reached, FramesSynced
// the number of frames this Sync applied.
type Replicated struct{ FrameNo, FramesSynced int }

// ErrPrimaryUnavailable is matched by errors.Is for failures to reach the
// primary (connection refused, timeouts, no answer to the replication
// handshake).
var ErrPrimaryUnavailable = errors.New("primary unavailable")

// ErrNotSynced is matched by errors.Is for the error of a write that was
// committed on the primary but that the replica could not sync afterwards
// (ReplicaOptions.ReadYourWrites): do not run it again.
var ErrNotSynced = errors.New("write committed on the primary, but syncing the replica failed")

// ReplicaError is a failure of an embedded replica that is not an error of
// the SQLite engine: the primary could not be reached or refused the
// request, or libsql failed. SQLite errors, local or from the primary, are
// *Error values.
type ReplicaError struct {
	Op          string // "open", "sync", "connect", "exec"
	Msg         string
	Unavailable bool // the primary could not be reached
	Committed   bool // the write was committed; the sync after it failed
}

func (e *ReplicaError) Error() string { return "native: replica " + e.Op + ": " + e.Msg }

// Is matches ErrPrimaryUnavailable when the primary could not be reached,
// and ErrNotSynced when a committed write could not be synced.
func (e *ReplicaError) Is(target error) bool {
	return target == ErrPrimaryUnavailable && e.Unavailable || target == ErrNotSynced && e.Committed
}

var errReplicaClosed = errors.New("native: replica connector is closed")

// ReplicaConnector opens connections to an embedded replica of a libSQL
// primary (driver.Connector): a local database file kept in sync with the
// primary, read locally, with writes delegated to the primary. Use it with
// sql.OpenDB; sql.DB.Close closes it.
//
// Each connection pairs a libsql connection (go-libsql's C API, used
// directly: its Go driver is not) with a private read-only sqlite3
// connection to the local file, opened with the same EncryptionKey. The
// sqlite3 connection splits multi-statement SQL exactly as the engine does
// and tells, for every statement, its parameters and the declared types of
// its result columns. Statements then run:
//
//   - on the sqlite3 connection, outside transactions, when they are
//     read-only queries (SELECT, WITH ... SELECT, VALUES, EXPLAIN): values
//     come back exactly as in Conn (TEXT byte for byte, DATETIME/BOOLEAN
//     columns converted), and a context that ends interrupts them;
//   - on the libsql connection otherwise, which sends writes, pragmas libsql
//     delegates and every statement of a transaction to the primary, and
//     runs the rest locally. Named parameters are rewritten as ?NNN (the C
//     API binds by position only) and result columns take their names and
//     declared types from the local schema, so values convert as in Conn.
//
// When the local schema lags behind the primary (a table created by
// another client and not synced yet) a statement that does not compile
// locally is sent as written, without declared types, and libsql reports
// any error.
//
// Arguments bind as in Conn, except that libsql's C API cannot take a
// string holding a NUL byte or invalid UTF-8, nor hand out TEXT holding a
// NUL byte from the primary: these are errors (*Error, CodeMismatch).
//
// Transactions: BeginTx maps isolation levels like Conn.BeginTx and runs
// BEGIN on the primary, where every statement of the transaction then runs
// (so reads in it see its writes); Commit runs COMMIT there and rolls back
// when COMMIT fails and the transaction is still open. A read-only
// transaction (TxOptions.ReadOnly) is a local snapshot on the sqlite3
// connection; writes in it fail. sqld rolls back a transaction that stays
// open more than about 5 s while another connection waits to write
// ("Transaction timed-out").
//
// Cancellation: libsql calls cannot be interrupted. A context is checked
// before each call to libsql and between rows; a statement already sent to
// the primary runs to completion. Local queries are interrupted as in Conn.
//
// Not supported by libsql on replicas, and reported as errors: VACUUM,
// ANALYZE, ATTACH, CREATE TEMP TABLE, SAVEPOINT outside a transaction,
// PRAGMAs with an argument other than foreign_keys and a few others.
type ReplicaConnector struct {
	path    string
	url     string
	primary *url.URL
	opts    ReplicaOptions
	secrets []string

	mu     sync.RWMutex // guards db against Close
	db     lsDB         // zero while opened offline (OfflineOpen)
	closed bool

	openMu   sync.Mutex   // one attempt at a time to open db after an offline open
	attempts atomic.Int64 // attempts made
	failed   error        // why the last one failed (guarded by openMu)

	logMu   sync.Mutex
	logID   [16]byte      // identity of the primary's log the file replicates
	logSeen bool          // logID has been read
	epoch   atomic.Uint64 // bumped when logID changes (see checkLog)

	syncMu sync.Mutex // one Sync at a time

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// NewReplicaConnector opens the embedded replica at path (a file path,
// created when missing) of the primary at primaryURL (http://, https:// or
// libsql://, the same URL as Hrana over HTTP) and syncs it once. Errors
// never contain the auth token or the encryption key.
//
// A missing, invalid or expired token is reported at once when the
// primary's HTTP API rejects it; otherwise libsql only fails its
// replication handshake after about 3 s.
func NewReplicaConnector(path, primaryURL string, opts ReplicaOptions) (*ReplicaConnector, error) {
	if path == "" {
		return nil, errors.New("native: empty replica path")
	}
	if strings.IndexByte(path, 0) >= 0 || strings.IndexByte(primaryURL, 0) >= 0 ||
		strings.IndexByte(opts.AuthToken, 0) >= 0 || strings.IndexByte(opts.EncryptionKey, 0) >= 0 {
		return nil, errors.New("native: replica path, URL, token and key must not contain NUL bytes")
	}
	if opts.SyncInterval < 0 {
		return nil, fmt.Errorf("native: negative sync interval %v", opts.SyncInterval)
	}
	c := &ReplicaConnector{path: path, url: primaryURL, opts: opts}
	c.opts.Init = append([]string(nil), opts.Init...)
	c.secrets = secretsOf(primaryURL, opts.AuthToken, opts.EncryptionKey)
	u, err := url.Parse(primaryURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "libsql") {
		return nil, fmt.Errorf("native: replica of %q: the primary URL must be http://, https:// or libsql://HOST", c.scrub(primaryURL))
	}
	if err := initLibSQL(); err != nil {
		return nil, fmt.Errorf("native: initializing libsql: %w", err)
	}
	c.primary = u
	if _, err := os.Stat(path); err == nil {
		// Check the key on a read-only connection of our own first: libsql
		// opens an existing file with a wrong key (or none) and can then
		// checkpoint its WAL into it, leaving a file no key opens.
		local, err := c.openLocal(context.Background())
		if err != nil {
			return nil, err
		}
		local.Close()
	}
	db, err := c.open()
	if err != nil && (!opts.OfflineOpen || !errors.Is(err, ErrPrimaryUnavailable) || !hasSynced(path)) {
		return nil, err
	}
	c.db = db
	c.checkLog()
	if opts.SyncInterval > 0 {
		c.stop = make(chan struct{})
		c.done = make(chan struct{})
		go c.background(opts.SyncInterval)
	}
	return c, nil
}

// open opens libsql's database of the replica and syncs it once. A token
// the primary rejects fails at once (probePrimary), at the first open and
// when an offline replica reconnects.
func (c *ReplicaConnector) open() (lsDB, error) {
	if err := probePrimary(c.primary, c.opts.AuthToken); err != nil {
		return lsDB{}, &ReplicaError{Op: "open", Msg: c.scrub(err.Error())}
	}
	db, _, msg := lsOpen(lsOpenConfig{path: c.path, url: c.url, token: c.opts.AuthToken, key: c.opts.EncryptionKey})
	if db.p == nil {
		return lsDB{}, c.openError(msg)
	}
	if _, msg, ok := db.sync(); !ok {
		db.close()
		return lsDB{}, c.openError(msg)
	}
	return db, nil
}

// hasSynced reports whether path is the file of a replica that has synced
// with its primary before (libsql keeps its replication index beside it).
func hasSynced(path string) bool {
	_, err := os.Stat(path)
	_, ierr := os.Stat(path + "-client_wal_index")
	return err == nil && ierr == nil
}

// reconnect opens libsql's database when the replica was opened offline
// and has not reached its primary since. op names the operation that needs
// it, for the error.
func (c *ReplicaConnector) reconnect(op string) error {
	seen := c.attempts.Load()
	c.openMu.Lock()
	defer c.openMu.Unlock()
	c.mu.RLock()
	closed, open := c.closed, c.db.p != nil
	c.mu.RUnlock()
	if closed {
		return errReplicaClosed
	}
	if open {
		return nil
	}
	if c.attempts.Load() != seen {
		// An attempt failed while this caller waited for it: callers
		// arriving together share one attempt (each may take libsql's
		// handshake timeout).
		return c.failed
	}
	db, err := c.open()
	c.attempts.Add(1)
	if err != nil {
		var re *ReplicaError
		if errors.As(err, &re) {
			re.Op = op
		}
		c.failed = err
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		db.close()
		return errReplicaClosed
	}
	c.db = db
	c.checkLog()
	return nil
}

// checkLog reads the identity of the primary's log from libsql's
// replication index beside the file. A new identity means that libsql has
// reset the file to another database (the primary was replaced: recreated,
// restored): the private read connections then hold the schema of the old
// one, which SQLite does not notice when the schema cookies happen to be
// equal, so the epoch is bumped and each connection reopens its own (see
// ReplicaConn.refresh).
func (c *ReplicaConnector) checkLog() {
	f, err := os.Open(c.path + "-client_wal_index")
	if err != nil {
		return
	}
	defer f.Close()
	var id [16]byte
	if _, err := io.ReadFull(f, id[:]); err != nil {
		return
	}
	c.logMu.Lock()
	defer c.logMu.Unlock()
	if c.logSeen && c.logID != id {
		c.epoch.Add(1)
	}
	c.logID, c.logSeen = id, true
}

// connectLibsql opens a libsql connection to the replica; after an offline
// open it first tries to reach the primary when reconnect is set, and
// otherwise returns a zero lsConn while the primary has not been reached.
func (c *ReplicaConnector) connectLibsql(op string, reconnect bool) (lsConn, error) {
	if reconnect {
		if err := c.reconnect(op); err != nil {
			return lsConn{}, err
		}
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return lsConn{}, errReplicaClosed
	}
	if c.db.p == nil {
		return lsConn{}, nil
	}
	ls, msg, ok := c.db.connect()
	if !ok {
		return lsConn{}, convertLibsqlError(op, c.scrub(msg))
	}
	return ls, nil
}

// secretsOf lists the strings errors must not contain.
func secretsOf(rawURL, token, key string) []string {
	var s []string
	for _, v := range []string{token, key} {
		if v != "" {
			s = append(s, v)
		}
	}
	if u, err := url.Parse(rawURL); err == nil {
		if p, ok := u.User.Password(); ok && p != "" {
			s = append(s, p)
		}
		if u.RawQuery != "" {
			s = append(s, u.RawQuery)
		}
	}
	return s
}

// scrub removes the secrets from an error text.
func (c *ReplicaConnector) scrub(s string) string {
	for _, v := range c.secrets {
		s = strings.ReplaceAll(s, v, "[REDACTED]")
	}
	return s
}

// openError describes a failed open or initial sync.
func (c *ReplicaConnector) openError(msg string) error {
	msg = strings.TrimPrefix(msg, "Error opening db path "+c.path+", primary url "+c.url+": ")
	msg = c.scrub(msg)
	switch {
	case strings.Contains(msg, "not a database"):
		what := "the file is encrypted and no encryption key was given, or it is not a database"
		if c.opts.EncryptionKey != "" {
			what = "wrong encryption key, or the file is not a database or is encrypted differently"
		}
		return &Error{Code: CodeNotADB, ExtendedCode: CodeNotADB,
			Msg: fmt.Sprintf("open replica %q: %s (%s)", c.path, what, trimLibsql(msg))}
	case strings.Contains(msg, "Timeout performing handshake"):
		hint := "the primary is unreachable or did not answer"
		if c.opts.AuthToken == "" {
			hint += ", or it requires an auth token"
		} else {
			hint += ", or it rejected the auth token"
		}
		return &ReplicaError{Op: "open", Unavailable: true,
			Msg: fmt.Sprintf("%q: replication handshake with the primary timed out: %s", c.path, hint)}
	}
	e := convertLibsqlError("open", msg)
	if re, ok := e.(*ReplicaError); ok {
		re.Msg = fmt.Sprintf("%q: %s", c.path, re.Msg)
	}
	return e
}

// probePrimary asks the primary's Hrana HTTP API to run an empty pipeline
// with the token, so that a rejected or missing token is reported at once
// and clearly (libsql's replication handshake only times out). Any other
// outcome, including network errors, is left to libsql.
func probePrimary(u *url.URL, token string) error {
	p := *u
	if p.Scheme == "libsql" {
		p.Scheme = "https"
	}
	p.RawQuery, p.Fragment, p.User = "", "", nil
	p.Path = strings.TrimSuffix(p.Path, "/") + "/v2/pipeline"
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.String(), bytes.NewReader([]byte(`{"requests":[]}`)))
	if err != nil {
		return nil
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, Proxy: http.ProxyFromEnvironment}}
	resp, err := client.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden {
		return nil
	}
	what := "the primary rejected the auth token (invalid, expired or signed with another key)"
	if token == "" {
		what = "the primary requires an auth token (ReplicaOptions.AuthToken)"
	}
	detail := strings.TrimSpace(string(body))
	if detail != "" {
		return fmt.Errorf("%s: HTTP %d: %s", what, resp.StatusCode, detail)
	}
	return fmt.Errorf("%s: HTTP %d", what, resp.StatusCode)
}

// background runs Sync every interval until Close.
func (c *ReplicaConnector) background(interval time.Duration) {
	defer close(c.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		if _, err := c.Sync(); err != nil && !errors.Is(err, errReplicaClosed) && c.opts.OnSyncError != nil {
			c.opts.OnSyncError(err)
		}
	}
}

// Sync pulls the frames the primary has and the replica lacks. Syncs are
// serialized; Sync fails with a *ReplicaError after Close. When the
// primary is unreachable it fails after libsql's handshake timeout (about
// 3 s) with an error matching ErrPrimaryUnavailable.
func (c *ReplicaConnector) Sync() (Replicated, error) {
	c.syncMu.Lock()
	defer c.syncMu.Unlock()
	if err := c.reconnect("sync"); err != nil {
		return Replicated{}, err
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return Replicated{}, errReplicaClosed
	}
	rep, msg, ok := c.db.sync()
	if !ok {
		return Replicated{}, c.syncError(msg)
	}
	c.checkLog()
	return rep, nil
}

// catchUp syncs the replica after a write of its own was committed, so that
// local reads show it (ReplicaOptions.ReadYourWrites).
func (c *ReplicaConnector) catchUp() error {
	_, err := c.Sync()
	if err == nil {
		return nil
	}
	msg := err.Error()
	var re *ReplicaError
	if errors.As(err, &re) {
		msg = re.Msg
	}
	return &ReplicaError{Op: "sync", Committed: true,
		Msg: "the write was committed on the primary, but the replica could not sync it: " + msg}
}

func (c *ReplicaConnector) syncError(msg string) error {
	msg = c.scrub(msg)
	if strings.Contains(msg, "Timeout performing handshake") {
		return &ReplicaError{Op: "sync", Unavailable: true,
			Msg: "replication handshake with the primary timed out: the primary is unreachable, or rejected the auth token"}
	}
	return convertLibsqlError("sync", msg)
}

// Connect implements driver.Connector: it connects to the replica, opens
// the private read-only sqlite3 connection to the local file and runs
// ReplicaOptions.Init.
func (c *ReplicaConnector) Connect(ctx context.Context) (driver.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	local, err := c.openLocal(ctx)
	if err != nil {
		return nil, err
	}
	ls, err := c.connectLibsql("connect", false)
	if err != nil {
		local.Close()
		return nil, err
	}
	rc := newReplicaConn(c, ls, local)
	if err := rc.runInit(ctx); err != nil {
		rc.Close()
		return nil, err
	}
	return rc, nil
}

// openLocal opens the private read-only connection to the local file.
func (c *ReplicaConnector) openLocal(ctx context.Context) (*Conn, error) {
	nc, err := NewConnector(c.path, Options{
		ReadOnly:      true,
		EncryptionKey: c.opts.EncryptionKey,
		Location:      c.opts.Location,
		BusyTimeout:   5 * time.Second,
	})
	if err != nil {
		return nil, err
	}
	dc, err := nc.Connect(ctx)
	if err != nil {
		return nil, fmt.Errorf("native: replica %q: opening the local file: %w", c.path, err)
	}
	return dc.(*Conn), nil
}

// Driver implements driver.Connector.
func (c *ReplicaConnector) Driver() driver.Driver { return Driver{} }

// Close stops the background sync (waiting for a sync in progress) and
// closes the replica. It is idempotent; sql.DB.Close calls it after
// closing the connections. Connections still open keep working until
// closed, but Connect and Sync fail. libsql finishes closing its
// connections asynchronously: a connection opened on the file right after
// Close may briefly meet SQLITE_BUSY, which Options.BusyTimeout covers.
func (c *ReplicaConnector) Close() error {
	c.closeOnce.Do(func() {
		if c.stop != nil {
			close(c.stop)
			<-c.done
		}
		c.mu.Lock()
		c.closed = true
		db := c.db
		c.db = lsDB{}
		c.mu.Unlock()
		if db.p != nil {
			db.close()
		}
	})
	return nil
}

var (
	_ driver.Connector = (*ReplicaConnector)(nil)
	_ io.Closer        = (*ReplicaConnector)(nil)
)
