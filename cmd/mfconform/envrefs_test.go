package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mfconform/mfconform/harness/browser"
)

// TestFileCannotReadSecrets: a configuration file or a targets file that
// would send a secret to a target — an env: reference to one of
// mfconform's own secrets or to a CI secret the command line did not
// allow, or a command-line-only setting in a target's args — ends the run
// with exit 3, naming the file, the line and the reason, before anything
// is sent: the target (a canary listener on loopback) sees no connection
// and no Chromium is started (a stand-in for the browser leaves a marker
// when it runs). The variables' values appear nowhere.
func TestFileCannotReadSecrets(t *testing.T) {
	const ghToken, jobToken = "ghs_e2eGitHubTokenValue0123456789", "glcbt-e2eJobTokenValue0123456789"
	var conns atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			_ = c.Close()
		}
	}()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	login := "https://login.canary.test:" + port + "/login"
	app := "https://app.canary.test:" + port
	resolve := "*.canary.test=127.0.0.1"

	chromium, err := browser.FindChromium()
	if err != nil {
		t.Fatalf("this test needs a real Chromium: %v", err)
	}
	marker := filepath.Join(t.TempDir(), "chromium-started")
	wrapper := writeFile(t, "chromium", "#!/bin/sh\n: > "+quoteSh(marker)+"\nexec "+quoteSh(chromium)+` "$@"`+"\n")
	if err := os.Chmod(wrapper, 0o700); err != nil {
		t.Fatal(err)
	}
	env := []string{"MFCONFORM_CHROMIUM=" + wrapper, "GITHUB_TOKEN=" + ghToken, "CI_JOB_TOKEN=" + jobToken,
		"TEST_USER=alice", "SUPABASE_TEST_EMAIL=a@canary.test", "SUPABASE_TEST_PASSWORD=pw-1",
		"NEXT_PUBLIC_SUPABASE_URL=https://abcdefghijklmnopqrst.canary.test:" + port, "NEXT_PUBLIC_SUPABASE_KEY=sb_publishable_canary0123456789"}
	jwtFile := fmt.Sprintf("mode: jwt\njwt:\n  login_url: %s\n  app_url: %s\n", login, app)
	sbFile := fmt.Sprintf("mode: supabase\nsupabase:\n  app_origin: %s\n  login_script:\n    - navigate: %s/login\n", app, app)
	configTarget := writeFile(t, "target.yaml", jwtFile+"  login_method: POST\n  login_form:\n    user: env:TEST_USER\n    token: env:GITHUB_TOKEN\n")

	tests := []struct {
		name string
		args []string
		want []string // in stderr: the file and line, the reason
	}{
		{"a form field posts AUTH_SECRET_KEY",
			[]string{"run", "--config", writeFile(t, "form.yaml", jwtFile+"  login_method: POST\n  login_form:\n    user: env:TEST_USER\n    k: env:AUTH_SECRET_KEY\n"), "--resolve", resolve},
			[]string{"form.yaml:8:8: jwt.login_form field k may not read $AUTH_SECRET_KEY: it is mfconform's own secret"}},
		{"a login script types GITHUB_TOKEN",
			[]string{"run", "--config", writeFile(t, "script.yaml", jwtFile+"  login_script:\n    - navigate: "+login+"\n    - fill: \"#p\"\n      env: GITHUB_TOKEN\n"), "--resolve", resolve},
			[]string{"script.yaml:8:12: jwt.login_script step 2 may not fill from $GITHUB_TOKEN: it is in the GITHUB_* namespace", "--allow-env NAME"}},
		{"a Supabase sign-in types CI_JOB_TOKEN",
			[]string{"run", "--config", writeFile(t, "sb.yaml", sbFile+"    - fill: \"#email\"\n      env: SUPABASE_TEST_EMAIL\n    - fill: \"#p\"\n      env: CI_JOB_TOKEN\n"), "--resolve", resolve},
			[]string{"sb.yaml:9:12: supabase.login_script step 3 may not fill from $CI_JOB_TOKEN: it is in the CI_* namespace"}},
		{"a target's args post GITHUB_TOKEN",
			[]string{"run", "--targets", writeFile(t, "args.yaml", "targets:\n  - name: t1\n    args: [--login-url, "+login+", --app-url, "+app+", --resolve, '"+resolve+"',\n      --login-method, POST, --login-form, k=env:GITHUB_TOKEN]\n")},
			[]string{"args.yaml:2:5: target 1 (t1): args' --login-form k may not read $GITHUB_TOKEN: it is in the GITHUB_* namespace"}},
		{"a target's args name a secret file",
			[]string{"run", "--targets", writeFile(t, "secretfile.yaml", "targets:\n  - name: t1\n    args: [--login-url, "+login+", --secret-file, /etc/hostname]\n")},
			[]string{"secretfile.yaml:2:5: target 1 (t1): args may not set --secret-file, which is command-line only"}},
		{"a target's args allow themselves a secret",
			[]string{"run", "--targets", writeFile(t, "allow.yaml", "targets:\n  - name: t1\n    args: [--allow-env, GITHUB_TOKEN, --login-url, "+login+"]\n")},
			[]string{"allow.yaml:2:5: target 1 (t1): args may not set --allow-env", "mfconform run --targets FILE --allow-env"}},
		{"a target's configuration file posts GITHUB_TOKEN",
			[]string{"run", "--targets", writeFile(t, "config.yaml", "targets:\n  - name: t1\n    config: "+configTarget+"\n    args: [--resolve, '"+resolve+"']\n")},
			[]string{"target t1: ", "target.yaml:8:12: jwt.login_form field token may not read $GITHUB_TOKEN"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := conns.Load()
			res := runBinary(t, env, tt.args...)
			if res.code != exitToolError {
				t.Errorf("exit = %d, want %d\nstdout:\n%s\nstderr:\n%s", res.code, exitToolError, res.stdout, res.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(res.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, res.stderr)
				}
			}
			if n := conns.Load() - before; n != 0 {
				t.Errorf("the target received %d connections: something was sent before the file was refused", n)
			}
			if _, err := os.Stat(marker); err == nil {
				t.Errorf("Chromium was started before the file was refused")
				_ = os.Remove(marker)
			}
			for _, v := range []string{ghToken, jobToken} {
				if strings.Contains(res.stdout+res.stderr, v) {
					t.Errorf("the output shows a variable's value")
				}
			}
			assertClean(t, res)
		})
	}
}
