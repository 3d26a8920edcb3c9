package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/mfconform/mfconform/harness/hostmap"
	"github.com/mfconform/mfconform/suites/redact"
)

// Bounds of the serve-reference tests.
const (
	serveUpTimeout   = 20 * time.Second
	serveStopTimeout = 10 * time.Second
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveResult is what serveCmd returned.
type serveResult struct {
	code int
	err  error
}

func TestServeReference(t *testing.T) {
	const (
		knownSecret    = "serve-test-auth-secret-Qx7Lp2Wm9Zc4Vb8N"
		knownJWTSecret = "serve-test-supabase-jwt-secret-Tf9Qm2Wx7Lp1Zc6Vb3N"
	)
	tests := []struct {
		name         string
		args         []string
		env          map[string]string // AUTH_SECRET_KEY, SUPABASE_JWT_SECRET
		caOut        bool              // pass --ca-out FILE (kept after exit)
		printSecrets bool
		wantUp       string // in the first line
		wantLogin    string // host of the login URL
	}{
		{
			name:   "documented profile, secrets from the environment (opted in), fingerprints only",
			args:   []string{"--secret-from-env"},
			env:    map[string]string{"AUTH_SECRET_KEY": knownSecret, "SUPABASE_JWT_SECRET": knownJWTSecret},
			wantUp: "(documented profile)", wantLogin: "login.acme.test",
		},
		{
			name:   "the operator's keys are not used unless asked for",
			env:    map[string]string{"AUTH_SECRET_KEY": knownSecret + "-not-used", "SUPABASE_JWT_SECRET": knownJWTSecret + "-not-used"},
			wantUp: "(documented profile)", wantLogin: "login.acme.test",
		},
		{
			name:  "fixture, other login host, generated secrets, --print-secrets",
			args:  []string{"--fixture", "host-only", "--login-host", "login.example.test", "--print-secrets"},
			env:   map[string]string{"AUTH_SECRET_KEY": "", "SUPABASE_JWT_SECRET": ""},
			caOut: true, printSecrets: true,
			wantUp: "(fixture host-only)", wantLogin: "login.example.test",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			dir := t.TempDir()
			envFile := filepath.Join(dir, "serve.env")
			args := append([]string{"--env-out", envFile}, tt.args...)
			caOut := filepath.Join(dir, "ca-out.pem")
			if tt.caOut {
				args = append(args, "--ca-out", caOut)
			}

			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var out syncBuffer
			done := make(chan serveResult, 1)
			go func() {
				code, err := serveCmd(ctx, args, &out)
				done <- serveResult{code, err}
			}()
			first := waitForUp(t, &out, done)
			if !strings.Contains(first, tt.wantUp) {
				t.Errorf("first line = %q, want it to contain %q", first, tt.wantUp)
			}

			banner := bannerFields(out.String())
			loginURL, caFile := banner["login URL"], banner["CA file"]
			vars := readEnvFile(t, envFile)
			if vars["MFCONFORM_LOGIN_URL"] != loginURL {
				t.Errorf("env MFCONFORM_LOGIN_URL = %q, banner login URL = %q", vars["MFCONFORM_LOGIN_URL"], loginURL)
			}
			if tt.caOut && caFile != caOut {
				t.Errorf("CA file = %q, want %q", caFile, caOut)
			}
			optedIn := slices.Contains(tt.args, "--secret-from-env")
			if want := tt.env["AUTH_SECRET_KEY"]; optedIn && vars["AUTH_SECRET_KEY"] != want {
				t.Errorf("env AUTH_SECRET_KEY = %q, want the environment's %q", vars["AUTH_SECRET_KEY"], want)
			}
			if want := tt.env["AUTH_SECRET_KEY"]; !optedIn && want != "" && vars["AUTH_SECRET_KEY"] == want {
				t.Errorf("serve-reference signs with the operator's AUTH_SECRET_KEY without --secret-from-env")
			}
			if want := tt.env["SUPABASE_JWT_SECRET"]; optedIn && vars["SUPABASE_JWT_SECRET"] != want {
				t.Errorf("env SUPABASE_JWT_SECRET = %q, want the environment's %q", vars["SUPABASE_JWT_SECRET"], want)
			}
			if want := tt.env["SUPABASE_JWT_SECRET"]; !optedIn && want != "" && vars["SUPABASE_JWT_SECRET"] == want {
				t.Errorf("serve-reference's project signs with the operator's SUPABASE_JWT_SECRET without --secret-from-env")
			}

			login, err := url.Parse(loginURL)
			if err != nil || login.Hostname() != tt.wantLogin {
				t.Fatalf("login URL %q (err %v): want host %s", loginURL, err, tt.wantLogin)
			}
			sbURL, err := url.Parse(vars["NEXT_PUBLIC_SUPABASE_URL"])
			if err != nil || sbURL.Host == "" {
				t.Fatalf("env NEXT_PUBLIC_SUPABASE_URL = %q (err %v): want an origin", vars["NEXT_PUBLIC_SUPABASE_URL"], err)
			}
			client := serveTestClient(t, caFile, login.Hostname(), sbURL.Hostname())

			resp := serveGet(t, client, loginURL, nil)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s = %d, want 200", loginURL, resp.StatusCode)
			}
			if !hasCookie(resp, "mf_jwt_token") {
				t.Errorf("GET %s Set-Cookie = %q, want mf_jwt_token", loginURL, resp.Header.Values("Set-Cookie"))
			}
			health := sbURL.String() + "/auth/v1/health"
			resp = serveGet(t, client, health, http.Header{"apikey": {vars["NEXT_PUBLIC_SUPABASE_KEY"]}})
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s with the env file's key = %d, want 200", health, resp.StatusCode)
			}
			// A sign-in as another local process would make: the token
			// verifies with the operator's SUPABASE_JWT_SECRET only when
			// they opted in, and a password known from mfconform's source
			// does not sign in.
			if tok := serveSignIn(t, client, sbURL.String(), vars["NEXT_PUBLIC_SUPABASE_KEY"], vars["SUPABASE_TEST_EMAIL"], vars["SUPABASE_TEST_PASSWORD"]); tok == "" {
				t.Errorf("sign-in with the env file's test user got no token")
			} else if op := tt.env["SUPABASE_JWT_SECRET"]; op != "" && hs256Verifies(tok, op) != optedIn {
				t.Errorf("the project's access token verifies with the operator's SUPABASE_JWT_SECRET = %v, want %v", !optedIn, optedIn)
			}
			if tok := serveSignIn(t, client, sbURL.String(), vars["NEXT_PUBLIC_SUPABASE_KEY"], vars["SUPABASE_TEST_EMAIL"], "correct-horse-battery-staple"); tok != "" {
				t.Errorf("sign-in with the password of earlier versions succeeded: the test user's password must be the run's own")
			}
			client.CloseIdleConnections()

			cancel()
			select {
			case r := <-done:
				if r.err != nil || r.code != exitOK {
					t.Errorf("serveCmd() = %d, %v, want %d, nil", r.code, r.err, exitOK)
				}
			case <-time.After(serveStopTimeout):
				t.Fatalf("serveCmd() did not return within %v of cancel", serveStopTimeout)
			}
			for _, hostPort := range []string{login.Host, sbURL.Host} {
				_, port, _ := net.SplitHostPort(hostPort)
				if c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", port), time.Second); err == nil {
					_ = c.Close()
					t.Errorf("port %s (%s) still open after serveCmd returned", port, hostPort)
				}
			}
			if _, err := os.Stat(caFile); tt.caOut != (err == nil) {
				t.Errorf("CA file %s after exit: stat error %v, want kept %v", caFile, err, tt.caOut)
			}

			stdout := out.String()
			secrets := map[string]string{
				"AUTH_SECRET_KEY":          vars["AUTH_SECRET_KEY"],
				"SUPABASE_JWT_SECRET":      vars["SUPABASE_JWT_SECRET"],
				"NEXT_PUBLIC_SUPABASE_KEY": vars["NEXT_PUBLIC_SUPABASE_KEY"],
				"SUPABASE_TEST_PASSWORD":   vars["SUPABASE_TEST_PASSWORD"],
			}
			for name, v := range secrets {
				if v == "" {
					t.Errorf("env file has no %s", name)
					continue
				}
				if got := strings.Contains(stdout, v); got != tt.printSecrets {
					t.Errorf("stdout contains plain %s = %v, want %v; stdout:\n%s", name, got, tt.printSecrets, stdout)
				}
			}
			if fp := redact.Fingerprint([]byte(vars["AUTH_SECRET_KEY"])); !tt.printSecrets && !strings.Contains(stdout, fp) {
				t.Errorf("stdout lacks the AUTH_SECRET_KEY fingerprint %s; stdout:\n%s", fp, stdout)
			}
		})
	}
}

