package jwt

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo DSL

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/jwtcheck"
)

// tokenCheck is one token spec: an ID, a title, and the judgment.
type tokenCheck struct {
	id, title string
	// needsSecret specs skip when AUTH_SECRET_KEY was not provided.
	needsSecret bool
	judge       func(e *env.Env, ev *LoginEvidence, p *jwtcheck.Parsed) []diag.Diagnostic
}

// tokenChecks are the token specs, judged on the token the backend set.
var tokenChecks = []tokenCheck{
	{id: "JWT-TOKEN-002", title: "the token's alg is HS256", judge: func(_ *env.Env, _ *LoginEvidence, p *jwtcheck.Parsed) []diag.Diagnostic {
		return jwtcheck.CheckAlg(p)
	}},
	{id: "JWT-TOKEN-003", title: "the signature verifies with AUTH_SECRET_KEY", needsSecret: true, judge: func(e *env.Env, _ *LoginEvidence, p *jwtcheck.Parsed) []diag.Diagnostic {
		return jwtcheck.CheckSignature(p, e.Target.Secret)
	}},
	{id: "JWT-TOKEN-004", title: "user_id is present and a non-empty string", judge: func(_ *env.Env, _ *LoginEvidence, p *jwtcheck.Parsed) []diag.Diagnostic {
		return jwtcheck.CheckUserID(p)
	}},
	{id: "JWT-TOKEN-005", title: "exp is present, numeric and in seconds", judge: func(_ *env.Env, ev *LoginEvidence, p *jwtcheck.Parsed) []diag.Diagnostic {
		return jwtcheck.CheckExp(p, ev.ReceivedAt)
	}},
	{id: "JWT-TOKEN-006", title: "exp is in the future when the token arrives", judge: func(e *env.Env, ev *LoginEvidence, p *jwtcheck.Parsed) []diag.Diagnostic {
		return jwtcheck.CheckNotExpired(p, ev.ReceivedAt, e.Thresholds.ExpLeeway)
	}},
	{id: "JWT-TOKEN-007", title: "the token's lifetime is at most the session limit (warn)", judge: func(e *env.Env, ev *LoginEvidence, p *jwtcheck.Parsed) []diag.Diagnostic {
		return jwtcheck.CheckLifetime(p, ev.ReceivedAt, e.Thresholds.MaxTokenLifetime)
	}},
	{id: "JWT-TOKEN-008", title: "optional claims are strings and email is an address", judge: func(_ *env.Env, _ *LoginEvidence, p *jwtcheck.Parsed) []diag.Diagnostic {
		return jwtcheck.CheckOptionalClaims(p)
	}},
	{id: "JWT-TOKEN-010", title: "the backend's clock agrees with ours (HTTP Date, iat)", judge: func(e *env.Env, ev *LoginEvidence, p *jwtcheck.Parsed) []diag.Diagnostic {
		if ev.LoginDate.IsZero() {
			return nil
		}
		return jwtcheck.CheckClock(ev.ReceivedAt, ev.LoginDate, issuedAt(p), e.Thresholds.ClockTolerance)
	}},
}

var _ = Describe("JWT token", tokenArea, func() {
	It("JWT-TOKEN-001: the cookie holds a compact JWS (three base64url JSON segments)", func(ctx SpecContext) {
		tok := backendToken(ctx)
		_, ds := jwtcheck.Parse(tok)
		judge.Verdict(ds...)
	})

	for _, c := range tokenChecks {
		It(c.id+": "+c.title, func(ctx SpecContext) {
			e := current()
			if c.needsSecret && len(e.Target.Secret) == 0 {
				judge.SkipBecause("AUTH_SECRET_KEY was not provided; set it in the environment to check this")
			}
			tok := backendToken(ctx)
			p, ds := jwtcheck.Parse(tok)
			if p == nil || len(ds) > 0 {
				judge.SkipBecause("the token is not a well-formed JWS (see JWT-TOKEN-001)")
			}
			_, ev := loginEvidence(ctx)
			judge.Evidence(judge.EvidenceToken, tokenView(p, ev.ReceivedAt))
			judge.Verdict(c.judge(e, ev, p)...)
		})
	}

	It("JWT-TOKEN-009: AUTH_SECRET_KEY is at least 32 bytes and not a placeholder", func() {
		e := current()
		if len(e.Target.Secret) == 0 {
			judge.SkipBecause("AUTH_SECRET_KEY was not provided; set it in the environment to check this")
		}
		judge.Verdict(jwtcheck.CheckSecret(e.Target.Secret)...)
	})
})

// backendToken returns the token the backend set, skipping the spec when
// there is none.
func backendToken(ctx context.Context) string {
	GinkgoHelper()
	_, ev := loginEvidence(ctx)
	tok := ev.token()
	if tok == "" {
		judge.SkipBecause("the backend set no mf_jwt_token cookie (see JWT-COOKIE-001)")
	}
	return tok
}

// issuedAt returns the token's iat as a time, nil when absent or not numeric.
func issuedAt(p *jwtcheck.Parsed) *time.Time {
	t, ok := p.IssuedAt()
	if !ok {
		return nil
	}
	return &t
}
