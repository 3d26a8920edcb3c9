package jwt

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	"github.com/mfconform/mfconform/suites/result"
	"github.com/mfconform/mfconform/suites/stack"
)

// The tests judge evidence values built by hand: no Chromium.

var (
	testKey  = []byte("judge-test-secret-0123456789abcdefXYZ")
	testTime = time.Date(2026, 11, 26, 4, 0, 0, 0, time.UTC)
)

const (
	loginURL = "https://login.acme.test:8443/login"
	appURL   = "https://app.acme.test:8444"
)

// mint signs claims with testKey; exp is seconds from testTime.
func mint(t *testing.T, exp time.Duration, extra map[string]any) string {
	t.Helper()
	c := map[string]any{"user_id": "user123", "exp": float64(testTime.Add(exp).Unix()) + 0.5}
	for k, v := range extra {
		c[k] = v
	}
	tok, err := jwtcheck.Mint("HS256", testKey, c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// conformant is the evidence of a conformant login: the documented
// cookie, stored, sent to the app and into the cross-site frame.
func conformant(t *testing.T) *Run {
	t.Helper()
	line := "mf_jwt_token=" + mint(t, time.Hour, nil) + "; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None"
	stored := &network.Cookie{Name: CookieName, Domain: ".acme.test", Path: "/", Secure: true, HTTPOnly: true, SameSite: network.CookieSameSiteNone}
	ours := browser.CookieVerdict{Name: CookieName, Domain: ".acme.test", Path: "/", Sent: true}
	by := browser.Exchange{URL: loginURL, Type: "Document", Status: 200, ResponseHeaders: map[string]string{"date": testTime.Format(time.RFC1123)},
		SetCookies: []browser.SetCookieVerdict{{Line: line, Name: CookieName, Stored: true}}}
	ev := &LoginEvidence{
		Chain: []browser.Exchange{by}, SetCookie: &by.SetCookies[0], SetBy: &by,
		Jar: []*network.Cookie{stored}, Stored: stored, LoginDate: testTime, ReceivedAt: testTime,
		AppNavCookie: &ours, AppNavCookies: []browser.CookieVerdict{ours},
		AppProbe: ProbeResult{Status: 200, Accepted: true}, AppProbeCookie: &ours, AppProbeCookies: []browser.CookieVerdict{ours},
		Embed: EmbedEvidence{Loaded: true, FrameCookie: &ours, FetchCookie: &ours, LinkCookie: &ours, FetchStatus: 200},
	}
	return &Run{
		Target: env.Target{LoginURL: loginURL, AppURL: appURL, EmbedURL: "https://embed.other.test:8445", ProbePath: "/api/me", Secret: testKey},
		Login:  ev,
	}
}

// withLeftover adds a stale mf_jwt_token sent to the app before (or,
// after) the login's.
func withLeftover(r *Run, v browser.CookieVerdict, first bool) {
	ev := r.Login
	ours := ev.AppNavCookies[0]
	if first {
		ev.AppNavCookies = []browser.CookieVerdict{v, ours}
	} else {
		ev.AppNavCookies = []browser.CookieVerdict{ours, v}
	}
	ev.AppProbeCookies = ev.AppNavCookies
	ev.Jar = append(ev.Jar, &network.Cookie{Name: CookieName, Domain: v.Domain, Path: v.Path})
}

func codesOf(o judge.Outcome) []diag.Code { return o.Codes() }

func TestCookieSingle(t *testing.T) {
	hostOnlyStale := browser.CookieVerdict{Name: CookieName, Domain: "app.acme.test", Path: "/", Sent: true}
	longerStale := browser.CookieVerdict{Name: CookieName, Domain: ".acme.test", Path: "/api", Sent: true}
	tests := []struct {
		name        string
		change      func(r *Run)
		wantCodes   []diag.Code
		wantBlocked result.SpecID
		wantScope   bool
		wantText    []string
	}{
		{"one cookie: pass", func(*Run) {}, nil, "", false, nil},
		{"a host-only leftover, created earlier, first", func(r *Run) {
			withLeftover(r, hostOnlyStale, true)
			r.Login.AppProbe = ProbeResult{Status: 401, Body: `{"error":"expired"}`, Rejected: true}
			r.BackendProbe = &ProbeOutcome{Result: ProbeResult{Status: 200, Accepted: true}}
		}, []diag.Code{diag.CookieDuplicate}, "", false,
			[]string{"host-only on app.acme.test", "created earlier", "1. host-only", "2. Domain=acme.test", "the app reads the leftover", "HTTP 401"}},
		{"a leftover with a longer Path, first", func(r *Run) { withLeftover(r, longerStale, true) },
			[]diag.Code{diag.CookieDuplicate}, "", false, []string{"Path /api is longer than /"}},
		{"a leftover sent second", func(r *Run) { withLeftover(r, hostOnlyStale, false) },
			[]diag.Code{diag.CookieDuplicate}, "", false, []string{"this login's cookie comes first today"}},
		{"a leftover withheld: only one sent", func(r *Run) {
			v := hostOnlyStale
			v.Sent, v.Reasons = false, []string{"NotOnPath"}
			withLeftover(r, v, true)
		}, nil, "", false, nil},
		{"not delivered (Path): blocked by JWT-COOKIE-007", func(r *Run) {
			withheld := browser.CookieVerdict{Name: CookieName, Domain: ".acme.test", Path: "/login", Reasons: []string{"NotOnPath"}}
			r.Login.SetCookie.Line = strings.Replace(r.Login.SetCookie.Line, "Path=/", "Path=/login", 1)
			r.Login.Stored.Path = "/login"
			r.Login.AppNavCookie, r.Login.AppNavCookies = &withheld, []browser.CookieVerdict{withheld}
			r.Login.AppProbeCookie, r.Login.AppProbeCookies = &withheld, []browser.CookieVerdict{withheld}
		}, nil, result.JWTCookie007, false, nil},
		{"not stored: blocked by JWT-COOKIE-001, which names Chromium's reason", func(r *Run) {
			r.Login.Stored, r.Login.Jar = nil, nil
			r.Login.SetCookie.Stored, r.Login.SetCookie.Reasons = false, []string{"SameSiteNoneInsecure"}
		}, nil, result.JWTCookie001, false, nil},
		{"no login observed: blocked by JWT-COOKIE-001", func(r *Run) { r.Login, r.LoginErr = nil, errTest }, nil, result.JWTCookie001, false, nil},
		{"app-only run: out of scope", func(r *Run) { r.Target.LoginURL, r.Login = "", nil }, nil, "", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := conformant(t)
			tt.change(r)
			o := byID(t, result.JWTCookie010)(r)
			checkOutcome(t, o, tt.wantCodes, tt.wantBlocked, tt.wantScope, tt.wantText)
		})
	}
}

func TestCookieSameSitePartitioned(t *testing.T) {
	tests := []struct {
		name      string
		change    func(r *Run)
		wantCodes []diag.Code
		wantText  []string
	}{
		{"unpartitioned, delivered cross-site: pass", func(*Run) {}, nil, nil},
		{"partitioned: not even considered cross-site", func(r *Run) {
			r.Login.SetCookie.Line += "; Partitioned"
			r.Login.Partition = "https://acme.test"
			r.Login.Embed.FrameCookie, r.Login.Embed.FetchCookie = nil, nil
		}, []diag.Code{diag.CookiePartitioned}, []string{"partition of https://acme.test", "not even considered", "embed.other.test"}},
		{"partitioned attribute, Chromium's key unknown", func(r *Run) {
			r.Login.SetCookie.Line += "; Partitioned"
			r.Login.Embed.FrameCookie, r.Login.Embed.FetchCookie = nil, nil
		}, []diag.Code{diag.CookiePartitioned}, []string{"the login page's site"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := conformant(t)
			tt.change(r)
			checkOutcome(t, cookieSameSite(r), tt.wantCodes, "", false, tt.wantText)
		})
	}
}

func TestTokenTimezone(t *testing.T) {
	tests := []struct {
		name     string
		exp      time.Duration
		iat      *time.Duration
		judge    func(*Run) judge.Outcome
		want     []diag.Code
		wantText string
	}{
		{"UTC+8 without iat: expired, the zone a hypothesis", -7 * time.Hour, nil, byID(t, result.JWTToken006), []diag.Code{diag.TokenExpired}, "UTC+8"},
		{"UTC+2 with iat shifted the same: the fact", -time.Hour, durPtr(-2 * time.Hour), byID(t, result.JWTToken006), []diag.Code{diag.TokenExpTimezone}, "UTC+2"},
		{"expired 25 minutes: generic", -25 * time.Minute, nil, byID(t, result.JWTToken006), []diag.Code{diag.TokenExpired}, ""},
		{"UTC−8 with iat: the clock spec names it", 9 * time.Hour, durPtr(8 * time.Hour), byID(t, result.JWTToken010), []diag.Code{diag.TokenExpTimezone}, "UTC−8"},
		{"UTC−8 with iat: not expired", 9 * time.Hour, durPtr(8 * time.Hour), byID(t, result.JWTToken006), nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := conformant(t)
			extra := map[string]any{}
			if tt.iat != nil {
				extra["iat"] = testTime.Add(*tt.iat).Unix()
			}
			r.Login.SetCookie.Line = "mf_jwt_token=" + mint(t, tt.exp, extra) + "; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None"
			o := tt.judge(r)
			checkOutcome(t, o, tt.want, "", false, nil)
			if tt.wantText == "" {
				return
			}
			// The zone is named as a fact (the claim of a proven cause)
			// only for TOKEN_EXP_TIMEZONE; otherwise as a hypothesis.
			d := o.Findings[0]
			named := d.Claim.Zone
			if d.Code != diag.TokenExpTimezone {
				named = d.Hypotheses[0].Claim.Zone
				if d.Claim.Zone != "" {
					t.Errorf("%s states the zone %s as a fact", d.Code, d.Claim.Zone)
				}
			}
			if named != tt.wantText || !strings.Contains(d.String(), tt.wantText) {
				t.Errorf("finding names zone %q, want %q:\n%s", named, tt.wantText, d)
			}
		})
	}
}

