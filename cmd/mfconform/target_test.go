package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/harness/reference"
	"github.com/mfconform/mfconform/reports"
	"github.com/mfconform/mfconform/suites/result"
)

// staging is a reference deployment started as a separate process on
// other host names, reached exactly as a customer's deployment would be.
type staging struct {
	loginURL, appURL, caFile string
}

// startStaging runs `mfconform serve-reference` in its own process and
// reads where it listens from its env file (secrets never on stdout). It
// signs with the known key (opted in with --secret-from-env), so the runs
// against it can hold that key. extra adds serve-reference flags (a
// fixture).
func startStaging(t *testing.T, extra ...string) staging {
	t.Helper()
	vars, caFile, _ := serveReference(t, append([]string{"--mode", "jwt", "--secret-from-env",
		"--login-host", "login.staging.test", "--app-host", "app.staging.test", "--embed-host", "embed.partner.test"}, extra...)...)
	return staging{loginURL: vars["MFCONFORM_LOGIN_URL"], appURL: vars["MFCONFORM_APP_URL"], caFile: caFile}
}

// serveReference runs `mfconform serve-reference args…` in its own process
// until the test ends and returns the variables of its env file, its CA
// file and the banner it printed.
func serveReference(t *testing.T, args ...string) (vars map[string]string, caFile, banner string) {
	t.Helper()
	dir := t.TempDir()
	envFile := filepath.Join(dir, "staging.env")
	caFile = filepath.Join(dir, "ca.pem")
	cmd := exec.Command(binary, append(append([]string{"serve-reference"}, args...), "--env-out", envFile, "--ca-out", caFile)...)
	cmd.Env = append(os.Environ(), "AUTH_SECRET_KEY="+knownSecret, "TMPDIR="+shortTempDir(t))
	// The banner's "env file" line comes once the env file is written.
	banner = startUntil(t, cmd, "env file")
	return readEnvFile(t, envFile), caFile, banner
}

