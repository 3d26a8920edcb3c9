package main

import (
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/suites/result"
)

// startSupabaseStaging runs `mfconform serve-reference --mode supabase` in
// its own process — a Supabase project and an app whose own sign-in page
// keeps the session with @supabase/ssr — and returns its env file's
// variables (the project's, the test user's, MFCONFORM_SUPABASE_APP_URL,
// MFCONFORM_CA_FILE). extra adds serve-reference flags (a fixture).
func startSupabaseStaging(t *testing.T, extra ...string) map[string]string {
	t.Helper()
	vars, _, banner := serveReference(t, append([]string{"--mode", "supabase", "--app-host", "app.staging.test"}, extra...)...)
	if !strings.Contains(banner, "/app/login") {
		t.Fatalf("serve-reference serves no app sign-in page:\n%s", banner)
	}
	return vars
}

// TestSupabaseLoginScript signs in through the app's own sign-in page of a
// Supabase deployment in another process (serve-reference), with
// supabase.login_script and logout_script, and judges the cookies the app
// itself stored; the same deployment with a host-only fixture fails exactly
// the Domain spec; without a script, the specs about the app's own cookie
// choices are out of scope.
func TestSupabaseLoginScript(t *testing.T) {
	script := func(app, ca string, logout bool) string {
		s := `supabase:
  login_script:
    - navigate: ` + app + `/app/login
    - fill: "#email"
      env: SUPABASE_TEST_EMAIL
    - fill: "#password"
      env: SUPABASE_TEST_PASSWORD
    - click: "#sign-in"
    - wait: "#sign-out"
`
		if logout {
			s += `  logout_script:
    - navigate: ` + app + `/app/dashboard
    - click: "#sign-out"
    - wait: "#signed-out"
`
		}
		return s + `network:
  resolve: ["*.staging.test=127.0.0.1", "*.supabase.test=127.0.0.1"]
  ca_file: ` + ca + "\n"
	}
	envOf := func(v map[string]string) []string {
		var out []string
		for _, k := range []string{"NEXT_PUBLIC_SUPABASE_URL", "NEXT_PUBLIC_SUPABASE_KEY", "SUPABASE_TEST_EMAIL", "SUPABASE_TEST_PASSWORD", "SUPABASE_JWT_SECRET"} {
			out = append(out, k+"="+v[k])
		}
		return out
	}
	good := startSupabaseStaging(t)
	hostOnly := startSupabaseStaging(t, "--fixture", "sb-cookie-host-only")
	tests := []struct {
		name      string
		vars      map[string]string
		args      func(v map[string]string) []string
		wantCode  int
		want      map[result.SpecID]result.State // spec → state; every other SB-COOKIE spec must pass
		wantCode4 string
	}{
		{name: "login_script and logout_script", vars: good, wantCode: exitOK,
			args: func(v map[string]string) []string {
				return []string{"run", "--app-origin", "https://app.staging.test", "--session-host", "api.staging.test", "--config", writeFile(t, "sb.yaml", script(v["MFCONFORM_SUPABASE_APP_URL"], v["MFCONFORM_CA_FILE"], true))}
			}},
		{name: "the app's own cookies are host-only while api.staging.test must share them", vars: hostOnly, wantCode: exitFailed,
			args: func(v map[string]string) []string {
				return []string{"run", "--app-origin", "https://app.staging.test", "--session-host", "api.staging.test", "--config", writeFile(t, "sb.yaml", script(v["MFCONFORM_SUPABASE_APP_URL"], v["MFCONFORM_CA_FILE"], true))}
			},
			want: map[result.SpecID]result.State{result.SBCookie004: result.StateFailed, result.SBCookie007: result.StateBlocked}, wantCode4: "SUPABASE_COOKIE_HOST_ONLY"},
		{name: "host-only cookies and no host named to share them: no false failure", vars: hostOnly, wantCode: exitOK,
			args: func(v map[string]string) []string {
				return []string{"run", "--app-origin", "https://app.staging.test", "--config", writeFile(t, "sb.yaml", script(v["MFCONFORM_SUPABASE_APP_URL"], v["MFCONFORM_CA_FILE"], true))}
			},
			want: map[result.SpecID]result.State{result.SBCookie004: result.StateOutOfScope, result.SBCookie007: result.StateOutOfScope}},
		{name: "login_script without logout_script", vars: good, wantCode: exitIncomplete,
			args: func(v map[string]string) []string {
				return []string{"run", "--app-origin", "https://app.staging.test", "--session-host", "api.staging.test", "--config", writeFile(t, "sb.yaml", script(v["MFCONFORM_SUPABASE_APP_URL"], v["MFCONFORM_CA_FILE"], false))}
			},
			want: map[result.SpecID]result.State{result.SBCookie008: result.StateNotJudged}},
		{name: "no script: mfconform's page, and says so", vars: hostOnly, wantCode: exitOK,
			args: func(v map[string]string) []string {
				return []string{"run", "--app-origin", "https://app.staging.test", "--resolve", "*.staging.test=127.0.0.1", "--resolve", "*.supabase.test=127.0.0.1", "--ca-file", v["MFCONFORM_CA_FILE"]}
			},
			want: map[result.SpecID]result.State{result.SBCookie004: result.StateOutOfScope, result.SBCookie005: result.StateOutOfScope, result.SBCookie006: result.StateOutOfScope, result.SBCookie007: result.StateOutOfScope, result.SBCookie008: result.StateOutOfScope}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			res := runTarget(t, "", envOf(tt.vars), tt.args(tt.vars)...)
			t.Logf("exit %d in %s", res.code, time.Since(start).Round(time.Millisecond))
			if res.code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\n%s%s", res.code, tt.wantCode, res.stdout, res.stderr)
			}
			if res.report == nil {
				t.Fatal("no report.json written")
			}
			for _, s := range res.report.Specs {
				if !strings.HasPrefix(string(s.ID), "SB-COOKIE-") {
					if s.State != result.StatePassed {
						t.Errorf("%s = %s (%s %v), want passed", s.ID, s.State, s.Reason, s.Codes())
					}
					continue
				}
				want := tt.want[s.ID]
				if want == "" {
					want = result.StatePassed
				}
				if s.State != want {
					t.Errorf("%s = %s (%s %v), want %s", s.ID, s.State, s.Reason, s.Codes(), want)
				}
				if s.ID == result.SBCookie004 && tt.wantCode4 != "" && strings.Join(s.Codes(), ",") != tt.wantCode4 {
					t.Errorf("SB-COOKIE-004 codes = %v, want %s", s.Codes(), tt.wantCode4)
				}
				if s.ID == result.SBCookie001 && s.State == result.StatePassed {
					writer := ""
					for _, e := range s.Evidence {
						if e.Name == "writer" {
							writer, _ = e.Value.(string)
						}
					}
					script := !strings.HasPrefix(tt.name, "no script")
					if strings.Contains(writer, "driven by supabase.login_script") != script {
						t.Errorf("SB-COOKIE-001 writer = %q, want the login_script %v", writer, script)
					}
				}
			}
			assertClean(t, res)
			if p := tt.vars["SUPABASE_TEST_PASSWORD"]; strings.Contains(res.stdout+res.stderr, p) {
				t.Error("the test user's password reached the output")
			}
		})
	}
}
