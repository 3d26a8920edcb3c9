package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/runner"
	"github.com/mfconform/mfconform/reports"
	"github.com/mfconform/mfconform/suites/result"
)

// binary is the mfconform binary built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	if !needsBinary() {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "mfconform-e2e-bin-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "mfconform")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		os.RemoveAll(dir)
		panic("go build: " + err.Error() + "\n" + string(out))
	}
	binDir = dir
	sampleBinary = func() (string, error) { return binary, nil }
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// binDir holds the binaries the end-to-end tests build.
var binDir string

// testHookEnv is the variable of the test hook a binary built with the
// mfconform_testhooks tag reads (runner/testhook_on.go); the shipped
// binary has no such hook.
const testHookEnv = "MFCONFORM_TEST_PAUSE_BEFORE_REPORTS"

var (
	hookedOnce   sync.Once
	hookedBinary string
	hookedErr    error
)

// hooked builds, once, mfconform with the mfconform_testhooks tag: the
// binary that can pause before writing its reports.
func hooked(t *testing.T) string {
	t.Helper()
	hookedOnce.Do(func() {
		hookedBinary = filepath.Join(binDir, "mfconform-testhooks")
		out, err := exec.Command("go", "build", "-tags", "mfconform_testhooks", "-o", hookedBinary, ".").CombinedOutput()
		if err != nil {
			hookedErr = fmt.Errorf("go build -tags mfconform_testhooks: %v\n%s", err, out)
		}
	})
	if hookedErr != nil {
		t.Fatal(hookedErr)
	}
	return hookedBinary
}

// TestShippedBinaryHasNoTestHook: the pause before the reports (and the
// marker file it writes in TMPDIR) is compiled only into the test build;
// the binary the operator runs does not even hold the variable's name.
func TestShippedBinaryHasNoTestHook(t *testing.T) {
	b, err := os.ReadFile(binary)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{testHookEnv, "mfconform-reports-pause"} {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("the shipped binary holds %q: the test hook must be built only with -tags mfconform_testhooks", s)
		}
	}
	if !bytes.Contains(b, []byte("mfconform")) {
		t.Fatal("the binary does not look like mfconform: the check above proves nothing")
	}
}

// needsBinary reports whether this process may run an end-to-end test:
// not when it only lists the tests or runs a fuzz target (the fuzzing
// coordinator and each of its workers run TestMain; building the binary
// there would cost every fuzz run its first seconds).
func needsBinary() bool {
	if os.Getenv(envSecondUser) != "" {
		return false // the second local user's helper (TestSecondUserHelper)
	}
	for _, name := range []string{"test.list", "test.fuzz", "test.fuzzworker"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" && f.Value.String() != "false" {
			return false
		}
	}
	return true
}

// knownSecret is the AUTH_SECRET_KEY the end-to-end runs use, so the tests
// can prove it never leaves the process.
const knownSecret = "e2e-known-secret-Zq8vLm3RtW9yXb2NcD4fGh6JkP1sT5uV"

