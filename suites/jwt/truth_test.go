package jwt

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/result"
)

// TestStatementsHold checks what a spec's outcome says — its findings'
// observation, cause and fix, its evidence — against what the run's
// evidence shows (issue 22: every statement true). Each row names the
// audit finding it guards.
func TestStatementsHold(t *testing.T) {
	otherKey := []byte("another-secret-of-enough-length-000000")
	tests := []struct {
		name    string
		id      result.SpecID
		mutate  func(*Run)
		want    []string // in the outcome's text
		wantNot []string
	}{
		// Item 4 / C1: which side holds another key, when the evidence shows it.
		{"the backend signs with another key, the app holds the given one", result.JWTToken003, func(r *Run) {
			r.Target.Secret = otherKey // the probes' canned answers: the app signs in those minted with it
		}, []string{"so the app holds that key", "Fix the backend", "The app needs no change", "sha256:"},
			[]string{"restart the app", "for each key it sees"}},
		{"the backend and the app share a key that is not the given one", result.JWTToken003, func(r *Run) {
			r.Target.Secret = otherKey // the probes' canned answers: the app signs in those minted with it
			answer(r, "valid-", ProbeResult{Status: 401, Body: `{"error":"bad_signature"}`})
		}, []string{"not the one given to mfconform", "Give mfconform the key"}, []string{"restart the app"}},
		{"the app holds another key than the backend signs with", result.JWTApp001, func(r *Run) {
			answer(r, "valid-", ProbeResult{Status: 401, Body: `{"error":"bad_signature"}`})
			r.Login.AppProbe = ProbeResult{Status: 401, Body: `{"error":"bad_signature"}`}
		}, []string{"so the backend signs with that key", "Fix the app", "restart the app's container", "The backend needs no change"}, nil},
		{"the keys agree, the backend's token is refused for something else", result.JWTApp002, func(r *Run) {
			r.Login.AppProbe = ProbeResult{Status: 401, Body: `{"error":"exp_invalid"}`}
		}, []string{"The keys agree", "The keys need no change"}, []string{"restart"}},
		// C3: a 404 is the path, not the key.
		{"a 404 probe path", result.JWTApp001, func(r *Run) { answer(r, "", ProbeResult{Status: 404, Body: "Not Found"}) },
			[]string{"no such path", "--probe-path", "--user-id-field"}, []string{"AUTH_SECRET_KEY differs", "keys differ"}},
		// A3: the fields an answer had, to pick --user-id-field.
		{"JSON without the field lists its fields", result.JWTApp001, func(r *Run) {
			answer(r, "valid-", ProbeResult{Status: 200, Body: `{"id":"mfconform-probe-7f3a","email":"x"}`})
		}, []string{`no non-empty "user_id" field`, "email, id"}, nil},
		// C7: the server error's title and text hold for any 5xx.
		{"an expired token answered 500", result.JWTApp004, func(r *Run) { answer(r, "expired-25h", ProbeResult{Status: 500}) },
			[]string{"server error (5xx)", "expired-25h", "HTTP 500", "failed instead of deciding"}, []string{"malformed cookie"}},
		// APP_ACCEPTS_EXPIRED states the leeway the acceptance shows.
		{"an expired token accepted", result.JWTApp004, func(r *Run) {
			answer(r, "expired-", ProbeResult{Status: 200, Body: `{"user_id":"mfconform-probe-7f3a"}`})
		}, []string{"at least 2m past its exp", "at least 1h past its exp", "at least 25h past its exp"}, []string{"2m0s", "1h0m"}},
		// C11: reachability says what was seen.
		{"reachability without the key", result.JWTApp001, func(r *Run) {
			keyless(t, r)
			answer(r, "garbage-word", ProbeResult{Error: "connection reset"})
		}, []string{"answered 13 of 14 probes", "garbage-word: request failed: connection reset"}, []string{"every probe"}},
		// A6/C6: the default-path's URL is named.
		{"default-path from the redirect's target", result.JWTCookie007, func(r *Run) {
			setByRedirect(r, "https://login.acme.test/auth/callback/done", CookieName+"=x; Domain=.acme.test; Secure; HttpOnly; SameSite=None")
		}, []string{"no Path attribute", "https://login.acme.test/auth/callback/done", ": /auth/callback", "NotOnPath"}, nil},
		// A9/C14: a leftover is reported as one, never as this login's.
		{"a leftover in the jar next to a dropped cookie", result.JWTCookie001, func(r *Run) {
			setLine(r, CookieName+"=x; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None; Max-Age=0")
			r.Login.Stored, r.Login.Jar = nil, []*network.Cookie{{Name: CookieName, Domain: "app.acme.test", Path: "/"}}
		}, []string{"another mf_jwt_token this login did not set", "host-only on app.acme.test", "a leftover this login did not set"},
			[]string{"(set by this login)"}},
		// A14: a pass within the leeway says so.
		{"expired within the leeway", result.JWTToken006, func(r *Run) {
			setToken(t, r, map[string]any{"user_id": "u-1", "exp": r.Login.ReceivedAt.Add(-2 * time.Second).Unix()})
			r.Thresholds.ExpLeeway = 5 * time.Second
		}, []string{"within the exp leeway of 5s", "expired 2s ago"}, nil},
		// A15: what the app did with the quoted value.
		{"a quoted value the app signs in", result.JWTToken001, func(r *Run) { setLine(r, quotedLine(r)) },
			[]string{"wrapped in double quotes", "between them is a compact JWS", "its cookie parser strips them"}, nil},
		{"a quoted value the app refuses", result.JWTApp002, func(r *Run) {
			setLine(r, quotedLine(r))
			r.Login.AppProbe = ProbeResult{Status: 401}
		}, []string{"The keys agree", "wrapped in double quotes (JWT-TOKEN-001)", "likely cause (not proven)"}, nil},
		// A8: document.cookie's invisibility is stated only when it was seen.
		{"HttpOnly seen on the app page", result.JWTCookie005, nil, []string{"the browser sent mf_jwt_token to the app page"}, nil},
		{"HttpOnly missing, app down", result.JWTCookie005, func(r *Run) {
			setLine(r, CookieName+"=x; Domain=.acme.test; Path=/; Secure; SameSite=None")
			r.Login.AppErr = errors.New("refused")
		}, []string{"the app page was not read"}, []string{"did not reach the app"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.id)+"/"+tt.name, func(t *testing.T) {
			r := goodRun(t)
			if tt.mutate != nil {
				tt.mutate(r)
			}
			reread(r)
			o := judge.Resolve(Checks(), r, nil)[tt.id].Outcome
			text := outcomeAllText(t, o)
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("%s says:\n%s\nwant it to say %q", tt.id, text, w)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(text, w) {
					t.Errorf("%s says:\n%s\nwant it not to say %q", tt.id, text, w)
				}
			}
		})
	}
}

