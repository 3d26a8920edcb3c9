package supabase

import (
	"slices"
	"strings"
	"time"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	"github.com/mfconform/mfconform/suites/redact"
	"github.com/mfconform/mfconform/suites/result"
	"github.com/mfconform/mfconform/suites/sbcheck"
)

// sessionChecks are the specs about the session tokens.
var sessionChecks = judge.InArea("session", []string{BundleConfig, BundleSession},
	judge.Check[*Run]{ID: result.SBSession001, Title: "the access token has sub, exp, aud=authenticated, role and a sane lifetime", Judge: sessionClaims, After: sessionAfter},
	judge.Check[*Run]{ID: result.SBSession002, Title: "the access token verifies with the JWT secret or the project's JWKS", Judge: sessionSignature, After: sessionAfter},
	judge.Check[*Run]{ID: result.SBSession003, Title: "refresh tokens follow GoTrue's reuse rules (the parent returns the active token, older ones are refused)", Judge: sessionRefresh, After: sessionAfter},
	judge.Check[*Run]{ID: result.SBSession004, Title: "the auth API refuses an expired access token", Judge: sessionExpired, After: sessionAfter},
	judge.Check[*Run]{ID: result.SBSession005, Title: "the auth API refuses a token signed with another secret", Judge: sessionForged, After: sessionAfter},
	judge.Check[*Run]{ID: result.SBSession006, Title: "the project's clock agrees with ours (HTTP Date, token iat)", Judge: sessionClock, After: reach},
)

// sessionAfter are the prerequisites of the specs that need mfconform's own
// session: the key taken (usableKey) and the test user able to sign in
// (SB-BROWSER-002).
var sessionAfter = append(slices.Clone(keyed), result.SBBrowser002)

// session returns the signed-in session evidence, or why a spec that
// needs it cannot judge. A password grant that gives no session is
// SB-BROWSER-002's finding when supabase-js could not sign in either, and
// this spec's own when it could (a rate limit on mfconform's second
// sign-in, say).
func (r *Run) session() (*SessionEvidence, judge.Outcome, *judge.Outcome) {
	if _, stop := r.usableKey(); stop != nil {
		return nil, judge.Outcome{}, stop
	}
	if stop := r.needUser(); stop != nil {
		return nil, judge.Outcome{}, stop
	}
	s := r.Session
	if s == nil {
		return nil, judge.Outcome{}, stop(judge.Findings(unreachable("the session requests", r.SessionErr)))
	}
	if st := answered("POST /auth/v1/token?grant_type=password", s.SignIn); st != nil {
		return nil, judge.Outcome{}, st
	}
	if s.Access == nil {
		failed := judge.Findings(signInFinding(s.SignIn))
		return nil, judge.Outcome{}, stop(judge.Unmet("the test user cannot sign in: %s", s.SignIn.Text()).By(result.SBBrowser002).Else(failed))
	}
	o := judge.Pass()
	o.Show(result.EvidenceToken, result.TokenView{Redacted: s.Access.Redacted(), Header: s.Access.Header, Claims: s.Access.Claims})
	return s, o, nil
}

// signInFinding is the finding for mfconform's own password grant that
// gave no session: GoTrue's refusal, or a 200 whose answer holds no
// session mfconform can read.
func signInFinding(a Answer) diag.Diagnostic {
	if a.Status == 200 {
		return diag.Newf(diag.SupabaseSigninFailed, "a session for the test user",
			"POST /auth/v1/token?grant_type=password answered HTTP 200 without a session mfconform could read (%d bytes read; mfconform reads at most %d of an answer)", len(a.Body), maxBody).
			Likely(diag.Maybe("The answer is not the session JSON GoTrue sends ({\"access_token\":…,\"refresh_token\":…}): something else answers the token endpoint.",
				"curl the same request: the body is not GoTrue's JSON."),
				diag.Maybe("The answer is larger than mfconform reads of any answer: a GoTrue session is a few kilobytes, so an answer that is cut means tokens far too large for cookies too.",
					"the observation's byte count equals the limit it names."))
	}
	e := a.APIError()
	return sbcheck.SigninVerdict(a.Status, e.Code, e.Message)
}

