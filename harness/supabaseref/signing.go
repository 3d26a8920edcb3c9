package supabaseref

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"

	"github.com/golang-jwt/jwt/v5"
)

// rsaKeyBits is the size of generated RS256 keys.
const rsaKeyBits = 2048

// signingKeys are the project's JWT keys: the legacy JWT secret, always a
// verification key, and with an asymmetric profile the one signing key of
// GOTRUE_JWT_KEYS. The private key never leaves this value.
type signingKeys struct {
	alg    string // AlgHS256, AlgES256 or AlgRS256
	kid    string // "" for HS256: GoTrue sets no kid without GOTRUE_JWT_KEY_ID
	secret []byte
	priv   crypto.Signer // nil for HS256
	// published is what /auth/v1/.well-known/jwks.json lists.
	published []publicJWK
}

// newSigningKeys makes the keys of profile p around the project's secret:
// for an asymmetric Alg a fresh key pair with a random UUID kid, and the
// JWKS as p publishes it. This is the shape the self-hosting script
// (supabase/supabase docker/utils/add-new-auth-keys.sh) gives
// GOTRUE_JWT_KEYS: the signing key with a kid, plus the legacy secret as an
// "oct" key with alg HS256 and no kid.
func newSigningKeys(p SigningProfile, secret []byte) (*signingKeys, error) {
	k := &signingKeys{alg: p.Alg, secret: secret}
	if k.alg == "" {
		k.alg = AlgHS256
	}
	if k.alg == AlgHS256 {
		// GoTrue internal/api/jwks.go WellKnownJwks: the HMAC key is never
		// published, so an HS256 project's JWKS is empty.
		return k, nil
	}
	priv, err := generateKey(k.alg)
	if err != nil {
		return nil, err
	}
	k.priv, k.kid = priv, newUUID()
	switch {
	case p.OmitFromJWKS:
	case p.PublishOtherKey:
		other, err := generateKey(k.alg)
		if err != nil {
			return nil, err
		}
		k.published = []publicJWK{newPublicJWK(k.alg, k.kid, other.Public())}
	default:
		k.published = []publicJWK{newPublicJWK(k.alg, k.kid, priv.Public())}
	}
	return k, nil
}

// generateKey generates a private key for alg.
func generateKey(alg string) (crypto.Signer, error) {
	switch alg {
	case AlgES256:
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("generate %s key: %w", alg, err)
		}
		return k, nil
	case AlgRS256:
		k, err := rsa.GenerateKey(rand.Reader, rsaKeyBits)
		if err != nil {
			return nil, fmt.Errorf("generate %s key: %w", alg, err)
		}
		return k, nil
	default:
		return nil, fmt.Errorf("unknown signing algorithm %q (want HS256, ES256 or RS256)", alg)
	}
}

// method is the JWT signing method of the signing key.
func (k *signingKeys) method() jwt.SigningMethod {
	switch k.alg {
	case AlgES256:
		return jwt.SigningMethodES256
	case AlgRS256:
		return jwt.SigningMethodRS256
	default:
		return jwt.SigningMethodHS256
	}
}

// sign signs claims with the signing key, the way GoTrue
// internal/tokens/service.go SignJWT does: the key's algorithm, and its kid
// in the header when it has one.
func (k *signingKeys) sign(claims jwt.Claims) (string, error) {
	t := jwt.NewWithClaims(k.method(), claims)
	if k.kid != "" {
		t.Header["kid"] = k.kid
	}
	var key any = k.secret
	if k.priv != nil {
		key = k.priv
	}
	s, err := t.SignedString(key)
	if err != nil {
		return "", fmt.Errorf("sign %s token: %w", k.alg, err)
	}
	return s, nil
}

// validMethods is GoTrue's JWT.ValidMethods: the algorithm of every key in
// GOTRUE_JWT_KEYS (GoTrue internal/conf/configuration.go ApplyDefaults).
// The legacy secret is one of them (alg HS256) in both shapes modelled.
func (k *signingKeys) validMethods() []string {
	if k.alg == AlgHS256 {
		return []string{AlgHS256}
	}
	return []string{k.alg, AlgHS256}
}

