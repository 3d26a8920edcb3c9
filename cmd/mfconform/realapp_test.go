package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/fixtures/fixturetest"
	"github.com/mfconform/mfconform/harness/clientsite"
	"github.com/mfconform/mfconform/harness/pki"
	"github.com/mfconform/mfconform/harness/ssrserver"
	"github.com/mfconform/mfconform/harness/supabaseref"
	"github.com/mfconform/mfconform/suites/result"
)

// serverSide is an app's own server side as @supabase/ssr's
// createServerClient reads the session (ssrserver.Read), built with
// projectURL ("" is the project's own; another URL names another cookie)
// and the project's key; it asks the project on 127.0.0.1, which is where
// the test serves it.
func serverSide(t *testing.T, dep *supabaseref.Deployment, ca *pki.Authority, projectURL string) func(*http.Request) (string, string) {
	t.Helper()
	if projectURL == "" {
		projectURL = dep.URL
	}
	client := projectClient(t, ca)
	cfg := ssrserver.Config{ProjectURL: projectURL, Key: dep.Key, Client: client, Timeout: 10 * time.Second}
	return func(r *http.Request) (string, string) {
		a := ssrserver.Read(r.Context(), cfg, r)
		return a.UserID, a.Reason
	}
}

// projectClient reaches the reference project over TLS trusting ca, every
// name dialled at 127.0.0.1, where the test serves it.
func projectClient(t *testing.T, ca *pki.Authority) *http.Client {
	t.Helper()
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(ca.CertPEM)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			_, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			return (&net.Dialer{}).DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
		},
	}}
	t.Cleanup(client.CloseIdleConnections)
	return client
}

// realAppConfig is the configuration an operator writes for an app with
// its own sign-in page and server side (docs/staging.md, "Supabase app's own
// sign-in"); extra is appended to the supabase: section.
func realAppConfig(app string, logout bool, extra string) string {
	s := `supabase:
  login_script:
    - navigate: ` + app + `/app/login
    - fill: "#email"
      env: SUPABASE_TEST_EMAIL
    - fill: "#password"
      env: SUPABASE_TEST_PASSWORD
    - click: "#sign-in"
    - wait: "#sign-out"
  server_check:
    url: ` + app + `/api/me
    user_field: id
`
	if logout {
		s += `  logout_script:
    - navigate: ` + app + `/app/dashboard
    - click: "#sign-out"
    - wait: "#signed-out"
`
	}
	return s + extra
}

