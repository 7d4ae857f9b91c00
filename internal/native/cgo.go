package native

// This file holds all of the package's cgo: the sqlite3 prototypes it needs
// (libsql_experimental.a, linked by go-libsql, exports them; there is no
// sqlite3.h on the build machines), a few small C helpers that batch work into
// a single cgo call, and thin Go wrappers. Everything else in the package is
// plain Go on top of these wrappers.

/*
#include <stdint.h>
#include <string.h>

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;
typedef long long sqlite3_int64;
typedef unsigned long long sqlite3_uint64;

#define SQLITE_OK        0
#define SQLITE_ROW       100
#define SQLITE_DONE      101
#define SQLITE_INTEGER   1
#define SQLITE_FLOAT     2
#define SQLITE_TEXT      3
#define SQLITE_BLOB      4
#define SQLITE_NULL      5
#define SQLITE_STMTSTATUS_REPREPARE 5
#define SQLITE_TRANSIENT ((void (*)(void *))-1)

int sqlite3_open_v2(const char *filename, sqlite3 **ppDb, int flags, const char *zVfs);
int sqlite3_close_v2(sqlite3 *db);
int sqlite3_extended_result_codes(sqlite3 *db, int onoff);
int sqlite3_busy_timeout(sqlite3 *db, int ms);
int sqlite3_db_config(sqlite3 *db, int op, ...);
void sqlite3_progress_handler(sqlite3 *db, int nOps, int (*xProgress)(void *), void *pArg);
void sqlite3_interrupt(sqlite3 *db);
int sqlite3_get_autocommit(sqlite3 *db);
sqlite3_int64 sqlite3_changes64(sqlite3 *db);
sqlite3_int64 sqlite3_total_changes64(sqlite3 *db);
sqlite3_int64 sqlite3_last_insert_rowid(sqlite3 *db);
int sqlite3_errcode(sqlite3 *db);
int sqlite3_extended_errcode(sqlite3 *db);
const char *sqlite3_errmsg(sqlite3 *db);
const char *sqlite3_errstr(int rc);
int sqlite3_prepare_v3(sqlite3 *db, const char *zSql, int nByte, unsigned int prepFlags,
                       sqlite3_stmt **ppStmt, const char **pzTail);
int sqlite3_finalize(sqlite3_stmt *pStmt);
int sqlite3_reset(sqlite3_stmt *pStmt);
int sqlite3_clear_bindings(sqlite3_stmt *pStmt);
int sqlite3_step(sqlite3_stmt *pStmt);
int sqlite3_stmt_status(sqlite3_stmt *pStmt, int op, int resetFlg);
int sqlite3_bind_parameter_count(sqlite3_stmt *pStmt);
int sqlite3_bind_parameter_index(sqlite3_stmt *pStmt, const char *zName);
int sqlite3_bind_null(sqlite3_stmt *pStmt, int i);
int sqlite3_bind_int64(sqlite3_stmt *pStmt, int i, sqlite3_int64 v);
int sqlite3_bind_double(sqlite3_stmt *pStmt, int i, double v);
int sqlite3_bind_text(sqlite3_stmt *pStmt, int i, const char *p, int n, void (*xDel)(void *));
int sqlite3_bind_blob(sqlite3_stmt *pStmt, int i, const void *p, int n, void (*xDel)(void *));
int sqlite3_bind_zeroblob(sqlite3_stmt *pStmt, int i, int n);
int sqlite3_column_count(sqlite3_stmt *pStmt);
int sqlite3_data_count(sqlite3_stmt *pStmt);
const char *sqlite3_column_name(sqlite3_stmt *pStmt, int i);
const char *sqlite3_column_decltype(sqlite3_stmt *pStmt, int i);
const char *sqlite3_column_database_name(sqlite3_stmt *pStmt, int i);
const char *sqlite3_column_table_name(sqlite3_stmt *pStmt, int i);
const char *sqlite3_column_origin_name(sqlite3_stmt *pStmt, int i);
int sqlite3_column_type(sqlite3_stmt *pStmt, int i);
sqlite3_int64 sqlite3_column_int64(sqlite3_stmt *pStmt, int i);
double sqlite3_column_double(sqlite3_stmt *pStmt, int i);
const unsigned char *sqlite3_column_text(sqlite3_stmt *pStmt, int i);
const void *sqlite3_column_blob(sqlite3_stmt *pStmt, int i);
int sqlite3_column_bytes(sqlite3_stmt *pStmt, int i);
int sqlite3_table_column_metadata(sqlite3 *db, const char *zDbName, const char *zTableName,
                                  const char *zColumnName, char const **pzDataType,
                                  char const **pzCollSeq, int *pNotNull, int *pPrimaryKey,
                                  int *pAutoinc);
void *sqlite3_malloc64(sqlite3_uint64 n);
void sqlite3_free(void *p);
sqlite3_int64 sqlite3_memory_used(void);

// native_conn is per-connection scratch space in C memory. Out-parameters of
// the helpers below land here, so that cgo calls need no Go allocations, and
// the cancel flag read by the progress handler lives here.
typedef struct {
	int cancel;
	int tail;
	int reprepare;
	int notnull;
	sqlite3_stmt *stmt;
	sqlite3_int64 changes;
	sqlite3_int64 lastid;
} native_conn;

// native_col receives one column of the current row.
typedef struct {
	sqlite3_int64 i;
	double f;
	const void *p;
	int n;
	int kind;
} native_col;

static int native_progress(void *p) {
	return __atomic_load_n(&((native_conn *)p)->cancel, __ATOMIC_RELAXED);
}

static void native_install_progress(sqlite3 *db, native_conn *cc) {
	sqlite3_progress_handler(db, 1000, native_progress, cc);
}

// native_ckpt_on_close sets whether closing db may checkpoint the WAL
// (SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE; sqlite3_db_config is variadic, which
// cgo cannot call).
static void native_ckpt_on_close(sqlite3 *db, int on) {
	sqlite3_db_config(db, 1006, !on, (int *)0);
}

// native_cancel makes the statements running on db stop: the flag covers a
// statement that is just about to start (sqlite3_step clears the interrupt
// flag when no statement is active), sqlite3_interrupt the long single
// opcodes that never reach the progress handler.
static void native_cancel(sqlite3 *db, native_conn *cc) {
	__atomic_store_n(&cc->cancel, 1, __ATOMIC_RELAXED);
	sqlite3_interrupt(db);
}

static int native_prepare(sqlite3 *db, native_conn *cc, const char *sql, int n, unsigned int flags) {
	const char *tail = 0;
	cc->stmt = 0;
	int rc = sqlite3_prepare_v3(db, sql, n, flags, &cc->stmt, &tail);
	cc->tail = tail ? (int)(tail - sql) : n;
	return rc;
}

static int native_bind_text(sqlite3_stmt *s, int i, const char *p, int n) {
	return sqlite3_bind_text(s, i, n ? p : "", n, SQLITE_TRANSIENT);
}

static int native_bind_blob(sqlite3_stmt *s, int i, const void *p, int n) {
	if (n == 0) return sqlite3_bind_zeroblob(s, i, 0);
	return sqlite3_bind_blob(s, i, p, n, SQLITE_TRANSIENT);
}

static void native_reset(sqlite3_stmt *s) {
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

// native_exec steps s to completion, discarding rows. On success it records
// the rows changed by s (0 unless the statement itself changed rows) and the
// last insert rowid, and resets s; on failure it leaves s as is so that the
// caller can read the error first.
static int native_exec(sqlite3 *db, native_conn *cc, sqlite3_stmt *s) {
	sqlite3_int64 before = sqlite3_total_changes64(db);
	int rc;
	do {
		rc = sqlite3_step(s);
	} while (rc == SQLITE_ROW);
	if (rc != SQLITE_DONE) return rc;
	cc->changes = sqlite3_total_changes64(db) != before ? sqlite3_changes64(db) : 0;
	cc->lastid = sqlite3_last_insert_rowid(db);
	native_reset(s);
	return rc;
}

static void native_fetch(sqlite3_stmt *s, native_col *cols, int n) {
	int dc = sqlite3_data_count(s);
	for (int i = dc; i < n; i++) cols[i].kind = SQLITE_NULL;
	if (n > dc) n = dc;
	for (int i = 0; i < n; i++) {
		native_col *c = &cols[i];
		int t = sqlite3_column_type(s, i);
		c->kind = t;
		switch (t) {
		case SQLITE_INTEGER:
			c->i = sqlite3_column_int64(s, i);
			break;
		case SQLITE_FLOAT:
			c->f = sqlite3_column_double(s, i);
			break;
		case SQLITE_TEXT:
			c->p = sqlite3_column_text(s, i);
			c->n = sqlite3_column_bytes(s, i);
			break;
		case SQLITE_BLOB:
			c->p = sqlite3_column_blob(s, i);
			c->n = sqlite3_column_bytes(s, i);
			break;
		}
	}
}

// native_step_row steps s and, on SQLITE_ROW, fills cols[0..n) with the row.
static int native_step_row(sqlite3_stmt *s, native_col *cols, int n) {
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) native_fetch(s, cols, n);
	return rc;
}

// native_step_first steps s once and records its re-prepare counter, so the
// caller can notice a schema change that altered the result columns.
static int native_step_first(native_conn *cc, sqlite3_stmt *s) {
	int rc = sqlite3_step(s);
	cc->reprepare = sqlite3_stmt_status(s, SQLITE_STMTSTATUS_REPREPARE, 0);
	return rc;
}

static int native_reprepare_count(sqlite3_stmt *s) {
	return sqlite3_stmt_status(s, SQLITE_STMTSTATUS_REPREPARE, 0);
}

// native_notnull reports in cc->notnull whether result column i of s comes
// straight from a NOT NULL table column; it returns 0 when that is unknown.
static int native_notnull(sqlite3 *db, native_conn *cc, sqlite3_stmt *s, int i) {
	const char *dbn = sqlite3_column_database_name(s, i);
	const char *tbl = sqlite3_column_table_name(s, i);
	const char *col = sqlite3_column_origin_name(s, i);
	if (!dbn || !tbl || !col) return 0;
	int notnull = 0, pk = 0, autoinc = 0;
	if (sqlite3_table_column_metadata(db, dbn, tbl, col, 0, 0, &notnull, &pk, &autoinc) != SQLITE_OK) return 0;
	cc->notnull = notnull;
	return 1;
}
*/
import "C"

