package reference

import "time"

// Profile says how the reference deployment behaves: how the backend sets the
// cookie, how it builds the token, how the app verifies it, and environment
// faults. DefaultProfile is the documented, conformant setup; fixtures derive
// broken variants by changing a copy.
type Profile struct {
	Hosts  Hosts
	Cookie CookieProfile
	Token  TokenProfile
	App    AppProfile
	// LoginOverHTTP serves the backend's /login over plain http:// instead of
	// https:// (the Set-Cookie then comes from an insecure origin).
	LoginOverHTTP bool
	// Backend makes the backend answer as a framework does (headers, its
	// cookies, its Set-Cookie writer); the zero value is the reference's
	// own shape.
	Backend StackShape
	// LoginRedirect, when set, makes GET /login answer 302 Found to this
	// path of the backend, whose answer signs the user in and sets the
	// cookie (a login that finishes on a callback page): a cookie without
	// a Path attribute then gets that path's default-path (RFC 6265
	// §5.1.4), not /login's.
	LoginRedirect string
	// Leftover, when set, is a stale mf_jwt_token an earlier setup left in
	// the user's browser: the app serves it on /legacy-login and the run
	// visits that page before logging in (Deployment.BeforeLogin).
	Leftover *Leftover
}

// Leftover is a stale mf_jwt_token on the app host: host-only, with Path
// (default /), holding a token signed with the deployment's key that
// expired Age ago — what an earlier setup that set the cookie from the app
// host left behind.
type Leftover struct {
	Path string
	Age  time.Duration
}

// Hosts are the reserved host names the deployment answers on. All of them
// resolve to 127.0.0.1 through the run's host map.
type Hosts struct {
	Login string // the customer's backend, e.g. login.acme.test
	App   string // the Miiflow app, e.g. app.acme.test
	Embed string // a page of another site that embeds the app, e.g. embed.other.test
}

// CookieProfile is how the backend writes Set-Cookie for the token.
type CookieProfile struct {
	Name     string // "mf_jwt_token"
	Domain   string // Domain attribute value verbatim, e.g. ".acme.test"; "" omits the attribute (host-only)
	Path     string // Path attribute; "" omits it
	Secure   bool
	HttpOnly bool
	SameSite string // "None", "Lax", "Strict"; "" omits the attribute
	// MaxAge, when non-nil, adds Max-Age=<value> (0 or negative: already expired).
	MaxAge *int
	// ExpiresIn, when non-zero, adds Expires=<now+ExpiresIn> (negative: in the past).
	ExpiresIn time.Duration
	// PadValueTo, when larger than the token, pads the token with a junk
	// claim until name+value reaches this many bytes (to exceed 4096).
	PadValueTo int
	// Partitioned adds the Partitioned attribute (CHIPS).
	Partitioned bool
}

// ExpStyle is how the token's exp claim is written.
type ExpStyle string

// Exp styles.
const (
	ExpFractional   ExpStyle = "fractional"   // 1767225600.123456 (the vendor's Python example)
	ExpInteger      ExpStyle = "integer"      // 1767225600
	ExpMilliseconds ExpStyle = "milliseconds" // 1767225600123
	ExpMicroseconds ExpStyle = "microseconds" // 1767225600123456 (Go's UnixMicro)
	ExpNanoseconds  ExpStyle = "nanoseconds"  // 1767225600123456789 (Go's UnixNano, Python's time.time_ns())
	ExpString       ExpStyle = "string"       // "1767225600"
	ExpMissing      ExpStyle = "missing"      // no exp claim
)

