package native

// This file holds the cgo of the embedded-replica support: the libsql_*
// prototypes of go-libsql's libsql.h (copied here, as there is no include
// path to another module), the few sqlite3_* functions the replica parser
// needs beyond cgo.go's, small C helpers that batch work into one cgo call,
// and thin Go wrappers. Every string or blob libsql hands out is freed here
// (libsql_free_string, libsql_free_blob), on every path.

/*
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;
typedef unsigned long long sqlite3_uint64;

void *sqlite3_malloc64(sqlite3_uint64 n);

int sqlite3_prepare_v3(sqlite3 *db, const char *zSql, int nByte, unsigned int prepFlags,
                       sqlite3_stmt **ppStmt, const char **pzTail);
int sqlite3_finalize(sqlite3_stmt *pStmt);
int sqlite3_bind_parameter_count(sqlite3_stmt *pStmt);
const char *sqlite3_bind_parameter_name(sqlite3_stmt *pStmt, int i);
int sqlite3_stmt_readonly(sqlite3_stmt *pStmt);
int sqlite3_column_count(sqlite3_stmt *pStmt);
int sqlite3_complete(const char *sql);
int sqlite3_set_authorizer(sqlite3 *db,
                           int (*xAuth)(void *, int, const char *, const char *, const char *, const char *),
                           void *pUserData);

// libsql.h of go-libsql (libsql_experimental.a), the parts used here.
typedef struct libsql_connection libsql_connection;
typedef struct libsql_database libsql_database;
typedef struct libsql_row libsql_row;
typedef struct libsql_rows libsql_rows;
typedef struct libsql_stmt libsql_stmt;
typedef const libsql_database *libsql_database_t;
typedef const libsql_connection *libsql_connection_t;
typedef const libsql_stmt *libsql_stmt_t;
typedef const libsql_rows *libsql_rows_t;
typedef const libsql_row *libsql_row_t;

typedef struct {
	int frame_no;
	int frames_synced;
} replicated;

typedef struct {
	const char *db_path;
	const char *primary_url;
	const char *auth_token;
	char read_your_writes;
	const char *encryption_key;
	int sync_interval;
	char with_webpki;
	char offline;
	const char *remote_encryption_key;
} libsql_config;

typedef struct {
	const char *ptr;
	int len;
} blob;

#define LIBSQL_INT   1
#define LIBSQL_FLOAT 2
#define LIBSQL_TEXT  3
#define LIBSQL_BLOB  4
#define LIBSQL_NULL  5

int libsql_sync2(libsql_database_t db, replicated *out_replicated, const char **out_err_msg);
int libsql_open_sync_with_config(libsql_config config, libsql_database_t *out_db, const char **out_err_msg);
void libsql_close(libsql_database_t db);
int libsql_connect(libsql_database_t db, libsql_connection_t *out_conn, const char **out_err_msg);
void libsql_disconnect(libsql_connection_t conn);
int libsql_prepare(libsql_connection_t conn, const char *sql, libsql_stmt_t *out_stmt, const char **out_err_msg);
int libsql_bind_int(libsql_stmt_t stmt, int idx, long long value, const char **out_err_msg);
int libsql_bind_float(libsql_stmt_t stmt, int idx, double value, const char **out_err_msg);
int libsql_bind_null(libsql_stmt_t stmt, int idx, const char **out_err_msg);
int libsql_bind_string(libsql_stmt_t stmt, int idx, const char *value, const char **out_err_msg);
int libsql_bind_blob(libsql_stmt_t stmt, int idx, const unsigned char *value, int value_len, const char **out_err_msg);
int libsql_query_stmt(libsql_stmt_t stmt, libsql_rows_t *out_rows, const char **out_err_msg);
int libsql_execute_stmt(libsql_stmt_t stmt, const char **out_err_msg);
void libsql_free_stmt(libsql_stmt_t stmt);
void libsql_free_rows(libsql_rows_t res);
int libsql_column_count(libsql_rows_t res);
int libsql_column_name(libsql_rows_t res, int col, const char **out_name, const char **out_err_msg);
int libsql_column_type(libsql_rows_t res, libsql_row_t row, int col, int *out_type, const char **out_err_msg);
uint64_t libsql_changes(libsql_connection_t conn);
int64_t libsql_last_insert_rowid(libsql_connection_t conn);
int libsql_next_row(libsql_rows_t res, libsql_row_t *out_row, const char **out_err_msg);
void libsql_free_row(libsql_row_t res);
int libsql_get_string(libsql_row_t res, int col, const char **out_value, const char **out_err_msg);
void libsql_free_string(const char *ptr);
int libsql_get_int(libsql_row_t res, int col, long long *out_value, const char **out_err_msg);
int libsql_get_float(libsql_row_t res, int col, double *out_value, const char **out_err_msg);
int libsql_get_blob(libsql_row_t res, int col, blob *out_blob, const char **out_err_msg);
void libsql_free_blob(blob b);

// rep_parse receives what the parser learns about one statement.
typedef struct {
	sqlite3_stmt *stmt;
	int tail;
	int dml; // the statement inserts, updates or deletes rows of a table
	int ddl; // the statement changes the schema
} rep_parse;

#define REP_DELETE 9
#define REP_INSERT 18
#define REP_UPDATE 23

// rep_auth is an authorizer that only observes: it records whether the
// statement being compiled changes rows (INSERT/UPDATE/DELETE on a table
// other than the schema tables) or the schema (every CREATE/DROP/ALTER
// action, and the schema-table writes they imply).
static int rep_auth(void *p, int action, const char *a, const char *b, const char *c, const char *d) {
	rep_parse *rp = (rep_parse *)p;
	switch (action) {
	case REP_DELETE:
	case REP_INSERT:
	case REP_UPDATE:
		if (a && (strcmp(a, "sqlite_master") == 0 || strcmp(a, "sqlite_temp_master") == 0 ||
		          strcmp(a, "sqlite_schema") == 0 || strcmp(a, "sqlite_temp_schema") == 0)) {
			rp->ddl = 1;
		} else {
			rp->dml = 1;
		}
		break;
	case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 8: // CREATE_*
	case 10: case 11: case 12: case 13: case 14: case 15: case 16: case 17: // DROP_*
	case 26: // ALTER_TABLE
	case 29: case 30: // CREATE_VTABLE, DROP_VTABLE
		rp->ddl = 1;
		break;
	}
	return 0; // SQLITE_OK
}

// rep_prepare compiles the first statement of the n bytes at sql with the
// observing authorizer installed.
static int rep_prepare(sqlite3 *db, rep_parse *rp, const char *sql, int n) {
	const char *tail = 0;
	rp->stmt = 0;
	rp->dml = 0;
	rp->ddl = 0;
	sqlite3_set_authorizer(db, rep_auth, rp);
	int rc = sqlite3_prepare_v3(db, sql, n, 0, &rp->stmt, &tail);
	sqlite3_set_authorizer(db, 0, 0);
	rp->tail = tail ? (int)(tail - sql) : n;
	return rc;
}

// rep_col receives one column of a libsql row. p points into memory owned
// by libsql until rep_free_cols.
typedef struct {
	long long i;
	double f;
	const char *p;
	int n;
	int kind; // LIBSQL_*; 0 not fetched; -1 TEXT that libsql cannot hand out (NUL byte)
} rep_col;

// rep_fetch reads columns [0, n) of row. On failure it returns non-zero
// with *err set (to be freed with libsql_free_string); columns fetched so
// far are still released by rep_free_cols.
static int rep_fetch(libsql_rows_t rows, libsql_row_t row, rep_col *cols, int n, const char **err) {
	for (int i = 0; i < n; i++) {
		cols[i].kind = 0;
		cols[i].p = 0;
		cols[i].n = 0;
	}
	for (int i = 0; i < n; i++) {
		rep_col *c = &cols[i];
		int t = 0;
		int rc = libsql_column_type(rows, row, i, &t, err);
		if (rc != 0) return rc;
		switch (t) {
		case LIBSQL_INT:
			rc = libsql_get_int(row, i, &c->i, err);
			break;
		case LIBSQL_FLOAT:
			rc = libsql_get_float(row, i, &c->f, err);
			break;
		case LIBSQL_TEXT: {
			const char *s = 0;
			rc = libsql_get_string(row, i, &s, err);
			if (rc == 0) {
				if (s) {
					c->p = s;
					c->n = (int)strlen(s);
				} else {
					t = -1;
				}
			}
			break;
		}
		case LIBSQL_BLOB: {
			blob b = {0, 0};
			rc = libsql_get_blob(row, i, &b, err);
			if (rc == 0) {
				c->p = b.ptr;
				c->n = b.len;
			}
			break;
		}
		default:
			t = LIBSQL_NULL;
		}
		if (rc != 0) return rc;
		c->kind = t;
	}
	return 0;
}

static void rep_free_cols(rep_col *cols, int n) {
	for (int i = 0; i < n; i++) {
		rep_col *c = &cols[i];
		if (c->kind == LIBSQL_TEXT && c->p) {
			libsql_free_string(c->p);
		} else if (c->kind == LIBSQL_BLOB && c->p) {
			blob b = {c->p, c->n};
			libsql_free_blob(b);
		}
		c->p = 0;
		c->kind = 0;
	}
}

// rep_next fetches the next row of rows into cols and frees the row.
// It returns 0 with *has set when a row was read, 0 with *has clear at the
// end, non-zero with *err set on failure.
static int rep_next(libsql_rows_t rows, rep_col *cols, int n, int *has, const char **err) {
	libsql_row_t row = 0;
	*has = 0;
	int rc = libsql_next_row(rows, &row, err);
	if (rc != 0) {
		if (row) libsql_free_row(row);
		return rc;
	}
	if (!row) return 0;
	rc = rep_fetch(rows, row, cols, n, err);
	libsql_free_row(row);
	if (rc != 0) {
		rep_free_cols(cols, n);
		return rc;
	}
	*has = 1;
	return 0;
}

static int rep_bind_blob(libsql_stmt_t s, int i, const void *p, int n, const char **err) {
	static const unsigned char empty[1] = {0};
	return libsql_bind_blob(s, i, n ? (const unsigned char *)p : empty, n, err);
}
*/
import "C"

