package supabase

import (
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo DSL

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/sbcheck"
)

var _ = Describe("Supabase in the browser", browserArea, func() {
	It("SB-BROWSER-001: CORS lets the app origin call the auth API with supabase-js's headers", func(ctx SpecContext) {
		e, _ := usableKey(ctx)
		b, err := browserFuture.Wait(ctx)
		if err != nil {
			interrupted(err)
			judge.Verdict(diag.Newf(diag.SetupFailed, "mfconform's supabase-js page runs on "+e.Supabase.ClientURL, "%v", err))
		}
		judge.Evidence("cors", b.Cors)
		if b.Cors.Settings.OK && b.Cors.Token.OK {
			return
		}
		chrome := "Chromium gave no CORS detail"
		if len(b.CorsErrs) > 0 {
			chrome = "Chromium: " + strings.Join(b.CorsErrs, "; ")
		}
		judge.VerdictShowing(b.Shots, diag.Newf(diag.SupabaseCORSBlocked,
			"preflights from "+e.Supabase.ClientURL+" allowed for apikey, authorization, x-client-info, x-supabase-api-version, content-type",
			"GET /auth/v1/settings: %s; POST /auth/v1/token: %s; %s", stepText(b.Cors.Settings), stepText(b.Cors.Token), chrome))
	})

	It("SB-BROWSER-002: supabase-js signs the test user in on the app origin and keeps a session", func(ctx SpecContext) {
		e, _ := usableKey(ctx)
		credentials(e)
		b, err := browserFuture.Wait(ctx)
		if err != nil || b.Run == nil {
			interrupted(err)
			judge.SkipBecause("supabase-js could not run in the browser (see SB-BROWSER-001): %v", err)
		}
		if !b.Cors.Settings.OK || !b.Cors.Token.OK {
			judge.SkipBecause("the browser cannot call the auth API (see SB-BROWSER-001)")
		}
		r := b.Run
		judge.Evidence("supabase-js", map[string]any{
			"signIn": r.SignIn, "getUser": r.GetUser, "refresh": r.Refresh, "signOut": r.SignOut,
			"session": r.Session.Present, "afterSignOut": r.AfterSignOut.Present, "storage": r.StorageKeys,
		})
		if !r.Created {
			judge.VerdictShowing(b.Shots, diag.Newf(diag.SupabaseSigninFailed, "createClient(url, key) succeeds", "supabase-js refused the configuration: %s", r.CreateError))
		}
		if !r.SignIn.OK {
			if r.SignIn.Status == 401 {
				judge.SkipBecause("the gateway refused the key in the browser: %q (see the SB-KEY specs)", r.SignIn.Message)
			}
			judge.VerdictShowing(b.Shots, withBrowserPrefix(r.SignIn))
		}
		if !r.Session.Present {
			judge.VerdictShowing(b.Shots, diag.New(diag.SupabaseSigninFailed, "a session after signInWithPassword",
				"sign-in succeeded but getSession() returned none"))
		}
	})
})

func withBrowserPrefix(s StepResult) diag.Diagnostic {
	d := sbcheck.SigninVerdict(s.Status, s.Code, s.Message)
	d.Observed = "supabase-js signInWithPassword: " + d.Observed
	if s.Name != "" {
		d.Observed += " (" + s.Name + ")"
	}
	return d
}

func stepText(s StepResult) string {
	switch {
	case s.OK:
		return fmt.Sprintf("allowed (HTTP %d)", s.Status)
	case s.Error != "":
		return "blocked: " + s.Error
	default:
		return "blocked"
	}
}