// signedJWT matches a whole signed JWT (header.payload.signature).
var signedJWT = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}`)

// newKey matches a whole sb_publishable_/sb_secret_ key.
var newKey = regexp.MustCompile(`sb_(publishable|secret)_[A-Za-z0-9_-]{12,}`)

// knownJWTSecret is SUPABASE_JWT_SECRET for the embedded Supabase project.
const knownJWTSecret = "known-supabase-jwt-secret-4Tf9Qm2Wx7Lp1Zc6Vb3N"

type runResult struct {
	code      int
	stdout    string
	stderr    string
	reportDir string
	tmpDir    string
	report    *result.Report
}

// runBinary runs mfconform with args, its own TMPDIR and report dir, and
// the known secret in the environment.
func runBinary(t *testing.T, extraEnv []string, args ...string) runResult {
	t.Helper()
	res := runResult{reportDir: t.TempDir(), tmpDir: shortTempDir(t)}
	if len(args) > 0 && args[0] == "run" {
		args = append(args, "--report-dir", res.reportDir)
		if !slices.Contains(args, "--targets") {
			// The embedded deployment signs with the known key (opted in),
			// so assertClean proves that key never leaves the process.
			args = append(args, "--reference-secret-from-env")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(os.Environ(), "TMPDIR="+res.tmpDir, "AUTH_SECRET_KEY="+knownSecret, "SUPABASE_JWT_SECRET="+knownJWTSecret)
	cmd.Env = append(cmd.Env, extraEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run %v: %v", args, err)
	}
	res.stdout, res.stderr = stdout.String(), stderr.String()
	if r, err := reports.ReadJSON(filepath.Join(res.reportDir, reports.JSONFile)); err == nil {
		res.report = r
	}
	return res
}

// assertClean checks what every run must leave behind: no secret or whole
// token in any output, and nothing in TMPDIR.
func assertClean(t *testing.T, res runResult) {
	t.Helper()
	outputs := map[string]string{"stdout": res.stdout, "stderr": res.stderr}
	_ = filepath.WalkDir(res.reportDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, rerr := os.ReadFile(path)
		if rerr != nil {
			t.Fatal(rerr)
		}
		outputs[strings.TrimPrefix(path, res.reportDir+"/")] = string(b)
		return nil
	})
	assertNoSecrets(t, outputs)
	left, _ := os.ReadDir(res.tmpDir)
	for _, e := range left {
		t.Errorf("temporary file left behind in TMPDIR: %s", e.Name())
	}
	if pids := chromiumUsing(res.tmpDir); len(pids) > 0 {
		t.Errorf("Chromium processes still running from this run: %v", pids)
	}
}

// assertNoSecrets fails for every output (by name) that holds a known
// secret, a whole signed token or a whole Supabase key.
func assertNoSecrets(t *testing.T, outputs map[string]string) {
	t.Helper()
	for name, text := range outputs {
		if strings.Contains(text, knownSecret) {
			t.Errorf("%s contains AUTH_SECRET_KEY", name)
		}
		if strings.Contains(text, knownJWTSecret) {
			t.Errorf("%s contains SUPABASE_JWT_SECRET", name)
		}
		if m := signedJWT.FindString(text); m != "" {
			t.Errorf("%s contains a whole signed token or key: %.40s…", name, m)
		}
		if m := newKey.FindString(text); m != "" {
			t.Errorf("%s contains a whole Supabase key: %.20s…", name, m)
		}
	}
}

// interrupt sends SIGINT to cmd as Ctrl-C would, and waits at most a
// minute for it to end with exit 130; what names the command in failures,
// out is its output so far. A command that hangs is killed, with its
// process group when it leads one (Setpgid).
func interrupt(t *testing.T, cmd *exec.Cmd, what string, out fmt.Stringer) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
			t.Errorf("%s: exit = %v, want %d\n%s", what, err, exitInterrupted, out.String())
		}
	case <-time.After(time.Minute):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Process.Kill()
		t.Fatalf("%s did not stop after SIGINT\n%s", what, out.String())
	}
}

// chromiumUsing lists processes whose command line mentions dir and every
// string of also.
func chromiumUsing(dir string, also ...string) []string {
	var pids []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join("/proc", e.Name(), "cmdline")); err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && bytes.Contains(b, []byte(dir)) && !slices.ContainsFunc(also, func(a string) bool { return !bytes.Contains(b, []byte(a)) }) {
			pids = append(pids, e.Name())
		}
	}
	return pids
}

// failures maps each failed spec ID to its sorted diagnostic codes.
func failures(r *result.Report) map[result.SpecID][]string {
	out := map[result.SpecID][]string{}
	for _, s := range r.Specs {
		if s.State == result.StateFailed {
			codes := s.Codes()
			sort.Strings(codes)
			out[s.ID] = codes
		}
	}
	return out
}

func TestRunEmbeddedDefaultPassesEverySpec(t *testing.T) {
	res := runBinary(t, nil, "run")
	if res.code != exitOK {
		t.Fatalf("exit code = %d, want %d\nstdout:\n%s\nstderr:\n%s", res.code, exitOK, res.stdout, res.stderr)
	}
	if res.report == nil {
		t.Fatal("report.json missing or unreadable")
	}
	listed := listSpecIDs(t)
	var got []result.SpecID
	for _, s := range res.report.Specs {
		got = append(got, s.ID)
		if s.State != result.StatePassed {
			t.Errorf("%s state = %s (%s %v), want passed", s.ID, s.State, s.Reason, s.Codes())
		}
	}
	if !slices.Equal(got, listed) {
		t.Errorf("report specs = %v, want every listed spec %v", got, listed)
	}
	if res.report.Verdict != result.VerdictConformant || res.report.SchemaVersion != result.SchemaVersion {
		t.Errorf("verdict/schema = %q/%d, want %q/%d", res.report.Verdict, res.report.SchemaVersion, result.VerdictConformant, result.SchemaVersion)
	}
	b, err := os.ReadFile(filepath.Join(res.reportDir, reports.JUnitFile))
	if err != nil {
		t.Fatal(err)
	}
	var junit struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal(b, &junit); err != nil {
		t.Fatalf("junit.xml does not parse: %v", err)
	}
	if junit.Tests != len(listed) || junit.Failures != 0 {
		t.Errorf("junit tests/failures = %d/%d, want %d/0", junit.Tests, junit.Failures, len(listed))
	}
	for _, mode := range []string{"mode:jwt", "mode:supabase"} {
		if !slices.ContainsFunc(res.report.Specs, func(s result.Spec) bool { return slices.Contains(s.Labels, mode) }) {
			t.Errorf("the default run has no %s spec", mode)
		}
	}
	if !strings.Contains(res.stdout, "verdict: CONFORMANT") {
		t.Errorf("stdout has no conformant verdict line:\n%s", res.stdout)
	}
	assertClean(t, res)
}

func TestRunHostOnlyFailsWithExactlyCookieHostOnly(t *testing.T) {
	res := runBinary(t, nil, "run", "--fixture", "host-only")
	if res.code != exitFailed {
		t.Fatalf("exit code = %d, want %d\nstdout:\n%s\nstderr:\n%s", res.code, exitFailed, res.stdout, res.stderr)
	}
	if res.report == nil {
		t.Fatal("report.json missing or unreadable")
	}
	want := map[result.SpecID][]string{result.JWTCookie002: {"COOKIE_HOST_ONLY"}}
	if got := failures(res.report); !mapsEqual(got, want) {
		t.Errorf("failures = %v, want %v", got, want)
	}
	for _, s := range res.report.Specs {
		if s.State == result.StateWarned {
			t.Errorf("%s warned %v, want no warnings", s.ID, s.Codes())
		}
	}
	for _, want := range []string{"FAIL  JWT-COOKIE-002", "COOKIE_HOST_ONLY", "fix:", "DomainMismatch",
		"3 specs blocked by JWT-COOKIE-002 (COOKIE_HOST_ONLY mf_jwt_token is host-only): JWT-COOKIE-005, JWT-COOKIE-006, JWT-COOKIE-010",
		"what to fix, in this order (1 cause):\n 1. COOKIE_HOST_ONLY (fail) mf_jwt_token is host-only — JWT-COOKIE-002; blocks 3 specs\n"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, res.stdout)
		}
	}
	if strings.Contains(res.stdout, "BLKD") || strings.Count(res.stdout, "fix:") != 1 {
		t.Errorf("stdout has a line per blocked spec or the fix more than once:\n%s", res.stdout)
	}
	// The screenshots show what the specs judged: the app's probe path
	// (not its root page) and the embedding page; report.html shows each
	// once, however many specs carry it.
	var captions []string
	shots := map[string]bool{}
	for _, s := range res.report.Specs {
		for _, e := range s.Evidence {
			if e.Name != result.EvidenceScreenshot {
				continue
			}
			m, _ := e.Value.(map[string]any)
			caption, _ := m["caption"].(string)
			png, _ := m["png"].(string)
			if !slices.Contains(captions, caption) {
				captions = append(captions, caption)
			}
			shots[png] = true
		}
	}
	if len(captions) != 2 || !strings.Contains(captions[0], "probe path app.acme.test/api/me") || !strings.Contains(captions[1], "embeds the app") {
		t.Errorf("screenshot captions = %q, want the app's probe path and the embedding page", captions)
	}
	page, err := os.ReadFile(filepath.Join(res.reportDir, reports.HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(page), `<img src="data:image/png;base64,`); n != len(shots) {
		t.Errorf("report.html shows %d screenshots, want each of the %d once", n, len(shots))
	}
	sarif, err := os.ReadFile(filepath.Join(res.reportDir, reports.SARIFFile))
	if err != nil || !json.Valid(sarif) || !strings.Contains(string(sarif), `"ruleId": "COOKIE_HOST_ONLY"`) {
		t.Errorf("report.sarif = %.200s (%v), want a SARIF log with a COOKIE_HOST_ONLY result", sarif, err)
	}
	assertClean(t, res)
}

