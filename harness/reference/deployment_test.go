package reference

import (
	"crypto/rand"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/harness/hostmap"
	"github.com/mfconform/mfconform/harness/pki"
)

// testClient trusts ca and dials every host of p at 127.0.0.1. It does not
// follow redirects or keep cookies, so each response is seen as sent.
func testClient(t *testing.T, p Profile, ca *pki.Authority) *http.Client {
	t.Helper()
	var m hostmap.Map
	for _, h := range []string{p.Hosts.Login, p.Hosts.App, p.Hosts.Embed} {
		if err := m.Add(h, "127.0.0.1"); err != nil {
			t.Fatalf("hostmap Add(%q) error = %v", h, err)
		}
	}
	tr := &http.Transport{
		DialContext:       m.DialContext,
		TLSClientConfig:   &tls.Config{RootCAs: ca.Pool},
		ForceAttemptHTTP2: true,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{
		Transport:     tr,
		Timeout:       5 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func startTestDeployment(t *testing.T, p Profile) (*Deployment, *http.Client) {
	t.Helper()
	ca, err := pki.New([]string{p.Hosts.Login, p.Hosts.App, p.Hosts.Embed})
	if err != nil {
		t.Fatalf("pki.New() error = %v", err)
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		t.Fatalf("rand.Read() error = %v", err)
	}
	d, err := Start(p, secret, ca)
	if err != nil {
		t.Fatalf("Start() error = %v", err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d, testClient(t, p, ca)
}

func get(t *testing.T, c *http.Client, rawURL string, edit func(*http.Request)) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatalf("NewRequest(%q) error = %v", rawURL, err)
	}
	if edit != nil {
		edit(req)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s error = %v", rawURL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s read body: %v", rawURL, err)
	}
	return resp, string(b)
}

func TestDeploymentEndToEnd(t *testing.T) {
	p := DefaultProfile()
	d, c := startTestDeployment(t, p)

	if !strings.HasPrefix(d.LoginURL, "https://login.acme.test:") || !strings.HasSuffix(d.LoginURL, "/login") {
		t.Errorf("LoginURL = %q, want https://login.acme.test:<port>/login", d.LoginURL)
	}
	if !strings.HasPrefix(d.AppURL, "https://app.acme.test:") || strings.HasSuffix(d.AppURL, "/") {
		t.Errorf("AppURL = %q, want https://app.acme.test:<port>", d.AppURL)
	}
	if !strings.HasPrefix(d.EmbedURL, "https://embed.other.test:") {
		t.Errorf("EmbedURL = %q, want https://embed.other.test:<port>", d.EmbedURL)
	}

	// The backend signs the user in with the documented cookie.
	resp, body := get(t, c, d.LoginURL, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /login status = %d, want 200", resp.StatusCode)
	}
	if resp.ProtoMajor != 2 {
		t.Errorf("GET /login protocol = %s, want HTTP/2", resp.Proto)
	}
	sc := resp.Header.Values("Set-Cookie")
	if len(sc) != 1 {
		t.Fatalf("GET /login sent %d Set-Cookie headers, want 1", len(sc))
	}
	nameValue, attrs, _ := strings.Cut(sc[0], ";")
	if want := " Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None"; attrs != want {
		t.Errorf("Set-Cookie attributes = %q, want %q", attrs, want)
	}
	name, token, _ := strings.Cut(nameValue, "=")
	if name != "mf_jwt_token" || strings.Count(token, ".") != 2 {
		t.Fatalf("Set-Cookie name = %q with a %d-byte value, want mf_jwt_token=<jwt>", name, len(token))
	}
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("GET /login Cache-Control = %q, want no-store", got)
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, "user123") ||
		!strings.Contains(body, d.AppURL+"/") {
		t.Errorf("GET /login page = %q (%s), want HTML naming user123 with a link to the app", body, resp.Header.Get("Content-Type"))
	}
	if resp, body := get(t, c, strings.TrimSuffix(d.LoginURL, "login"), nil); resp.StatusCode != 200 || !strings.Contains(body, `href="/login"`) {
		t.Errorf("GET backend / = %d, want 200 with a link to /login", resp.StatusCode)
	}

	// The app accepts the cookie.
	withCookie := func(r *http.Request) { r.AddCookie(&http.Cookie{Name: name, Value: token}) }
	resp, body = get(t, c, d.AppURL+"/api/me", withCookie)
	if resp.StatusCode != http.StatusOK || meBody(t, []byte(body))["user_id"] != "user123" {
		t.Errorf("GET /api/me = %d %s, want 200 with user_id user123", resp.StatusCode, body)
	}
	resp, body = get(t, c, d.AppURL+"/api/me", nil)
	if resp.StatusCode != http.StatusUnauthorized || meBody(t, []byte(body))["error"] != ReasonNoToken {
		t.Errorf("GET /api/me without cookie = %d %s, want 401 no_token", resp.StatusCode, body)
	}
	if resp, body := get(t, c, d.AppURL+"/", withCookie); resp.StatusCode != 200 || !strings.Contains(body, `data-state="signed-in"`) {
		t.Errorf("GET app / = %d, want 200 signed-in page", resp.StatusCode)
	}

	// The embed site serves the page.
	embed := d.EmbedURL + "/embed?app=" + url.QueryEscape(d.AppURL)
	if resp, body := get(t, c, embed, nil); resp.StatusCode != 200 || !strings.Contains(body, `id="app-frame"`) {
		t.Errorf("GET /embed = %d, want 200 with the app frame", resp.StatusCode)
	}

	// Each server answers only its own host.
	for _, u := range []string{d.AppURL + "/healthz", d.LoginURL, d.EmbedURL + "/embed"} {
		resp, _ := get(t, c, u, func(r *http.Request) { r.Host = "elsewhere.test" })
		if resp.StatusCode != http.StatusMisdirectedRequest {
			t.Errorf("GET %s with Host elsewhere.test status = %d, want 421", u, resp.StatusCode)
		}
	}
	if resp, _ := get(t, c, d.AppURL+"/healthz", func(r *http.Request) { r.Host = "APP.ACME.TEST" }); resp.StatusCode != 200 {
		t.Errorf("GET /healthz with Host APP.ACME.TEST status = %d, want 200", resp.StatusCode)
	}

	// Close stops everything and is idempotent.
	addrs := []string{}
	for _, u := range []string{d.LoginURL, d.AppURL, d.EmbedURL} {
		pu, err := url.Parse(u)
		if err != nil {
			t.Fatalf("url.Parse(%q) error = %v", u, err)
		}
		addrs = append(addrs, net.JoinHostPort("127.0.0.1", pu.Port()))
	}
	if err := d.Close(); err != nil {
		t.Errorf("Close() error = %v", err)
	}
	if err := d.Close(); err != nil {
		t.Errorf("second Close() error = %v", err)
	}
	for _, a := range addrs {
		if conn, err := net.DialTimeout("tcp", a, time.Second); err == nil {
			conn.Close()
			t.Errorf("dial %s after Close() succeeded, want refused", a)
		}
	}
}

func TestDeploymentLoginOverHTTP(t *testing.T) {
	p := DefaultProfile()
	p.LoginOverHTTP = true
	p.App.Secret = []byte("a different key")
	d, c := startTestDeployment(t, p)
	if !strings.HasPrefix(d.LoginURL, "http://login.acme.test:") {
		t.Fatalf("LoginURL = %q, want http://login.acme.test:<port>/login", d.LoginURL)
	}
	resp, _ := get(t, c, d.LoginURL, nil)
	if resp.StatusCode != http.StatusOK || len(resp.Header.Values("Set-Cookie")) != 1 {
		t.Fatalf("GET %s = %d with %d Set-Cookie, want 200 with 1", d.LoginURL, resp.StatusCode, len(resp.Header.Values("Set-Cookie")))
	}
	nameValue, _, _ := strings.Cut(resp.Header.Get("Set-Cookie"), ";")
	_, token, _ := strings.Cut(nameValue, "=")
	resp, body := get(t, c, d.AppURL+"/api/me", func(r *http.Request) {
		r.AddCookie(&http.Cookie{Name: "mf_jwt_token", Value: token})
	})
	if resp.StatusCode != http.StatusUnauthorized || meBody(t, []byte(body))["error"] != ReasonBadSignature {
		t.Errorf("GET /api/me with App.Secret differing = %d %s, want 401 bad_signature", resp.StatusCode, body)
	}
}

func TestStartErrors(t *testing.T) {
	ca, err := pki.New([]string{"login.acme.test"})
	if err != nil {
		t.Fatalf("pki.New() error = %v", err)
	}
	noHost := DefaultProfile()
	noHost.Hosts.Embed = ""
	tests := []struct {
		name string
		p    Profile
		ca   *pki.Authority
	}{
		{"nil authority", DefaultProfile(), nil},
		{"missing host", noHost, ca},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Start(tt.p, []byte("k"), tt.ca)
			if err == nil {
				_ = d.Close()
				t.Fatalf("Start() error = nil, want an error")
			}
		})
	}
}

