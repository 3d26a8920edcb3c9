package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mfconform/mfconform/fixtures"
	"github.com/mfconform/mfconform/fixtures/fixturetest"
	"github.com/mfconform/mfconform/reports"
)

// TestTargetsBatch runs several fixtures as one batch sharing one Chromium:
// each target's report must be exactly what its fixture declares, each
// run must have attached to the shared browser rather than started one,
// and the index must list every target.
func TestTargetsBatch(t *testing.T) {
	names := []string{"documented", "host-only", "sb-anon-key", "samesite-lax"}
	var b strings.Builder
	b.WriteString("targets:\n")
	for _, n := range names {
		b.WriteString("  - fixture: " + n + "\n    args: [--reference-secret-from-env]\n")
	}
	file := writeFile(t, "targets.yaml", b.String())
	res := runBinary(t, nil, "run", "--targets", file, "--concurrency", "2")
	if res.code != exitFailed {
		t.Errorf("exit = %d, want %d (two broken fixtures)\n%s%s", res.code, exitFailed, res.stdout, res.stderr)
	}
	var idx struct {
		Targets []IndexEntry `json:"targets"`
	}
	raw, err := os.ReadFile(filepath.Join(res.reportDir, "index.json"))
	if err != nil || json.Unmarshal(raw, &idx) != nil {
		t.Fatalf("index.json: %v\n%s", err, res.stdout)
	}
	if _, err := os.Stat(filepath.Join(res.reportDir, "index.html")); err != nil {
		t.Errorf("index.html: %v", err)
	}
	var got []string
	for _, e := range idx.Targets {
		got = append(got, e.Name)
		f, _ := fixtures.Get(e.Name)
		r, err := reports.ReadJSON(filepath.Join(res.reportDir, e.Name, reports.JSONFile))
		if err != nil {
			t.Errorf("%s: %v", e.Name, err)
			continue
		}
		for _, m := range fixturetest.Mismatches(f, r) {
			t.Errorf("%s: %s", e.Name, m)
		}
		if _, ok := r.PhasesMS["browser_connect"]; !ok {
			t.Errorf("%s launched its own browser (phases %v), want it attached to the shared one", e.Name, r.PhasesMS)
		}
	}
	sort.Strings(names)
	if !slices.Equal(got, names) {
		t.Errorf("index lists %v, want %v", got, names)
	}
	assertClean(t, res)
}

// TestTargetsShard: shards partition the targets, stably.
func TestTargetsShard(t *testing.T) {
	var b strings.Builder
	b.WriteString("targets:\n")
	var all []string
	for i, f := range fixtures.All() {
		if i == 12 {
			break
		}
		b.WriteString("  - fixture: " + f.Name + "\n")
		all = append(all, f.Name)
	}
	file := writeFile(t, "targets.yaml", b.String())
	var union []string
	for _, s := range []string{"1/3", "2/3", "3/3"} {
		res := runBinary(t, nil, "run", "--targets", file, "--shard", s, "--dry-run")
		if res.code != exitOK {
			t.Fatalf("--shard %s: exit %d: %s", s, res.code, res.stderr)
		}
		part := strings.Fields(res.stdout)
		again := runBinary(t, nil, "run", "--targets", file, "--shard", s, "--dry-run")
		if again.stdout != res.stdout {
			t.Errorf("--shard %s is not stable: %q then %q", s, res.stdout, again.stdout)
		}
		union = append(union, part...)
	}
	sort.Strings(union)
	sort.Strings(all)
	if !slices.Equal(union, all) {
		t.Errorf("shards 1..3 cover %v, want each of %v exactly once", union, all)
	}
	for _, bad := range []string{"0/3", "4/3", "x", "1/0"} {
		if res := runBinary(t, nil, "run", "--targets", file, "--shard", bad, "--dry-run"); res.code != exitToolError {
			t.Errorf("--shard %s: exit %d, want %d", bad, res.code, exitToolError)
		}
	}
}

// TestTargetsBatchInterrupted: Ctrl-C stops a batch and its runs, leaves
// the index, and no Chromium or temporary folder behind.
func TestTargetsBatchInterrupted(t *testing.T) {
	file := writeFile(t, "targets.yaml", "targets:\n  - fixture: documented\n  - fixture: host-only\n  - fixture: sb-anon-key\n")
	tmp := shortTempDir(t)
	reportDir := t.TempDir()
	cmd := exec.Command(binary, "run", "--targets", file, "--concurrency", "1", "--report-dir", reportDir)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "AUTH_SECRET_KEY="+knownSecret)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once the first run has its report folder (it is under way).
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if entries, _ := os.ReadDir(reportDir); len(entries) > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
			t.Errorf("exit = %v, want %d\n%s", err, exitInterrupted, out.String())
		}
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("the batch did not stop after SIGINT\n%s", out.String())
	}
	if _, err := os.Stat(filepath.Join(reportDir, "index.json")); err != nil {
		t.Errorf("no index.json after the interrupt: %v", err)
	}
	assertClean(t, runResult{stdout: out.String(), reportDir: reportDir, tmpDir: tmp})
}

// TestTargetNames: a target's name becomes a folder inside --report-dir,
// so only [A-Za-z0-9._-]+ other than . and .. is accepted.
func TestTargetNames(t *testing.T) {
	for _, tt := range []struct {
		name string
		ok   bool
	}{{"staging-eu_1.b", true}, {"..", false}, {".", false}, {"a/b", false}, {"../x", false}, {"a b", false}, {"x\x1b[2J", false}} {
		file := writeFile(t, "t.yaml", "targets:\n  - name: \""+strings.ReplaceAll(tt.name, "\x1b", "\\e")+"\"\n    fixture: documented\n")
		_, err := loadTargets(file)
		if (err == nil) != tt.ok {
			t.Errorf("loadTargets(name %q) error = %v, want ok %v", tt.name, err, tt.ok)
		}
		if err != nil && strings.ContainsRune(err.Error(), 0x1b) {
			t.Errorf("the error carries a raw escape: %q", err)
		}
	}
}
