package supabase

import (
	"fmt"
	"net/http"
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
	judge.Check[*Run]{ID: result.SBSession004, Title: "the auth API refuses an expired access token", Judge: sessionExpired,
		After: append(slices.Clone(sessionAfter), result.SBSession002)},
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

// sessionClaims is SB-SESSION-001. The lifetime is exp − iat; a token
// without iat (GoTrue always sets one) is measured from the project's time
// of the sign-in answer that brought it (its Date header, else ours).
func sessionClaims(r *Run) judge.Outcome {
	s, o, stop := r.session()
	if stop != nil {
		return *stop
	}
	issued := s.SignIn.Date()
	if issued.IsZero() {
		issued = s.SignIn.At
	}
	if life, how, ok := sbcheck.Lifetime(s.Access, issued); ok {
		o.Show("lifetime", life.String()+" ("+how+")")
	}
	return o.Add(sbcheck.CheckAccessClaims(s.Access, issued)...)
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
		// The token is the project's own, issued moments ago: the secret
		// given is what does not fit, not the project.
		return o.Add(diag.Newf(diag.SupabaseJWTSecretMismatch, "the project's own access token verifies with "+sbcheck.SecretName,
			"the HS256 access token the project issued to the test user moments ago does not verify with SUPABASE_JWT_SECRET %s — "+
				"the fingerprint of the value mfconform was given (the first 8 hex digits of its SHA-256); mfconform cannot see the project's own secret, so it shows no fingerprint of it",
			redact.Fingerprint(r.Target.JWTSecret)))
	}
	return o
}

// sessionRefresh is SB-SESSION-003, judged by GoTrue's rules
// (supabase/auth internal/tokens/service.go): reusing the parent of the
// active refresh token returns the active token again; reusing an older
// one is refused with refresh_token_already_used unless within the reuse
// interval, and with rotation on the refusal revokes the whole family. A
// rate limit or a server error is no answer to these questions
// (judgeable).
func sessionRefresh(r *Run) judge.Outcome {
	s, o, stop := r.session()
	if stop != nil {
		return *stop
	}
	seq := s.Refresh
	o.Show("refresh", refreshText(seq))
	const grant = "POST /auth/v1/token?grant_type=refresh_token"
	if st := judgeable(grant+" (refreshing R0)", "200 and a new session", seq.First.Answer); st != nil {
		return keep(o, st)
	}
	if seq.First.Returned == "" {
		a := seq.First.APIError()
		return o.Add(diag.Newf(diag.SupabaseRefreshFailed, "200 and a new session", "the first refresh of the new session: HTTP %d %s %q", seq.First.Status, a.Code, a.Message))
	}
	if st := judgeable(grant+" (reusing R0 while R1 is active)", "200 with R1 again", seq.ReuseParent.Answer); st != nil {
		return keep(o, st)
	}
	switch {
	case ok2xx(seq.ReuseParent.Status) && seq.ReuseParent.Returned != seq.R1:
		o = o.Add(diag.New(diag.SupabaseRefreshReuseMints, "reusing R0 while R1 is active returns R1 again",
			"reusing R0 returned a refresh token that is neither R1 nor empty: a used refresh token minted a new one"))
	case !ok2xx(seq.ReuseParent.Status):
		o = o.Add(diag.Newf(diag.SupabaseRefreshParentRefused, "200 with R1 again (GoTrue's answer to a client that failed to save R1)",
			"reusing R0 while R1 is the session's active token answered %s", seq.ReuseParent.Text()))
	}
	if st := judgeable(grant+" (refreshing R1)", "200 and a new session", seq.Second.Answer); st != nil {
		return keep(o, st)
	}
	if seq.Second.Returned == "" {
		a := seq.Second.APIError()
		return o.Add(diag.Newf(diag.SupabaseRefreshFailed, "200 and a new session", "refreshing R1: HTTP %d %s %q", seq.Second.Status, a.Code, a.Message))
	}
	if st := judgeable(grant+" (reusing R0 after R1 was refreshed)", "400 refresh_token_already_used, or 200 within a reuse interval", seq.ReuseOld.Answer); st != nil {
		return keep(o, st)
	}
	if st := judgeable(grant+" (R2 after the reuse of R0)", "200 and a new session", seq.AfterReuse.Answer); st != nil {
		return keep(o, st)
	}
	if ok2xx(seq.ReuseOld.Status) {
		return o.Add(reuseAccepted(r, seq)...)
	}
	if a := seq.ReuseOld.APIError(); a.Code != "refresh_token_already_used" {
		o.Show("old reuse", "refused with "+seq.ReuseOld.Text()+" (GoTrue says refresh_token_already_used)")
	}
	if ok2xx(seq.AfterReuse.Status) {
		return o.Add(diag.New(diag.SupabaseRefreshFamily, "R2 refused once R0 was reused (the token family revoked)",
			"R2 still works after the reuse of R0 was refused: the session survives a replayed refresh token"))
	}
	return o
}

