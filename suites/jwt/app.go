package jwt

import (
	"fmt"
	"strings"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	"github.com/mfconform/mfconform/suites/redact"
	"github.com/mfconform/mfconform/suites/result"
)

// reachChecks is JWT-APP-001, printed first of JWT mode: whether the app
// answers explains why the cookie cannot be followed into it, so it comes
// before the cookie specs it may block.
var reachChecks = judge.InArea("app", []string{BundleProbes},
	judge.Check[*Run]{ID: result.JWTApp001, Title: "the app is reachable and accepts a conformant token signed with AUTH_SECRET_KEY", Judge: appAcceptsValid},
)

// appChecks are the other specs about the app's verifier.
var appChecks = judge.InArea("app", []string{BundleProbes},
	judge.Check[*Run]{ID: result.JWTApp002, Title: "the app accepts the backend's own token", Judge: appAcceptsBackend, Bundles: []string{BundleLogin},
		After: append([]result.SpecID{result.JWTCookie001, result.JWTApp001, result.JWTCookie002}, tokenFaults...)},
	judge.Check[*Run]{ID: result.JWTApp003, Title: "the app shows the identity the token carries", Judge: appIdentity, After: probed},
	probeCheck(result.JWTApp004, "the app rejects expired tokens", diag.AppAcceptsExpired),
	probeCheck(result.JWTApp005, "the app rejects wrong-key, tampered and stripped signatures", diag.AppAcceptsBadSignature),
	probeCheck(result.JWTApp006, "the app rejects unsigned tokens (alg none, None, NONE, nOnE)", diag.AppAcceptsAlgNone),
	probeCheck(result.JWTApp007, "the app rejects HS384 and HS512 tokens", diag.AppAcceptsOtherAlg),
	probeCheck(result.JWTApp008, "the app rejects tokens without user_id or exp", diag.AppAcceptsMissingClaim),
	probeCheck(result.JWTApp009, "the app accepts a fractional exp (the vendor's own Python example)", diag.AppRejectsFractionalExp),
	judge.Check[*Run]{ID: result.JWTApp010, Title: "the app answers garbage cookies with 401/403, never 5xx, and never 5xx on any probe", Judge: appGarbage, After: probed},
)

// probed is the prerequisite of the specs judged on the probes: the app
// answers and accepts a conformant token (JWT-APP-001).
var probed = []result.SpecID{result.JWTApp001}

// tokenFaults are the token specs whose failure makes the backend's token
// non-conformant, so that an app refusing it is right to: the ones
// JWT-APP-002 is blocked by when the app refuses the backend's token.
var tokenFaults = []result.SpecID{result.JWTToken001, result.JWTToken002, result.JWTToken003, result.JWTToken004,
	result.JWTToken005, result.JWTToken006, result.JWTToken008}

// needProbes returns the probe evidence or why a spec about the app
// cannot judge. The app being unreachable is JWT-APP-001's finding.
func (r *Run) needProbes() (*ProbeEvidence, *judge.Outcome) {
	if o := r.needApp(); o != nil {
		return nil, o
	}
	if r.Probes == nil {
		return nil, stop(judge.Unmet("the app could not be probed: %v", r.ProbesErr))
	}
	return r.Probes, nil
}

// validOutcome is the conformant probe's outcome (integer exp, HS256,
// every claim), false when it was not built (no key).
func (p *ProbeEvidence) validOutcome() (ProbeOutcome, bool) {
	for _, o := range p.Outcomes {
		if o.Probe.WantAccepted && o.Probe.Code == diag.AppRejectsValidToken {
			return o, true
		}
	}
	return ProbeOutcome{}, false
}

// appAcceptsValid is JWT-APP-001: reachability is judged without the key,
// acceptance of a conformant token needs it.
func appAcceptsValid(r *Run) judge.Outcome {
	if o := r.needApp(); o != nil {
		return *o
	}
	if r.Probes == nil {
		return judge.Findings(unreachable(diag.AppUnreachable, r.Target.AppURL, r.Target.Hosts, r.ProbesErr))
	}
	if o := r.needSecret("minting a conformant token for the app to accept"); o != nil {
		o.Evidence = append(o.Evidence, named("reachability", "the app answered every probe over https"))
		return *o
	}
	v, ok := r.Probes.validOutcome()
	if !ok {
		return judge.Findings(diag.New(diag.AppProbeFailed, "a conformant probe token", "none was minted"))
	}
	o := judge.Pass()
	o.Show("probe", outcomeText(v))
	if d, bad := misjudged(v); bad {
		if d.Code == diag.AppRejectsValidToken {
			d.Observed += "; the token was signed with AUTH_SECRET_KEY " + redact.Fingerprint(r.Target.Secret)
		}
		return o.Add(d)
	}
	return o
}

