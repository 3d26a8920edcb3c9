package jwt

import (
	"context"
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo DSL

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	"github.com/mfconform/mfconform/suites/redact"
)

// probeSpec is one app spec judged on a group of probes: the probes whose
// Code is code must get the answer they want.
type probeSpec struct {
	id, title string
	code      diag.Code
}

// probeSpecs are the app specs that plant minted tokens; each owns the
// probes of one diagnostic code.
var probeSpecs = []probeSpec{
	{"JWT-APP-004", "the app rejects expired tokens", diag.AppAcceptsExpired},
	{"JWT-APP-005", "the app rejects wrong-key, tampered and stripped signatures", diag.AppAcceptsBadSignature},
	{"JWT-APP-006", "the app rejects unsigned tokens (alg none, None, NONE, nOnE)", diag.AppAcceptsAlgNone},
	{"JWT-APP-007", "the app rejects HS384 and HS512 tokens", diag.AppAcceptsOtherAlg},
	{"JWT-APP-008", "the app rejects tokens without user_id or exp", diag.AppAcceptsMissingClaim},
	{"JWT-APP-009", "the app accepts a fractional exp (the vendor's own Python example)", diag.AppRejectsFractionalExp},
}

var _ = Describe("JWT app", appArea, func() {
	It("JWT-APP-001: the app is reachable and accepts a conformant token signed with AUTH_SECRET_KEY", func(ctx SpecContext) {
		// Reachability first: it is judged even without AUTH_SECRET_KEY.
		probes(ctx, true)
		pe := signedProbes(ctx, false)
		o := validProbe(pe)
		judge.Evidence("probe", outcomeText(o))
		if !o.Result.Accepted {
			judge.Verdict(diag.Newf(diag.AppRejectsValidToken, "200 with the probe identity",
				"%s; the token was signed with AUTH_SECRET_KEY %s", answerText(o.Result), redact.Fingerprint(current().Target.Secret)))
		}
	})

	It("JWT-APP-002: the app accepts the backend's own token", func(ctx SpecContext) {
		e, ev := loginEvidence(ctx)
		tok := ev.token()
		if tok == "" {
			judge.SkipBecause("the backend set no mf_jwt_token cookie (see JWT-COOKIE-001)")
		}
		if bad := localProblems(e.Target.Secret, tok, ev); len(bad) > 0 {
			judge.SkipBecause("the backend's token is not conformant (%s), so the app is right to refuse it; see the JWT-TOKEN specs", strings.Join(bad, ", "))
		}
		r, how := ev.AppProbe, "delivered by the browser after login"
		if !ev.AppProbe.CookieSent {
			pe := probes(ctx, false)
			if pe.Backend == nil {
				judge.SkipBecause("the backend's token could not be planted on the app")
			}
			r, how = pe.Backend.Result, "planted on the app host (the browser did not deliver it; see the JWT-COOKIE specs)"
			if r.Error != "" {
				judge.SkipBecause("the backend's token could not be planted on the app: %s", r.Error)
			}
		}
		judge.Evidence("probe", how+": "+answerText(r))
		if !r.Accepted {
			judge.Verdict(diag.Newf(diag.AppRejectsValidToken, "200 for the backend's token",
				"%s, token %s", answerText(r), how).
				WithCause("the backend and Miiflow do not use the same AUTH_SECRET_KEY, or the app rejects a claim the backend writes"))
		}
	})

	It("JWT-APP-003: the app shows the identity the token carries", func(ctx SpecContext) {
		pe := signedProbes(ctx, false)
		o := validProbe(pe)
		if !o.Result.Accepted {
			judge.SkipBecause("the app rejects conformant tokens (see JWT-APP-001)")
		}
		got := o.Result.Identity()
		idField := current().Target.UserIDField
		var diffs []string
		for _, k := range []string{"user_id", "first_name", "last_name", "email"} {
			field := k
			if k == "user_id" && idField != "" {
				field = idField
			}
			want := fmt.Sprint(ProbeIdentity[k])
			if g, ok := got[field]; ok && fmt.Sprint(g) != want || k == "user_id" && !ok {
				diffs = append(diffs, fmt.Sprintf("%s: token %q, app %q", field, want, fmt.Sprint(got[field])))
			}
		}
		if len(diffs) > 0 {
			judge.Verdict(diag.Newf(diag.AppIdentityMismatch, "the app reports the token's user_id (and names, email when it shows them)",
				"%s", strings.Join(diffs, "; ")))
		}
	})

	for _, s := range probeSpecs {
		It(s.id+": "+s.title, func(ctx SpecContext) {
			pe := signedProbes(ctx, false)
			if v := validProbe(pe); !v.Result.Accepted {
				judge.SkipBecause("the app rejects even a conformant token (see JWT-APP-001), so its answers to these probes prove nothing")
			}
			var ds []diag.Diagnostic
			n := 0
			for _, o := range pe.Outcomes {
				if o.Probe.Code != s.code {
					continue
				}
				n++
				judge.Evidence("probe", outcomeText(o))
				if d, ok := misjudged(o); ok {
					ds = append(ds, d)
				}
			}
			if n == 0 {
				judge.Verdict(diag.Newf(diag.AppProbeFailed, "probes for "+string(s.code), "no probe was minted"))
			}
			judge.Verdict(ds...)
		})
	}

	It("JWT-APP-010: the app answers garbage cookies with 401/403, never 5xx, and never 5xx on any probe", func(ctx SpecContext) {
		pe := probes(ctx, false)
		var ds []diag.Diagnostic
		for _, o := range pe.Outcomes {
			if o.Result.Status >= 500 {
				ds = append(ds, diag.Newf(diag.AppServerError, "401 or 403", "probe %q (%s): %s", o.Probe.Name, o.Probe.Detail, answerText(o.Result)))
				continue
			}
			if isGarbage(o.Probe) {
				judge.Evidence("probe", outcomeText(o))
				if d, ok := misjudged(o); ok {
					ds = append(ds, d)
				}
			}
		}
		judge.Verdict(ds...)
	})
})

