package reference

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestEmbedHandler(t *testing.T) {
	tests := []struct {
		name      string
		app       string
		probe     string
		frame     string // with fetch: the operator's own pages
		fetch     string
		wantCode  int
		want      []string
		forbidden []string
	}{
		{"app origin", "https://app.acme.test:40111", "", "", "", 200, []string{
			`<iframe id="app-frame" src="https://app.acme.test:40111/"`,
			`<a id="app-link" href="https://app.acme.test:40111/">open the app</a>`,
			`var target = "https://app.acme.test:40111/api/me";`, `credentials: "include"`, "5000", "2000",
		}, nil},
		{"trailing slash trimmed", "https://app.acme.test/", "/healthz", "", "", 200,
			[]string{`src="https://app.acme.test/"`, `var target = "https://app.acme.test/healthz";`}, nil},
		{"http origin", "http://app.acme.test:8080", "", "", "", 200, []string{`src="http://app.acme.test:8080/"`}, nil},
		{"script in probe", "https://app.acme.test", "/x</script><script>alert(1)</script>", "", "", 200, nil,
			[]string{"<script>alert(1)"}},
		{"missing app", "", "", "", "", 400, nil, nil},
		{"javascript scheme", "javascript:alert(1)", "", "", "", 400, nil, nil},
		{"relative", "/app", "", "", "", 400, nil, nil},
		{"with path", "https://app.acme.test/dashboard", "", "", "", 400, nil, nil},
		{"with query", "https://app.acme.test/?x=1", "", "", "", 400, nil, nil},
		{"with user", "https://u:p@app.acme.test", "", "", "", 400, nil, nil},
		{"quote in host", `https://app.acme.test"onload="x`, "", "", "", 400, nil, nil},
		{"bad port", "https://app.acme.test:99999", "", "", "", 400, nil, nil},
		{"the operator's page and server check", "", "", "https://app.example.test:8443/app/dashboard", "https://app.example.test:8443/api/me?x=1", 200, []string{
			`<iframe id="app-frame" src="https://app.example.test:8443/app/dashboard"`, `var target = "https://app.example.test:8443/api/me?x=1";`,
		}, nil},
		{"frame alone serves for both", "", "", "https://app.example.test/app/", "", 200, []string{`src="https://app.example.test/app/"`, `var target = "https://app.example.test/app/";`}, nil},
		{"fetch alone serves for both", "", "", "", "https://app.example.test/api/me", 200, []string{`src="https://app.example.test/api/me"`}, nil},
		{"frame wins over app", "https://other.test", "", "https://app.example.test/p", "", 200, []string{`src="https://app.example.test/p"`}, []string{"other.test"}},
		{"frame with credentials", "", "", "https://u:p@app.example.test/", "", 400, nil, nil},
		{"frame with fragment", "", "", "https://app.example.test/#x", "", 400, nil, nil},
		{"frame javascript", "", "", "javascript:alert(1)", "", 400, nil, nil},
		{"fetch relative", "", "", "https://app.example.test/", "/api/me", 400, nil, nil},
		{"frame with a quote", "", "", `https://app.example.test/"onload="x`, "", 400, nil, nil},
		{"IPv6 origin", "https://[::1]:8443", "", "", "", 200, []string{`src="https://[::1]:8443/"`}, nil},
		{"probe not a path", "https://app.acme.test", "api/me", "", "", 400, nil, nil},
		{"probe other host", "https://app.acme.test", "//evil.test/x", "", "", 400, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := url.Values{}
			if tt.app != "" {
				q.Set("app", tt.app)
			}
			if tt.probe != "" {
				q.Set("probe", tt.probe)
			}
			if tt.frame != "" {
				q.Set("frame", tt.frame)
			}
			if tt.fetch != "" {
				q.Set("fetch", tt.fetch)
			}
			rec := httptest.NewRecorder()
			EmbedHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "https://embed.other.test/embed?"+q.Encode(), nil))
			if rec.Code != tt.wantCode {
				t.Fatalf("GET /embed status = %d, want %d (body %s)", rec.Code, tt.wantCode, rec.Body.String())
			}
			body := rec.Body.String()
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("GET /embed body lacks %q:\n%s", w, body)
				}
			}
			for _, f := range tt.forbidden {
				if strings.Contains(body, f) {
					t.Errorf("GET /embed body contains %q:\n%s", f, body)
				}
			}
		})
	}
}
