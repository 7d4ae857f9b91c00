package sqldtest_test

import (
	"os"
	"testing"

	"github.com/gorm-libsql/libsql/internal/sqldtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	sqldtest.StopShared()
	os.Exit(code)
}