func TestRunInterruptedLeavesNothingBehind(t *testing.T) {
	tests := []struct {
		name string
		// ready says when to send SIGINT, given the TMPDIR and report dir.
		ready func(tmp, reportDir string) bool
	}{
		{"while Chromium starts", func(tmp, _ string) bool { return len(chromiumUsing(tmp)) > 0 }},
		// A renderer exists once a bundle's page loads: the evidence is
		// being gathered (Chromium alone, at its start, has none).
		{"while evidence is gathered", func(tmp, reportDir string) bool {
			_, err := os.Stat(filepath.Join(reportDir, "ginkgo.log"))
			return err == nil && len(chromiumUsing(tmp, "--type=renderer")) > 0
		}},
		{"while the reports are written", func(tmp, reportDir string) bool {
			_, err := os.Stat(filepath.Join(tmp, "mfconform-reports-pause"))
			return err == nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := shortTempDir(t)
			reportDir := t.TempDir()
			// The test build can pause before its reports; the others
			// need no hook and run the shipped binary.
			bin, env := binary, []string(nil)
			if strings.Contains(tt.name, "reports") {
				bin, env = hooked(t), []string{testHookEnv + "=3s"}
			}
			cmd := exec.Command(bin, "run", "--report-dir", reportDir, "--reference-secret-from-env")
			cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "AUTH_SECRET_KEY="+knownSecret, "SUPABASE_JWT_SECRET="+knownJWTSecret)
			cmd.Env = append(cmd.Env, env...)
			// Its own process group with default signal dispositions, as
			// from a terminal; the signal reaches mfconform as Ctrl-C's
			// SIGINT would (Chromium runs in a group of its own).
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			var stdout bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stdout
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(60 * time.Second)
			for !tt.ready(tmp, reportDir) && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if !tt.ready(tmp, reportDir) {
				_ = cmd.Process.Kill()
				t.Fatalf("the run never reached the point to interrupt:\n%s", stdout.String())
			}
			if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			signalled := time.Now()
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				// Logged, not asserted: speed is measured by benchmarks.
				t.Logf("stopped %s after SIGINT", time.Since(signalled).Round(time.Millisecond))
				r, rerr := reports.ReadJSON(filepath.Join(reportDir, reports.JSONFile))
				switch {
				case rerr != nil:
					t.Errorf("no report after SIGINT: %v", rerr)
				case strings.Contains(tt.name, "reports"):
					// The run had finished: the report says what it found,
					// and every file is whole.
					for _, f := range reports.Files {
						if st, err := os.Stat(filepath.Join(reportDir, f)); err != nil || st.Size() == 0 {
							t.Errorf("%s after SIGINT during report writing: %v", f, err)
						}
					}
				case r.Verdict != result.VerdictInterrupted && r.SetupError == "":
					t.Errorf("report after SIGINT has verdict %q, want %q", r.Verdict, result.VerdictInterrupted)
				}
				var ee *exec.ExitError
				if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
					t.Errorf("exit = %v, want code %d\n%s", err, exitInterrupted, stdout.String())
				}
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("mfconform did not stop after SIGINT (hang)\n%s", stdout.String())
			}
			assertClean(t, runResult{stdout: stdout.String(), reportDir: reportDir, tmpDir: tmp})
		})
	}
}

