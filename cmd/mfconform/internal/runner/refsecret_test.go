package runner

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/mfconform/mfconform/harness/deployment"
	"github.com/mfconform/mfconform/harness/pki"
)

// TestReferenceNeverSignsWithOperatorSecrets starts the embedded reference
// deployment exactly as a run plans it, with the operator's
// AUTH_SECRET_KEY and SUPABASE_JWT_SECRET in the environment, and signs in
// as another local process would: the JWT reference's /login and the
// Supabase project's password grant hand out tokens, and none of them may
// verify with the operator's keys unless --reference-secret-from-env says
// so; the test user's password is the deployment's own (a password known
// from mfconform's source does not sign in). Without the fix the Supabase
// project signed with SUPABASE_JWT_SECRET and its user had a fixed
// password.
func TestReferenceNeverSignsWithOperatorSecrets(t *testing.T) {
	const authKey, jwtSecret = "operators-auth-secret-key-0123456789abcdefXYZ", "operators-supabase-jwt-secret-0123456789abcdef"
	getenv := func(k string) string {
		return map[string]string{"AUTH_SECRET_KEY": authKey, "SUPABASE_JWT_SECRET": jwtSecret}[k]
	}
	for _, tt := range []struct {
		name  string
		args  []string
		optIn bool
	}{
		{"default: keys made for the run", nil, false},
		{"opted in on the command line", []string{"--reference-secret-from-env"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Load(tt.args, getenv)
			if err != nil {
				t.Fatalf("Load() error = %v", err)
			}
			plan, err := cfg.Plan()
			if err != nil {
				t.Fatal(err)
			}
			ca, err := pki.New(plan.Names())
			if err != nil {
				t.Fatal(err)
			}
			// The client site needs browser bundles this test does not:
			// without them the project and the JWT reference still start.
			t.Setenv("MFCONFORM_SUPABASE_JS", "/nonexistent/supabase.js")
			servers, err := deployment.Plan{JWT: plan.JWT, Supabase: &deployment.Supabase{Project: plan.Supabase.Project, AppHost: plan.Supabase.AppHost}}.Start(deployment.Env{CA: ca})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = servers.Close() })
			hm, err := plan.HostMap(nil)
			if err != nil {
				t.Fatal(err)
			}
			roots := x509.NewCertPool()
			roots.AppendCertsFromPEM(ca.CertPEM)
			c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: hm.DialContext, TLSClientConfig: &tls.Config{RootCAs: roots}},
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			t.Cleanup(c.CloseIdleConnections)

			// JWT mode: the reference backend's cookie.
			res, err := c.Get(servers.JWT.LoginURL)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			var cookie string
			for _, ck := range res.Cookies() {
				if ck.Name == "mf_jwt_token" {
					cookie = ck.Value
				}
			}
			if cookie == "" {
				t.Fatal("the reference backend set no mf_jwt_token")
			}
			if got := hs256Verifies(cookie, authKey); got != tt.optIn {
				t.Errorf("the reference backend's token verifies with the operator's AUTH_SECRET_KEY = %v, want %v", got, tt.optIn)
			}

			// Supabase mode: a sign-in with the deployment's own password,
			// then with passwords anyone could know.
			p := servers.Project
			signIn := func(password string) (int, string) {
				body, _ := json.Marshal(map[string]string{"email": p.Email, "password": password})
				req, _ := http.NewRequest(http.MethodPost, p.ProjectURL+"/auth/v1/token?grant_type=password", bytes.NewReader(body))
				req.Header.Set("apikey", p.AnonKey)
				req.Header.Set("Content-Type", "application/json")
				res, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				var s struct {
					AccessToken string `json:"access_token"`
				}
				_ = json.Unmarshal(b, &s)
				return res.StatusCode, s.AccessToken
			}
			status, tok := signIn(p.Password)
			if status != http.StatusOK || tok == "" {
				t.Fatalf("sign-in with the deployment's password = %d, want 200 and a token", status)
			}
			if got := hs256Verifies(tok, jwtSecret); got != tt.optIn {
				t.Errorf("the reference project's access token verifies with the operator's SUPABASE_JWT_SECRET = %v, want %v", got, tt.optIn)
			}
			for _, known := range []string{"correct-horse-battery-staple", "password", ""} {
				if status, _ := signIn(known); status == http.StatusOK {
					t.Errorf("sign-in with the known password %q = 200, want a refusal", known)
				}
			}
		})
	}
}

// hs256Verifies reports whether token's HS256 signature verifies with key.
func hs256Verifies(token, key string) bool {
	_, err := jwt.Parse(token, func(*jwt.Token) (any, error) { return []byte(key), nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithoutClaimsValidation())
	return err == nil
}
