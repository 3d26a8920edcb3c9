package scripts

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// reportFiles are the reports every run writes.
var reportFiles = []string{"report.json", "report.html", "junit.xml", "summary.md", "report.sarif"}

// knownSecret is the AUTH_SECRET_KEY of the tests' runs; it must never show
// in an output, a summary or a report.
const knownSecret = "shiptest-secret-key-that-must-not-leak-0123456789"

// repoRoot returns the checkout's root folder.
func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(wd) // scripts → the checkout
}

// shortTempDir returns a short folder under /tmp for TMPDIR: Chromium's
// socket paths must fit in 108 bytes.
func shortTempDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("/tmp", "mfs")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// result is what a command did.
type result struct {
	stdout, stderr string
	code           int
	took           time.Duration
}

// run runs name with args in dir with exactly env (nil inherits), bounded by
// timeout; a command that cannot start fails the test.
func run(t *testing.T, timeout time.Duration, dir string, env []string, name string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	res := result{stdout: stdout.String(), stderr: stderr.String(), took: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("%s %s: %v\nstderr:\n%s", name, strings.Join(args, " "), err, res.stderr)
	}
	if ctx.Err() != nil {
		t.Fatalf("%s %s: still running after %s\nstderr:\n%s", name, strings.Join(args, " "), timeout, res.stderr)
	}
	return res
}

// baseEnv is a clean environment: PATH, HOME and a short TMPDIR, plus more.
func baseEnv(t *testing.T, more ...string) []string {
	t.Helper()
	return append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + shortTempDir(t)}, more...)
}

// checkReports fails unless dir holds the four non-empty reports, and none
// of them shows knownSecret.
func checkReports(t *testing.T, dir string) {
	t.Helper()
	for _, f := range reportFiles {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Errorf("report %s: %v", f, err)
			continue
		}
		if len(b) == 0 {
			t.Errorf("report %s is empty", f)
		}
		if bytes.Contains(b, []byte(knownSecret)) {
			t.Errorf("report %s shows AUTH_SECRET_KEY", f)
		}
	}
}

// buildBinary builds mfconform from the checkout into a temporary folder.
// Without the embed tag it finds supabase-js in the checkout (npm ci).
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mfconform")
	res := run(t, 5*time.Minute, repoRoot(t), nil, "go", "build", "-o", bin, "./cmd/mfconform")
	if res.code != 0 {
		t.Fatalf("go build: exit %d\n%s", res.code, res.stderr)
	}
	return bin
}