func TestRunEnvironmentAndUsageErrors(t *testing.T) {
	tests := []struct {
		name       string
		env        []string
		args       []string
		wantCode   int
		wantStderr string
		// wantReport: the run still writes report.json with the error.
		wantReport bool
	}{
		{"chromium missing", []string{"MFCONFORM_CHROMIUM=/nonexistent/chromium"}, []string{"run"}, exitToolError, "apt-get install", true},
		{"unknown mode", nil, []string{"run", "--mode", "ldap"}, exitToolError, "want jwt, supabase or all", true},
		{"bad label filter", nil, []string{"run", "--label-filter", "area:(cookie"}, exitToolError, "--label-filter", true},
		{"filter selects nothing", nil, []string{"run", "--mode", "jwt", "--label-filter", "area:browser"}, exitToolError, "selects no spec", true},
		{"a label no spec has", nil, []string{"run", "--label-filter", "area:cokie"}, exitToolError, "(did you mean area:cookie?)", true},
		{"unknown fixture", nil, []string{"run", "--fixture", "nope"}, exitToolError, "mfconform fixtures", true},
		{"bad fail-on", nil, []string{"run", "--fail-on", "never"}, exitToolError, "want fail or warn", true},
		{"missing waivers file", nil, []string{"run", "--waivers", "/nonexistent/w.yaml"}, exitToolError, "invalid waivers file", true},
		{"bad app origin", nil, []string{"run", "--app-origin", "http://app.example.com/x"}, exitToolError, "https origin", true},
		{"unknown command", nil, []string{"frobnicate"}, exitToolError, "unknown command", false},
		{"unknown flag", nil, []string{"run", "--nope"}, exitToolError, "unknown flag --nope", false},
		{"a typo in a flag", nil, []string{"run", "--fixtur", "host-only"}, exitToolError, "unknown flag --fixtur (did you mean --fixture?)", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runBinary(t, tt.env, tt.args...)
			if res.code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\nstderr: %s", res.code, tt.wantCode, res.stderr)
			}
			if !strings.Contains(res.stderr, tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", res.stderr, tt.wantStderr)
			}
			if strings.Contains(res.stderr, "panic") || strings.Contains(res.stderr, "goroutine ") {
				t.Errorf("stderr shows a panic:\n%s", res.stderr)
			}
			if tt.wantReport && (res.report == nil || res.report.SetupError == "" || res.report.Verdict != result.VerdictError) {
				t.Errorf("report = %+v, want a written report with the setup error and verdict %q", res.report, result.VerdictError)
			}
		})
	}
}

