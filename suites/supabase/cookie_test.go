package supabase

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/harness/ssrserver"
	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	"github.com/mfconform/mfconform/suites/result"
	"github.com/mfconform/mfconform/suites/sbcheck"
)

const (
	testKey    = "sb-" + testRef + "-auth-token"
	testApp    = "https://app.acme.test:8443"
	testServer = "https://api.acme.test:9443"
	testUserID = "0b9d2c1e-0000-4000-8000-000000000001"
)

// accessToken is a signed access token for the tests (any key will do: the
// judgments never verify it themselves).
func accessToken(t *testing.T) string {
	t.Helper()
	tok, err := jwtcheck.Mint("HS256", []byte("cookie-test-secret-not-a-project-one"), map[string]any{
		"sub": testUserID, "aud": "authenticated", "role": "authenticated", "exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// sessionValue is a session holding access token tok as @supabase/ssr
// stores it.
func sessionValue(tok string) string {
	b, _ := json.Marshal(map[string]any{"access_token": tok, "refresh_token": "rt", "expires_at": 1, "user": map[string]any{"id": testUserID}})
	return "base64-" + base64.RawURLEncoding.EncodeToString(b)
}

// chunked splits the session into two cookies named key.0 and key.1 with
// the given attributes.
func chunked(t *testing.T, key, domain string, secure bool, sameSite network.CookieSameSite) []*network.Cookie {
	return chunkedToken(t, accessToken(t), key, domain, secure, sameSite)
}

// chunkedToken is chunked for a session holding access token tok.
func chunkedToken(t *testing.T, tok, key, domain string, secure bool, sameSite network.CookieSameSite) []*network.Cookie {
	t.Helper()
	v := sessionValue(tok)
	half := len(v) / 2
	var out []*network.Cookie
	for i, part := range []string{v[:half], v[half:]} {
		name := key + "." + string(rune('0'+i))
		out = append(out, &network.Cookie{Name: name, Value: part, Domain: domain, Path: "/", Secure: secure, SameSite: sameSite, Size: int64(len(name) + len(part))})
	}
	return out
}

func sent(cs []*network.Cookie, reasons ...string) []browser.CookieVerdict {
	var out []browser.CookieVerdict
	for _, c := range cs {
		out = append(out, browser.CookieVerdict{Name: c.Name, Domain: c.Domain, Path: c.Path, Size: int(c.Size), Sent: len(reasons) == 0, Reasons: reasons})
	}
	return out
}

// goodCookieRun is the embedded reference deployment where everything works: the
// reference app keeps a two-chunk session in Domain=.acme.test cookies
// that reach the server side, and sign-out clears them.
func goodCookieRun(t *testing.T) *Run {
	t.Helper()
	cookies := chunked(t, testKey, ".acme.test", true, network.CookieSameSiteLax)
	ok := Answer{Status: 200, Body: []byte(`{}`)}
	r := &Run{
		Target: env.SupabaseTarget{URL: "https://" + testRef + ".supabase.test", Key: "sb_publishable_x", Email: "u@acme.test", Password: "pw",
			Reference: true, ClientURL: testApp, ServerURL: testServer, ServerHost: "api.acme.test", SessionHosts: []string{"api.acme.test"}},
		URL:    sbcheck.URLInfo{Origin: "https://" + testRef + ".supabase.test", Host: testRef + ".supabase.test", Ref: testRef},
		Key:    sbcheck.KeyInfo{Kind: sbcheck.KeyPublishable, Clean: "sb_publishable_x"},
		Config: &ConfigEvidence{Health: Answer{Status: 200, Body: []byte(`{"name":"GoTrue"}`)}, Settings: ok},
		Browser: &BrowserEvidence{Cors: CorsResult{Settings: StepResult{OK: true, Status: 200}, Token: StepResult{OK: true, Status: 400}},
			Run: &RunResult{Created: true, SignIn: StepResult{OK: true}, StorageKeys: []string{testKey}}},
	}
	r.Browser.Run.Session.Present = true
	access, _ := jwtcheck.Parse(accessToken(t))
	r.Session = &SessionEvidence{SignIn: Answer{Status: 200}, Access: access}
	r.Cookie = &CookieEvidence{
		Writer: WriterReference, ExpectedKey: testKey, AppURL: testApp + "/app/",
		SignIn:  &AppResult{OK: true, UserID: testUserID},
		Cookies: cookies,
		Writes:  []browser.CookieWrite{{Name: cookies[0].Name, Size: int(cookies[0].Size), URL: testApp + "/app/"}, {Name: cookies[1].Name, Size: int(cookies[1].Size), URL: testApp + "/app/"}},
		Verify:  &ok,
		Server: &ServerVisit{URL: testServer + "/whoami", Verdicts: sent(cookies),
			Answer: &ssrserver.Answer{StorageKey: testKey, Received: []string{cookies[0].Name, cookies[1].Name}, Chunks: 2, SignedIn: true, UserID: testUserID, VerifyStatus: 200}},
		SignOut: &SignOutEvidence{How: "mfApp.signOut", Result: &AppResult{OK: true},
			Writes: []browser.CookieWrite{{Name: cookies[0].Name, Empty: true, Attrs: "Max-Age=0; Domain=.acme.test; Path=/"}}},
	}
	return r
}

// want is an expected outcome: a state, the codes at or above warn, and
// for an unjudged outcome whom it is blocked by, its scope or its input.
type want struct {
	state result.State
	codes []diag.Code
	by    string
}

func check(t *testing.T, name string, o judge.Outcome, w want) {
	t.Helper()
	if got := o.State(); got != w.state {
		t.Errorf("%s: state = %s (%+v, %v), want %s", name, got, o.Unjudged, o.Findings, w.state)
	}
	if got := o.Codes(); !slices.Equal(got, w.codes) {
		t.Errorf("%s: codes = %v, want %v (%v)", name, got, w.codes, o.Findings)
	}
	if u := o.Unjudged; u != nil && w.by != "" {
		if got := string(u.BlockedBy) + u.Scope + u.Input; got != w.by {
			t.Errorf("%s: blocked by / scope / input = %q, want %q", name, got, w.by)
		}
	}
	for _, d := range o.Findings {
		if strings.Contains(d.Observed, "eyJ") {
			t.Errorf("%s: a finding shows a cookie value or token: %s", name, d.Observed)
		}
	}
}

func passed() want { return want{state: result.StatePassed} }

func failed(codes ...diag.Code) want { return want{state: result.StateFailed, codes: codes} }

func warned(codes ...diag.Code) want { return want{state: result.StateWarned, codes: codes} }

func blockedBy(id result.SpecID) want { return want{state: result.StateBlocked, by: string(id)} }

// verdict is spec id's settled outcome on a run: every check judged and
// the blocking settled (judge.Resolve), as a run does.
func verdict(r *Run, id result.SpecID) judge.Outcome {
	return judge.Resolve(Checks(), r, nil)[id].Outcome
}

func outOfScope(scope string) want { return want{state: result.StateOutOfScope, by: scope} }

func notJudged(input string) want { return want{state: result.StateNotJudged, by: input} }

// Mutations of goodCookieRun, shared by the tables.
func localStorageOnly(r *Run) {
	r.Cookie.Cookies, r.Cookie.Writes, r.Cookie.LocalKeys = nil, nil, []string{testKey}
}

func nowhere(r *Run) { r.Cookie.Cookies, r.Cookie.Writes = nil, nil }

func otherName(t *testing.T) func(r *Run) {
	return func(r *Run) {
		r.Cookie.Cookies = chunked(t, "sb-auth-auth-token", ".acme.test", true, network.CookieSameSiteLax)
	}
}

func realTargetNoScript(r *Run) { r.Target.Reference = false }

func TestCookieWhere(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Run)
		want   want
	}{
		{"cookies", nil, passed()},
		{"localStorage", localStorageOnly, passed()},
		{"nowhere", nowhere, failed(diag.SupabaseCookieSessionNotStored)},
		{"every write refused", func(r *Run) {
			r.Cookie.Cookies = nil
			r.Cookie.Writes = []browser.CookieWrite{{Name: testKey + ".0", Size: 4600}}
		}, failed(diag.SupabaseCookieSessionNotStored)},
		{"no evidence", func(r *Run) { r.Cookie, r.CookieErr = nil, errors.New("browser: new session: deadline exceeded") }, failed(diag.SetupFailed)},
		{"supabase-js bundle missing", func(r *Run) {
			r.Cookie, r.Target.ClientErr = nil, errors.New("bundle missing")
			r.Browser, r.BrowserErr = nil, r.Target.ClientErr
		}, blockedBy(result.SBBrowser001)},
		{"the app page did not start although supabase-js ran: its own finding", func(r *Run) { r.Cookie, r.Target.ClientErr = nil, errors.New("bundle missing") }, failed(diag.SetupFailed)},
		{"no test user", func(r *Run) { r.Target.Password = "" }, notJudged(InputTestUser)},
		{"URL unusable", func(r *Run) { r.Target.URL, r.URL, r.Config = "", sbcheck.URLInfo{}, nil }, blockedBy(result.SBConfig001)},
		{"sign-in failed, CORS explains it", func(r *Run) {
			r.Cookie.SignIn = &AppResult{Name: "AuthRetryableFetchError", Message: "Failed to fetch"}
			r.Browser.Cors.Token.OK = false
		}, blockedBy(result.SBBrowser001)},
		{"sign-in failed, a secret key explains it", func(r *Run) {
			r.Cookie.SignIn = &AppResult{Status: 401, Message: "Forbidden use of secret API key in browser"}
			r.Key.Kind = sbcheck.KeySecret
		}, blockedBy(result.SBKey002)},
		{"sign-in failed in the app alone", func(r *Run) { r.Cookie.SignIn = &AppResult{Name: "TypeError", Message: "x is not a function"} }, failed(diag.SupabaseCookieSigninFailed)},
		{"login_script step failed", func(r *Run) {
			r.Target.LoginScript = []env.LoginStep{{Click: "#go"}}
			r.Cookie.Writer, r.Cookie.SignIn, r.Cookie.SignInErr = WriterScript, nil, errors.New("login step 3 (click #go): context deadline exceeded")
		}, failed(diag.SupabaseCookieSigninFailed)},
	}
	for _, tt := range tests {
		r := goodCookieRun(t)
		if tt.mutate != nil {
			tt.mutate(r)
		}
		check(t, tt.name, verdict(r, result.SBCookie001), tt.want)
	}
}

func TestCookieNameAndChunks(t *testing.T) {
	tests := []struct {
		name   string
		id     result.SpecID
		mutate func(*Run)
		want   want
	}{
		{"name: good", result.SBCookie002, nil, passed()},
		{"name: another project's", result.SBCookie002, otherName(t), failed(diag.SupabaseCookieNameMismatch)},
		{"name: localStorage", result.SBCookie002, localStorageOnly, outOfScope(scopeLocalStorage)},
		{"name: nowhere", result.SBCookie002, nowhere, blockedBy(result.SBCookie001)},
		{"chunks: good", result.SBCookie003, nil, passed()},
		{"chunks: another name", result.SBCookie003, otherName(t), blockedBy(result.SBCookie002)},
		{"chunks: .1 missing", result.SBCookie003, func(r *Run) {
			r.Cookie.Cookies = append(chunked(t, testKey, ".acme.test", true, "")[:1], &network.Cookie{Name: testKey + ".2", Value: "x", Domain: ".acme.test", Path: "/", Size: 40})
		}, failed(diag.SupabaseCookieChunkMissing)},
		{"chunks: .0 written over the limit, nothing read: SB-COOKIE-001's finding (A11)", result.SBCookie003, func(r *Run) {
			r.Cookie.Cookies = r.Cookie.Cookies[1:]
			r.Cookie.Writes[0].Size = 4536
		}, blockedBy(result.SBCookie001)},
		{"chunks: .1 written over the limit, .0 read", result.SBCookie003, func(r *Run) {
			r.Cookie.Cookies = r.Cookie.Cookies[:1]
			r.Cookie.Writes[1].Size = 4536
		}, failed(diag.SupabaseCookieChunkMissing)},
		{"chunks: a Set-Cookie refused", result.SBCookie003, func(r *Run) {
			r.Cookie.SetCookies = []browser.SetCookieVerdict{{Name: testKey + ".1", Reasons: []string{"NameValuePairExceedsMaxSize"}}}
		}, failed(diag.SupabaseCookieChunkMissing)},
		{"chunks: not base64url", result.SBCookie003, func(r *Run) { r.Cookie.Cookies[1].Value = "!!!" }, failed(diag.SupabaseCookieSessionInvalid)},
		{"chunks: the project refuses the token", result.SBCookie003, func(r *Run) {
			r.Cookie.Verify = &Answer{Status: 403, Body: []byte(`{"code":"bad_jwt","message":"invalid JWT"}`)}
		}, failed(diag.SupabaseCookieSessionInvalid)},
		{"chunks: the project's tokens lack claims", result.SBCookie003, func(r *Run) {
			r.Cookie.Verify = &Answer{Status: 403}
			tok, _ := jwtcheck.Mint("HS256", []byte("k"), map[string]any{"aud": "authenticated", "role": "authenticated", "exp": time.Now().Add(time.Hour).Unix()})
			p, _ := jwtcheck.Parse(tok)
			r.Session = &SessionEvidence{SignIn: Answer{Status: 200}, Access: p}
			r.Cookie.Cookies = chunkedToken(t, tok, testKey, ".acme.test", true, network.CookieSameSiteLax)
		}, blockedBy(result.SBSession001)},
		{"chunks: refused although the token has its claims, while SB-SESSION-001 fails for another reason: its own finding", result.SBCookie003, func(r *Run) {
			r.Cookie.Verify = &Answer{Status: 403}
			r.Session.SignIn, r.Session.Access = Answer{Status: 200, Body: []byte(`{"access_token":"cut`)}, nil
		}, failed(diag.SupabaseCookieSessionInvalid)},
		{"chunks: the project did not answer", result.SBCookie003, func(r *Run) { r.Cookie.Verify = &Answer{Err: errors.New("connection refused")} }, failed(diag.SupabaseURLUnreachable)},
		{"chunks: no verification recorded", result.SBCookie003, func(r *Run) { r.Cookie.Verify = nil }, failed(diag.SetupFailed)},
	}
	for _, tt := range tests {
		r := goodCookieRun(t)
		if tt.mutate != nil {
			tt.mutate(r)
		}
		check(t, tt.name, verdict(r, tt.id), tt.want)
	}
}

func TestCookieAppChoices(t *testing.T) {
	withCookies := func(domain string, secure bool, ss network.CookieSameSite) func(*Run) {
		return func(r *Run) { r.Cookie.Cookies = chunked(t, testKey, domain, secure, ss) }
	}
	embedded := func(ss network.CookieSameSite, reasons ...string) func(*Run) {
		return func(r *Run) {
			r.Target.Embedded = true
			r.Cookie.Cookies = chunked(t, testKey, ".acme.test", true, ss)
			v := sent(r.Cookie.Cookies, reasons...)
			r.Cookie.Embed = &EmbedVisit{Page: "https://embed.other.test/embed", Frame: v, Fetch: v, FrameSeen: true, FetchSeen: true}
		}
	}
	tests := []struct {
		name   string
		id     result.SpecID
		mutate func(*Run)
		want   want
	}{
		{"domain: good", result.SBCookie004, nil, passed()},
		{"domain: host-only", result.SBCookie004, withCookies("app.acme.test", true, network.CookieSameSiteLax), failed(diag.SupabaseCookieHostOnly)},
		{"domain: another parent", result.SBCookie004, func(r *Run) {
			withCookies(".staging.acme.test", true, network.CookieSameSiteLax)(r)
			r.Target.SessionHosts = []string{"api.acme.test"}
		}, failed(diag.SupabaseCookieDomainMismatch)},
		{"domain: host-only, only the app shares it", result.SBCookie004, func(r *Run) {
			withCookies("app.acme.test", true, network.CookieSameSiteLax)(r)
			r.Target.SessionHosts = []string{"app.acme.test"}
		}, passed()},
		{"domain: host-only and no host named to share the session: no false failure", result.SBCookie004, func(r *Run) {
			withCookies("app.acme.test", true, network.CookieSameSiteLax)(r)
			r.Target.SessionHosts = nil
		}, outOfScope(scopeNoSibling)},
		{"domain: mfconform's page for a real project", result.SBCookie004, realTargetNoScript, outOfScope(scopeReferenceApp)},
		{"domain: localStorage", result.SBCookie004, localStorageOnly, outOfScope(scopeLocalStorage)},
		{"secure: good", result.SBCookie005, nil, passed()},
		{"secure: missing", result.SBCookie005, withCookies(".acme.test", false, network.CookieSameSiteLax), warned(diag.SupabaseCookieNotSecure)},
		{"secure: mfconform's page for a real project", result.SBCookie005, realTargetNoScript, outOfScope(scopeReferenceApp)},
		{"samesite: Lax top-level", result.SBCookie006, nil, passed()},
		{"samesite: Strict top-level (info)", result.SBCookie006, withCookies(".acme.test", true, network.CookieSameSiteStrict), passed()},
		{"samesite: Lax embedded", result.SBCookie006, embedded(network.CookieSameSiteLax, "SchemefulSameSiteLax"), failed(diag.SupabaseCookieSameSiteEmbedded)},
		{"samesite: None embedded, sent", result.SBCookie006, embedded(network.CookieSameSiteNone), passed()},
		{"samesite: None embedded, third-party cookies blocked", result.SBCookie006, embedded(network.CookieSameSiteNone, "UserPreferences"),
			want{state: result.StateWarned, codes: []diag.Code{diag.SupabaseCookieThirdParty}}},
		{"samesite: None embedded, withheld otherwise", result.SBCookie006, embedded(network.CookieSameSiteNone, "SchemefulSameSiteStrict"), failed(diag.SupabaseCookieSameSiteEmbedded)},
		{"samesite: embed page failed", result.SBCookie006, func(r *Run) {
			embedded(network.CookieSameSiteNone)(r)
			r.Cookie.Embed = &EmbedVisit{Err: errors.New("open the embedding page: net::ERR_CONNECTION_REFUSED")}
		}, failed(diag.SetupFailed)},
		{"samesite: embed page not visited", result.SBCookie006, func(r *Run) { r.Target.Embedded = true }, failed(diag.SetupFailed)},
		{"sign-out: clean", result.SBCookie008, nil, passed()},
		{"sign-out: cookies left", result.SBCookie008, func(r *Run) { r.Cookie.SignOut.Left = r.Cookie.Cookies }, failed(diag.SupabaseCookieStale)},
		{"sign-out: could not run", result.SBCookie008, func(r *Run) { r.Cookie.SignOut.Err = errors.New("login step 1 (click #sign-out): timeout") }, failed(diag.SetupFailed)},
		{"sign-out: login_script without logout_script", result.SBCookie008, func(r *Run) {
			r.Target.LoginScript, r.Cookie.Writer, r.Cookie.SignOut = []env.LoginStep{{Click: "#go"}}, WriterScript, nil
		}, notJudged(InputLogout)},
		{"sign-out: mfconform's page for a real project", result.SBCookie008, realTargetNoScript, outOfScope(scopeReferenceApp)},
	}
	for _, tt := range tests {
		r := goodCookieRun(t)
		if tt.mutate != nil {
			tt.mutate(r)
		}
		check(t, tt.name, verdict(r, tt.id), tt.want)
	}
}

func TestCookieDelivered(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Run)
		want   want
	}{
		{"good", nil, passed()},
		{"mfconform's page for a real project is still judged", realTargetNoScript, passed()},
		{"NotOnPath", func(r *Run) { r.Cookie.Server.Verdicts = sent(r.Cookie.Cookies, "NotOnPath") }, failed(diag.SupabaseCookieNotDelivered)},
		{"not considered", func(r *Run) { r.Cookie.Server.Verdicts = nil }, failed(diag.SupabaseCookieNotDelivered)},
		{"host-only", func(r *Run) {
			r.Cookie.Cookies = chunked(t, testKey, "app.acme.test", true, network.CookieSameSiteLax)
			r.Cookie.Server.Verdicts = sent(r.Cookie.Cookies, "DomainMismatch")
		}, blockedBy(result.SBCookie004)},
		{"sent, but the server reads nobody", func(r *Run) {
			r.Cookie.Server.Answer = &ssrserver.Answer{StorageKey: testKey, Reason: "the project refused the access token", VerifyStatus: 403}
		}, failed(diag.SupabaseCookieNotDelivered)},
		{"sent, but .0 is missing: nothing is read (SB-COOKIE-001)", func(r *Run) {
			r.Cookie.Cookies = r.Cookie.Cookies[1:]
			r.Cookie.Server.Verdicts = sent(r.Cookie.Cookies)
			r.Cookie.Server.Answer = &ssrserver.Answer{StorageKey: testKey, Reason: "chunk .0 missing"}
		}, blockedBy(result.SBCookie001)},
		{"sent, but .1 is missing: SB-COOKIE-003's finding", func(r *Run) {
			r.Cookie.Cookies = r.Cookie.Cookies[:1]
			r.Cookie.Server.Verdicts = sent(r.Cookie.Cookies)
			r.Cookie.Server.Answer = &ssrserver.Answer{StorageKey: testKey, Reason: "the session cookie does not decode to JSON"}
		}, blockedBy(result.SBCookie003)},
		{"the stand-in did not answer", func(r *Run) { r.Cookie.Server = &ServerVisit{Err: errors.New("net::ERR_CONNECTION_REFUSED")} }, failed(diag.SetupFailed)},
		{"the stand-in was not visited", func(r *Run) { r.Cookie.Server = nil }, failed(diag.SetupFailed)},
		{"only the app reads the session", func(r *Run) { r.Target.SessionHosts = []string{"app.acme.test"} }, outOfScope(scopeNoSibling)},
		{"localStorage", localStorageOnly, outOfScope(scopeLocalStorage)},
	}
	for _, tt := range tests {
		r := goodCookieRun(t)
		if tt.mutate != nil {
			tt.mutate(r)
		}
		check(t, tt.name, verdict(r, result.SBCookie007), tt.want)
	}
}

// TestCookieEvidenceIsRedacted: the evidence every cookie spec shows holds
// no cookie value and no whole token.
func TestCookieEvidenceIsRedacted(t *testing.T) {
	r := goodCookieRun(t)
	for _, c := range cookieChecks {
		o := c.Judge(r)
		b, err := json.Marshal(o.Evidence)
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		for _, ck := range r.Cookie.Cookies {
			if strings.Contains(string(b), ck.Value) {
				t.Errorf("%s evidence holds a cookie value", c.ID)
			}
		}
		if tok := accessTokenOf(r); strings.Contains(string(b), tok) {
			t.Errorf("%s evidence holds the whole access token", c.ID)
		}
	}
}

func accessTokenOf(r *Run) string {
	g := r.Cookie.Group()
	if g == nil || g.Session == nil {
		return "-"
	}
	return g.Session.AccessToken
}
