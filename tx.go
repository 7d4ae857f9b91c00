package libsql

import "database/sql"

// Transaction options for db.Transaction(fn, opts) and db.Begin(opts).
// SQLite's transactions are serializable in every mode; the modes differ in
// when they take the write lock:
//
//	db.Transaction(fn)                      // BEGIN (DEFERRED): the lock is taken by the first write
//	db.Transaction(fn, libsql.Immediate())  // BEGIN IMMEDIATE: the write lock now, so no later "database is locked"
//	db.Transaction(fn, libsql.Exclusive())  // BEGIN EXCLUSIVE
//	db.Transaction(fn, libsql.ReadOnly())   // writes fail ("attempt to write a readonly database")
//
// They map onto sql.TxOptions: LevelDefault and LevelSerializable begin a
// deferred transaction, LevelWriteCommitted an immediate one and
// LevelLinearizable an exclusive one; other levels are refused.

// Immediate returns options for a transaction that takes the write lock when
// it begins (BEGIN IMMEDIATE).
func Immediate() *sql.TxOptions { return &sql.TxOptions{Isolation: sql.LevelWriteCommitted} }

// Exclusive returns options for a BEGIN EXCLUSIVE transaction.
func Exclusive() *sql.TxOptions { return &sql.TxOptions{Isolation: sql.LevelLinearizable} }

// ReadOnly returns options for a read-only transaction.
func ReadOnly() *sql.TxOptions { return &sql.TxOptions{ReadOnly: true} }
