package supabaseref

import (
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// bearerRE is GoTrue's Authorization header pattern.
var bearerRE = regexp.MustCompile(`^(?:B|b)earer (\S+$)`)

// uuidRE matches a UUID in its canonical text form.
var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// mintAccessToken signs a user access token for u in session sid, issued at
// iat, and returns it with its expiry.
func (a *authAPI) mintAccessToken(u user, sid string, iat time.Time) (string, time.Time, error) {
	exp := iat.Add(a.lifetime)
	claims := jwt.MapClaims{
		"aud":           a.aud,
		"role":          "authenticated",
		"iat":           iat.Unix(),
		"exp":           exp.Unix(),
		"iss":           a.issuer,
		"email":         u.Email,
		"phone":         "",
		"app_metadata":  map[string]any{"provider": "email", "providers": []string{"email"}},
		"user_metadata": map[string]any{},
		"aal":           "aal1",
		"amr":           []map[string]any{{"method": "password", "timestamp": iat.Unix()}},
		"session_id":    sid,
		"is_anonymous":  false,
	}
	if !a.p.AccessToken.OmitSub {
		claims["sub"] = u.ID
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(a.secret)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign access token: %w", err)
	}
	return s, exp, nil
}

// caller is an authenticated request's user, session and token claims.
type caller struct {
	user      user
	sessionID string
	claims    jwt.MapClaims
}

// authenticate checks the request's bearer access token the way GoTrue does:
// HS256 with the JWT secret, no leeway, the project clock, then the sub,
// user and session_id claims.
func (a *authAPI) authenticate(r *http.Request) (caller, *apiError) {
	m := bearerRE.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return caller{}, newAPIError(http.StatusUnauthorized, "no_authorization", "This endpoint requires a valid Bearer token")
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(m[1], claims, func(*jwt.Token) (any, error) { return a.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithTimeFunc(a.now))
	if err != nil {
		return caller{}, newAPIError(http.StatusForbidden, "bad_jwt", "invalid JWT: unable to parse or verify signature, "+err.Error())
	}
	sub, _ := claims["sub"].(string)
	if sub == "" {
		return caller{}, newAPIError(http.StatusForbidden, "bad_jwt", "invalid claim: missing sub claim")
	}
	if !uuidRE.MatchString(sub) {
		return caller{}, newAPIError(http.StatusBadRequest, "bad_jwt", "invalid claim: sub claim must be a UUID")
	}
	sid, _ := claims["session_id"].(string)
	u, userOK, sessionOK := a.store.lookup(sub, sid)
	if !userOK {
		return caller{}, newAPIError(http.StatusForbidden, "user_not_found", "User from sub claim in JWT does not exist")
	}
	if sid != "" && !sessionOK {
		return caller{}, newAPIError(http.StatusForbidden, "session_not_found", "Session from session_id claim in JWT does not exist")
	}
	return caller{user: u, sessionID: sid, claims: claims}, nil
}
