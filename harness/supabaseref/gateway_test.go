package supabaseref

import (
	"net/http"
	"strings"
	"testing"
)

func TestGatewayAPIKey(t *testing.T) {
	t.Parallel()
	hosted, hc := start(t, nil)
	kong, kc := start(t, func(p *Profile) { p.GatewayStyle = "kong" })
	tests := []struct {
		name     string
		d        *Deployment
		c        *http.Client
		path     string
		headers  func(d *Deployment) map[string]string
		want     int
		wantBody map[string]any
	}{
		{name: "anon key", d: hosted, c: hc, path: "/auth/v1/settings",
			headers: func(d *Deployment) map[string]string { return withKey(d.AnonKey) }, want: 200},
		{name: "publishable key", d: hosted, c: hc, path: "/auth/v1/settings",
			headers: func(d *Deployment) map[string]string {
				return withKey(d.PublishableKey, "Origin", "https://app.acme.test")
			}, want: 200},
		{name: "service_role key", d: hosted, c: hc, path: "/auth/v1/settings",
			headers: func(d *Deployment) map[string]string { return withKey(d.ServiceRoleKey) }, want: 200},
		{name: "secret key from a server", d: hosted, c: hc, path: "/auth/v1/settings",
			headers: func(d *Deployment) map[string]string { return withKey(d.SecretKey) }, want: 200},
		{name: "secret key from a browser", d: hosted, c: hc, path: "/auth/v1/settings",
			headers: func(d *Deployment) map[string]string { return withKey(d.SecretKey, "Origin", "https://app.acme.test") },
			want:    401, wantBody: map[string]any{"message": "Forbidden use of secret API key in browser"}},
		{name: "unknown key hosted", d: hosted, c: hc, path: "/auth/v1/settings",
			headers: func(*Deployment) map[string]string { return withKey("sb_publishable_xxxxxxxxxxxxxxxxxxxxxx_00000000") },
			want:    401, wantBody: map[string]any{"message": "Invalid API key", "hint": "Double check your Supabase `anon` or `service_role` API key."}},
		{name: "unknown key kong", d: kong, c: kc, path: "/auth/v1/settings",
			headers: func(*Deployment) map[string]string { return withKey("nope") },
			want:    401, wantBody: map[string]any{"message": "Invalid authentication credentials"}},
		{name: "other project's key", d: hosted, c: hc, path: "/auth/v1/settings",
			headers: func(*Deployment) map[string]string { return withKey(kong.AnonKey) },
			want:    401, wantBody: map[string]any{"message": "Invalid API key", "hint": "Double check your Supabase `anon` or `service_role` API key."}},
		{name: "missing key", d: hosted, c: hc, path: "/auth/v1/settings",
			headers: func(*Deployment) map[string]string { return nil },
			want:    401, wantBody: map[string]any{"message": "No API key found in request"}},
		{name: "jwks needs no key", d: hosted, c: hc, path: "/auth/v1/.well-known/jwks.json",
			headers: func(*Deployment) map[string]string { return nil }, want: 200},
		{name: "no route outside /auth/v1 and /rest/v1", d: hosted, c: hc, path: "/storage/v1/things",
			headers: func(d *Deployment) map[string]string { return withKey(d.AnonKey) },
			want:    404, wantBody: map[string]any{"message": "no Route matched with those values"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, tt.c, http.MethodGet, tt.d.ProjectURL+tt.path, tt.headers(tt.d), nil)
			if r.status != tt.want {
				t.Fatalf("GET %s status = %d, want %d (body %s)", tt.path, r.status, tt.want, r.raw)
			}
			if tt.wantBody != nil && !sameJSON(r.body, tt.wantBody) {
				t.Errorf("GET %s body = %s, want %v", tt.path, r.raw, tt.wantBody)
			}
		})
	}
}

