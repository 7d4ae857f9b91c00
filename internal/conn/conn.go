// Package conn turns a connection configuration into a database/sql
// connector for one of libSQL's connection modes and sets up every pooled
// connection before first use. It is the seam between the GORM dialect above
// it and the engines below it: nothing above this package knows which mode a
// database runs in.
package conn

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorm-libsql/libsql/internal/native"
)

// Config describes a local database connection.
type Config struct {
	// Database is a file path, a "file:" URI or ":memory:".
	Database string
	// BusyTimeout is how long a connection waits for a lock.
	BusyTimeout time.Duration
	// EncryptionKey encrypts the file at rest.
	EncryptionKey string
}

// ErrWrongKey reports a database that cannot be read with the key given:
// the key is wrong, a key is missing, or the file is no database.
var ErrWrongKey = errors.New("wrong encryption key, or not a database")

// Local returns a connector for a local database file. Each new connection
// runs in WAL mode (files only) with synchronous=NORMAL and foreign keys on.
// The file of an embedded replica opens read-only.
// ":memory:" becomes one in-memory database shared by every connection of
// the pool, kept alive until the connector is closed.
func Local(cfg Config) (driver.Connector, error) {
	path := cfg.Database
	memory := path == ":memory:"
	init := []string{"PRAGMA foreign_keys = ON", "PRAGMA synchronous = NORMAL"}
	if memory {
		path = fmt.Sprintf("file:/libsql-memory-%d?vfs=memdb", memoryID.Add(1))
	} else if !isMemoryURI(path) {
		init = append([]string{"PRAGMA journal_mode = WAL"}, init...)
	}
	readOnly := isReplicaFile(path)
	if readOnly {
		init = nil // a read-only connection keeps the replica's settings
	}
	c, err := native.NewConnector(path, native.Options{BusyTimeout: cfg.BusyTimeout, Init: init, EncryptionKey: cfg.EncryptionKey, ReadOnly: readOnly})
	if err != nil {
		return nil, err
	}
	if !memory {
		return checked{c}, nil
	}
	return keepAlive(checked{c})
}

// checked makes open errors matchable with errors.Is.
type checked struct{ driver.Connector }

func (c checked) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	var e *native.Error
	if errors.As(err, &e) && e.Code == native.CodeNotADB {
		return nil, fmt.Errorf("libsql: %w: %w", ErrWrongKey, err)
	}
	return conn, err
}

var memoryID atomic.Int64

// isReplicaFile reports whether path is the file of an embedded replica
// (libSQL keeps its replication index beside it). Opened as a plain local
// database it is read-only: a local write would diverge from the primary's
// log, and the next sync would corrupt the file.
func isReplicaFile(path string) bool {
	path = strings.TrimPrefix(path, "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	_, err := os.Stat(path + "-client_wal_index")
	return err == nil
}

func isMemoryURI(path string) bool {
	return strings.Contains(path, "mode=memory") || strings.Contains(path, "vfs=memdb")
}

// keepAlive holds one connection open so that an in-memory database outlives
// the pool's idle connections.
func keepAlive(c driver.Connector) (driver.Connector, error) {
	keeper, err := c.Connect(context.Background())
	if err != nil {
		return nil, err
	}
	return &memoryConnector{Connector: c, keeper: keeper}, nil
}

type memoryConnector struct {
	driver.Connector
	once   sync.Once
	keeper driver.Conn
}

// Close releases the in-memory database.
func (m *memoryConnector) Close() error {
	var err error
	m.once.Do(func() {
		err = m.keeper.Close()
		if closer, ok := m.Connector.(io.Closer); ok {
			err = errors.Join(err, closer.Close())
		}
	})
	return err
}

// ErrorCode returns the SQLite extended result code carried by err, if any.
// Errors of an embedded replica's link to its primary carry the code 0: they
// are no constraint violation, whatever text they quote.
func ErrorCode(err error) (int, bool) {
	var e *native.Error
	if errors.As(err, &e) {
		return e.ExtendedCode, true
	}
	var r *native.ReplicaError
	if errors.As(err, &r) {
		return 0, true
	}
	return 0, false
}
