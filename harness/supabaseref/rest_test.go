package supabaseref

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// restCase is one request to the data API.
type restCase struct {
	name   string
	mutate func(*Profile)
	// advance moves the project clock after sign-in.
	advance time.Duration
	path    string // below /rest/v1; "/" when empty
	// headers builds the request headers from the deployment and a fresh
	// user access token.
	headers func(d *Deployment, access string) map[string]string
	status  int
	body    map[string]any // the exact error body, when set
	// wwwAuth and proxyStatus are the headers wanted ("" for absent).
	wwwAuth, proxyStatus string
}

func TestREST(t *testing.T) {
	t.Parallel()
	otherSecret := []byte("some-other-secret-some-other-secret-1234")
	anonBearer := func(d *Deployment, _ string) map[string]string {
		return withKey(d.AnonKey, "Authorization", "Bearer "+d.AnonKey)
	}
	userBearer := func(d *Deployment, access string) map[string]string {
		return withKey(d.AnonKey, "Authorization", "Bearer "+access)
	}
	keyBearer := func(d *Deployment, _ string) map[string]string {
		return withKey(d.Key, "Authorization", "Bearer "+d.Key)
	}
	keyOnly := func(d *Deployment, _ string) map[string]string { return withKey(d.Key) }
	foreign := func(d *Deployment, access string) map[string]string {
		return withKey(d.AnonKey, "Authorization", "Bearer "+signed(t, jwt.MapClaims(payload(t, access)), otherSecret))
	}
	pgErr := func(code, msg string, details any) map[string]any {
		return map[string]any{"code": code, "details": details, "hint": nil, "message": msg}
	}
	challenge := func(msg string) string { return `Bearer error="invalid_token", error_description="` + msg + `"` }
	v12 := func(p *Profile) { p.REST.PostgRESTVersion = 12 }
	es256 := func(p *Profile) { p.Signing.Alg = AlgES256 }
	const noKey = "None of the keys was able to decode the JWT"
	tests := []restCase{
		{name: "anon key as bearer", headers: anonBearer, status: 200},
		{name: "apikey only: Kong hands the key without Bearer, PostgREST uses anon", headers: keyOnly, status: 200},
		{name: "user access token", headers: userBearer, status: 200},
		{name: "publishable key, no Authorization: the gateway mints a JWT", mutate: func(p *Profile) { p.Key = KeyPublishable },
			headers: keyOnly, status: 200},
		{name: "publishable key as bearer (supabase-js)", mutate: func(p *Profile) { p.Key = KeyPublishable },
			headers: keyBearer, status: 200},
		{name: "publishable key on an ES256 project", mutate: func(p *Profile) { p.Key = KeyPublishable; es256(p) },
			headers: keyBearer, status: 200},
		{name: "ES256 user token", mutate: es256, headers: userBearer, status: 200},
		{name: "anon key on an ES256 project", mutate: es256, headers: anonBearer, status: 200},
		{name: "other secret", headers: foreign, status: 401,
			body:    pgErr("PGRST301", "No suitable key or wrong key type", noKey),
			wwwAuth: challenge("No suitable key or wrong key type"), proxyStatus: "PostgREST; error=PGRST301"},
		{name: "other secret v12", mutate: v12, headers: foreign, status: 401,
			body:    pgErr("PGRST301", "JWSError JWSInvalidSignature", nil),
			wwwAuth: challenge("JWSError JWSInvalidSignature")},
		{name: "expired", advance: time.Hour + 31*time.Second, headers: userBearer, status: 401,
			body: pgErr("PGRST303", "JWT expired", nil), wwwAuth: challenge("JWT expired"), proxyStatus: "PostgREST; error=PGRST303"},
		{name: "expired v12", mutate: v12, advance: time.Hour + 31*time.Second, headers: userBearer, status: 401,
			body: pgErr("PGRST301", "JWT expired", nil), wwwAuth: challenge("JWT expired")},
		{name: "expired within the 30 s skew", advance: time.Hour + 29*time.Second, headers: userBearer, status: 200},
		{name: "iat in the future", headers: func(d *Deployment, access string) map[string]string {
			c := jwt.MapClaims(payload(t, access))
			c["iat"] = time.Now().Add(time.Minute).Unix()
			return withKey(d.AnonKey, "Authorization", "Bearer "+signed(t, c, d.JWTSecret))
		}, status: 401, body: pgErr("PGRST303", "JWT issued at future", nil),
			wwwAuth: challenge("JWT issued at future"), proxyStatus: "PostgREST; error=PGRST303"},
		{name: "two segments", headers: func(d *Deployment, _ string) map[string]string {
			return withKey(d.AnonKey, "Authorization", "Bearer abc.def")
		}, status: 401, body: pgErr("PGRST301", "Expected 3 parts in JWT; got 2", nil),
			wwwAuth: challenge("Expected 3 parts in JWT; got 2"), proxyStatus: "PostgREST; error=PGRST301"},
		{name: "garbage", headers: func(d *Deployment, _ string) map[string]string {
			return withKey(d.AnonKey, "Authorization", "Bearer quifquirndsjagnrgniur.fonvoienqhhdj.iuqvnvhojah")
		}, status: 401, body: pgErr("PGRST301", "JWT cryptographic operation failed", nil),
			wwwAuth: challenge("JWT cryptographic operation failed"), proxyStatus: "PostgREST; error=PGRST301"},
		{name: "empty bearer", headers: func(d *Deployment, _ string) map[string]string {
			return withKey(d.AnonKey, "Authorization", "Bearer")
		}, status: 401, body: pgErr("PGRST301", "Empty JWT is sent in Authorization header", nil),
			wwwAuth: challenge("Empty JWT is sent in Authorization header"), proxyStatus: "PostgREST; error=PGRST301"},
		{name: "alg none", headers: func(d *Deployment, access string) map[string]string {
			return withKey(d.AnonKey, "Authorization", "Bearer "+signWith(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "", jwt.MapClaims(payload(t, access))))
		}, status: 401, body: pgErr("PGRST301", "Wrong or unsupported encoding algorithm", "JWT is unsecured but expected 'alg' was not 'none'"),
			wwwAuth: challenge("Wrong or unsupported encoding algorithm"), proxyStatus: "PostgREST; error=PGRST301"},
		{name: "ES256 token of another key", mutate: es256, headers: func(d *Deployment, access string) map[string]string {
			other, err := generateKey(AlgES256)
			if err != nil {
				t.Fatal(err)
			}
			return withKey(d.AnonKey, "Authorization", "Bearer "+signWith(t, jwt.SigningMethodES256, other, d.SigningKeyID, jwt.MapClaims(payload(t, access))))
		}, status: 401, body: pgErr("PGRST301", "No suitable key or wrong key type", noKey),
			wwwAuth: challenge("No suitable key or wrong key type"), proxyStatus: "PostgREST; error=PGRST301"},
		{name: "stale key as bearer (supabase-js)", mutate: func(p *Profile) { p.Key = KeyStale; p.GatewayStyle = "kong" },
			headers: keyBearer, status: 401, body: pgErr("PGRST301", "No suitable key or wrong key type", noKey),
			wwwAuth: challenge("No suitable key or wrong key type"), proxyStatus: "PostgREST; error=PGRST301"},
		{name: "stale key as bearer v12", mutate: func(p *Profile) { p.Key = KeyStale; v12(p) },
			headers: keyBearer, status: 401, body: pgErr("PGRST301", "JWSError JWSInvalidSignature", nil),
			wwwAuth: challenge("JWSError JWSInvalidSignature")},
		{name: "stale key alone", mutate: func(p *Profile) { p.Key = KeyStale }, headers: keyOnly, status: 200},
		{name: "rotated key: the gateway refuses it", mutate: func(p *Profile) { p.Key = KeyRotated; p.GatewayStyle = "kong" },
			headers: keyBearer, status: 401, body: map[string]any{"message": "Invalid authentication credentials"}},
		{name: "no apikey", headers: func(*Deployment, string) map[string]string { return nil },
			status: 401, body: map[string]any{"message": "No API key found in request"}},
		{name: "data API disabled", mutate: func(p *Profile) { p.REST.Disabled = true }, headers: anonBearer,
			status: 404, body: map[string]any{"message": "no Route matched with those values"}},
		{name: "unknown table", path: "/things", headers: anonBearer, status: 404,
			body: pgErr("PGRST205", "Could not find the table 'public.things' in the schema cache", nil), proxyStatus: "PostgREST; error=PGRST205"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			d, c := start(t, func(p *Profile) {
				p.Clock = clock.Now
				if tt.mutate != nil {
					tt.mutate(p)
				}
			})
			access := signIn(t, d, c).body["access_token"].(string)
			clock.Advance(tt.advance)
			path := tt.path
			if path == "" {
				path = "/"
			}
			r := call(t, c, http.MethodGet, d.ProjectURL+"/rest/v1"+path, tt.headers(d, access), nil)
			if r.status != tt.status {
				t.Fatalf("GET /rest/v1%s status = %d, want %d (body %s)", path, r.status, tt.status, r.raw)
			}
			if tt.body != nil && !sameJSON(r.body, tt.body) {
				t.Errorf("GET /rest/v1%s body = %s, want %v", path, r.raw, tt.body)
			}
			if got := r.header.Get("WWW-Authenticate"); got != tt.wwwAuth {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tt.wwwAuth)
			}
			if got := r.header.Get("Proxy-Status"); got != tt.proxyStatus {
				t.Errorf("Proxy-Status = %q, want %q", got, tt.proxyStatus)
			}
			if tt.status != http.StatusOK {
				return
			}
			if ct := r.header.Get("Content-Type"); ct != "application/openapi+json; charset=utf-8" {
				t.Errorf("Content-Type = %q, want the OpenAPI media type", ct)
			}
			var doc map[string]any
			if err := json.Unmarshal([]byte(r.raw), &doc); err != nil || doc["swagger"] != "2.0" || doc["paths"] == nil {
				t.Errorf("body %s: want a Swagger 2.0 document (%v)", r.raw, err)
			}
		})
	}
}