func durPtr(d time.Duration) *time.Duration { return &d }

// byID returns the registered judgment of spec id, with the stack fixes.
// byID returns spec id's settled outcome on a run: every check judged and
// the blocking settled (judge.Resolve), as a run does.
func byID(t *testing.T, id result.SpecID) func(*Run) judge.Outcome {
	t.Helper()
	for _, c := range Checks() {
		if c.ID == id {
			return func(r *Run) judge.Outcome { return judge.Resolve(Checks(), r, nil)[id].Outcome }
		}
	}
	t.Fatalf("no spec %s", id)
	return nil
}

func TestStacksAndStackFixes(t *testing.T) {
	r := conformant(t)
	r.Login.SetBy.ResponseHeaders["server"] = "gunicorn"
	r.Login.Others = []string{"csrftoken"}
	r.Login.SetCookie.Line = "mf_jwt_token=" + mint(t, time.Hour, nil) + "; Path=/; SameSite=None; Secure; HttpOnly" // no Domain: host-only
	r.Login.Stored.Domain = "login.acme.test"
	withheld := browser.CookieVerdict{Name: CookieName, Domain: "login.acme.test", Path: "/", Reasons: []string{"DomainMismatch"}}
	r.Login.AppNavCookie, r.Login.AppNavCookies = &withheld, []browser.CookieVerdict{withheld}
	r.Probes = &ProbeEvidence{Outcomes: []ProbeOutcome{{Result: ProbeResult{Status: 200, Headers: map[string]string{"x-powered-by": "Express"}}}}}

	gs := r.Stacks()
	if len(gs) != 2 || gs[0].Role != stack.RoleBackend || gs[0].ID != string(stack.Django) || gs[1].ID != string(stack.Express) {
		t.Fatalf("Stacks() = %+v, want backend django (csrftoken), app express", gs)
	}
	o := byID(t, result.JWTCookie002)(r)
	if got := codesOf(o); len(got) != 1 || got[0] != diag.CookieHostOnly {
		t.Fatalf("JWT-COOKIE-002 codes = %v, want COOKIE_HOST_ONLY", got)
	}
	d := o.Findings[0]
	if d.FixFor != stack.Name(stack.Django) || !strings.Contains(d.Fix, `domain="acme.test"`) {
		t.Errorf("fix for %q: %q, want Django's with the shared domain", d.FixFor, d.Fix)
	}

	r.Target.AppIsReference = true
	if gs := r.Stacks(); len(gs) != 1 {
		t.Errorf("Stacks() with the reference app = %+v, want the backend's guess only", gs)
	}
	r.Login = nil
	if gs := r.Stacks(); len(gs) != 0 {
		t.Errorf("Stacks() without evidence = %+v, want none", gs)
	}
}