// TestRunBundleMissingFailsOnlyTheBrowserSpecs: without supabase-js's
// bundle the Supabase browser specs fail as an environment error (exit 3),
// the cookie specs (which need it too) are blocked, and everything else is
// still judged; without the @supabase/ssr bundle only the cookie specs are
// affected.
func TestRunBundleMissingFailsOnlyTheBrowserSpecs(t *testing.T) {
	tests := []struct {
		name, env, hint string
		failing         result.SpecID
		blocked         func(id result.SpecID) bool
	}{
		{name: "supabase-js", env: "MFCONFORM_SUPABASE_JS=/nonexistent/supabase.js", failing: result.SBBrowser001, hint: "mfconform bundles install DIR",
			blocked: func(id result.SpecID) bool {
				return id == result.SBBrowser002 || strings.HasPrefix(string(id), "SB-COOKIE-")
			}},
		{name: "@supabase/ssr", env: "MFCONFORM_SUPABASE_SSR=/nonexistent/supabase-ssr.js", failing: result.SBCookie001, hint: "MFCONFORM_SUPABASE_SSR names supabase-ssr.js built from @supabase/ssr",
			blocked: func(id result.SpecID) bool { return strings.HasPrefix(string(id), "SB-COOKIE-") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runBinary(t, []string{tt.env}, "run", "--mode", "supabase")
			if res.code != exitToolError {
				t.Errorf("exit code = %d, want %d\n%s%s", res.code, exitToolError, res.stdout, res.stderr)
			}
			if res.report == nil {
				t.Fatal("no report.json")
			}
			for _, s := range res.report.Specs {
				switch {
				case s.ID == tt.failing:
					if s.State != result.StateFailed || !slices.Contains(s.Codes(), "SETUP_FAILED") || !strings.Contains(s.Diagnostics[0].Observed, tt.hint) {
						t.Errorf("%s = %s %v %+v, want failed with SETUP_FAILED naming %s", s.ID, s.State, s.Codes(), s.Diagnostics, tt.hint)
					}
				case tt.blocked(s.ID):
					if s.State != result.StateBlocked {
						t.Errorf("%s = %s, want blocked", s.ID, s.State)
					}
				case s.State != result.StatePassed:
					t.Errorf("%s = %s (%s), want passed: only the browser specs need the bundle", s.ID, s.State, s.Reason)
				}
			}
			assertClean(t, res)
		})
	}
}