import (
	"unsafe"
)

// lsDB is a libsql_database_t of an embedded replica.
type lsDB struct{ p C.libsql_database_t }

// lsConn is a libsql_connection_t.
type lsConn struct{ p C.libsql_connection_t }

// takeLibsqlString converts an error string from libsql (which may be nil) into
// Go memory and frees it.
func takeLibsqlString(p *C.char) string {
	if p == nil {
		return ""
	}
	s := C.GoString(p)
	C.libsql_free_string(p)
	return s
}

// lsOpenConfig holds the arguments of libsql_open_sync_with_config.
type lsOpenConfig struct {
	path, url, token, key string
}

// lsOpen calls libsql_open_sync_with_config, without libsql's
// read-your-writes (ReplicaConn syncs after its committed writes itself,
// where libsql would sync after every delegated statement, BEGIN and the
// statements inside a transaction included). It returns libsql's message on
// failure; the caller scrubs it.
func lsOpen(cfg lsOpenConfig) (lsDB, int, string) {
	cpath := cString(cfg.path)
	defer cFree(unsafe.Pointer(cpath))
	curl := cString(cfg.url)
	defer cFree(unsafe.Pointer(curl))
	ctoken := cString(cfg.token)
	defer cFree(unsafe.Pointer(ctoken))
	var ckey *C.char
	if cfg.key != "" {
		ckey = cString(cfg.key)
		defer cFree(unsafe.Pointer(ckey))
	}
	conf := C.libsql_config{
		db_path:        cpath,
		primary_url:    curl,
		auth_token:     ctoken,
		encryption_key: ckey,
	}
	var db C.libsql_database_t
	var errp *C.char
	rc := C.libsql_open_sync_with_config(conf, &db, &errp)
	msg := takeLibsqlString(errp)
	if rc != 0 {
		if db != nil {
			C.libsql_close(db)
		}
		return lsDB{}, int(rc), msg
	}
	return lsDB{p: db}, 0, ""
}

