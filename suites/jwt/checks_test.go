package jwt

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/env"
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

// answer makes the app answer the probes named (by name prefix) as given.
func answer(r *Run, prefix string, res ProbeResult) {
	for i, o := range r.Probes.Outcomes {
		if strings.HasPrefix(o.Probe.Name, prefix) {
			r.Probes.Outcomes[i].Result = res
		}
	}
}

var accepted = ProbeResult{Status: 200, Body: `{"user_id":"x"}`, Accepted: true}

func check(t *testing.T, id string) func(*Run) result.Spec {
	t.Helper()
	for _, c := range Checks() {
		if c.ID == id {
			return func(r *Run) result.Spec { return c.Judge(r).Spec(id) }
		}
	}
	t.Fatalf("no check %s", id)
	return nil
}

func TestChecks(t *testing.T) {
	tests := []struct {
		name   string
		id     string
		mutate func(*Run)
		state  string
		codes  []diag.Code
		by     string // blocked by, or the missing input, or the scope
	}{
		// JWT-COOKIE-001
		{"cookie set", "JWT-COOKIE-001", nil, result.StatePassed, nil, ""},
		{"no cookie, near miss named", "JWT-COOKIE-001", func(r *Run) { r.Login.SetCookie, r.Login.Others = nil, []string{"MF_JWT_TOKEN"} }, result.StateFailed, []diag.Code{diag.CookieNotSet}, ""},
		{"requests dropped before any Set-Cookie: no verdict on the name", "JWT-COOKIE-001", func(r *Run) { r.Login.SetCookie, r.Login.Dropped = nil, 12 }, result.StateFailed, []diag.Code{diag.SetupFailed}, ""},
		{"login unreachable", "JWT-COOKIE-001", func(r *Run) { r.Login, r.LoginErr = nil, errors.New("net::ERR_CONNECTION_REFUSED") }, result.StateFailed, []diag.Code{diag.LoginUnreachable}, ""},
		{"login partly observed then failed", "JWT-COOKIE-001", func(r *Run) { r.Login.SetCookie, r.LoginErr = nil, errors.New("timeout") }, result.StateFailed, []diag.Code{diag.LoginUnreachable}, ""},
		{"refused for an unowned reason", "JWT-COOKIE-001", func(r *Run) { setLine(r, r.Login.SetCookie.Line, "DisallowedCharacter") }, result.StateFailed, []diag.Code{diag.CookieNotStored}, ""},
		{"app-only run", "JWT-COOKIE-001", func(r *Run) { r.Target.LoginURL, r.Login = "", nil }, result.StateOutOfScope, nil, "app-only run"},
		// JWT-COOKIE-002
		{"domain covers the app", "JWT-COOKIE-002", nil, result.StatePassed, nil, ""},
		{"host-only", "JWT-COOKIE-002", func(r *Run) {
			setLine(r, CookieName+"=x; Path=/; Secure; HttpOnly; SameSite=None")
			r.Login.AppNavCookie = nil
		}, result.StateFailed, []diag.Code{diag.CookieHostOnly}, ""},
		{"public suffix refused", "JWT-COOKIE-002", func(r *Run) { setLine(r, CookieName+"=x; Domain=.test; Secure; SameSite=None", "InvalidDomain") }, result.StateFailed, []diag.Code{diag.CookieDomainInvalid}, ""},
		{"withheld on navigation by path", "JWT-COOKIE-002", func(r *Run) { r.Login.AppNavCookie = withheld("NotOnPath") }, result.StateBlocked, nil, "JWT-COOKIE-007"},
		{"withheld for another reason", "JWT-COOKIE-002", func(r *Run) { r.Login.AppNavCookie = withheld("SomethingNew") }, result.StateFailed, []diag.Code{diag.CookieNotSent}, ""},
		{"no cookie blocks", "JWT-COOKIE-002", func(r *Run) { r.Login.SetCookie = nil }, result.StateBlocked, nil, "JWT-COOKIE-001"},
		{"app page not reached, app unreachable for the probes too", "JWT-COOKIE-002", func(r *Run) {
			r.Login.AppErr, r.Probes, r.ProbesErr = errors.New("refused"), nil, errors.New("refused")
		}, result.StateBlocked, nil, "JWT-APP-001"},
		{"app page not opened in the browser though the probes were answered", "JWT-COOKIE-002", func(r *Run) { r.Login.AppErr = errors.New("navigation timeout") }, result.StateFailed, []diag.Code{diag.AppPageFailed}, ""},
		{"reference verifier not opened: mfconform's own set-up", "JWT-COOKIE-002", func(r *Run) { r.Login.AppErr, r.Target.AppIsReference, r.Probes = errors.New("refused"), true, nil }, result.StateFailed, []diag.Code{diag.SetupFailed}, ""},
		{"a spec after the app page blames JWT-COOKIE-002, not a passing JWT-APP-001", "JWT-COOKIE-010", func(r *Run) { r.Login.AppErr = errors.New("navigation timeout") }, result.StateBlocked, nil, "JWT-COOKIE-002"},
		{"no app URL", "JWT-COOKIE-002", func(r *Run) { r.Target.AppURL = "" }, result.StateNotJudged, nil, InputApp},
		// JWT-COOKIE-003
		{"registrable domain shared", "JWT-COOKIE-003", nil, result.StatePassed, nil, ""},
		{"unrelated domains", "JWT-COOKIE-003", func(r *Run) { r.Target.AppURL = "https://app.other-app.test" }, result.StateFailed, []diag.Code{diag.CookieDomainsUnrelated}, ""},
		// JWT-COOKIE-004
		{"secure", "JWT-COOKIE-004", nil, result.StatePassed, nil, ""},
		{"not secure", "JWT-COOKIE-004", func(r *Run) { setLine(r, CookieName+"=x; Domain=.acme.test; Path=/; HttpOnly; SameSite=Lax") }, result.StateFailed, []diag.Code{diag.CookieNotSecure}, ""},
		{"set over http", "JWT-COOKIE-004", func(r *Run) {
			r.Target.LoginURL = "http://login.acme.test/login"
			setLine(r, r.Login.SetCookie.Line, "SecureOnly")
		}, result.StateFailed, []diag.Code{diag.CookieInsecureOrigin}, ""},
		// JWT-COOKIE-005
		{"httponly", "JWT-COOKIE-005", nil, result.StatePassed, nil, ""},
		{"readable by scripts", "JWT-COOKIE-005", func(r *Run) {
			setLine(r, CookieName+"=x; Domain=.acme.test; Path=/; Secure; SameSite=None")
			r.Login.DocumentCookieHasToken = true
		}, result.StateFailed, []diag.Code{diag.CookieNotHTTPOnly}, ""},
		// JWT-COOKIE-006
		{"samesite none proven", "JWT-COOKIE-006", nil, result.StatePassed, nil, ""},
		{"samesite lax", "JWT-COOKIE-006", func(r *Run) {
			setLine(r, CookieName+"=x; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=Lax")
			r.Login.Embed.FrameCookie, r.Login.Embed.FetchCookie = withheld("SchemefulSameSiteLax"), withheld("SchemefulSameSiteLax")
		}, result.StateFailed, []diag.Code{diag.CookieSameSiteNotNone}, ""},
		{"none without secure", "JWT-COOKIE-006", func(r *Run) {
			setLine(r, CookieName+"=x; Domain=.acme.test; Path=/; HttpOnly; SameSite=None", "SameSiteNoneInsecure")
		}, result.StateFailed, []diag.Code{diag.CookieSameSiteNoneInsecure}, ""},
		{"third-party cookies blocked", "JWT-COOKIE-006", func(r *Run) {
			r.Login.Embed.FrameCookie, r.Login.Embed.FetchCookie = withheld("UserPreferences"), withheld("UserPreferences")
		}, result.StateWarned, []diag.Code{diag.CookieThirdPartyBlocked}, ""},
		{"embed page failed", "JWT-COOKIE-006", func(r *Run) { r.Login.EmbedErr = errors.New("timeout") }, result.StateFailed, []diag.Code{diag.SetupFailed}, ""},
		{"the app's page broke the embedding step: the app's failure", "JWT-COOKIE-006", func(r *Run) {
			r.Login.EmbedErr = &appPageError{errors.New("follow the link to the app: timeout")}
		}, result.StateFailed, []diag.Code{diag.AppPageFailed}, ""},
		{"mfconform's own verifier broke it: set-up", "JWT-COOKIE-006", func(r *Run) {
			r.Login.EmbedErr, r.Target.AppIsReference = &appPageError{errors.New("follow the link to the app: timeout")}, true
		}, result.StateFailed, []diag.Code{diag.SetupFailed}, ""},
		{"not sent on navigation blocks", "JWT-COOKIE-006", func(r *Run) { r.Login.AppNavCookie = withheld("DomainMismatch") }, result.StateBlocked, nil, "JWT-COOKIE-002"},
		{"not stored blocks", "JWT-COOKIE-006", func(r *Run) { setLine(r, r.Login.SetCookie.Line, "NameValuePairExceedsMaxSize") }, result.StateBlocked, nil, "JWT-COOKIE-009"},
		// JWT-COOKIE-007…009
		{"path covers", "JWT-COOKIE-007", nil, result.StatePassed, nil, ""},
		{"path restricted", "JWT-COOKIE-007", func(r *Run) {
			setLine(r, CookieName+"=x; Domain=.acme.test; Path=/login; Secure; HttpOnly; SameSite=None")
		}, result.StateFailed, []diag.Code{diag.CookiePathRestricted}, ""},
		{"not expired", "JWT-COOKIE-008", nil, result.StatePassed, nil, ""},
		{"max-age 0", "JWT-COOKIE-008", func(r *Run) {
			setLine(r, CookieName+"=x; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None; Max-Age=0")
			r.Login.Stored = nil
		}, result.StateFailed, []diag.Code{diag.CookieExpiredOnArrival}, ""},
		{"size fits", "JWT-COOKIE-009", nil, result.StatePassed, nil, ""},
		{"too large", "JWT-COOKIE-009", func(r *Run) { setLine(r, CookieName+"="+strings.Repeat("a", 5000), "NameValuePairExceedsMaxSize") }, result.StateFailed, []diag.Code{diag.CookieTooLarge}, ""},
		// JWT-TOKEN-*
		{"compact JWS", "JWT-TOKEN-001", nil, result.StatePassed, nil, ""},
		{"not a JWS", "JWT-TOKEN-001", func(r *Run) {
			setLine(r, CookieName+"=bm90IGEgand0; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None")
		}, result.StateFailed, []diag.Code{diag.TokenMalformed}, ""},
		{"alg blocked by a malformed token", "JWT-TOKEN-002", func(r *Run) { setLine(r, CookieName+"=garbage; Domain=.acme.test") }, result.StateBlocked, nil, "JWT-TOKEN-001"},
		{"signature verifies", "JWT-TOKEN-003", nil, result.StatePassed, nil, ""},
		{"signature needs the key", "JWT-TOKEN-003", func(r *Run) { r.Target.Secret = nil }, result.StateNotJudged, nil, InputSecret},
		{"signature mismatch", "JWT-TOKEN-003", func(r *Run) { r.Target.Secret = []byte("another-secret-of-enough-length-000000") }, result.StateFailed, []diag.Code{diag.TokenSignatureMismatch}, ""},
		{"clock agrees", "JWT-TOKEN-010", nil, result.StatePassed, nil, ""},
		{"clock ahead", "JWT-TOKEN-010", func(r *Run) { r.Login.LoginDate = testNow.Add(10 * time.Minute) }, result.StateFailed, []diag.Code{diag.TokenClockSkew}, ""},
		{"no Date and no iat: nothing to compare", "JWT-TOKEN-010", func(r *Run) { r.Login.LoginDate = time.Time{} }, result.StateNotJudged, nil, InputClockEvidence},
		{"secret judged without a backend", "JWT-TOKEN-009", func(r *Run) { r.Target.LoginURL, r.Login = "", nil }, result.StatePassed, nil, ""},
		{"secret needs the key", "JWT-TOKEN-009", func(r *Run) { r.Target.Secret = nil }, result.StateNotJudged, nil, InputSecret},
		{"token specs out of scope app-only", "JWT-TOKEN-004", func(r *Run) { r.Target.LoginURL, r.Login = "", nil }, result.StateOutOfScope, nil, "app-only run"},
		// JWT-APP-001
		{"app accepts a valid token", "JWT-APP-001", nil, result.StatePassed, nil, ""},
		{"app unreachable", "JWT-APP-001", func(r *Run) { r.Probes, r.ProbesErr = nil, errors.New("dial tcp: connection refused") }, result.StateFailed, []diag.Code{diag.AppUnreachable}, ""},
		{"app rejects a valid token", "JWT-APP-001", func(r *Run) { answer(r, "valid-integer-exp", ProbeResult{Status: 401, Rejected: true}) }, result.StateFailed, []diag.Code{diag.AppRejectsValidToken}, ""},
		{"acceptance needs the key", "JWT-APP-001", func(r *Run) { r.Target.Secret = nil }, result.StateNotJudged, nil, InputSecret},
		{"reference app is out of scope", "JWT-APP-001", func(r *Run) { r.Target.AppIsReference = true }, result.StateOutOfScope, nil, "backend-only run"},
		{"probe answered with a network error", "JWT-APP-001", func(r *Run) { answer(r, "valid-integer-exp", ProbeResult{Error: "reset"}) }, result.StateFailed, []diag.Code{diag.AppProbeFailed}, ""},
		// JWT-APP-002
		{"backend token delivered and accepted", "JWT-APP-002", nil, result.StatePassed, nil, ""},
		{"backend token refused", "JWT-APP-002", func(r *Run) { r.Login.AppProbe = ProbeResult{Status: 401, Rejected: true} }, result.StateFailed, []diag.Code{diag.AppRejectsValidToken}, ""},
		{"not delivered, sent directly, accepted", "JWT-APP-002", func(r *Run) {
			r.Login.AppProbeCookie = nil
			r.BackendProbe = &ProbeOutcome{Result: ProbeResult{Status: 200, Accepted: true}}
		}, result.StatePassed, nil, ""},
		{"not delivered and not sent: no pass", "JWT-APP-002", func(r *Run) { r.Login.AppProbeCookie = nil }, result.StateBlocked, nil, "JWT-COOKIE-002"},
		{"backend token expired: the app is right", "JWT-APP-002", func(r *Run) {
			tok, _ := jwtcheck.Mint("HS256", []byte(testSecret), map[string]any{"user_id": "u", "exp": testNow.Add(-time.Hour).Unix()})
			setLine(r, CookieName+"="+tok+"; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None")
		}, result.StateBlocked, nil, "JWT-TOKEN-006"},
		// JWT-APP-003…010
		{"identity shown", "JWT-APP-003", nil, result.StatePassed, nil, ""},
		{"wrong identity", "JWT-APP-003", func(r *Run) {
			answer(r, "valid-integer-exp", ProbeResult{Status: 200, Body: `{"user_id":"someone-else"}`, Accepted: true})
		}, result.StateFailed, []diag.Code{diag.AppIdentityMismatch}, ""},
		{"expired rejected", "JWT-APP-004", nil, result.StatePassed, nil, ""},
		{"expired accepted", "JWT-APP-004", func(r *Run) { answer(r, "expired-25h", accepted) }, result.StateFailed, []diag.Code{diag.AppAcceptsExpired}, ""},
		{"expired probes need the key", "JWT-APP-004", func(r *Run) { keyless(t, r) }, result.StateNotJudged, nil, InputSecret},
		{"bad signatures rejected without the key", "JWT-APP-005", func(r *Run) { keyless(t, r) }, result.StatePassed, nil, ""},
		{"other key accepted without the key", "JWT-APP-005", func(r *Run) { keyless(t, r); answer(r, "other-key-HS256", accepted) }, result.StateFailed, []diag.Code{diag.AppAcceptsBadSignature}, ""},
		{"alg none accepted without the key", "JWT-APP-006", func(r *Run) { keyless(t, r); answer(r, "alg-nOnE", accepted) }, result.StateFailed, []diag.Code{diag.AppAcceptsAlgNone}, ""},
		{"refusals prove nothing if valid is refused", "JWT-APP-006", func(r *Run) { answer(r, "valid-integer-exp", ProbeResult{Status: 401, Rejected: true}) }, result.StateBlocked, nil, "JWT-APP-001"},
		{"other alg accepted", "JWT-APP-007", func(r *Run) { answer(r, "alg-HS512", accepted) }, result.StateFailed, []diag.Code{diag.AppAcceptsOtherAlg}, ""},
		{"missing claim accepted", "JWT-APP-008", func(r *Run) { answer(r, "missing-exp", accepted) }, result.StateFailed, []diag.Code{diag.AppAcceptsMissingClaim}, ""},
		{"fractional exp refused along with every valid token", "JWT-APP-009", func(r *Run) {
			answer(r, "valid-", ProbeResult{Status: 401, Rejected: true})
		}, result.StateBlocked, nil, "JWT-APP-001"},
		{"backend token could not be sent", "JWT-APP-002", func(r *Run) {
			r.Login.AppProbeCookie = nil
			r.BackendProbe = &ProbeOutcome{Result: ProbeResult{Error: "connection refused"}}
		}, result.StateBlocked, nil, "JWT-APP-001"},
		{"fractional exp refused", "JWT-APP-009", func(r *Run) { answer(r, "valid-fractional-exp", ProbeResult{Status: 401, Rejected: true}) }, result.StateFailed, []diag.Code{diag.AppRejectsFractionalExp}, ""},
		{"a 404 is neither accepted nor rejected", "JWT-APP-006", func(r *Run) { answer(r, "alg-none", ProbeResult{Status: 404}) }, result.StateFailed, []diag.Code{diag.AppProbeFailed}, ""},
		{"garbage refused", "JWT-APP-010", nil, result.StatePassed, nil, ""},
		{"garbage crashes the app", "JWT-APP-010", func(r *Run) { answer(r, "garbage-word", ProbeResult{Status: 500}) }, result.StateFailed, []diag.Code{diag.AppServerError}, ""},
		{"garbage probes need no key", "JWT-APP-010", func(r *Run) { keyless(t, r) }, result.StatePassed, nil, ""},
		{"probes blocked when the app is down", "JWT-APP-010", func(r *Run) { r.Probes, r.ProbesErr = nil, errors.New("refused") }, result.StateBlocked, nil, "JWT-APP-001"},
	}
	for _, tt := range tests {
		t.Run(tt.id+"/"+tt.name, func(t *testing.T) {
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

// TestEveryCheckHasRows keeps the table above complete: every JWT spec is
// exercised with a passing and a not-passing row.
func TestEveryCheckIsListed(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Checks() {
		if seen[c.ID] {
			t.Errorf("duplicate spec ID %s", c.ID)
		}
		seen[c.ID] = true
		if c.Area == "" || c.Bundles == nil || c.Judge == nil || c.Title == "" {
			t.Errorf("%s: incomplete declaration %+v", c.ID, c)
		}
	}
}
