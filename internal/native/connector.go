package native

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"time"
)

// DefaultStmtCacheSize is the number of prepared statements cached per
// connection when Options.StmtCacheSize is 0.
const DefaultStmtCacheSize = 64

// Options configures every connection a Connector opens.
type Options struct {
	// BusyTimeout is how long a statement waits for a lock held by another
	// connection before failing with SQLITE_BUSY (sqlite3_busy_timeout).
	// 0 means no waiting.
	BusyTimeout time.Duration
	// Init holds statements run, in order, on every new connection before
	// its first use, e.g. "PRAGMA journal_mode=WAL". Rows they return are
	// discarded; an error fails Connect.
	Init []string
	// ReadOnly opens the database read-only (SQLITE_OPEN_READONLY).
	ReadOnly bool
	// Location is the location of time.Time values read back; nil means UTC.
	Location *time.Location
	// EncryptionKey, when set, encrypts the database file with Cipher. It is
	// applied before anything else runs on a new connection, and checked by
	// reading the schema; no error contains it.
	EncryptionKey string
	// StmtCacheSize is the number of prepared statements cached per
	// connection: 0 means DefaultStmtCacheSize, a negative value disables
	// the cache.
	StmtCacheSize int
}

// Connector opens connections to one database (driver.Connector). Use it
// with sql.OpenDB.
type Connector struct {
	path string
	opts Options
}

// NewConnector returns a Connector for path: a file path, a "file:" URI or
// ":memory:" (every connection then has its own, empty, database). It only
// checks its arguments; Connect opens the database.
func NewConnector(path string, opts Options) (*Connector, error) {
	if path == "" {
		return nil, errors.New("native: empty database path")
	}
	if opts.BusyTimeout < 0 {
		return nil, fmt.Errorf("native: negative busy timeout %v", opts.BusyTimeout)
	}
	opts.Init = append([]string(nil), opts.Init...)
	return &Connector{path: path, opts: opts}, nil
}

// Connect implements driver.Connector. It opens the database with
// SQLITE_OPEN_READWRITE|SQLITE_OPEN_CREATE (SQLITE_OPEN_READONLY with
// Options.ReadOnly), SQLITE_OPEN_URI and SQLITE_OPEN_NOMUTEX, sets the busy
// timeout and runs Options.Init. Failures are *Error values naming the path.
func (c *Connector) Connect(ctx context.Context) (driver.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := initLibSQL(); err != nil {
		return nil, fmt.Errorf("native: initializing libsql: %w", err)
	}
	flags := openURI | openNoMutex
	if c.opts.ReadOnly {
		flags |= openReadOnly
	} else {
		flags |= openReadWrite | openCreate
	}
	d, rc, msg := openDB(c.path, flags)
	if rc != rcOK {
		return nil, openError(c.path, rc, msg)
	}
	d.setBusyTimeout(busyMillis(c.opts.BusyTimeout))
	conn := newConn(d, &c.opts)
	if c.opts.EncryptionKey != "" {
		if err := conn.applyKey(ctx, c.path, c.opts.EncryptionKey); err != nil {
			conn.Close()
			return nil, err
		}
	} else if err := conn.checkReadable(ctx, c.path); err != nil {
		conn.Close()
		return nil, err
	}
	conn.d.allowCheckpointOnClose()
	for _, q := range c.opts.Init {
		stop := conn.watch(ctx)
		_, err := conn.exec(ctx, q, nil)
		conn.unwatch(stop)
		if err != nil {
			conn.Close()
			var e *Error
			if errors.As(err, &e) {
				return nil, &Error{Code: e.Code, ExtendedCode: e.ExtendedCode, Msg: fmt.Sprintf("open %q: init statement %q: %s", c.path, q, e.Msg)}
			}
			return nil, fmt.Errorf("native: open %q: init statement %q: %w", c.path, q, err)
		}
	}
	return conn, nil
}

// Driver implements driver.Connector.
func (c *Connector) Driver() driver.Driver { return Driver{} }

func busyMillis(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	ms := (d + time.Millisecond - 1) / time.Millisecond
	if ms > math.MaxInt32 {
		return math.MaxInt32
	}
	return int(ms)
}

// Driver is the package's driver.Driver. It is not registered with
// database/sql; open databases with sql.OpenDB(NewConnector(...)).
type Driver struct{}

// Open implements driver.Driver: name is a path as for NewConnector, opened
// with zero Options.
func (Driver) Open(name string) (driver.Conn, error) {
	c, err := NewConnector(name, Options{})
	if err != nil {
		return nil, err
	}
	return c.Connect(context.Background())
}

// OpenConnector implements driver.DriverContext.
func (Driver) OpenConnector(name string) (driver.Connector, error) {
	return NewConnector(name, Options{})
}
