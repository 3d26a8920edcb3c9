package main

import (
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/mfconform/mfconform/harness/clientsite"
	"github.com/mfconform/mfconform/harness/pki"
	"github.com/mfconform/mfconform/harness/supabaseref"
	"github.com/mfconform/mfconform/suites/result"
)

// remoteApp is a Supabase deployment as an operator's staging would be:
// the app listens on 127.0.0.2 only, under a name no DNS knows, so only
// the operator's --resolve rule reaches it.
type remoteApp struct {
	appURL, caFile string
	vars           map[string]string
}

// remoteAppHost is the app's name; no DNS answers for .test.
const remoteAppHost = "app.example.test"

// remoteOptions shape the app startRemoteApp serves.
type remoteOptions struct {
	// allowed, given the app's origin, is the project's CORS allow-list
	// (nil answers every origin, as Kong does).
	allowed func(appOrigin string) []string
	// profile is how the app keeps its session (zero:
	// clientsite.DefaultAppProfile).
	profile *clientsite.AppProfile
	// server gives the app its own server side (/api/me): a
	// createServerClient built with the project's URL, or with
	// serverURL when set (another project's, so it reads another cookie
	// name); gate makes it send a signed-out visitor of the dashboard
	// back to the sign-in page, as a middleware does.
	server    bool
	serverURL string
	gate      bool
	// node runs that server side on the real @supabase/ssr under Node
	// (nodeServerSide) rather than on the Go model (serverSide).
	node bool
}

// startRemoteApp serves a reference Supabase project (on 127.0.0.1, its
// own name mapped by --resolve too) and an app with its own sign-in page
// on 127.0.0.2, shaped by o.
func startRemoteApp(t *testing.T, o remoteOptions) remoteApp {
	t.Helper()
	allowed := o.allowed
	// The app's port is chosen first: the project's allow-list names the
	// app's origin, and the app is built with the project's URL.
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Fatalf("bind 127.0.0.2 (Linux answers the whole 127.0.0.0/8): %v", err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	_ = ln.Close()
	appURL := "https://" + net.JoinHostPort(remoteAppHost, port)

	project := supabaseref.DefaultProfile()
	if allowed != nil {
		project.CORS.AllowedOrigins = allowed(appURL)
	}
	ca, err := pki.New([]string{remoteAppHost, project.Host()})
	if err != nil {
		t.Fatal(err)
	}
	dep, err := supabaseref.Start(project, ca)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dep.Close() })
	js, err := clientsite.FindBundle()
	if err != nil {
		t.Fatal(err)
	}
	ssr, err := clientsite.FindSSRBundle()
	if err != nil {
		t.Fatal(err)
	}
	profile := clientsite.DefaultAppProfile()
	if o.profile != nil {
		profile = *o.profile
	}
	caFile := writeFile(t, "ca.pem", string(ca.CertPEM))
	a := &clientsite.App{SupabaseURL: dep.URL, Key: dep.Key, Profile: profile, GateDashboard: o.gate}
	switch {
	case o.server && o.node:
		a.Server = nodeServerSide(t, dep, caFile, o.serverURL)
	case o.server:
		a.Server = serverSide(t, dep, ca, o.serverURL)
	case o.node:
		t.Fatal("remoteOptions: node without server")
	}
	app, err := clientsite.StartWith(clientsite.Options{
		Host: remoteAppHost, Addr: "127.0.0.2:" + port, Bundle: js, SSRBundle: ssr, CA: ca, App: a,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Close() })
	if app.URL != appURL {
		t.Fatalf("the app listens at %s, want %s", app.URL, appURL)
	}
	return remoteApp{appURL: appURL, caFile: caFile, vars: map[string]string{
		"NEXT_PUBLIC_SUPABASE_URL": dep.URL, "NEXT_PUBLIC_SUPABASE_KEY": dep.Key,
		"SUPABASE_TEST_EMAIL": dep.Email, "SUPABASE_TEST_PASSWORD": dep.Password, "SUPABASE_JWT_SECRET": string(dep.JWTSecret),
	}}
}