// runTarget runs mfconform against a target with a clean environment:
// only AUTH_SECRET_KEY (when given) and what the case adds.
func runTarget(t *testing.T, secret string, extraEnv []string, args ...string) runResult {
	t.Helper()
	res := runResult{reportDir: t.TempDir(), tmpDir: shortTempDir(t)}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, append(args, "--report-dir", res.reportDir)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + res.tmpDir}
	if secret != "" {
		cmd.Env = append(cmd.Env, "AUTH_SECRET_KEY="+secret)
	}
	cmd.Env = append(cmd.Env, extraEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		res.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run: %v", err)
	}
	res.stdout, res.stderr = stdout.String(), stderr.String()
	if r, err := reports.ReadJSON(filepath.Join(res.reportDir, reports.JSONFile)); err == nil {
		res.report = r
	}
	return res
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestTargetRuns checks each run shape against a deployment in another
// process: full, backend-only, app-only, POST and scripted logins, and the
// private CA; then environment failures, each exit 3 with a clear message.
func TestTargetRuns(t *testing.T) {
	st := startStaging(t)
	origin := strings.TrimSuffix(st.loginURL, "/login")
	resolve := []string{"--resolve", "*.staging.test=127.0.0.1", "--ca-file", st.caFile}
	creds := []string{"TEST_USER=alice", "TEST_PASSWORD=" + reference.FormPassword}
	scriptText := `jwt:
  login_url: ` + st.loginURL + `
  app_url: ` + st.appURL + `
  login_script:
    - navigate: ` + origin + `/form
    - fill: "#username"
      env: TEST_USER
    - fill: "#password"
      env: TEST_PASSWORD
    - click: "#submit"
    - wait_cookie: mf_jwt_token
network:
  resolve: ["*.staging.test=127.0.0.1"]
  ca_file: ` + st.caFile + `
`
	script := writeFile(t, "script.yaml", scriptText)
	// A listener that accepts and never answers: a target that hangs.
	hang, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hang.Close()
	go func() {
		for {
			c, err := hang.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	_, hangPort, _ := net.SplitHostPort(hang.Addr().String())
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	_, closedPort, _ := net.SplitHostPort(closed.Addr().String())
	closed.Close()
	fast := writeFile(t, "fast.yaml", "timeouts:\n  navigation: 3s\n  evidence: 15s\n  probe: 3s\n  script: 3s\n")
	// A selector typo in the script: the page loads, the click finds
	// nothing. The script's failure, not the network's (C4).
	typo := writeFile(t, "typo.yaml", strings.Replace(scriptText, `- click: "#submit"`, `- click: "#submitt"`, 1)+
		"timeouts:\n  navigation: 3s\n  evidence: 20s\n")

	tests := []struct {
		name     string
		secret   string
		env      []string
		args     []string
		wantCode int
		want     string                         // in stdout or stderr
		unjudged map[result.SpecID]result.State // spec → its state (out_of_scope, not_judged, passed…)
	}{
		{"full", knownSecret, nil, append([]string{"run", "--login-url", st.loginURL, "--app-url", st.appURL}, resolve...), exitOK, "verdict: CONFORMANT", nil},
		{"backend-only", knownSecret, nil, append([]string{"run", "--login-url", st.loginURL, "--app-url", "reference"}, resolve...), exitOK, "the reference app at https://mfconform-app.staging.test",
			map[result.SpecID]result.State{result.JWTApp001: result.StateOutOfScope, result.JWTApp002: result.StatePassed, result.JWTCookie006: result.StatePassed}},
		{"app-only", knownSecret, nil, append([]string{"run", "--app-url", st.appURL}, resolve...), exitOK, "20 specs out of scope: app-only run (no --login-url)",
			map[result.SpecID]result.State{result.JWTCookie001: result.StateOutOfScope, result.JWTToken001: result.StateOutOfScope, result.JWTApp002: result.StateOutOfScope, result.JWTToken009: result.StatePassed}},
		{"app-only without the secret is incomplete", "", nil, append([]string{"run", "--app-url", st.appURL}, resolve...), exitIncomplete, "verdict: INCOMPLETE (8 specs not judged without AUTH_SECRET_KEY)",
			// JWT-APP-005's tampered payload needs the key: its keyless
			// probes were refused, but the title is not judged whole (issue 22, A7).
			map[result.SpecID]result.State{result.JWTApp001: result.StateNotJudged, result.JWTApp004: result.StateNotJudged, result.JWTToken009: result.StateNotJudged,
				result.JWTApp005: result.StateNotJudged, result.JWTApp006: result.StatePassed, result.JWTApp010: result.StatePassed}},
		{"--allow-incomplete", "", nil, append([]string{"run", "--app-url", st.appURL, "--allow-incomplete"}, resolve...), exitOK, "verdict: INCOMPLETE", nil},
		{"no secret", "", nil, append([]string{"run", "--login-url", st.loginURL, "--app-url", st.appURL}, resolve...), exitIncomplete, "AUTH_SECRET_KEY: JWT-APP-001, JWT-TOKEN-003, JWT-TOKEN-009",
			map[result.SpecID]result.State{result.JWTToken003: result.StateNotJudged, result.JWTApp004: result.StateNotJudged, result.JWTApp002: result.StatePassed, result.JWTApp006: result.StatePassed}},
		{"secret file", "", nil, append([]string{"run", "--login-url", st.loginURL, "--app-url", st.appURL, "--secret-file", writeFile(t, "key", knownSecret+"\n")}, resolve...), exitOK, "verdict: CONFORMANT", nil},
		{"POST login", knownSecret, creds, append([]string{"run", "--login-url", st.loginURL, "--app-url", st.appURL, "--login-method", "POST",
			"--login-form", "username=env:TEST_USER", "--login-form", "password=env:TEST_PASSWORD"}, resolve...), exitOK, "verdict: CONFORMANT", nil},
		{"POST login with a wrong password", knownSecret, []string{"TEST_USER=alice", "TEST_PASSWORD=wrong"}, append([]string{"run", "--login-url", st.loginURL, "--app-url", st.appURL, "--login-method", "POST",
			"--login-form", "username=env:TEST_USER", "--login-form", "password=env:TEST_PASSWORD"}, resolve...), exitFailed, "COOKIE_NOT_SET", nil},
		{"scripted login", knownSecret, creds, []string{"run", "--config", script}, exitOK, "verdict: CONFORMANT", nil},
		{"scripted login with a selector typo", knownSecret, creds, []string{"run", "--config", typo}, exitToolError, "LOGIN_SCRIPT_FAILED",
			map[result.SpecID]result.State{result.JWTCookie001: result.StateFailed}},
		{"private CA not given", knownSecret, nil, []string{"run", "--login-url", st.loginURL, "--app-url", st.appURL, "--resolve", "*.staging.test=127.0.0.1"}, exitToolError, "ERR_CERT_AUTHORITY_INVALID", nil},
		{"unresolvable host", knownSecret, nil, []string{"run", "--login-url", "https://login.nowhere.invalid/login", "--app-url", "reference", "--app-host", "app.nowhere.invalid"}, exitToolError, "ERR_NAME_NOT_RESOLVED", nil},
		{"connection refused", knownSecret, nil, []string{"run", "--config", fast, "--login-url", "https://login.staging.test:" + closedPort + "/login", "--app-url", "reference", "--resolve", "*.staging.test=127.0.0.1"}, exitToolError, "ERR_CONNECTION_REFUSED", nil},
		{"target hangs", knownSecret, nil, []string{"run", "--config", fast, "--login-url", "https://login.staging.test:" + hangPort + "/login", "--app-url", "reference", "--resolve", "*.staging.test=127.0.0.1"}, exitToolError, "LOGIN_UNREACHABLE", nil},
		{"missing form variable", knownSecret, nil, append([]string{"run", "--login-url", st.loginURL, "--app-url", st.appURL, "--login-method", "POST", "--login-form", "password=env:NOT_SET_ANYWHERE"}, resolve...), exitToolError, "$NOT_SET_ANYWHERE is not set", nil},
	}
	// What an environment failure's finding must say (its cause and the
	// fix that names the flag), and must not.
	says := map[string]struct{ also, never []string }{
		"scripted login with a selector typo": {[]string{"login step 4 (click #submitt)", "/form (HTTP 200)", "document.querySelector"},
			[]string{"LOGIN_UNREACHABLE", "does not resolve"}},
		"private CA not given": {[]string{"authority this machine does not trust", "--ca-file FILE"}, []string{"DNS, connection or TLS"}},
		"unresolvable host":    {[]string{"login.nowhere.invalid (or a host its redirects lead to) does not resolve", "--resolve login.nowhere.invalid=IP"}, nil},
		"connection refused": {[]string{"login.staging.test:" + closedPort + " (127.0.0.1:" + closedPort + ", mapped by the host rule *.staging.test=127.0.0.1) was refused",
			"Start the service on port " + closedPort}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			res := runTarget(t, tt.secret, tt.env, tt.args...)
			t.Logf("%s: exit %d in %s", tt.name, res.code, time.Since(start).Round(time.Millisecond))
			if res.code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\nstdout:\n%s\nstderr:\n%s", res.code, tt.wantCode, res.stdout, res.stderr)
			}
			for _, w := range append([]string{tt.want}, says[tt.name].also...) {
				if !strings.Contains(res.stdout+res.stderr, w) {
					t.Errorf("output lacks %q:\n%s%s", w, res.stdout, res.stderr)
				}
			}
			for _, w := range says[tt.name].never {
				if strings.Contains(res.stdout+res.stderr, w) {
					t.Errorf("output holds %q:\n%s%s", w, res.stdout, res.stderr)
				}
			}
			if res.report == nil {
				t.Fatal("no report.json written")
			}
			if tt.name == "scripted login with a selector typo" && !hasScreenshot(res.report, result.JWTCookie001) {
				t.Errorf("JWT-COOKIE-001 shows no screenshot of the page the step failed on")
			}
			for id, want := range tt.unjudged {
				for _, s := range res.report.Specs {
					if s.ID == id && s.State != want {
						t.Errorf("%s = %s (%q), want %s", id, s.State, s.Reason, want)
					}
				}
			}
			if tt.wantCode == exitOK {
				for _, s := range res.report.Specs {
					if s.State == result.StateFailed {
						t.Errorf("%s failed: %v %s", s.ID, s.Codes(), s.Failure)
					}
				}
			}
			assertClean(t, res)
			if strings.Contains(res.stdout+res.stderr, reference.FormPassword) && tt.name != "POST login with a wrong password" {
				t.Errorf("the login form password reached the output")
			}
		})
	}
}

