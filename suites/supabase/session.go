package supabase

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo DSL

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	"github.com/mfconform/mfconform/suites/redact"
	"github.com/mfconform/mfconform/suites/sbcheck"
)

// session waits for the Go-side session evidence and skips when the test
// user could not sign in (SB-BROWSER-002 reports why).
func session(ctx context.Context) (*env.Env, *SessionEvidence) {
	GinkgoHelper()
	e, _ := usableKey(ctx)
	credentials(e)
	s, err := sessionFuture.Wait(ctx)
	if err != nil {
		interrupted(err)
		judge.SkipBecause("no session: %v", err)
	}
	if s.Access == nil {
		a := s.SignIn.APIError()
		judge.SkipBecause("the test user cannot sign in: HTTP %d %s %q (see SB-BROWSER-002)", s.SignIn.Status, a.Code, a.Message)
	}
	judge.Evidence(judge.EvidenceToken, judge.TokenView{Redacted: s.Access.Redacted(), Header: s.Access.Header, Claims: s.Access.Claims})
	return e, s
}

var _ = Describe("Supabase sessions", sessionArea, func() {
	It("SB-SESSION-001: the access token has sub, exp, aud=authenticated, role and a sane lifetime", func(ctx SpecContext) {
		_, s := session(ctx)
		judge.Verdict(sbcheck.CheckAccessClaims(s.Access)...)
	})

	It("SB-SESSION-002: the access token verifies with the JWT secret or the project's JWKS", func(ctx SpecContext) {
		e, s := session(ctx)
		alg, _ := s.Access.Alg()
		switch {
		case len(e.Supabase.JWTSecret) > 0 && alg == "HS256":
			ds := jwtcheck.CheckSignature(s.Access, e.Supabase.JWTSecret)
			for i := range ds {
				ds[i] = diag.Newf(diag.SupabaseSessionSignature, "an access token signed with the project's JWT secret",
					"%s (SUPABASE_JWT_SECRET %s)", ds[i].Observed, redact.Fingerprint(e.Supabase.JWTSecret))
			}
			judge.Verdict(ds...)
		case alg == "HS256":
			judge.SkipBecause("HS256 tokens verify only with the JWT secret: set SUPABASE_JWT_SECRET to check this")
		default:
			var jwks struct {
				Keys []map[string]any `json:"keys"`
			}
			_ = json.Unmarshal(s.JWKS.Body, &jwks)
			kid, _ := s.Access.Header["kid"].(string)
			for _, k := range jwks.Keys {
				if k["kid"] == kid {
					judge.SkipBecause("asymmetric (%s) verification against the JWKS is not built yet; kid %s is published", alg, kid)
				}
			}
			judge.Verdict(diag.Newf(diag.SupabaseSessionSignature, "the token's kid in /auth/v1/.well-known/jwks.json",
				"alg %s kid %q not among the %d published keys", alg, kid, len(jwks.Keys)))
		}
	})

	It("SB-SESSION-003: the refresh token works once and only once", func(ctx SpecContext) {
		_, s := session(ctx)
		judge.Evidence("refresh", map[string]int{"first": s.Refresh1.Status, "second": s.Refresh2.Status})
		if s.Refresh1.Status != 200 {
			a := s.Refresh1.APIError()
			judge.Verdict(diag.Newf(diag.SupabaseRefreshFailed, "200 and a new session", "HTTP %d %s %q", s.Refresh1.Status, a.Code, a.Message))
		}
		if ok2xx(s.Refresh2.Status) {
			judge.Verdict(diag.New(diag.SupabaseRefreshFailed, "a used refresh token is refused (refresh_token_already_used)",
				"the same refresh token worked twice: a stolen one stays usable"))
		}
	})

	It("SB-SESSION-004: the auth API refuses an expired access token", func(ctx SpecContext) {
		e, s := session(ctx)
		if len(e.Supabase.JWTSecret) == 0 || s.UserExpired == nil {
			judge.SkipBecause("minting an expired token needs the JWT secret: set SUPABASE_JWT_SECRET to check this")
		}
		if ok2xx(s.UserExpired.Status) {
			judge.Verdict(diag.New(diag.SupabaseAcceptsExpired, "403 bad_jwt \"token is expired\"",
				"GET /auth/v1/user answered 200 for a token that expired an hour ago"))
		}
	})

	It("SB-SESSION-005: the auth API refuses a token signed with another secret", func(ctx SpecContext) {
		e, ev := usableKey(ctx)
		a, err := forgedUser(ctx, e, ev.URL.Origin, ev.Key.Clean)
		if err != nil {
			judge.Verdict(diag.Newf(diag.SetupFailed, "a forged probe token", "%v", err))
		}
		judge.Evidence("forged", fmt.Sprintf("HTTP %d %s", a.Status, a.APIError().Message))
		if ok2xx(a.Status) {
			judge.Verdict(diag.New(diag.SupabaseAcceptsBadSig, "403 bad_jwt \"signature is invalid\"",
				"GET /auth/v1/user answered 200 for a token signed with a random key"))
		}
	})

	It("SB-SESSION-006: the project's clock agrees with ours (HTTP Date, token iat)", func(ctx SpecContext) {
		e, ev := reachable(ctx)
		var iat *time.Time
		if s, err := sessionFuture.Wait(ctx); err == nil && s.Access != nil {
			if t, ok := s.Access.IssuedAt(); ok {
				iat = &t
			}
		}
		judge.Verdict(sbcheck.CheckServerClock(ev.Health.At, ev.Health.Date(), iat, e.Thresholds.ClockTolerance)...)
	})
})