func TestStaleKeyWorksWithAuth(t *testing.T) {
	t.Parallel()
	d, c := start(t, func(p *Profile) { p.Key = KeyStale; p.GatewayStyle = "kong" })
	claims := payload(t, d.Key)
	if claims["role"] != "anon" || claims["ref"] != d.Profile.Ref || verifies(d.Key, d.JWTSecret) || !verifies(d.Key, d.PreviousJWTSecret) {
		t.Fatalf("stale key claims %v: want an anon key of the project signed with the previous secret only", claims)
	}
	r := call(t, c, http.MethodPost, d.ProjectURL+"/auth/v1/token?grant_type=password", withKey(d.Key, "Authorization", "Bearer "+d.Key),
		map[string]string{"email": d.Email, "password": d.Password})
	if r.status != http.StatusOK {
		t.Fatalf("password grant with the stale key = %d %s, want 200", r.status, r.raw)
	}
	access := r.body["access_token"].(string)
	if r := call(t, c, http.MethodGet, d.RESTURL, withKey(d.Key, "Authorization", "Bearer "+access), nil); r.status != http.StatusOK {
		t.Errorf("GET /rest/v1/ with the stale apikey and a user token = %d %s, want 200", r.status, r.raw)
	}
	if r := getUser(t, d, c, d.Key); r.status != http.StatusForbidden || r.body["msg"] != badJWT+"token signature is invalid: signature is invalid" {
		t.Errorf("GET /user with the stale key as bearer = %d %s, want 403 signature is invalid", r.status, r.raw)
	}
}