// TokenProfile is how the backend builds and signs the JWT.
type TokenProfile struct {
	// Alg is the JWS alg: "HS256" (contract), "HS384", "HS512" or "none".
	Alg string
	// SigningKey, when non-nil, is the exact key bytes the backend signs
	// with, replacing the deployment's AUTH_SECRET_KEY (another key, the key
	// plus a newline, the key base64-decoded ...). Deployment.Secret stays the
	// operator's AUTH_SECRET_KEY.
	SigningKey func(secret []byte) []byte
	// Lifetime is exp minus the backend's now (negative: already expired).
	Lifetime time.Duration
	Exp      ExpStyle
	// Claims are the identity claims written into the token; a claim whose
	// value is nil is omitted. Values are written as given (a number for
	// user_id tests non-string types).
	Claims map[string]any
	// IssuedAt adds an iat claim (integer seconds, backend clock).
	IssuedAt bool
	// ClockOffset shifts the backend's clock: exp, iat and the HTTP Date
	// header of its responses are computed from now+ClockOffset.
	ClockOffset time.Duration
	// NaiveLocalOffset, when non-zero, is the UTC offset of a backend that
	// computes exp and iat the way the vendor's Python example does,
	// (datetime.utcnow() + timedelta(hours=1)).timestamp(): the naive UTC
	// wall time read as local time, so both come out NaiveLocalOffset
	// early (east) or late (west). The Date header stays right.
	NaiveLocalOffset time.Duration
	// IssuedAgo, when positive, makes the backend serve a token it issued
	// that long before the login (a cached token): exp and iat are
	// computed from now−IssuedAgo. The Date header stays right.
	IssuedAgo time.Duration
	// Mangle, when set, rewrites the signed token before it goes into the
	// cookie (a backend that sets something other than a compact JWS).
	Mangle func(token string) string
}

// AppProfile is how the reference verifier (the Miiflow app stand-in) checks
// the cookie. The zero value plus Strict defaults is the conformant verifier.
type AppProfile struct {
	// Secret, when non-nil, replaces AUTH_SECRET_KEY on the app side
	// (the vendor's "JWT validation failure": keys differ).
	Secret []byte
	// Leeway is how far past exp a token is still accepted. Conformant: a
	// small leeway (DefaultLeeway).
	Leeway time.Duration
	// Faults: each one is a way real verifiers go wrong.
	AcceptAlgNone        bool // accepts unsigned tokens (alg none in any spelling)
	AcceptOtherHMAC      bool // accepts HS384/HS512 signed with the same key
	IgnoreExp            bool // never checks exp (still requires nothing about it)
	SkipSignature        bool // decodes without verifying the signature
	AllowMissingUserID   bool // accepts tokens without user_id
	RejectFractionalExp  bool // refuses a non-integer exp (a strict-integer parser)
	ServerErrorOnGarbage bool // answers 500 when the cookie is not a parseable JWT
	// ServerErrorOnRefusal answers 500 for every token present that it
	// refuses (an uncaught verification exception), 401 only without one.
	ServerErrorOnRefusal bool
	// IdentityOverride, when non-empty, makes /api/me and the page report this
	// user_id instead of the token's.
	IdentityOverride string
	// EchoToken makes /api/me and the page report the raw cookie value as
	// the user_id: an app that echoes the token back to whoever asks.
	EchoToken bool
	// FirstNameOverride, when non-empty, makes /api/me and the page report
	// this first_name instead of the token's (names from the app's own
	// user table).
	FirstNameOverride string
	// MeUserIDField, when set, is the JSON field /api/me names the user id
	// under instead of user_id (an app whose "who am I" says "id").
	MeUserIDField string
	// Headers are added to every answer of the app (its framework's
	// Server, X-Powered-By …).
	Headers map[string]string
	// Stack is the suites/stack ID of the framework those headers
	// imitate, "" for the reference verifier's own: the truth a fixture's
	// app stack guess is held to.
	Stack string
	// Down leaves the app's port closed: nothing answers at AppURL.
	Down bool
}

// DefaultLeeway is the reference verifier's documented clock leeway on exp.
const DefaultLeeway = 5 * time.Second

// DefaultProfile returns the documented setup: cookie mf_jwt_token with
// Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None, an HS256 token
// with a fractional exp one hour ahead and all optional claims, and a strict
// verifier.
func DefaultProfile() Profile {
	return Profile{
		Hosts: Hosts{Login: "login.acme.test", App: "app.acme.test", Embed: "embed.other.test"},
		Cookie: CookieProfile{
			Name: "mf_jwt_token", Domain: ".acme.test", Path: "/",
			Secure: true, HttpOnly: true, SameSite: "None",
		},
		Token: TokenProfile{
			Alg: "HS256", Lifetime: time.Hour, Exp: ExpFractional,
			Claims: map[string]any{
				"user_id": "user123", "first_name": "John", "last_name": "Doe",
				"email": "john.doe@example.com",
			},
		},
		App: AppProfile{Leeway: DefaultLeeway},
	}
}
