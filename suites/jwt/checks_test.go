package jwt

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/suites/cookieattr"
	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/judge/judgetest"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	"github.com/mfconform/mfconform/suites/result"
)

const testSecret = "checks-test-secret-0123456789abcdefghij"

var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// sentVerdict is mf_jwt_token sent on a request.
func sentVerdict() *browser.CookieVerdict {
	return &browser.CookieVerdict{Name: CookieName, Domain: ".acme.test", Path: "/", Sent: true}
}

func withheld(reasons ...string) *browser.CookieVerdict {
	return &browser.CookieVerdict{Name: CookieName, Domain: ".acme.test", Path: "/", Reasons: reasons}
}

// goodRun is the evidence of a conformant deployment, as the gathers
// would record it; each test row breaks one thing.
func goodRun(t *testing.T) *Run {
	t.Helper()
	tok, err := jwtcheck.Mint("HS256", []byte(testSecret), map[string]any{
		"user_id": "u-1", "exp": float64(testNow.Add(time.Hour).Unix()) + 0.25, "email": "u1@acme.test", "first_name": "U",
	})
	if err != nil {
		t.Fatal(err)
	}
	line := CookieName + "=" + tok + "; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None"
	set := browser.Exchange{URL: "https://login.acme.test/login", Type: "Document", Status: 200,
		ResponseHeaders: map[string]string{"date": testNow.Format(time.RFC1123), "set-cookie": line},
		SetCookies:      []browser.SetCookieVerdict{{Line: line, Name: CookieName, Stored: true}}}
	stored := &network.Cookie{Name: CookieName, Domain: ".acme.test", Path: "/", Secure: true, HTTPOnly: true, SameSite: network.CookieSameSiteNone, Size: int64(len(CookieName) + len(tok))}
	probes, err := jwtcheck.Probes([]byte(testSecret), ProbeIdentity, testNow)
	if err != nil {
		t.Fatal(err)
	}
	probes = append(probes, jwtcheck.GarbageProbes()...)
	pe := &ProbeEvidence{Keyed: true}
	for _, p := range probes {
		r := ProbeResult{Status: 401, Body: `{"error":"invalid token"}`, Rejected: true}
		if p.WantAccepted {
			r = ProbeResult{Status: 200, Body: `{"user_id":"mfconform-probe-7f3a","first_name":"Probe","last_name":"Mfconform","email":"probe@mfconform.test"}`, Accepted: true}
		}
		pe.Outcomes = append(pe.Outcomes, ProbeOutcome{Probe: p, Result: r})
	}
	return &Run{
		Target: env.Target{LoginURL: "https://login.acme.test/login", AppURL: "https://app.acme.test", EmbedURL: "https://embed.other.test",
			ProbePath: "/api/me", AuthenticatedStatus: 200, UserIDField: "user_id", LoginMethod: "GET", Secret: []byte(testSecret)},
		Thresholds: env.Thresholds{MaxTokenLifetime: 24 * time.Hour, ClockTolerance: 2 * time.Minute},
		Login: &LoginEvidence{
			Chain: []browser.Exchange{set}, SetCookie: &set.SetCookies[0], SetBy: &set,
			Jar: []*network.Cookie{stored}, Stored: stored, LoginDate: testNow, ReceivedAt: testNow.Add(300 * time.Millisecond),
			AppNavCookie:   sentVerdict(),
			AppProbe:       ProbeResult{Status: 200, Body: `{"user_id":"u-1"}`, Accepted: true},
			AppProbeCookie: sentVerdict(),
			Embed:          EmbedEvidence{Loaded: true, FrameCookie: sentVerdict(), FetchCookie: sentVerdict(), LinkCookie: sentVerdict(), FetchStatus: 200},
			Blocked:        EmbedEvidence{Loaded: true, FrameCookie: withheld("UserPreferences"), FetchCookie: withheld("UserPreferences")},
		},
		Probes: pe,
	}
}

// setLine replaces the Set-Cookie line (and what Chromium did with it).
func setLine(r *Run, line string, reasons ...string) {
	sc := browser.SetCookieVerdict{Line: line, Name: strings.TrimSpace(strings.SplitN(line, "=", 2)[0]), Stored: len(reasons) == 0, Reasons: reasons}
	r.Login.SetCookie = &sc
	if len(reasons) > 0 {
		r.Login.Stored, r.Login.Jar = nil, nil
	}
}

// setByRedirect makes the login redirect to url, whose response sets the
// cookie with line; Chromium stores it with the path RFC 6265 gives it
// (the attribute, or url's default-path) and withholds it by path from
// the app when that path does not cover /.
func setByRedirect(r *Run, url, line string) {
	hop := *r.Login.SetBy
	hop.Status, hop.SetCookies = 302, nil
	set := browser.Exchange{URL: url, Type: "Document", Status: 200, ResponseHeaders: hop.ResponseHeaders,
		SetCookies: []browser.SetCookieVerdict{{Line: line, Name: CookieName, Stored: true}}}
	r.Login.Chain = []browser.Exchange{hop, set}
	r.Login.SetBy, r.Login.SetCookie = &set, &set.SetCookies[0]
	path := cookieattr.Parse(line).EffectivePath(pathOf(url))
	stored := *r.Login.Stored
	stored.Path = path
	r.Login.Stored, r.Login.Jar = &stored, []*network.Cookie{&stored}
	v := browser.CookieVerdict{Name: CookieName, Domain: stored.Domain, Path: path, Sent: cookieattr.PathMatches(path, "/")}
	if !v.Sent {
		v.Reasons = []string{"NotOnPath"}
	}
	r.Login.AppNavCookie, r.Login.AppProbeCookie = &v, &v
}

// setToken makes the backend's cookie hold a token of claims, signed with
// the test key.
func setToken(t *testing.T, r *Run, claims map[string]any) {
	t.Helper()
	tok, err := jwtcheck.Mint("HS256", []byte(testSecret), claims)
	if err != nil {
		t.Fatal(err)
	}
	setLine(r, CookieName+"="+tok+"; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None")
}

// quotedLine is the run's Set-Cookie line with the value in double quotes.
func quotedLine(r *Run) string {
	name, rest, _ := strings.Cut(r.Login.SetCookie.Line, "=")
	value, attrs, _ := strings.Cut(rest, ";")
	return name + `="` + value + `";` + attrs
}

