// Package jwt holds the specs of mfconform's JWT mode ("your own JWT"): the
// cookie the backend sets, the token inside it, and how the Miiflow app
// verifies it. Evidence is gathered once per run in real Chromium and over
// HTTP (Gather) before the specs run; each spec is a pure judgment of that
// evidence (Checks), which the runner registers as Ginkgo table entries
// with a stable ID and mode/area labels (judge.Table).
package jwt

import (
	"net/url"
	"strings"
	"time"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	"github.com/mfconform/mfconform/suites/result"
	"github.com/mfconform/mfconform/suites/stack"
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

// Checks are JWT mode's specs, in the order the report prints them: the
// app's reachability first (JWT-APP-001: the cookie specs that follow the
// cookie into the app need an app that answers), then the cookie, the
// token and the rest of the app. Each one's findings carry their fix in
// the idiom of the stack that answered (withStackFixes).
func Checks() []judge.Check[*Run] {
	var out []judge.Check[*Run]
	out = append(out, reachChecks...)
	out = append(out, cookieChecks...)
	out = append(out, tokenChecks...)
	out = append(out, appChecks...)
	for i := range out {
		out[i].Judge = withStackFixes(out[i].Judge)
	}
	return out
}

// withStackFixes is the step after a judgment: every finding's generic
// fix is swapped for the fix in the idiom of the stack the evidence
// points to (the backend's for cookie and token codes, the app's for
// verifier codes), when the fix table has one.
func withStackFixes(j func(*Run) judge.Outcome) func(*Run) judge.Outcome {
	return func(r *Run) judge.Outcome {
		o := j(r)
		if r != nil {
			o.Findings = stack.Apply(o.Findings, r.Stacks(), r.fixVars())
		}
		return o
	}
}

// Stacks are the guesses at the software that answered: the backend's
// from the login response (its headers, the other cookies it set, the
// mf_jwt_token line's shape), the app's from its answers to the probes.
// A role without evidence gets no guess; mfconform's own reference app is
// never guessed at.
func (r *Run) Stacks() []result.StackGuess {
	var out []result.StackGuess
	if ev := r.Login; ev != nil {
		var x *browser.Exchange
		switch {
		case ev.SetBy != nil:
			x = ev.SetBy
		case len(ev.Chain) > 0:
			x = &ev.Chain[len(ev.Chain)-1]
		}
		if x != nil {
			e := stack.Evidence{Headers: x.ResponseHeaders, Cookies: ev.Others, Given: stack.ID(r.Target.BackendStack)}
			if ev.SetCookie != nil {
				e.SetCookie = ev.SetCookie.Line
			}
			out = append(out, stack.Detect(stack.RoleBackend, e))
		}
	}
	if r.Probes != nil && len(r.Probes.Outcomes) > 0 && !r.Target.AppIsReference {
		e := stack.Evidence{Given: stack.ID(r.Target.AppStack)}
		for _, o := range r.Probes.Outcomes {
			if o.Result.Error == "" && o.Result.Status != 0 {
				e.Headers, e.Cookies = o.Result.Headers, o.Result.SetCookies
				break
			}
		}
		out = append(out, stack.Detect(stack.RoleApp, e))
	}
	return out
}

// fixVars are the concrete values the fixes are shown with: the
// registrable domain both hosts share, and the leftover cookie of a
// duplicate.
func (r *Run) fixVars() stack.Vars {
	v := stack.DefaultVars()
	if d, ok, err := jwtcheck.RegistrableDomains(hostOf(r.Target.LoginURL), hostOf(r.Target.AppURL)); err == nil && ok {
		v.Domain = d
		v.StaleHost = hostOf(r.Target.AppURL)
	}
	if ev := r.Login; ev != nil {
		if l, ok := ev.leftover(); ok {
			v.StaleHost, v.StaleDomain, v.StalePath = strings.TrimPrefix(l.Domain, "."), "", l.Path
			if strings.HasPrefix(l.Domain, ".") {
				v.StaleDomain = strings.TrimPrefix(l.Domain, ".")
			}
		}
	}
	return v
}

// outcome is a helper for judgments that end early: a pointer to an
// outcome, nil meaning "go on".
func stop(o judge.Outcome) *judge.Outcome { return &o }

// needLogin returns why a spec about the backend's cookie or token cannot
// judge, or nil: an app-only run has no backend, and a login that could
// not be observed is JWT-COOKIE-001's finding.
func (r *Run) needLogin() *judge.Outcome {
	switch {
	case r.Target.LoginURL == "":
		return stop(judge.OutOfScope(scopeAppOnly,
			"app-only run (no --login-url): there is no backend cookie or token to judge"))
	case r.Login == nil:
		return stop(judge.Unmet("the login could not be observed: %v", r.LoginErr).By(result.JWTCookie001))
	}
	return nil
}

// needCookie is needLogin for specs about mf_jwt_token itself: the
// backend setting none is JWT-COOKIE-001's finding.
func (r *Run) needCookie() (*LoginEvidence, *judge.Outcome) {
	if o := r.needLogin(); o != nil {
		return nil, o
	}
	if r.Login.SetCookie == nil {
		return nil, stop(judge.Unmet("the backend set no mf_jwt_token cookie").By(result.JWTCookie001))
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