func TestServeReferenceErrors(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantErr   string
		wantUsage bool
	}{
		{"unknown fixture", []string{"--fixture", "nope"}, `--fixture "nope": no such fixture`, false},
		{"unknown mode", []string{"--mode", "both"}, `--mode "both"`, true},
		{"host with a port", []string{"--login-host", "login.acme.test:8443"}, "want a host name", true},
		{"host is an IP address", []string{"--app-host", "127.0.0.1"}, "want a host name", true},
		{"stray argument", []string{"extra"}, `unexpected argument "extra"`, true},
		{"unknown flag", []string{"--secret", "x"}, "unknown flag --secret (did you mean --secret-from-env?)", true},
		{"opted in without SUPABASE_JWT_SECRET", []string{"--secret-from-env"}, "SUPABASE_JWT_SECRET is not set", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AUTH_SECRET_KEY", "serve-test-auth-secret-Qx7Lp2Wm9Zc4Vb8N")
			t.Setenv("SUPABASE_JWT_SECRET", "")
			var out bytes.Buffer
			code, err := serveCmd(t.Context(), tt.args, &out)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("serveCmd(%q) error = %v, want one containing %q", tt.args, err, tt.wantErr)
			}
			if code != exitToolError {
				t.Errorf("serveCmd(%q) code = %d, want %d", tt.args, code, exitToolError)
			}
			if errors.Is(err, errUsage) != tt.wantUsage {
				t.Errorf("serveCmd(%q) error is usage = %v, want %v", tt.args, errors.Is(err, errUsage), tt.wantUsage)
			}
			if out.Len() != 0 {
				t.Errorf("serveCmd(%q) wrote %q, want nothing", tt.args, out.String())
			}
		})
	}
}

