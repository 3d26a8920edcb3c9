package reference

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Reason codes that Verifier.Verify returns when it refuses a token. They are
// stable: the app's /api/me answers {"error":"<reason>"} and its page shows
// data-reason="<reason>".
//
//   - no_token: the token (cookie value) is empty or absent.
//   - malformed: not three base64url segments with a JSON object header
//     naming a string alg and a JSON object payload.
//   - alg_not_allowed: the header's alg is not HS256 (unless a fault allows
//     it): none in any spelling, HS384, HS512, RS256 ...
//   - bad_signature: the HMAC does not verify with the app's key (wrong key,
//     tampered token, stripped signature).
//   - expired: exp is in the past by more than the leeway.
//   - exp_missing: no exp claim.
//   - exp_invalid: exp is not a JSON number (a string, null ...), or, with
//     the RejectFractionalExp fault, not an integer.
//   - user_id_missing: no user_id claim.
//   - user_id_invalid: user_id is not a string, or is the empty string.
//   - claim_type: first_name, last_name or email is present but not a string.
const (
	ReasonNoToken       = "no_token"
	ReasonMalformed     = "malformed"
	ReasonAlgNotAllowed = "alg_not_allowed"
	ReasonBadSignature  = "bad_signature"
	ReasonExpired       = "expired"
	ReasonExpMissing    = "exp_missing"
	ReasonExpInvalid    = "exp_invalid"
	ReasonUserIDMissing = "user_id_missing"
	ReasonUserIDInvalid = "user_id_invalid"
	ReasonClaimType     = "claim_type"
)

// Verifier checks a token the way the Miiflow app decodes mf_jwt_token. The
// zero Faults give the strict, conformant verifier: HS256 only, signature
// checked with Secret, exp required, numeric (fractional accepted, RFC 7519
// NumericDate) and in the future within Leeway, user_id a non-empty string,
// first_name, last_name and email strings when present.
type Verifier struct {
	// Secret is the app's AUTH_SECRET_KEY.
	Secret []byte
	// Leeway is how far past exp a token is still accepted.
	Leeway time.Duration
	// Faults make the verifier wrong on purpose; only the fault booleans and
	// IdentityOverride are read. Each one changes exactly one behaviour:
	//   - AcceptAlgNone: an unsigned token with alg none (any spelling) passes
	//     the signature check.
	//   - AcceptOtherHMAC: HS384 and HS512 with the same key are accepted.
	//   - IgnoreExp: exp is not looked at at all.
	//   - SkipSignature: neither alg nor signature is checked; the claims are
	//     still.
	//   - AllowMissingUserID: a token without user_id is accepted (UserID "").
	//   - RejectFractionalExp: a non-integer exp gives exp_invalid.
	//   - ServerErrorOnGarbage, ServerErrorOnRefusal, MeUserIDField: read by
	//     the app's handlers only (a malformed or refused cookie gives 500;
	//     /api/me names the user id otherwise); Verify is unchanged.
	//   - IdentityOverride: the identity reports this user_id instead.
	//   - FirstNameOverride: the identity reports this first_name instead.
	//   - EchoToken: the identity reports the raw token as its user_id.
	Faults AppProfile
	// Now is the app's clock; nil means time.Now.
	Now func() time.Time
}