// TestRealAppOwnServerSide is issue 21's "done when": an app served on
// 127.0.0.2 with its own sign-in page and server side, reached only
// through --resolve. A correct setup is CONFORMANT with SB-COOKIE-006 and
// 007 judged on the app itself (the evidence names the app's URLs), and
// each broken variant fails with exactly its code: a server side that
// reads another project's cookie name; a signed-in page its server refuses
// (the login script's wait fails while the session is stored); a stale
// SUPABASE_JWT_SECRET with a good key. An app embedded with SameSite=None
// host-only cookies passes SB-COOKIE-006. The rows with node: true run the
// app's server side on the real @supabase/ssr createServerClient under
// Node (nodeServerSide), not on the Go model, so SB-COOKIE-007 is judged
// against a stack mfconform did not write.
func TestRealAppOwnServerSide(t *testing.T) {
	embedded := &clientsite.AppProfile{Storage: clientsite.StorageCookies, SameSite: "none", Secure: true, Embedded: true}
	passed := result.StatePassed
	tests := []struct {
		name     string
		opts     remoteOptions
		logout   bool
		extra    string            // more of the supabase: section, then any other
		env      map[string]string // overrides of the project's variables
		wantCode int
		// want is each spec's state where it is not passed; codes the
		// codes of the specs that fail or warn.
		want  map[result.SpecID]result.State
		codes map[result.SpecID]string
		embed bool // SB-COOKIE-006 embeds the app's dashboard
	}{
		{name: "a correct setup", opts: remoteOptions{server: true}, logout: true, wantCode: exitOK,
			want: map[result.SpecID]result.State{result.SBCookie004: result.StateOutOfScope}},
		{name: "a correct setup, its server side on the real createServerClient under Node", opts: remoteOptions{server: true, node: true}, logout: true, wantCode: exitOK,
			want: map[result.SpecID]result.State{result.SBCookie004: result.StateOutOfScope}},
		{name: "embedded with SameSite=None host-only cookies", opts: remoteOptions{server: true, profile: embedded}, logout: true,
			extra: "  embedded: true\n  embed_url: APP/app/dashboard\n", wantCode: exitOK, embed: true,
			want: map[result.SpecID]result.State{result.SBCookie004: result.StateOutOfScope}},
		{name: "the server side reads another project's cookie name", opts: remoteOptions{server: true, serverURL: "https://otherprojectrefabcdefgh.supabase.test"},
			logout: true, wantCode: exitFailed,
			want:  map[result.SpecID]result.State{result.SBCookie004: result.StateOutOfScope, result.SBCookie007: result.StateFailed},
			codes: map[result.SpecID]string{result.SBCookie007: "SUPABASE_SERVER_NOT_SIGNED_IN"}},
		{name: "the real createServerClient under Node reads another project's cookie name", opts: remoteOptions{server: true, node: true, serverURL: "https://otherprojectrefabcdefgh.supabase.test"},
			logout: true, wantCode: exitFailed,
			want:  map[result.SpecID]result.State{result.SBCookie004: result.StateOutOfScope, result.SBCookie007: result.StateFailed},
			codes: map[result.SpecID]string{result.SBCookie007: "SUPABASE_SERVER_NOT_SIGNED_IN"}},
		{name: "the signed-in page is refused by its server: the script's wait fails, the session is stored",
			opts:   remoteOptions{server: true, serverURL: "https://otherprojectrefabcdefgh.supabase.test", gate: true},
			logout: true, extra: "timeouts:\n  navigation: 6s\n", wantCode: exitFailed,
			want: map[result.SpecID]result.State{result.SBCookie001: result.StateWarned, result.SBCookie004: result.StateOutOfScope,
				result.SBCookie007: result.StateFailed, result.SBCookie008: result.StateBlocked},
			codes: map[result.SpecID]string{result.SBCookie001: "SUPABASE_LOGIN_SCRIPT_STEP_FAILED", result.SBCookie007: "SUPABASE_SERVER_NOT_SIGNED_IN"}},
		{name: "a stale SUPABASE_JWT_SECRET with a good key", opts: remoteOptions{server: true}, logout: true,
			env: map[string]string{"SUPABASE_JWT_SECRET": "the-previous-project-secret-0123456789ab"}, wantCode: exitFailed,
			want: map[result.SpecID]result.State{result.SBCookie004: result.StateOutOfScope, result.SBSession002: result.StateFailed,
				result.SBSession004: result.StateBlocked, result.SBKey006: result.StateBlocked},
			codes: map[result.SpecID]string{result.SBSession002: "SUPABASE_JWT_SECRET_MISMATCH"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := startRemoteApp(t, tt.opts)
			extra := strings.ReplaceAll(tt.extra, "APP", d.appURL)
			config := writeFile(t, "sb.yaml", realAppConfig(d.appURL, tt.logout, extra))
			var env []string
			for k, v := range d.vars {
				if o, ok := tt.env[k]; ok {
					v = o
				}
				env = append(env, k+"="+v)
			}
			res := runTarget(t, "", env, "run", "--config", config, "--app-origin", d.appURL, "--ca-file", d.caFile,
				"--resolve", remoteAppHost+"=127.0.0.2", "--resolve", "*.supabase.test=127.0.0.1")
			if res.code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\n%s%s", res.code, tt.wantCode, res.stdout, res.stderr)
			}
			if res.report == nil {
				t.Fatal("no report.json written")
			}
			for _, s := range res.report.Specs {
				want, ok := tt.want[s.ID]
				if !ok {
					want = passed
				}
				if s.State != want {
					t.Errorf("%s = %s (%s %v), want %s", s.ID, s.State, s.Reason, s.Codes(), want)
				}
				if got, want := strings.Join(s.Codes(), ","), tt.codes[s.ID]; (s.State == result.StateFailed || s.State == result.StateWarned) && got != want {
					t.Errorf("%s codes = %s, want %s", s.ID, got, want)
				}
				switch s.ID {
				case result.SBCookie007:
					if u := evidenceField(s, "server side", "url"); u != d.appURL+"/api/me" {
						t.Errorf("SB-COOKIE-007 judged %q, want the app's own server side %s/api/me", u, d.appURL)
					}
					if s.State == result.StateFailed && !strings.Contains(s.Diagnostics[0].Observed, "sb-abcdefghijklmnopqrst-auth-token") {
						t.Errorf("SB-COOKIE-007 observed = %q, want the cookies sent named", s.Diagnostics[0].Observed)
					}
				case result.SBCookie006:
					if got := evidenceField(s, "embedding", "iframe of"); tt.embed && got != d.appURL+"/app/dashboard" {
						t.Errorf("SB-COOKIE-006 embedded %q, want the app's own page %s/app/dashboard", got, d.appURL)
					}
				case result.SBCookie001:
					if s.State == result.StateWarned && !slices.ContainsFunc(s.Evidence, func(e result.Named) bool { return e.Name == result.EvidenceScreenshot }) {
						t.Error("SB-COOKIE-001 reports the failed step without its screenshot")
					}
				}
			}
			if c := fixturetest.Contradictions(res.report); len(c) > 0 {
				t.Errorf("the report contradicts itself: %v", c)
			}
			if strings.Contains(res.stdout+res.stderr, "ERR_CONNECTION_REFUSED") {
				t.Errorf("the app was not reached:\n%s", res.stdout)
			}
			assertClean(t, res)
			if testing.Verbose() {
				t.Log(res.stdout)
			}
		})
	}
}

// evidenceField is field of the spec's evidence name (a map), as text.
func evidenceField(s result.Spec, name, field string) string {
	for _, e := range s.Evidence {
		if e.Name == name {
			m, _ := e.Value.(map[string]any)
			v, _ := m[field].(string)
			return v
		}
	}
	return ""
}
