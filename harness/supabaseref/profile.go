// Package supabaseref is the embedded reference Supabase project: a gateway
// (apikey check, CORS, the Authorization header it hands upstream) in front
// of a GoTrue-like auth API under /auth/v1 and a minimal PostgREST under
// /rest/v1, served over TLS on a reserved host name, with in-memory users.
// Profile says how it behaves; fixtures derive broken variants from
// DefaultProfile. Each modelled behaviour cites the upstream source it
// follows (supabase/auth, PostgREST/postgrest, supabase/supabase docker).
package supabaseref

import (
	"fmt"
	"time"
)

// KeyKind is which key the deployment puts in NEXT_PUBLIC_SUPABASE_KEY.
type KeyKind string

// Key kinds.
const (
	KeyAnon         KeyKind = "anon"          // legacy anon JWT (HS256, role anon): correct
	KeyPublishable  KeyKind = "publishable"   // sb_publishable_…: correct
	KeyServiceRole  KeyKind = "service_role"  // legacy service_role JWT: a leak
	KeySecret       KeyKind = "secret"        // sb_secret_…: a leak
	KeyOtherProject KeyKind = "other_project" // an anon JWT of another project (other ref, other secret)
	KeyRotated      KeyKind = "rotated"       // an anon JWT signed with the project's previous JWT secret, refused by the gateway
	// KeyStale is an anon JWT signed with the project's previous JWT secret
	// that the gateway still accepts: a self-hosted Kong whose ANON_KEY was
	// not regenerated after JWT_SECRET was rotated. Auth works with it (it
	// never verifies the apikey); PostgREST refuses it as a bearer (401
	// PGRST301) because the signature does not verify with the current
	// secret.
	KeyStale KeyKind = "stale"
)

// Signing algorithms of access tokens (SigningProfile.Alg).
const (
	AlgHS256 = "HS256" // the project's JWT secret (GoTrue's default)
	AlgES256 = "ES256" // a P-256 key from GOTRUE_JWT_KEYS
	AlgRS256 = "RS256" // a 2048-bit RSA key from GOTRUE_JWT_KEYS
)

// Profile is how the reference Supabase project and the deployment's two
// variables look.
type Profile struct {
	// Ref is the project ref; the project host is Ref + "." + Domain.
	Ref    string
	Domain string // "supabase.test"

	// Key is which key NEXT_PUBLIC_SUPABASE_KEY holds; KeyExpired makes the
	// project's legacy keys already expired (a self-hosted key generated
	// with a short exp), still known to the gateway.
	Key        KeyKind
	KeyExpired bool
	// KeyMangle rewrites the key as configured (quotes, a trailing newline).
	KeyMangle func(key string) string
	// URLMangle rewrites the project URL as configured (an /auth/v1 suffix,
	// http://); Unreachable points it at a port where nothing listens.
	URLMangle   func(url string) string
	Unreachable bool
	// CustomDomain, when set, is a second host name the project answers
	// on, as a Supabase custom domain (a CNAME to the project, e.g.
	// auth.acme.test) does: the same gateway, auth API and data API.
	// Deployment.CustomDomainURL is its origin.
	CustomDomain string

	// GatewayStyle is "hosted" (401 {"message":"Invalid API key","hint":…})
	// or "kong" (401 {"message":"Invalid authentication credentials"}).
	GatewayStyle string

	CORS CORSProfile

	// AccessToken shapes the user access tokens the auth API issues.
	AccessToken AccessTokenProfile

	// Signing is how access tokens are signed and published.
	Signing SigningProfile

	// Refresh is how the refresh_token grant treats token families.
	Refresh RefreshProfile

	// UserAPI is how /auth/v1/user and the other authenticated endpoints
	// verify the bearer token.
	UserAPI UserAPIProfile

	// REST is the data API (PostgREST) under /rest/v1.
	REST RESTProfile

	// Clock is the project's time source before ClockOffset; nil is
	// time.Now. Tests inject a settable clock to step through the refresh
	// token reuse interval without sleeping.
	Clock func() time.Time
	// ClockOffset shifts the server's clock (Date header, iat, exp).
	ClockOffset time.Duration

	// JWTSecret is the project's JWT secret; Start generates one when empty
	// (the default): a reference that signed with an operator's real
	// SUPABASE_JWT_SECRET would hand tokens valid for their real project
	// to any local process that signs in.
	JWTSecret []byte

	// User is the seeded test user; Start gives it a password made for
	// the deployment when User.Password is empty (the default), so nobody
	// who has read this source can sign in.
	User TestUser
	// DisableSignup answers /signup with 422 signup_disabled.
	DisableSignup bool
}