// reread reads every answer of the app in the run with the target's
// markers (the authenticated status, the user id field), as the gathers
// do: rows write answers as status and body.
func reread(r *Run) {
	if r.Probes != nil {
		for i := range r.Probes.Outcomes {
			r.Probes.Outcomes[i].Result.read(r.Target)
		}
	}
	if r.Login != nil {
		r.Login.AppProbe.read(r.Target)
	}
	if r.BackendProbe != nil {
		r.BackendProbe.Result.read(r.Target)
	}
}

// answer makes the app answer the probes named (by name prefix) as given.
func answer(r *Run, prefix string, res ProbeResult) {
	for i, o := range r.Probes.Outcomes {
		if strings.HasPrefix(o.Probe.Name, prefix) {
			r.Probes.Outcomes[i].Result = res
		}
	}
}

var accepted = ProbeResult{Status: 200, Body: `{"user_id":"x"}`, Accepted: true}

// check returns spec id's verdict on a run: every check judged and the
// blocking settled (judge.Resolve), as a run does.
func check(t *testing.T, id result.SpecID) func(*Run) result.Spec {
	t.Helper()
	for _, c := range Checks() {
		if c.ID == id {
			return func(r *Run) result.Spec { reread(r); return judge.Resolve(Checks(), r, nil).Spec(id) }
		}
	}
	t.Fatalf("no check %s", id)
	return nil
}