func TestSettings(t *testing.T) {
	t.Parallel()
	d, c := start(t, func(p *Profile) { p.DisableSignup = true })
	r := call(t, c, http.MethodGet, d.ProjectURL+"/auth/v1/settings", withKey(d.AnonKey), nil)
	if r.status != http.StatusOK {
		t.Fatalf("GET /settings status = %d, want %d", r.status, http.StatusOK)
	}
	ext, _ := r.body["external"].(map[string]any)
	if ext["email"] != true || ext["phone"] != false {
		t.Errorf("GET /settings external = %v, want email true, phone false", ext)
	}
	for k, want := range map[string]any{"disable_signup": true, "mailer_autoconfirm": false, "phone_autoconfirm": false, "sms_provider": "", "saml_enabled": false} {
		if r.body[k] != want {
			t.Errorf("GET /settings %s = %v, want %v", k, r.body[k], want)
		}
	}
}

func TestCORS(t *testing.T) {
	t.Parallel()
	const reqHeaders = "apikey,authorization,content-type,x-client-info,x-supabase-api-version"
	tests := []struct {
		name        string
		mutate      func(*Profile)
		method      string
		origin      string
		wantOrigin  string
		wantHeaders string
	}{
		{name: "preflight default echoes apikey", method: http.MethodOptions, origin: "https://app.acme.test",
			wantOrigin: "*", wantHeaders: reqHeaders},
		{name: "preflight listed origin", mutate: func(p *Profile) { p.CORS.AllowedOrigins = []string{"https://app.acme.test"} },
			method: http.MethodOptions, origin: "https://app.acme.test", wantOrigin: "https://app.acme.test", wantHeaders: reqHeaders},
		{name: "preflight unlisted origin", mutate: func(p *Profile) { p.CORS.AllowedOrigins = []string{"https://app.acme.test"} },
			method: http.MethodOptions, origin: "https://evil.test"},
		{name: "preflight refuses apikey", mutate: func(p *Profile) { p.CORS.RefuseAPIKeyHeader = true },
			method: http.MethodOptions, origin: "https://app.acme.test", wantOrigin: "*", wantHeaders: goTrueCORSHeaders},
		{name: "simple request default", method: http.MethodGet, origin: "https://app.acme.test", wantOrigin: "*"},
		{name: "simple request unlisted origin", mutate: func(p *Profile) { p.CORS.AllowedOrigins = []string{"https://app.acme.test"} },
			method: http.MethodGet, origin: "https://evil.test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, c := start(t, tt.mutate)
			h := map[string]string{"Origin": tt.origin}
			if tt.method == http.MethodOptions {
				h["Access-Control-Request-Method"] = "GET"
				h["Access-Control-Request-Headers"] = reqHeaders
			} else {
				h["apikey"] = d.AnonKey
			}
			r := call(t, c, tt.method, d.ProjectURL+"/auth/v1/settings", h, nil)
			wantStatus := http.StatusOK
			if tt.method == http.MethodOptions {
				wantStatus = http.StatusNoContent
			}
			if r.status != wantStatus {
				t.Fatalf("%s /settings status = %d, want %d", tt.method, r.status, wantStatus)
			}
			if got := r.header.Get("Access-Control-Allow-Origin"); got != tt.wantOrigin {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, tt.wantOrigin)
			}
			if got := r.header.Get("Access-Control-Allow-Headers"); got != tt.wantHeaders {
				t.Errorf("Access-Control-Allow-Headers = %q, want %q", got, tt.wantHeaders)
			}
			if got := r.header.Get("Access-Control-Allow-Credentials"); got != "" {
				t.Errorf("Access-Control-Allow-Credentials = %q, want none", got)
			}
			if tt.method != http.MethodOptions || tt.wantOrigin == "" {
				return
			}
			if got := r.header.Get("Access-Control-Max-Age"); got != "0" {
				t.Errorf("Access-Control-Max-Age = %q, want %q", got, "0")
			}
			if got := r.header.Get("Access-Control-Allow-Methods"); !strings.Contains(got, "POST") {
				t.Errorf("Access-Control-Allow-Methods = %q, want POST among them", got)
			}
		})
	}
}

func TestMisdirectedHost(t *testing.T) {
	t.Parallel()
	d, c := start(t, nil)
	req, err := http.NewRequest(http.MethodGet, d.ProjectURL+"/auth/v1/health", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "other.supabase.test"
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET /health error = %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("GET /health with Host other status = %d, want %d", res.StatusCode, http.StatusMisdirectedRequest)
	}
}

// sameJSON reports whether got has exactly want's keys and values.
func sameJSON(got, want map[string]any) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}
