package jwt

import (
	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	"github.com/mfconform/mfconform/suites/redact"
	"github.com/mfconform/mfconform/suites/result"
)

// seen is what one piece of evidence says: it was not observed, or yes,
// or no.
type seen int

const (
	unseen seen = iota
	yes
	no
)

// keyEvidence is what a run shows about which side holds which
// AUTH_SECRET_KEY — the key given to mfconform, the backend's and the
// app's — so a secret-mismatch finding names the side to fix when the
// evidence pins it, and only then (issue 22, item 4). mfconform never
// sees the backend's or the app's key: it sees whether tokens verify.
type keyEvidence struct {
	// given is the fingerprint of the key given to mfconform.
	given string
	// appTakesGiven: the app signed in the conformant probe minted with
	// the given key (JWT-APP-001), or refused it.
	appTakesGiven seen
	// backendUsesGiven: the backend's token verifies with the given key
	// (JWT-TOKEN-003), or does not.
	backendUsesGiven seen
	// appTakesBackend: the app signed in the backend's own token
	// (JWT-APP-002), or refused it.
	appTakesBackend seen
}

// keys reads the run's key evidence.
func (r *Run) keys() keyEvidence {
	k := keyEvidence{given: redact.Fingerprint(r.Target.Secret)}
	if len(r.Target.Secret) == 0 {
		return k
	}
	if r.Probes != nil {
		if v, ok := r.Probes.validOutcome(); ok {
			k.appTakesGiven = answered(v.Result)
		}
	}
	if ev := r.Login; ev != nil && ev.SetCookie != nil {
		if p, ds := jwtcheck.Parse(ev.token()); p != nil && len(ds) == 0 {
			k.backendUsesGiven = yes
			for _, d := range jwtcheck.CheckSignature(p, r.Target.Secret) {
				if d.Severity.Failing() {
					k.backendUsesGiven = no
				}
			}
		}
		if res, ok := r.backendAnswer(); ok {
			k.appTakesBackend = answered(res)
		}
	}
	return k
}

// answered reads a probe answer as yes (signed in), no (refused) or
// unseen (anything else).
func answered(res ProbeResult) seen {
	switch res.verdict() {
	case verdictSignedIn:
		return yes
	case verdictRefused:
		return no
	}
	return unseen
}

// backendAnswer is the app's answer to the backend's own token that
// JWT-APP-002 judges: on its own when the browser sent a leftover with
// it, as the browser delivered it, or as sent directly when the browser
// did not.
func (r *Run) backendAnswer() (ProbeResult, bool) {
	ev := r.Login
	direct := r.BackendProbe != nil && r.BackendProbe.Result.Error == ""
	switch {
	case ev == nil:
		return ProbeResult{}, false
	case ev.Duplicated() && direct:
		return r.BackendProbe.Result, true
	case sent(ev.AppProbeCookie):
		return ev.AppProbe, true
	case direct:
		return r.BackendProbe.Result, true
	}
	return ProbeResult{}, false
}

// givenIsOdd is the cause and fix when the backend and the app agree on
// a key that is not the one given to mfconform.
func (k keyEvidence) givenIsOdd(d diag.Diagnostic) diag.Diagnostic {
	return d.Settled("The app refuses a token minted with the AUTH_SECRET_KEY given to mfconform ("+k.given+", JWT-APP-001) "+
		"and signs in the backend's own token (JWT-APP-002), whose signature that key does not verify: the backend and the app "+
		"share a key, and it is not the one given to mfconform.", keysProof).
		WithFix("Give mfconform the key the backend and the app hold (AUTH_SECRET_KEY in its environment, or --secret-file) " +
			"and run again; the deployment needs no change for this.")
}

