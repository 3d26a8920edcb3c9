package supabase

import (
	"context"
	"io"
	"net/http"
	"strings"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/result"
	"github.com/mfconform/mfconform/suites/sbcheck"
)

// Why the app's own origin is judged from Go. A page's origin decides the
// Origin header of every request it makes, and the project's CORS answer
// depends on nothing else a page controls. mfconform's supabase-js page
// runs on a name of mfconform's beside the app (mfconform-client.<the
// app's parent domain>, same site as the app, another origin): the app's
// own host name is the operator's, reached through --resolve or DNS, and
// mfconform never serves a page there. Chromium's verdicts on that page
// are therefore the project's answer to mfconform's origin, not the app's;
// a gateway that lists allowed origins can tell them apart. So when the
// operator names the app origin (--app-origin), SB-BROWSER-001 is judged
// on the app origin itself: mfconform sends the requests supabase-js sends
// (the preflights and the requests, with the same headers) from Go with
// Origin set to the app's, and applies the browser's own rules to the
// answers (sbcheck.CORSRefusal, the Fetch Standard's CORS-preflight fetch
// and CORS check). Chromium's verdicts on mfconform's page are shown beside
// it. Without --app-origin the app origin is unknown and the spec is not
// judged. The embedded reference project is the exception that needs none
// of this: its app is mfconform's and runs on the page's origin.

// OriginCORS is the project's CORS answer for the app's own origin, on
// which no page of mfconform's runs.
type OriginCORS struct {
	// Origin is the app's origin as a browser serializes it.
	Origin string
	// Settings and Token are supabase-js's GET /auth/v1/settings and POST
	// /auth/v1/token, made with that Origin.
	Settings, Token OriginStep
}

// OriginStep is one request supabase-js makes, asked as a browser would:
// the preflight, then the request, and the browser's verdict on both.
type OriginStep struct {
	Request   sbcheck.CORSRequest
	Preflight Answer
	Actual    Answer
	// Refused says why a browser on the origin would refuse the answer;
	// "" when it would allow it.
	Refused string
}

// Allowed reports whether a browser on the app's origin gets both answers:
// nothing refused, failed or redirected.
func (a *OriginCORS) Allowed() bool {
	for _, s := range []OriginStep{a.Settings, a.Token} {
		if s.Refused != "" || s.Err() != nil || s.Preflight.Redirect != nil || s.Actual.Redirect != nil {
			return false
		}
	}
	return true
}

// Err is the transport error that left the step unjudged, or nil.
func (s OriginStep) Err() error {
	if s.Preflight.Err != nil {
		return s.Preflight.Err
	}
	return s.Actual.Err
}

// Text is the step's verdict for an operator.
func (s OriginStep) Text() string {
	switch {
	case s.Err() != nil:
		return "request failed: " + result.Clean(s.Err().Error())
	case s.Refused != "":
		return "refused: " + result.Clean(s.Refused)
	}
	return "allowed"
}

// supabaseJSHeaders are the headers supabase-js sends on every auth call
// (see driver.js and ../shared/docs/supabase-facts.md).
var supabaseJSHeaders = []string{"apikey", "authorization", "x-client-info", "x-supabase-api-version"}

// corsProbeEmail is driver.js's PROBE_EMAIL: a sign-in that cannot succeed.
const corsProbeEmail = "cors-probe@invalid.test"

// appOwnOrigin is the origin the app's own browser code runs on, when it is
// not the origin of mfconform's supabase-js page: "" for the reference
// project's app (which is the page's) and when no --app-origin was given.
func appOwnOrigin(t env.SupabaseTarget) string {
	app := sbcheck.SerializeOrigin(t.AppURL)
	if app == "" || app == sbcheck.SerializeOrigin(t.ClientURL) {
		return ""
	}
	return app
}

// gatherOriginCORS asks the project what supabase-js asks, with the app's
// Origin, as a browser would.
func gatherOriginCORS(ctx context.Context, e *env.Env, u sbcheck.URLInfo, k sbcheck.KeyInfo, origin string) *OriginCORS {
	base := map[string]string{"apikey": k.Clean, "authorization": "Bearer " + k.Clean, "x-client-info": clientInfo, "x-supabase-api-version": "2024-01-01"}
	post := map[string]string{"content-type": "application/json;charset=UTF-8"}
	for name, v := range base {
		post[name] = v
	}
	body := `{"email":"` + corsProbeEmail + `","password":"x"}`
	return &OriginCORS{
		Origin:   origin,
		Settings: originStep(ctx, e, origin, "GET", u.Origin+"/auth/v1/settings", base, ""),
		Token:    originStep(ctx, e, origin, "POST", u.Origin+"/auth/v1/token?grant_type=password", post, body),
	}
}

