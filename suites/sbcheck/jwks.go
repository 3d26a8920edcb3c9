package sbcheck

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/golang-jwt/jwt/v5"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/jwtcheck"
)

// JWK is one public key of a JWKS document (RFC 7517), the fields an
// ES256 or RS256 verifier needs.
type JWK struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	Use string `json:"use"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// ParseJWKS reads a JWKS document ({"keys":[…]}).
func ParseJWKS(body []byte) ([]JWK, error) {
	var doc struct {
		Keys *[]JWK `json:"keys"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("not a JWKS document: %w", err)
	}
	if doc.Keys == nil {
		return nil, errors.New(`not a JWKS document: no "keys" array`)
	}
	return *doc.Keys, nil
}

// PublicKey turns the JWK into a Go public key: an *ecdsa.PublicKey for
// kty EC (P-256, P-384, P-521) or an *rsa.PublicKey for kty RSA. The
// standard library is enough for these two key types (RFC 7518 §6.2,
// §6.3: base64url big-endian coordinates and modulus/exponent), so no JOSE
// library is pulled in for four fields.
func (k JWK) PublicKey() (any, error) {
	switch k.Kty {
	case "EC":
		var curve elliptic.Curve
		switch k.Crv {
		case "P-256":
			curve = elliptic.P256()
		case "P-384":
			curve = elliptic.P384()
		case "P-521":
			curve = elliptic.P521()
		default:
			return nil, fmt.Errorf("EC key with curve %q", k.Crv)
		}
		x, err1 := b64Int(k.X)
		y, err2 := b64Int(k.Y)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("EC key coordinates: %w", err)
		}
		if !curve.IsOnCurve(x, y) { //nolint:staticcheck // validation of untrusted coordinates
			return nil, errors.New("EC key point is not on its curve")
		}
		return &ecdsa.PublicKey{Curve: curve, X: x, Y: y}, nil
	case "RSA":
		n, err1 := b64Int(k.N)
		e, err2 := b64Int(k.E)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("RSA key: %w", err)
		}
		if !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 || n.BitLen() < 2048 {
			return nil, fmt.Errorf("RSA key of %d bits with exponent %s: not a usable key", n.BitLen(), e)
		}
		return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
	}
	return nil, fmt.Errorf("key type %q (only EC and RSA keys verify ES256/RS256 tokens)", k.Kty)
}

func b64Int(s string) (*big.Int, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil || len(b) == 0 {
		return nil, fmt.Errorf("%q is not base64url", s)
	}
	return new(big.Int).SetBytes(b), nil
}

// jwkAlgs maps a key type to the token algs it can verify.
var jwkAlgs = map[string][]string{"EC": {"ES256", "ES384", "ES512"}, "RSA": {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}}

// CheckJWKSSignature verifies an asymmetric access token against the
// project's JWKS document (GoTrue publishes the public parts of
// GOTRUE_JWT_KEYS at /auth/v1/.well-known/jwks.json and signs with the key
// the token's kid names). It reports SUPABASE_JWKS_KID_MISSING when the
// kid is not published, SUPABASE_JWKS_ALG_MISMATCH when the published key
// cannot verify the token's alg, and SUPABASE_SESSION_SIGNATURE when the
// signature does not verify. golang-jwt's signing methods do the
// verification.
func CheckJWKSSignature(p *jwtcheck.Parsed, jwksBody []byte) []diag.Diagnostic {
	alg, _ := p.Alg()
	kid, _ := p.Header["kid"].(string)
	expected := fmt.Sprintf("an %s signature by the key with kid %q published at /auth/v1/.well-known/jwks.json", alg, kid)
	keys, err := ParseJWKS(jwksBody)
	if err != nil {
		return []diag.Diagnostic{diag.Newf(diag.SupabaseJWKSKidMissing, expected, "the JWKS document could not be read: %v", err)}
	}
	var key *JWK
	var kids []string
	for i := range keys {
		kids = append(kids, keys[i].Kid)
		if keys[i].Kid == kid && kid != "" {
			key = &keys[i]
		}
	}
	if key == nil {
		return []diag.Diagnostic{diag.Newf(diag.SupabaseJWKSKidMissing, expected,
			"alg %s kid %q is not among the %d published keys (kids %s)", alg, kid, len(keys), quoteList(kids))}
	}
	ok := false
	for _, a := range jwkAlgs[key.Kty] {
		ok = ok || a == alg
	}
	if !ok || key.Alg != "" && key.Alg != alg {
		return []diag.Diagnostic{diag.Newf(diag.SupabaseJWKSAlgMismatch, expected,
			"the token says alg %s, but the published key %q is kty %s alg %q", alg, kid, key.Kty, key.Alg)}
	}
	pub, err := key.PublicKey()
	if err != nil {
		return []diag.Diagnostic{diag.Newf(diag.SupabaseJWKSAlgMismatch, expected, "the published key %q cannot be used: %v", kid, err)}
	}
	method := jwt.GetSigningMethod(alg)
	if method == nil {
		return []diag.Diagnostic{diag.Newf(diag.SupabaseJWKSAlgMismatch, expected, "alg %s is not a signing method mfconform knows", alg)}
	}
	if err := method.Verify(p.SigningInput(), p.Signature(), pub); err != nil {
		return []diag.Diagnostic{diag.Newf(diag.SupabaseSessionSignature, expected,
			"the signature does not verify with the published key %q (%s %s): %v", kid, key.Kty, alg, err)}
	}
	return nil
}

// AsymmetricKeys reports whether a JWKS document publishes any key (GoTrue
// publishes only asymmetric public keys there, never an HMAC secret).
func AsymmetricKeys(jwksBody []byte) bool {
	keys, err := ParseJWKS(jwksBody)
	return err == nil && len(keys) > 0
}

func quoteList(ss []string) string {
	if len(ss) == 0 {
		return "none"
	}
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// SecretName is how diagnostics name the project's JWT secret.
const SecretName = "SUPABASE_JWT_SECRET (the project's JWT secret; JWT_SECRET in a self-hosted .env)"

// VerifiesWithSecret reports whether an HS256 token's signature verifies
// with the project's JWT secret.
func VerifiesWithSecret(p *jwtcheck.Parsed, secret []byte) bool {
	alg, _ := p.Alg()
	m := jwt.GetSigningMethod(alg)
	if m == nil || !strings.HasPrefix(alg, "HS") || len(secret) == 0 {
		return false
	}
	return m.Verify(p.SigningInput(), p.Signature(), secret) == nil
}
