package supabase

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/result"
	"github.com/mfconform/mfconform/suites/sbcheck"
)

// browserChecks are the specs about supabase-js in Chromium on the app
// origin.
var browserChecks = judge.InArea("browser", []string{BundleConfig, BundleBrowser},
	judge.Check[*Run]{ID: result.SBBrowser001, Title: "CORS lets the app origin call the auth API with supabase-js's headers", Judge: browserCORS,
		After: keyed},
	judge.Check[*Run]{ID: result.SBBrowser002, Title: "supabase-js signs the test user in on the app origin and keeps a session", Judge: browserSignIn,
		After: append(slices.Clone(keyed), result.SBKey002, result.SBBrowser001)},
)

// browserCORS judges CORS for the app's origin: Chromium's verdicts on
// mfconform's page when the page runs on the app's origin (the reference
// project's app), else the project's answers for the app origin the
// operator names (appOriginCORS; origin.go says why).
func browserCORS(r *Run) judge.Outcome {
	if _, stop := r.usableKey(); stop != nil {
		return *stop
	}
	if r.AppCORS != nil {
		return appOriginCORS(r, r.AppCORS)
	}
	if !r.Target.Reference && r.Target.AppURL == "" {
		return judge.NotJudged("--app-origin", "the app's origin was not given (--app-origin): mfconform's supabase-js page runs on its own name %s, whose CORS answer is not your app's", r.Target.ClientURL)
	}
	b := r.Browser
	if b == nil {
		return judge.Findings(diag.Newf(diag.SetupFailed, "mfconform's supabase-js page runs on the app origin "+r.Target.ClientURL, "%v", r.BrowserErr))
	}
	o := judge.Outcome{Shots: b.Shots}
	o.Show("cors", b.Cors)
	o.Show("origin", r.Target.ClientURL)
	if b.Cors.Settings.OK && b.Cors.Token.OK {
		return o
	}
	if len(b.Redirects) > 0 {
		// The calls failed because the project sent them elsewhere.
		return addRedirects(o, b.Redirects)
	}
	chrome := "Chromium gave no CORS detail"
	if len(b.CorsErrs) > 0 {
		chrome = "Chromium: " + strings.Join(b.CorsErrs, "; ")
	}
	return o.Add(diag.Newf(diag.SupabaseCORSBlocked,
		"preflights from "+r.Target.ClientURL+" allowed for apikey, authorization, x-client-info, x-supabase-api-version, content-type",
		"GET /auth/v1/settings: %s; POST /auth/v1/token: %s; %s", stepText(b.Cors.Settings), stepText(b.Cors.Token), chrome))
}

func browserSignIn(r *Run) judge.Outcome {
	if _, stop := r.usableKey(); stop != nil {
		return *stop
	}
	if stop := r.needUser(); stop != nil {
		return *stop
	}
	b := r.Browser
	if b == nil {
		return judge.Unmet("supabase-js could not run in the browser: %v", r.BrowserErr).By(result.SBBrowser001)
	}
	if !b.Cors.Settings.OK || !b.Cors.Token.OK {
		if a := r.AppCORS; a != nil && a.Allowed() {
			// The project allows the app's origin but not the origin
			// supabase-js runs on here (an allow-list): the in-browser
			// sign-in cannot be tried, which is no finding about the app.
			return judge.NotJudged("CORS for "+r.Target.ClientURL, "the project's CORS allows your app's origin %s but not mfconform's supabase-js page on %s: allow that origin too for this run to judge sign-in in the browser", a.Origin, r.Target.ClientURL)
		}
		return judge.Unmet("the browser cannot call the auth API").By(result.SBBrowser001)
	}
	if b.Run == nil {
		// The CORS checks passed and the sign-in did not finish: this
		// spec's own finding, not SB-BROWSER-001's.
		return judge.Findings(diag.Newf(diag.SetupFailed, "supabase-js signs the test user in on "+r.Target.ClientURL, "it did not finish: %v", r.BrowserErr))
	}
	run := b.Run
	o := judge.Outcome{Shots: b.Shots}
	o.Show("origin", r.Target.ClientURL)
	o.Show("supabase-js", map[string]any{
		"signIn": run.SignIn, "getUser": run.GetUser, "refresh": run.Refresh, "signOut": run.SignOut,
		"session": run.Session.Present, "afterSignOut": run.AfterSignOut.Present, "storage": run.StorageKeys,
	})
	if len(b.Redirects) > 0 {
		// The CORS probe got through; supabase-js's own calls were sent
		// elsewhere.
		return addRedirects(o, b.Redirects)
	}
	if !run.Created {
		return o.Add(diag.Newf(diag.SupabaseSigninFailed, "createClient(url, key) succeeds", "supabase-js refused the configuration: %s", run.CreateError))
	}
	if !run.SignIn.OK {
		failed := o.Add(withBrowserPrefix(run.SignIn))
		if run.SignIn.Status == 401 {
			// The gateway refuses a secret key from a browser by design;
			// SB-KEY-002 reports that key, SB-KEY-005 any other refusal.
			return judge.Unmet("the gateway refused the key in the browser: %q", run.SignIn.Message).By(result.SBKey002, result.SBKey005).Else(failed)
		}
		return failed
	}
	if !run.Session.Present {
		return o.Add(diag.New(diag.SupabaseSigninFailed, "a session after signInWithPassword",
			"sign-in succeeded but getSession() returned none"))
	}
	return o
}

// addRedirects adds a finding for each redirect the browser met on the
// project, in order.
func addRedirects(o judge.Outcome, rds []Redirect) judge.Outcome {
	for _, rd := range rds {
		o = o.Add(rd.Finding(rd.Request + " from supabase-js in Chromium"))
	}
	return o
}

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
