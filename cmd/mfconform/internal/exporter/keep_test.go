package exporter

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/mfconform/mfconform/reports"
)

// TestKeep: each probe's reports land in TARGET/TIME-MODULE; only the
// newest N such folders of a target stay, other files are left alone, and
// a target folder that is a symbolic link is refused.
func TestKeep(t *testing.T) {
	src := t.TempDir()
	for _, f := range reports.Files {
		if err := os.WriteFile(filepath.Join(src, f), []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "documented", "notes"), 0o755); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for i := range 5 {
		k := Key{"documented", DefaultModule}
		if i%2 == 1 {
			k.Module = "strict"
		}
		if err := Keep(dir, k, at.Add(time.Duration(i)*time.Minute), src, 3); err != nil {
			t.Fatalf("Keep() #%d error = %v", i, err)
		}
	}
	entries, err := os.ReadDir(filepath.Join(dir, "documented"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"20260501T120200.000Z-default", "20260501T120300.000Z-strict", "20260501T120400.000Z-default", "notes"}
	if !slices.Equal(names, want) {
		t.Errorf("kept %v, want %v", names, want)
	}
	for _, f := range reports.Files {
		if b, err := os.ReadFile(filepath.Join(dir, "documented", want[2], f)); err != nil || string(b) != f {
			t.Errorf("%s = %q, %v; want the run's file", f, b, err)
		}
	}

	if err := os.Symlink(t.TempDir(), filepath.Join(dir, "host-only")); err != nil {
		t.Fatal(err)
	}
	if err := Keep(dir, Key{"host-only", DefaultModule}, at, src, 3); !errors.Is(err, reports.ErrSymlink) {
		t.Errorf("Keep() into a symbolic link = %v, want %v", err, reports.ErrSymlink)
	}
}
