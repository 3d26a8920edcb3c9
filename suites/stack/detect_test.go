package stack

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mfconform/mfconform/suites/result"
)

// lines each known writer produces for the documented cookie (read from
// the libraries: see writers).
const (
	werkzeugLine  = "mf_jwt_token=V; Domain=acme.test; Secure; HttpOnly; Path=/; SameSite=None"
	djangoLine    = "mf_jwt_token=V; Domain=.acme.test; HttpOnly; Path=/; SameSite=None; Secure"
	starletteLine = "mf_jwt_token=V; Domain=.acme.test; HttpOnly; Path=/; SameSite=none; Secure"
	expressLine   = "mf_jwt_token=V; Domain=.acme.test; Path=/; HttpOnly; Secure; SameSite=None"
	nextLine      = "mf_jwt_token=V; Path=/; Domain=.acme.test; Secure; HttpOnly; SameSite=none"
	goLine        = "mf_jwt_token=V; Path=/; Domain=acme.test; HttpOnly; Secure; SameSite=None"
	springLine    = "mf_jwt_token=V; Path=/; Domain=.acme.test; Secure; HttpOnly; SameSite=None"
	aspnetLine    = "mf_jwt_token=V; domain=.acme.test; path=/; secure; samesite=none; httponly"
	rack3Line     = "mf_jwt_token=V; domain=.acme.test; path=/; secure; httponly; samesite=none"
	byHandLine    = "mf_jwt_token=V; SameSite=None; Secure; HttpOnly; Path=/; Domain=.acme.test"
)

// tokenLine is an mf_jwt_token line whose value is a token with the given
// claim names, in order (values are placeholders: only names are read).
func tokenLine(attrs string, claims ...string) string {
	var b strings.Builder
	b.WriteString("{")
	for i, c := range claims {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "%q:1", c)
	}
	b.WriteString("}")
	enc := base64.RawURLEncoding.EncodeToString
	return "mf_jwt_token=" + enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc([]byte(b.String())) + ".c2ln; " + attrs
}

// Host-only lines (no Domain) as each writer writes them.
const (
	werkzeugHostOnly = "mf_jwt_token=V; Secure; HttpOnly; Path=/; SameSite=None"
	expressHostOnly  = "mf_jwt_token=V; Path=/; HttpOnly; Secure; SameSite=None"
	referenceLine    = "mf_jwt_token=V; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None"
	referenceHost    = "mf_jwt_token=V; Path=/; Secure; HttpOnly; SameSite=None"
)