// hasScreenshot reports whether spec id of r carries a screenshot.
func hasScreenshot(r *result.Report, id result.SpecID) bool {
	for _, s := range r.Specs {
		for _, e := range s.Evidence {
			if s.ID == id && e.Name == result.EvidenceScreenshot {
				return true
			}
		}
	}
	return false
}

// TestAppOnlyWithoutSecretCatchesAlgNone runs the no-secret app-only check
// against an app that accepts unsigned tokens: the probes that need no key
// still judge it, and the run fails (exit 1) rather than ending incomplete.
func TestAppOnlyWithoutSecretCatchesAlgNone(t *testing.T) {
	st := startStaging(t, "--fixture", "app-accepts-alg-none")
	res := runTarget(t, "", nil, "run", "--app-url", st.appURL, "--resolve", "*.staging.test=127.0.0.1", "--ca-file", st.caFile)
	if res.code != exitFailed {
		t.Errorf("exit code = %d, want %d\n%s%s", res.code, exitFailed, res.stdout, res.stderr)
	}
	if res.report == nil {
		t.Fatal("no report.json written")
	}
	for _, s := range res.report.Specs {
		if s.ID == result.JWTApp006 && (s.State != result.StateFailed || !slices.Contains(s.Codes(), "APP_ACCEPTS_ALG_NONE")) {
			t.Errorf("JWT-APP-006 = %s %v, want failed with APP_ACCEPTS_ALG_NONE", s.State, s.Codes())
		}
	}
	assertClean(t, res)
}

