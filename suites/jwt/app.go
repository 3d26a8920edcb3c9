package jwt

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

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
	judge.Check[*Run]{ID: result.JWTApp001, Title: "the app is reachable and accepts a conformant token signed with AUTH_SECRET_KEY, signing in its user_id", Judge: appAcceptsValid},
)

// appChecks are the other specs about the app's verifier. "Accepts" means
// what the probe path says of a signed-in user: the authenticated status
// with the token's user_id in the user id field (ProbeResult.read).
var appChecks = judge.InArea("app", []string{BundleProbes},
	judge.Check[*Run]{ID: result.JWTApp002, Title: "the app accepts the backend's own token, signing in its user_id", Judge: appAcceptsBackend, Bundles: []string{BundleLogin},
		After: append([]result.SpecID{result.JWTCookie001, result.JWTApp001, result.JWTCookie002}, tokenFaults...)},
	judge.Check[*Run]{ID: result.JWTApp003, Title: "the app shows the identity the token carries", Judge: appIdentity, After: probed},
	probeCheck(result.JWTApp004, "the app rejects tokens expired 2 minutes or more (a leeway under 2 minutes)", diag.AppAcceptsExpired),
	probeCheck(result.JWTApp005, "the app rejects wrong-key, tampered and stripped signatures", diag.AppAcceptsBadSignature),
	probeCheck(result.JWTApp006, "the app rejects unsigned tokens (alg none, None, NONE, nOnE)", diag.AppAcceptsAlgNone),
	probeCheck(result.JWTApp007, "the app rejects HS384 and HS512 tokens", diag.AppAcceptsOtherAlg),
	probeCheck(result.JWTApp008, "the app rejects tokens without user_id or exp", diag.AppAcceptsMissingClaim),
	probeCheck(result.JWTApp009, "the app accepts a fractional exp (the vendor's own Python example), signing in its user_id", diag.AppRejectsFractionalExp),
	judge.Check[*Run]{ID: result.JWTApp010, Title: "the app refuses garbage cookies (401, 403 or a redirect) and answers no probe with a 5xx", Judge: appGarbage, After: probed},
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

// probeUser is the user_id every probe token carries.
func probeUser() string { return fmt.Sprint(ProbeIdentity["user_id"]) }

// appAcceptsValid is JWT-APP-001: reachability is judged without the key,
// acceptance of a conformant token needs it. Accepted means signed in as
// the token's user: the authenticated status with the probe's user_id in
// the user id field.
func appAcceptsValid(r *Run) judge.Outcome {
	if o := r.needApp(); o != nil {
		return *o
	}
	if r.Probes == nil {
		return judge.Findings(unreachable(diag.AppUnreachable, r.Target.AppURL, r.Target.Hosts, r.ProbesErr))
	}
	if o := r.needSecret("minting a conformant token for the app to accept"); o != nil {
		o.Evidence = append(o.Evidence, named("reachability", r.Probes.reachability(r.Target.AppURL)))
		return *o
	}
	v, ok := r.Probes.validOutcome()
	if !ok {
		return judge.Findings(diag.New(diag.AppProbeFailed, "a conformant probe token", "none was minted"))
	}
	o := judge.Pass()
	o.Show("probe", outcomeText(v))
	d, bad := r.misjudged(v)
	if !bad {
		o.Show("signed in as", v.Result.UserID)
		return o
	}
	if d.Code == diag.AppRejectsValidToken {
		d.Observed += "; the token was signed with the AUTH_SECRET_KEY given to mfconform (" + redact.Fingerprint(r.Target.Secret) + ")"
		d = r.keys().appRefusesGiven(d)
	}
	return o.Add(d)
}

// reachability says how many probes the app answered and over what: the
// evidence JWT-APP-001 shows when it cannot judge acceptance (no key).
func (p *ProbeEvidence) reachability(appURL string) string {
	answered, firstErr := 0, ""
	for _, o := range p.Outcomes {
		switch {
		case o.Result.Error == "" && o.Result.Status != 0:
			answered++
		case firstErr == "":
			firstErr = o.Probe.Name + ": " + answerText(o.Result)
		}
	}
	s := fmt.Sprintf("the app at %s answered %d of %d probes", appURL, answered, len(p.Outcomes))
	if firstErr != "" {
		s += "; the first it did not answer: " + firstErr
	}
	return s
}

// appAcceptsBackend is JWT-APP-002: the backend's own token, delivered by
// the browser after login, or sent directly when the browser did not
// deliver it, must sign in the token's user_id. An app that refuses it is
// blocked by the first token spec that failed — the app is right to refuse
// a non-conformant token — or by JWT-APP-001 when the app refuses every
// token signed with the key, and fails only when neither explains it.
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
		res, how = r.BackendProbe.Result, "sent to the app directly, as the browser would send it (the browser did not deliver it; see the JWT-COOKIE specs)"
		if res.Error != "" {
			failed := judge.Findings(diag.Newf(diag.AppProbeFailed, "an HTTP answer to the backend's token", "%s", answerText(res)))
			return judge.Unmet("the app did not answer the backend's token: %s", res.Error).By(result.JWTApp001).Else(failed)
		}
	}
	o := judge.Pass()
	o.Show("probe", how+": "+answerText(res))
	want, comparable := ev.tokenUserID()
	expected := "the app signs in the token's user"
	if comparable {
		expected = fmt.Sprintf("%s with %s = %q", r.authenticatedText(), r.userIDField(), want)
	}
	switch res.verdict() {
	case verdictSignedIn:
		if !comparable {
			o.Show("signed in as", res.UserID+" (the token carries no string user_id to compare it with; JWT-TOKEN-004 judges the claim)")
			return o
		}
		if res.UserID == want {
			o.Show("signed in as", res.UserID)
			return o
		}
		mismatch := o.Add(diag.Newf(diag.AppIdentityMismatch, expected, "%s: the app signed in %q, not the token's user_id %q", answerText(res), res.UserID, want))
		return judge.Unmet("the app signs in another user than the token's").By(result.JWTApp001).For(diag.AppIdentityMismatch).Else(mismatch)
	case verdictServerError:
		crashed := o.Add(diag.Newf(diag.AppServerError, expected, "the backend's token, %s: %s — a server error, neither a sign-in nor a refusal", how, answerText(res)))
		return judge.Unmet("the app answered %s to the backend's token, which is not conformant", answerText(res)).By(tokenFaults...).
			Else(judge.Unmet("the app answers a conformant token with a server error").By(result.JWTApp001).For(diag.AppServerError).Else(crashed))
	case verdictNoIdentity, verdictNoPath:
		blind := o.Add(r.noIdentity(res, expected, "the backend's token, "+how))
		return judge.Unmet("the probe path does not say who is signed in").By(result.JWTApp001).For(diag.AppProbeNoIdentity).Else(blind)
	case verdictRefused:
	default:
		return o.Add(diag.Newf(diag.AppProbeFailed, expected, "the backend's token, %s: %s — neither signed in nor refused (401, 403 or a redirect)", how, answerText(res)))
	}
	d := diag.Newf(diag.AppRejectsValidToken, expected, "%s, token %s", answerText(res), how)
	refused := o.Add(r.keys().appRefusesBackend(d, ev.quoted()))
	if late, ok := expiredWithinLeeway(ev); ok {
		// JWT-TOKEN-006 lets the token pass within its leeway, but the
		// token had expired: an app without leeway is right to refuse it.
		refused = judge.NotJudged(InputUnexpiredToken, "the app refused the backend's token (%s), which had expired on arrival: %s — within the leeway JWT-TOKEN-006 allows, but an app is right to refuse it", answerText(res), late.Observed)
	}
	return judge.Unmet("the app refuses the backend's token (%s), and the token is not conformant", answerText(res)).By(tokenFaults...).
		Else(judge.Unmet("the app refuses tokens signed with the AUTH_SECRET_KEY given to mfconform").By(result.JWTApp001).For(diag.AppRejectsValidToken).Else(refused))
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

