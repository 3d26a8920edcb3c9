package supabaseref

import (
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestHealth(t *testing.T) {
	t.Parallel()
	d, c := start(t, nil)
	r := call(t, c, http.MethodGet, d.ProjectURL+"/auth/v1/health", withKey(d.AnonKey), nil)
	want := map[string]any{"version": "v2.196.0", "name": "GoTrue", "description": "GoTrue is a user registration and authentication API"}
	if r.status != http.StatusOK || !sameJSON(r.body, want) {
		t.Errorf("GET /health = %d %s, want 200 %v", r.status, r.raw, want)
	}
}

func TestPasswordGrant(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		mutate   func(*Profile)
		password string // "" means the right one
		want     int
		wantCode string
	}{
		{name: "ok", want: http.StatusOK},
		{name: "wrong password", password: "wrong", want: http.StatusBadRequest, wantCode: "invalid_credentials"},
		{name: "unconfirmed", mutate: func(p *Profile) { p.User.Confirmed = false }, want: http.StatusBadRequest, wantCode: "email_not_confirmed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, c := start(t, tt.mutate)
			pw := tt.password
			if pw == "" {
				pw = d.Password
			}
			r := call(t, c, http.MethodPost, d.ProjectURL+"/auth/v1/token?grant_type=password", withKey(d.AnonKey),
				map[string]string{"email": d.Email, "password": pw})
			if r.status != tt.want {
				t.Fatalf("POST /token status = %d, want %d (body %s)", r.status, tt.want, r.raw)
			}
			if tt.wantCode != "" {
				if got := r.header.Get("x-sb-error-code"); got != tt.wantCode {
					t.Errorf("POST /token x-sb-error-code = %q, want %q", got, tt.wantCode)
				}
				return
			}
			for _, k := range []string{"access_token", "refresh_token", "expires_in", "expires_at", "user"} {
				if r.body[k] == nil {
					t.Errorf("POST /token body has no %s", k)
				}
			}
			if r.body["token_type"] != "bearer" || r.body["expires_in"] != float64(3600) {
				t.Errorf("POST /token token_type, expires_in = %v, %v, want bearer, 3600", r.body["token_type"], r.body["expires_in"])
			}
		})
	}
}

func TestGetUser(t *testing.T) {
	t.Parallel()
	d, c := start(t, nil)
	access, _ := signIn(t, d, c).body["access_token"].(string)
	claims := payload(t, access)
	expired := jwt.MapClaims{}
	for k, v := range claims {
		expired[k] = v
	}
	expired["exp"] = time.Now().Add(-time.Minute).Unix()
	tests := []struct {
		name    string
		auth    string
		want    int
		wantMsg string
	}{
		{name: "ok", auth: "Bearer " + access, want: http.StatusOK},
		{name: "expired", auth: "Bearer " + signed(t, expired, d.JWTSecret), want: http.StatusForbidden,
			wantMsg: "invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired"},
		{name: "other secret", auth: "Bearer " + signed(t, jwt.MapClaims(claims), []byte("some-other-secret-some-other-secret-1234")), want: http.StatusForbidden,
			wantMsg: "invalid JWT: unable to parse or verify signature, token signature is invalid: signature is invalid"},
		{name: "anon key as bearer", auth: "Bearer " + d.AnonKey, want: http.StatusForbidden, wantMsg: "invalid claim: missing sub claim"},
		{name: "missing header", want: http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := withKey(d.AnonKey)
			if tt.auth != "" {
				h["Authorization"] = tt.auth
			}
			r := call(t, c, http.MethodGet, d.ProjectURL+"/auth/v1/user", h, nil)
			if r.status != tt.want {
				t.Fatalf("GET /user status = %d, want %d (body %s)", r.status, tt.want, r.raw)
			}
			if tt.wantMsg != "" && r.body["msg"] != tt.wantMsg {
				t.Errorf("GET /user msg = %v, want %q", r.body["msg"], tt.wantMsg)
			}
			if tt.want == http.StatusOK && (r.body["email"] != d.Email || r.body["id"] != claims["sub"]) {
				t.Errorf("GET /user = %s, want the user %s with id %v", r.raw, d.Email, claims["sub"])
			}
		})
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	d, c := start(t, nil)
	session := signIn(t, d, c).body
	auth := withKey(d.AnonKey, "Authorization", "Bearer "+session["access_token"].(string))
	if r := call(t, c, http.MethodPost, d.ProjectURL+"/auth/v1/logout", auth, nil); r.status != http.StatusNoContent {
		t.Fatalf("POST /logout status = %d, want %d", r.status, http.StatusNoContent)
	}
	if r := call(t, c, http.MethodGet, d.ProjectURL+"/auth/v1/user", auth, nil); r.status != http.StatusForbidden || r.body["error_code"] != "session_not_found" {
		t.Errorf("GET /user after logout = %d %s, want 403 session_not_found", r.status, r.raw)
	}
	r := call(t, c, http.MethodPost, d.ProjectURL+"/auth/v1/token?grant_type=refresh_token", withKey(d.AnonKey),
		map[string]any{"refresh_token": session["refresh_token"]})
	if r.status != http.StatusBadRequest || r.body["error_code"] != "refresh_token_not_found" {
		t.Errorf("POST /token after logout = %d %s, want 400 refresh_token_not_found", r.status, r.raw)
	}
}