// CORSProfile is the gateway's CORS behaviour. The zero value is Kong's
// cors plugin: Access-Control-Allow-Origin: * and the requested headers
// echoed.
type CORSProfile struct {
	// AllowedOrigins, when non-empty, is the only origins answered with
	// Access-Control-Allow-Origin (others get no CORS headers).
	AllowedOrigins []string
	// RefuseAPIKeyHeader leaves apikey out of Access-Control-Allow-Headers
	// (GoTrue's own CORS list without a gateway in front).
	RefuseAPIKeyHeader bool
}

// AccessTokenProfile shapes issued access tokens.
type AccessTokenProfile struct {
	Lifetime time.Duration // default 3600 s
	OmitSub  bool
	Aud      string // default "authenticated"
	// OmitIssuer leaves iss out, as a self-hosted GoTrue without
	// GOTRUE_JWT_ISSUER does (JWTConfiguration.Issuer has no default; the
	// hosted platform sets https://<ref>.supabase.co/auth/v1).
	OmitIssuer bool
}

// SigningProfile is the project's access-token signing key, as GoTrue
// configures it: GOTRUE_JWT_SECRET alone (HS256) or GOTRUE_JWT_KEYS with
// one asymmetric signing key next to the legacy secret, which stays a
// verification key so the legacy anon and service_role keys (HS256 with the
// secret) keep working.
type SigningProfile struct {
	// Alg is AlgHS256 (the default, also ""), AlgES256 or AlgRS256. For the
	// asymmetric ones Start generates a key pair with a random kid; access
	// tokens carry alg and kid, and /auth/v1/.well-known/jwks.json
	// publishes the public key.
	Alg string

	// OmitFromJWKS (broken, not GoTrue) publishes no key: the kid in the
	// tokens is not in the JWKS.
	OmitFromJWKS bool
	// PublishOtherKey (broken, not GoTrue) publishes a different public key
	// under the tokens' kid: their signatures do not verify with the JWKS.
	PublishOtherKey bool
}

// RefreshProfile is how the refresh_token grant treats a session's token
// family. The zero value is GoTrue's default configuration: algorithm v1,
// rotation on, no reuse interval (a self-hosted server without
// GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL).
type RefreshProfile struct {
	// AlgorithmVersion is GOTRUE_SECURITY_REFRESH_TOKEN_ALGORITHM_VERSION:
	// 0 or 1 (the default: 12-character tokens stored one row each, chained
	// by parent) or 2 (self-describing tokens carrying the session and a
	// counter, signed with a per-session HMAC key; reuse answers carry
	// sb-auth-refresh-token-reuse-cause).
	AlgorithmVersion int
	// ReuseInterval is GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL (GoTrue
	// takes whole seconds): 0 on a self-hosted server that leaves it unset,
	// 10 s on the hosted platform.
	ReuseInterval time.Duration
	// RotationDisabled models
	// GOTRUE_SECURITY_REFRESH_TOKEN_ROTATION_ENABLED=false. Tokens still
	// rotate on every refresh and a reuse outside the interval is still
	// refused; only the family revocation on that refusal is skipped (the
	// flag's sole use in GoTrue).
	RotationDisabled bool
	// AllowReuse is GOTRUE_SECURITY_REFRESH_TOKEN_ALLOW_REUSE: with
	// algorithm v2 any earlier token of the session is answered with the
	// active one (cause "always-allow"); v1 ignores it.
	AllowReuse bool

	// MintOnReuse (broken, not GoTrue): reusing the parent of the active
	// token mints a brand-new token instead of returning the active one.
	MintOnReuse bool
	// NoFamilyRevocation (broken, not GoTrue): a refused reuse leaves the
	// family usable. Observably the same as RotationDisabled; named for an
	// implementation that never had family revocation.
	NoFamilyRevocation bool
	// AcceptAnyReuse (broken, not GoTrue): refresh tokens are not
	// single-use; every earlier token keeps minting new ones.
	AcceptAnyReuse bool
}

