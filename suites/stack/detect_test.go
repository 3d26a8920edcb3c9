package stack

import (
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
	rack2Line     = "mf_jwt_token=V; domain=.acme.test; path=/; secure; HttpOnly; SameSite=None"
	byHandLine    = "mf_jwt_token=V; SameSite=None; Secure; HttpOnly; Path=/; Domain=.acme.test"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		name       string
		role       string
		e          Evidence
		want       ID
		confidence string
		evidence   []string // each must appear in some piece of evidence
	}{
		// Shapes alone.
		{"werkzeug shape", RoleBackend, Evidence{SetCookie: werkzeugLine}, Flask, result.ConfidenceShape, []string{"Werkzeug's dump_cookie"}},
		{"django shape", RoleBackend, Evidence{SetCookie: djangoLine}, Django, result.ConfidenceShape, nil},
		{"starlette shape: lower-case samesite", RoleBackend, Evidence{SetCookie: starletteLine}, FastAPI, result.ConfidenceShape, nil},
		{"express shape", RoleBackend, Evidence{SetCookie: expressLine}, Express, result.ConfidenceShape, nil},
		{"express shape with Max-Age and Expires", RoleBackend, Evidence{SetCookie: "mf_jwt_token=V; Max-Age=3600; Domain=.acme.test; Path=/; Expires=Thu, 01 Jan 2026 00:00:00 GMT; HttpOnly; Secure; SameSite=None"}, Express, result.ConfidenceShape, nil},
		{"next shape", RoleBackend, Evidence{SetCookie: nextLine}, NextJS, result.ConfidenceShape, nil},
		{"go shape", RoleBackend, Evidence{SetCookie: goLine}, GoNetHTTP, result.ConfidenceShape, nil},
		{"spring shape", RoleBackend, Evidence{SetCookie: springLine}, Spring, result.ConfidenceShape, nil},
		{"aspnet shape", RoleBackend, Evidence{SetCookie: aspnetLine}, ASPNETCore, result.ConfidenceShape, nil},
		{"rack 3 shape", RoleBackend, Evidence{SetCookie: rack3Line}, Rails, result.ConfidenceShape, nil},
		{"rack 2 shape", RoleBackend, Evidence{SetCookie: rack2Line}, Rails, result.ConfidenceShape, nil},
		{"go never writes a leading dot", RoleBackend, Evidence{SetCookie: "mf_jwt_token=V; Path=/; Domain=.acme.test; HttpOnly; Secure; SameSite=None"}, Unknown, result.ConfidenceUnknown, []string{"no writer"}},

		// Headers and cookies.
		{"X-Powered-By Express", RoleBackend, Evidence{Headers: map[string]string{"x-powered-by": "Express"}, SetCookie: expressLine}, Express, result.ConfidenceHeader, []string{"X-Powered-By: Express", "which agrees"}},
		{"Werkzeug server", RoleBackend, Evidence{Headers: map[string]string{"server": "Werkzeug/2.2.2 Python/3.11.2"}}, Flask, result.ConfidenceHeader, []string{"Server: Werkzeug/2.2.2"}},
		{"Kestrel", RoleBackend, Evidence{Headers: map[string]string{"server": "Kestrel"}, SetCookie: aspnetLine}, ASPNETCore, result.ConfidenceHeader, nil},
		{"Next.js header", RoleBackend, Evidence{Headers: map[string]string{"x-powered-by": "Next.js"}}, NextJS, result.ConfidenceHeader, nil},
		{"x-nextjs-cache header", RoleBackend, Evidence{Headers: map[string]string{"x-nextjs-cache": "MISS"}}, NextJS, result.ConfidenceHeader, nil},
		{"X-Runtime means Rack", RoleBackend, Evidence{Headers: map[string]string{"x-runtime": "0.01"}}, Rails, result.ConfidenceHeader, nil},
		{"csrftoken means Django", RoleBackend, Evidence{Cookies: []string{"csrftoken"}}, Django, result.ConfidenceHeader, []string{"csrftoken"}},
		{"connect.sid means Express", RoleBackend, Evidence{Cookies: []string{"connect.sid"}}, Express, result.ConfidenceHeader, nil},
		{"JSESSIONID means Spring", RoleBackend, Evidence{Cookies: []string{"JSESSIONID"}}, Spring, result.ConfidenceHeader, nil},
		{"Rails session cookie", RoleBackend, Evidence{Cookies: []string{"_acme_session"}}, Rails, result.ConfidenceHeader, nil},
		{"AspNetCore cookie", RoleBackend, Evidence{Cookies: []string{".AspNetCore.Antiforgery.abc"}}, ASPNETCore, result.ConfidenceHeader, nil},
		{"PHP", RoleBackend, Evidence{Headers: map[string]string{"x-powered-by": "PHP/8.2.1"}}, PHP, result.ConfidenceHeader, nil},
		{"header beats a contradicting shape", RoleBackend, Evidence{Headers: map[string]string{"x-powered-by": "Express"}, SetCookie: goLine}, Express, result.ConfidenceHeader, []string{"shape of Go net/http instead"}},
		{"the first of two named stacks wins", RoleBackend, Evidence{Headers: map[string]string{"x-powered-by": "Express", "server": "Kestrel"}}, Express, result.ConfidenceHeader, []string{"points elsewhere"}},

		// A family narrowed by the shape.
		{"gunicorn + werkzeug shape", RoleBackend, Evidence{Headers: map[string]string{"server": "gunicorn"}, SetCookie: werkzeugLine}, Flask, result.ConfidenceShape, []string{"gunicorn"}},
		{"uvicorn + starlette shape", RoleBackend, Evidence{Headers: map[string]string{"server": "uvicorn"}, SetCookie: starletteLine}, FastAPI, result.ConfidenceShape, []string{"uvicorn"}},
		{"gunicorn + express shape", RoleBackend, Evidence{Headers: map[string]string{"server": "gunicorn"}, SetCookie: expressLine}, Unknown, result.ConfidenceUnknown, []string{"gunicorn"}},

		// Unknown, saying what was seen.
		{"nothing at all", RoleBackend, Evidence{}, Unknown, result.ConfidenceUnknown, []string{"no mf_jwt_token Set-Cookie line", "no Server"}},
		{"nginx only", RoleBackend, Evidence{Headers: map[string]string{"server": "nginx/1.27.0"}, SetCookie: byHandLine}, Unknown, result.ConfidenceUnknown, []string{"nginx in front", "no writer mfconform knows"}},
		{"too few attributes", RoleBackend, Evidence{SetCookie: "mf_jwt_token=V; Path=/; Secure"}, Unknown, result.ConfidenceUnknown, []string{"too few attributes"}},
		{"ambiguous shape", RoleBackend, Evidence{SetCookie: "mf_jwt_token=V; Path=/; Domain=.acme.test; Secure"}, Unknown, result.ConfidenceUnknown, []string{"fits"}},
		{"app role without any evidence", RoleApp, Evidence{}, Unknown, result.ConfidenceUnknown, []string{"no Server"}},
		{"app role: Express", RoleApp, Evidence{Headers: map[string]string{"x-powered-by": "Express"}}, Express, result.ConfidenceHeader, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := Detect(tt.role, tt.e)
			if g.ID != string(tt.want) || g.Confidence != tt.confidence || g.Role != tt.role {
				t.Fatalf("Detect() = %s/%s %s, want %s/%s %s", g.Role, g.ID, g.Confidence, tt.role, tt.want, tt.confidence)
			}
			if g.Name != Name(tt.want) || len(g.Evidence) == 0 {
				t.Errorf("Detect() name %q evidence %q: want name %q and some evidence", g.Name, g.Evidence, Name(tt.want))
			}
			all := strings.Join(g.Evidence, " | ")
			for _, w := range tt.evidence {
				if !strings.Contains(all, w) {
					t.Errorf("evidence %q lacks %q", all, w)
				}
			}
			if strings.Contains(all, "=V") || strings.Contains(all, "mf_jwt_token=") {
				t.Errorf("evidence %q quotes the cookie's value", all)
			}
		})
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