// backendSigns words TOKEN_SIGNATURE_MISMATCH (JWT-TOKEN-003: the
// backend's token does not verify with the given key) with the side the
// evidence shows.
func (k keyEvidence) backendSigns(d diag.Diagnostic) diag.Diagnostic {
	switch {
	case k.appTakesGiven == yes:
		return d.Settled("The app signs in a token minted with the AUTH_SECRET_KEY given to mfconform ("+k.given+", JWT-APP-001), "+
			"so the app holds that key; the backend's token does not verify with it, so the backend signs with another key.", keysProof).
			Claiming(result.Claim{OtherKey: result.SideBackend}).
			WithFix("Fix the backend: set its AUTH_SECRET_KEY to the key given to mfconform (" + k.given + ", the one the app " +
				"already holds) — the same bytes: no added quotes, newline or base64 step — and restart the backend so it reads " +
				"the new value. The app needs no change.")
	case k.appTakesGiven == no && k.appTakesBackend == yes:
		return k.givenIsOdd(d)
	}
	return d
}

// appRefusesGiven words APP_REJECTS_VALID_TOKEN of JWT-APP-001 (the app
// refuses a conformant token minted with the given key) with the side
// the evidence shows.
func (k keyEvidence) appRefusesGiven(d diag.Diagnostic) diag.Diagnostic {
	switch {
	case k.backendUsesGiven == yes:
		return d.Proven("The backend's token verifies with the AUTH_SECRET_KEY given to mfconform ("+k.given+", JWT-TOKEN-003), "+
			"so the backend signs with that key; the app refuses a conformant token minted with it.", keysProof).Likely(
			diag.Maybe("The app holds another key.",
				"compare the fingerprint of the app's AUTH_SECRET_KEY (printf '%s' \"$AUTH_SECRET_KEY\" | sha256sum, where the app reads it) with "+k.given+"."),
			diag.Maybe("The app's key is the same, and it refuses something else in a conformant token.",
				"the app's log for the probe's time says what it refused.")).
			WithFix("Fix the app: set the Miiflow app's AUTH_SECRET_KEY to the key given to mfconform (" + k.given + ", the one " +
				"the backend signs with) — the same bytes: no added quotes, newline or base64 step — and restart the app's " +
				"container so it reads the new value. The backend needs no change.")
	case k.backendUsesGiven == no && k.appTakesBackend == yes:
		return k.givenIsOdd(d)
	}
	return d
}

// appRefusesBackend words APP_REJECTS_VALID_TOKEN of JWT-APP-002 (the app
// refuses the backend's token, no token spec found it at fault) with what
// the evidence shows; quoted adds the hypothesis of a cookie parser that
// keeps the value's double quotes.
func (k keyEvidence) appRefusesBackend(d diag.Diagnostic, quoted bool) diag.Diagnostic {
	if k.appTakesGiven == yes && k.backendUsesGiven == yes {
		d = d.Settled("The keys agree: the app signs in a token minted with the AUTH_SECRET_KEY given to mfconform ("+k.given+
			", JWT-APP-001), and the backend's token verifies with that same key (JWT-TOKEN-003). So the app refuses something "+
			"else in the backend's token or in the way it arrives.", keysProof)
		if quoted {
			d = d.Likely(quotedValue)
		}
		return d.
			WithFix("Read the app's log for the reason it gives; compare the backend's decoded token (shown with the JWT-TOKEN " +
				"specs) with the conformant probe the app signs in (JWT-APP-001) — a fractional exp is JWT-APP-009's — and make " +
				"the backend's token match it. The keys need no change.")
	}
	if quoted {
		return d.Likely(append([]diag.Hypothesis{quotedValue}, d.Hypotheses...)...)
	}
	return d
}

// keysProof is the evidence that settles which side holds which key.
const keysProof = "the app's answers to mfconform's token (JWT-APP-001) and to the backend's (JWT-APP-002), and the backend's token's signature check (JWT-TOKEN-003)"

// quotedValue is the hypothesis of a cookie parser that keeps the value's
// double quotes.
var quotedValue = diag.Maybe("The cookie's value is wrapped in double quotes (JWT-TOKEN-001) and the app's cookie parser keeps them, so its verifier gets a value that is not a JWS.",
	"the app's log for the probe's time; the cookie's value in the evidence starts with a quote.")
