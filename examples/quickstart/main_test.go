package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	path := filepath.Join(t.TempDir(), "quickstart.db")
	if err := run(path, &out); err != nil {
		t.Fatal(err)
	}
	want := "database: " + path + "\n" +
		"author 1: Ursula K. Le Guin\n" +
		"  book 1: A Wizard of Earthsea (November 1968)\n" +
		"  book 2: The Left Hand of Darkness (March 1969)\n"
	if got := out.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
	// A second run on the same file finds the author's unique name taken.
	if err := run(path, &out); err == nil || !strings.Contains(err.Error(), "UNIQUE") {
		t.Errorf("second run: %v, want a UNIQUE constraint error", err)
	}
}