// TestSupabaseTargetWithoutSecret checks a Supabase project in another
// process as a customer would — the two public variables and a test user,
// no JWT secret: the anon key minted with the project's previous secret is
// caught through PostgREST (SB-KEY-006 fails, exit 1), and the specs that
// need the secret say so.
func TestSupabaseTargetWithoutSecret(t *testing.T) {
	vars, caFile, _ := serveReference(t, "--mode", "supabase", "--fixture", "sb-stale-anon-key")
	env := []string{"NEXT_PUBLIC_SUPABASE_URL=" + vars["NEXT_PUBLIC_SUPABASE_URL"], "NEXT_PUBLIC_SUPABASE_KEY=" + vars["NEXT_PUBLIC_SUPABASE_KEY"],
		"SUPABASE_TEST_EMAIL=" + vars["SUPABASE_TEST_EMAIL"], "SUPABASE_TEST_PASSWORD=" + vars["SUPABASE_TEST_PASSWORD"]}
	res := runTarget(t, "", env, "run", "--app-origin", "https://app.staging.test", "--ca-file", caFile,
		"--resolve", "*.supabase.test=127.0.0.1", "--resolve", "app.staging.test=127.0.0.1")
	if res.code != exitFailed {
		t.Errorf("exit code = %d, want %d\n%s%s", res.code, exitFailed, res.stdout, res.stderr)
	}
	if res.report == nil {
		t.Fatal("no report.json")
	}
	want := map[result.SpecID]result.State{result.SBKey006: result.StateFailed, result.SBSession004: result.StateNotJudged, result.SBSession002: result.StateNotJudged,
		result.SBSession003: result.StatePassed, result.SBSession005: result.StatePassed, result.SBBrowser002: result.StatePassed}
	for _, s := range res.report.Specs {
		if w, ok := want[s.ID]; ok && s.State != w {
			t.Errorf("%s = %s (%s %v), want %s", s.ID, s.State, s.Reason, s.Codes(), w)
		}
		if s.ID == result.SBKey006 && !slices.Contains(s.Codes(), "SUPABASE_KEY_SIGNATURE") {
			t.Errorf("SB-KEY-006 codes = %v, want SUPABASE_KEY_SIGNATURE", s.Codes())
		}
	}
	if !strings.Contains(res.stdout, "SUPABASE_JWT_SECRET: SB-SESSION-002, SB-SESSION-004") {
		t.Errorf("stdout does not name SUPABASE_JWT_SECRET as the missing input:\n%s", res.stdout)
	}
	for _, secret := range []string{vars["SUPABASE_JWT_SECRET"], vars["SUPABASE_TEST_PASSWORD"]} {
		if strings.Contains(res.stdout+res.stderr, secret) {
			t.Errorf("output shows a secret (%.6s…)", secret)
		}
	}
	assertClean(t, res)
}

