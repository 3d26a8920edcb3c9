// Package jwt holds the specs of mfconform's JWT mode ("your own JWT"): the
// cookie the backend sets, the token inside it, and how the Miiflow app
// verifies it. Specs judge evidence gathered once per run in real Chromium;
// each spec has a stable ID in its text and mode/area labels.
package jwt

import (
	"context"
	"errors"
	"net/url"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo DSL

	"github.com/mfconform/mfconform/suites/cookieattr"
	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/redact"
)

// Labels of the three areas.
var (
	cookieArea = Label("mode:jwt", "area:cookie")
	tokenArea  = Label("mode:jwt", "area:token")
	appArea    = Label("mode:jwt", "area:app")
)

// current returns the run's environment and starts the evidence gathers; a
// spec without an environment skips (setup failed and is reported by the
// runner).
func current() *env.Env {
	GinkgoHelper()
	e := env.Get()
	if e == nil {
		judge.SkipBecause("the run's environment is not ready (setup failed)")
	}
	prefetch(e)
	return e
}

// loginRequired is for the spec that owns the login: it fails with the
// environment diagnostic when the login could not be observed.
func loginRequired(ctx context.Context) (*env.Env, *LoginEvidence) {
	GinkgoHelper()
	e := current()
	appOnly(e)
	ev, err := loginFuture.Wait(ctx)
	if err != nil && (ev == nil || ev.SetCookie == nil) {
		judge.Verdict(unreachable(e, diag.LoginUnreachable, e.Target.LoginURL, err))
	}
	return e, ev
}

// loginEvidence is for every other spec: it skips when the login could not
// be observed (JWT-COOKIE-001 reports why).
func loginEvidence(ctx context.Context) (*env.Env, *LoginEvidence) {
	GinkgoHelper()
	e := current()
	appOnly(e)
	ev, err := loginFuture.Wait(ctx)
	if ev == nil {
		judge.SkipBecause("the login could not be observed (see JWT-COOKIE-001): %v", err)
	}
	return e, ev
}

// withCookie is loginEvidence for specs about the cookie's attributes: it
// skips when the backend set no mf_jwt_token.
func withCookie(ctx context.Context) (*env.Env, *LoginEvidence, cookieattr.Attrs) {
	GinkgoHelper()
	e, ev := loginEvidence(ctx)
	if ev.SetCookie == nil {
		judge.SkipBecause("the backend set no mf_jwt_token cookie (see JWT-COOKIE-001)")
	}
	judge.Evidence("set-cookie", redact.SetCookie(ev.SetCookie.Line))
	judge.Evidence(judge.EvidenceCookies, cookieRows(ev))
	return e, ev, cookieattr.Parse(ev.SetCookie.Line)
}

// unreachable builds the environment diagnostic for a step that could not
// reach its target. An interrupted run is not the target's fault: the spec
// then ends without a diagnostic.
func unreachable(e *env.Env, code diag.Code, target string, err error) diag.Diagnostic {
	GinkgoHelper()
	// A step's own timeout can surface as a cancellation too: only the
	// run's context says whether the run was interrupted.
	if e.Interrupted() {
		Fail("interrupted before the evidence was gathered")
	}
	observed := err.Error()
	if errors.Is(err, context.DeadlineExceeded) {
		observed = "no answer before the timeout: " + observed
	}
	return diag.New(diag.Code(code), "an answer from "+target, observed)
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

// appOnly skips a spec that needs the backend in an app-only run.
func appOnly(e *env.Env) {
	GinkgoHelper()
	if e.Target.LoginURL == "" {
		judge.SkipBecause("app-only run: no login URL configured (--login-url), so there is no cookie or backend token to judge")
	}
}