import (
	"database/sql"
	"sync"
	"unsafe"

	_ "github.com/tursodatabase/go-libsql" // links libsql_experimental.a, which provides sqlite3_*
)

// Result codes and flags used by the Go side.
const (
	rcOK        = 0
	rcInterrupt = 9
	rcCantOpen  = 14
	rcRange     = 25
	rcRow       = 100
	rcDone      = 101

	colInteger = C.SQLITE_INTEGER
	colFloat   = C.SQLITE_FLOAT
	colText    = C.SQLITE_TEXT
	colBlob    = C.SQLITE_BLOB

	openReadOnly  = 0x00000001
	openReadWrite = 0x00000002
	openCreate    = 0x00000004
	openURI       = 0x00000040
	openNoMutex   = 0x00008000

	preparePersistent = 0x01
)

var (
	libsqlOnce sync.Once
	libsqlErr  error
)

// initLibSQL lets go-libsql open and connect once before this package makes
// its first sqlite3_* call. libsql configures the engine's threading mode
// then; calling the C API first makes libsql's Rust code panic later.
func initLibSQL() error {
	libsqlOnce.Do(func() {
		db, err := sql.Open("libsql", ":memory:")
		if err != nil {
			libsqlErr = err
			return
		}
		if err := db.Ping(); err != nil {
			db.Close()
			libsqlErr = err
			return
		}
		libsqlErr = db.Close()
	})
	return libsqlErr
}