func TestServeReferenceUnknownFixtureExitCode(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"serve-reference", "--fixture", "nope"}, &stdout, &stderr)
	if code != exitToolError || !strings.Contains(stderr.String(), "mfconform fixtures") {
		t.Errorf("run(serve-reference --fixture nope) = %d, stderr %q; want %d and the fixtures hint", code, stderr.String(), exitToolError)
	}
}

func TestServeShellQuote(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "abc", "'abc'"},
		{"empty", "", "''"},
		{"single quote", "it's", `'it'\''s'`},
		{"shell metacharacters", "$HOME `x` \"y\" \\z", "'$HOME `x` \"y\" \\z'"},
		{"newline", "a\nb", "'a\nb'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := shellQuote(tt.in)
			if got != tt.want {
				t.Errorf("shellQuote(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if back, ok := shellUnquote(got); !ok || back != tt.in {
				t.Errorf("shellUnquote(%q) = %q, %v, want %q", got, back, ok, tt.in)
			}
		})
	}
}

// waitForUp waits for the "is up" first line and returns it; it fails the
// test when serveCmd returns first or the line does not come in time.
func waitForUp(t *testing.T, out *syncBuffer, done <-chan serveResult) string {
	t.Helper()
	deadline := time.After(serveUpTimeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if first, _, ok := strings.Cut(out.String(), "\n"); ok {
			if !strings.Contains(first, "is up") {
				t.Fatalf("first stdout line = %q, want the \"is up\" line", first)
			}
			return first
		}
		select {
		case r := <-done:
			t.Fatalf("serveCmd() returned %d, %v before it was up; stdout:\n%s", r.code, r.err, out.String())
		case <-deadline:
			t.Fatalf("no \"is up\" line within %v; stdout:\n%s", serveUpTimeout, out.String())
		case <-tick.C:
		}
	}
}

