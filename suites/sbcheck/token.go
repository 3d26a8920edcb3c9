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
// aud=authenticated, role, and a lifetime between the bounds.
func CheckAccessClaims(p *jwtcheck.Parsed) []diag.Diagnostic {
	var problems []string
	if s, _ := p.Claims["sub"].(string); strings.TrimSpace(s) == "" {
		problems = append(problems, "no sub (the user id): /user answers 403 \"invalid claim: missing sub claim\"")
	}
	exp, hasExp := p.Expiry()
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
	if iat, ok := p.IssuedAt(); ok && hasExp {
		life := exp.Sub(iat)
		if life < MinAccessLifetime || life > MaxAccessLifetime {
			problems = append(problems, fmt.Sprintf("a lifetime of %s (exp - iat), outside %s…%s", life, MinAccessLifetime, MaxAccessLifetime))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return []diag.Diagnostic{diag.Newf(diag.SupabaseSessionClaims,
		"sub, exp, aud=authenticated, role, and a lifetime of minutes to hours",
		"the access token has %s", strings.Join(problems, "; "))}
}