func sessionClaims(r *Run) judge.Outcome {
	_, o, stop := r.session()
	if stop != nil {
		return *stop
	}
	return o.Add(sbcheck.CheckAccessClaims(r.Session.Access)...)
}

// sessionSignature is SB-SESSION-002: an HS256 token verifies with the
// project's JWT secret (given as SUPABASE_JWT_SECRET); an asymmetric one
// with the key its kid names in the project's JWKS.
func sessionSignature(r *Run) judge.Outcome {
	s, o, stop := r.session()
	if stop != nil {
		return *stop
	}
	alg, _ := s.Access.Alg()
	if alg != "HS256" {
		if st := answered("GET /auth/v1/.well-known/jwks.json", r.Config.JWKS); st != nil {
			return *st
		}
		return o.Add(sbcheck.CheckJWKSSignature(s.Access, r.Config.JWKS.Body)...)
	}
	if sbcheck.AsymmetricKeys(r.Config.JWKS.Body) {
		o = o.Add(diag.New(diag.SupabaseTokenSymmetric, "information only",
			"the access token is HS256 while /auth/v1/.well-known/jwks.json publishes asymmetric keys"))
	}
	if st := r.needSecret("verifying an HS256 access token"); st != nil {
		st.Findings = append(st.Findings, o.Findings...)
		return *st
	}
	if !sbcheck.VerifiesWithSecret(s.Access, r.Target.JWTSecret) {
		return o.Add(diag.Newf(diag.SupabaseSessionSignature, "an HS256 signature made with "+sbcheck.SecretName,
			"the access token's signature does not verify with SUPABASE_JWT_SECRET %s: the secret given is not the one the Auth server signs with (rotated, or another project's)",
			redact.Fingerprint(r.Target.JWTSecret)))
	}
	return o
}

// sessionRefresh is SB-SESSION-003, judged by GoTrue's rules
// (supabase/auth internal/tokens/service.go): reusing the parent of the
// active refresh token returns the active token again; reusing an older
// one is refused with refresh_token_already_used unless within the reuse
// interval, and with rotation on the refusal revokes the whole family.
func sessionRefresh(r *Run) judge.Outcome {
	s, o, stop := r.session()
	if stop != nil {
		return *stop
	}
	seq := s.Refresh
	o.Show("refresh", refreshText(seq))
	if st := answered("POST /auth/v1/token?grant_type=refresh_token", seq.First.Answer); st != nil {
		return *st
	}
	if seq.First.Returned == "" {
		a := seq.First.APIError()
		return o.Add(diag.Newf(diag.SupabaseRefreshFailed, "200 and a new session", "the first refresh of the new session: HTTP %d %s %q", seq.First.Status, a.Code, a.Message))
	}
	for _, st := range []struct {
		what string
		a    Answer
	}{{"reusing R0 while R1 is active", seq.ReuseParent.Answer}, {"refreshing R1", seq.Second.Answer}} {
		if stop := answered("POST /auth/v1/token?grant_type=refresh_token ("+st.what+")", st.a); stop != nil {
			return *stop
		}
	}
	switch {
	case ok2xx(seq.ReuseParent.Status) && seq.ReuseParent.Returned != seq.R1:
		o = o.Add(diag.New(diag.SupabaseRefreshReuseMints, "reusing R0 while R1 is active returns R1 again",
			"reusing R0 returned a refresh token that is neither R1 nor empty: a used refresh token minted a new one"))
	case !ok2xx(seq.ReuseParent.Status):
		o.Show("parent reuse", "refused ("+seq.ReuseParent.Text()+"): stricter than GoTrue, which returns the active token to a client that failed to save it")
	}
	if seq.Second.Returned == "" {
		a := seq.Second.APIError()
		return o.Add(diag.Newf(diag.SupabaseRefreshFailed, "200 and a new session", "refreshing R1: HTTP %d %s %q", seq.Second.Status, a.Code, a.Message))
	}
	if st := answered("POST /auth/v1/token?grant_type=refresh_token (reusing R0 after R1 was refreshed)", seq.ReuseOld.Answer); st != nil {
		return *st
	}
	if ok2xx(seq.ReuseOld.Status) {
		return o.Add(reuseAccepted(seq)...)
	}
	if a := seq.ReuseOld.APIError(); a.Code != "refresh_token_already_used" {
		o.Show("old reuse", "refused with "+seq.ReuseOld.Text()+" (GoTrue says refresh_token_already_used)")
	}
	if st := answered("POST /auth/v1/token?grant_type=refresh_token (R2 after the refused reuse)", seq.AfterReuse.Answer); st != nil {
		return *st
	}
	if ok2xx(seq.AfterReuse.Status) {
		return o.Add(diag.New(diag.SupabaseRefreshFamily, "R2 refused once R0 was reused (the token family revoked)",
			"R2 still works after the reuse of R0 was refused: the session survives a replayed refresh token"))
	}
	return o
}