// appAcceptsBackend is JWT-APP-002: the backend's own token, delivered by
// the browser after login, or sent directly when the browser did not
// deliver it. An app that refuses it is blocked by the first token spec
// that failed — the app is right to refuse a non-conformant token — and
// fails only when none did.
func appAcceptsBackend(r *Run) judge.Outcome {
	ev, stop := r.needCookie()
	if stop != nil {
		return *stop
	}
	if r.Target.AppURL == "" {
		return *r.needAppForCookie()
	}
	res, how := ev.AppProbe, "delivered by the browser after login"
	if ev.Duplicated() && r.BackendProbe != nil && r.BackendProbe.Result.Error == "" {
		// The browser sent a leftover mf_jwt_token with it (JWT-COOKIE-010
		// reports that): judge the backend's token on its own.
		res, how = r.BackendProbe.Result, "sent to the app alone (the browser sent another mf_jwt_token with it; see "+string(result.JWTCookie010)+")"
	} else if !sent(ev.AppProbeCookie) {
		if r.BackendProbe == nil {
			// The gather sends it whenever the browser did not deliver
			// it; none means that step did not run (the run was stopped).
			unsent := judge.Findings(diag.New(diag.SetupFailed, "the backend's token sent to the app directly", "it was not sent"))
			return judge.Unmet("the browser did not deliver the token and it could not be sent directly").By(result.JWTCookie002).Else(unsent)
		}
		res, how = r.BackendProbe.Result, "sent to the app directly (the browser did not deliver it; see the JWT-COOKIE specs)"
		if res.Error != "" {
			failed := judge.Findings(diag.Newf(diag.AppProbeFailed, "an HTTP answer to the backend's token", "%s", answerText(res)))
			return judge.Unmet("the app did not answer the backend's token: %s", res.Error).By(result.JWTApp001).Else(failed)
		}
	}
	o := judge.Pass()
	o.Show("probe", how+": "+answerText(res))
	if res.Accepted {
		return o
	}
	refused := o.Add(diag.Newf(diag.AppRejectsValidToken, "200 for the backend's token",
		"%s, token %s", answerText(res), how))
	if d, late := expiredWithinLeeway(ev); late {
		// JWT-TOKEN-006 lets the token pass within its leeway, but the
		// token had expired: an app without leeway is right to refuse it.
		refused = judge.NotJudged(InputUnexpiredToken, "the app refused the backend's token (%s), which had expired on arrival: %s — within the leeway JWT-TOKEN-006 allows, but an app is right to refuse it", answerText(res), d.Observed)
	}
	return judge.Unmet("the app refuses the backend's token (%s), and the token is not conformant", answerText(res)).By(tokenFaults...).Else(refused)
}

// InputUnexpiredToken is what JWT-APP-002 needs when the backend's token
// had expired on arrival, within the leeway JWT-TOKEN-006 allows.
const InputUnexpiredToken = "a backend token that has not expired on arrival"

// expiredWithinLeeway returns the expiry finding of a token that had
// expired when it arrived although JWT-TOKEN-006, allowing the leeway,
// passes it.
func expiredWithinLeeway(ev *LoginEvidence) (diag.Diagnostic, bool) {
	p, ds := jwtcheck.Parse(ev.token())
	if p == nil || len(ds) > 0 {
		return diag.Diagnostic{}, false
	}
	if late := jwtcheck.CheckNotExpired(p, ev.clock(p), 0); len(late) > 0 {
		return late[0], true
	}
	return diag.Diagnostic{}, false
}

// appIdentity is JWT-APP-003.
func appIdentity(r *Run) judge.Outcome {
	pe, stop := r.needProbes()
	if stop != nil {
		return *stop
	}
	if o := r.needSecret("minting a token whose identity the app should show"); o != nil {
		return *o
	}
	v, ok := pe.validOutcome()
	if !ok || !v.Result.Accepted {
		return judge.Unmet("the app rejects conformant tokens")
	}
	got := v.Result.Identity()
	idField := r.Target.UserIDField
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
	o := judge.Pass()
	o.Show("probe", outcomeText(v))
	if len(diffs) > 0 {
		return o.Add(diag.Newf(diag.AppIdentityMismatch, "the app reports the token's user_id (and names, email when it shows them)",
			"%s", strings.Join(diffs, "; ")))
	}
	return o
}

