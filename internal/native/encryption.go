package native

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/gorm-libsql/libsql/internal/sqlvalue"
)

// Cipher is the page cipher of encrypted databases: the one go-libsql's
// embedded replicas use with WithEncryption, so either can open the other's
// files.
const Cipher = "aes256cbc"

// applyKey sets the encryption key of a new connection before anything else
// runs on it, then reads the schema to check the key. Its errors never
// contain the key.
func (c *Conn) applyKey(ctx context.Context, path, key string) error {
	for _, q := range []string{
		"PRAGMA cipher = '" + Cipher + "'",
		"PRAGMA key = '" + strings.ReplaceAll(key, "'", "''") + "'",
	} {
		if _, err := c.execUncached(ctx, q); err != nil {
			var e *Error
			if errors.As(err, &e) {
				return &Error{Code: e.Code, ExtendedCode: e.ExtendedCode, Msg: "open " + strconv.Quote(path) + ": setting the encryption key failed: " + e.Msg}
			}
			return errors.New("native: open " + strconv.Quote(path) + ": setting the encryption key failed")
		}
	}
	return c.checkReadable(ctx, path)
}

// checkReadable reads the schema, which fails with SQLITE_NOTADB when the
// file is encrypted with another key, or encrypted and no key was given.
func (c *Conn) checkReadable(ctx context.Context, path string) error {
	_, err := c.execUncached(ctx, "SELECT count(*) FROM sqlite_master")
	var e *Error
	if errors.As(err, &e) && e.Code == CodeNotADB {
		return &Error{Code: e.Code, ExtendedCode: e.ExtendedCode,
			Msg: "open " + strconv.Quote(path) + ": wrong encryption key, or not a database (" + e.Msg + ")"}
	}
	return err
}

// execUncached runs a statement without keeping it in the statement cache.
func (c *Conn) execUncached(ctx context.Context, query string) (sqlvalue.Result, error) {
	res, err := c.exec(ctx, query, nil)
	if s := c.cache.take(query); s != nil {
		c.finalize(s)
	}
	return res, err
}
