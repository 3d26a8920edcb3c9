package stack

import (
	"strings"
	"testing"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/result"
)

// TestFixTableComplete checks the table itself: every stack with idioms
// has a fix for every code of the table, each renders with the default
// and a concrete set of vars, names the code's concrete change, and no
// fix repeats the vendor's naive-datetime snippet.
func TestFixTableComplete(t *testing.T) {
	varsets := []Vars{DefaultVars(), testVars, {Domain: "acme.test", StaleHost: "login.acme.test", StaleDomain: "acme.test", StalePath: "/old"}}
	for _, s := range All() {
		_, hasIdiom := idioms[s.ID]
		for _, code := range Codes() {
			if _, ok := diag.Lookup(code); !ok {
				t.Errorf("rule for %s: no such code in the catalogue", code)
			}
			for _, v := range varsets {
				f, ok := Fix(code, s.ID, v)
				if ok != hasIdiom {
					t.Errorf("Fix(%s, %s) ok = %v, want %v", code, s.ID, ok, hasIdiom)
				}
				if !ok {
					continue
				}
				if strings.Contains(f, "{{") || strings.Contains(f, "<no value>") || strings.TrimSpace(f) == "" {
					t.Errorf("Fix(%s, %s) = %q: not rendered", code, s.ID, f)
				}
				if strings.Contains(f, "utcnow() +") || strings.Contains(f, "utcnow()).timestamp") {
					t.Errorf("Fix(%s, %s) repeats the naive-datetime snippet: %q", code, s.ID, f)
				}
			}
		}
	}
	for _, e := range diag.All() {
		if strings.Contains(e.Fix, "utcnow() +") {
			t.Errorf("catalogue fix of %s repeats the naive-datetime snippet", e.Code)
		}
	}
}

func TestFixSpecifics(t *testing.T) {
	tests := []struct {
		code diag.Code
		id   ID
		v    Vars
		want []string
	}{
		{diag.CookieHostOnly, Flask, testVars, []string{`domain="acme.test"`, "Werkzeug ≥ 2.3 drops a leading dot"}},
		{diag.CookieSameSiteNotNone, Flask, testVars, []string{`samesite="None"`, "Python's None"}},
		{diag.CookieSameSiteNotNone, FastAPI, testVars, []string{`samesite="none"`, `default is samesite="lax"`}},
		{diag.CookieSameSiteNotNone, GoNetHTTP, testVars, []string{"http.SameSiteNoneMode", "SameSiteDefaultMode"}},
		{diag.CookieExpiredOnArrival, Express, testVars, []string{"milliseconds"}},
		{diag.TokenLifetimeLong, Express, testVars, []string{"expiresIn: 3600", "seconds"}},
		{diag.TokenExpTimezone, Flask, testVars, []string{"datetime.now(timezone.utc)", "Never call .timestamp() on datetime.utcnow()"}},
		{diag.TokenSecretEncoding, Spring, testVars, []string{"Decoders.BASE64"}},
		{diag.AppAcceptsExpired, ASPNETCore, testVars, []string{"ClockSkew defaults to five minutes"}},
		{diag.AppAcceptsAlgNone, Express, testVars, []string{"algorithms: ['HS256']"}},
		{diag.CookieDuplicate, Express, testVars, []string{"host-only", "from app.acme.test", "res.clearCookie('mf_jwt_token', { path: '/'"}},
		{diag.CookieDuplicate, Flask, Vars{Domain: "acme.test", StaleDomain: "acme.test", StalePath: "/old"},
			[]string{"Domain=acme.test; Path=/old", `path="/old", domain="acme.test"`}},
		{diag.CookiePartitioned, Express, testVars, []string{"Remove partitioned: true"}},
	}
	for _, tt := range tests {
		f, ok := Fix(tt.code, tt.id, tt.v)
		if !ok {
			t.Errorf("Fix(%s, %s) ok = false", tt.code, tt.id)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(f, w) {
				t.Errorf("Fix(%s, %s) = %q, want it to contain %q", tt.code, tt.id, f, w)
			}
		}
	}
	if _, ok := Fix(diag.CookieHostOnly, Unknown, testVars); ok {
		t.Error("Fix(unknown stack) ok = true, want false")
	}
	if _, ok := Fix(diag.TokenSignatureMismatch, Flask, testVars); ok {
		t.Error("Fix(TOKEN_SIGNATURE_MISMATCH, flask) ok = true: key mismatches have no stack-specific fix")
	}
}

