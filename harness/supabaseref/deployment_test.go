package supabaseref

import (
	"errors"
	"net/http"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

var (
	publishableRE = regexp.MustCompile(`^sb_publishable_[A-Za-z0-9_-]{22}_[0-9a-f]{8}$`)
	secretRE      = regexp.MustCompile(`^sb_secret_[A-Za-z0-9_-]{22}_[0-9a-f]{8}$`)
)

func TestDeploymentKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		kind       KeyKind
		want       func(d *Deployment) string // "" when the key is none of the project's
		wantRef    string                     // legacy JWT keys only
		wantSigned bool                       // signed with JWTSecret
		wantStatus int                        // GET /settings with the key
	}{
		{name: "anon", kind: KeyAnon, want: func(d *Deployment) string { return d.AnonKey }, wantRef: "abcdefghijklmnopqrst", wantSigned: true, wantStatus: 200},
		{name: "publishable", kind: KeyPublishable, want: func(d *Deployment) string { return d.PublishableKey }, wantStatus: 200},
		{name: "service_role", kind: KeyServiceRole, want: func(d *Deployment) string { return d.ServiceRoleKey }, wantRef: "abcdefghijklmnopqrst", wantSigned: true, wantStatus: 200},
		{name: "secret", kind: KeySecret, want: func(d *Deployment) string { return d.SecretKey }, wantStatus: 200},
		{name: "other project", kind: KeyOtherProject, wantRef: "zyxwvutsrqponmlkjihg", wantStatus: 401},
		{name: "rotated", kind: KeyRotated, wantRef: "abcdefghijklmnopqrst", wantStatus: 401},
		{name: "stale: previous secret, still accepted by the gateway", kind: KeyStale, wantRef: "abcdefghijklmnopqrst", wantStatus: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, c := start(t, func(p *Profile) { p.Key = tt.kind })
			if tt.want != nil && d.Key != tt.want(d) {
				t.Errorf("Key = %q, want the project's %s key", d.Key, tt.kind)
			}
			if tt.wantRef != "" {
				claims := payload(t, d.Key)
				if claims["ref"] != tt.wantRef || claims["iss"] != "supabase" {
					t.Errorf("Key claims ref, iss = %v, %v, want %q, supabase", claims["ref"], claims["iss"], tt.wantRef)
				}
				if got := verifies(d.Key, d.JWTSecret); got != tt.wantSigned {
					t.Errorf("Key signed with JWTSecret = %v, want %v", got, tt.wantSigned)
				}
			}
			if d.URL != d.ProjectURL || !strings.HasPrefix(d.URL, "https://abcdefghijklmnopqrst.supabase.test:") {
				t.Errorf("URL = %q, want ProjectURL %q on the project host", d.URL, d.ProjectURL)
			}
			if r := call(t, c, http.MethodGet, d.ProjectURL+"/auth/v1/settings", withKey(d.Key), nil); r.status != tt.wantStatus {
				t.Errorf("GET /settings with Key status = %d, want %d", r.status, tt.wantStatus)
			}
		})
	}
}

func TestDeploymentKeyShapes(t *testing.T) {
	t.Parallel()
	d, _ := start(t, nil)
	if len(d.JWTSecret) != 40 {
		t.Errorf("len(JWTSecret) = %d, want 40", len(d.JWTSecret))
	}
	if !publishableRE.MatchString(d.PublishableKey) {
		t.Errorf("PublishableKey = %q, want %s", d.PublishableKey, publishableRE)
	}
	if !secretRE.MatchString(d.SecretKey) {
		t.Errorf("SecretKey = %q, want %s", d.SecretKey, secretRE)
	}
	claims := payload(t, d.ServiceRoleKey)
	if claims["role"] != "service_role" {
		t.Errorf("ServiceRoleKey role = %v, want service_role", claims["role"])
	}
	if exp := time.Unix(int64(claims["exp"].(float64)), 0); exp.Before(time.Now().Add(9 * 365 * 24 * time.Hour)) {
		t.Errorf("ServiceRoleKey exp = %v, want about ten years ahead", exp)
	}
}

func TestDeploymentKeyExpired(t *testing.T) {
	t.Parallel()
	d, c := start(t, func(p *Profile) { p.KeyExpired = true })
	if d.Key != d.AnonKey {
		t.Fatalf("Key = %q, want AnonKey", d.Key)
	}
	if exp := time.Unix(int64(payload(t, d.Key)["exp"].(float64)), 0); !exp.Before(time.Now()) {
		t.Errorf("Key exp = %v, want in the past", exp)
	}
	if r := call(t, c, http.MethodGet, d.ProjectURL+"/auth/v1/settings", withKey(d.Key), nil); r.status != http.StatusOK {
		t.Errorf("GET /settings with the expired key status = %d, want %d", r.status, http.StatusOK)
	}
}