// outcomeAllText is everything an outcome says: findings, evidence and
// why it did not judge.
func outcomeAllText(t *testing.T, o judge.Outcome) string {
	t.Helper()
	var b strings.Builder
	for _, d := range o.Findings {
		b.WriteString(d.String() + "\n")
	}
	for _, e := range o.Evidence {
		v, err := json.Marshal(e.Value)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(e.Name + ": " + string(v) + "\n")
	}
	if o.Unjudged != nil {
		b.WriteString(string(o.Unjudged.Kind) + ": " + o.Unjudged.Reason + "\n")
	}
	return strings.ReplaceAll(b.String(), `\u003e`, ">")
}

// TestLeftoverIsNeverThisLoginsCookie: Chromium's verdicts on a request
// are read for the cookie this login stored; a leftover of the name on the
// same request is never taken for it (issue 22, A9), and without a stored
// cookie there is no verdict at all.
func TestLeftoverIsNeverThisLoginsCookie(t *testing.T) {
	ours := &network.Cookie{Name: CookieName, Domain: ".acme.test", Path: "/"}
	left := browser.CookieVerdict{Name: CookieName, Domain: "app.acme.test", Path: "/", Sent: true}
	mine := browser.CookieVerdict{Name: CookieName, Domain: ".acme.test", Path: "/", Sent: true}
	x := browser.Exchange{Cookies: []browser.CookieVerdict{left, mine}}
	if v := cookieOn(x, ours); v == nil || v.Domain != ".acme.test" {
		t.Errorf("cookieOn(leftover, ours) = %+v, want the verdict on ours", v)
	}
	if v := cookieOn(x, nil); v != nil {
		t.Errorf("cookieOn(_, nil) = %+v, want nil: no cookie of this login, no verdict", v)
	}
	if v := cookieOn(browser.Exchange{Cookies: []browser.CookieVerdict{left}}, ours); v != nil {
		t.Errorf("cookieOn(only a leftover, ours) = %+v, want nil", v)
	}
}
