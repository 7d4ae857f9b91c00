package native

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExtendedErrorCodes(t *testing.T) {
	db, _ := openTestDB(t, Options{Init: []string{"PRAGMA foreign_keys=ON"}})
	_, err := db.Exec(`
		CREATE TABLE p(id INTEGER PRIMARY KEY);
		CREATE TABLE e(
			id TEXT PRIMARY KEY,
			u TEXT UNIQUE,
			n INTEGER NOT NULL DEFAULT 0,
			c INTEGER CHECK (c >= 0),
			f INTEGER REFERENCES p(id)
		) WITHOUT ROWID;
		INSERT INTO p VALUES (1);
		INSERT INTO e(id, u) VALUES ('a', 'x');`)
	require.NoError(t, err)

	tests := []struct {
		name    string
		query   string
		ext     int
		message string
	}{
		{"unique", "INSERT INTO e(id, u) VALUES ('b', 'x')", ExtConstraintUnique, "UNIQUE constraint failed: e.u"},
		{"primary key", "INSERT INTO e(id) VALUES ('a')", ExtConstraintPrimaryKey, "UNIQUE constraint failed: e.id"},
		{"foreign key", "INSERT INTO e(id, f) VALUES ('c', 99)", ExtConstraintForeignKey, "FOREIGN KEY constraint failed"},
		{"check", "INSERT INTO e(id, c) VALUES ('d', -1)", ExtConstraintCheck, "CHECK constraint failed"},
		{"not null", "INSERT INTO e(id, n) VALUES ('e', NULL)", ExtConstraintNotNull, "NOT NULL constraint failed: e.n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.Exec(tt.query)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, CodeConstraint, e.Code)
			assert.Equal(t, tt.ext, e.ExtendedCode)
			assert.Contains(t, e.Msg, tt.message)
			assert.True(t, e.IsConstraint())
			assert.ErrorIs(t, err, &Error{ExtendedCode: tt.ext})
			assert.ErrorIs(t, err, &Error{Code: CodeConstraint})
			assert.NotErrorIs(t, err, &Error{ExtendedCode: tt.ext + 256})
			assert.Contains(t, err.Error(), tt.message)
		})
	}

	t.Run("unique from INSERT RETURNING rows", func(t *testing.T) {
		err := func() error {
			rows, err := db.Query("INSERT INTO e(id, u) VALUES ('z', 'x') RETURNING id")
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
			}
			return rows.Err()
		}()
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, ExtConstraintUnique, e.ExtendedCode)
	})

	t.Run("error while iterating", func(t *testing.T) {
		rows, err := db.Query("SELECT CASE WHEN x < 3 THEN x ELSE json('{bad') END FROM (SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 3)")
		require.NoError(t, err)
		defer rows.Close()
		n := 0
		for rows.Next() {
			n++
		}
		assert.Equal(t, 2, n)
		var e *Error
		require.ErrorAs(t, rows.Err(), &e)
		assert.Equal(t, CodeError, e.Code)
		assert.Contains(t, e.Msg, "JSON")
	})

	t.Run("syntax error", func(t *testing.T) {
		_, err := db.Exec("SELEKT 1")
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, CodeError, e.Code)
		assert.Equal(t, CodeError, e.ExtendedCode)
		assert.Equal(t, `sqlite: near "SELEKT": syntax error (code 1)`, e.Error())
	})
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no", "such", "dir", "x.db")

	for _, path := range []string{missing, "file:" + missing + "?mode=rwc"} {
		c, err := NewConnector(path, Options{})
		require.NoError(t, err)
		_, err = c.Connect(context.Background())
		var e *Error
		require.ErrorAs(t, err, &e, path)
		assert.Equal(t, CodeCantOpen, e.Code)
		assert.Contains(t, e.Msg, path)
		assert.Contains(t, e.Msg, "does not exist")
	}

	c, err := NewConnector(filepath.Join(dir, "absent.db"), Options{ReadOnly: true})
	require.NoError(t, err)
	_, err = c.Connect(context.Background())
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, CodeCantOpen, e.Code)

	c, err = NewConnector(dir, Options{})
	require.NoError(t, err)
	_, err = c.Connect(context.Background())
	assert.Error(t, err, "a directory is no database")

	_, err = NewConnector("", Options{})
	assert.Error(t, err)
	_, err = NewConnector(":memory:", Options{BusyTimeout: -1})
	assert.Error(t, err)

	c, err = NewConnector(filepath.Join(dir, "init.db"), Options{Init: []string{"PRAGMA journal_mode=WAL", "SELEC 1"}})
	require.NoError(t, err)
	_, err = c.Connect(context.Background())
	require.ErrorAs(t, err, &e)
	assert.Contains(t, e.Msg, "SELEC 1")
	assert.Contains(t, e.Msg, "init.db")

	// Not a database: the error comes with the first statement.
	junk := filepath.Join(dir, "junk.db")
	require.NoError(t, os.WriteFile(junk, []byte("this is not an SQLite database file, just some text that is long enough to look like a header............."), 0o600))
	c, err = NewConnector(junk, Options{Init: []string{"PRAGMA user_version"}})
	require.NoError(t, err)
	_, err = c.Connect(context.Background())
	require.ErrorAs(t, err, &e)
	assert.Equal(t, CodeNotADB, e.Code)
	assert.False(t, errors.Is(err, context.Canceled))
}

func TestInitStatements(t *testing.T) {
	db, _ := openTestDB(t, Options{Init: []string{"PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA user_version"}})
	db.SetMaxOpenConns(3)
	for range 3 {
		conn := pinConn(t, db)
		var mode string
		require.NoError(t, conn.QueryRowContext(context.Background(), "PRAGMA journal_mode").Scan(&mode))
		assert.Equal(t, "wal", mode)
		assert.Equal(t, int64(1), count(t, conn, "PRAGMA foreign_keys"))
	}
}

func TestReadOnly(t *testing.T) {
	rw, path := openTestDB(t, Options{})
	_, err := rw.Exec("CREATE TABLE ro(x); INSERT INTO ro VALUES (1)")
	require.NoError(t, err)

	ro := openTestDBAt(t, path, Options{ReadOnly: true})
	assert.Equal(t, int64(1), count(t, ro, "SELECT count(*) FROM ro"))
	for _, q := range []string{"INSERT INTO ro VALUES (2)", "CREATE TABLE ro2(x)", "DELETE FROM ro"} {
		_, err = ro.Exec(q)
		var e *Error
		require.ErrorAs(t, err, &e, q)
		assert.Equal(t, CodeReadOnly, e.Code, q)
	}
	assert.Equal(t, int64(1), count(t, rw, "SELECT count(*) FROM ro"))
}
