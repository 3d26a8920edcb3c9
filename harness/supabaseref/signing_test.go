package supabaseref

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// jwks fetches the project's JWKS without an apikey and returns its keys.
func jwks(t *testing.T, d *Deployment, c *http.Client) ([]map[string]any, response) {
	t.Helper()
	r := call(t, c, http.MethodGet, d.JWKSURL, nil, nil)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s status = %d, want 200 (body %s)", d.JWKSURL, r.status, r.raw)
	}
	var doc struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal([]byte(r.raw), &doc); err != nil || doc.Keys == nil {
		t.Fatalf("JWKS body %s: want {\"keys\":[…]} (%v)", r.raw, err)
	}
	return doc.Keys, r
}

// b64Member decodes the base64url (unpadded, RFC 7518) member name of k.
func b64Member(t *testing.T, k map[string]any, name string) []byte {
	t.Helper()
	s, _ := k[name].(string)
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || s == "" {
		t.Fatalf("JWK %s = %q: not unpadded base64url (%v)", name, s, err)
	}
	return b
}

// jwkPublicKey builds the public key of JWK k.
func jwkPublicKey(t *testing.T, k map[string]any) any {
	t.Helper()
	switch k["kty"] {
	case "EC":
		x, y := b64Member(t, k, "x"), b64Member(t, k, "y")
		if k["crv"] != "P-256" || len(x) != 32 || len(y) != 32 {
			t.Fatalf("EC JWK crv %v, len(x) %d, len(y) %d: want P-256, 32, 32", k["crv"], len(x), len(y))
		}
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
		if err != nil {
			t.Fatalf("EC JWK is not a P-256 point: %v", err)
		}
		return pub
	case "RSA":
		n, e := b64Member(t, k, "n"), b64Member(t, k, "e")
		if n[0] == 0 || e[0] == 0 {
			t.Fatalf("RSA JWK n or e has a leading zero octet")
		}
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	default:
		t.Fatalf("JWK kty = %v, want EC or RSA", k["kty"])
		return nil
	}
}

// verifyWithJWKS verifies token with the JWKS key named by its kid, as a
// relying party would, returning the parse error.
func verifyWithJWKS(t *testing.T, token string, keys []map[string]any) error {
	t.Helper()
	_, err := jwt.Parse(token, func(tok *jwt.Token) (any, error) {
		for _, k := range keys {
			if k["kid"] == tok.Header["kid"] && k["alg"] == tok.Method.Alg() {
				return jwkPublicKey(t, k), nil
			}
		}
		return nil, jwt.ErrTokenUnverifiable
	}, jwt.WithValidMethods([]string{"ES256", "RS256"}))
	return err
}

func TestSigningAlgorithms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		alg     string
		wantKty string
	}{
		{alg: AlgHS256},
		{alg: AlgES256, wantKty: "EC"},
		{alg: AlgRS256, wantKty: "RSA"},
	}
	for _, tt := range tests {
		t.Run(tt.alg, func(t *testing.T) {
			t.Parallel()
			d, c := start(t, func(p *Profile) { p.Signing.Alg = tt.alg })
			access := signIn(t, d, c).body["access_token"].(string)
			tok, _, err := jwt.NewParser().ParseUnverified(access, jwt.MapClaims{})
			if err != nil {
				t.Fatalf("ParseUnverified() error = %v", err)
			}
			if tok.Header["alg"] != tt.alg || d.SigningAlg != tt.alg {
				t.Errorf("token alg, SigningAlg = %v, %q, want %s", tok.Header["alg"], d.SigningAlg, tt.alg)
			}
			kid, hasKid := tok.Header["kid"]
			keys, r := jwks(t, d, c)
			if got := r.header.Get("Cache-Control"); got != "public, max-age=600" {
				t.Errorf("JWKS Cache-Control = %q, want %q", got, "public, max-age=600")
			}
			if tt.alg == AlgHS256 {
				if hasKid || d.SigningKeyID != "" || len(keys) != 0 {
					t.Errorf("HS256: kid %v, SigningKeyID %q, %d JWKS keys; want no kid and no published key", kid, d.SigningKeyID, len(keys))
				}
				if !verifies(access, d.JWTSecret) {
					t.Errorf("HS256 access token does not verify with JWTSecret")
				}
			} else {
				if kid != d.SigningKeyID || !uuidRE.MatchString(d.SigningKeyID) {
					t.Errorf("token kid = %v, SigningKeyID = %q, want the same UUID", kid, d.SigningKeyID)
				}
				if len(keys) != 1 {
					t.Fatalf("JWKS has %d keys, want 1", len(keys))
				}
				k := keys[0]
				ops, _ := k["key_ops"].([]any)
				if k["kty"] != tt.wantKty || k["kid"] != d.SigningKeyID || k["alg"] != tt.alg || k["use"] != "sig" || len(ops) != 1 || ops[0] != "verify" {
					t.Errorf("JWK = %v, want kty %s, kid %s, alg %s, use sig, key_ops [verify]", k, tt.wantKty, d.SigningKeyID, tt.alg)
				}
				for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
					if _, ok := k[private]; ok {
						t.Errorf("JWK publishes private member %q", private)
					}
				}
				if strings.Contains(r.raw, "=") {
					t.Errorf("JWKS %s has padding", r.raw)
				}
				if err := verifyWithJWKS(t, access, keys); err != nil {
					t.Errorf("access token does not verify with the JWKS: %v", err)
				}
				if verifies(access, d.JWTSecret) {
					t.Errorf("%s access token verifies as HS256 with the secret", tt.alg)
				}
			}
			// The legacy keys stay HS256 JWTs with the secret, no kid, and work.
			if anon, _, _ := jwt.NewParser().ParseUnverified(d.AnonKey, jwt.MapClaims{}); anon.Header["alg"] != AlgHS256 || anon.Header["kid"] != nil || !verifies(d.AnonKey, d.JWTSecret) {
				t.Errorf("anon key header %v: want HS256 without kid, signed with the secret", anon.Header)
			}
			if r := getUser(t, d, c, access); r.status != http.StatusOK || r.body["email"] != d.Email {
				t.Errorf("GET /user with the access token = %d %s, want 200 and the user", r.status, r.raw)
			}
			// An HS256 token with the secret still passes /user: the legacy
			// secret stays a verification key.
			if r := getUser(t, d, c, signed(t, payload(t, access), d.JWTSecret)); r.status != http.StatusOK {
				t.Errorf("GET /user with an HS256 copy signed with the secret = %d %s, want 200", r.status, r.raw)
			}
		})
	}
}

