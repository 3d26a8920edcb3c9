package supabaseref

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// bearerRE is GoTrue's Authorization header pattern (internal/api/api.go
// bearerRegexp): the scheme in any case, one space, one token.
var bearerRE = regexp.MustCompile(`(?i)^bearer (\S+$)`)

// uuidRE matches a UUID in its canonical text form.
var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// nilUUID is the all-zero UUID, which GoTrue treats as no session_id.
const nilUUID = "00000000-0000-0000-0000-000000000000"

// amrEntry is one authentication method reference (GoTrue
// internal/models/sessions.go AMREntry).
type amrEntry struct {
	Method    string `json:"method"`
	Timestamp int64  `json:"timestamp"`
}

// accessTokenPayload is a user access token as GoTrue
// internal/tokens/service.go GenerateAccessToken writes it: the registered
// claims first (aud a single string: GoTrue sets
// jwt.MarshalSingleStringAsArray = false), then GoTrue's own, in
// AccessTokenClaims order. It implements jwt.Claims for signing only.
type accessTokenPayload struct {
	Iss          string         `json:"iss,omitempty"`
	Sub          string         `json:"sub,omitempty"`
	Aud          string         `json:"aud,omitempty"`
	Exp          int64          `json:"exp"`
	Iat          int64          `json:"iat"`
	Email        string         `json:"email"`
	Phone        string         `json:"phone"`
	AppMetaData  map[string]any `json:"app_metadata"`
	UserMetaData map[string]any `json:"user_metadata"`
	Role         string         `json:"role"`
	AAL          string         `json:"aal,omitempty"`
	AMR          []amrEntry     `json:"amr,omitempty"`
	SessionID    string         `json:"session_id,omitempty"`
	IsAnonymous  bool           `json:"is_anonymous"`
}

// GetExpirationTime implements jwt.Claims.
func (p accessTokenPayload) GetExpirationTime() (*jwt.NumericDate, error) {
	return jwt.NewNumericDate(time.Unix(p.Exp, 0)), nil
}

// GetIssuedAt implements jwt.Claims.
func (p accessTokenPayload) GetIssuedAt() (*jwt.NumericDate, error) {
	return jwt.NewNumericDate(time.Unix(p.Iat, 0)), nil
}

// GetNotBefore implements jwt.Claims: access tokens have no nbf.
func (accessTokenPayload) GetNotBefore() (*jwt.NumericDate, error) { return nil, nil }

// GetIssuer implements jwt.Claims.
func (p accessTokenPayload) GetIssuer() (string, error) { return p.Iss, nil }

// GetSubject implements jwt.Claims.
func (p accessTokenPayload) GetSubject() (string, error) { return p.Sub, nil }

// GetAudience implements jwt.Claims.
func (p accessTokenPayload) GetAudience() (jwt.ClaimStrings, error) {
	return jwt.ClaimStrings{p.Aud}, nil
}

// mintAccessToken signs a user access token for g's user and session,
// issued at iat, and returns it with its expiry. The claims are GoTrue's:
// aal1 and one password AMR entry stamped with the sign-in time (GoTrue
// Session.CalculateAALAndAMR reads the session's AMR claims, so refreshed
// tokens keep the sign-in time).
func (a *authAPI) mintAccessToken(g grant, iat time.Time) (string, time.Time, error) {
	exp := iat.Add(a.lifetime)
	claims := accessTokenPayload{
		Iss:          a.issuer,
		Aud:          a.aud,
		Exp:          exp.Unix(),
		Iat:          iat.Unix(),
		Email:        g.user.Email,
		AppMetaData:  map[string]any{"provider": "email", "providers": []string{"email"}},
		UserMetaData: g.user.metadata(),
		Role:         "authenticated",
		AAL:          "aal1",
		AMR:          []amrEntry{{Method: "password", Timestamp: g.signedInAt.Unix()}},
		SessionID:    g.sessionID,
	}
	if !a.p.AccessToken.OmitSub {
		claims.Sub = g.user.ID
	}
	if a.p.AccessToken.OmitIssuer {
		claims.Iss = ""
	}
	s, err := a.keys.sign(claims)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign access token: %w", err)
	}
	return s, exp, nil
}