// appIdentity is JWT-APP-003: the conformant probe's answer shows its
// user_id, and its names and email where it shows them. Another user_id
// is JWT-APP-001's finding (it did not sign the token's user in).
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
		return judge.Unmet("mfconform did not see the app sign in a conformant token (JWT-APP-001)")
	}
	got := v.Result.Identity()
	idField := r.userIDField()
	var diffs []string
	for _, k := range []string{"user_id", "first_name", "last_name", "email"} {
		field := k
		if k == "user_id" {
			field = idField
		}
		want := fmt.Sprint(ProbeIdentity[k])
		if g, ok := got[field]; ok && fmt.Sprint(g) != want {
			diffs = append(diffs, fmt.Sprintf("%s: token %q, app %q", field, want, fmt.Sprint(g)))
		}
	}
	o := judge.Pass()
	o.Show("probe", outcomeText(v))
	if len(diffs) == 0 {
		return o
	}
	mismatch := o.Add(diag.Newf(diag.AppIdentityMismatch, "the app reports the token's user_id (and names, email when it shows them)",
		"%s", strings.Join(diffs, "; ")))
	if v.Result.UserID != probeUser() {
		return judge.Unmet("the app signs in another user than the token's").By(result.JWTApp001).For(diag.AppIdentityMismatch).Else(mismatch)
	}
	return mismatch
}

