// Package libsql is a GORM dialect for libSQL and Turso.
//
//	db, err := gorm.Open(libsql.Open("app.db"), &gorm.Config{})
//
// It speaks SQLite's dialect (Name returns "sqlite", so GORM and its plugins
// generate SQLite SQL) and runs on libSQL's engine through a connection layer
// of its own that keeps text as text, runs every statement of a
// multi-statement Exec, honours context cancellation and sets every pooled
// connection up with WAL, synchronous=NORMAL, foreign keys and a busy
// timeout.
//
// # Connection modes
//
// Config (or the DSN given to Open, see ParseDSN) selects one of three modes,
// which share the dialect and the Migrator and differ only in how a
// connection is made:
//
//   - a local file or ":memory:" (Config.Database);
//   - a remote libSQL server or Turso database (Config.URL: libsql://,
//     https://, http://, wss://, ws://), over Hrana in pure Go;
//   - an embedded replica (both): reads run on the local file, writes go to
//     the primary, and Sync, Config.SyncInterval and Config.Sync keep the
//     file up to date; Config.OfflineOpen opens it while the primary is down.
//
// # Beyond GORM
//
// Config.EncryptionKey encrypts the local file at rest (of a local database
// or an embedded replica). Vector, Vector64 and the other vector types store
// embeddings in libSQL's vector columns, a type:vector index tag creates a
// vector index, and package github.com/gorm-libsql/libsql/clause orders by
// distance and finds nearest neighbours. Immediate, Exclusive and ReadOnly are transaction options;
// Batch and BatchTransactional run statement lists; Rows streams a query;
// Info reports a connection's last insert rowid and change counts.
//
// # Errors
//
// With gorm.Config.TranslateError, constraint violations become
// gorm.ErrDuplicatedKey, gorm.ErrForeignKeyViolated and
// gorm.ErrCheckConstraintViolated in every mode. The sentinels of this
// package (ErrInvalidDSN, ErrWrongKey, ErrAuthentication, ErrPermission,
// ErrPrimaryUnavailable, ErrNotSynced, ErrNotReplica, ErrVectorDimensions,
// ...) match with errors.Is, and no error contains a key or token.
package libsql