// ReuseCause is the header with which GoTrue's refresh-token algorithm v2
// says why it accepted a reuse (supabase/auth internal/tokens/service.go):
// "fail-to-save" (the parent of the active token), "concurrent-refresh"
// (within the reuse interval), "always-allow"
// (GOTRUE_SECURITY_REFRESH_TOKEN_ALLOW_REUSE).
const ReuseCause = "sb-auth-refresh-token-reuse-cause"

// reuseAccepted judges an old refresh token (R0 after R1 was refreshed)
// that the project accepted. GoTrue does that only within its reuse
// interval; algorithm v2 says so in a header, v1 does not, and then only
// waiting the interval out (--thorough) tells an interval from tokens that
// are not single-use at all.
func reuseAccepted(seq RefreshSequence) []diag.Diagnostic {
	since := seq.ReuseOldAt.Sub(seq.FirstRevoked).Round(time.Millisecond)
	switch cause := seq.ReuseOld.Header.Get(ReuseCause); {
	case strings.Contains(cause, "concurrent-refresh"):
		return nil // within the reuse interval, as the server says
	case strings.Contains(cause, "always-allow"):
		return []diag.Diagnostic{diag.Newf(diag.SupabaseRefreshReuse, "refresh_token_already_used for R0 after R1 was refreshed",
			"R0 was accepted again and the server says why: %s %q (GOTRUE_SECURITY_REFRESH_TOKEN_ALLOW_REUSE is on)", ReuseCause, cause).
			Settled("The project accepts every earlier refresh token of a session (GOTRUE_SECURITY_REFRESH_TOKEN_ALLOW_REUSE=true): a stolen, used refresh token keeps working.",
				"the server's own reason in the observation")}
	}
	w := seq.ReuseOldAfterWait
	if w == nil {
		return []diag.Diagnostic{diag.Newf(diag.SupabaseRefreshReuse, "refresh_token_already_used for R0 after R1 was refreshed",
			"R0 was accepted again %s after it was revoked; the project may have a reuse interval (10 s on the hosted platform) — run with --thorough to decide", since)}
	}
	if ok2xx(w.Status) {
		return []diag.Diagnostic{diag.Newf(diag.SupabaseRefreshReuse, "an old refresh token refused once the reuse interval is over",
			"a refresh token two generations old was accepted again %s after it was revoked: refresh tokens are not single-use", seq.Waited.Round(time.Second)).
			WithSeverity(diag.Fail).
			Settled("Used refresh tokens keep minting sessions long after any reuse interval: a stolen refresh token never stops working.",
				"the old token accepted again after the wait, in the observation")}
	}
	if w.APIError().Code != "refresh_token_already_used" {
		return []diag.Diagnostic{diag.Newf(diag.SupabaseRefreshReuse, "refresh_token_already_used for an old token reused after the interval",
			"R0 was accepted again %s after it was revoked; the check that waited %s could not decide: the reuse answered %s, not refresh_token_already_used",
			since, seq.Waited.Round(time.Second), w.Text())}
	}
	return []diag.Diagnostic{diag.Newf(diag.SupabaseRefreshReuse, "information only",
		"R0 was accepted again %s after it was revoked, and a token as old was refused %s after revocation (%s): the project has a reuse interval",
		since, seq.Waited.Round(time.Second), w.Text()).WithSeverity(diag.Info)}
}

