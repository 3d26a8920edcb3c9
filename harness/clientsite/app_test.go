package clientsite

import (
	"errors"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParentDomain(t *testing.T) {
	for host, want := range map[string]string{
		"app.acme.test":            "acme.test",
		"miiflow.staging.acme.com": "staging.acme.com",
		"acme.com":                 "acme.com",
		"app.acme.co.uk":           "acme.co.uk",
		"acme.co.uk":               "acme.co.uk",
		"localhost":                "localhost",
	} {
		if got := ParentDomain(host); got != want {
			t.Errorf("ParentDomain(%q) = %q, want %q", host, got, want)
		}
	}
}

func TestAppConfig(t *testing.T) {
	tests := []struct {
		name    string
		p       AppProfile
		want    CookieOptions
		signOut *CookieOptions
		storage string
	}{
		{name: "default", p: DefaultAppProfile(), want: CookieOptions{Domain: ".acme.test", Secure: true}, storage: StorageCookies},
		{name: "zero value is @supabase/ssr's defaults", p: AppProfile{}, want: CookieOptions{}, storage: StorageCookies},
		{name: "embedded", p: AppProfile{ShareWithSiblings: true, Secure: true, SameSite: "none", Path: "/app"},
			want: CookieOptions{Domain: ".acme.test", Path: "/app", SameSite: "none", Secure: true}, storage: StorageCookies},
		{name: "sign-out without the Domain", p: AppProfile{ShareWithSiblings: true, Secure: true, SignOutWithoutDomain: true},
			want: CookieOptions{Domain: ".acme.test", Secure: true}, signOut: &CookieOptions{Secure: true}, storage: StorageCookies},
		{name: "localStorage", p: AppProfile{Storage: StorageLocal}, storage: StorageLocal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := App{SupabaseURL: "https://x.supabase.test", Key: "k", Profile: tt.p}.config("app.acme.test")
			if c.Cookie != tt.want || c.Storage != tt.storage {
				t.Errorf("config() cookie = %+v, storage %q, want %+v, %q", c.Cookie, c.Storage, tt.want, tt.storage)
			}
			if (c.SignOut == nil) != (tt.signOut == nil) || c.SignOut != nil && *c.SignOut != *tt.signOut {
				t.Errorf("config() sign-out = %+v, want %+v", c.SignOut, tt.signOut)
			}
		})
	}
}

func TestAppRoutes(t *testing.T) {
	app, err := newAppHandler(App{SupabaseURL: "https://abcdefghijklmnopqrst.supabase.test", Key: "anon-key", Profile: DefaultAppProfile()}, "app.acme.test", []byte("var supabaseSsr = {};"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handler([]byte("var supabase = {};"), app))
	defer srv.Close()
	tests := []struct {
		path, wantType string
		want           []string
		status         int
	}{
		{path: AppPath, wantType: "text/html", status: 200, want: []string{`data-page="home"`, `<script src="` + SSRBundlePath + `">`, AppScriptPath}},
		{path: LoginPath, wantType: "text/html", status: 200, want: []string{`id="email"`, `id="password"`, `id="sign-in"`, `id="signed-out"`}},
		{path: DashboardPath, wantType: "text/html", status: 200, want: []string{`id="sign-out"`, `id="who"`}},
		{path: SSRBundlePath, wantType: "application/javascript", status: 200, want: []string{"supabaseSsr"}},
		{path: AppScriptPath, wantType: "application/javascript", status: 200, want: []string{"window.mfApp"}},
		{path: "/app/other", status: 404},
	}
	for _, tt := range tests {
		resp, err := http.Get(srv.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("GET %s = %d, want %d", tt.path, resp.StatusCode, tt.status)
			continue
		}
		if ct := resp.Header.Get("Content-Type"); tt.wantType != "" && !strings.HasPrefix(ct, tt.wantType) {
			t.Errorf("GET %s Content-Type = %q, want %s", tt.path, ct, tt.wantType)
		}
		for _, w := range tt.want {
			if !strings.Contains(string(b), w) {
				t.Errorf("GET %s lacks %q", tt.path, w)
			}
		}
		if tt.path == AppPath {
			if cfg := html.UnescapeString(string(b)); !strings.Contains(cfg, `"cookieOptions":{"domain":".acme.test","secure":true}`) {
				t.Errorf("GET %s config lacks the cookie options: %s", tt.path, cfg)
			}
		}
	}
	// Without an app, none of it is served.
	bare := httptest.NewServer(handler([]byte("var supabase = {};"), nil))
	defer bare.Close()
	for _, p := range []string{AppPath, LoginPath, SSRBundlePath, AppScriptPath} {
		if resp, err := http.Get(bare.URL + p); err != nil || resp.StatusCode != 404 {
			t.Errorf("GET %s without an app = %v, %v, want 404", p, resp.StatusCode, err)
		}
	}
}

func TestFindSSRBundle(t *testing.T) {
	a, err := asset(SupabaseSSR)
	if err != nil {
		t.Fatalf("asset(%q) error = %v", SupabaseSSR, err)
	}
	if a.Env() != "MFCONFORM_SUPABASE_SSR" || a.Package != "@supabase/ssr" {
		t.Errorf("asset = %+v, want MFCONFORM_SUPABASE_SSR for @supabase/ssr", a)
	}
	tmp := t.TempDir()
	other := filepath.Join(tmp, "supabase-ssr.js")
	if err := os.WriteFile(other, []byte("var supabaseSsr = {};"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(a.Env(), other)
	if _, err := FindSSRBundle(); !errors.Is(err, ErrBundleMismatch) || !strings.Contains(err.Error(), "@supabase/ssr") {
		t.Errorf("FindSSRBundle() of another file: error = %v, want ErrBundleMismatch naming @supabase/ssr", err)
	}
	t.Setenv(a.Env(), filepath.Join(tmp, "missing.js"))
	if _, err := FindSSRBundle(); !errors.Is(err, ErrBundleMissing) || !strings.Contains(err.Error(), "MFCONFORM_SUPABASE_SSR names supabase-ssr.js built from @supabase/ssr") {
		t.Errorf("FindSSRBundle() of a missing file: error = %v, want ErrBundleMissing naming the bundle and its variable", err)
	}
}