// judgeable returns nil when a is an answer that judges what was asked —
// an acceptance or a refusal — else the outcome that says why not: no
// answer or a redirect (answered), a rate limit (SUPABASE_RATE_LIMITED, the
// environment's), a server error (SUPABASE_AUTH_SERVER_ERROR). A 429 or a
// 5xx is never read as a refusal.
func judgeable(what, expected string, a Answer) *judge.Outcome {
	if st := answered(what, a); st != nil {
		return st
	}
	switch {
	case a.Status == http.StatusTooManyRequests:
		return stop(judge.Findings(diag.Newf(diag.SupabaseRateLimited, expected, "%s answered %s", what, a.Text())))
	case a.Status >= 500:
		return stop(judge.Findings(diag.Newf(diag.SupabaseAuthServerError, expected, "%s answered %s", what, a.Text())))
	}
	return nil
}

// keep is the outcome st with o's evidence shown before its own.
func keep(o judge.Outcome, st *judge.Outcome) judge.Outcome {
	out := *st
	out.Evidence = append(slices.Clone(o.Evidence), out.Evidence...)
	return out
}

// ReuseCause is the header with which GoTrue's refresh-token algorithm v2
// says why it accepted a reuse (supabase/auth internal/tokens/service.go):
// "fail-to-save" (the parent of the active token), "concurrent-refresh"
// (within the reuse interval), "always-allow"
// (GOTRUE_SECURITY_REFRESH_TOKEN_ALLOW_REUSE).
const ReuseCause = "sb-auth-refresh-token-reuse-cause"

// HostedReuseInterval is the hosted platform's
// GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL: a default run that sees a
// reuse accepted sooner than this after revocation, as GoTrue would inside
// it, calls it the likely interval.
const HostedReuseInterval = 10 * time.Second