func TestChecks(t *testing.T) {
	tests := []struct {
		name   string
		id     result.SpecID
		mutate func(*Run)
		state  result.State
		codes  []diag.Code
		by     string // blocked by, or the missing input, or the scope
	}{
		// JWT-COOKIE-001
		{"cookie set", result.JWTCookie001, nil, result.StatePassed, nil, ""},
		{"no cookie, near miss named", result.JWTCookie001, func(r *Run) { r.Login.SetCookie, r.Login.Others = nil, []string{"MF_JWT_TOKEN"} }, result.StateFailed, []diag.Code{diag.CookieNotSet}, ""},
		{"requests dropped before any Set-Cookie: no verdict on the name", result.JWTCookie001, func(r *Run) { r.Login.SetCookie, r.Login.Dropped = nil, 12 }, result.StateFailed, []diag.Code{diag.SetupFailed}, ""},
		{"login unreachable", result.JWTCookie001, func(r *Run) { r.Login, r.LoginErr = nil, errors.New("net::ERR_CONNECTION_REFUSED") }, result.StateFailed, []diag.Code{diag.LoginUnreachable}, ""},
		{"login partly observed then failed", result.JWTCookie001, func(r *Run) { r.Login.SetCookie, r.LoginErr = nil, errors.New("timeout") }, result.StateFailed, []diag.Code{diag.LoginUnreachable}, ""},
		{"refused for a reason no specific code covers", result.JWTCookie001, func(r *Run) { setLine(r, r.Login.SetCookie.Line, "DisallowedCharacter") }, result.StateFailed, []diag.Code{diag.CookieNotStored}, ""},
		// A cookie set but not stored never passes JWT-COOKIE-001: it fails
		// with the code of Chromium's reason (issue 22, A1).
		{"SameSite=None without Secure: refused", result.JWTCookie001, func(r *Run) {
			setLine(r, CookieName+"=x; Domain=.acme.test; Path=/; HttpOnly; SameSite=None", "SameSiteNoneInsecure")
		}, result.StateFailed, []diag.Code{diag.CookieSameSiteNoneInsecure}, ""},
		{"a foreign Domain: refused", result.JWTCookie001, func(r *Run) {
			setLine(r, CookieName+"=x; Domain=other.test; Path=/; Secure; HttpOnly; SameSite=None", "InvalidDomain")
		}, result.StateFailed, []diag.Code{diag.CookieDomainInvalid}, ""},
		{"a public-suffix Domain: refused", result.JWTCookie001, func(r *Run) {
			setLine(r, CookieName+"=x; Domain=.test; Path=/; Secure; HttpOnly; SameSite=None", "InvalidDomain")
		}, result.StateFailed, []diag.Code{diag.CookieDomainInvalid}, ""},
		{"too large: refused", result.JWTCookie001, func(r *Run) {
			setLine(r, CookieName+"="+strings.Repeat("a", 5000)+"; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None", "NameValuePairExceedsMaxSize")
		}, result.StateFailed, []diag.Code{diag.CookieTooLarge}, ""},
		{"a Secure cookie from an http login: refused", result.JWTCookie001, func(r *Run) {
			r.Target.LoginURL = "http://login.acme.test/login"
			setLine(r, r.Login.SetCookie.Line, "SecureOnly")
		}, result.StateFailed, []diag.Code{diag.CookieInsecureOrigin}, ""},
		{"two reasons: a finding each", result.JWTCookie001, func(r *Run) {
			setLine(r, CookieName+"=x; Domain=.test; Path=/; HttpOnly; SameSite=None", "InvalidDomain", "SameSiteNoneInsecure")
		}, result.StateFailed, []diag.Code{diag.CookieDomainInvalid, diag.CookieSameSiteNoneInsecure}, ""},
		{"Max-Age=0: dropped without a reason", result.JWTCookie001, func(r *Run) {
			setLine(r, CookieName+"=x; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None; Max-Age=0")
			r.Login.Stored, r.Login.Jar = nil, nil
		}, result.StateFailed, []diag.Code{diag.CookieExpiredOnArrival}, ""},
		{"Expires in the past: dropped without a reason", result.JWTCookie001, func(r *Run) {
			setLine(r, CookieName+"=x; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None; Expires=Thu, 01 Jan 2015 00:00:00 GMT")
			r.Login.Stored, r.Login.Jar = nil, nil
		}, result.StateFailed, []diag.Code{diag.CookieExpiredOnArrival}, ""},
		{"a Netscape-form Expires in the past: the expiry explains it, read as a browser reads it (B6)", result.JWTCookie001, func(r *Run) {
			setLine(r, CookieName+"=x; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None; Expires=Thu, 01-Jan-1970 00:00:00 GMT")
			r.Login.Stored, r.Login.Jar = nil, nil
		}, result.StateFailed, []diag.Code{diag.CookieExpiredOnArrival}, ""},
		{"a Netscape-form Expires in the past fails JWT-COOKIE-008 too (A10)", result.JWTCookie008, func(r *Run) {
			setLine(r, CookieName+"=x; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None; Expires=Thu, 01-Jan-1970 00:00:00 GMT")
			r.Login.Stored, r.Login.Jar = nil, nil
		}, result.StateFailed, []diag.Code{diag.CookieExpiredOnArrival}, ""},
		{"not in the jar, no reason, not expired", result.JWTCookie001, func(r *Run) { r.Login.Stored, r.Login.Jar = nil, nil }, result.StateFailed, []diag.Code{diag.CookieNotStored}, ""},
		{"a line-only spec still judges a cookie that was not stored", result.JWTCookie004, func(r *Run) {
			setLine(r, CookieName+"=x; Domain=.acme.test; Path=/; HttpOnly; SameSite=None", "SameSiteNoneInsecure")
		}, result.StateFailed, []diag.Code{diag.CookieNotSecure}, ""},
		{"a spec that follows the stored cookie is blocked by JWT-COOKIE-001", result.JWTCookie002, func(r *Run) {
			setLine(r, CookieName+"=x; Domain=.acme.test; Path=/; HttpOnly; SameSite=None", "SameSiteNoneInsecure")
		}, result.StateBlocked, nil, string(result.JWTCookie001)},
		{"an expired cookie blocks by JWT-COOKIE-001, not JWT-COOKIE-008 printed later", result.JWTCookie010, func(r *Run) {
			setLine(r, CookieName+"=x; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None; Max-Age=0")
			r.Login.Stored, r.Login.Jar = nil, nil
		}, result.StateBlocked, nil, string(result.JWTCookie001)},
		{"app-only run", result.JWTCookie001, func(r *Run) { r.Target.LoginURL, r.Login = "", nil }, result.StateOutOfScope, nil, "app-only run"},
		// JWT-COOKIE-002
		{"domain covers the app", result.JWTCookie002, nil, result.StatePassed, nil, ""},
		{"host-only", result.JWTCookie002, func(r *Run) {
			setLine(r, CookieName+"=x; Path=/; Secure; HttpOnly; SameSite=None")
			r.Login.AppNavCookie = nil
		}, result.StateFailed, []diag.Code{diag.CookieHostOnly}, ""},
		{"public suffix refused", result.JWTCookie002, func(r *Run) { setLine(r, CookieName+"=x; Domain=.test; Secure; SameSite=None", "InvalidDomain") }, result.StateFailed, []diag.Code{diag.CookieDomainInvalid}, ""},
		{"withheld on navigation by path: JWT-COOKIE-007 explains it", result.JWTCookie002, func(r *Run) {
			setLine(r, CookieName+"=x; Domain=.acme.test; Path=/login; Secure; HttpOnly; SameSite=None")
			r.Login.AppNavCookie = withheld("NotOnPath")
		}, result.StateBlocked, nil, string(result.JWTCookie007)},
		// Chromium's NotOnPath is JWT-COOKIE-007's to judge, whatever the
		// Path attribute says: 007 fails for it, so it blocks 002.
		{"withheld by path although the Path covers the app: JWT-COOKIE-007 fails for it", result.JWTCookie002, func(r *Run) { r.Login.AppNavCookie = withheld("NotOnPath") }, result.StateBlocked, nil, string(result.JWTCookie007)},
		{"withheld for another reason", result.JWTCookie002, func(r *Run) { r.Login.AppNavCookie = withheld("SomethingNew") }, result.StateFailed, []diag.Code{diag.CookieNotSent}, ""},
		{"no cookie blocks", result.JWTCookie002, func(r *Run) { r.Login.SetCookie = nil }, result.StateBlocked, nil, string(result.JWTCookie001)},
		{"app page not reached, app unreachable for the probes too", result.JWTCookie002, func(r *Run) {
			r.Login.AppErr, r.Probes, r.ProbesErr = errors.New("refused"), nil, errors.New("refused")
		}, result.StateBlocked, nil, string(result.JWTApp001)},
		{"app page not opened in the browser though the probes were answered", result.JWTCookie002, func(r *Run) { r.Login.AppErr = errors.New("navigation timeout") }, result.StateFailed, []diag.Code{diag.AppPageFailed}, ""},
		{"reference verifier not opened: mfconform's own set-up", result.JWTCookie002, func(r *Run) { r.Login.AppErr, r.Target.AppIsReference, r.Probes = errors.New("refused"), true, nil }, result.StateFailed, []diag.Code{diag.SetupFailed}, ""},
		{"a spec after the app page blames JWT-COOKIE-002, not a passing JWT-APP-001", result.JWTCookie010, func(r *Run) { r.Login.AppErr = errors.New("navigation timeout") }, result.StateBlocked, nil, string(result.JWTCookie002)},
		{"no app URL", result.JWTCookie002, func(r *Run) { r.Target.AppURL = "" }, result.StateNotJudged, nil, InputApp},
		// JWT-COOKIE-003
		{"registrable domain shared", result.JWTCookie003, nil, result.StatePassed, nil, ""},
		{"unrelated domains", result.JWTCookie003, func(r *Run) { r.Target.AppURL = "https://app.other-app.test" }, result.StateFailed, []diag.Code{diag.CookieDomainsUnrelated}, ""},
		// JWT-COOKIE-004
		{"secure", result.JWTCookie004, nil, result.StatePassed, nil, ""},
		{"not secure", result.JWTCookie004, func(r *Run) { setLine(r, CookieName+"=x; Domain=.acme.test; Path=/; HttpOnly; SameSite=Lax") }, result.StateFailed, []diag.Code{diag.CookieNotSecure}, ""},
		{"set over http", result.JWTCookie004, func(r *Run) {
			r.Target.LoginURL = "http://login.acme.test/login"
			setLine(r, r.Login.SetCookie.Line, "SecureOnly")
		}, result.StateFailed, []diag.Code{diag.CookieInsecureOrigin}, ""},
		// JWT-COOKIE-005
		{"httponly", result.JWTCookie005, nil, result.StatePassed, nil, ""},
		{"readable by scripts", result.JWTCookie005, func(r *Run) {
			setLine(r, CookieName+"=x; Domain=.acme.test; Path=/; Secure; SameSite=None")
			r.Login.DocumentCookieHasToken = true
		}, result.StateFailed, []diag.Code{diag.CookieNotHTTPOnly}, ""},
		// JWT-COOKIE-006
		{"samesite none proven", result.JWTCookie006, nil, result.StatePassed, nil, ""},
		{"samesite lax", result.JWTCookie006, func(r *Run) {
			setLine(r, CookieName+"=x; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=Lax")
			r.Login.Embed.FrameCookie, r.Login.Embed.FetchCookie = withheld("SchemefulSameSiteLax"), withheld("SchemefulSameSiteLax")
		}, result.StateFailed, []diag.Code{diag.CookieSameSiteNotNone}, ""},
		{"none without secure", result.JWTCookie006, func(r *Run) {
			setLine(r, CookieName+"=x; Domain=.acme.test; Path=/; HttpOnly; SameSite=None", "SameSiteNoneInsecure")
		}, result.StateFailed, []diag.Code{diag.CookieSameSiteNoneInsecure}, ""},
		{"third-party cookies blocked", result.JWTCookie006, func(r *Run) {
			r.Login.Embed.FrameCookie, r.Login.Embed.FetchCookie = withheld("UserPreferences"), withheld("UserPreferences")
		}, result.StateWarned, []diag.Code{diag.CookieThirdPartyBlocked}, ""},
		{"embed page failed", result.JWTCookie006, func(r *Run) { r.Login.EmbedErr = errors.New("timeout") }, result.StateFailed, []diag.Code{diag.SetupFailed}, ""},
		{"the app's page broke the embedding step: the app's failure", result.JWTCookie006, func(r *Run) {
			r.Login.EmbedErr = &appPageError{errors.New("follow the link to the app: timeout")}
		}, result.StateFailed, []diag.Code{diag.AppPageFailed}, ""},
		{"mfconform's own verifier broke it: set-up", result.JWTCookie006, func(r *Run) {
			r.Login.EmbedErr, r.Target.AppIsReference = &appPageError{errors.New("follow the link to the app: timeout")}, true
		}, result.StateFailed, []diag.Code{diag.SetupFailed}, ""},
		{"not sent on navigation blocks", result.JWTCookie006, func(r *Run) { r.Login.AppNavCookie = withheld("DomainMismatch") }, result.StateBlocked, nil, string(result.JWTCookie002)},
		{"not stored: blocked by JWT-COOKIE-001", result.JWTCookie006, func(r *Run) { setLine(r, r.Login.SetCookie.Line, "NameValuePairExceedsMaxSize") }, result.StateBlocked, nil, string(result.JWTCookie001)},
		// JWT-COOKIE-007…009
		{"path covers", result.JWTCookie007, nil, result.StatePassed, nil, ""},
		{"path restricted", result.JWTCookie007, func(r *Run) {
			setLine(r, CookieName+"=x; Domain=.acme.test; Path=/login; Secure; HttpOnly; SameSite=None")
		}, result.StateFailed, []diag.Code{diag.CookiePathRestricted}, ""},
		// A6: without a Path attribute the default-path is the directory of
		// the URL whose response set the cookie — after a redirect, not
		// --login-url's.
		{"no Path, set by a redirect's target: its default-path, not the login URL's", result.JWTCookie007, func(r *Run) {
			setByRedirect(r, "https://login.acme.test/auth/callback/done", CookieName+"=x; Domain=.acme.test; Secure; HttpOnly; SameSite=None")
		}, result.StateFailed, []diag.Code{diag.CookiePathRestricted}, ""},
		{"no Path, set by the login URL itself: default-path /", result.JWTCookie007, func(r *Run) {
			setByRedirect(r, "https://login.acme.test/login", CookieName+"=x; Domain=.acme.test; Secure; HttpOnly; SameSite=None")
		}, result.StatePassed, nil, ""},
		{"Chromium withheld it by path although the Path covers the app", result.JWTCookie007, func(r *Run) { r.Login.AppNavCookie = withheld("NotOnPath") }, result.StateFailed, []diag.Code{diag.CookiePathRestricted}, ""},
		{"not expired", result.JWTCookie008, nil, result.StatePassed, nil, ""},
		{"max-age 0", result.JWTCookie008, func(r *Run) {
			setLine(r, CookieName+"=x; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None; Max-Age=0")
			r.Login.Stored = nil
		}, result.StateFailed, []diag.Code{diag.CookieExpiredOnArrival}, ""},
		{"size fits", result.JWTCookie009, nil, result.StatePassed, nil, ""},
		{"too large", result.JWTCookie009, func(r *Run) { setLine(r, CookieName+"="+strings.Repeat("a", 5000), "NameValuePairExceedsMaxSize") }, result.StateFailed, []diag.Code{diag.CookieTooLarge}, ""},
		// JWT-TOKEN-*
		{"compact JWS", result.JWTToken001, nil, result.StatePassed, nil, ""},
		{"not a JWS", result.JWTToken001, func(r *Run) {
			setLine(r, CookieName+"=bm90IGEgand0; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None")
		}, result.StateFailed, []diag.Code{diag.TokenMalformed}, ""},
		{"alg blocked by a malformed token", result.JWTToken002, func(r *Run) { setLine(r, CookieName+"=garbage; Domain=.acme.test") }, result.StateBlocked, nil, string(result.JWTToken001)},
		{"signature verifies", result.JWTToken003, nil, result.StatePassed, nil, ""},
		{"signature needs the key", result.JWTToken003, func(r *Run) { r.Target.Secret = nil }, result.StateNotJudged, nil, InputSecret},
		{"signature mismatch", result.JWTToken003, func(r *Run) { r.Target.Secret = []byte("another-secret-of-enough-length-000000") }, result.StateFailed, []diag.Code{diag.TokenSignatureMismatch}, ""},
		{"clock agrees", result.JWTToken010, nil, result.StatePassed, nil, ""},
		{"clock ahead", result.JWTToken010, func(r *Run) { r.Login.LoginDate = testNow.Add(10 * time.Minute) }, result.StateFailed, []diag.Code{diag.TokenClockSkew}, ""},
		{"no Date and no iat: nothing to compare", result.JWTToken010, func(r *Run) { r.Login.LoginDate = time.Time{} }, result.StateNotJudged, nil, InputClockEvidence},
		{"secret judged without a backend", result.JWTToken009, func(r *Run) { r.Target.LoginURL, r.Login = "", nil }, result.StatePassed, nil, ""},
		{"secret needs the key", result.JWTToken009, func(r *Run) { r.Target.Secret = nil }, result.StateNotJudged, nil, InputSecret},
		{"token specs out of scope app-only", result.JWTToken004, func(r *Run) { r.Target.LoginURL, r.Login = "", nil }, result.StateOutOfScope, nil, "app-only run"},
		// JWT-APP-001
		{"app accepts a valid token", result.JWTApp001, nil, result.StatePassed, nil, ""},
		{"app unreachable", result.JWTApp001, func(r *Run) { r.Probes, r.ProbesErr = nil, errors.New("dial tcp: connection refused") }, result.StateFailed, []diag.Code{diag.AppUnreachable}, ""},
		{"app rejects a valid token", result.JWTApp001, func(r *Run) { answer(r, "valid-integer-exp", ProbeResult{Status: 401, Rejected: true}) }, result.StateFailed, []diag.Code{diag.AppRejectsValidToken}, ""},
		{"acceptance needs the key", result.JWTApp001, func(r *Run) { r.Target.Secret = nil }, result.StateNotJudged, nil, InputSecret},
		{"reference app is out of scope", result.JWTApp001, func(r *Run) { r.Target.AppIsReference = true }, result.StateOutOfScope, nil, "backend-only run"},
		{"probe answered with a network error", result.JWTApp001, func(r *Run) { answer(r, "valid-integer-exp", ProbeResult{Error: "reset"}) }, result.StateFailed, []diag.Code{diag.AppProbeFailed}, ""},
		// JWT-APP-002
		{"backend token delivered and accepted", result.JWTApp002, nil, result.StatePassed, nil, ""},
		{"backend token refused", result.JWTApp002, func(r *Run) { r.Login.AppProbe = ProbeResult{Status: 401, Rejected: true} }, result.StateFailed, []diag.Code{diag.AppRejectsValidToken}, ""},
		{"not delivered, sent directly, accepted", result.JWTApp002, func(r *Run) {
			r.Login.AppProbeCookie = nil
			r.BackendProbe = &ProbeOutcome{Result: ProbeResult{Status: 200, Body: `{"user_id":"u-1"}`}}
		}, result.StatePassed, nil, ""},
		{"not delivered, and JWT-COOKIE-002 says why", result.JWTApp002, func(r *Run) {
			r.Login.AppNavCookie, r.Login.AppProbeCookie = withheld("DomainMismatch"), nil
		}, result.StateBlocked, nil, string(result.JWTCookie002)},
		{"not delivered and not sent: no pass", result.JWTApp002, func(r *Run) { r.Login.AppProbeCookie = nil }, result.StateFailed, []diag.Code{diag.SetupFailed}, ""},
		{"backend token expired and refused: the app is right", result.JWTApp002, func(r *Run) {
			tok, _ := jwtcheck.Mint("HS256", []byte(testSecret), map[string]any{"user_id": "u", "exp": testNow.Add(-time.Hour).Unix()})
			setLine(r, CookieName+"="+tok+"; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None")
			r.Login.AppProbe = ProbeResult{Status: 401, Rejected: true}
		}, result.StateBlocked, nil, string(result.JWTToken006)},
		{"backend token expired and accepted: the title holds", result.JWTApp002, func(r *Run) {
			tok, _ := jwtcheck.Mint("HS256", []byte(testSecret), map[string]any{"user_id": "u-1", "exp": testNow.Add(-time.Hour).Unix()})
			setLine(r, CookieName+"="+tok+"; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None")
		}, result.StatePassed, nil, ""},
		{"backend token expired within the leeway and refused: never a failure of the app", result.JWTApp002, func(r *Run) {
			tok, _ := jwtcheck.Mint("HS256", []byte(testSecret), map[string]any{"user_id": "u", "exp": testNow.Add(-2 * time.Second).Unix()})
			setLine(r, CookieName+"="+tok+"; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None")
			r.Thresholds.ExpLeeway = 5 * time.Second
			r.Login.AppProbe = ProbeResult{Status: 401, Rejected: true}
		}, result.StateNotJudged, nil, InputUnexpiredToken},
		// JWT-APP-003…010
		{"identity shown", result.JWTApp003, nil, result.StatePassed, nil, ""},
		{"another user_id is JWT-APP-001's finding", result.JWTApp003, func(r *Run) {
			answer(r, "valid-integer-exp", ProbeResult{Status: 200, Body: `{"user_id":"someone-else"}`})
		}, result.StateBlocked, nil, string(result.JWTApp001)},
		{"the token's user_id, another first_name", result.JWTApp003, func(r *Run) {
			answer(r, "valid-integer-exp", ProbeResult{Status: 200, Body: `{"user_id":"mfconform-probe-7f3a","first_name":"Jane"}`})
		}, result.StateFailed, []diag.Code{diag.AppIdentityMismatch}, ""},
		{"expired rejected", result.JWTApp004, nil, result.StatePassed, nil, ""},
		{"expired accepted", result.JWTApp004, func(r *Run) { answer(r, "expired-25h", accepted) }, result.StateFailed, []diag.Code{diag.AppAcceptsExpired}, ""},
		{"expired probes need the key", result.JWTApp004, func(r *Run) { keyless(t, r) }, result.StateNotJudged, nil, InputSecret},
		// A7: without the key tampered-payload is not sent, so the title
		// ("wrong-key, tampered and stripped") is not judged whole.
		{"bad signatures refused without the key: the tampered probe was not sent", result.JWTApp005, func(r *Run) { keyless(t, r) }, result.StateNotJudged, nil, InputSecret},
		{"other key accepted without the key", result.JWTApp005, func(r *Run) { keyless(t, r); answer(r, "other-key-HS256", accepted) }, result.StateFailed, []diag.Code{diag.AppAcceptsBadSignature}, ""},
		{"alg none accepted without the key", result.JWTApp006, func(r *Run) { keyless(t, r); answer(r, "alg-nOnE", accepted) }, result.StateFailed, []diag.Code{diag.AppAcceptsAlgNone}, ""},
		{"refusals prove nothing if valid is refused", result.JWTApp006, func(r *Run) { answer(r, "valid-integer-exp", ProbeResult{Status: 401, Rejected: true}) }, result.StateBlocked, nil, string(result.JWTApp001)},
		{"other alg accepted", result.JWTApp007, func(r *Run) { answer(r, "alg-HS512", accepted) }, result.StateFailed, []diag.Code{diag.AppAcceptsOtherAlg}, ""},
		{"missing claim accepted", result.JWTApp008, func(r *Run) { answer(r, "missing-exp", accepted) }, result.StateFailed, []diag.Code{diag.AppAcceptsMissingClaim}, ""},
		{"fractional exp refused along with every valid token", result.JWTApp009, func(r *Run) {
			answer(r, "valid-", ProbeResult{Status: 401, Rejected: true})
		}, result.StateBlocked, nil, string(result.JWTApp001)},
		{"backend token could not be sent to an app that answers: its own finding", result.JWTApp002, func(r *Run) {
			r.Login.AppProbeCookie = nil
			r.BackendProbe = &ProbeOutcome{Result: ProbeResult{Error: "connection refused"}}
		}, result.StateFailed, []diag.Code{diag.AppProbeFailed}, ""},
		{"backend token could not be sent to an app that answers no probe", result.JWTApp002, func(r *Run) {
			r.Login.AppProbeCookie = nil
			r.BackendProbe = &ProbeOutcome{Result: ProbeResult{Error: "connection refused"}}
			r.Probes, r.ProbesErr = nil, errors.New("connection refused")
		}, result.StateBlocked, nil, string(result.JWTApp001)},
		{"fractional exp refused", result.JWTApp009, func(r *Run) { answer(r, "valid-fractional-exp", ProbeResult{Status: 401, Rejected: true}) }, result.StateFailed, []diag.Code{diag.AppRejectsFractionalExp}, ""},
		{"a 404 at a path that signs in and refuses: neither", result.JWTApp006, func(r *Run) { answer(r, "alg-none", ProbeResult{Status: 404}) }, result.StateFailed, []diag.Code{diag.AppProbeFailed}, ""},
		{"garbage refused", result.JWTApp010, nil, result.StatePassed, nil, ""},
		{"garbage crashes the app", result.JWTApp010, func(r *Run) { answer(r, "garbage-word", ProbeResult{Status: 500}) }, result.StateFailed, []diag.Code{diag.AppServerError}, ""},
		{"garbage probes need no key", result.JWTApp010, func(r *Run) { keyless(t, r) }, result.StatePassed, nil, ""},
		{"probes blocked when the app is down", result.JWTApp010, func(r *Run) { r.Probes, r.ProbesErr = nil, errors.New("refused") }, result.StateBlocked, nil, string(result.JWTApp001)},

		// Issue 22, A2: a 5xx is no refusal. "Rejects" holds only for 401,
		// 403 or a redirect; a crash fails the spec, unless the app crashes
		// on conformant tokens too (then JWT-APP-001 fails for it).
		{"expired token answered 500: a crash, not a refusal", result.JWTApp004, func(r *Run) { answer(r, "expired-25h", ProbeResult{Status: 500, Body: "Internal Server Error"}) }, result.StateFailed, []diag.Code{diag.AppServerError}, ""},
		{"tampered token answered 500", result.JWTApp005, func(r *Run) { answer(r, "tampered-payload", ProbeResult{Status: 500}) }, result.StateFailed, []diag.Code{diag.AppServerError}, ""},
		{"alg none answered 502", result.JWTApp006, func(r *Run) { answer(r, "alg-none", ProbeResult{Status: 502}) }, result.StateFailed, []diag.Code{diag.AppServerError}, ""},
		{"HS512 answered 500", result.JWTApp007, func(r *Run) { answer(r, "alg-HS512", ProbeResult{Status: 500}) }, result.StateFailed, []diag.Code{diag.AppServerError}, ""},
		{"missing exp answered 500", result.JWTApp008, func(r *Run) { answer(r, "missing-exp", ProbeResult{Status: 500}) }, result.StateFailed, []diag.Code{diag.AppServerError}, ""},
		{"garbage answered 500 is JWT-APP-010's, not JWT-APP-005's", result.JWTApp005, func(r *Run) { answer(r, "garbage-", ProbeResult{Status: 500}) }, result.StatePassed, nil, ""},
		{"garbage answered 500 fails JWT-APP-010", result.JWTApp010, func(r *Run) { answer(r, "garbage-", ProbeResult{Status: 500}) }, result.StateFailed,
			[]diag.Code{diag.AppServerError, diag.AppServerError, diag.AppServerError, diag.AppServerError, diag.AppServerError, diag.AppServerError}, ""},
		{"a conformant token answered 500: JWT-APP-001 fails for it", result.JWTApp001, func(r *Run) { answer(r, "", ProbeResult{Status: 500}) }, result.StateFailed, []diag.Code{diag.AppServerError}, ""},
		{"every token answered 500: the refusal specs are blocked by JWT-APP-001", result.JWTApp004, func(r *Run) { answer(r, "", ProbeResult{Status: 500}) }, result.StateBlocked, nil, string(result.JWTApp001)},
		{"the backend's token answered 500", result.JWTApp002, func(r *Run) { r.Login.AppProbe = ProbeResult{Status: 500} }, result.StateFailed, []diag.Code{diag.AppServerError}, ""},
		{"garbage answered with a redirect to the login: a refusal", result.JWTApp010, func(r *Run) {
			answer(r, "garbage-", ProbeResult{Status: 302, Redirect: true})
		}, result.StatePassed, nil, ""},

		// Issue 22, A3 and C3: accepted means the authenticated status with
		// the token's user_id in --user-id-field; a path that does not say
		// who is signed in never passes.
		{"a health check as the probe path (200 ok for any token)", result.JWTApp001, func(r *Run) { answer(r, "", ProbeResult{Status: 200, Body: "ok"}) }, result.StateFailed, []diag.Code{diag.AppProbeNoIdentity}, ""},
		{"JSON without the user id field", result.JWTApp001, func(r *Run) {
			answer(r, "valid-", ProbeResult{Status: 200, Body: `{"id":"mfconform-probe-7f3a"}`})
		}, result.StateFailed, []diag.Code{diag.AppProbeNoIdentity}, ""},
		{"a 404 probe path is the path, not the key (C3)", result.JWTApp001, func(r *Run) { answer(r, "", ProbeResult{Status: 404, Body: "Not Found"}) }, result.StateFailed, []diag.Code{diag.AppProbeNoIdentity}, ""},
		{"signed in as another user", result.JWTApp001, func(r *Run) {
			answer(r, "valid-", ProbeResult{Status: 200, Body: `{"user_id":"someone-else"}`})
		}, result.StateFailed, []diag.Code{diag.AppIdentityMismatch}, ""},
		{"the user id in the field --user-id-field names", result.JWTApp001, func(r *Run) {
			r.Target.UserIDField = "sub"
			answer(r, "valid-", ProbeResult{Status: 200, Body: `{"sub":"mfconform-probe-7f3a"}`})
		}, result.StatePassed, nil, ""},
		{"a numeric user id field", result.JWTApp001, func(r *Run) {
			r.Target.UserIDField = "uid"
			answer(r, "valid-", ProbeResult{Status: 200, Body: `{"uid":42}`})
		}, result.StateFailed, []diag.Code{diag.AppIdentityMismatch}, ""},
		{"a health check: the fractional probe proves nothing", result.JWTApp009, func(r *Run) { answer(r, "", ProbeResult{Status: 200, Body: "ok"}) }, result.StateBlocked, nil, string(result.JWTApp001)},
		{"a health check: no false alg-none acceptance", result.JWTApp006, func(r *Run) { answer(r, "", ProbeResult{Status: 200, Body: "ok"}) }, result.StateBlocked, nil, string(result.JWTApp001)},
		{"a health check: the backend's token proves nothing either", result.JWTApp002, func(r *Run) {
			answer(r, "", ProbeResult{Status: 200, Body: "ok"})
			r.Login.AppProbe = ProbeResult{Status: 200, Body: "ok"}
		}, result.StateBlocked, nil, string(result.JWTApp001)},
		{"a health check without the key: the garbage answers say nothing", result.JWTApp010, func(r *Run) {
			keyless(t, r)
			answer(r, "", ProbeResult{Status: 200, Body: "ok"})
		}, result.StateFailed, []diag.Code{diag.AppProbeNoIdentity, diag.AppProbeNoIdentity, diag.AppProbeNoIdentity, diag.AppProbeNoIdentity, diag.AppProbeNoIdentity, diag.AppProbeNoIdentity}, ""},
		{"the backend's token signs in another user than its user_id", result.JWTApp002, func(r *Run) {
			r.Login.AppProbe = ProbeResult{Status: 200, Body: `{"user_id":"someone-else"}`}
		}, result.StateFailed, []diag.Code{diag.AppIdentityMismatch}, ""},
		{"the app signs everyone in as another user: JWT-APP-001's finding", result.JWTApp002, func(r *Run) {
			answer(r, "valid-", ProbeResult{Status: 200, Body: `{"user_id":"someone-else"}`})
			r.Login.AppProbe = ProbeResult{Status: 200, Body: `{"user_id":"someone-else"}`}
		}, result.StateBlocked, nil, string(result.JWTApp001)},
		{"fractional exp signed in as another user, like the integer one: JWT-APP-001's", result.JWTApp009, func(r *Run) {
			answer(r, "valid-", ProbeResult{Status: 200, Body: `{"user_id":"someone-else"}`})
		}, result.StateBlocked, nil, string(result.JWTApp001)},
		{"a token without user_id signed in: the status alone, at a path that names users", result.JWTApp008, func(r *Run) {
			answer(r, "missing-user_id", ProbeResult{Status: 200, Body: `{"user_id":""}`})
		}, result.StateFailed, []diag.Code{diag.AppAcceptsMissingClaim}, ""},
		{"the status alone without the key: nothing shows the path names users", result.JWTApp006, func(r *Run) {
			keyless(t, r)
			answer(r, "alg-none", ProbeResult{Status: 200, Body: `{"user_id":""}`})
		}, result.StateFailed, []diag.Code{diag.AppProbeNoIdentity}, ""},
		{"the backend's token answered 404 while the probes sign in: the path is wrong for it", result.JWTApp002, func(r *Run) {
			r.Login.AppProbe = ProbeResult{Status: 404}
		}, result.StateFailed, []diag.Code{diag.AppProbeNoIdentity}, ""},

		// Issue 22, item 4: the app refuses tokens of the key the backend
		// signs with (JWT-APP-001 fails): the backend's refused token is
		// the same finding, blocked by it.
		{"the app holds another key: JWT-APP-002 blocked by JWT-APP-001", result.JWTApp002, func(r *Run) {
			answer(r, "valid-", ProbeResult{Status: 401, Body: `{"error":"bad_signature"}`})
			r.Login.AppProbe = ProbeResult{Status: 401, Body: `{"error":"bad_signature"}`}
		}, result.StateBlocked, nil, string(result.JWTApp001)},

		// Issue 22, A8: "used over https" and "invisible to document.cookie
		// in the app" need the app page; the line-only parts do not.
		{"HttpOnly, the app page never reached: blocked", result.JWTCookie005, func(r *Run) {
			r.Login.AppErr, r.Probes, r.ProbesErr = errors.New("net::ERR_CONNECTION_REFUSED"), nil, errors.New("refused")
		}, result.StateBlocked, nil, string(result.JWTApp001)},
		{"HttpOnly, nothing stored: blocked", result.JWTCookie005, func(r *Run) { r.Login.Stored, r.Login.Jar = nil, nil }, result.StateBlocked, nil, string(result.JWTCookie001)},
		{"HttpOnly, not delivered to the app page: blocked", result.JWTCookie005, func(r *Run) {
			setLine(r, CookieName+"=x; Path=/; Secure; HttpOnly; SameSite=None")
			r.Login.Stored.Domain = "login.acme.test"
			r.Login.AppNavCookie, r.Login.AppProbeCookie = nil, nil
		}, result.StateBlocked, nil, string(result.JWTCookie002)},
		{"HttpOnly missing fails from the line alone, app down or not", result.JWTCookie005, func(r *Run) {
			setLine(r, CookieName+"=x; Domain=.acme.test; Path=/; Secure; SameSite=None")
			r.Login.AppErr, r.Probes, r.ProbesErr = errors.New("refused"), nil, errors.New("refused")
		}, result.StateFailed, []diag.Code{diag.CookieNotHTTPOnly}, ""},
		{"Secure and https judged from the line and the URLs, app down", result.JWTCookie004, func(r *Run) {
			r.Login.AppErr, r.Probes, r.ProbesErr = errors.New("refused"), nil, errors.New("refused")
		}, result.StatePassed, nil, ""},
		{"set by an http hop of an https login", result.JWTCookie004, func(r *Run) {
			setByRedirect(r, "http://login.acme.test/done", r.Login.SetCookie.Line)
		}, result.StateFailed, []diag.Code{diag.CookieInsecureOrigin}, ""},

		// Issue 22, A9: a leftover is not this login's cookie.
		{"the login's cookie dropped, a leftover in the jar: not stored", result.JWTCookie001, func(r *Run) {
			setLine(r, CookieName+"=x; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None; Max-Age=0")
			left := &network.Cookie{Name: CookieName, Domain: "app.acme.test", Path: "/"}
			r.Login.Stored, r.Login.Jar = nil, []*network.Cookie{left}
		}, result.StateFailed, []diag.Code{diag.CookieExpiredOnArrival}, ""},

		// Issue 22, A12: exp in any sub-second unit.
		{"exp in microseconds", result.JWTToken005, func(r *Run) {
			setToken(t, r, map[string]any{"user_id": "u-1", "exp": testNow.Add(time.Hour).UnixMicro()})
		}, result.StateFailed, []diag.Code{diag.TokenExpMicroseconds}, ""},
		{"exp in nanoseconds", result.JWTToken005, func(r *Run) {
			setToken(t, r, map[string]any{"user_id": "u-1", "exp": testNow.Add(time.Hour).UnixNano()})
		}, result.StateFailed, []diag.Code{diag.TokenExpNanoseconds}, ""},
		{"exp in nanoseconds is no lifetime warning", result.JWTToken007, func(r *Run) {
			setToken(t, r, map[string]any{"user_id": "u-1", "exp": testNow.Add(time.Hour).UnixNano()})
		}, result.StatePassed, nil, ""},

		// Issue 22, A14: within the leeway passes — the title says so.
		{"expired 2s before arrival, within the 5s leeway", result.JWTToken006, func(r *Run) {
			setToken(t, r, map[string]any{"user_id": "u-1", "exp": r.Login.ReceivedAt.Add(-2 * time.Second).Unix()})
			r.Thresholds.ExpLeeway = 5 * time.Second
		}, result.StatePassed, nil, ""},

		// Issue 22, A15: a quoted value is not a compact JWS in the cookie.
		{"a JWS in double quotes", result.JWTToken001, func(r *Run) {
			setLine(r, quotedLine(r))
		}, result.StateWarned, []diag.Code{diag.TokenValueQuoted}, ""},
		{"a JWS in double quotes: the other token specs judge the JWS", result.JWTToken003, func(r *Run) { setLine(r, quotedLine(r)) }, result.StatePassed, nil, ""},
		{"garbage in double quotes", result.JWTToken001, func(r *Run) {
			setLine(r, CookieName+`="not-a-jwt"; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None`)
		}, result.StateFailed, []diag.Code{diag.TokenMalformed, diag.TokenValueQuoted}, ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.id)+"/"+tt.name, func(t *testing.T) {
			r := goodRun(t)
			if tt.mutate != nil {
				tt.mutate(r)
			}
			judgetest.Check(t, check(t, tt.id)(r), judgetest.Want{State: tt.state, Codes: tt.codes, By: tt.by})
		})
	}
}