func (d lsDB) close() { C.libsql_close(d.p) }

// sync calls libsql_sync2.
func (d lsDB) sync() (Replicated, string, bool) {
	var rep C.replicated
	var errp *C.char
	rc := C.libsql_sync2(d.p, &rep, &errp)
	msg := takeLibsqlString(errp)
	if rc != 0 {
		return Replicated{}, msg, false
	}
	return Replicated{FrameNo: int(rep.frame_no), FramesSynced: int(rep.frames_synced)}, "", true
}

func (d lsDB) connect() (lsConn, string, bool) {
	var c C.libsql_connection_t
	var errp *C.char
	rc := C.libsql_connect(d.p, &c, &errp)
	msg := takeLibsqlString(errp)
	if rc != 0 {
		return lsConn{}, msg, false
	}
	return lsConn{p: c}, "", true
}

func (c lsConn) disconnect()      { C.libsql_disconnect(c.p) }
func (c lsConn) changes() int64   { return int64(C.libsql_changes(c.p)) }
func (c lsConn) lastRowID() int64 { return int64(C.libsql_last_insert_rowid(c.p)) }

// lsStmt is a libsql_stmt_t.
type lsStmt struct{ p C.libsql_stmt_t }

// prepare calls libsql_prepare; sql must not contain NUL bytes.
func (c lsConn) prepare(sql string) (lsStmt, string, bool) {
	csql := cString(sql)
	defer cFree(unsafe.Pointer(csql))
	var s C.libsql_stmt_t
	var errp *C.char
	rc := C.libsql_prepare(c.p, csql, &s, &errp)
	msg := takeLibsqlString(errp)
	if rc != 0 {
		if s != nil {
			C.libsql_free_stmt(s)
		}
		return lsStmt{}, msg, false
	}
	return lsStmt{p: s}, "", true
}

