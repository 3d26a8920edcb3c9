package supabase

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/result"
)

const testServerCheck = testApp + "/api/me"

// realAppRun is goodCookieRun for an operator's app: signed in by its own
// login_script, its own server side named (supabase.server_check) and
// answering as the test user, no stand-in visited.
func realAppRun(t *testing.T) *Run {
	t.Helper()
	r := goodCookieRun(t)
	r.Target.Reference, r.Target.AppURL = false, testApp
	r.Target.LoginScript = []env.LoginStep{{Navigate: testApp + "/login"}, {Wait: "#account"}}
	r.Target.SessionHosts = nil
	r.Target.ServerCheck = env.ServerCheck{URL: testServerCheck, SignedInStatus: 200, UserField: "id"}
	r.Cookie.Writer, r.Cookie.SignIn, r.Cookie.Server = WriterScript, nil, nil
	r.Cookie.AppServer = &AppServerVisit{Check: r.Target.ServerCheck, URL: testServerCheck, Status: 200, FinalURL: testServerCheck,
		Verdicts: sent(r.Cookie.Cookies), Body: `{"id":"` + testUserID + `","email":"u@acme.test"}`}
	return r
}

// refusedBy makes the app's server side answer status (with location and
// body).
func refusedBy(status int, location, body string) func(*Run) {
	return func(r *Run) {
		v := r.Cookie.AppServer
		v.Status, v.Location, v.Body = status, location, body
		if location != "" {
			v.FinalURL = testApp + location
		}
	}
}