// AccessTokenClaims is the claim set a bearer token is parsed into, as
// GoTrue's tokens.AccessTokenClaims (its name shows in GoTrue's JSON
// decoding errors, which the reference reproduces).
type AccessTokenClaims struct {
	jwt.RegisteredClaims
	Email        string          `json:"email"`
	Phone        string          `json:"phone"`
	AppMetaData  map[string]any  `json:"app_metadata"`
	UserMetaData map[string]any  `json:"user_metadata"`
	Role         string          `json:"role"`
	AAL          string          `json:"aal,omitempty"`
	AMR          json.RawMessage `json:"amr,omitempty"`
	SessionID    string          `json:"session_id,omitempty"`
	IsAnonymous  bool            `json:"is_anonymous"`
}

// caller is an authenticated request's user, session and token claims.
type caller struct {
	user      user
	sessionID string
	claims    *AccessTokenClaims
}

// authenticate checks the request's bearer access token the way GoTrue
// internal/api/auth.go requireAuthentication does: extractBearerToken (401
// no_authorization), parseJWTClaims (the valid methods of the project's
// keys, the key by kid, no leeway, the project clock; any failure 403
// bad_jwt "invalid JWT: unable to parse or verify signature, <golang-jwt's
// error>"), then maybeLoadUserOrSession (sub present and a UUID, the user,
// the session_id's session). UserAPI's broken knobs skip the signature or
// the time claims.
func (a *authAPI) authenticate(r *http.Request) (caller, *apiError) {
	m := bearerRE.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return caller{}, newAPIError(http.StatusUnauthorized, "no_authorization", "This endpoint requires a valid Bearer token")
	}
	claims := &AccessTokenClaims{}
	if err := a.parseBearer(m[1], claims); err != nil {
		return caller{}, newAPIError(http.StatusForbidden, "bad_jwt", "invalid JWT: unable to parse or verify signature, "+err.Error())
	}
	if claims.Subject == "" {
		return caller{}, newAPIError(http.StatusForbidden, "bad_jwt", "invalid claim: missing sub claim")
	}
	if !uuidRE.MatchString(claims.Subject) {
		return caller{}, newAPIError(http.StatusBadRequest, "bad_jwt", "invalid claim: sub claim must be a UUID")
	}
	sid := claims.SessionID
	if sid == nilUUID {
		sid = ""
	}
	if sid != "" && !uuidRE.MatchString(sid) {
		// GoTrue looks the user up first; the order shows only when both fail.
		if _, userOK, _ := a.store.lookup(claims.Subject, ""); !userOK {
			return caller{}, newAPIError(http.StatusForbidden, "user_not_found", "User from sub claim in JWT does not exist")
		}
		return caller{}, newAPIError(http.StatusForbidden, "bad_jwt", "invalid claim: session_id claim must be a UUID")
	}
	u, userOK, sessionOK := a.store.lookup(claims.Subject, sid)
	if !userOK {
		return caller{}, newAPIError(http.StatusForbidden, "user_not_found", "User from sub claim in JWT does not exist")
	}
	if sid != "" && !sessionOK {
		return caller{}, newAPIError(http.StatusForbidden, "session_not_found", "Session from session_id claim in JWT does not exist")
	}
	return caller{user: u, sessionID: sid, claims: claims}, nil
}

// parseBearer parses and verifies token into claims like GoTrue's
// parseJWTClaims (golang-jwt v5, the version GoTrue uses, so its error
// text is GoTrue's), unless UserAPI says otherwise.
func (a *authAPI) parseBearer(token string, claims *AccessTokenClaims) error {
	opts := []jwt.ParserOption{jwt.WithValidMethods(a.keys.validMethods()), jwt.WithTimeFunc(a.now)}
	if a.p.UserAPI.AcceptExpired {
		opts = append(opts, jwt.WithoutClaimsValidation())
	}
	p := jwt.NewParser(opts...)
	if !a.p.UserAPI.AcceptForged {
		_, err := p.ParseWithClaims(token, claims, a.keys.goTrueKeyFunc)
		return err
	}
	if _, _, err := p.ParseUnverified(token, claims); err != nil {
		return err
	}
	if a.p.UserAPI.AcceptExpired {
		return nil
	}
	if err := jwt.NewValidator(jwt.WithTimeFunc(a.now)).Validate(claims); err != nil {
		return fmt.Errorf("%w: %w", jwt.ErrTokenInvalidClaims, err)
	}
	return nil
}