// refreshText is the refresh sequence for an operator, no tokens.
func refreshText(seq RefreshSequence) map[string]string {
	same := func(fp string) string {
		switch fp {
		case "":
			return "no token"
		case seq.R0:
			return "R0"
		case seq.R1:
			return "R1 again"
		}
		return "a new token"
	}
	out := map[string]string{"1 R0→": seq.First.Text() + ", " + same(seq.First.Returned)}
	if seq.R1 != "" {
		out["1 R0→"] = seq.First.Text() + ", R1"
		out["2 R0 again"] = seq.ReuseParent.Text() + ", " + same(seq.ReuseParent.Returned)
		out["3 R1→"] = seq.Second.Text()
		out["4 R0 after R1 was refreshed"] = seq.ReuseOld.Text()
		out["5 R2"] = seq.AfterReuse.Text()
	}
	return out
}

func sessionExpired(r *Run) judge.Outcome {
	s, o, stop := r.session()
	if stop != nil {
		return *stop
	}
	if st := r.needSecret("minting an expired access token"); st != nil {
		return *st
	}
	if s.UserExpired == nil {
		return judge.Findings(diag.New(diag.SetupFailed, "an expired token minted with the JWT secret", "none was minted"))
	}
	if st := answered("GET /auth/v1/user", *s.UserExpired); st != nil {
		return *st
	}
	o.Show("expired", s.UserExpired.Text())
	if ok2xx(s.UserExpired.Status) {
		return o.Add(diag.New(diag.SupabaseAcceptsExpired, "403 bad_jwt \"token is expired\"",
			"GET /auth/v1/user answered 200 for a token that expired an hour ago"))
	}
	return o
}

// sessionForged is SB-SESSION-005: the session's own claims, signed with a
// random key, must be refused.
func sessionForged(r *Run) judge.Outcome {
	s, o, stop := r.session()
	if stop != nil {
		return *stop
	}
	a := s.Forged
	if st := answered("GET /auth/v1/user", a); st != nil {
		return *st
	}
	o.Show("forged", a.Text())
	if ok2xx(a.Status) {
		return o.Add(diag.New(diag.SupabaseAcceptsBadSig, "403 bad_jwt \"signature is invalid\"",
			"GET /auth/v1/user answered 200 for a token signed with a random key"))
	}
	return o
}

// sessionClock is SB-SESSION-006: the project's Date header and a freshly
// issued token's iat against our clock.
func sessionClock(r *Run) judge.Outcome {
	c, stop := r.reachable()
	if stop != nil {
		return *stop
	}
	clock := jwtcheck.Clock{Ours: c.Health.At, Date: c.Health.Date(), FreshIAT: true}
	if s := r.Session; s != nil && s.Access != nil {
		clock.Ours, clock.Date = s.SignIn.At, s.SignIn.Date()
		if t, ok := s.Access.IssuedAt(); ok {
			clock.IAT = &t
		}
	}
	if !clock.Known() {
		return judge.NotJudged("a Date header or token iat from the project", "the project sent no HTTP Date header and no token with an iat: nothing tells its clock")
	}
	return judge.Findings(jwtcheck.CheckClock(diag.SupabaseClockSkew, "the project", clock, r.Thresholds.ClockTolerance)...)
}