func TestStoredCookieAndFixVars(t *testing.T) {
	r := conformant(t)
	ev := r.Login
	stale := &network.Cookie{Name: CookieName, Domain: "app.acme.test", Path: "/"}
	ours := ev.Stored
	jar := []*network.Cookie{ours, stale}
	if got := storedCookie(jar, ev.SetCookie, ev.SetBy); got != ours {
		t.Errorf("storedCookie() = %+v, want the cookie the login set", got)
	}
	// A9: a leftover never stands in for this login's cookie.
	if got := storedCookie(jar, nil, nil); got != nil {
		t.Errorf("storedCookie() without a line = %+v, want nil, never a leftover", got)
	}
	if got := storedCookie([]*network.Cookie{stale}, ev.SetCookie, ev.SetBy); got != nil {
		t.Errorf("storedCookie() with only a leftover in the jar = %+v, want nil, never the leftover", got)
	}
	withLeftover(r, browser.CookieVerdict{Name: CookieName, Domain: "app.acme.test", Path: "/", Sent: true}, true)
	v := r.fixVars()
	if v.Domain != "acme.test" || v.StaleHost != "app.acme.test" || v.StaleDomain != "" || v.StalePath != "/" {
		t.Errorf("fixVars() = %+v, want acme.test and a host-only leftover on app.acme.test", v)
	}
}

