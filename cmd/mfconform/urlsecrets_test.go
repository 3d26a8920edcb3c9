package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/runner"
	"github.com/mfconform/mfconform/harness/reference"
	"github.com/mfconform/mfconform/reports"
	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/redact"
	"github.com/mfconform/mfconform/suites/result"
)

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	return port
}

// withUser puts user:password@ into raw's authority.
func withUser(t *testing.T, raw, user, password string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(user, password)
	return u.String()
}

// TestURLPasswordsNeverShown runs mfconform with a password in every URL
// it takes — login, app, Supabase project, proxy, a login script's page —
// reachable or not, and checks the console and every report: no password
// shows, as given or percent-decoded.
func TestURLPasswordsNeverShown(t *testing.T) {
	st := startStaging(t)
	origin := strings.TrimSuffix(st.loginURL, "/login")
	resolve := []string{"--resolve", "*.staging.test=127.0.0.1", "--resolve", "*.urlpw.test=127.0.0.1", "--ca-file", st.caFile}
	closed := closedPort(t)
	const (
		loginPW  = "login-Pw7Qz2Lm9Xc4"
		appPW    = "app-Pw3Rt8Vn1Bk6"
		sbPW     = "sb-Pw5Hj2Wq9Ls3"
		proxyPW  = "proxy-Pw4Df7Gh1Jk8"
		scriptPW = "script-Pw@6Yu3Io0"
		shortPW  = "pw" // shorter than any secret: hidden as user:xxxxx@
	)
	tests := []struct {
		name      string
		args      []string
		env       []string
		passwords []string
	}{
		{
			name: "unreachable login and app URLs",
			args: append([]string{"run", "--mode", "jwt", "--login-url", "https://alice:" + loginPW + "@login.urlpw.test:" + closed + "/login",
				"--app-url", "https://bob:" + appPW + "@app.urlpw.test:" + closed}, resolve...),
			passwords: []string{loginPW, appPW},
		},
		{
			name: "a deployment that answers",
			args: append([]string{"run", "--mode", "jwt", "--login-url", withUser(t, st.loginURL, "alice", loginPW),
				"--app-url", withUser(t, st.appURL, "bob", shortPW)}, resolve...),
			passwords: []string{loginPW, "bob:" + shortPW + "@"},
		},
		{
			name: "an unreachable Supabase project",
			args: append([]string{"run", "--mode", "supabase", "--app-origin", "https://app.urlpw.test"}, resolve...),
			env: []string{"NEXT_PUBLIC_SUPABASE_URL=https://carol:" + sbPW + "@abcdefghijklmnopqrst.urlpw.test:" + closed,
				"NEXT_PUBLIC_SUPABASE_KEY=sb_publishable_urlpw0123456789", "SUPABASE_TEST_EMAIL=u@urlpw.test", "SUPABASE_TEST_PASSWORD=test-user-pw-1"},
			passwords: []string{sbPW},
		},
		{
			name: "an unreachable proxy",
			args: append([]string{"run", "--mode", "jwt", "--login-url", st.loginURL, "--app-url", st.appURL,
				"--proxy", "http://dave:" + proxyPW + "@127.0.0.1:" + closed}, resolve...),
			passwords: []string{proxyPW},
		},
		{
			name: "a login script's page",
			args: append([]string{"run", "--mode", "jwt", "--config", writeFile(t, "script.yaml", fmt.Sprintf(
				"jwt:\n  login_url: %s\n  app_url: %s\n  login_script:\n    - navigate: %s/form\n    - fill: \"#username\"\n      env: TEST_USER\n"+
					"    - fill: \"#password\"\n      env: TEST_PASSWORD\n    - click: \"#submit\"\n    - wait_cookie: mf_jwt_token\n",
				st.loginURL, st.appURL, withUser(t, origin, "erin", scriptPW)))}, resolve...),
			env:       []string{"TEST_USER=alice", "TEST_PASSWORD=" + reference.FormPassword},
			passwords: []string{scriptPW, url.UserPassword("erin", scriptPW).String()},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runBinary(t, tt.env, tt.args...)
			t.Logf("exit %d: %s", res.code, headline(res.stdout+res.stderr))
			if res.report == nil {
				t.Fatalf("no report.json\n%s%s", res.stdout, res.stderr)
			}
			outputs := map[string]string{"stdout": res.stdout, "stderr": res.stderr}
			_ = filepath.WalkDir(res.reportDir, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					b, _ := os.ReadFile(p)
					outputs[filepath.Base(p)] = string(b)
				}
				return nil
			})
			for name, text := range outputs {
				for _, pw := range tt.passwords {
					forms := []string{pw, url.QueryEscape(pw), url.PathEscape(pw)}
					for _, f := range forms {
						if strings.Contains(text, f) {
							t.Errorf("%s shows a URL password (%.6s…)", name, f)
						}
					}
				}
			}
			assertClean(t, res)
		})
	}
}

