package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(filepath.Join(t.TempDir(), "vectors.db"), &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	t.Log("\n" + got)
	for _, want := range []string{
		"\"pets\"\n  0.061  The cat slept all afternoon on the warm windowsill.\n  0.063  Our dog learned",
		"\"what should I cook tonight?\"\n  0.005  A slow-cooked tomato sauce",
		"\"staying fit\"\n  0.054  She ran her first marathon",
		"\"computers and music\"\n  0.010  A streaming service recommends songs",
		"index: #1, #2, #5\n",
		"index: #10, #4, #7\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}