// goTrueKeyFunc picks the verification key of a bearer token the way GoTrue
// internal/api/auth.go parseJWTClaims does: a string kid found among the
// keys (internal/conf/jwk.go FindPublicKeyByKid; the empty kid is
// GOTRUE_JWT_KEY_ID's default and names the secret), else the secret for
// alg HS256, else "unrecognized JWT kid … for algorithm …".
func (k *signingKeys) goTrueKeyFunc(t *jwt.Token) (any, error) {
	if kid, ok := t.Header["kid"].(string); ok {
		switch {
		case k.priv != nil && kid == k.kid:
			return k.priv.Public(), nil
		case kid == "":
			return k.secret, nil
		}
	}
	if alg, ok := t.Header["alg"]; ok && alg == AlgHS256 {
		return k.secret, nil
	}
	return nil, fmt.Errorf("unrecognized JWT kid %v for algorithm %v", t.Header["kid"], t.Header["alg"])
}

// errNoSuitableKey is PostgREST's KeyError: no key of its JWKS fits.
var errNoSuitableKey = errors.New("none of the keys was able to decode the JWT")

// postgrestKeyFunc picks the verification key from PostgREST's
// PGRST_JWT_SECRET: the legacy secret (an oct key) for the HMAC algorithms
// and, in a new-key setup (JWT_JWKS), the asymmetric public key for its
// algorithm when the token's kid is absent or matches (PostgREST v13
// CHANGELOG #3598: a kid is looked up in the JWKS).
func (k *signingKeys) postgrestKeyFunc(t *jwt.Token) (any, error) {
	switch t.Method.Alg() {
	case "HS256", "HS384", "HS512":
		return k.secret, nil
	case k.alg:
		kid, hasKid := t.Header["kid"]
		if k.priv != nil && (!hasKid || kid == k.kid) {
			return k.priv.Public(), nil
		}
	}
	return nil, errNoSuitableKey
}

// publicJWK is a public JSON Web Key as GoTrue publishes it (lestrrat-go/jwx
// serialises the members in this, alphabetical, order): use "sig" and
// key_ops ["verify"] set by GoTrue internal/conf/jwk.go decodePublicKey,
// and "ext": true kept from the configured key (supabase/supabase
// docker/utils/add-new-auth-keys.sh writes it into JWT_KEYS, as WebCrypto
// exports do).
type publicJWK struct {
	Alg    string   `json:"alg"`
	Crv    string   `json:"crv,omitempty"`
	E      string   `json:"e,omitempty"`
	Ext    bool     `json:"ext,omitempty"`
	KeyOps []string `json:"key_ops"`
	Kid    string   `json:"kid"`
	Kty    string   `json:"kty"`
	N      string   `json:"n,omitempty"`
	Use    string   `json:"use"`
	X      string   `json:"x,omitempty"`
	Y      string   `json:"y,omitempty"`
}

// newPublicJWK encodes pub (an *ecdsa.PublicKey on P-256 or an
// *rsa.PublicKey) per RFC 7518 §6: base64url without padding, EC
// coordinates at the full field size, RSA n and e unsigned big-endian with
// no leading zero octets.
func newPublicJWK(alg, kid string, pub crypto.PublicKey) publicJWK {
	j := publicJWK{Alg: alg, Ext: true, KeyOps: []string{"verify"}, Kid: kid, Use: "sig"}
	b64 := base64.RawURLEncoding.EncodeToString
	switch pub := pub.(type) {
	case *ecdsa.PublicKey:
		// Bytes is the uncompressed point 0x04 || X || Y, each 32 octets.
		pt, err := pub.Bytes()
		if err != nil || len(pt) != 65 {
			return j
		}
		j.Kty, j.Crv, j.X, j.Y = "EC", "P-256", b64(pt[1:33]), b64(pt[33:])
	case *rsa.PublicKey:
		j.Kty, j.N, j.E = "RSA", b64(pub.N.Bytes()), b64(big.NewInt(int64(pub.E)).Bytes())
	}
	return j
}
