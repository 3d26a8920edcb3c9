package supabaseref

import (
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// badJWT is the prefix of GoTrue's bad_jwt messages from parseJWTClaims.
const badJWT = "invalid JWT: unable to parse or verify signature, "

// signWith signs claims with method and key, kid in the header when set.
func signWith(t *testing.T, method jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("SignedString(%s) error = %v", method.Alg(), err)
	}
	return s
}

// userSession is a signed-in deployment with a settable clock.
type userSession struct {
	d      *Deployment
	c      *http.Client
	clock  *fakeClock
	access string
	claims jwt.MapClaims
}

// newUserSession starts a deployment changed by mutate on a fake clock and
// signs the test user in.
func newUserSession(t *testing.T, mutate func(*Profile)) *userSession {
	t.Helper()
	clock := newFakeClock()
	d, c := start(t, func(p *Profile) {
		p.Clock = clock.Now
		if mutate != nil {
			mutate(p)
		}
	})
	access := signIn(t, d, c).body["access_token"].(string)
	return &userSession{d: d, c: c, clock: clock, access: access, claims: jwt.MapClaims(payload(t, access))}
}

// with returns the session's claims changed by set.
func (s *userSession) with(set map[string]any) jwt.MapClaims {
	m := jwt.MapClaims{}
	for k, v := range s.claims {
		m[k] = v
	}
	for k, v := range set {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return m
}

func TestUserBearerErrors(t *testing.T) {
	t.Parallel()
	hs := newUserSession(t, nil)
	es := newUserSession(t, func(p *Profile) { p.Signing.Alg = AlgES256 })
	otherES, err := generateKey(AlgES256)
	if err != nil {
		t.Fatal(err)
	}
	otherRS, err := generateKey(AlgRS256)
	if err != nil {
		t.Fatal(err)
	}
	otherSecret := []byte("some-other-secret-some-other-secret-1234")
	none := func(s *userSession) string {
		return signWith(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "", s.claims)
	}
	tests := []struct {
		name   string
		s      *userSession
		header func(s *userSession) string // the Authorization header; "" for none
		status int
		code   string
		msg    string
	}{
		{name: "own token", s: hs, header: func(s *userSession) string { return "Bearer " + s.access }, status: 200},
		{name: "scheme in capitals", s: hs, header: func(s *userSession) string { return "BEARER " + s.access }, status: 200},
		{name: "no header", s: hs, header: func(*userSession) string { return "" },
			status: 401, code: "no_authorization", msg: "This endpoint requires a valid Bearer token"},
		{name: "basic scheme", s: hs, header: func(*userSession) string { return "Basic dXNlcjpwYXNz" },
			status: 401, code: "no_authorization", msg: "This endpoint requires a valid Bearer token"},
		{name: "two spaces", s: hs, header: func(s *userSession) string { return "Bearer  " + s.access },
			status: 401, code: "no_authorization", msg: "This endpoint requires a valid Bearer token"},
		{name: "other secret", s: hs, header: func(s *userSession) string { return "Bearer " + signed(t, s.claims, otherSecret) },
			status: 403, code: "bad_jwt", msg: badJWT + "token signature is invalid: signature is invalid"},
		{name: "malformed", s: hs, header: func(*userSession) string { return "Bearer a.b.c" },
			status: 403, code: "bad_jwt", msg: badJWT + "token is malformed: could not base64 decode header: illegal base64 data at input byte 0"},
		{name: "two segments", s: hs, header: func(*userSession) string { return "Bearer abc.def" },
			status: 403, code: "bad_jwt", msg: badJWT + "token is malformed: token contains an invalid number of segments"},
		{name: "alg none", s: hs, header: func(s *userSession) string { return "Bearer " + none(s) },
			status: 403, code: "bad_jwt", msg: badJWT + "token signature is invalid: signing method none is invalid"},
		{name: "ES256 token on an HS256 project", s: hs, header: func(s *userSession) string {
			return "Bearer " + signWith(t, jwt.SigningMethodES256, otherES, "k", s.claims)
		}, status: 403, code: "bad_jwt", msg: badJWT + "token signature is invalid: signing method ES256 is invalid"},
		{name: "anon key", s: hs, header: func(s *userSession) string { return "Bearer " + s.d.AnonKey },
			status: 403, code: "bad_jwt", msg: "invalid claim: missing sub claim"},
		{name: "sub not a UUID", s: hs, header: func(s *userSession) string {
			return "Bearer " + signed(t, s.with(map[string]any{"sub": "nobody"}), s.d.JWTSecret)
		}, status: 400, code: "bad_jwt", msg: "invalid claim: sub claim must be a UUID"},
		{name: "unknown user", s: hs, header: func(s *userSession) string {
			return "Bearer " + signed(t, s.with(map[string]any{"sub": newUUID()}), s.d.JWTSecret)
		}, status: 403, code: "user_not_found", msg: "User from sub claim in JWT does not exist"},
		{name: "session_id not a UUID", s: hs, header: func(s *userSession) string {
			return "Bearer " + signed(t, s.with(map[string]any{"session_id": "x"}), s.d.JWTSecret)
		}, status: 403, code: "bad_jwt", msg: "invalid claim: session_id claim must be a UUID"},
		{name: "unknown session", s: hs, header: func(s *userSession) string {
			return "Bearer " + signed(t, s.with(map[string]any{"session_id": newUUID()}), s.d.JWTSecret)
		}, status: 403, code: "session_not_found", msg: "Session from session_id claim in JWT does not exist"},
		{name: "nil session_id is none", s: hs, header: func(s *userSession) string {
			return "Bearer " + signed(t, s.with(map[string]any{"session_id": nilUUID}), s.d.JWTSecret)
		}, status: 200},
		{name: "other audience", s: hs, header: func(s *userSession) string {
			return "Bearer " + signed(t, s.with(map[string]any{"aud": "other"}), s.d.JWTSecret)
		}, status: 400, code: "validation_failed", msg: "Token audience doesn't match request audience"},
		{name: "ES256 own token", s: es, header: func(s *userSession) string { return "Bearer " + s.access }, status: 200},
		{name: "ES256 other key, same kid", s: es, header: func(s *userSession) string {
			return "Bearer " + signWith(t, jwt.SigningMethodES256, otherES, s.d.SigningKeyID, s.claims)
		}, status: 403, code: "bad_jwt", msg: badJWT + "token signature is invalid: crypto/ecdsa: verification error"},
		{name: "ES256 unknown kid", s: es, header: func(s *userSession) string {
			return "Bearer " + signWith(t, jwt.SigningMethodES256, otherES, "other-kid", s.claims)
		}, status: 403, code: "bad_jwt", msg: badJWT + "token is unverifiable: error while executing keyfunc: unrecognized JWT kid other-kid for algorithm ES256"},
		{name: "ES256 without kid", s: es, header: func(s *userSession) string {
			return "Bearer " + signWith(t, jwt.SigningMethodES256, otherES, "", s.claims)
		}, status: 403, code: "bad_jwt", msg: badJWT + "token is unverifiable: error while executing keyfunc: unrecognized JWT kid <nil> for algorithm ES256"},
		{name: "RS256 token on an ES256 project", s: es, header: func(s *userSession) string {
			return "Bearer " + signWith(t, jwt.SigningMethodRS256, otherRS, s.d.SigningKeyID, s.claims)
		}, status: 403, code: "bad_jwt", msg: badJWT + "token signature is invalid: signing method RS256 is invalid"},
		{name: "ES256 project, HS256 with the secret", s: es, header: func(s *userSession) string {
			return "Bearer " + signed(t, s.claims, s.d.JWTSecret)
		}, status: 200},
		{name: "ES256 project, HS256 with the secret and the signing kid", s: es, header: func(s *userSession) string {
			return "Bearer " + signWith(t, jwt.SigningMethodHS256, s.d.JWTSecret, s.d.SigningKeyID, s.claims)
		}, status: 403, code: "bad_jwt", msg: badJWT + "token signature is invalid: key is of invalid type: HMAC verify expects []byte"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := withKey(tt.s.d.AnonKey)
			if v := tt.header(tt.s); v != "" {
				h["Authorization"] = v
			}
			r := call(t, tt.s.c, http.MethodGet, tt.s.d.ProjectURL+"/auth/v1/user", h, nil)
			if r.status != tt.status || r.header.Get("x-sb-error-code") != tt.code {
				t.Fatalf("GET /user = %d %q, want %d %q (body %s)", r.status, r.header.Get("x-sb-error-code"), tt.status, tt.code, r.raw)
			}
			if tt.msg != "" && r.body["msg"] != tt.msg {
				t.Errorf("GET /user msg = %v, want %q", r.body["msg"], tt.msg)
			}
		})
	}
}