// TestAppReachedThroughResolve runs Supabase mode against an app that
// only the operator's `--resolve app.example.test=127.0.0.2` reaches: the
// login script drives the app's own sign-in page there (mfconform used to
// map the app's name to 127.0.0.1 for its own page, which won over the
// rule: ERR_CONNECTION_REFUSED), mfconform's pages live beside the app,
// and CORS is judged for the app's own origin — also when the project
// allows that origin only, where a judgment from mfconform's page would
// have been a false failure.
func TestAppReachedThroughResolve(t *testing.T) {
	tests := []struct {
		name     string
		allowed  func(appOrigin string) []string
		wantCode int
		want     map[result.SpecID]result.State // spec → state
		want001  string                         // SB-BROWSER-001's code when it fails
	}{
		{name: "the project answers every origin", wantCode: exitOK,
			want: map[result.SpecID]result.State{result.SBBrowser001: result.StatePassed, result.SBBrowser002: result.StatePassed, result.SBCookie001: result.StatePassed, result.SBCookie008: result.StatePassed}},
		{name: "the project allows the app's origin only", allowed: func(o string) []string { return []string{o} }, wantCode: exitIncomplete,
			want: map[result.SpecID]result.State{result.SBBrowser001: result.StatePassed, result.SBBrowser002: result.StateNotJudged, result.SBCookie001: result.StatePassed, result.SBCookie008: result.StatePassed}},
		{name: "the project allows another origin only", allowed: func(string) []string { return []string{"https://another-app.example"} }, wantCode: exitFailed,
			want: map[result.SpecID]result.State{result.SBBrowser001: result.StateFailed}, want001: "SUPABASE_CORS_BLOCKED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := startRemoteApp(t, remoteOptions{allowed: tt.allowed})
			config := writeFile(t, "sb.yaml", `supabase:
  login_script:
    - navigate: `+d.appURL+`/app/login
    - fill: "#email"
      env: SUPABASE_TEST_EMAIL
    - fill: "#password"
      env: SUPABASE_TEST_PASSWORD
    - click: "#sign-in"
    - wait: "#sign-out"
  logout_script:
    - navigate: `+d.appURL+`/app/dashboard
    - click: "#sign-out"
    - wait: "#signed-out"
`)
			var env []string
			for k, v := range d.vars {
				env = append(env, k+"="+v)
			}
			res := runTarget(t, "", env, "run", "--config", config, "--app-origin", d.appURL, "--ca-file", d.caFile,
				"--resolve", remoteAppHost+"=127.0.0.2", "--resolve", "*.supabase.test=127.0.0.1")
			if res.code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\n%s%s", res.code, tt.wantCode, res.stdout, res.stderr)
			}
			if strings.Contains(res.stdout+res.stderr, "ERR_CONNECTION_REFUSED") {
				t.Errorf("the app was not reached:\n%s", res.stdout)
			}
			if res.report == nil {
				t.Fatal("no report.json written")
			}
			seen := map[result.SpecID]bool{}
			for _, s := range res.report.Specs {
				want, ok := tt.want[s.ID]
				if !ok {
					continue
				}
				seen[s.ID] = true
				if s.State != want {
					t.Errorf("%s = %s (%s %v), want %s", s.ID, s.State, s.Reason, s.Codes(), want)
				}
				if s.ID == result.SBBrowser001 {
					checkJudgedOrigin(t, s, d.appURL, tt.want001)
				}
				if s.ID == result.SBCookie001 && s.State == result.StatePassed && !strings.Contains(evidenceText(s, "writer"), "ended on "+d.appURL) {
					t.Errorf("SB-COOKIE-001 writer = %q, want the app's own page at %s", evidenceText(s, "writer"), d.appURL)
				}
			}
			for id := range tt.want {
				if !seen[id] {
					t.Errorf("the report has no %s", id)
				}
			}
			assertClean(t, res)
		})
	}
}

// checkJudgedOrigin: SB-BROWSER-001 says it judged the app's own origin
// and fails, if it does, with exactly code.
func checkJudgedOrigin(t *testing.T, s result.Spec, appURL, code string) {
	t.Helper()
	var cors map[string]any
	for _, e := range s.Evidence {
		if e.Name == "cors" {
			cors, _ = e.Value.(map[string]any)
		}
	}
	if cors["origin"] != appURL || !strings.HasPrefix(cors["page_origin"].(string), "https://mfconform-client.example.test:") {
		t.Errorf("SB-BROWSER-001 evidence cors = %v, want origin %s judged and mfconform's page beside the app", cors, appURL)
	}
	if got := strings.Join(s.Codes(), ","); got != code {
		t.Errorf("SB-BROWSER-001 codes = %s, want %q", got, code)
	}
}

// evidenceText is the spec's evidence of that name, as text.
func evidenceText(s result.Spec, name string) string {
	for _, e := range s.Evidence {
		if e.Name == name {
			v, _ := e.Value.(string)
			return v
		}
	}
	return ""
}