// cString copies s into memory from sqlite3_malloc64 (so that it is counted
// by sqlite3_memory_used); free it with cFree.
func cString(s string) *C.char {
	p := (*C.char)(C.sqlite3_malloc64(C.sqlite3_uint64(len(s) + 1)))
	if p == nil {
		panic("native: out of C memory")
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(p)), len(s)+1)
	copy(b, s)
	b[len(s)] = 0
	return p
}

func cFree(p unsafe.Pointer) { C.sqlite3_free(p) }

// memoryUsed returns sqlite3_memory_used(): bytes currently allocated by the
// engine and by this package's C allocations.
func memoryUsed() int64 { return int64(C.sqlite3_memory_used()) }

// sqlStmt is sqlite3_stmt, for the files that do not import "C".
type sqlStmt = C.sqlite3_stmt

// cchar is C's char, for the files that do not import "C".
type cchar = C.char

// cdb is an open sqlite3 handle with its C scratch space.
type cdb struct {
	db *C.sqlite3
	cc *C.native_conn
}

// openDB opens path. On failure it returns the result code, the engine's
// message and no handle: the half-open handle sqlite3 may return is closed.
func openDB(path string, flags int) (cdb, int, string) {
	cpath := cString(path)
	defer cFree(unsafe.Pointer(cpath))
	var db *C.sqlite3
	rc := C.sqlite3_open_v2(cpath, &db, C.int(flags), nil)
	if rc != rcOK {
		msg := C.GoString(C.sqlite3_errstr(rc))
		if db != nil {
			msg = C.GoString(C.sqlite3_errmsg(db))
			C.sqlite3_close_v2(db)
		}
		return cdb{}, int(rc), msg
	}
	cc := (*C.native_conn)(C.sqlite3_malloc64(C.sqlite3_uint64(unsafe.Sizeof(C.native_conn{}))))
	if cc == nil {
		C.sqlite3_close_v2(db)
		return cdb{}, 7, "out of memory"
	}
	*cc = C.native_conn{}
	C.sqlite3_extended_result_codes(db, 1)
	C.native_install_progress(db, cc)
	// Until the connection has proved it reads the file (the right key),
	// closing it must not checkpoint: with a wrong key the checkpoint
	// rewrites the WAL's pages into the file as garbage.
	C.native_ckpt_on_close(db, 0)
	return cdb{db: db, cc: cc}, rcOK, ""
}