// keyless turns the run into one without AUTH_SECRET_KEY: only the probes
// that need no key were sent.
func keyless(t *testing.T, r *Run) {
	t.Helper()
	r.Target.Secret = nil
	ps, err := jwtcheck.Probes(nil, ProbeIdentity, testNow)
	if err != nil {
		t.Fatal(err)
	}
	ps = append(ps, jwtcheck.GarbageProbes()...)
	r.Probes = &ProbeEvidence{}
	for _, p := range ps {
		r.Probes.Outcomes = append(r.Probes.Outcomes, ProbeOutcome{Probe: p, Result: ProbeResult{Status: 401, Rejected: true}})
	}
}

// TestEveryCheckIsListed keeps the declarations complete: every JWT spec
// has an area, bundles, a judgment and a title, and the prerequisites
// form a graph whose every edge points to a spec printed earlier (no
// cycle, nothing unknown).
func TestEveryCheckIsListed(t *testing.T) {
	seen := map[result.SpecID]bool{}
	for _, c := range Checks() {
		if seen[c.ID] {
			t.Errorf("duplicate spec ID %s", c.ID)
		}
		seen[c.ID] = true
		if c.Area == "" || c.Bundles == nil || c.Judge == nil || c.Title == "" {
			t.Errorf("%s: incomplete declaration %+v", c.ID, c)
		}
	}
	if err := judge.Validate(Checks()); err != nil {
		t.Errorf("judge.Validate(Checks()) = %v", err)
	}
}