func TestGatewayAuthorization(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		mutate  func(*Profile)
		headers func(d *Deployment) map[string]string
		status  int
		msg     string
	}{
		{name: "legacy key, no Authorization", headers: func(d *Deployment) map[string]string { return withKey(d.AnonKey) },
			status: 401, msg: "This endpoint requires a valid Bearer token"},
		{name: "publishable key, no Authorization: the minted anon JWT has no sub",
			headers: func(d *Deployment) map[string]string { return withKey(d.PublishableKey) },
			status:  403, msg: "invalid claim: missing sub claim"},
		{name: "publishable key as bearer", headers: func(d *Deployment) map[string]string {
			return withKey(d.PublishableKey, "Authorization", "Bearer "+d.PublishableKey)
		}, status: 403, msg: "invalid claim: missing sub claim"},
		{name: "secret key on an ES256 project", mutate: func(p *Profile) { p.Signing.Alg = AlgES256 },
			headers: func(d *Deployment) map[string]string { return withKey(d.SecretKey) },
			status:  403, msg: "invalid claim: missing sub claim"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, c := start(t, tt.mutate)
			r := call(t, c, http.MethodGet, d.ProjectURL+"/auth/v1/user", tt.headers(d), nil)
			if r.status != tt.status || r.body["msg"] != tt.msg {
				t.Errorf("GET /user = %d %s, want %d %q", r.status, r.raw, tt.status, tt.msg)
			}
		})
	}
}

func TestRESTCORSAndMethods(t *testing.T) {
	t.Parallel()
	d, c := start(t, nil)
	pre := call(t, c, http.MethodOptions, d.RESTURL, map[string]string{
		"Origin": "https://app.acme.test", "Access-Control-Request-Method": "GET",
		"Access-Control-Request-Headers": "apikey,authorization",
	}, nil)
	if pre.status != http.StatusNoContent || pre.header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(pre.header.Get("Access-Control-Allow-Headers"), "apikey") {
		t.Errorf("preflight /rest/v1/ = %d %v, want 204 with ACAO * and apikey allowed", pre.status, pre.header)
	}
	r := call(t, c, http.MethodPost, d.RESTURL, withKey(d.AnonKey, "Authorization", "Bearer "+d.AnonKey), map[string]string{})
	want := map[string]any{"code": "PGRST117", "details": nil, "hint": nil, "message": "Unsupported HTTP method: POST"}
	if r.status != http.StatusMethodNotAllowed || !sameJSON(r.body, want) {
		t.Errorf("POST /rest/v1/ = %d %s, want 405 %v", r.status, r.raw, want)
	}
}