// UserAPIProfile is how the auth API verifies bearer tokens. The zero value
// is GoTrue's requireAuthentication.
type UserAPIProfile struct {
	// AcceptExpired (broken, not GoTrue) skips the time claims: expired
	// (and not-yet-valid) tokens are accepted.
	AcceptExpired bool
	// AcceptForged (broken, not GoTrue) skips the signature: tokens signed
	// with any key, or none, are accepted.
	AcceptForged bool
}

// RESTProfile is the project's data API behind /rest/v1.
type RESTProfile struct {
	// Disabled answers /rest/v1/ with the gateway's 404 (a project without
	// a data API).
	Disabled bool
	// PostgRESTVersion selects the JWT error wording: 12 (v12.2: a bad
	// signature is 401 PGRST301 "JWSError JWSInvalidSignature", an expired
	// token 401 PGRST301 "JWT expired") or 13 and later (the default, also
	// 0; the self-hosted compose pins v14: 401 PGRST301 "No suitable key or
	// wrong key type", an expired token 401 PGRST303 "JWT expired").
	PostgRESTVersion int
}

// TestUser is the seeded user.
type TestUser struct {
	Email     string
	Password  string
	Confirmed bool
	// Metadata is the user's user_metadata (what an OAuth provider or a
	// signup form stores: name, avatar, organisations). GoTrue copies it
	// into every access token, so it sets the session's size: with
	// DefaultMetadata the session @supabase/ssr stores takes two cookie
	// chunks, as a real OAuth user's often does.
	Metadata map[string]any
}

// DefaultMetadata is the seeded user's user_metadata: an OAuth-style
// profile with a handful of organisations, about 1.5 KB of JSON.
func DefaultMetadata() map[string]any {
	orgs := make([]any, 0, 8)
	for i, name := range []string{"Acme Research", "Acme Operations", "Acme Platform", "Acme Finance", "Acme Support", "Acme Data", "Acme Security", "Acme Labs"} {
		orgs = append(orgs, map[string]any{
			"id": fmt.Sprintf("6f1c2d3e-4b5a-4c7d-8e9f-%012d", i+1), "name": name, "role": "member",
			"joined_at": fmt.Sprintf("2025-0%d-1%dT09:30:00Z", i%9+1, i),
		})
	}
	return map[string]any{
		"full_name": "Test User", "name": "Test User", "preferred_username": "test.user",
		"avatar_url": "https://avatars.acme.test/u/7f3c2a9b4d5e6f708192a3b4c5d6e7f8.png",
		"locale":     "en-GB", "email_verified": true, "organizations": orgs,
	}
}

// DefaultProfile is a correctly configured project: the legacy anon key,
// the project URL, Kong-style CORS, HS256 tokens, GoTrue's default refresh
// token rules, one confirmed test user whose password, like the project's
// JWT secret, Start makes for each deployment.
func DefaultProfile() Profile {
	return Profile{
		Ref: "abcdefghijklmnopqrst", Domain: "supabase.test",
		Key:          KeyAnon,
		GatewayStyle: "hosted",
		AccessToken:  AccessTokenProfile{Lifetime: time.Hour, Aud: "authenticated"},
		Signing:      SigningProfile{Alg: AlgHS256},
		User:         TestUser{Email: "test.user@acme.test", Confirmed: true, Metadata: DefaultMetadata()},
	}
}

// Host returns the project's host name.
func (p Profile) Host() string { return p.Ref + "." + p.Domain }