// TestACauseLeftOutOfTheRun: with --label-filter area:cookie on an app that
// does not answer, JWT-APP-001 is not in the run, so the cookie specs that
// need the app page are never "blocked by" it: they are not judged, naming
// it as what to run (issue 22, B5).
func TestACauseLeftOutOfTheRun(t *testing.T) {
	r := goodRun(t)
	r.Login.AppErr, r.Probes, r.ProbesErr = errors.New("net::ERR_CONNECTION_REFUSED"), nil, nil
	var cookieSpecs []result.SpecID
	for _, c := range Checks() {
		if c.Area == "cookie" {
			cookieSpecs = append(cookieSpecs, c.ID)
		}
	}
	v := judge.Resolve(Checks(), r, cookieSpecs)
	for _, id := range []result.SpecID{result.JWTCookie002, result.JWTCookie006, result.JWTCookie010} {
		s := v.Spec(id)
		if s.State != result.StateNotJudged || s.Input != string(result.JWTApp001)+" in the run" || !strings.Contains(s.Reason, "ERR_CONNECTION_REFUSED") {
			t.Errorf("%s = %s (input %q): %s; want not judged, naming JWT-APP-001 and the browser's error", id, s.State, s.Input, s.Reason)
		}
	}
	if _, judged := v[result.JWTApp001]; judged {
		t.Errorf("JWT-APP-001 has a verdict in a run that left it out")
	}
}
