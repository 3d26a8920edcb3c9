package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/reports"
	"github.com/mfconform/mfconform/suites/result"
)

// TestRunAndConfigCheckRejectTheSameInputs: every bad input goes through
// both `run` and `config check` — the one validation they share,
// runner.Prepare — and both exit 3 with the same message, before
// anything starts. run still leaves a report saying why, except for a
// command-line mistake (nothing ran).
func TestRunAndConfigCheckRejectTheSameInputs(t *testing.T) {
	ca := t.TempDir() + "/key.pem"
	if err := os.WriteFile(ca, []byte("-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		env   []string
		args  []string
		want  string
		usage bool // a command-line mistake: no report
	}{
		{name: "a CA file that is not there", args: []string{"--ca-file", "/nonexistent.pem"}, want: `--ca-file "/nonexistent.pem": no such file or directory`},
		{name: "a CA file that is a key", args: []string{"--ca-file", ca}, want: "holds a private key"},
		{name: "a CA file that is empty", args: []string{"--ca-file", writeFile(t, "empty.pem", "")}, want: "holds no PEM certificate"},
		{name: "a CA file from the environment", env: []string{"MFCONFORM_CA_FILE=/nonexistent.pem"}, want: `MFCONFORM_CA_FILE "/nonexistent.pem"`},
		{name: "a CA file from the configuration file", args: []string{"--config", writeFile(t, "ca.yaml", "network:\n  ca_file: /nonexistent.pem\n")}, want: `line 2: network.ca_file "/nonexistent.pem"`},
		{name: "a configuration file that is not there", args: []string{"--config", "/nonexistent.yaml"}, want: "--config: open /nonexistent.yaml"},
		{name: "an unknown key in the configuration file", args: []string{"--config", writeFile(t, "k.yaml", "mode: jwt\nnetwork:\n  resolv: []\n")}, want: "k.yaml:3:3: an unknown key in network"},
		{name: "a waivers file that is not there", args: []string{"--waivers", "/nonexistent/w.yaml"}, want: "invalid waivers file"},
		{name: "a waiver for a spec that does not exist", args: []string{"--waivers", writeFile(t, "w.yaml", "waivers:\n  - spec: JWT-COOKIE-060\n    reason: r\n")},
			want: `waiver 1: its spec is no spec of mfconform's (did you mean JWT-COOKIE-006 or JWT-COOKIE-010?)`},
		{name: "a waiver for a code that does not exist", args: []string{"--waivers", writeFile(t, "w.yaml", "waivers:\n  - code: COOKIE_SAMESITE_NOTNONE\n    reason: r\n")},
			want: `its code is no diagnostic code of mfconform's (did you mean COOKIE_SAMESITE_NOT_NONE?)`},
		{name: "a fixture typo", args: []string{"--fixture", "samesite-lx"}, want: `--fixture "samesite-lx": no such fixture (did you mean samesite-lax?)`},
		{name: "an unknown label", args: []string{"--label-filter", "area:cokie"}, want: `no spec has the label "area:cokie" (did you mean area:cookie?)`},
		{name: "a label filter that does not parse", args: []string{"--label-filter", "area:(cookie"}, want: "--label-filter"},
		{name: "a label filter that selects nothing", args: []string{"--mode", "jwt", "--label-filter", "area:browser"}, want: "selects no spec"},
		{name: "an unknown mode", args: []string{"--mode", "ldap"}, want: "want jwt, supabase or all"},
		{name: "an unknown mode from the environment", env: []string{"MFCONFORM_MODE=ldap"}, want: `MFCONFORM_MODE "ldap"`},
		{name: "a login URL that is not one", args: []string{"--login-url", "login.example.com"}, want: "not an absolute http(s) URL"},
		{name: "an app origin that is not one", args: []string{"--app-origin", "http://app.example.com/x"}, want: "https origin"},
		{name: "a resolve rule without an address", args: []string{"--resolve", "app.example.test"}, want: "want HOST=IP"},
		{name: "a login script step with two actions", args: []string{"--config", writeFile(t, "s.yaml",
			"jwt:\n  login_url: https://login.example.test/\n  app_url: https://app.example.test/\n  login_script:\n    - navigate: https://login.example.test/\n      click: '#go'\n")},
			want: "want exactly one of navigate"},
		{name: "a login script filling from an unset variable", args: []string{"--config", writeFile(t, "e.yaml",
			"jwt:\n  login_url: https://login.example.test/\n  app_url: https://app.example.test/\n  login_script:\n    - fill: '#email'\n      env: TEST_USER_NOT_SET_HERE\n")},
			want: "$TEST_USER_NOT_SET_HERE, which is not set"},
		{name: "a secret file that is not there", args: []string{"--secret-file", "/nonexistent/key"}, env: []string{"AUTH_SECRET_KEY="}, want: "--secret-file"},
		{name: "a browser binary that is not there", args: []string{"--chromium", "/nonexistent/chromium"}, want: `--chromium "/nonexistent/chromium" is not an executable`},
		{name: "a host of yours that mfconform would serve", args: []string{"--login-url", "https://login.example.test/login", "--app-url", "reference", "--app-host", "login.example.test"},
			want: "--login-url names login.example.test, which is where mfconform serves the reference app"},
		{name: "an unknown flag", args: []string{"--resolv", "a=127.0.0.1"}, want: "unknown flag --resolv (did you mean --resolve?)", usage: true},
		{name: "a flag value that does not parse", args: []string{"--timeout", "soon"}, want: "want a duration", usage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reportDir := t.TempDir() + "/r"
			args := append(slices.Clone(tt.args), "--report-dir", reportDir)
			var first []string
			for _, cmd := range [][]string{{"run"}, {"config", "check"}} {
				code, _, stderr := runQuick(t, tt.env, append(slices.Clone(cmd), args...)...)
				line, _, _ := strings.Cut(stderr, "\n")
				if code != exitToolError {
					t.Errorf("%s: exit %d, want %d\n%s", cmd[0], code, exitToolError, stderr)
				}
				if !strings.Contains(line, tt.want) {
					t.Errorf("%s: stderr %q, want it to contain %q", cmd[0], line, tt.want)
				}
				first = append(first, line)
			}
			if first[0] != first[1] {
				t.Errorf("run and config check say different things:\n  run:          %s\n  config check: %s", first[0], first[1])
			}
			r, err := reports.ReadJSON(reportDir + "/" + reports.JSONFile)
			switch {
			case tt.usage && err == nil:
				t.Errorf("a command-line mistake wrote a report")
			case !tt.usage && (err != nil || r.Verdict != result.VerdictError || !strings.Contains(first[0], r.SetupError)):
				t.Errorf("run's report = %v %+v, want verdict %q with the same error", err, r, result.VerdictError)
			}
		})
	}
}

// runQuick runs the binary with args and the environment plus env, for a
// command that ends before anything starts.
func runQuick(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(append(os.Environ(), "TMPDIR="+shortTempDir(t)), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run %v: %v", args, err)
	}
	return code, stdout.String(), stderr.String()
}