// Identity is who a verified token says the user is.
type Identity struct {
	UserID    string `json:"user_id"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Email     string `json:"email,omitempty"`
}

// Verify checks token and returns the identity it carries, or a reason code
// (see ReasonNoToken and the others) and the zero Identity. The reason is ""
// exactly when the token is accepted. Verify never panics.
func (v *Verifier) Verify(token string) (id Identity, reason string) {
	defer func() {
		if recover() != nil {
			id, reason = Identity{}, ReasonMalformed
		}
	}()
	if token == "" {
		return Identity{}, ReasonNoToken
	}
	claims := jwt.MapClaims{}
	parser := jwt.NewParser(jwt.WithJSONNumber())
	tok, parts, err := parser.ParseUnverified(token, claims)
	switch {
	case err == nil:
	case errors.Is(err, jwt.ErrTokenUnverifiable) && tok != nil && len(parts) == 3:
		// Header and payload decoded, but golang-jwt knows no such alg
		// (e.g. "None") or the alg is not a string. The signature segment
		// has not been decoded yet.
		if _, ok := tok.Header["alg"].(string); !ok {
			return Identity{}, ReasonMalformed
		}
		if _, err := parser.DecodeSegment(parts[2]); err != nil {
			return Identity{}, ReasonMalformed
		}
	default:
		return Identity{}, ReasonMalformed
	}
	alg, _ := tok.Header["alg"].(string)

	if !v.Faults.SkipSignature {
		if r := v.checkSignature(token, alg); r != "" {
			return Identity{}, r
		}
	}
	if !v.Faults.IgnoreExp {
		if r := v.checkExp(claims); r != "" {
			return Identity{}, r
		}
	}
	id, reason = v.identity(claims)
	if reason == "" && v.Faults.EchoToken {
		id.UserID = token
	}
	return id, reason
}

// checkSignature applies the alg policy and verifies the HMAC.
func (v *Verifier) checkSignature(token, alg string) string {
	switch {
	case alg == jwt.SigningMethodHS256.Alg():
	case (alg == jwt.SigningMethodHS384.Alg() || alg == jwt.SigningMethodHS512.Alg()) && v.Faults.AcceptOtherHMAC:
	case strings.EqualFold(alg, "none") && v.Faults.AcceptAlgNone:
		return "" // the fault: an unsigned token is taken at its word
	default:
		return ReasonAlgNotAllowed
	}
	p := jwt.NewParser(jwt.WithValidMethods([]string{alg}), jwt.WithoutClaimsValidation(), jwt.WithJSONNumber())
	_, err := p.ParseWithClaims(token, jwt.MapClaims{}, func(t *jwt.Token) (any, error) {
		if _, ok := t.Method.(*jwt.SigningMethodHMAC); !ok {
			return nil, errors.New("not an HMAC algorithm")
		}
		return v.Secret, nil
	})
	switch {
	case err == nil:
		return ""
	case errors.Is(err, jwt.ErrTokenMalformed):
		return ReasonMalformed
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return ReasonBadSignature
	default:
		return ReasonBadSignature
	}
}

// checkExp requires a numeric exp that is not past by more than the leeway.
func (v *Verifier) checkExp(claims jwt.MapClaims) string {
	raw, ok := claims["exp"]
	if !ok {
		return ReasonExpMissing
	}
	n, ok := raw.(json.Number)
	if !ok {
		return ReasonExpInvalid // a string, null, bool, object ...
	}
	if f, err := n.Float64(); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return ReasonExpInvalid
	}
	if v.Faults.RejectFractionalExp {
		if _, err := strconv.ParseInt(n.String(), 10, 64); err != nil {
			return ReasonExpInvalid
		}
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	val := jwt.NewValidator(jwt.WithLeeway(v.Leeway), jwt.WithTimeFunc(now), jwt.WithExpirationRequired())
	err := val.Validate(jwt.MapClaims{"exp": n})
	switch {
	case err == nil:
		return ""
	case errors.Is(err, jwt.ErrTokenExpired):
		return ReasonExpired
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return ReasonExpMissing
	default: // jwt.ErrInvalidType and anything else about exp
		return ReasonExpInvalid
	}
}

// identity checks the identity claims' types and builds the Identity.
func (v *Verifier) identity(claims jwt.MapClaims) (Identity, string) {
	var id Identity
	raw, ok := claims["user_id"]
	switch {
	case !ok && v.Faults.AllowMissingUserID:
	case !ok:
		return Identity{}, ReasonUserIDMissing
	default:
		s, isString := raw.(string)
		if !isString || s == "" {
			return Identity{}, ReasonUserIDInvalid
		}
		id.UserID = s
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"first_name", &id.FirstName}, {"last_name", &id.LastName}, {"email", &id.Email}} {
		raw, ok := claims[f.name]
		if !ok {
			continue
		}
		s, isString := raw.(string)
		if !isString {
			return Identity{}, ReasonClaimType
		}
		*f.dst = s
	}
	if v.Faults.IdentityOverride != "" {
		id.UserID = v.Faults.IdentityOverride
	}
	if v.Faults.FirstNameOverride != "" {
		id.FirstName = v.Faults.FirstNameOverride
	}
	return id, ""
}
