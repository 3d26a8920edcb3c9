// Package supabaseref is the embedded reference Supabase Auth: a gateway
// (apikey check, CORS) in front of a GoTrue-like auth API under /auth/v1,
// served over TLS on a reserved host name, with in-memory users. Profile
// says how it behaves; fixtures derive broken variants from DefaultProfile.
package supabaseref

import "time"

// KeyKind is which key the deployment puts in NEXT_PUBLIC_SUPABASE_KEY.
type KeyKind string

// Key kinds.
const (
	KeyAnon         KeyKind = "anon"          // legacy anon JWT (HS256, role anon): correct
	KeyPublishable  KeyKind = "publishable"   // sb_publishable_…: correct
	KeyServiceRole  KeyKind = "service_role"  // legacy service_role JWT: a leak
	KeySecret       KeyKind = "secret"        // sb_secret_…: a leak
	KeyOtherProject KeyKind = "other_project" // an anon JWT of another project (other ref, other secret)
	KeyRotated      KeyKind = "rotated"       // an anon JWT signed with the project's previous JWT secret
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

	// GatewayStyle is "hosted" (401 {"message":"Invalid API key","hint":…})
	// or "kong" (401 {"message":"Invalid authentication credentials"}).
	GatewayStyle string

	CORS CORSProfile

	// AccessToken shapes the user access tokens the auth API issues.
	AccessToken AccessTokenProfile

	// ClockOffset shifts the server's clock (Date header, iat, exp).
	ClockOffset time.Duration

	// JWTSecret is the project's JWT secret; Start generates one when empty.
	JWTSecret []byte

	// User is the seeded test user.
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
}

// TestUser is the seeded user.
type TestUser struct {
	Email     string
	Password  string
	Confirmed bool
}

// DefaultProfile is a correctly configured project: the legacy anon key,
// the project URL, Kong-style CORS, one confirmed test user.
func DefaultProfile() Profile {
	return Profile{
		Ref: "abcdefghijklmnopqrst", Domain: "supabase.test",
		Key:          KeyAnon,
		GatewayStyle: "hosted",
		AccessToken:  AccessTokenProfile{Lifetime: time.Hour, Aud: "authenticated"},
		User:         TestUser{Email: "test.user@acme.test", Password: "correct-horse-battery-staple", Confirmed: true},
	}
}

// Host returns the project's host name.
func (p Profile) Host() string { return p.Ref + "." + p.Domain }