func TestDetect(t *testing.T) {
	h := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name       string
		role       string
		e          Evidence
		want       ID
		confidence string
		candidates []ID     // when unknown: the candidates, best first
		evidence   []string // each must appear in some piece of evidence or Decide
	}{
		// A shape alone is a candidate, never a clear winner.
		{"werkzeug shape", RoleBackend, Evidence{SetCookie: werkzeugLine}, Unknown, result.ConfidenceUnknown, []ID{Flask}, []string{"Werkzeug's dump_cookie", "no stack clearly wins", "--backend-stack flask"}},
		{"django shape", RoleBackend, Evidence{SetCookie: djangoLine}, Unknown, result.ConfidenceUnknown, []ID{Django}, nil},
		{"starlette shape: lower-case samesite beats Django's as-given", RoleBackend, Evidence{SetCookie: starletteLine}, Unknown, result.ConfidenceUnknown, []ID{FastAPI, Django}, nil},
		{"express shape", RoleBackend, Evidence{SetCookie: expressLine}, Unknown, result.ConfidenceUnknown, []ID{Express}, nil},
		{"next shape", RoleBackend, Evidence{SetCookie: nextLine}, Unknown, result.ConfidenceUnknown, []ID{NextJS, Spring}, nil},
		{"go shape", RoleBackend, Evidence{SetCookie: goLine}, Unknown, result.ConfidenceUnknown, []ID{GoNetHTTP}, []string{"nothing net/http sends"}},
		{"spring shape", RoleBackend, Evidence{SetCookie: springLine}, Unknown, result.ConfidenceUnknown, []ID{Spring}, nil},
		{"aspnet shape", RoleBackend, Evidence{SetCookie: aspnetLine}, Unknown, result.ConfidenceUnknown, []ID{ASPNETCore}, nil},
		{"rack 3 shape", RoleBackend, Evidence{SetCookie: rack3Line}, Unknown, result.ConfidenceUnknown, []ID{Rails}, nil},
		{"go never writes a leading dot", RoleBackend, Evidence{SetCookie: "mf_jwt_token=V; Path=/; Domain=.acme.test; HttpOnly; Secure; SameSite=None"}, Unknown, result.ConfidenceUnknown, nil, []string{"no writer"}},
		{"host-only Express line fits Express and Go alike", RoleBackend, Evidence{SetCookie: expressHostOnly}, Unknown, result.ConfidenceUnknown, []ID{Express, GoNetHTTP}, []string{"it fits Express, Go net/http", "X-Powered-By: Express", "--backend-stack express|go"}},

		// mfconform's own reference writer: never a third-party stack.
		{"the reference's line", RoleBackend, Evidence{SetCookie: referenceLine}, Unknown, result.ConfidenceUnknown, nil, []string{"hand-written order"}},
		{"the reference's host-only line (Spring's order minus Domain)", RoleBackend, Evidence{SetCookie: referenceHost}, Unknown, result.ConfidenceUnknown, nil, []string{"the usual hand-written order (mfconform's reference writes it too), which Spring (ResponseCookie) can write as well"}},

		// Headers and cookies name a stack.
		{"X-Powered-By Express", RoleBackend, Evidence{Headers: h("x-powered-by", "Express"), SetCookie: expressLine}, Express, result.ConfidenceHeader, nil, []string{"X-Powered-By: Express", "the cookie package's serialize"}},
		{"Werkzeug server", RoleBackend, Evidence{Headers: h("server", "Werkzeug/2.2.2 Python/3.11.2")}, Flask, result.ConfidenceHeader, nil, []string{"Server: Werkzeug/2.2.2"}},
		{"Werkzeug server, host-only", RoleBackend, Evidence{Headers: h("server", "Werkzeug/3.1.3 Python/3.12.4"), SetCookie: werkzeugHostOnly}, Flask, result.ConfidenceHeader, nil, nil},
		{"Kestrel", RoleBackend, Evidence{Headers: h("server", "Kestrel"), SetCookie: aspnetLine}, ASPNETCore, result.ConfidenceHeader, nil, nil},
		{"Next.js header", RoleBackend, Evidence{Headers: h("x-powered-by", "Next.js")}, NextJS, result.ConfidenceHeader, nil, nil},
		{"x-nextjs-cache header", RoleBackend, Evidence{Headers: h("x-nextjs-cache", "MISS")}, NextJS, result.ConfidenceHeader, nil, nil},
		{"X-Runtime means Rack", RoleBackend, Evidence{Headers: h("x-runtime", "0.01")}, Rails, result.ConfidenceHeader, nil, nil},
		{"csrftoken means Django", RoleBackend, Evidence{Cookies: []string{"csrftoken"}}, Django, result.ConfidenceHeader, nil, []string{"csrftoken"}},
		{"connect.sid means Express", RoleBackend, Evidence{Cookies: []string{"connect.sid"}}, Express, result.ConfidenceHeader, nil, nil},
		{"JSESSIONID means Spring, host-only", RoleBackend, Evidence{Cookies: []string{"JSESSIONID"}, SetCookie: referenceHost}, Spring, result.ConfidenceHeader, nil, nil},
		{"Rails session cookie", RoleBackend, Evidence{Cookies: []string{"_acme_session"}}, Rails, result.ConfidenceHeader, nil, nil},
		{"AspNetCore cookie", RoleBackend, Evidence{Cookies: []string{".AspNetCore.Antiforgery.abc"}}, ASPNETCore, result.ConfidenceHeader, nil, nil},
		{"PHP", RoleBackend, Evidence{Headers: h("x-powered-by", "PHP/8.2.1")}, PHP, result.ConfidenceHeader, nil, nil},
		{"laravel_session means PHP", RoleBackend, Evidence{Cookies: []string{"laravel_session"}}, PHP, result.ConfidenceHeader, nil, nil},
		{"header beats a contradicting shape", RoleBackend, Evidence{Headers: h("x-powered-by", "Express"), SetCookie: goLine}, Express, result.ConfidenceHeader, nil, []string{"points to Go net/http instead; outscored"}},
		{"two named stacks: nothing wins", RoleBackend, Evidence{Headers: h("x-powered-by", "Express", "server", "Kestrel")}, Unknown, result.ConfidenceUnknown, []ID{Express, ASPNETCore}, []string{"X-Powered-By: Express", "Server: Kestrel"}},

		// Weaker clues add up.
		{"gunicorn + werkzeug shape", RoleBackend, Evidence{Headers: h("server", "gunicorn"), SetCookie: werkzeugLine}, Flask, result.ConfidenceClues, nil, []string{"gunicorn", "Werkzeug's dump_cookie"}},
		{"uvicorn + starlette shape: Django writes samesite as given", RoleBackend, Evidence{Headers: h("server", "uvicorn"), SetCookie: starletteLine}, Unknown, result.ConfidenceUnknown, []ID{FastAPI, Django}, []string{"uvicorn", "FastAPI (Starlette) 8, Django 6"}},
		{"gunicorn alone: a family", RoleBackend, Evidence{Headers: h("server", "gunicorn")}, Unknown, result.ConfidenceUnknown, []ID{Flask, Django}, []string{"csrftoken or sessionid"}},
		{"gunicorn + express shape", RoleBackend, Evidence{Headers: h("server", "gunicorn"), SetCookie: expressLine}, Unknown, result.ConfidenceUnknown, []ID{Flask, Django, Express}, []string{"gunicorn"}},
		{"host-only Express line + jsonwebtoken's iat", RoleBackend, Evidence{SetCookie: tokenLine("Path=/; HttpOnly; Secure; SameSite=None", "user_id", "iat", "exp")}, Express, result.ConfidenceClues, nil, []string{"iat then exp", "the cookie package's serialize", "points to Go net/http instead"}},
		{"host-only Express line + Node's Keep-Alive", RoleBackend, Evidence{Headers: h("keep-alive", "timeout=5"), SetCookie: expressHostOnly}, Express, result.ConfidenceClues, nil, []string{"Keep-Alive: timeout=5"}},
		{"host-only Express line + Express's ETag", RoleBackend, Evidence{Headers: h("etag", `W/"2-nOO9QiTIwXgNtWtBJezz8kv3SLc"`), SetCookie: expressHostOnly}, Express, result.ConfidenceClues, nil, []string{"etag package"}},
		{"a Flask token without iat tells nothing", RoleBackend, Evidence{SetCookie: tokenLine("Path=/; HttpOnly; Secure; SameSite=None", "user_id", "exp")}, Unknown, result.ConfidenceUnknown, []ID{Express, GoNetHTTP}, nil},
		{"a sorted golang-jwt payload with iat is not jsonwebtoken's", RoleBackend, Evidence{SetCookie: tokenLine("Path=/; HttpOnly; Secure; SameSite=None", "exp", "iat", "user_id")}, Unknown, result.ConfidenceUnknown, []ID{Express, GoNetHTTP}, nil},

		// Given by the operator.
		{"given, no clues", RoleBackend, Evidence{Given: GoNetHTTP, SetCookie: expressHostOnly}, GoNetHTTP, result.ConfidenceGiven, nil, []string{"--backend-stack go", "fit Express 4, Go net/http 4"}},
		{"given against a header", RoleBackend, Evidence{Given: Flask, Headers: h("x-powered-by", "Express")}, Flask, result.ConfidenceGiven, nil, []string{"point to Express instead"}},
		{"given for the app", RoleApp, Evidence{Given: Django}, Django, result.ConfidenceGiven, nil, []string{"--app-stack django", "nothing in the answers"}},

		// Unknown, saying what was seen.
		{"nothing at all", RoleBackend, Evidence{}, Unknown, result.ConfidenceUnknown, nil, []string{"no mf_jwt_token Set-Cookie line", "no Server"}},
		{"nginx only", RoleBackend, Evidence{Headers: h("server", "nginx/1.27.0"), SetCookie: byHandLine}, Unknown, result.ConfidenceUnknown, nil, []string{"nginx in front", "no writer mfconform knows"}},
		{"too few attributes", RoleBackend, Evidence{SetCookie: "mf_jwt_token=V; Path=/; Secure"}, Unknown, result.ConfidenceUnknown, nil, []string{"too few attributes"}},
		{"app role without any evidence", RoleApp, Evidence{}, Unknown, result.ConfidenceUnknown, nil, []string{"no Server"}},
		{"app role: Express", RoleApp, Evidence{Headers: h("x-powered-by", "Express")}, Express, result.ConfidenceHeader, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := Detect(tt.role, tt.e)
			if g.ID != string(tt.want) || g.Confidence != tt.confidence || g.Role != tt.role {
				t.Fatalf("Detect() = %s/%s %s, want %s/%s %s\n%s", g.Role, g.ID, g.Confidence, tt.role, tt.want, tt.confidence, String(g))
			}
			var cands []ID
			for _, c := range g.Candidates {
				cands = append(cands, ID(c.ID))
			}
			if !slices.Equal(cands, tt.candidates) {
				t.Errorf("candidates = %v, want %v\n%s", cands, tt.candidates, String(g))
			}
			if (len(cands) > 0) != (g.Decide != "") {
				t.Errorf("candidates %v with Decide %q: a hedge must say what decides, and only a hedge", cands, g.Decide)
			}
			if g.Name != Name(tt.want) || len(g.Evidence) == 0 {
				t.Errorf("Detect() name %q evidence %q: want name %q and some evidence", g.Name, g.Evidence, Name(tt.want))
			}
			all := strings.Join(g.Evidence, " | ") + " | " + g.Decide
			for _, w := range tt.evidence {
				if !strings.Contains(all, w) {
					t.Errorf("evidence %q lacks %q", all, w)
				}
			}
			if strings.Contains(all, "=V") || strings.Contains(all, "mf_jwt_token=") || strings.Contains(all, "eyJ") {
				t.Errorf("evidence %q quotes the cookie's value", all)
			}
		})
	}
}