// allowCheckpointOnClose lets closing the connection checkpoint the WAL
// again, once it has read the file.
func (d cdb) allowCheckpointOnClose() { C.native_ckpt_on_close(d.db, 1) }

// close closes the handle (all statements must be finalized) and frees the
// scratch space.
func (d cdb) close() int {
	rc := C.sqlite3_close_v2(d.db)
	cFree(unsafe.Pointer(d.cc))
	return int(rc)
}

func (d cdb) setBusyTimeout(ms int) { C.sqlite3_busy_timeout(d.db, C.int(ms)) }
func (d cdb) cancel()               { C.native_cancel(d.db, d.cc) }
func (d cdb) cancelFlag() *int32    { return (*int32)(unsafe.Pointer(&d.cc.cancel)) }
func (d cdb) autocommit() bool      { return C.sqlite3_get_autocommit(d.db) != 0 }
func (d cdb) changes() int64        { return int64(C.sqlite3_changes64(d.db)) }
func (d cdb) totalChanges() int64   { return int64(C.sqlite3_total_changes64(d.db)) }
func (d cdb) lastInsertRowID() int64 {
	return int64(C.sqlite3_last_insert_rowid(d.db))
}

// errInfo returns the extended code, the primary code of the last error
// recorded on the handle, and its message.
func (d cdb) errInfo() (ext, primary int, msg string) {
	return int(C.sqlite3_extended_errcode(d.db)), int(C.sqlite3_errcode(d.db)) & 0xff,
		C.GoString(C.sqlite3_errmsg(d.db))
}

func errstr(rc int) string { return C.GoString(C.sqlite3_errstr(C.int(rc))) }

// prepare compiles the first statement of the n bytes at sql+off. It
// returns the statement (nil for an empty or comment-only text), the length
// of the text it used and the result code.
func (d cdb) prepare(sql *C.char, off, n int, persistent bool) (*C.sqlite3_stmt, int, int) {
	var flags C.uint
	if persistent {
		flags = preparePersistent
	}
	rc := C.native_prepare(d.db, d.cc, (*C.char)(unsafe.Add(unsafe.Pointer(sql), off)), C.int(n), flags)
	return d.cc.stmt, int(d.cc.tail), int(rc)
}

// exec steps s to completion; on success it returns the rows s changed and
// the last insert rowid, and s has been reset.
func (d cdb) exec(s *C.sqlite3_stmt) (changes, lastID int64, rc int) {
	rc = int(C.native_exec(d.db, d.cc, s))
	if rc == rcDone {
		return int64(d.cc.changes), int64(d.cc.lastid), rc
	}
	return 0, 0, rc
}

// stepFirst steps s once and returns the result code and s's re-prepare
// counter.
func (d cdb) stepFirst(s *C.sqlite3_stmt) (rc, reprepare int) {
	rc = int(C.native_step_first(d.cc, s))
	return rc, int(d.cc.reprepare)
}

