package supabaseref

import (
	"fmt"
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
		body     map[string]string // "email" "" means the seeded user's
		version  string
		want     int
		wantCode string // x-sb-error-code ("" for none)
		wantBody map[string]any
	}{
		{name: "disabled", disabled: true, body: map[string]string{"email": "new@acme.test", "password": "a-new-password"},
			want: 422, wantCode: "signup_disabled"},
		{name: "no email nor phone", body: map[string]string{"password": "a-new-password"},
			want: 422, wantCode: "anonymous_provider_disabled"},
		{name: "no password", body: map[string]string{"email": "new@acme.test"},
			want: 400, wantCode: "validation_failed",
			wantBody: map[string]any{"code": float64(400), "error_code": "validation_failed", "msg": "Signup requires a valid password"}},
		{name: "weak password", body: map[string]string{"email": "new@acme.test", "password": "abc"},
			want: 422, wantCode: "weak_password",
			wantBody: map[string]any{"code": float64(422), "error_code": "weak_password", "msg": "Password should be at least 6 characters.",
				"weak_password": map[string]any{"reasons": []any{"length"}}}},
		{name: "weak password 2024-01-01", body: map[string]string{"email": "new@acme.test", "password": "abc"}, version: "2024-01-01",
			want: 422, wantBody: map[string]any{"code": "weak_password", "message": "Password should be at least 6 characters.",
				"weak_password": map[string]any{"reasons": []any{"length"}}}},
		{name: "phone", body: map[string]string{"phone": "+15555550100", "password": "a-new-password"},
			want: 400, wantCode: "phone_provider_disabled"},
		{name: "bad email", body: map[string]string{"email": "not-an-address", "password": "a-new-password"},
			want: 400, wantCode: "validation_failed"},
		{name: "existing user: a stand-in, no 422", body: map[string]string{"email": "", "password": "a-new-password"}, want: 200},
		{name: "new user", body: map[string]string{"email": "new@acme.test", "password": "a-new-password"}, want: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, c := start(t, func(p *Profile) { p.DisableSignup = tt.disabled })
			body := map[string]string{}
			for k, v := range tt.body {
				body[k] = v
			}
			if e, ok := body["email"]; ok && e == "" {
				body["email"] = d.Email
			}
			h := withKey(d.AnonKey)
			if tt.version != "" {
				h[apiVersionHeader] = tt.version
			}
			r := call(t, c, http.MethodPost, d.ProjectURL+"/auth/v1/signup", h, body)
			if r.status != tt.want || r.header.Get("x-sb-error-code") != tt.wantCode {
				t.Fatalf("POST /signup = %d %q, want %d %q (body %s)", r.status, r.header.Get("x-sb-error-code"), tt.want, tt.wantCode, r.raw)
			}
			if tt.wantBody != nil && fmt.Sprint(r.body) != fmt.Sprint(tt.wantBody) {
				t.Errorf("POST /signup body = %v, want %v", r.body, tt.wantBody)
			}
			if tt.want != http.StatusOK {
				return
			}
			if r.body["email"] != body["email"] || r.body["email_confirmed_at"] != nil {
				t.Errorf("POST /signup user = %s, want an unconfirmed user %s", r.raw, body["email"])
			}
			r = call(t, c, http.MethodPost, d.ProjectURL+"/auth/v1/token?grant_type=password", withKey(d.AnonKey), body)
			if body["email"] == d.Email {
				// The stand-in is not the real user, whose password is unchanged.
				if r.status != http.StatusBadRequest || r.body["error_code"] != "invalid_credentials" {
					t.Errorf("POST /token with the new password = %d %s, want 400 invalid_credentials", r.status, r.raw)
				}
				return
			}
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