// TestLoginRedirect: with LoginRedirect, /login sends the browser on to the
// callback path, and that answer sets the cookie (without a Path attribute
// when the profile gives none).
func TestLoginRedirect(t *testing.T) {
	p := DefaultProfile()
	p.LoginRedirect, p.Cookie.Path = "/auth/callback/done", ""
	d, c := startTestDeployment(t, p)
	resp, _ := get(t, c, d.LoginURL, nil)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != p.LoginRedirect || len(resp.Header.Values("Set-Cookie")) != 0 {
		t.Fatalf("GET /login = %d Location %q Set-Cookie %q, want 302 to %s without a cookie", resp.StatusCode, resp.Header.Get("Location"), resp.Header.Values("Set-Cookie"), p.LoginRedirect)
	}
	loc, err := url.Parse(d.LoginURL)
	if err != nil {
		t.Fatal(err)
	}
	loc.Path = p.LoginRedirect
	resp, _ = get(t, c, loc.String(), nil)
	sc := resp.Header.Get("Set-Cookie")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(sc, "mf_jwt_token=") || strings.Contains(sc, "Path=") {
		t.Errorf("GET %s = %d Set-Cookie %q, want 200 setting mf_jwt_token without Path", p.LoginRedirect, resp.StatusCode, sc)
	}
}
