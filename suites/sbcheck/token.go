package sbcheck

import (
	"fmt"
	"strings"
	"time"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/jwtcheck"
)

// Lifetime bounds for a user access token: GoTrue's default is 3600 s.
const (
	MinAccessLifetime = time.Minute
	MaxAccessLifetime = 24 * time.Hour
)

// CheckAccessClaims checks a user access token's claims: sub, exp,
// aud=authenticated, role, and a lifetime between the bounds — exp − iat,
// or for a token without iat exp − issued, when it was issued (the
// project's time of the answer that brought it); issued zero leaves such a
// token's lifetime unjudged, for callers that judge only its claims.
func CheckAccessClaims(p *jwtcheck.Parsed, issued time.Time) []diag.Diagnostic {
	var problems []string
	if s, _ := p.Claims["sub"].(string); strings.TrimSpace(s) == "" {
		problems = append(problems, "no sub (the user id): /user answers 403 \"invalid claim: missing sub claim\"")
	}
	_, hasExp := p.Expiry()
	if !hasExp {
		problems = append(problems, "no numeric exp")
	}
	switch aud := p.Claims["aud"].(type) {
	case string:
		if aud != "authenticated" {
			problems = append(problems, fmt.Sprintf("aud %q, not \"authenticated\" (PostgREST and the app reject it)", aud))
		}
	case []any:
		ok := false
		for _, a := range aud {
			ok = ok || a == "authenticated"
		}
		if !ok {
			problems = append(problems, fmt.Sprintf("aud %v without \"authenticated\"", aud))
		}
	default:
		problems = append(problems, "no aud")
	}
	if r, _ := p.Claims["role"].(string); r == "" {
		problems = append(problems, "no role")
	}
	if life, how, ok := Lifetime(p, issued); ok && hasExp {
		if life < MinAccessLifetime || life > MaxAccessLifetime {
			problems = append(problems, fmt.Sprintf("a lifetime of %s (%s), outside %s…%s", life, how, MinAccessLifetime, MaxAccessLifetime))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return []diag.Diagnostic{diag.Newf(diag.SupabaseSessionClaims,
		"sub, exp, aud=authenticated, role, and a lifetime of minutes to hours",
		"the access token has %s", strings.Join(problems, "; "))}
}

// Lifetime is an access token's lifetime and how it was told: exp − iat,
// or for a token without iat exp − issued (when the answer that brought
// it was issued); ok is false when neither tells it.
func Lifetime(p *jwtcheck.Parsed, issued time.Time) (life time.Duration, how string, ok bool) {
	exp, hasExp := p.Expiry()
	if !hasExp {
		return 0, "", false
	}
	if iat, ok := p.IssuedAt(); ok {
		return exp.Sub(iat), "exp − iat", true
	}
	if issued.IsZero() {
		return 0, "", false
	}
	return exp.Sub(issued).Round(time.Second), "exp − the time of the sign-in answer: the token has no iat", true
}
