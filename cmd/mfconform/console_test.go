package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/runner"
	"github.com/mfconform/mfconform/reports"
	"github.com/mfconform/mfconform/suites/result"
)

// TestColourOn: --color always and never are obeyed whatever the
// environment; auto colours a terminal only, unless NO_COLOR is set (to
// anything) or TERM is dumb.
func TestColourOn(t *testing.T) {
	tests := []struct {
		when    string
		tty     bool
		noColor string
		term    string
		want    bool
	}{
		{runner.ColorAuto, true, "", "xterm-256color", true},
		{runner.ColorAuto, false, "", "xterm-256color", false},
		{runner.ColorAuto, true, "1", "xterm", false},
		{runner.ColorAuto, true, "0", "xterm", false}, // any value: https://no-color.org
		{runner.ColorAuto, true, "", "dumb", false},
		{runner.ColorAlways, false, "1", "dumb", true},
		{runner.ColorNever, true, "", "xterm", false},
	}
	old := isTerminal
	t.Cleanup(func() { isTerminal = old })
	for _, tt := range tests {
		isTerminal = func(io.Writer) bool { return tt.tty }
		env := map[string]string{"NO_COLOR": tt.noColor, "TERM": tt.term}
		if got := colourOn(tt.when, io.Discard, func(k string) string { return env[k] }); got != tt.want {
			t.Errorf("colourOn(%q, tty %v, NO_COLOR=%q, TERM=%q) = %v, want %v", tt.when, tt.tty, tt.noColor, tt.term, got, tt.want)
		}
	}
}

// sampleReport is a finished run with a spec in every listed state.
func sampleReport() *result.Report {
	r := &result.Report{Verdict: result.VerdictNonConformant, Target: result.Target{Description: "a \x1b[31mtarget"},
		StartedAt: time.Unix(0, 0), FinishedAt: time.Unix(2, 0), Counts: map[result.State]int{}}
	ids := []result.SpecID{result.JWTCookie001, result.JWTCookie002, result.JWTCookie003, result.JWTCookie004,
		result.JWTCookie005, result.JWTCookie006, result.JWTCookie007, result.JWTCookie008}
	for i, st := range []result.State{result.StatePassed, result.StateFailed, result.StateWarned, result.StateWaived,
		result.StateBlocked, result.StateInterrupted, result.StateNotJudged, result.StateOutOfScope} {
		s := result.Spec{ID: ids[i], Title: "title " + string(st), State: st}
		switch st {
		case result.StateFailed:
			s.Diagnostics = []result.Diagnostic{{Code: "COOKIE_HOST_ONLY", Severity: result.Fail, Title: "host-only \x1b]8;;evil"}}
		case result.StateWarned:
			s.Diagnostics = []result.Diagnostic{{Code: "TOKEN_LIFETIME_LONG", Severity: result.Warn, Title: "long"}}
		case result.StateWaived:
			s.Waiver = &result.Waiver{Spec: s.ID, Reason: "accepted"}
			s.WaivedState = result.StateFailed
		case result.StateBlocked:
			s.BlockedBy, s.Reason = result.JWTCookie002, "the cookie does not reach the app"
		}
		r.Specs = append(r.Specs, s)
		r.Counts[st]++
	}
	r.WaiverProblems = []string{"waiver for TOKEN_EXPIRED matched nothing in this run"}
	return r
}