func TestUserExpiredAndForged(t *testing.T) {
	t.Parallel()
	const expired = badJWT + "token has invalid claims: token is expired"
	const forged = badJWT + "token signature is invalid: signature is invalid"
	otherSecret := []byte("some-other-secret-some-other-secret-1234")
	tests := []struct {
		name        string
		userAPI     UserAPIProfile
		alg         string
		wantExpired string // msg for an expired own token; "" means accepted
		wantForged  string // msg for a token signed with another secret; "" means accepted
		wantNone    bool   // an unsigned token is accepted
	}{
		{name: "GoTrue HS256", wantExpired: expired, wantForged: forged},
		{name: "GoTrue ES256", alg: AlgES256, wantExpired: expired, wantForged: forged},
		{name: "broken: accept expired", userAPI: UserAPIProfile{AcceptExpired: true}, wantForged: forged},
		{name: "broken: accept expired ES256", alg: AlgES256, userAPI: UserAPIProfile{AcceptExpired: true}, wantForged: forged},
		{name: "broken: accept forged", userAPI: UserAPIProfile{AcceptForged: true}, wantExpired: expired, wantNone: true},
		{name: "broken: accept both", userAPI: UserAPIProfile{AcceptExpired: true, AcceptForged: true}, wantNone: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newUserSession(t, func(p *Profile) { p.UserAPI = tt.userAPI; p.Signing.Alg = tt.alg })
			check := func(what, bearer, wantMsg string) {
				t.Helper()
				r := getUser(t, s.d, s.c, bearer)
				switch {
				case wantMsg == "" && r.status != http.StatusOK:
					t.Errorf("%s: GET /user = %d %s, want 200", what, r.status, r.raw)
				case wantMsg != "" && (r.status != http.StatusForbidden || r.body["msg"] != wantMsg):
					t.Errorf("%s: GET /user = %d %s, want 403 %q", what, r.status, r.raw, wantMsg)
				}
			}
			check("forged", signed(t, s.claims, otherSecret), tt.wantForged)
			noneMsg := badJWT + "token signature is invalid: signing method none is invalid"
			if tt.wantNone {
				noneMsg = ""
			}
			check("unsigned", signWith(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "", s.claims), noneMsg)
			s.clock.Advance(time.Hour + time.Second)
			check("expired", s.access, tt.wantExpired)
		})
	}
}
