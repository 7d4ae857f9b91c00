package libsql

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCreateTable(t *testing.T) {
	ddl, err := parseCreateTable("CREATE TABLE `t` (`id` integer PRIMARY KEY AUTOINCREMENT, \"a,b\" text DEFAULT 'x, (y)' NOT NULL, [c] numeric(10,2), -- note, here\n d blob, CONSTRAINT `fk_t_p` FOREIGN KEY (`d`) REFERENCES `p`(`id`), CONSTRAINT chk CHECK (c > 0 AND a <> ')'), UNIQUE (a, c)) STRICT")
	require.NoError(t, err)
	var names []string
	var constraints []bool
	for _, d := range ddl.defs {
		names = append(names, d.name)
		constraints = append(constraints, d.constraint)
	}
	assert.Equal(t, []string{"id", "a,b", "c", "d", "fk_t_p", "chk", ""}, names)
	assert.Equal(t, []bool{false, false, false, false, true, true, true}, constraints)
	assert.Equal(t, "STRICT", ddl.tail)
	assert.Equal(t, 1, ddl.column("A,B"))
	assert.True(t, ddl.hasConstraint("FK_T_P"))
	assert.False(t, ddl.hasConstraint("nope"))
	assert.True(t, ddl.removeConstraint("chk"))
	assert.False(t, ddl.hasConstraint("chk"))
	assert.Contains(t, ddl.compile("t2"), "CREATE TABLE `t2` (`id` integer PRIMARY KEY AUTOINCREMENT, ")
	assert.Contains(t, ddl.compile("t2"), ") STRICT")

	_, err = parseCreateTable("CREATE TABLE broken (a text")
	assert.Error(t, err)
}

func TestRedefineColumn(t *testing.T) {
	tests := []struct {
		old, def, want string
	}{
		{"`a` text NOT NULL DEFAULT 'x'", "`a` text", "`a` text"},
		{"`a` text UNIQUE COLLATE NOCASE", "`a` varchar(10) NOT NULL", "`a` varchar(10) NOT NULL UNIQUE COLLATE NOCASE"},
		{"`p` integer REFERENCES p(id) ON DELETE SET NULL NOT DEFERRABLE NOT NULL", "`p` integer DEFAULT 1",
			"`p` integer DEFAULT 1 REFERENCES p(id) ON DELETE SET NULL NOT DEFERRABLE"},
		{"`c` int CONSTRAINT c_pos CHECK (c > 0) DEFAULT (-1)", "`c` integer", "`c` integer CONSTRAINT c_pos CHECK (c > 0)"},
		{"id integer PRIMARY KEY", "`id` integer NOT NULL", "`id` integer NOT NULL PRIMARY KEY"},
		{"id integer PRIMARY KEY", "`id` integer PRIMARY KEY AUTOINCREMENT", "`id` integer PRIMARY KEY AUTOINCREMENT"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, redefineColumn(tt.old, tt.def), tt.old)
	}
}

func TestRenameIndexDDL(t *testing.T) {
	got, err := renameIndexDDL("CREATE UNIQUE INDEX IF NOT EXISTS `idx_a` ON `t`(`idx_a`)", "idx_b")
	require.NoError(t, err)
	assert.Equal(t, "CREATE UNIQUE INDEX IF NOT EXISTS `idx_b` ON `t`(`idx_a`)", got)
	got, err = renameIndexDDL("CREATE INDEX idx ON t (a) WHERE a > 0", "x`y")
	require.NoError(t, err)
	assert.Equal(t, "CREATE INDEX `x``y` ON t (a) WHERE a > 0", got)
}

func TestAffinity(t *testing.T) {
	for typ, want := range map[string]string{
		"integer": "INTEGER", "BIGINT": "INTEGER", "varchar(10)": "TEXT", "text": "TEXT", "blob": "BLOB", "": "BLOB",
		"real": "REAL", "double": "REAL", "numeric": "NUMERIC", "datetime": "NUMERIC", "decimal(10,2)": "NUMERIC",
	} {
		assert.Equal(t, want, affinity(typ), typ)
	}
}

func TestMentionsColumn(t *testing.T) {
	assert.True(t, mentionsColumn("CONSTRAINT `uni_t_a` UNIQUE (`a`)", "a"))
	assert.True(t, mentionsColumn("CONSTRAINT chk CHECK (length(a) > 0)", "A"))
	assert.True(t, mentionsColumn("FOREIGN KEY (a, b) REFERENCES p(x)", "b"))
	assert.False(t, mentionsColumn("FOREIGN KEY (b) REFERENCES p(a)", "a"))
	assert.False(t, mentionsColumn("CONSTRAINT chk CHECK (ab > 'a')", "a"))
	assert.False(t, mentionsColumn("UNIQUE (ab)", "a"))
}