// probeCheck is an app spec judged on the probes whose Code is code (the
// garbage probes are JWT-APP-010's): the app must answer each as a
// conformant verifier would. A probe the app signs in when it must refuse
// is always a finding. Everything else proves something only if the app
// signs in a conformant token (JWT-APP-001): otherwise its refusals, its
// server errors and its unclear answers are blocked by JWT-APP-001.
// Without AUTH_SECRET_KEY the probes that need no key are judged alone,
// and a spec some of whose probes need the key passes only on all of
// them: the unsent part leaves it not judged.
func probeCheck(id result.SpecID, title string, code diag.Code) judge.Check[*Run] {
	return judge.Check[*Run]{ID: id, Title: title, After: probed, Judge: func(r *Run) judge.Outcome {
		pe, stop := r.needProbes()
		if stop != nil {
			return *stop
		}
		o := judge.Pass()
		v, haveValid := pe.validOutcome()
		validRefused := haveValid && !v.Result.Accepted
		var ran, refused []string
		var signedIn, other []diag.Diagnostic
		wrongUser := false
		for _, p := range pe.Outcomes {
			if p.Probe.Code != code || isGarbage(p.Probe) {
				continue
			}
			ran = append(ran, p.Probe.Name)
			o.Show("probe", outcomeText(p))
			d, bad := r.misjudged(p)
			switch {
			case !bad:
				if !p.Probe.WantAccepted {
					refused = append(refused, p.Probe.Name)
				}
			case !p.Probe.WantAccepted && r.signedIn(p):
				signedIn = append(signedIn, d)
			default:
				wrongUser = wrongUser || d.Code == diag.AppIdentityMismatch
				other = append(other, d)
			}
		}
		var skipped []string
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
		if len(signedIn) > 0 {
			// Signed in when it must refuse: proof whatever else the app does.
			return o.Add(signedIn...)
		}
		if validRefused {
			return judge.Unmet("mfconform did not see the app sign in even a conformant token (JWT-APP-001), so its answers to these probes prove nothing")
		}
		if len(other) > 0 {
			if wrongUser {
				return judge.Unmet("the app signs in another user than the token's").By(result.JWTApp001).For(diag.AppIdentityMismatch).Else(o.Add(other...))
			}
			return o.Add(other...)
		}
		if len(skipped) > 0 {
			// A pass would claim the unsent probes too (issue 22, A7).
			nj := judge.NotJudged(InputSecret, "the app refused the probes sent without the key (%s), but %s need AUTH_SECRET_KEY, which was not given: set it in the environment (or --secret-file)",
				strings.Join(refused, ", "), strings.Join(skipped, ", "))
			nj.Evidence = o.Evidence
			return nj
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

// appGarbage is JWT-APP-010: every garbage cookie refused (401, 403 or a
// redirect to the login, what README calls "not signed in"), and no probe
// at all answered with a 5xx. A garbage cookie's unclear answer proves
// something only if the app signs in a conformant token.
func appGarbage(r *Run) judge.Outcome {
	pe, stop := r.needProbes()
	if stop != nil {
		return *stop
	}
	v, haveValid := pe.validOutcome()
	validRefused := haveValid && !v.Result.Accepted
	o := judge.Pass()
	var unclear []diag.Diagnostic
	for _, p := range pe.Outcomes {
		if p.Result.verdict() == verdictServerError {
			d, _ := r.misjudged(p)
			o.Findings = append(o.Findings, d)
			continue
		}
		if !isGarbage(p.Probe) {
			continue
		}
		o.Show("probe", outcomeText(p))
		d, bad := r.misjudged(p)
		switch {
		case !bad:
		case r.signedIn(p):
			o.Findings = append(o.Findings, d)
		default:
			unclear = append(unclear, d)
		}
	}
	if len(unclear) > 0 && validRefused && !o.Failing() {
		return judge.Unmet("mfconform did not see the app sign in even a conformant token (JWT-APP-001), so its answers to garbage prove nothing")
	}
	return o.Add(unclear...)
}

// answerVerdict is what an answer of the probe path says.
type answerVerdict int

const (
	verdictNoAnswer    answerVerdict = iota // the request failed
	verdictSignedIn                         // authenticated status, a user id in the user id field
	verdictRefused                          // 401, 403 or a redirect
	verdictServerError                      // a 5xx: the app failed, it did not decide
	verdictNoIdentity                       // the authenticated status without a user id: the path does not say who is signed in
	verdictNoPath                           // 404, 405 or 410: the app has no such path (or hides it from a refused user)
	verdictOther                            // none of those
)

// verdict classifies an answer read with the target's markers (read).
func (p ProbeResult) verdict() answerVerdict {
	switch {
	case p.Error != "" || p.Status == 0:
		return verdictNoAnswer
	case p.Accepted:
		return verdictSignedIn
	case p.Status >= 500:
		return verdictServerError
	case p.Rejected:
		return verdictRefused
	case p.Authenticated:
		return verdictNoIdentity
	case p.Status == 404 || p.Status == 405 || p.Status == 410:
		return verdictNoPath
	}
	return verdictOther
}

// misjudged returns the finding for a probe the app answered wrongly: a
// probe a conformant verifier accepts must sign in the probe's user, one
// it refuses must be refused (401, 403 or a redirect). A 5xx is neither:
// the app crashed rather than decided (APP_SERVER_ERROR); an answer that
// does not say who is signed in is APP_PROBE_NO_IDENTITY.
func (r *Run) misjudged(o ProbeOutcome) (diag.Diagnostic, bool) {
	res := o.Result
	probe := fmt.Sprintf("probe %q (%s)", o.Probe.Name, o.Probe.Detail)
	expected := "a refusal: 401, 403 or a redirect to the login"
	if o.Probe.WantAccepted {
		expected = fmt.Sprintf("%s with %s = %q", r.authenticatedText(), r.userIDField(), probeUser())
	}
	switch res.verdict() {
	case verdictNoAnswer:
		return diag.Newf(diag.AppProbeFailed, "an HTTP answer", "%s: %s", probe, answerText(res)), true
	case verdictServerError:
		return diag.Newf(diag.AppServerError, expected, "%s: %s — a server error: the app failed instead of deciding", probe, answerText(res)), true
	case verdictNoIdentity:
		if r.signedIn(o) {
			return diag.Newf(o.Probe.Code, expected, "%s was accepted: %s — the status of a signed-in user, without a user id in %s (the probe path names the signed-in user: it named the conformant probe's)",
				probe, answerText(res), r.userIDField()), true
		}
		return r.noIdentity(res, expected, probe), true
	case verdictNoPath:
		// For a token the app must accept, or when no probe found the
		// path at all, the probe path is wrong; an app that signs in and
		// refuses at that path and hides it from some tokens answers
		// neither yes nor no to those.
		if o.Probe.WantAccepted || !r.Probes.pathAnswers() {
			return r.noIdentity(res, expected, probe), true
		}
	case verdictSignedIn:
		switch {
		case !o.Probe.WantAccepted:
			return diag.Newf(o.Probe.Code, expected, "%s was accepted: %s (signed in as %q)%s", probe, answerText(res), res.UserID, leewayText(o.Probe)), true
		case res.UserID != probeUser():
			return diag.Newf(diag.AppIdentityMismatch, expected, "%s: %s — signed in as %q, not the token's user_id %q", probe, answerText(res), res.UserID, probeUser()), true
		}
		return diag.Diagnostic{}, false
	case verdictRefused:
		if o.Probe.WantAccepted {
			return diag.Newf(o.Probe.Code, expected, "%s: %s", probe, answerText(res)), true
		}
		return diag.Diagnostic{}, false
	}
	return diag.Newf(diag.AppProbeFailed, expected, "%s: %s — neither signed in nor refused", probe, answerText(res)), true
}

// leewayText states what accepting an expired probe shows of the app's
// leeway (the catalogue's APP_ACCEPTS_EXPIRED promises it), "" for other
// probes.
func leewayText(p jwtcheck.Probe) string {
	if p.ExpiredBy <= 0 {
		return ""
	}
	// time.Duration's form without its zero units: 2m0s → 2m, 25h0m0s → 25h.
	d := p.ExpiredBy.Round(time.Second).String()
	for _, zero := range []string{"0s", "0m"} {
		if rest := strings.TrimSuffix(d, zero); rest != d && rest != "" && (strings.HasSuffix(rest, "m") || strings.HasSuffix(rest, "h")) {
			d = rest
		}
	}
	return "; so it takes a token at least " + d + " past its exp: no leeway of seconds"
}

// noIdentity is APP_PROBE_NO_IDENTITY for an answer that does not say who
// is signed in: what the path answered and, for JSON, the fields it had
// (so the operator can pick --user-id-field).
func (r *Run) noIdentity(res ProbeResult, expected, what string) diag.Diagnostic {
	path, field := r.Target.ProbePath, r.userIDField()
	var why string
	switch {
	case !res.Authenticated:
		why = fmt.Sprintf("the app has no such path (HTTP %d)", res.Status)
	case res.Identity() == nil:
		why = "the answer is not a JSON object, so it cannot name the signed-in user"
	default:
		keys := slices.Sorted(maps.Keys(res.Identity()))
		if len(keys) > 12 {
			keys = append(keys[:12], "…")
		}
		why = fmt.Sprintf("the JSON answer has no non-empty %q field (its fields: %s)", field, listOrNone(keys))
	}
	if len(res.Body) >= probeBodyLimit {
		why += fmt.Sprintf(" (mfconform reads the first %d bytes of an answer)", probeBodyLimit)
	}
	return diag.Newf(diag.AppProbeNoIdentity, expected, "%s: GET %s answered %s: %s", what, path, answerText(res), why)
}

// signedIn reports whether the app signed a probe in: its answer names a
// user; or, for a token the app must refuse — one without user_id
// cannot name one — the answer has the signed-in status while the
// conformant probe's answer, at the same path, did name its user.
func (r *Run) signedIn(o ProbeOutcome) bool {
	if o.Result.Accepted {
		return true
	}
	if o.Probe.WantAccepted || !o.Result.Authenticated || r.Probes == nil {
		return false
	}
	v, ok := r.Probes.validOutcome()
	return ok && v.Result.Accepted
}

// pathAnswers reports whether some probe found the probe path: signed in
// or refused there.
func (p *ProbeEvidence) pathAnswers() bool {
	if p == nil {
		return false
	}
	for _, o := range p.Outcomes {
		if v := o.Result.verdict(); v == verdictSignedIn || v == verdictRefused {
			return true
		}
	}
	return false
}

// userIDField is the JSON field of the probe path's answer that holds the
// user id (--user-id-field).
func (r *Run) userIDField() string {
	if r.Target.UserIDField == "" {
		return "user_id"
	}
	return r.Target.UserIDField
}

// authenticatedText is the signed-in status as an expectation.
func (r *Run) authenticatedText() string {
	if r.Target.AuthenticatedStatus == 0 {
		return "a 2xx answer"
	}
	return fmt.Sprintf("HTTP %d", r.Target.AuthenticatedStatus)
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