// TestURLPasswordAtTheBoundary is the property behind
// TestURLPasswordsNeverShown for every code and report shape: once a run
// registers its URLs (as Run does), a finding of any catalogue code,
// evidence, a reason or a caption that quotes such a URL — as given,
// re-encoded, or its password alone — comes out of the judge boundary
// (judge.Scrubbed) without the password, and so does every report format
// and the console, in every spec state; a setup error too.
func TestURLPasswordAtTheBoundary(t *testing.T) {
	const pw = "boundary-Pw9Kd2Lq7Zx"
	raw := "https://frank:" + pw + "@login.boundary.test:8443/login"
	odd := "https://gina:pct%40" + pw + "@app.boundary.test/%zz" // does not parse
	known := &redact.Set{}
	for _, u := range []string{raw, odd} {
		known.AddURL(u)
	}
	parsed, _ := url.Parse(raw)
	quotes := []string{raw, parsed.String(), odd, "pct@" + pw, pw, "frank:" + pw, "Get \"" + raw + "\": refused"}
	text := strings.Join(quotes, " | ")
	var specs []result.Spec
	states := []result.State{result.StateFailed, result.StateWarned, result.StateBlocked, result.StateNotJudged, result.StateWaived}
	for i, e := range diag.All() {
		d := diag.New(e.Code, "an answer from "+raw, text).Proven("cause: "+text, "proof: "+text).Likely(diag.Maybe("guess: "+text, "tell: "+text))
		o := judge.Outcome{Findings: []diag.Diagnostic{d}, Shots: []result.Screenshot{{Caption: text, PNG: []byte{1}}},
			Unjudged: &result.Unjudged{Kind: result.StateNotJudged, Reason: text}}
		o.Show("url", raw)
		o.Show("nested", map[string]any{"urls": quotes, raw: text})
		o = judge.Scrubbed(o, known)
		s := o.Spec(result.SpecID(fmt.Sprintf("X-%03d", i)))
		s.Title, s.Labels, s.State, s.Evidence = "t", []string{"mode:jwt", "area:x"}, states[i%len(states)], o.Evidence
		s.Failure = strings.Join(func() []string {
			var out []string
			for _, d := range o.Findings {
				out = append(out, d.String())
			}
			return out
		}(), "\n")
		if s.State == result.StateWaived {
			s.Waiver = &result.Waiver{Spec: s.ID, Reason: "accepted"}
		}
		specs = append(specs, s)
	}
	cfg := runner.Defaults()
	cfg.JWT.LoginURL = raw
	dir := t.TempDir()
	cfg.ReportDir = dir
	rep, _ := runner.ReportError(cfg, errors.New("setup: "+text))
	rep.Specs = specs
	rep.Summarize()
	if err := reports.WriteAll(dir, rep); err != nil {
		t.Fatal(err)
	}
	var console bytes.Buffer
	for _, s := range rep.Specs {
		reports.PrintSpec(&console, s, rep.RootCauses)
	}
	reports.PrintSummary(&console, rep)
	outputs := map[string]string{"console": console.String()}
	for _, f := range reports.Files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		outputs[f] = string(b)
	}
	for name, out := range outputs {
		if strings.Contains(out, pw) {
			i := strings.Index(out, pw)
			t.Errorf("%s shows the URL password: …%s…", name, out[max(0, i-60):i])
		}
	}
	if !strings.Contains(outputs["report.json"], "frank:xxxxx@login.boundary.test") {
		t.Errorf("report.json does not show the URL with its password hidden (frank:xxxxx@…): the check above may prove nothing")
	}
}