// TestConfigCheck validates configuration files and shows the effective
// configuration with secrets as fingerprints only.
func TestConfigCheck(t *testing.T) {
	good := writeFile(t, "good.yaml", "mode: jwt\njwt:\n  login_url: https://login.example.com/login\n  app_url: reference\n  login_form:\n    password: literal-password-value\ntimeouts:\n  navigation: 7s\n")
	bad := writeFile(t, "bad.yaml", "mode: jwt\njwt:\n  login_url: https://login.example.com/login\n  colour: blue\n")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
		never    []string
	}{
		{"valid file, flag wins over file", []string{"config", "check", "--config", good, "--probe-path", "/whoami"}, exitOK,
			[]string{"navigation: 7s", "probe_path: /whoami", "configuration is valid", "AUTH_SECRET_KEY", "sha256:", "(a literal value, set)"}, []string{knownSecret, "literal-password-value"}},
		{"unknown key names its line and column, and the keys wanted, not its text", []string{"config", "check", "--config", bad}, exitToolError,
			[]string{"bad.yaml:4:3: an unknown key in jwt", "app_url, app_host"}, []string{"colour", "blue"}},
		{"invalid value", []string{"config", "check", "--login-url", "login.example.com"}, exitToolError, []string{"not an absolute http(s) URL"}, nil},
		{"the same validation as run: --fail-on", []string{"config", "check", "--fail-on", "bogus"}, exitToolError, []string{"--fail-on \"bogus\""}, nil},
		{"the same validation as run: --app-origin", []string{"config", "check", "--app-origin", "http://x/y"}, exitToolError, []string{"--app-origin"}, nil},
		{"a config file cannot choose the browser binary", []string{"config", "check", "--config", writeFile(t, "chromium.yaml", "mode: jwt\nchromium: /tmp/evil.sh\n")}, exitToolError, []string{"chromium.yaml:2:1: chromium: --chromium is command-line only"}, []string{"evil.sh"}},
		{"a fixture with a real target", []string{"config", "check", "--fixture", "host-only", "--login-url", "https://login.example.com/login"}, exitToolError, []string{"cannot be combined with a real target"}, nil},
		{"a fixture of another mode", []string{"config", "check", "--fixture", "sb-anon-key", "--mode", "jwt"}, exitToolError, []string{"supabase-mode fixture"}, nil},
		{"credentials in URLs are not shown", []string{"config", "check", "--proxy", "http://user:hunter2pass@proxy.example:3128"}, exitOK, []string{"proxy.example:3128"}, []string{"hunter2pass"}},
		{"every host served and reached, with where it resolves", []string{"config", "check", "--login-url", "https://login.example.test/login", "--app-url", "reference", "--resolve", "login.example.test=127.0.0.2"}, exitOK,
			[]string{"mfconform-app.example.test", "→ 127.0.0.1 (mfconform's map) — the reference app verifying your backend's tokens", "embed.mfconform-other.test",
				"login.example.test", "→ 127.0.0.2 (--resolve login.example.test=127.0.0.2) — named by --login-url"}, nil},
		{"a host of yours that mfconform would serve", []string{"config", "check", "--login-url", "https://login.example.test/login", "--app-url", "reference", "--app-host", "login.example.test"}, exitToolError,
			[]string{"--login-url names login.example.test, which is where mfconform serves the reference app"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runBinary(t, nil, tt.args...)
			if res.code != tt.wantCode {
				t.Errorf("exit = %d, want %d\n%s%s", res.code, tt.wantCode, res.stdout, res.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(res.stdout+res.stderr, w) {
					t.Errorf("output lacks %q:\n%s%s", w, res.stdout, res.stderr)
				}
			}
			for _, n := range tt.never {
				if strings.Contains(res.stdout+res.stderr, n) {
					t.Errorf("output shows a secret (%.8s…)", n)
				}
			}
		})
	}
}