// probes waits for the probe evidence. The app being unreachable is
// JWT-APP-001's finding (owner); every other spec skips.
func probes(ctx context.Context, owner bool) *ProbeEvidence {
	GinkgoHelper()
	e := current()
	if e.Target.AppURL == "" {
		judge.SkipBecause("backend-only run: %v", errNoApp)
	}
	pe, err := probesFuture.Wait(ctx)
	switch {
	case err == nil:
		return pe
	case owner:
		judge.Verdict(unreachable(e, diag.AppUnreachable, e.Target.AppURL, err))
	default:
		unreachable(e, diag.AppUnreachable, e.Target.AppURL, err) // ends an interrupted spec
		judge.SkipBecause("the app could not be probed (see JWT-APP-001)")
	}
	return nil
}

// signedProbes is probes for specs that need tokens signed with
// AUTH_SECRET_KEY.
func signedProbes(ctx context.Context, owner bool) *ProbeEvidence {
	GinkgoHelper()
	if len(current().Target.Secret) == 0 {
		judge.SkipBecause("AUTH_SECRET_KEY was not provided; set it in the environment to mint probe tokens")
	}
	return probes(ctx, owner)
}

// validProbe is the conformant probe (integer exp, HS256, every claim).
func validProbe(pe *ProbeEvidence) ProbeOutcome {
	GinkgoHelper()
	for _, o := range pe.Outcomes {
		if o.Probe.WantAccepted && o.Probe.Code == diag.AppRejectsValidToken {
			return o
		}
	}
	judge.Verdict(diag.New(diag.AppProbeFailed, "a conformant probe token", "none was minted"))
	return ProbeOutcome{}
}

// misjudged returns the diagnostic for a probe the app answered wrongly.
func misjudged(o ProbeOutcome) (diag.Diagnostic, bool) {
	r := o.Result
	switch {
	case r.Status == 0 || r.Error != "":
		return diag.Newf(diag.AppProbeFailed, "an HTTP answer", "probe %q: %s", o.Probe.Name, answerText(r)), true
	case !r.CookieSent:
		return diag.Newf(diag.AppProbeFailed, "the planted cookie is sent", "probe %q: Chromium did not send the planted cookie", o.Probe.Name), true
	case r.Status >= 500 && !o.Probe.WantAccepted:
		// Not accepted, so not this spec's finding; JWT-APP-010 reports
		// every 5xx.
		return diag.Diagnostic{}, false
	case o.Probe.WantAccepted && !r.Accepted:
		return diag.Newf(o.Probe.Code, "200", "probe %q (%s): %s", o.Probe.Name, o.Probe.Detail, answerText(r)), true
	case !o.Probe.WantAccepted && r.Accepted:
		return diag.Newf(o.Probe.Code, "401 or 403", "probe %q (%s) was accepted: %s", o.Probe.Name, o.Probe.Detail, answerText(r)), true
	case !o.Probe.WantAccepted && !r.Rejected:
		return diag.Newf(diag.AppProbeFailed, "401 or 403", "probe %q: %s", o.Probe.Name, answerText(r)), true
	}
	return diag.Diagnostic{}, false
}

// garbageNames are the names of the garbage probes, computed once.
var garbageNames = func() map[string]bool {
	m := map[string]bool{}
	for _, g := range jwtcheck.GarbageProbes() {
		m[g.Name] = true
	}
	return m
}()

func isGarbage(p jwtcheck.Probe) bool { return garbageNames[p.Name] }

func answerText(r ProbeResult) string {
	if r.Error != "" {
		return "request failed: " + r.Error
	}
	body := strings.TrimSpace(r.Body)
	if len(body) > 200 {
		body = body[:200] + "…"
	}
	return fmt.Sprintf("HTTP %d %s", r.Status, body)
}

func outcomeText(o ProbeOutcome) string {
	want := "reject"
	if o.Probe.WantAccepted {
		want = "accept"
	}
	return fmt.Sprintf("%s (%s): want %s, got %s", o.Probe.Name, o.Probe.Detail, want, answerText(o.Result))
}

// localProblems lists the codes that make the backend's token
// non-conformant on our side, so an app refusing it is not at fault.
func localProblems(secret []byte, tok string, ev *LoginEvidence) []string {
	p, ds := jwtcheck.Parse(tok)
	if p != nil {
		ds = append(ds, jwtcheck.CheckAlg(p)...)
		ds = append(ds, jwtcheck.CheckUserID(p)...)
		ds = append(ds, jwtcheck.CheckExp(p, ev.ReceivedAt)...)
		ds = append(ds, jwtcheck.CheckNotExpired(p, ev.ReceivedAt, 0)...)
		ds = append(ds, jwtcheck.CheckOptionalClaims(p)...)
		if len(secret) > 0 {
			ds = append(ds, jwtcheck.CheckSignature(p, secret)...)
		}
	}
	var codes []string
	for _, d := range ds {
		if d.Severity.Failing() {
			codes = append(codes, string(d.Code))
		}
	}
	return codes
}