// TestServerCheck is SB-COOKIE-007 on the app's own server side (issue 21
// item 2) and on the stand-in, which never passes silently.
func TestServerCheck(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Run)
		want   want
		says   []string // in the finding's observation and cause, or the unjudged reason
	}{
		{"signed in as the test user", nil, passed(), nil},
		{"a dotted user field", func(r *Run) {
			r.Target.ServerCheck.UserField, r.Cookie.AppServer.Check.UserField = "user.id", "user.id"
			r.Cookie.AppServer.Body = `{"user":{"id":"` + testUserID + `"}}`
		}, passed(), nil},
		{"401 with every cookie sent: not signed in, hypotheses ranked with how to tell", refusedBy(401, "", `{"error":"Unauthorized"}`),
			failed(diag.SupabaseServerNotSignedIn),
			[]string{testKey + ".0 (", "bytes)", "HTTP 401", "Chromium sent every session cookie", "(1) The server side reads another cookie name", "cookies().getAll()", "(2)", "(3)"}},
		{"a redirect to the sign-in page", refusedBy(302, "/login", ``), failed(diag.SupabaseServerNotSignedIn), []string{"HTTP 302 to /login", "ended on " + testApp + "/login"}},
		{"the server's answer names the cookie it reads: proven", refusedBy(401, "", `{"error":"no sb-otherprojectrefxxxx-auth-token cookie"}`),
			failed(diag.SupabaseServerNotSignedIn), []string{"proven by: the server side's answer", "sb-otherprojectrefxxxx-auth-token", testKey}},
		{"another user", func(r *Run) { r.Cookie.AppServer.Body = `{"id":"someone-else"}` }, failed(diag.SupabaseServerNotSignedIn), []string{`"someone-else"`, "another user"}},
		{"the login_script stopped before: the finding says so", func(r *Run) {
			refusedBy(302, "/login", "")(r)
			r.Cookie.ScriptErr = errors.New(`login step 2 (wait "#account"): context deadline exceeded`)
		}, failed(diag.SupabaseServerNotSignedIn), []string{"the login_script stopped", "did not appear"}},
		{"200 without the user field: not judged, naming the key", func(r *Run) { r.Cookie.AppServer.Body = `{"email":"u@acme.test","role":"x"}` },
			notJudged(InputServerCheckField), []string{`no "id"`, "email, role", "--server-check-user-field"}},
		{"200 that is not JSON: not judged", func(r *Run) { r.Cookie.AppServer.Body = `Welcome back!` }, notJudged(InputServerCheckField), nil},
		{"404: not judged, naming the URL key", refusedBy(404, "", "not found"), notJudged(InputServerCheckURL), nil},
		{"a 500 is not signed in either", refusedBy(500, "", "boom"), failed(diag.SupabaseServerNotSignedIn), nil},
		{"a chunk withheld for its path: proven", func(r *Run) {
			r.Cookie.AppServer.Verdicts = sent(r.Cookie.Cookies, "NotOnPath")
			refusedBy(401, "", "")(r)
		}, failed(diag.SupabaseCookieNotDelivered), []string{"NotOnPath"}},
		{"host-only cookies while the server side is on another host, and SB-COOKIE-004 fails for it", func(r *Run) {
			r.Cookie.Cookies = chunked(t, testKey, "app.acme.test", true, network.CookieSameSiteLax)
			r.Target.SessionHosts = []string{"api.acme.test"}
			r.Cookie.AppServer.Verdicts = sent(r.Cookie.Cookies, "DomainMismatch")
		}, blockedBy(result.SBCookie004), nil},
		{"… and with no session host named, its own finding", func(r *Run) {
			r.Cookie.Cookies = chunked(t, testKey, "app.acme.test", true, network.CookieSameSiteLax)
			r.Cookie.AppServer.Verdicts = sent(r.Cookie.Cookies, "DomainMismatch")
		}, failed(diag.SupabaseCookieNotDelivered), []string{"DomainMismatch"}},
		{"the project refuses the session's token: SB-COOKIE-003's finding", func(r *Run) {
			refusedBy(401, "", "")(r)
			r.Cookie.Verify = &Answer{Status: 403, Body: []byte(`{"code":"bad_jwt","message":"invalid JWT"}`)}
		}, blockedBy(result.SBCookie003), nil},
		{"the page did not load", func(r *Run) {
			r.Cookie.AppServer = &AppServerVisit{URL: testServerCheck, Err: errors.New("net::ERR_CONNECTION_REFUSED")}
		},
			failed(diag.AppUnreachable), nil},
		{"the navigation was not made", func(r *Run) { r.Cookie.AppServer = nil }, failed(diag.SetupFailed), nil},
		{"no server side named, no session host: out of scope, naming the key", func(r *Run) { r.Target.ServerCheck = env.ServerCheck{} },
			outOfScope(scopeNoServer), []string{"supabase.server_check", "--server-check-url"}},
	}
	for _, tt := range tests {
		r := realAppRun(t)
		if tt.mutate != nil {
			tt.mutate(r)
		}
		o := verdict(r, result.SBCookie007)
		check(t, tt.name, o, tt.want)
		text := ""
		for _, d := range o.Findings {
			text += d.Observed + " " + d.Cause + " (proven by: " + d.ProvenBy + ") "
			for i, h := range d.Hypotheses {
				text += fmt.Sprintf("(%d) %s to tell: %s ", i+1, h.Cause, h.Tell)
			}
		}
		if o.Unjudged != nil {
			text += o.Unjudged.Reason
		}
		for _, w := range tt.says {
			if !strings.Contains(text, w) {
				t.Errorf("%s: SB-COOKIE-007 says %q, want it to contain %q", tt.name, text, w)
			}
		}
		if tt.want.state == result.StateFailed && len(o.Findings) > 0 && o.Findings[0].Code == diag.SupabaseServerNotSignedIn && strings.Contains(text, r.Cookie.Cookies[0].Value) {
			t.Errorf("%s: a cookie value in the finding", tt.name)
		}
	}
}