// bannerFields maps the banner's two-word and one-word labels ("login URL",
// "CA file", "supabase") to the rest of their line.
func bannerFields(out string) map[string]string {
	fields := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimPrefix(l, "  ")
		for _, label := range []string{"login URL", "app URL", "embed URL", "CA file", "supabase"} {
			if v, ok := strings.CutPrefix(l, label+" "); ok {
				fields[label] = strings.TrimSpace(v)
			}
		}
	}
	return fields
}

// readEnvFile checks the env file is private and parses its export lines.
func readEnvFile(t *testing.T, path string) map[string]string {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("env file: %v", err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("env file mode = %v, want 0600", perm)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("env file: %v", err)
	}
	vars := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		rest, ok := strings.CutPrefix(l, "export ")
		if !ok {
			continue
		}
		name, quoted, _ := strings.Cut(rest, "=")
		v, ok := shellUnquote(quoted)
		if !ok {
			t.Fatalf("env file line %q: value is not single-quoted", l)
		}
		vars[name] = v
	}
	return vars
}

// shellUnquote undoes shellQuote: single-quoted runs joined by \'.
func shellUnquote(s string) (string, bool) {
	var b strings.Builder
	for s != "" {
		switch {
		case strings.HasPrefix(s, `\'`):
			b.WriteByte('\'')
			s = s[2:]
		case s[0] == '\'':
			end := strings.IndexByte(s[1:], '\'')
			if end < 0 {
				return "", false
			}
			b.WriteString(s[1 : 1+end])
			s = s[2+end:]
		default:
			return "", false
		}
	}
	return b.String(), true
}

// serveTestClient trusts the CA file and dials hosts at 127.0.0.1.
func serveTestClient(t *testing.T, caFile string, hosts ...string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatalf("CA file: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("CA file %s holds no PEM certificate", caFile)
	}
	var hm hostmap.Map
	for _, h := range hosts {
		if err := hm.Add(h, "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
	}
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			DialContext:     hm.DialContext,
			TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// serveGet GETs u with header and returns the response, its body read.
func serveGet(t *testing.T, c *http.Client, u string, header http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	var body bytes.Buffer
	_, _ = body.ReadFrom(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Logf("GET %s: %s\n%s", u, resp.Status, body.String())
	}
	return resp
}

// hasCookie reports whether resp sets a cookie called name.
func hasCookie(resp *http.Response, name string) bool {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return true
		}
	}
	return false
}

// serveSignIn signs the test user in at the project and returns the access
// token, "" when the sign-in is refused.
func serveSignIn(t *testing.T, c *http.Client, project, key, email, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, project+"/auth/v1/token?grant_type=password", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("apikey", key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	defer resp.Body.Close()
	var s struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&s)
	if resp.StatusCode != http.StatusOK {
		return ""
	}
	return s.AccessToken
}

// hs256Verifies reports whether token's HS256 signature verifies with key.
func hs256Verifies(token, key string) bool {
	_, err := jwt.Parse(token, func(*jwt.Token) (any, error) { return []byte(key), nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithoutClaimsValidation())
	return err == nil
}