func (s lsStmt) free() { C.libsql_free_stmt(s.p) }

func bindResult(rc C.int, errp *C.char) (string, bool) {
	msg := takeLibsqlString(errp)
	return msg, rc == 0
}

func (s lsStmt) bindNull(i int) (string, bool) {
	var errp *C.char
	return bindResult(C.libsql_bind_null(s.p, C.int(i), &errp), errp)
}

func (s lsStmt) bindInt(i int, v int64) (string, bool) {
	var errp *C.char
	return bindResult(C.libsql_bind_int(s.p, C.int(i), C.longlong(v), &errp), errp)
}

func (s lsStmt) bindFloat(i int, v float64) (string, bool) {
	var errp *C.char
	return bindResult(C.libsql_bind_float(s.p, C.int(i), C.double(v), &errp), errp)
}

// bindString binds v, which must hold no NUL byte (libsql reads a C
// string).
func (s lsStmt) bindString(i int, v string) (string, bool) {
	cv := cString(v)
	defer cFree(unsafe.Pointer(cv))
	var errp *C.char
	return bindResult(C.libsql_bind_string(s.p, C.int(i), cv, &errp), errp)
}

// bindBlob binds v; libsql copies it before returning.
func (s lsStmt) bindBlob(i int, v []byte) (string, bool) {
	var errp *C.char
	var p unsafe.Pointer
	if len(v) > 0 {
		p = C.CBytes(v)
		defer C.free(p)
	}
	return bindResult(C.rep_bind_blob(s.p, C.int(i), p, C.int(len(v)), &errp), errp)
}

// query runs the statement and returns its rows (never nil on success).
func (s lsStmt) query() (lsRows, string, bool) {
	var r C.libsql_rows_t
	var errp *C.char
	rc := C.libsql_query_stmt(s.p, &r, &errp)
	msg := takeLibsqlString(errp)
	if rc != 0 {
		if r != nil {
			C.libsql_free_rows(r)
		}
		return lsRows{}, msg, false
	}
	return lsRows{p: r}, "", true
}

// execute runs the statement with libsql_execute_stmt.
func (s lsStmt) execute() (string, bool) {
	var errp *C.char
	return bindResult(C.libsql_execute_stmt(s.p, &errp), errp)
}

// lsRows is a libsql_rows_t.
type lsRows struct{ p C.libsql_rows_t }