// checkOutcome compares an outcome's failing codes, blocked-by or scope,
// and texts.
func checkOutcome(t *testing.T, o judge.Outcome, codes []diag.Code, blockedBy result.SpecID, scope bool, texts []string) {
	t.Helper()
	got := codesOf(o)
	if len(got) != len(codes) {
		t.Fatalf("codes = %v, want %v (unjudged %+v)", got, codes, o.Unjudged)
	}
	for i := range got {
		if got[i] != codes[i] {
			t.Fatalf("codes = %v, want %v", got, codes)
		}
	}
	switch {
	case blockedBy != "":
		if o.Unjudged == nil || o.Unjudged.Kind != result.StateBlocked || o.Unjudged.BlockedBy != blockedBy {
			t.Errorf("unjudged = %+v, want blocked by %s", o.Unjudged, blockedBy)
		}
	case scope:
		if o.Unjudged == nil || o.Unjudged.Kind != result.StateOutOfScope {
			t.Errorf("unjudged = %+v, want out of scope", o.Unjudged)
		}
	case o.Unjudged != nil:
		t.Errorf("unjudged = %+v, want a judgment", o.Unjudged)
	}
	var all strings.Builder
	for _, d := range o.Findings {
		all.WriteString(d.Observed + " ")
	}
	for _, w := range texts {
		if !strings.Contains(all.String(), w) {
			t.Errorf("observed %q lacks %q", all.String(), w)
		}
	}
}

type testErr string

func (e testErr) Error() string { return string(e) }

var errTest = testErr("the login page did not load")
