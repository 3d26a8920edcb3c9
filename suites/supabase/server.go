package supabase

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	"github.com/mfconform/mfconform/suites/result"
	"github.com/mfconform/mfconform/suites/sbcheck"
)

// Inputs that judge the app's own server side better.
const (
	InputServerCheckURL   = "supabase.server_check.url"
	InputServerCheckField = "supabase.server_check.user_field"
)

// appServerSaw is SB-COOKIE-007 on the app's own server side
// (supabase.server_check): the navigation there after the app's sign-in
// must carry every session cookie (Chromium's verdicts) and be answered
// with the signed-in status and the test user's id in the user field. A
// refusal or a redirect is SUPABASE_SERVER_NOT_SIGNED_IN, with what was
// sent and a cause that says what the evidence proves and ranks what it
// leaves open; a session the project refuses, or a chunk missing, is
// SB-COOKIE-003's finding.
func (r *Run) appServerSaw(c *CookieEvidence, g *sbcheck.CookieSession, o judge.Outcome) judge.Outcome {
	v := c.AppServer
	if v == nil {
		return o.Add(diag.New(diag.SetupFailed, "a navigation to your server side's page "+r.Target.ServerCheck.URL, "it was not made"))
	}
	o.Show("server side", map[string]any{
		"judged": "your app's own server side (supabase.server_check)", "url": v.URL, "status": v.Status,
		"location": v.Location, "ended on": v.FinalURL, "sent": sentText(v.Verdicts, g), "answer": snippet(v.Body),
	})
	if v.Err != nil {
		return o.Add(diag.Newf(diag.AppUnreachable, "your server side's page "+v.URL+" loads in Chromium", "%v", v.Err))
	}
	var withheld []string
	domain := false
	for _, n := range g.Names {
		switch vv := verdictFor(v.Verdicts, n); {
		case vv == nil:
			withheld = append(withheld, n+" not considered (Chromium's cookie store did not offer it for this URL)")
		case !vv.Sent:
			withheld = append(withheld, n+" withheld ("+strings.Join(vv.Reasons, ", ")+")")
			domain = domain || slices.Contains(vv.Reasons, "DomainMismatch")
		}
	}
	if len(withheld) > 0 {
		nd := o.Add(diag.Newf(diag.SupabaseCookieNotDelivered, "every session cookie sent on the navigation to "+v.URL,
			"Chromium: %s", strings.Join(withheld, "; ")))
		if domain {
			return judge.Unmet("the cookies' Domain does not cover %s", hostOf(v.URL)).By(result.SBCookie004).Else(nd)
		}
		return nd
	}
	want := storedUserID(g)
	chk := v.Check
	expected := fmt.Sprintf("HTTP %d from %s with %q = the test user's id %s", chk.SignedInStatus, v.URL, chk.UserField, orDash(want))
	answer := fmt.Sprintf("HTTP %d", v.Status)
	if v.Location != "" {
		answer += " to " + v.Location
	}
	if v.FinalURL != "" && v.FinalURL != v.URL {
		answer += " (the navigation ended on " + v.FinalURL + ")"
	}
	var explain func(diag.Diagnostic) diag.Diagnostic
	switch {
	case v.Status == chk.SignedInStatus && v.Location == "":
		got, found, jsonDoc := userField(v.Body, chk.UserField)
		switch {
		case !jsonDoc:
			return judge.NotJudged(InputServerCheckField, "your server side answered %s, but not with JSON, so the signed-in user cannot be read: point supabase.server_check.url (--server-check-url) at a page that answers JSON with the user's id", answer)
		case !found:
			return judge.NotJudged(InputServerCheckField, "your server side answered %s, but its JSON has no %q (its members: %s): set supabase.server_check.user_field (--server-check-user-field) to the field that holds the signed-in user's id", answer, chk.UserField, strings.Join(jsonMembers(v.Body), ", "))
		case got == want && want != "":
			o.Show("signed in as", got)
			return o
		}
		answer += fmt.Sprintf(" with %q = %q", chk.UserField, got)
		explain = func(d diag.Diagnostic) diag.Diagnostic {
			return d.Proven("The server side read a session, but another user's than the one this sign-in stored ("+orDash(want)+"): it reads a session other than the browser's newest.",
				"the server side's answer, in the observation").Likely(
				diag.Maybe("A cookie an earlier sign-in left under another name or scope.",
					"sign out, clear the site's cookies, sign in again and reload the page: the test user then appears."),
				diag.Maybe("A cache of the server side's own.",
					"the page's response headers (Age, Cache-Control) or the server's cache settings."))
		}
	case v.Status == 404:
		return judge.NotJudged(InputServerCheckURL, "your server side's page %s answered HTTP 404: check supabase.server_check.url (--server-check-url)", v.URL)
	default:
		explain = func(d diag.Diagnostic) diag.Diagnostic { return explainNotSignedIn(d, c, g, v) }
	}
	observed := fmt.Sprintf("sent %s; the page answered %s", sentText(v.Verdicts, g), answer)
	if v.Body != "" {
		observed += ": " + snippet(v.Body)
	}
	if c.ScriptErr != nil {
		observed += "; before this, the login_script stopped (" + c.ScriptErr.Error() + "): the signed-in page did not appear"
	}
	refused := o.Add(explain(diag.Newf(diag.SupabaseServerNotSignedIn, expected, "%s", observed)))
	refused.Shots = c.Shots
	return judge.Unmet("the cookies do not hold a session the project accepts").By(result.SBCookie003).Else(refused)
}

