package main

import (
	"io"
	"testing"
)

// TestReadmeIsUpToDate fails when a generated README section is stale.
func TestReadmeIsUpToDate(t *testing.T) {
	if err := docsCmd([]string{"--check", "../../README.md"}, io.Discard); err != nil {
		t.Fatal(err)
	}
}