func TestDeploymentMangle(t *testing.T) {
	t.Parallel()
	d, _ := start(t, func(p *Profile) {
		p.KeyMangle = func(k string) string { return `"` + k + "\"\n" }
		p.URLMangle = func(u string) string { return strings.Replace(u, "https://", "http://", 1) + "/auth/v1" }
	})
	if want := `"` + d.AnonKey + "\"\n"; d.Key != want {
		t.Errorf("Key = %q, want %q", d.Key, want)
	}
	if want := strings.Replace(d.ProjectURL, "https://", "http://", 1) + "/auth/v1"; d.URL != want {
		t.Errorf("URL = %q, want %q", d.URL, want)
	}
}

func TestDeploymentUnreachable(t *testing.T) {
	t.Parallel()
	d, c := start(t, func(p *Profile) { p.Unreachable = true })
	if d.URL == d.ProjectURL || !strings.HasPrefix(d.URL, "https://abcdefghijklmnopqrst.supabase.test:") {
		t.Fatalf("URL = %q, want the project host on another port than %q", d.URL, d.ProjectURL)
	}
	_, err := c.Get(d.URL + "/auth/v1/health")
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("GET URL error = %v, want connection refused", err)
	}
	if r := call(t, c, http.MethodGet, d.ProjectURL+"/auth/v1/health", withKey(d.Key), nil); r.status != http.StatusOK {
		t.Errorf("GET ProjectURL /health status = %d, want %d", r.status, http.StatusOK)
	}
}

func TestStartErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(*Profile)
		noCA   bool
	}{
		{name: "no CA", noCA: true},
		{name: "unknown key kind", mutate: func(p *Profile) { p.Key = "bogus" }},
		{name: "unknown gateway style", mutate: func(p *Profile) { p.GatewayStyle = "nginx" }},
		{name: "no ref", mutate: func(p *Profile) { p.Ref = "" }},
		{name: "no user", mutate: func(p *Profile) { p.User = TestUser{} }},
		{name: "unknown signing algorithm", mutate: func(p *Profile) { p.Signing.Alg = "EdDSA" }},
		{name: "refresh algorithm version 3", mutate: func(p *Profile) { p.Refresh.AlgorithmVersion = 3 }},
		{name: "negative reuse interval", mutate: func(p *Profile) { p.Refresh.ReuseInterval = -time.Second }},
		{name: "unknown PostgREST version", mutate: func(p *Profile) { p.REST.PostgRESTVersion = 11 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultProfile()
			if tt.mutate != nil {
				tt.mutate(&p)
			}
			ca := authority(t)
			if tt.noCA {
				ca = nil
			}
			d, err := Start(p, ca)
			if err == nil {
				_ = d.Close()
				t.Errorf("Start() error = nil, want an error")
			}
		})
	}
}

func TestCloseIdempotent(t *testing.T) {
	t.Parallel()
	d, err := Start(DefaultProfile(), authority(t))
	if err != nil {
		t.Fatalf("Start() error = %v", err)
	}
	for i := range 2 {
		if err := d.Close(); err != nil {
			t.Errorf("Close() #%d error = %v, want nil", i+1, err)
		}
	}
}

// TestPerDeploymentCredentials: every deployment of the default profile
// has a JWT secret and a test user password of its own, so a local process
// that finds a reference project's port can neither sign in with a
// password from this source (the fixed one of earlier versions among them)
// nor get tokens that verify with another deployment's secret; a profile
// that names its own password keeps it.
func TestPerDeploymentCredentials(t *testing.T) {
	t.Parallel()
	a, ca := start(t, nil)
	b, _ := start(t, nil)
	if a.Password == "" || a.Password == b.Password || len(a.Password) < 20 {
		t.Errorf("passwords %q and %q: want two different random ones", a.Password, b.Password)
	}
	if string(a.JWTSecret) == string(b.JWTSecret) {
		t.Errorf("two deployments share the JWT secret")
	}
	for _, known := range []string{"correct-horse-battery-staple", "", DefaultProfile().User.Password} {
		r := call(t, ca, http.MethodPost, a.ProjectURL+"/auth/v1/token?grant_type=password", withKey(a.AnonKey),
			map[string]string{"email": a.Email, "password": known})
		if r.status == http.StatusOK {
			t.Errorf("sign-in with the known password %q = 200, want a refusal", known)
		}
	}
	tok, _ := signIn(t, a, ca).body["access_token"].(string)
	if !verifies(tok, a.JWTSecret) || verifies(tok, b.JWTSecret) {
		t.Errorf("the access token verifies with its own secret %v and with another deployment's %v; want true, false", verifies(tok, a.JWTSecret), verifies(tok, b.JWTSecret))
	}
	named, _ := start(t, func(p *Profile) { p.User.Password = "a-named-password-123" })
	if named.Password != "a-named-password-123" {
		t.Errorf("Password = %q, want the profile's", named.Password)
	}
}
