// Package jwt holds the specs of mfconform's JWT mode ("your own JWT"): the
// cookie the backend sets, the token inside it, and how the Miiflow app
// verifies it. Evidence is gathered once per run in real Chromium and over
// HTTP (Gather) before the specs run; each spec is a pure judgment of that
// evidence (Checks), registered as a Ginkgo table entry with a stable ID and
// mode/area labels.
package jwt

import (
	"net/url"
	"time"

	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/judge"
)

// Run is what JWT mode's specs judge: the target, the thresholds, and the
// evidence bundles gathered before the specs ran.
type Run struct {
	Target                 env.Target
	Thresholds             env.Thresholds
	BlockThirdPartyCookies bool
	// Login is the login flow's evidence (nil when it was not gathered or
	// nothing could be observed); LoginErr says what went wrong.
	Login    *LoginEvidence
	LoginErr error
	// Probes are the app's answers to the probe tokens; ProbesErr says
	// why there are none.
	Probes    *ProbeEvidence
	ProbesErr error
	// BackendProbe is the backend's own token sent to the app over HTTP,
	// for when the browser did not deliver it (nil otherwise, or when the
	// backend set none).
	BackendProbe *ProbeOutcome
}

// Evidence bundles of JWT mode.
const (
	BundleLogin  = "jwt_login_flow"
	BundleProbes = "jwt_app_probes"
)

// Inputs an operator can give that judge more specs.
const (
	InputSecret = "AUTH_SECRET_KEY"
	InputApp    = "--app-url"
)

// Scopes that exclude specs.
const (
	scopeAppOnly   = "app-only run"
	scopeReference = "backend-only run"
)

// current is the run the specs judge, set by Gather.
var current *Run

// Current returns the run the specs judge.
func Current() *Run { return current }

// Checks are JWT mode's specs, in the order they are listed.
func Checks() []judge.Check[*Run] {
	var out []judge.Check[*Run]
	out = append(out, cookieChecks...)
	out = append(out, tokenChecks...)
	out = append(out, appChecks...)
	return out
}

var _ = judge.Table("jwt", Checks(), Current)

// outcome is a helper for judgments that end early: a pointer to an
// outcome, nil meaning "go on".
func stop(o judge.Outcome) *judge.Outcome { return &o }

// needLogin returns why a spec about the backend's cookie or token cannot
// judge, or nil: an app-only run has no backend, and a login that could
// not be observed blocks every spec but JWT-COOKIE-001, which reports it.
func (r *Run) needLogin() *judge.Outcome {
	switch {
	case r.Target.LoginURL == "":
		return stop(judge.OutOfScope(scopeAppOnly,
			"app-only run (no --login-url): there is no backend cookie or token to judge"))
	case r.Login == nil:
		return stop(judge.Blocked("JWT-COOKIE-001", "the login could not be observed: %v", r.LoginErr))
	}
	return nil
}

// needCookie is needLogin for specs about mf_jwt_token itself: they are
// blocked when the backend set none.
func (r *Run) needCookie() (*LoginEvidence, *judge.Outcome) {
	if o := r.needLogin(); o != nil {
		return nil, o
	}
	if r.Login.SetCookie == nil {
		return nil, stop(judge.Blocked("JWT-COOKIE-001", "the backend set no mf_jwt_token cookie"))
	}
	return r.Login, nil
}

// needApp returns why a spec about the app itself cannot judge, or nil:
// a backend-only run's app is mfconform's own reference verifier, and a run
// without an app URL has nothing to probe.
func (r *Run) needApp() *judge.Outcome {
	switch {
	case r.Target.AppIsReference:
		return stop(judge.OutOfScope(scopeReference,
			"backend-only run (--app-url reference): the app is mfconform's reference verifier, so the app specs would judge mfconform, not your deployment"))
	case r.Target.AppURL == "":
		return stop(judge.NotJudged(InputApp,
			"no app to judge: give --app-url with your Miiflow app's URL (or --app-url reference for the built-in verifier)"))
	}
	return nil
}

// needSecret returns why a spec that needs AUTH_SECRET_KEY cannot judge.
func (r *Run) needSecret(what string) *judge.Outcome {
	if len(r.Target.Secret) > 0 {
		return nil
	}
	return stop(judge.NotJudged(InputSecret, "AUTH_SECRET_KEY was not given, and %s needs it: set it in the environment (or --secret-file)", what))
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

func pathOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Path == "" {
		return "/"
	}
	return u.Path
}

// timeZero is a fixed instant for work that needs a clock but no real time.
var timeZero = time.Unix(1_800_000_000, 0)