// TestStandInNeverSilent: without supabase.server_check, SB-COOKIE-007's
// evidence says a stand-in was judged, and for a real app that its server
// side was not.
func TestStandInNeverSilent(t *testing.T) {
	for _, tt := range []struct {
		name   string
		mutate func(*Run)
		says   []string
	}{
		{"the reference deployment", nil, []string{"the reference deployment's server side", "stand-in", "api.acme.test"}},
		{"a real app with a sibling named", realTargetNoScript, []string{"stand-in", "not your app's", "supabase.server_check", "--server-check-url"}},
	} {
		r := goodCookieRun(t)
		if tt.mutate != nil {
			tt.mutate(r)
		}
		o := verdict(r, result.SBCookie007)
		check(t, tt.name, o, passed())
		judged := ""
		for _, e := range o.Evidence {
			if e.Name == "judged" {
				judged, _ = e.Value.(string)
			}
		}
		for _, w := range tt.says {
			if !strings.Contains(judged, w) {
				t.Errorf("%s: evidence judged = %q, want it to contain %q", tt.name, judged, w)
			}
		}
	}
}

// TestSignInFromEvidence is issue 21 item 4 and A11 for SB-COOKIE-001.
func TestSignInFromEvidence(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Run)
		want   want
	}{
		{"the login_script's last wait failed, the session is stored: sign-in completed, the step reported", func(r *Run) {
			r.Cookie.ScriptErr = errors.New(`login step 2 (wait "#account"): context deadline exceeded`)
			r.Cookie.Shots = []result.Screenshot{{Caption: "the app page when the login_script stopped", PNG: []byte{1}}}
		}, warned(diag.SupabaseLoginScriptStepFailed)},
		{"A11: only chunk .1 stored, .0 written over the limit: nothing is read", func(r *Run) {
			r.Cookie.Cookies = r.Cookie.Cookies[1:]
			r.Cookie.Writes[0].Size = 4536
		}, failed(diag.SupabaseCookieChunkMissing)},
		{"A11: … and the cookie specs after it are blocked by it", nil, passed()},
	}
	for _, tt := range tests {
		r := realAppRun(t)
		if tt.mutate != nil {
			tt.mutate(r)
		}
		o := verdict(r, result.SBCookie001)
		check(t, tt.name, o, tt.want)
		if tt.want.state == result.StateWarned && len(o.Shots) == 0 {
			t.Errorf("%s: no screenshot with the failed step", tt.name)
		}
	}
	r := realAppRun(t)
	r.Cookie.Cookies = r.Cookie.Cookies[1:]
	check(t, "A11: SB-COOKIE-003 after an unreadable session", verdict(r, result.SBCookie003), blockedBy(result.SBCookie001))
}

// TestSignOutAfterARefusedPage: a logout_script that cannot run because
// the signed-in page never appeared is blocked by SB-COOKIE-007 when the
// app's server side refused the session, not reported as mfconform's set-up.
func TestSignOutAfterARefusedPage(t *testing.T) {
	r := realAppRun(t)
	refusedBy(302, "/login", "")(r)
	r.Cookie.ScriptErr = errors.New(`login step 2 (wait "#account"): context deadline exceeded`)
	r.Cookie.SignOut = &SignOutEvidence{How: "supabase.logout_script", Err: errors.New(`logout step 2 (click #sign-out): context deadline exceeded`)}
	check(t, "the server side refused the session", verdict(r, result.SBCookie008), blockedBy(result.SBCookie007))
	r.Cookie.AppServer = realAppRun(t).Cookie.AppServer
	check(t, "the server side reads it: the sign-out's own failure", verdict(r, result.SBCookie008), failed(diag.SetupFailed))
}