func TestJWKSBroken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		signing  SigningProfile
		wantKeys int
	}{
		{name: "omit from JWKS", signing: SigningProfile{Alg: AlgES256, OmitFromJWKS: true}, wantKeys: 0},
		{name: "publish other key ES256", signing: SigningProfile{Alg: AlgES256, PublishOtherKey: true}, wantKeys: 1},
		{name: "publish other key RS256", signing: SigningProfile{Alg: AlgRS256, PublishOtherKey: true}, wantKeys: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, c := start(t, func(p *Profile) { p.Signing = tt.signing })
			access := signIn(t, d, c).body["access_token"].(string)
			keys, _ := jwks(t, d, c)
			if len(keys) != tt.wantKeys {
				t.Fatalf("JWKS has %d keys, want %d", len(keys), tt.wantKeys)
			}
			if len(keys) == 1 && keys[0]["kid"] != d.SigningKeyID {
				t.Errorf("published kid = %v, want the tokens' %s", keys[0]["kid"], d.SigningKeyID)
			}
			if err := verifyWithJWKS(t, access, keys); err == nil {
				t.Errorf("access token verifies with the broken JWKS")
			}
			// Auth itself still verifies with its real key.
			if r := getUser(t, d, c, access); r.status != http.StatusOK {
				t.Errorf("GET /user = %d %s, want 200", r.status, r.raw)
			}
		})
	}
}

func TestNewPublicJWK(t *testing.T) {
	t.Parallel()
	tests := []struct {
		alg  string
		want []string // members present
	}{
		{alg: AlgES256, want: []string{"alg", "crv", "ext", "key_ops", "kid", "kty", "use", "x", "y"}},
		{alg: AlgRS256, want: []string{"alg", "e", "ext", "key_ops", "kid", "kty", "n", "use"}},
	}
	for _, tt := range tests {
		t.Run(tt.alg, func(t *testing.T) {
			t.Parallel()
			priv, err := generateKey(tt.alg)
			if err != nil {
				t.Fatalf("generateKey(%s) error = %v", tt.alg, err)
			}
			b, err := json.Marshal(newPublicJWK(tt.alg, "kid-1", priv.Public()))
			if err != nil {
				t.Fatalf("json.Marshal() error = %v", err)
			}
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("json.Unmarshal() error = %v", err)
			}
			var got []string
			for k := range m {
				got = append(got, k)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("JWK members = %v, want %v", got, tt.want)
			}
			if tt.alg == AlgRS256 && m["e"] != "AQAB" {
				t.Errorf("e = %v, want AQAB", m["e"])
			}
			pub := jwkPublicKey(t, m)
			if eq, ok := priv.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !eq.Equal(pub) {
				t.Errorf("JWK decodes to another key")
			}
		})
	}
}