func TestApply(t *testing.T) {
	cookie := diag.New(diag.CookieHostOnly, "e", "o")
	app := diag.New(diag.AppAcceptsAlgNone, "e", "o")
	generic := diag.New(diag.TokenSignatureMismatch, "e", "o")
	guesses := []result.StackGuess{{Role: RoleBackend, ID: string(Django)}, {Role: RoleApp, ID: string(GoNetHTTP)}}
	got := Apply([]diag.Diagnostic{cookie, app, generic}, guesses, testVars)
	if got[0].FixFor != Name(Django) || !strings.Contains(got[0].Fix, `response.set_cookie("mf_jwt_token"`) {
		t.Errorf("cookie finding: FixFor %q fix %q, want Django's", got[0].FixFor, got[0].Fix)
	}
	if got[1].FixFor != Name(GoNetHTTP) || !strings.Contains(got[1].Fix, "jwt.WithValidMethods") {
		t.Errorf("app finding: FixFor %q fix %q, want Go's (the app's stack)", got[1].FixFor, got[1].Fix)
	}
	if got[2].FixFor != "" || got[2].Fix != generic.Fix {
		t.Errorf("finding without a row: FixFor %q, fix changed", got[2].FixFor)
	}
	if cookie.FixFor != "" {
		t.Error("Apply changed its input")
	}
	unknown := Apply([]diag.Diagnostic{cookie}, []result.StackGuess{{Role: RoleBackend, ID: string(Unknown)}}, testVars)
	if unknown[0].FixFor != "" || unknown[0].Fix != cookie.Fix {
		t.Errorf("unknown stack: FixFor %q, want the generic fix", unknown[0].FixFor)
	}
	hedge := Detect(RoleBackend, Evidence{SetCookie: expressHostOnly})
	got = Apply([]diag.Diagnostic{cookie}, []result.StackGuess{hedge}, testVars)
	for _, w := range []string{cookie.Fix, "If the backend is Express (a guess, score 4): res.cookie('mf_jwt_token', token, { domain: 'acme.test'",
		"If the backend is Go net/http (a guess, score 4): http.SetCookie(w, &http.Cookie{", "Not decided: ", "--backend-stack express|go"} {
		if !strings.Contains(got[0].Fix, w) {
			t.Errorf("two candidates: fix %q lacks %q", got[0].Fix, w)
		}
	}
	if got[0].FixFor != "" || !strings.HasPrefix(got[0].Fix, cookie.Fix) {
		t.Errorf("two candidates: FixFor %q, fix %q: want the generic fix first, no stack named", got[0].FixFor, got[0].Fix)
	}
	given := Detect(RoleBackend, Evidence{SetCookie: expressHostOnly, Given: GoNetHTTP})
	got = Apply([]diag.Diagnostic{cookie}, []result.StackGuess{given}, testVars)
	if got[0].FixFor != "Go net/http, as given" || !strings.Contains(got[0].Fix, "http.SameSiteNoneMode") {
		t.Errorf("given stack: FixFor %q fix %q, want Go's, as given", got[0].FixFor, got[0].Fix)
	}
	if got := Apply(nil, guesses, testVars); got != nil {
		t.Errorf("Apply(nil) = %v, want nil", got)
	}
}

// TestLines: every stack with an idiom has a one-line fix for every code
// of the table, on one line, rendered.
func TestLines(t *testing.T) {
	for id := range idioms {
		for _, code := range Codes() {
			l, ok := Line(code, id, testVars)
			if !ok || strings.Contains(l, "\n") || strings.Contains(l, "{{") || strings.TrimSpace(l) == "" {
				t.Errorf("Line(%s, %s) = %q, %v: want one rendered line", code, id, l, ok)
			}
			for _, start := range []string{"from ", "import ", "const jwt = require", "let claims", "try:", "SecretKey key", "var key", "claims := "} {
				if strings.HasPrefix(l, start) {
					t.Errorf("Line(%s, %s) = %q: a preamble, not the call that matters", code, id, l)
				}
			}
		}
	}
}

func TestEntryAndRole(t *testing.T) {
	e, ok := Entry(diag.CookieHostOnly)
	if !ok || len(e.Fixes) != len(idioms) {
		t.Fatalf("Entry(COOKIE_HOST_ONLY) ok %v with %d fixes, want %d", ok, len(e.Fixes), len(idioms))
	}
	if _, ok := Entry("NO_SUCH_CODE"); ok {
		t.Error("Entry(NO_SUCH_CODE) ok = true")
	}
	for code, want := range map[diag.Code]string{diag.AppServerError: RoleApp, diag.CookieHostOnly: RoleBackend, diag.TokenExpired: RoleBackend} {
		if got := Role(code); got != want {
			t.Errorf("Role(%s) = %s, want %s", code, got, want)
		}
	}
}