// TestSameSiteJudgedOnTheApp is issue 21 item 3 and the SameSite=None
// top-level finding of issue 22.
func TestSameSiteJudgedOnTheApp(t *testing.T) {
	embeddedHostOnly := func(reasons ...string) func(*Run) {
		return func(r *Run) {
			r.Target.Embedded = true
			r.Cookie.Cookies = chunked(t, testKey, "app.acme.test", true, network.CookieSameSiteNone)
			v := sent(r.Cookie.Cookies, reasons...)
			r.Cookie.Embed = &EmbedVisit{Page: "https://embed.mfconform-other.test/embed", FrameURL: testApp + "/dashboard", FetchURL: testServerCheck,
				Judged: "your app's own pages", Frame: v, Fetch: v, FrameSeen: true, FetchSeen: true}
		}
	}
	tests := []struct {
		name   string
		mutate func(*Run)
		want   want
		info   bool
	}{
		{"host-only SameSite=None cookies, the app's own page embedded: sent, a pass", embeddedHostOnly(), passed(), false},
		{"the embedded page outside the cookies' Domain: not SameSite's doing", embeddedHostOnly("DomainMismatch"), failed(diag.SupabaseCookieNotDelivered), false},
		{"SameSite=None on a top-level app: more than it needs", func(r *Run) {
			r.Cookie.Cookies = chunked(t, testKey, ".acme.test", true, network.CookieSameSiteNone)
		}, warned(diag.SupabaseCookieSameSiteTopLevel), false},
		{"SameSite=Strict top-level: information", func(r *Run) {
			r.Cookie.Cookies = chunked(t, testKey, ".acme.test", true, network.CookieSameSiteStrict)
		}, passed(), true},
	}
	for _, tt := range tests {
		r := realAppRun(t)
		tt.mutate(r)
		o := verdict(r, result.SBCookie006)
		check(t, tt.name, o, tt.want)
		info := false
		for _, d := range o.Findings {
			info = info || d.Code == diag.SupabaseCookieSameSiteTopLevel && d.Severity == diag.Info
		}
		if info != tt.info {
			t.Errorf("%s: information note = %v, want %v", tt.name, info, tt.info)
		}
	}
}

// TestEmbedTargets: the embedded page is the app's own when named, the
// reference deployment's stand-in only when the cookies cover its host,
// else the page the sign-in ended on — never a host the cookies skip.
func TestEmbedTargets(t *testing.T) {
	tests := []struct {
		name         string
		mutate       func(r *Run)
		frame, fetch string
		judged       string
	}{
		{"the server check alone", func(r *Run) { r.Target = realAppRun(t).Target }, testServerCheck, testServerCheck, "your app's own pages"},
		{"embed_url and the server check", func(r *Run) {
			r.Target = realAppRun(t).Target
			r.Target.EmbedPage = "https://APP.acme.test:8443/dashboard#x"
		}, testApp + "/dashboard", testServerCheck, "your app's own pages"},
		{"an origin alone gets Chromium's path", func(r *Run) {
			r.Target = realAppRun(t).Target
			r.Target.ServerCheck.URL = "https://app.acme.test:443"
		}, "https://app.acme.test/", "https://app.acme.test/", "your app's own pages"},
		{"the reference deployment, Domain cookies cover its stand-in", nil, testServer + "/", testServer + "/whoami", "stand-in on api.acme.test"},
		{"the reference deployment, host-only cookies: the app page", func(r *Run) {
			r.Cookie.Cookies = chunked(t, testKey, "app.acme.test", true, network.CookieSameSiteNone)
		}, testApp + "/app/", testApp + "/app/", "the page the app's sign-in ended on"},
		{"a real app's script, no page named: the page its sign-in ended on", func(r *Run) {
			r.Target.Reference = false
			r.Target.LoginScript = []env.LoginStep{{Navigate: testApp + "/login"}}
		}, testApp + "/app/", testApp + "/app/", "the page the app's sign-in ended on"},
	}
	for _, tt := range tests {
		r := goodCookieRun(t)
		if tt.mutate != nil {
			tt.mutate(r)
		}
		frame, fetch, judged := embedTargets(r.Target, r.Cookie)
		if frame != tt.frame || fetch != tt.fetch || !strings.Contains(judged, tt.judged) {
			t.Errorf("%s: embedTargets = %q, %q, %q; want %q, %q, … %q …", tt.name, frame, fetch, judged, tt.frame, tt.fetch, tt.judged)
		}
	}
}
