package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/settings"
	"github.com/mfconform/mfconform/reports"
	"github.com/mfconform/mfconform/suites/result"
)

// TestRunOutputs: --format json puts report.json alone on stdout (the
// console goes to stderr); --quiet leaves the failures, warnings and the
// verdict; colour comes only when asked or on a terminal, and an explicit
// MFCONFORM_COLOR=always wins over NO_COLOR.
func TestRunOutputs(t *testing.T) {
	tests := []struct {
		name     string
		env      []string
		args     []string
		wantCode int
		check    func(t *testing.T, res runResult)
	}{
		{"--format json", nil, []string{"run", "--fixture", "host-only", "--format", "json"}, exitFailed, func(t *testing.T, res runResult) {
			file, err := os.ReadFile(filepath.Join(res.reportDir, reports.JSONFile))
			if err != nil {
				t.Fatal(err)
			}
			if !json.Valid([]byte(res.stdout)) || res.stdout != string(file) {
				t.Errorf("stdout is not report.json alone (%d bytes, report.json %d):\n%.300s", len(res.stdout), len(file), res.stdout)
			}
			for _, w := range []string{"FAIL  JWT-COOKIE-002", "PASS  JWT-COOKIE-001", "verdict: NOT CONFORMANT", "reports: "} {
				if !strings.Contains(res.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, res.stderr)
				}
			}
		}},
		{"--quiet, coloured by MFCONFORM_COLOR over NO_COLOR", []string{"MFCONFORM_COLOR=always", "NO_COLOR=1"}, []string{"run", "--fixture", "host-only", "--quiet"}, exitFailed, func(t *testing.T, res runResult) {
			for _, w := range []string{sgrRed + "FAIL" + sgrReset + "  JWT-COOKIE-002", "COOKIE_HOST_ONLY", "verdict: " + sgrRed + "NOT CONFORMANT"} {
				if !strings.Contains(res.stdout, w) {
					t.Errorf("stdout lacks %q:\n%q", w, res.stdout)
				}
			}
			for _, n := range []string{"PASS", "specs:", "reports:", "— mode"} {
				if strings.Contains(res.stdout, n) {
					t.Errorf("--quiet stdout has %q:\n%s", n, res.stdout)
				}
			}
			if res.stderr != "" {
				t.Errorf("stderr = %q, want nothing", res.stderr)
			}
		}},
		{"a warning, quiet, never coloured on a pipe", []string{"MFCONFORM_QUIET=true"}, []string{"run", "--fixture", "email-malformed"}, exitOK, func(t *testing.T, res runResult) {
			if !strings.Contains(res.stdout, "WARN  JWT-TOKEN-008") || !strings.Contains(res.stdout, "verdict: CONFORMANT WITH WARNINGS") {
				t.Errorf("stdout lacks the warning or the verdict:\n%s", res.stdout)
			}
			if strings.Contains(res.stdout, "\x1b") || strings.Contains(res.stdout, "PASS") {
				t.Errorf("stdout has colour or passes:\n%q", res.stdout)
			}
		}},
		{"a configuration error with --format json", nil, []string{"run", "--format", "json", "--fixture", "samesite-lx"}, exitToolError, func(t *testing.T, res runResult) {
			var r result.Report
			if err := json.Unmarshal([]byte(res.stdout), &r); err != nil || r.Verdict != result.VerdictError || !strings.Contains(r.SetupError, "samesite-lax") {
				t.Errorf("stdout = %q (%v), want report.json with verdict error", res.stdout, err)
			}
			if !strings.Contains(res.stderr, "did you mean samesite-lax?") {
				t.Errorf("stderr = %q, want the error", res.stderr)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runBinary(t, tt.env, tt.args...)
			if res.code != tt.wantCode {
				t.Fatalf("exit = %d, want %d\nstdout:\n%s\nstderr:\n%s", res.code, tt.wantCode, res.stdout, res.stderr)
			}
			tt.check(t, res)
			assertClean(t, res)
		})
	}
}

// TestUnknownFlagSuggests: on every command, a flag typed with its last
// letter missing is an error (exit 3) that names the flag meant, from the
// command's own table.
func TestUnknownFlagSuggests(t *testing.T) {
	prefix := map[string][]string{"run --targets": {"run", "--targets", "x.yaml"}, "config check": {"config", "check"}}
	for _, c := range commandFlags {
		args := prefix[c.command]
		if args == nil {
			args = strings.Fields(c.command)
		}
		for _, f := range c.table.Flags() {
			typo := f.Name[:len(f.Name)-1]
			if len(typo) < 3 || slices.ContainsFunc(c.table.Flags(), func(g settings.FlagInfo) bool { return g.Name == typo }) {
				continue
			}
			t.Run(c.command+" --"+typo, func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				code := run(t.Context(), append(slices.Clone(args), "--"+typo), &stdout, &stderr)
				if code != exitToolError || !strings.Contains(stderr.String(), "unknown flag --"+typo+" (did you mean ") ||
					!regexp.MustCompile(`did you mean [^)]*--`+regexp.QuoteMeta(f.Name)+`\b`).MatchString(stderr.String()) {
					t.Errorf("exit %d, stderr %q; want 3 suggesting --%s", code, stderr.String(), f.Name)
				}
			})
		}
	}
}