// TestConsole: the console is reports' lines — all of them, or --quiet's
// failures, warnings and closing lines — coloured only when colour is on,
// each state's tag and the verdict in its colour, and never a sequence a
// target's text carried.
func TestConsole(t *testing.T) {
	tests := []struct {
		name       string
		quiet, on  bool
		want, none []string
	}{
		{"everything, plain", false, false,
			[]string{"PASS  JWT-COOKIE-001", "FAIL  JWT-COOKIE-002", "WARN  JWT-COOKIE-003", "WAIV  JWT-COOKIE-004",
				"  1 spec blocked by JWT-COOKIE-002 (COOKIE_HOST_ONLY host-only \\u001b]8;;evil): JWT-COOKIE-005\n",
				"8 specs:", "what to fix, in this order (2 causes):\n 1. COOKIE_HOST_ONLY", "waivers: waiver for TOKEN_EXPIRED", "verdict: NOT CONFORMANT"},
			[]string{"\x1b", "BLKD"}},
		{"quiet: failures, warnings, the verdict", true, false,
			[]string{"FAIL  JWT-COOKIE-002", "COOKIE_HOST_ONLY", "WARN  JWT-COOKIE-003", "TOKEN_LIFETIME_LONG", "what to fix, in this order",
				"waivers: waiver for TOKEN_EXPIRED", "verdict: NOT CONFORMANT"},
			[]string{"PASS", "WAIV", "BLKD", "blocked by", "specs:", "\x1b"}},
		{"coloured", false, true,
			[]string{sgrGreen + "PASS" + sgrReset + "  JWT-COOKIE-001", sgrRed + "FAIL" + sgrReset, sgrYellow + "WARN" + sgrReset, sgrBlue + "WAIV" + sgrReset,
				sgrRed + "INTR" + sgrReset, "verdict: " + sgrRed + "NOT CONFORMANT"}, []string{"\x1b]", "\x1b[31mtarget"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			c := &console{stream: &b, lines: &colourWriter{w: &b, on: tt.on}, quiet: tt.quiet}
			c.show(sampleReport())
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("console lacks %q:\n%s", w, b.String())
				}
			}
			for _, n := range tt.none {
				if strings.Contains(b.String(), n) {
					t.Errorf("console has %q:\n%q", n, b.String())
				}
			}
		})
	}
}

// TestColourLine: every verdict has its colour, the longest match first;
// lines that only look like tags are left alone.
func TestColourLine(t *testing.T) {
	tests := []struct{ line, want string }{
		{"verdict: CONFORMANT — x", "verdict: " + sgrGreen + sgrBold + "CONFORMANT — x" + sgrReset},
		{"verdict: CONFORMANT WITH WARNINGS — x", "verdict: " + sgrYellow + sgrBold + "CONFORMANT WITH WARNINGS — x" + sgrReset},
		{"verdict: INCOMPLETE (AUTH_SECRET_KEY) — x", "verdict: " + sgrYellow + sgrBold + "INCOMPLETE (AUTH_SECRET_KEY) — x" + sgrReset},
		{"verdict: ERROR — x", "verdict: " + sgrRed + "ERROR — x" + sgrReset},
		{"setup failed: no", sgrRed + "setup failed: no" + sgrReset},
		{"      FAIL  indented", "      FAIL  indented"},
		{"PASSED", "PASSED"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := colourLine(tt.line); got != tt.want {
			t.Errorf("colourLine(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
	var b bytes.Buffer
	w := &colourWriter{w: &b, on: true}
	io.WriteString(w, "PASS  a\nFA")
	io.WriteString(w, "IL  b\nunfinished")
	w.Flush()
	if want := sgrGreen + "PASS" + sgrReset + "  a\n" + sgrRed + "FAIL" + sgrReset + "  b\nunfinished"; b.String() != want {
		t.Errorf("colourWriter across writes = %q, want %q", b.String(), want)
	}
}

// TestReportToStdout: `report --out -` writes the rendering alone to
// stdout, the same bytes a file would get, and creates no file named "-".
func TestReportToStdout(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	from := filepath.Join(dir, "in", reports.JSONFile)
	if err := os.MkdirAll(filepath.Dir(from), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := reports.WriteJSON(from, sampleReport()); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"json", "junit", "html", "md"} {
		t.Run(format, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), []string{"report", "--from", from, "--format", format, "--out", "-"}, &stdout, &stderr); code != exitOK {
				t.Fatalf("report --out - exit %d: %s", code, stderr.String())
			}
			file := filepath.Join(dir, "out."+format)
			if code := run(context.Background(), []string{"report", "--from", from, "--format", format, "--out", file}, io.Discard, &stderr); code != exitOK {
				t.Fatalf("report --out FILE exit %d: %s", code, stderr.String())
			}
			want, _ := os.ReadFile(file)
			if len(want) == 0 || !bytes.Equal(stdout.Bytes(), want) {
				t.Errorf("stdout (%d bytes) differs from the file (%d bytes)", stdout.Len(), len(want))
			}
			if format == "json" {
				orig, _ := os.ReadFile(from)
				if !bytes.Equal(stdout.Bytes(), orig) || !json.Valid(stdout.Bytes()) {
					t.Errorf("report --format json --out - is not report.json as written")
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "-")); err == nil {
				t.Errorf("a file named - was written")
			}
		})
	}
}