// originStep sends one request's preflight (when a browser would) and the
// request itself, both with Origin, and judges them.
func originStep(ctx context.Context, e *env.Env, origin, method, url string, headers map[string]string, body string) OriginStep {
	s := OriginStep{Request: sbcheck.CORSRequest{Origin: origin, Method: method}}
	for name := range headers {
		s.Request.Headers = append(s.Request.Headers, name)
	}
	if s.Request.NeedsPreflight() {
		s.Preflight = corsExchange(ctx, e, "OPTIONS", url, map[string]string{
			"Access-Control-Request-Method":  method,
			"Access-Control-Request-Headers": strings.Join(s.Request.UnsafeHeaders(), ","),
		}, origin, "")
		if s.Preflight.Err != nil {
			return s
		}
	}
	s.Actual = corsExchange(ctx, e, method, url, headers, origin, body)
	if s.Actual.Err == nil {
		s.Refused = sbcheck.CORSRefusal(s.Request, s.Preflight.Status, s.Preflight.Header, s.Actual.Header)
	}
	return s
}

// corsExchange makes one bounded request with Origin and headers.
func corsExchange(ctx context.Context, e *env.Env, method, url string, headers map[string]string, origin, body string) Answer {
	pctx, cancel := context.WithTimeout(ctx, e.Timeouts.Probe)
	defer cancel()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(pctx, method, url, rd)
	if err != nil {
		return Answer{Err: err}
	}
	for name, v := range headers {
		req.Header.Set(name, v)
	}
	req.Header.Set("Origin", origin)
	resp, err := e.HTTP.Do(req)
	if err != nil {
		return Answer{Err: err, At: e.Now()}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	return Answer{Status: resp.StatusCode, Body: b, Header: resp.Header, Err: err, At: e.Now(),
		Redirect: newRedirect(method, req.URL, resp.StatusCode, resp.Header.Get("Location"))}
}

// appOriginCORS judges SB-BROWSER-001 on the app's own origin: the
// project's answers to supabase-js's requests with that Origin, by the
// browser's rules, with Chromium's verdicts on mfconform's page beside
// them.
func appOriginCORS(r *Run, a *OriginCORS) judge.Outcome {
	o := judge.Outcome{}
	o.Show("cors", map[string]any{
		"origin":      a.Origin,
		"judged":      "mfconform's requests with Origin: " + a.Origin + ", by the Fetch Standard's CORS rules (no page of mfconform's runs on your app's origin)",
		"settings":    a.Settings.Text(),
		"token":       a.Token.Text(),
		"page_origin": r.Target.ClientURL,
	})
	if b := r.Browser; b != nil {
		o.Shots = b.Shots
		o.Show("cors_on_mfconform_page", b.Cors)
	}
	if err := a.Settings.Err(); err != nil {
		return o.Add(diag.Newf(diag.SetupFailed, "GET /auth/v1/settings with Origin: "+a.Origin, "%v", err))
	}
	if err := a.Token.Err(); err != nil {
		return o.Add(diag.Newf(diag.SetupFailed, "POST /auth/v1/token with Origin: "+a.Origin, "%v", err))
	}
	// A redirect is no answer: the app's supabase-js, whose fetch follows
	// it, would send the key (and, for the sign-in, the password) on to
	// wherever it points. That is the finding, whatever its CORS headers.
	var redirected bool
	for _, step := range []OriginStep{a.Settings, a.Token} {
		for _, ans := range []Answer{step.Preflight, step.Actual} {
			if ans.Redirect != nil {
				o, redirected = o.Add(ans.Redirect.Finding(ans.Redirect.Request+" with Origin: "+a.Origin)), true
			}
		}
	}
	if redirected {
		return o
	}
	if a.Settings.Refused == "" && a.Token.Refused == "" {
		return o
	}
	return o.Add(diag.Newf(diag.SupabaseCORSBlocked,
		"preflights from "+a.Origin+" (your app's origin) allowed for apikey, authorization, x-client-info, x-supabase-api-version, content-type",
		"GET /auth/v1/settings: %s; POST /auth/v1/token: %s (the project's answers to mfconform's requests with Origin: %s, as a browser judges them)",
		a.Settings.Text(), a.Token.Text(), a.Origin))
}