// sessionName matches a Supabase session cookie name in a server's answer.
var sessionName = regexp.MustCompile(`sb-[A-Za-z0-9_-]+?-auth-token`)

// explainNotSignedIn gives the refusal after every session cookie was sent
// its cause: proven when the server's answer names the cookie it reads,
// otherwise what the evidence rules out, as fact, and the hypotheses it
// leaves, most likely first, each with how to tell.
func explainNotSignedIn(d diag.Diagnostic, c *CookieEvidence, g *sbcheck.CookieSession, v *AppServerVisit) diag.Diagnostic {
	stored := g.Key
	ref := strings.TrimSuffix(strings.TrimPrefix(stored, "sb-"), "-auth-token")
	var named []string
	for _, n := range sessionName.FindAllString(v.Body, 5) {
		if n != stored && !slices.Contains(named, n) {
			named = append(named, n)
		}
	}
	if len(named) > 0 {
		other := strings.TrimSuffix(strings.TrimPrefix(named[0], "sb-"), "-auth-token")
		return d.Settled(fmt.Sprintf("The server's answer names %s, while the browser stored the session as %s (named for NEXT_PUBLIC_SUPABASE_URL's ref %s). Its createServerClient is built with another project URL — one whose host's first label is %q — so it reads a cookie the browser does not have.",
			strings.Join(named, ", "), stored, ref, other), "the server side's answer, in the observation")
	}
	ruled := fmt.Sprintf("Chromium sent every session cookie (%s), so their Domain and Path cover %s and no chunk is missing", strings.Join(g.Names, ", "), hostOf(v.URL))
	proof := "Chromium's verdicts on the navigation to the server side"
	if c.Verify != nil && ok2xx(c.Verify.Status) {
		ruled += ", and the project accepts the session's access token (GET /auth/v1/user answered it)"
		proof += " and the project's answer to GET /auth/v1/user"
	}
	return d.Proven(ruled+"; yet the server side did not sign the test user in.", proof+", in the observation").Likely(
		diag.Maybe("The server side reads another cookie name: @supabase/ssr's createServerClient names it sb-<first label of the project URL it is built with>-auth-token, and the browser's is "+stored+
			"; a server built with another URL (an internal address such as http://kong:8000 names it sb-kong-auth-token; another project's URL) finds no session.",
			"log the URL your server passes to createServerClient and the names of the cookies it receives (cookies().getAll())."),
		diag.Maybe("The server side verifies the session with another project or key, so supabase.auth.getUser() fails there.",
			"its logs show that error for this request."),
		diag.Maybe("The server side reads the session from somewhere else (an Authorization header, a cookie of its own).",
			"read the page's code."))
}

// storedUserID is the signed-in user's id as the stored session says: its
// user.id, else its access token's sub.
func storedUserID(g *sbcheck.CookieSession) string {
	if g.Session == nil {
		return ""
	}
	if g.Session.UserID != "" {
		return g.Session.UserID
	}
	if p, _ := jwtcheck.Parse(g.Session.AccessToken); p != nil {
		sub, _ := p.Claims["sub"].(string)
		return sub
	}
	return ""
}

// userField reads field (a dotted path such as user.id) of a JSON answer:
// its value as text, whether it was there, and whether the answer is a
// JSON object at all.
func userField(body, field string) (value string, found, isJSON bool) {
	var doc any
	if json.Unmarshal([]byte(strings.TrimSpace(body)), &doc) != nil {
		return "", false, false
	}
	if _, ok := doc.(map[string]any); !ok {
		return "", false, false
	}
	for _, part := range strings.Split(field, ".") {
		m, ok := doc.(map[string]any)
		if !ok {
			return "", false, true
		}
		if doc, ok = m[part]; !ok {
			return "", false, true
		}
	}
	switch x := doc.(type) {
	case string:
		return x, true, true
	case nil:
		return "", true, true
	case map[string]any, []any:
		b, _ := json.Marshal(x)
		return string(b), true, true
	default:
		return fmt.Sprint(x), true, true
	}
}

// jsonMembers are the top-level member names of a JSON object answer.
func jsonMembers(body string) []string {
	var m map[string]json.RawMessage
	if json.Unmarshal([]byte(strings.TrimSpace(body)), &m) != nil || len(m) == 0 {
		return []string{"none"}
	}
	var out []string
	for k := range m {
		out = append(out, result.Clean(result.Cut(k, 64)))
	}
	slices.Sort(out)
	if len(out) > 20 {
		out = append(out[:20], "…")
	}
	return out
}

// sentText lists the session cookies the browser sent, with their sizes
// (name plus value), never their values.
func sentText(vs []browser.CookieVerdict, g *sbcheck.CookieSession) string {
	var parts []string
	for _, n := range g.Names {
		if vv := verdictFor(vs, n); vv != nil && vv.Sent {
			parts = append(parts, fmt.Sprintf("%s (%d bytes)", n, vv.Size))
		}
	}
	if len(parts) == 0 {
		return "no session cookie"
	}
	return strings.Join(parts, ", ")
}

// snippet is the start of a page's text, for a finding.
func snippet(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return result.Clean(result.Cut(s, 300))
}