// TestScoringTable: the table has one row per kind with a positive
// weight, the naming kind wins alone, and the shape alone never does.
func TestScoringTable(t *testing.T) {
	seen := map[kind]bool{}
	for _, r := range scoring {
		if r.Weight <= 0 || r.What == "" || seen[r.Kind] {
			t.Errorf("scoring row %+v: a kind once, with a weight and a meaning", r)
		}
		seen[r.Kind] = true
	}
	if weight(kindNames) < clearScore {
		t.Errorf("a naming header (%d) does not win alone (clear score %d)", weight(kindNames), clearScore)
	}
	if weight(kindShape) >= clearScore {
		t.Errorf("the shape alone (%d) wins (clear score %d): a library mfconform does not know may write the same order", weight(kindShape), clearScore)
	}
}

func TestDetectHeaderValuesAreCleanedAndCut(t *testing.T) {
	g := Detect(RoleBackend, Evidence{Headers: map[string]string{"x-powered-by": "Express\x1b[31m" + strings.Repeat("x", 200)}})
	all := strings.Join(g.Evidence, " ")
	if strings.Contains(all, "\x1b") || len(all) > 200 {
		t.Errorf("evidence %q: control characters kept or value not cut", all)
	}
}

func TestTelling(t *testing.T) {
	for _, tt := range []struct {
		name string
		want bool
	}{{"server", true}, {"x-powered-by", true}, {"x-nextjs-cache", true}, {"x-runtime", true}, {"set-cookie", false}, {"date", false}} {
		if got := Telling(tt.name); got != tt.want {
			t.Errorf("Telling(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}
