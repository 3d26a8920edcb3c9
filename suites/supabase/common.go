// Package supabase holds the specs of mfconform's Supabase mode: the two
// variables the Miiflow frontend gets (NEXT_PUBLIC_SUPABASE_URL and
// NEXT_PUBLIC_SUPABASE_KEY), the project behind them, the real supabase-js
// sign-in in Chromium on the app origin, and the session tokens.
package supabase

import (
	"context"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo DSL

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/sbcheck"
)

// Labels of the four areas.
var (
	configArea  = Label("mode:supabase", "area:config")
	keyArea     = Label("mode:supabase", "area:key")
	browserArea = Label("mode:supabase", "area:browser")
	sessionArea = Label("mode:supabase", "area:session")
)

// current returns the run's environment and starts the evidence gathers.
func current() *env.Env {
	GinkgoHelper()
	e := env.Get()
	if e == nil || e.Supabase == nil {
		judge.SkipBecause("the run's environment is not ready (setup failed)")
	}
	prefetch(e)
	return e
}

// config waits for the configuration evidence.
func config(ctx context.Context) (*env.Env, *ConfigEvidence) {
	GinkgoHelper()
	e := current()
	ev, err := configFuture.Wait(ctx)
	if err != nil {
		interrupted(err)
		judge.SkipBecause("the configuration could not be read: %v", err)
	}
	return e, ev
}

// reachable is config for specs that need the project to answer: it skips
// when the URL is unusable or unreachable (SB-CONFIG specs report why).
func reachable(ctx context.Context) (*env.Env, *ConfigEvidence) {
	GinkgoHelper()
	e, ev := config(ctx)
	if ev.URL.Origin == "" {
		judge.SkipBecause("NEXT_PUBLIC_SUPABASE_URL is not usable (see SB-CONFIG-001)")
	}
	if ev.Health.Err != nil {
		judge.SkipBecause("the project does not answer (see SB-CONFIG-002)")
	}
	return e, ev
}

// usableKey is reachable for specs that need the gateway to take the key.
func usableKey(ctx context.Context) (*env.Env, *ConfigEvidence) {
	GinkgoHelper()
	e, ev := reachable(ctx)
	if ev.Key.Clean == "" || ev.Key.Kind == sbcheck.KeyUnknown {
		judge.SkipBecause("NEXT_PUBLIC_SUPABASE_KEY is not usable (see SB-KEY-001)")
	}
	if !ok2xx(ev.Settings.Status) {
		judge.SkipBecause("the gateway refuses the key (see SB-KEY-005)")
	}
	return e, ev
}

// interrupted ends the spec without a diagnostic when the run was stopped.
func interrupted(err error) {
	GinkgoHelper()
	// A step's own timeout can surface as a cancellation too: only the
	// run's context says whether the run was interrupted.
	if err != nil && env.Get().Interrupted() {
		Fail("interrupted before the evidence was gathered")
	}
}

func ok2xx(status int) bool { return status >= 200 && status < 300 }

// credentials skips a spec that needs the test user when none was given.
func credentials(e *env.Env) {
	GinkgoHelper()
	if e.Supabase.Email == "" || e.Supabase.Password == "" {
		judge.SkipBecause("no test user: set SUPABASE_TEST_EMAIL and SUPABASE_TEST_PASSWORD to check sign-in and sessions")
	}
}

// unreachable is the environment diagnostic for a project that does not
// answer.
func unreachable(target string, err error) diag.Diagnostic {
	return diag.Newf(diag.SupabaseURLUnreachable, "an answer from "+target, "%v", err)
}