func (r lsRows) free() {
	if r.p != nil {
		C.libsql_free_rows(r.p)
	}
}

func (r lsRows) columnCount() int {
	if r.p == nil {
		return 0
	}
	return int(C.libsql_column_count(r.p))
}

func (r lsRows) columnName(i int) (string, string, bool) {
	var name, errp *C.char
	rc := C.libsql_column_name(r.p, C.int(i), &name, &errp)
	msg := takeLibsqlString(errp)
	if rc != 0 {
		if name != nil {
			C.libsql_free_string(name)
		}
		return "", msg, false
	}
	return takeLibsqlString(name), "", true
}

// Kinds of rep_col.
const (
	repInt     = C.LIBSQL_INT
	repFloat   = C.LIBSQL_FLOAT
	repText    = C.LIBSQL_TEXT
	repBlob    = C.LIBSQL_BLOB
	repNull    = C.LIBSQL_NULL
	repTextNUL = -1
)

// repCols is a C array receiving one libsql row.
type repCols struct {
	p    *C.rep_col
	cols []C.rep_col
}

func newRepCols(n int) repCols {
	if n == 0 {
		return repCols{}
	}
	p := (*C.rep_col)(C.sqlite3_malloc64(C.sqlite3_uint64(uintptr(n) * unsafe.Sizeof(C.rep_col{}))))
	if p == nil {
		panic("native: out of C memory")
	}
	cols := unsafe.Slice(p, n)
	clear(cols)
	return repCols{p: p, cols: cols}
}

// free releases the values of the current row and the array.
func (b *repCols) free() {
	if b.p != nil {
		C.rep_free_cols(b.p, C.int(len(b.cols)))
		cFree(unsafe.Pointer(b.p))
	}
	*b = repCols{}
}

// release frees the values of the current row.
func (b *repCols) release() {
	if b.p != nil {
		C.rep_free_cols(b.p, C.int(len(b.cols)))
	}
}

// next reads the next row of r into the array, releasing the previous one.
func (b *repCols) next(r lsRows) (has bool, msg string, ok bool) {
	b.release()
	var chas C.int
	var errp *C.char
	var p *C.rep_col
	if len(b.cols) > 0 {
		p = b.p
	}
	rc := C.rep_next(r.p, p, C.int(len(b.cols)), &chas, &errp)
	m := takeLibsqlString(errp)
	if rc != 0 {
		return false, m, false
	}
	return chas != 0, "", true
}

// col gives read access to fetched column i.
func (b *repCols) col(i int) (kind int, iv int64, fv float64, p unsafe.Pointer, n int) {
	c := &b.cols[i]
	return int(c.kind), int64(c.i), float64(c.f), unsafe.Pointer(c.p), int(c.n)
}

// parsedStmt is what rep_prepare learned about one statement.
type parsedStmt struct {
	ptr      *C.sqlite3_stmt
	tail     int
	dml, ddl bool
}

// parsePrepare compiles the first statement of the n bytes at sql+off on
// d, observing it with rep_auth.
func (d cdb) parsePrepare(sql *C.char, off, n int) (parsedStmt, int) {
	var rp C.rep_parse
	rc := C.rep_prepare(d.db, &rp, (*C.char)(unsafe.Add(unsafe.Pointer(sql), off)), C.int(n))
	return parsedStmt{ptr: rp.stmt, tail: int(rp.tail), dml: rp.dml != 0, ddl: rp.ddl != 0}, int(rc)
}

// stmtParamName returns the name of parameter i with its prefix, "" for a
// nameless "?".
func stmtParamName(s *C.sqlite3_stmt, i int) string {
	p := C.sqlite3_bind_parameter_name(s, C.int(i))
	if p == nil {
		return ""
	}
	return C.GoString(p)
}

func stmtReadOnly(s *C.sqlite3_stmt) bool { return C.sqlite3_stmt_readonly(s) != 0 }

// sqlComplete reports sqlite3_complete(s): s ends with a complete
// statement. s must not contain NUL bytes.
func sqlComplete(s string) bool {
	cs := cString(s)
	defer cFree(unsafe.Pointer(cs))
	return C.sqlite3_complete(cs) != 0
}
