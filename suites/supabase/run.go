// Package supabase holds the specs of mfconform's Supabase mode: the two
// variables the Miiflow frontend gets (NEXT_PUBLIC_SUPABASE_URL and
// NEXT_PUBLIC_SUPABASE_KEY), the project behind them, the real supabase-js
// sign-in in Chromium (on the app origin, or beside it on a name of
// mfconform's: origin.go), and the session tokens. Evidence
// is gathered once per run (Gather) before the specs run; each spec is a
// pure judgment of it (Checks), which the runner registers as a Ginkgo
// table entry (judge.Table).
package supabase

import (
	"fmt"
	"slices"
	"time"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/netfail"
	"github.com/mfconform/mfconform/suites/result"
	"github.com/mfconform/mfconform/suites/sbcheck"
)

// Run is what Supabase mode's specs judge.
type Run struct {
	Target     env.SupabaseTarget
	Thresholds env.Thresholds
	// Now is our clock when the evidence was gathered.
	Now time.Time
	// URL and Key are the two variables as read.
	URL sbcheck.URLInfo
	Key sbcheck.KeyInfo
	// Config is what the project answers without a browser; nil when the
	// URL is unusable.
	Config *ConfigEvidence
	// Browser is what supabase-js did in Chromium; BrowserErr why not.
	Browser    *BrowserEvidence
	BrowserErr error
	// AppCORS is the project's CORS answer for the app's own origin when
	// mfconform's supabase-js page runs on another (origin.go); nil when
	// the page's origin is the app's, or none was given.
	AppCORS *OriginCORS
	// Session is the Go-side session work; SessionErr why not.
	Session    *SessionEvidence
	SessionErr error
	// Cookie is the app's session in the browser (cookies, localStorage)
	// and where it travels; CookieErr why it could not be observed.
	Cookie    *CookieEvidence
	CookieErr error
}

// Evidence bundles of Supabase mode.
const (
	BundleConfig  = "supabase_config"
	BundleBrowser = "supabase_browser"
	BundleSession = "supabase_session"
	BundleCookie  = "supabase_cookie_session"
)

// Inputs an operator can give that judge more specs.
const (
	InputTestUser  = "SUPABASE_TEST_EMAIL and SUPABASE_TEST_PASSWORD"
	InputJWTSecret = "SUPABASE_JWT_SECRET"
	InputLogout    = "supabase.logout_script"
)

// Checks are Supabase mode's specs, in the order the report prints them.
func Checks() []judge.Check[*Run] {
	var out []judge.Check[*Run]
	for _, group := range [][]judge.Check[*Run]{configChecks, keyChecks, browserChecks, sessionChecks, keySecretChecks, cookieChecks} {
		out = append(out, group...)
	}
	return out
}

func stop(o judge.Outcome) *judge.Outcome { return &o }

func ok2xx(status int) bool { return status >= 200 && status < 300 }

// reachable returns the configuration evidence, or why a spec that needs
// the project to answer cannot judge: an unusable URL is SB-CONFIG-001's
// finding, a project that does not answer as Supabase Auth SB-CONFIG-002's.
func (r *Run) reachable() (*ConfigEvidence, *judge.Outcome) {
	if r.URL.Origin == "" || r.Config == nil {
		return nil, stop(judge.Unmet("NEXT_PUBLIC_SUPABASE_URL is not usable").By(result.SBConfig001))
	}
	if r.Config.Health.Err != nil {
		return nil, stop(judge.Unmet("the project does not answer").By(result.SBConfig002))
	}
	if r.Config.notAuth() {
		return nil, stop(judge.Unmet("the URL answers, but not as Supabase Auth").By(result.SBConfig002))
	}
	return r.Config, nil
}

// reach, keyed and signedIn are the prerequisites of the specs that need
// the project to answer (reachable), the gateway to take the key
// (usableKey), and the test user signed in with supabase-js.
var (
	reach    = []result.SpecID{result.SBConfig001, result.SBConfig002}
	keyed    = append(slices.Clone(reach), result.SBKey001, result.SBKey005)
	signedIn = append(slices.Clone(keyed), result.SBKey002, result.SBBrowser001, result.SBBrowser002)
)

// usableKey is reachable for specs that need the gateway to take the key:
// an unreadable key is SB-KEY-001's finding, a refused one SB-KEY-005's.
func (r *Run) usableKey() (*ConfigEvidence, *judge.Outcome) {
	c, o := r.reachable()
	if o != nil {
		return nil, o
	}
	if r.Key.Clean == "" || r.Key.Kind == sbcheck.KeyUnknown {
		return nil, stop(judge.Unmet("NEXT_PUBLIC_SUPABASE_KEY is not usable").By(result.SBKey001))
	}
	if c.Settings.Err != nil {
		return nil, stop(judge.Findings(unreachable("GET /auth/v1/settings", c.Settings.Err)))
	}
	if !ok2xx(c.Settings.Status) {
		return nil, stop(judge.Unmet("the gateway refuses the key").By(result.SBKey005))
	}
	return c, nil
}

// needUser returns why a spec that signs the test user in cannot judge.
func (r *Run) needUser() *judge.Outcome {
	if r.Target.Email == "" || r.Target.Password == "" {
		return stop(judge.NotJudged(InputTestUser, "no test user: set SUPABASE_TEST_EMAIL and SUPABASE_TEST_PASSWORD to check sign-in and sessions"))
	}
	return nil
}

// needSecret returns why a spec that needs the project's JWT secret
// cannot judge.
func (r *Run) needSecret(what string) *judge.Outcome {
	if len(r.Target.JWTSecret) > 0 {
		return nil
	}
	return stop(judge.NotJudged(InputJWTSecret, "%s needs the project's JWT secret (Supabase → Settings → API → JWT secret; JWT_SECRET in a self-hosted .env): set SUPABASE_JWT_SECRET", what))
}

// unreachable is the environment diagnostic for a request that got no
// answer; the URL the Go client's error names tells the host.
func unreachable(what string, err error) diag.Diagnostic {
	d := diag.Newf(diag.SupabaseURLUnreachable, "an answer to "+what, "%v", err)
	return netfail.Explain(d, netfail.Classify("", err, nil))
}

// answered returns nil when a got an HTTP answer, else the outcome that
// says the project could not be reached, or redirected the request: a
// request that failed is never a pass.
func answered(what string, a Answer) *judge.Outcome {
	if a.Redirect != nil {
		// Not an answer: where it points is not the project (or not
		// what was asked), and mfconform does not go there.
		return stop(judge.Findings(a.Redirect.Finding(what)))
	}
	if a.Err == nil && a.Status != 0 {
		return nil
	}
	err := a.Err
	if err == nil {
		err = fmt.Errorf("no answer was recorded")
	}
	return stop(judge.Findings(unreachable(what, err)))
}
