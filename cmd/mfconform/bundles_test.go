package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/harness/clientsite"
)

// TestBundlesInstall runs `mfconform bundles install DIR` as an operator
// after `go install` would: npm fetches the pinned packages from its
// registry, the @supabase/ssr bundle is built, and every bundle in DIR has
// the digest bundles.lock pins; stdout is the export lines alone, and
// nothing is left in TMPDIR.
func TestBundlesInstall(t *testing.T) {
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("npm is not installed: bundles install cannot run here (its refusal without npm is TestBundlesInstallWithoutNPM)")
	}
	if testing.Short() {
		t.Skip("-short: bundles install fetches packages from npm's registry")
	}
	dir := filepath.Join(t.TempDir(), "bundles dir")
	tmp := shortTempDir(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "bundles", "install", dir)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("bundles install: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	assets, err := clientsite.Assets()
	if err != nil {
		t.Fatal(err)
	}
	want := "# the pinned browser bundles, checked against bundles.lock; point mfconform at them with:\n"
	for _, a := range assets {
		p := filepath.Join(dir, a.FileName())
		want += "export " + a.Env() + "=" + shellQuote(p) + "\n"
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("%s: %v", a.Name, err)
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != a.SHA256 {
			t.Errorf("%s: sha256 %s, bundles.lock pins %s", p, got, a.SHA256)
		}
	}
	if stdout.String() != want {
		t.Errorf("stdout = %q, want %q", stdout.String(), want)
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("bundles install left %d entries in TMPDIR, e.g. %s", len(left), left[0].Name())
	}
}

// TestBundlesInstallWithoutNPM: without npm, bundles install says what to
// install and how else to get the bundles, and exits 3; bad usage too.
func TestBundlesInstallWithoutNPM(t *testing.T) {
	code, stdout, stderr := runQuick(t, []string{"PATH=/nonexistent"}, "bundles", "install", t.TempDir())
	if code != exitToolError || stdout != "" {
		t.Errorf("exit %d, stdout %q; want %d and nothing", code, stdout, exitToolError)
	}
	for _, w := range []string{"npm not found", "apt-get install -y nodejs npm", "release archive", "MFCONFORM_SUPABASE_JS", "MFCONFORM_SUPABASE_SSR", "npm pack @supabase/supabase-js@"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	for _, args := range [][]string{{"bundles"}, {"bundles", "install"}, {"bundles", "fetch", "x"}, {"bundles", "install", "--dir"}} {
		if code, _, stderr := runQuick(t, nil, args...); code != exitToolError || !strings.Contains(stderr, "bundles install DIR") {
			t.Errorf("%q: exit %d, %q; want 3 and the usage", args, code, stderr)
		}
	}
}

// TestBundlesInstallInterrupted: Ctrl-C while npm works stops it, installs
// nothing, leaves nothing in TMPDIR and exits 130.
func TestBundlesInstallInterrupted(t *testing.T) {
	bin := t.TempDir()
	marker := filepath.Join(t.TempDir(), "npm-started")
	npm := "#!/bin/sh\n: > '" + marker + "'\nexec sleep 120\n"
	if err := os.WriteFile(filepath.Join(bin, "npm"), []byte(npm), 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "bundles")
	tmp := shortTempDir(t)
	cmd := exec.Command(binary, "bundles", "install", dir)
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "TMPDIR="+tmp)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(marker); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	interrupt(t, cmd, "bundles install", &out)
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an interrupted install created %s", dir)
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("an interrupted install left %s in TMPDIR", left[0].Name())
	}
}