func TestSignup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		disabled bool
		email    string // "" means the seeded user's
		want     int
		wantCode string
	}{
		{name: "disabled", disabled: true, email: "new@acme.test", want: http.StatusUnprocessableEntity, wantCode: "signup_disabled"},
		{name: "existing user", want: http.StatusUnprocessableEntity, wantCode: "user_already_exists"},
		{name: "new user", email: "new@acme.test", want: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, c := start(t, func(p *Profile) { p.DisableSignup = tt.disabled })
			email := tt.email
			if email == "" {
				email = d.Email
			}
			body := map[string]string{"email": email, "password": "a-new-password"}
			r := call(t, c, http.MethodPost, d.ProjectURL+"/auth/v1/signup", withKey(d.AnonKey), body)
			if r.status != tt.want || r.header.Get("x-sb-error-code") != tt.wantCode {
				t.Fatalf("POST /signup = %d %q, want %d %q", r.status, r.header.Get("x-sb-error-code"), tt.want, tt.wantCode)
			}
			if tt.want != http.StatusOK {
				return
			}
			r = call(t, c, http.MethodPost, d.ProjectURL+"/auth/v1/token?grant_type=password", withKey(d.AnonKey), body)
			if r.status != http.StatusBadRequest || r.body["error_code"] != "email_not_confirmed" {
				t.Errorf("POST /token for the new user = %d %s, want 400 email_not_confirmed", r.status, r.raw)
			}
		})
	}
}

func TestErrorShapes(t *testing.T) {
	t.Parallel()
	d, c := start(t, nil)
	tests := []struct {
		name    string
		path    string
		version string
		want    map[string]any
	}{
		{name: "initial", path: "/auth/v1/user",
			want: map[string]any{"code": float64(401), "error_code": "no_authorization", "msg": "This endpoint requires a valid Bearer token"}},
		{name: "2024-01-01", path: "/auth/v1/user", version: "2024-01-01",
			want: map[string]any{"code": "no_authorization", "message": "This endpoint requires a valid Bearer token"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := withKey(d.AnonKey)
			if tt.version != "" {
				h[apiVersionHeader] = tt.version
			}
			r := call(t, c, http.MethodGet, d.ProjectURL+tt.path, h, nil)
			if !sameJSON(r.body, tt.want) {
				t.Errorf("GET %s body = %s, want %v", tt.path, r.raw, tt.want)
			}
			code := tt.want["error_code"]
			if code == nil {
				code = tt.want["code"]
			}
			if got := r.header.Get("x-sb-error-code"); got != code {
				t.Errorf("GET %s x-sb-error-code = %q, want %v", tt.path, got, code)
			}
		})
	}
}

func TestJWKS(t *testing.T) {
	t.Parallel()
	d, c := start(t, nil)
	r := call(t, c, http.MethodGet, d.ProjectURL+"/auth/v1/.well-known/jwks.json", nil, nil)
	if keys, ok := r.body["keys"].([]any); r.status != http.StatusOK || !ok || len(keys) != 0 {
		t.Errorf("GET /.well-known/jwks.json = %d %s, want 200 {\"keys\":[]}", r.status, r.raw)
	}
	if got := r.header.Get("Cache-Control"); got != "public, max-age=600" {
		t.Errorf("GET /.well-known/jwks.json Cache-Control = %q, want %q", got, "public, max-age=600")
	}
}