// notNull reports whether column i of s is declared NOT NULL in its table;
// ok is false for expressions and when the engine cannot tell.
func (d cdb) notNull(s *C.sqlite3_stmt, i int) (notNull, ok bool) {
	if C.native_notnull(d.db, d.cc, s, C.int(i)) == 0 {
		return false, false
	}
	return d.cc.notnull != 0, true
}

func stmtFinalize(s *C.sqlite3_stmt) { C.sqlite3_finalize(s) }
func stmtReset(s *C.sqlite3_stmt)    { C.native_reset(s) }
func stmtParamCount(s *C.sqlite3_stmt) int {
	return int(C.sqlite3_bind_parameter_count(s))
}
func stmtColumnCount(s *C.sqlite3_stmt) int { return int(C.sqlite3_column_count(s)) }
func stmtReprepareCount(s *C.sqlite3_stmt) int {
	return int(C.native_reprepare_count(s))
}

// stmtColumnMeta returns the name and declared type ("" when none) of
// column i.
func stmtColumnMeta(s *C.sqlite3_stmt, i int) (name, decltype string) {
	name = C.GoString(C.sqlite3_column_name(s, C.int(i)))
	if p := C.sqlite3_column_decltype(s, C.int(i)); p != nil {
		decltype = C.GoString(p)
	}
	return name, decltype
}

// stmtParamIndex returns the index of the parameter called name (with its
// prefix), or 0.
func stmtParamIndex(s *C.sqlite3_stmt, name string) int {
	cname := cString(name)
	defer cFree(unsafe.Pointer(cname))
	return int(C.sqlite3_bind_parameter_index(s, cname))
}

func bindNull(s *C.sqlite3_stmt, i int) int { return int(C.sqlite3_bind_null(s, C.int(i))) }
func bindInt64(s *C.sqlite3_stmt, i int, v int64) int {
	return int(C.sqlite3_bind_int64(s, C.int(i), C.sqlite3_int64(v)))
}
func bindDouble(s *C.sqlite3_stmt, i int, v float64) int {
	return int(C.sqlite3_bind_double(s, C.int(i), C.double(v)))
}

// bindText binds v as TEXT. sqlite copies the bytes (SQLITE_TRANSIENT)
// before returning, so passing Go memory is safe.
func bindText(s *C.sqlite3_stmt, i int, v string) int {
	return int(C.native_bind_text(s, C.int(i), (*C.char)(unsafe.Pointer(unsafe.StringData(v))), C.int(len(v))))
}

// bindBytes binds v (non-nil) as a BLOB; an empty slice binds a zero-length
// blob, not NULL.
func bindBytes(s *C.sqlite3_stmt, i int, v []byte) int {
	return int(C.native_bind_blob(s, C.int(i), unsafe.Pointer(unsafe.SliceData(v)), C.int(len(v))))
}

// colBuf is a C array receiving one row.
type colBuf struct {
	p    *C.native_col
	cols []C.native_col
}

func newColBuf(n int) colBuf {
	if n == 0 {
		return colBuf{}
	}
	p := (*C.native_col)(C.sqlite3_malloc64(C.sqlite3_uint64(uintptr(n) * unsafe.Sizeof(C.native_col{}))))
	if p == nil {
		panic("native: out of C memory")
	}
	cols := unsafe.Slice(p, n)
	clear(cols)
	return colBuf{p: p, cols: cols}
}

func (b *colBuf) free() {
	if b.p != nil {
		cFree(unsafe.Pointer(b.p))
	}
	*b = colBuf{}
}

// stepRow steps s and on SQLITE_ROW fills the buffer with the row.
func (b *colBuf) stepRow(s *C.sqlite3_stmt) int {
	return int(C.native_step_row(s, b.p, C.int(len(b.cols))))
}

// fetch fills the buffer with the current row of s.
func (b *colBuf) fetch(s *C.sqlite3_stmt) { C.native_fetch(s, b.p, C.int(len(b.cols))) }

// col gives the Go side read access to one fetched column.
func (b *colBuf) col(i int) (kind int, iv int64, fv float64, p unsafe.Pointer, n int) {
	c := &b.cols[i]
	return int(c.kind), int64(c.i), float64(c.f), unsafe.Pointer(c.p), int(c.n)
}
