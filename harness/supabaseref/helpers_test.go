package supabaseref

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/mfconform/mfconform/harness/hostmap"
	"github.com/mfconform/mfconform/harness/pki"
)

var (
	caOnce sync.Once
	testCA *pki.Authority
	caErr  error
)

// authority returns the package's test CA, valid for *.supabase.test.
func authority(t *testing.T) *pki.Authority {
	t.Helper()
	caOnce.Do(func() { testCA, caErr = pki.New([]string{"*.supabase.test"}) })
	if caErr != nil {
		t.Fatalf("pki.New() error = %v", caErr)
	}
	return testCA
}

// start starts DefaultProfile changed by mutate and returns it with a client
// that reaches it through a host map and trusts the test CA.
func start(t *testing.T, mutate func(*Profile)) (*Deployment, *http.Client) {
	t.Helper()
	p := DefaultProfile()
	if mutate != nil {
		mutate(&p)
	}
	ca := authority(t)
	d, err := Start(p, ca)
	if err != nil {
		t.Fatalf("Start() error = %v", err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("Close() error = %v", err)
		}
	})
	var m hostmap.Map
	if err := m.Add(p.Host(), "127.0.0.1"); err != nil {
		t.Fatalf("hostmap Add() error = %v", err)
	}
	tr := &http.Transport{
		DialContext:       m.DialContext,
		TLSClientConfig:   &tls.Config{RootCAs: ca.Pool},
		ForceAttemptHTTP2: true,
	}
	t.Cleanup(tr.CloseIdleConnections) // before Close: no graceful wait
	return d, &http.Client{Transport: tr, Timeout: 5 * time.Second}
}

// response is a decoded response.
type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// call sends method url with headers and a JSON body (when not nil).
func call(t *testing.T, c *http.Client, method, url string, headers map[string]string, body any) response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatalf("json.Marshal() error = %v", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatalf("NewRequest(%s %s) error = %v", method, url, err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s error = %v", method, url, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	r := response{status: res.StatusCode, header: res.Header, raw: string(raw)}
	if len(raw) > 0 && strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			t.Fatalf("%s %s: body %q is not a JSON object: %v", method, url, raw, err)
		}
	}
	return r
}

// withKey returns headers with apikey set to key plus extra pairs.
func withKey(key string, extra ...string) map[string]string {
	h := map[string]string{"apikey": key}
	for i := 0; i+1 < len(extra); i += 2 {
		h[extra[i]] = extra[i+1]
	}
	return h
}

// signIn signs the seeded user in and returns the token response.
func signIn(t *testing.T, d *Deployment, c *http.Client) response {
	t.Helper()
	r := call(t, c, http.MethodPost, d.ProjectURL+"/auth/v1/token?grant_type=password", withKey(d.AnonKey),
		map[string]string{"email": d.Email, "password": d.Password})
	if r.status != http.StatusOK {
		t.Fatalf("POST /token status = %d, want %d (body %s)", r.status, http.StatusOK, r.raw)
	}
	return r
}

// signed signs claims with HS256 and key.
func signed(t *testing.T, claims jwt.MapClaims, key []byte) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(key)
	if err != nil {
		t.Fatalf("SignedString() error = %v", err)
	}
	return s
}

// payload decodes a JWT's payload without verifying it.
func payload(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d segments, want 3", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("decode payload: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("payload is not JSON: %v", err)
	}
	return m
}

// verifies reports whether token is a valid HS256 signature by key (claims
// not validated).
func verifies(token string, key []byte) bool {
	_, err := jwt.Parse(token, func(*jwt.Token) (any, error) { return key, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithoutClaimsValidation())
	return err == nil
}

// fakeClock is a settable project clock (Profile.Clock).
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

// newFakeClock returns a clock standing at the current time.
func newFakeClock() *fakeClock { return &fakeClock{t: time.Now()} }

// Now returns the clock's time.
func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// refreshWith posts the refresh_token grant for tok with headers extra
// (apikey set to the anon key).
func refreshWith(t *testing.T, d *Deployment, c *http.Client, tok string, extra ...string) response {
	t.Helper()
	return call(t, c, http.MethodPost, d.ProjectURL+"/auth/v1/token?grant_type=refresh_token", withKey(d.AnonKey, extra...),
		map[string]string{"refresh_token": tok})
}

// getUser calls GET /auth/v1/user with bearer (none when empty).
func getUser(t *testing.T, d *Deployment, c *http.Client, bearer string, extra ...string) response {
	t.Helper()
	h := withKey(d.AnonKey, extra...)
	if bearer != "" {
		h["Authorization"] = "Bearer " + bearer
	}
	return call(t, c, http.MethodGet, d.ProjectURL+"/auth/v1/user", h, nil)
}
