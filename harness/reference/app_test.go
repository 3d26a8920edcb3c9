package reference

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func newTestApp(faults AppProfile) *appHandler {
	return newAppHandler(&Verifier{Secret: testKey, Leeway: DefaultLeeway, Faults: faults,
		Now: func() time.Time { return testNow }}, "embed.other.test")
}

func TestAppMe(t *testing.T) {
	good := signed(t, jwt.SigningMethodHS256, identityClaims(time.Hour), testKey)
	tests := []struct {
		name       string
		faults     AppProfile
		cookie     *http.Cookie
		wantStatus int
		wantBody   string
	}{
		{"signed in", AppProfile{}, &http.Cookie{Name: "mf_jwt_token", Value: good}, 200,
			`{"user_id":"user123","first_name":"John","last_name":"Doe","email":"john.doe@example.com"}`},
		{"no cookie", AppProfile{}, nil, 401, `{"error":"no_token"}`},
		{"other cookie name", AppProfile{}, &http.Cookie{Name: "MF_JWT_TOKEN", Value: good}, 401, `{"error":"no_token"}`},
		{"garbage", AppProfile{}, &http.Cookie{Name: "mf_jwt_token", Value: "garbage"}, 401, `{"error":"malformed"}`},
		{"garbage, ServerErrorOnGarbage", AppProfile{ServerErrorOnGarbage: true},
			&http.Cookie{Name: "mf_jwt_token", Value: "garbage"}, 500, "internal server error"},
		{"no cookie, ServerErrorOnGarbage", AppProfile{ServerErrorOnGarbage: true}, nil, 401, `{"error":"no_token"}`},
		{"IdentityOverride", AppProfile{IdentityOverride: "admin"}, &http.Cookie{Name: "mf_jwt_token", Value: good}, 200,
			`{"user_id":"admin","first_name":"John","last_name":"Doe","email":"john.doe@example.com"}`},
		{"FirstNameOverride", AppProfile{FirstNameOverride: "Jane"}, &http.Cookie{Name: "mf_jwt_token", Value: good}, 200,
			`{"user_id":"user123","first_name":"Jane","last_name":"Doe","email":"john.doe@example.com"}`},
		{"MeUserIDField", AppProfile{MeUserIDField: "id"}, &http.Cookie{Name: "mf_jwt_token", Value: good}, 200,
			`{"email":"john.doe@example.com","first_name":"John","id":"user123","last_name":"Doe"}`},
		{"expired, ServerErrorOnRefusal", AppProfile{ServerErrorOnRefusal: true},
			&http.Cookie{Name: "mf_jwt_token", Value: signed(t, jwt.SigningMethodHS256, identityClaims(-time.Hour), testKey)}, 500, "internal server error"},
		{"garbage, ServerErrorOnRefusal", AppProfile{ServerErrorOnRefusal: true}, &http.Cookie{Name: "mf_jwt_token", Value: "garbage"}, 500, "internal server error"},
		{"no cookie, ServerErrorOnRefusal", AppProfile{ServerErrorOnRefusal: true}, nil, 401, `{"error":"no_token"}`},
		{"signed in, ServerErrorOnRefusal", AppProfile{ServerErrorOnRefusal: true}, &http.Cookie{Name: "mf_jwt_token", Value: good}, 200,
			`{"user_id":"user123","first_name":"John","last_name":"Doe","email":"john.doe@example.com"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "https://app.acme.test/api/me", nil)
			if tt.cookie != nil {
				req.AddCookie(tt.cookie)
			}
			rec := httptest.NewRecorder()
			newTestApp(tt.faults).ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Errorf("GET /api/me status = %d, want %d", rec.Code, tt.wantStatus)
			}
			if got := strings.TrimSpace(rec.Body.String()); got != tt.wantBody {
				t.Errorf("GET /api/me body = %s, want %s", got, tt.wantBody)
			}
			if got := rec.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", got)
			}
		})
	}
}

func TestAppNeverServerErrorStrict(t *testing.T) {
	values := []string{"", "garbage", "a.b.c", "....", strings.Repeat("x", 5000), "e30.e30.", "bnVsbA.bnVsbA.x",
		"eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.!!", "%00%ff"}
	app := newTestApp(AppProfile{})
	for _, v := range values {
		for _, path := range []string{"/api/me", "/"} {
			req := httptest.NewRequest(http.MethodGet, "https://app.acme.test"+path, nil)
			req.Header.Set("Cookie", "mf_jwt_token="+v)
			rec := httptest.NewRecorder()
			app.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Errorf("GET %s with a cookie of %d bytes: status = %d, want < 500", path, len(v), rec.Code)
			}
		}
	}
}

func TestAppCORS(t *testing.T) {
	tests := []struct {
		name      string
		method    string
		origin    string
		wantAllow string
		wantCode  int
	}{
		{"embed site", http.MethodGet, "https://embed.other.test:38001", "https://embed.other.test:38001", 401},
		{"embed site, other case", http.MethodGet, "https://EMBED.other.test", "https://EMBED.other.test", 401},
		{"embed site over http", http.MethodGet, "http://embed.other.test:38001", "", 401},
		{"other site", http.MethodGet, "https://evil.test", "", 401},
		{"no origin", http.MethodGet, "", "", 401},
		{"preflight from embed", http.MethodOptions, "https://embed.other.test:38001", "https://embed.other.test:38001", 204},
		{"preflight from other", http.MethodOptions, "https://evil.test", "", 204},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "https://app.acme.test/api/me", nil)
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			rec := httptest.NewRecorder()
			newTestApp(AppProfile{}).ServeHTTP(rec, req)
			if rec.Code != tt.wantCode {
				t.Errorf("%s /api/me status = %d, want %d", tt.method, rec.Code, tt.wantCode)
			}
			if got := rec.Header().Get("Access-Control-Allow-Origin"); got != tt.wantAllow {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, tt.wantAllow)
			}
			wantCred := ""
			if tt.wantAllow != "" {
				wantCred = "true"
			}
			if got := rec.Header().Get("Access-Control-Allow-Credentials"); got != wantCred {
				t.Errorf("Access-Control-Allow-Credentials = %q, want %q", got, wantCred)
			}
			if got := rec.Header().Get("Vary"); got != "Origin" {
				t.Errorf("Vary = %q, want Origin", got)
			}
		})
	}
}

func TestAppPage(t *testing.T) {
	good := signed(t, jwt.SigningMethodHS256, identityClaims(time.Hour), testKey)
	evil := signed(t, jwt.SigningMethodHS256, with(identityClaims(time.Hour), "first_name", `<script>alert(1)</script>`), testKey)
	tests := []struct {
		name      string
		cookie    string
		want      []string
		forbidden []string
	}{
		{"signed in", good, []string{`data-state="signed-in"`, `data-user-id="user123"`,
			"Signed in as John Doe (user123, john.doe@example.com)"}, nil},
		{"signed out", "", []string{`data-state="signed-out"`, `data-reason="no_token"`, "Not signed in: no_token"}, nil},
		{"escaped", evil, []string{"&lt;script&gt;alert(1)&lt;/script&gt;"}, []string{"<script>alert"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "https://app.acme.test/", nil)
			if tt.cookie != "" {
				req.AddCookie(&http.Cookie{Name: "mf_jwt_token", Value: tt.cookie})
			}
			rec := httptest.NewRecorder()
			newTestApp(AppProfile{}).ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Fatalf("GET / status = %d, want 200", rec.Code)
			}
			body := rec.Body.String()
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("GET / body lacks %q:\n%s", w, body)
				}
			}
			for _, f := range tt.forbidden {
				if strings.Contains(body, f) {
					t.Errorf("GET / body contains %q:\n%s", f, body)
				}
			}
			if h := rec.Header().Get("X-Frame-Options"); h != "" {
				t.Errorf("X-Frame-Options = %q, want none", h)
			}
		})
	}
}

func TestAppHealthz(t *testing.T) {
	rec := httptest.NewRecorder()
	newTestApp(AppProfile{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "https://app.acme.test/healthz", nil))
	if rec.Code != http.StatusOK || rec.Body.String() != "ok" {
		t.Errorf("GET /healthz = %d %q, want 200 \"ok\"", rec.Code, rec.Body.String())
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		id   Identity
		want string
	}{
		{Identity{UserID: "user123", FirstName: "John", LastName: "Doe", Email: "john.doe@example.com"}, "John Doe (user123, john.doe@example.com)"},
		{Identity{UserID: "user123"}, "user123"},
		{Identity{UserID: "user123", Email: "a@b.test"}, "user123 (a@b.test)"},
		{Identity{FirstName: "John"}, "John"},
		{Identity{}, "a user without user_id"},
	}
	for _, tt := range tests {
		if got := describe(tt.id); got != tt.want {
			t.Errorf("describe(%+v) = %q, want %q", tt.id, got, tt.want)
		}
	}
}

// meBody decodes an /api/me JSON answer.
func meBody(t *testing.T, b []byte) map[string]string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("decode /api/me body: %v", err)
	}
	return m
}