// TestHelp: every command's --help prints its own flags and exits 0, and a
// bad flag value fails before anything is written.
func TestHelp(t *testing.T) {
	res := runBinary(t, nil, "run", "--help")
	if res.code != exitOK {
		t.Fatalf("run --help exit = %d, want 0\n%s", res.code, res.stderr)
	}
	for _, f := range runner.Settings.Flags() {
		if !strings.Contains(res.stdout, "--"+f.Name) {
			t.Errorf("run --help does not list --%s", f.Name)
		}
	}
	for _, w := range []string{"Target flags:", "Network flags:", "Output flags:", "Behaviour flags:", "4    incomplete", "--targets FILE"} {
		if !strings.Contains(res.stdout, w) {
			t.Errorf("run --help lacks %q", w)
		}
	}
	for _, cmd := range []string{"specs", "fixtures", "serve-reference", "inspect", "report", "config", "version", "explain", "completion", "bundles", "docs"} {
		r := runBinary(t, nil, cmd, "--help")
		if r.code != exitOK || !strings.Contains(r.stdout, "Usage: mfconform "+cmd) {
			t.Errorf("%s --help exit %d:\n%s%s", cmd, r.code, r.stdout, r.stderr)
		}
	}
	dir := t.TempDir()
	cmd := exec.Command(binary, "run", "--timeout", "soon")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitToolError {
		t.Errorf("run --timeout soon: %v, want exit %d\n%s", err, exitToolError, out)
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("a bad flag value created %v in the working directory", entries)
	}
}

// shortTempDir is a TMPDIR for a child mfconform: short, so the run folder
// stays inside it (Chromium's socket paths are limited to 108 bytes).
func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("/tmp", "e")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func listSpecIDs(t *testing.T) []result.SpecID {
	t.Helper()
	res := runBinary(t, nil, "specs", "--json")
	if res.code != 0 {
		t.Fatalf("specs --json exit %d: %s", res.code, res.stderr)
	}
	var specs []struct{ ID result.SpecID }
	if err := json.Unmarshal([]byte(res.stdout), &specs); err != nil {
		t.Fatalf("specs --json: %v", err)
	}
	var ids []result.SpecID
	for _, s := range specs {
		ids = append(ids, s.ID)
	}
	return ids
}

func mapsEqual(a, b map[result.SpecID][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// TestExitCodesWaiversAndFailOn covers the graded exit codes that need a
// real run: warnings alone pass unless --fail-on warn (2); a waiver turns a
// failure into a pass and reports itself; an expired waiver does not.
func TestExitCodesWaiversAndFailOn(t *testing.T) {
	waivers := func(t *testing.T, yaml string) string {
		p := filepath.Join(t.TempDir(), "waivers.yaml")
		if err := os.WriteFile(p, []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name        string
		args        func(t *testing.T) []string
		wantCode    int
		wantState   map[result.SpecID]result.State
		wantProblem string
	}{
		{"warnings pass by default", func(*testing.T) []string {
			return []string{"run", "--fixture", "email-malformed"}
		}, exitOK, map[result.SpecID]result.State{result.JWTToken008: result.StateWarned}, ""},
		{"warnings fail with --fail-on warn", func(*testing.T) []string {
			return []string{"run", "--fixture", "email-malformed", "--fail-on", "warn"}
		}, exitWarned, map[result.SpecID]result.State{result.JWTToken008: result.StateWarned}, ""},
		{"a waiver makes a failure pass", func(t *testing.T) []string {
			return []string{"run", "--fixture", "host-only", "--waivers", waivers(t,
				"waivers:\n  - spec: JWT-COOKIE-002\n    reason: the app moves to login.acme.test next sprint\n  - code: TOKEN_EXPIRED\n    reason: stale\n")}
		}, exitOK, map[result.SpecID]result.State{result.JWTCookie002: result.StateWaived}, "TOKEN_EXPIRED matched nothing"},
		{"an expired waiver does not apply", func(t *testing.T) []string {
			return []string{"run", "--fixture", "host-only", "--waivers", waivers(t,
				"waivers:\n  - code: COOKIE_HOST_ONLY\n    reason: old\n    expires: 2020-01-01\n")}
		}, exitFailed, map[result.SpecID]result.State{result.JWTCookie002: result.StateFailed}, "expired on 2020-01-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runBinary(t, nil, tt.args(t)...)
			if res.code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\n%s%s", res.code, tt.wantCode, res.stdout, res.stderr)
			}
			if res.report == nil {
				t.Fatal("no report.json")
			}
			for _, s := range res.report.Specs {
				if want, ok := tt.wantState[s.ID]; ok && s.State != want {
					t.Errorf("%s state = %s, want %s", s.ID, s.State, want)
				}
			}
			if tt.wantProblem != "" && !slices.ContainsFunc(res.report.WaiverProblems, func(p string) bool { return strings.Contains(p, tt.wantProblem) }) {
				t.Errorf("waiver problems = %q, want one containing %q", res.report.WaiverProblems, tt.wantProblem)
			}
			assertClean(t, res)
		})
	}
}