// reuseAccepted judges an old refresh token (R0 after R1 was refreshed)
// that the project accepted. GoTrue does that only within its reuse
// interval; algorithm v2 says so in a header, v1 does not, and then only
// waiting the interval out (--thorough) tells an interval from tokens that
// are not single-use at all. Without that wait, evidence that fits
// GoTrue's v1 rule exactly (reuseFits) is information, not a warning: the
// hosted platform's default interval gives every correct project that
// evidence.
func reuseAccepted(r *Run, seq RefreshSequence) []diag.Diagnostic {
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
		misfit := reuseMisfit(r, seq, since)
		if misfit == "" {
			return []diag.Diagnostic{diag.Newf(diag.SupabaseRefreshReuse, "information only",
				"R0 was accepted again %s after it was revoked, answered with a new refresh token, and R2 still worked afterwards: exactly what Supabase Auth (refresh-token algorithm v1) does inside its reuse interval — "+
					"a revoked token is swapped for a new one until GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL seconds after its revocation, and the rest of the session is left alone (supabase/auth internal/tokens/service.go, RefreshTokenGrant). "+
					"The likely interval is the hosted platform's default of %s. --thorough would measure it: it waits %s and reuses a token as old — refused means an interval, accepted means refresh tokens that are not single-use",
				since, HostedReuseInterval, reuseWait).WithSeverity(diag.Info)}
		}
		return []diag.Diagnostic{diag.Newf(diag.SupabaseRefreshReuse, "refresh_token_already_used for R0 after R1 was refreshed, or a reuse that fits Supabase Auth's reuse interval",
			"R0 was accepted again %s after it was revoked, which does not fit Supabase Auth's reuse interval: %s — run with --thorough to decide", since, misfit)}
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

// reuseMisfit says how an accepted reuse of R0 (after R1 was refreshed) in
// a default run departs from GoTrue's v1 rule inside a reuse interval, ""
// when it fits exactly: the server identifies as Supabase Auth; the reuse
// came within HostedReuseInterval of R0's revocation; it was answered with
// a new refresh token (GrantRefreshTokenSwap: neither R0, R1 nor the active
// R2 — v2 would have answered the active token and said why in
// sb-auth-refresh-token-reuse-cause); and R2 kept working afterwards (no
// family revocation inside the interval).
func reuseMisfit(r *Run, seq RefreshSequence, since time.Duration) string {
	var out []string
	if r.Config == nil {
		out = append(out, "nothing shows the server is Supabase Auth")
	} else if _, ok := r.Config.goTrue(); !ok {
		out = append(out, "the server does not identify as Supabase Auth (GET /auth/v1/health)")
	}
	if since > HostedReuseInterval {
		out = append(out, fmt.Sprintf("it came %s after the revocation, later than the hosted platform's %s interval", since, HostedReuseInterval))
	}
	switch got := seq.ReuseOld.Returned; got {
	case "":
		out = append(out, "the answer held no refresh token")
	case seq.R0, seq.R1, seq.Second.Returned:
		out = append(out, "it answered an existing token instead of a new one, and no "+ReuseCause+" header said why")
	}
	if !ok2xx(seq.AfterReuse.Status) {
		out = append(out, "R2 stopped working after it ("+seq.AfterReuse.Text()+"), which GoTrue does not do inside the interval")
	}
	return strings.Join(out, "; ")
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

// expiredRefusal is GoTrue's answer to an expired access token
// (supabase/auth internal/api/auth.go parseJWTClaims: an HS256 token
// without kid is verified with GOTRUE_JWT_SECRET, even on a project that
// signs asymmetrically; golang-jwt v5 parser.go ParseWithClaims checks the
// signature before the claims, so "token is expired" comes only for a
// token whose signature verified).
const expiredRefusal = `403 bad_jwt "invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired"`

// sessionExpired is SB-SESSION-004: a copy of the test user's access token
// that expired an hour before the project's own time, signed with
// SUPABASE_JWT_SECRET, must be refused — for its expiry. A refusal says so
// when it names the expiry (GoTrue's bad_jwt "token is expired"), or when
// the probe's signature is known good (the secret verifies the project's
// own access token, secretVerdict), so the expiry is the only thing wrong
// with it. Otherwise the refusal may be about the signature (a secret that
// is not the project's, or a project that signs asymmetrically and does
// not take HS256 tokens with it): SB-SESSION-002's
// SUPABASE_JWT_SECRET_MISMATCH explains that, or the spec cannot judge.
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
	a := *s.UserExpired
	const what = "GET /auth/v1/user with an expired copy of the test user's access token"
	if st := judgeable(what, expiredRefusal, a); st != nil {
		return keep(o, st)
	}
	o.Show("expired", a.Text())
	o.Show("expected", expiredRefusal+" (Supabase Auth)")
	clock := "the project's own time (the Date header of its sign-in answer)"
	if s.SignIn.Date().IsZero() {
		clock = "mfconform's clock (the project's sign-in answer had no Date header)"
	}
	if ok2xx(a.Status) {
		return o.Add(diag.Newf(diag.SupabaseAcceptsExpired, expiredRefusal,
			"GET /auth/v1/user answered %d for a copy of the test user's access token whose exp is an hour before %s", a.Status, clock))
	}
	e := a.APIError()
	msg := strings.ToLower(e.Message)
	fp := redact.Fingerprint(r.Target.JWTSecret)
	known, good := r.secretVerdict()
	switch {
	case strings.Contains(msg, "expired"):
		return o
	case good && !strings.Contains(msg, "signature"):
		o.Show("why it counts", "the refusal does not name the expiry, but the probe differs from the project's own token only in its exp, and SUPABASE_JWT_SECRET "+fp+" verifies the project's own access token: its signature is good")
		return o
	}
	why := "the probe is signed with SUPABASE_JWT_SECRET " + fp + ", and nothing shows the project takes that signature (its access tokens are not HS256)"
	switch {
	case known && !good:
		why = "the probe is signed with SUPABASE_JWT_SECRET " + fp + ", which does not verify the project's own access token"
	case good:
		why = "the refusal names the signature, although SUPABASE_JWT_SECRET " + fp + " verifies the project's own access token"
	}
	unjudged := judge.NotJudged(InputJWTSecret,
		"the project refused the expired probe with %s, which does not name the expiry, and %s: the refusal may be about the signature, so the expiry check is not judged (give the project's legacy JWT secret, which Supabase Auth keeps taking for HS256 tokens)", a.Text(), why)
	return judge.Unmet("the project refused the expired probe with %s, and %s", a.Text(), why).
		By(result.SBSession002).For(diag.SupabaseJWTSecretMismatch).Else(unjudged)
}

// sessionForged is SB-SESSION-005: the session's own claims, signed with a
// random key, must be refused.
func sessionForged(r *Run) judge.Outcome {
	s, o, stop := r.session()
	if stop != nil {
		return *stop
	}
	a := s.Forged
	const expected = `403 bad_jwt "invalid JWT: unable to parse or verify signature, token signature is invalid: signature is invalid"`
	if st := judgeable("GET /auth/v1/user with a copy of the test user's access token signed with a random key", expected, a); st != nil {
		return keep(o, st)
	}
	o.Show("forged", a.Text())
	o.Show("expected", expected+" (Supabase Auth)")
	if ok2xx(a.Status) {
		return o.Add(diag.Newf(diag.SupabaseAcceptsBadSig, expected,
			"GET /auth/v1/user answered %d for a copy of the test user's access token signed with a random key", a.Status))
	}
	// A 4xx is the refusal: the probe differs from the project's own
	// token only in its signature, and its exp lies an hour ahead of the
	// project's clock.
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