// probeCheck is an app spec judged on the probes whose Code is code: the
// app must answer each as a conformant verifier would. A probe the app
// accepts when it must refuse is always a finding; refusals prove
// something only if the app accepts a conformant token (JWT-APP-001) —
// without AUTH_SECRET_KEY, the probes that need no key are judged alone.
func probeCheck(id result.SpecID, title string, code diag.Code) judge.Check[*Run] {
	return judge.Check[*Run]{ID: id, Title: title, After: probed, Judge: func(r *Run) judge.Outcome {
		pe, stop := r.needProbes()
		if stop != nil {
			return *stop
		}
		o := judge.Pass()
		// A probe the app must accept proves nothing against an app that
		// refuses even a conformant token: JWT-APP-001 reports that.
		v, haveValid := pe.validOutcome()
		validRefused := haveValid && !v.Result.Accepted
		var ran, skipped []string
		for _, p := range pe.Outcomes {
			if p.Probe.Code != code {
				continue
			}
			ran = append(ran, p.Probe.Name)
			o.Show("probe", outcomeText(p))
			if p.Probe.WantAccepted && validRefused {
				continue
			}
			if d, bad := misjudged(p); bad {
				o.Findings = append(o.Findings, d)
			}
		}
		if !pe.Keyed {
			skipped = keyedProbeNames(code)
		}
		if len(ran) == 0 {
			if len(skipped) > 0 {
				return judge.NotJudged(InputSecret, "every probe of this spec (%s) is signed with AUTH_SECRET_KEY, which was not given: set it in the environment (or --secret-file)", strings.Join(skipped, ", "))
			}
			return o.Add(diag.Newf(diag.AppProbeFailed, "probes for "+string(code), "no probe was minted"))
		}
		if len(skipped) > 0 {
			o.Show("not sent", "need AUTH_SECRET_KEY: "+strings.Join(skipped, ", "))
		}
		if o.Failing() || !pe.Keyed {
			return o
		}
		if validRefused {
			return judge.Unmet("the app rejects even a conformant token, so its answers to these probes prove nothing")
		}
		return o
	}}
}

// keyedProbeNames lists the probes of code that need AUTH_SECRET_KEY, as
// built with a key.
func keyedProbeNames(code diag.Code) []string {
	ps, err := jwtcheck.Probes([]byte("mfconform-probe-listing-key-not-a-secret"), ProbeIdentity, timeZero)
	if err != nil {
		return nil
	}
	var out []string
	for _, p := range ps {
		if p.Code == code && p.NeedsKey {
			out = append(out, p.Name)
		}
	}
	return out
}

// appGarbage is JWT-APP-010.
func appGarbage(r *Run) judge.Outcome {
	pe, stop := r.needProbes()
	if stop != nil {
		return *stop
	}
	o := judge.Pass()
	for _, p := range pe.Outcomes {
		if p.Result.Status >= 500 {
			o.Findings = append(o.Findings, diag.Newf(diag.AppServerError, "401 or 403", "probe %q (%s): %s", p.Probe.Name, p.Probe.Detail, answerText(p.Result)))
			continue
		}
		if isGarbage(p.Probe) {
			o.Show("probe", outcomeText(p))
			if d, bad := misjudged(p); bad {
				o.Findings = append(o.Findings, d)
			}
		}
	}
	return o
}

// misjudged returns the diagnostic for a probe the app answered wrongly.
func misjudged(o ProbeOutcome) (diag.Diagnostic, bool) {
	r := o.Result
	switch {
	case r.Status == 0 || r.Error != "":
		return diag.Newf(diag.AppProbeFailed, "an HTTP answer", "probe %q: %s", o.Probe.Name, answerText(r)), true
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

// answerText is a probe answer for an operator: status and the start of
// the body, cleaned of control characters.
func answerText(r ProbeResult) string {
	if r.Error != "" {
		return "request failed: " + result.Clean(r.Error)
	}
	body := strings.TrimSpace(r.Body)
	if rs := []rune(body); len(rs) > 200 {
		body = string(rs[:200]) + "…"
	}
	return fmt.Sprintf("HTTP %d %s", r.Status, result.Clean(body))
}

func outcomeText(o ProbeOutcome) string {
	want := "reject"
	if o.Probe.WantAccepted {
		want = "accept"
	}
	return fmt.Sprintf("%s (%s): want %s, got %s", o.Probe.Name, o.Probe.Detail, want, answerText(o.Result))
}
