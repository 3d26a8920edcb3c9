package supabase

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chromedp/cdproto/network"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	"github.com/mfconform/mfconform/suites/result"
	"github.com/mfconform/mfconform/suites/sbcheck"
)

// cookieChecks are the specs about the app's session in the browser: where
// it lives and, when @supabase/ssr keeps it in cookies, whether those
// cookies reach the server side on sibling hosts, survive embedding and go
// away on sign-out. They judge the cookie bundle; the earlier specs they
// declare explain a sign-in that did not complete.
var cookieChecks = judge.InArea("cookie", []string{BundleConfig, BundleBrowser, BundleSession, BundleCookie},
	judge.Check[*Run]{ID: result.SBCookie001, Title: "after sign-in the session is stored: in sb-<ref>-auth-token cookies (@supabase/ssr) or in localStorage (shown)", Judge: cookieWhere,
		After: signedIn},
	judge.Check[*Run]{ID: result.SBCookie002, Title: "the session cookie is named for NEXT_PUBLIC_SUPABASE_URL's project ref", Judge: cookieName,
		After: sessionStored},
	judge.Check[*Run]{ID: result.SBCookie003, Title: "its chunks are complete, each at most 4096 bytes, and reassemble to a session the project accepts", Judge: cookieChunks,
		After: append(slices.Clone(sessionCookies), result.SBSession001)},
	judge.Check[*Run]{ID: result.SBCookie004, Title: "its Domain covers every host that must share the session (--session-host)", Judge: cookieDomainCovers,
		After: sessionCookies},
	judge.Check[*Run]{ID: result.SBCookie005, Title: "the session cookies are Secure on an https app", Judge: cookieSecureFlag,
		After: sessionCookies},
	judge.Check[*Run]{ID: result.SBCookie006, Title: "SameSite fits how the app is used: Lax top-level, None and Secure when embedded cross-site (proven in an iframe)", Judge: cookieSameSiteUse,
		After: sessionCookies},
	judge.Check[*Run]{ID: result.SBCookie007, Title: "the session reaches the app's server side on navigation, which reads the signed-in user (supabase.server_check; else mfconform's stand-in on a sibling host, named as such)", Judge: cookieDelivered,
		After: append(slices.Clone(sessionCookies), result.SBCookie003, result.SBCookie004)},
	judge.Check[*Run]{ID: result.SBCookie008, Title: "sign-out removes every chunk at every scope it was set (no stale session)", Judge: cookieSignOut,
		After: append(slices.Clone(sessionCookies), result.SBCookie007)},
)

// sessionStored and sessionCookies are the prerequisites of the specs
// that need the app's session stored (SB-COOKIE-001, which explains a
// sign-in that did not complete) and, besides, its cookies under the
// expected name (SB-COOKIE-002).
var (
	sessionStored  = append(slices.Clone(keyed), result.SBCookie001)
	sessionCookies = append(slices.Clone(sessionStored), result.SBCookie002)
)

// Scopes that exclude cookie specs.
const (
	scopeLocalStorage = "localStorage session"
	scopeReferenceApp = "reference app (no supabase.login_script)"
	scopeNoSibling    = "no sibling host"
	scopeNoServer     = "no server side named"
)

// signInBlockers are the specs that explain why the reference app could
// not sign the test user in, in the order they explain it.
var signInBlockers = []result.SpecID{result.SBKey002, result.SBKey005, result.SBBrowser001, result.SBBrowser002}

// cookieSignedIn returns the cookie evidence of a completed sign-in, or why
// spec cannot judge. SB-COOKIE-001 reports what went wrong (unless an
// earlier spec explains it); the others rest on SB-COOKIE-001.
func (r *Run) cookieSignedIn(spec result.SpecID) (*CookieEvidence, *judge.Outcome) {
	if _, st := r.usableKey(); st != nil {
		return nil, st
	}
	script := len(r.Target.LoginScript) > 0
	if !script {
		if st := r.needUser(); st != nil {
			return nil, st
		}
	}
	c := r.Cookie
	if spec != result.SBCookie001 && (c == nil || !c.signedIn()) {
		return nil, stop(judge.Unmet("the app's sign-in did not complete").By(result.SBCookie001))
	}
	if c == nil {
		err := r.CookieErr
		if err == nil {
			err = r.Target.ClientErr
		}
		failed := judge.Findings(diag.Newf(diag.SetupFailed, "the app's sign-in runs in Chromium on "+r.appOrigin(), "%v", err))
		if !script && r.Target.ClientErr != nil {
			return nil, stop(judge.Unmet("supabase-js could not run in the browser: %v", r.Target.ClientErr).By(result.SBBrowser001).Else(failed))
		}
		return nil, stop(failed)
	}
	if !c.signedIn() {
		o := judge.Outcome{Shots: c.Shots}
		failed := o.Add(diag.Newf(diag.SupabaseCookieSigninFailed, "the test user signed in through "+c.Writer, "%s", signInText(c)))
		if !script {
			return nil, stop(judge.Unmet("the app could not sign the test user in").By(signInBlockers...).Else(failed))
		}
		return nil, stop(failed)
	}
	return c, nil
}

// signInText says how the sign-in failed.
func signInText(c *CookieEvidence) string {
	if c.SignInErr != nil {
		return c.SignInErr.Error()
	}
	s := c.SignIn
	return fmt.Sprintf("the app's client answered %s (HTTP %d %s): %s", orDash(s.Name), s.Status, orDash(s.Code), s.Message)
}

// cookieStored returns the cookie evidence of an app that keeps its
// session in cookies, with an outcome showing them, or why spec cannot
// judge: out of scope for a localStorage app, blocked when the session is
// stored nowhere (SB-COOKIE-001).
func (r *Run) cookieStored(spec result.SpecID) (*CookieEvidence, judge.Outcome, *judge.Outcome) {
	c, st := r.cookieSignedIn(spec)
	if st != nil {
		return nil, judge.Outcome{}, st
	}
	o := judge.Outcome{Shots: c.Shots}
	o.Show("writer", result.Clean(writerText(r, c)))
	o.Show(result.EvidenceCookies, cookieRows(c))
	if len(c.Groups()) == 0 {
		if len(c.LocalKeys) > 0 {
			return nil, o, stop(judge.OutOfScope(scopeLocalStorage, fmt.Sprintf(
				"the app keeps its session in localStorage (%s), as supabase-js without @supabase/ssr does: no cookie carries it to a server side",
				strings.Join(c.LocalKeys, ", "))))
		}
		return nil, o, stop(judge.Unmet("the session is stored nowhere in the browser").By(result.SBCookie001))
	}
	readable := false
	for _, g := range c.Groups() {
		readable = readable || g.Bytes > 0
	}
	if !readable {
		return nil, o, stop(judge.Unmet("nothing of the session is read from the chunks stored (no %s.0 to start from)", c.ExpectedKey).By(result.SBCookie001))
	}
	return c, o, nil
}

// cookieGroup is cookieStored with the ExpectedKey's cookies, blocked by
// SB-COOKIE-002 when there are none.
func (r *Run) cookieGroup(spec result.SpecID) (*CookieEvidence, *sbcheck.CookieSession, judge.Outcome, *judge.Outcome) {
	c, o, st := r.cookieStored(spec)
	if st != nil {
		return nil, nil, o, st
	}
	g := c.Group()
	if g == nil {
		return nil, nil, o, stop(judge.Unmet("no cookie is named %s", c.ExpectedKey).By(result.SBCookie002))
	}
	return c, g, o, nil
}

// appChoice is cookieGroup for the specs that judge the app's own cookie
// options (Domain, Secure, SameSite, sign-out): out of scope when the
// session was written by mfconform's reference app for a real project.
func (r *Run) appChoice(spec result.SpecID) (*CookieEvidence, *sbcheck.CookieSession, judge.Outcome, *judge.Outcome) {
	if !r.Target.Reference && len(r.Target.LoginScript) == 0 {
		return nil, nil, judge.Outcome{}, stop(judge.OutOfScope(scopeReferenceApp,
			"no supabase.login_script: mfconform's reference @supabase/ssr page wrote the session on its own name beside your app ("+r.Target.ClientURL+"), so its Domain, "+
				"Secure, SameSite and sign-out are mfconform's choices, not your app's; give supabase.login_script (and logout_script) to judge your app's cookies"))
	}
	return r.cookieGroup(spec)
}

// appOrigin is the origin the app's session is written on.
func (r *Run) appOrigin() string {
	if r.Target.AppURL != "" && len(r.Target.LoginScript) > 0 {
		return r.Target.AppURL
	}
	return r.Target.ClientURL
}

// writerText says who wrote the session.
func writerText(r *Run, c *CookieEvidence) string {
	if c.Writer == WriterScript {
		return "the app's own sign-in page, driven by supabase.login_script (ended on " + c.AppURL + ")"
	}
	if r.Target.Reference {
		return "the reference app (@supabase/ssr createBrowserClient) on " + r.Target.ClientURL
	}
	return "mfconform's reference @supabase/ssr page on " + r.Target.ClientURL + ", a name of mfconform's beside your app (your app's own host is never served by mfconform): no supabase.login_script was given"
}

// cookieWhere is SB-COOKIE-001: where the session lives after sign-in
// (informational), failing only when it lives nowhere.
func cookieWhere(r *Run) judge.Outcome {
	c, st := r.cookieSignedIn(result.SBCookie001)
	if st != nil {
		return *st
	}
	o := judge.Outcome{Shots: c.Shots}
	o.Show("writer", result.Clean(writerText(r, c)))
	where := map[string]any{}
	for _, g := range c.Groups() {
		where["cookies "+g.Key] = g.Names
	}
	if len(c.LocalKeys) > 0 {
		var keys []string
		for _, k := range c.LocalKeys {
			keys = append(keys, result.Clean(k))
		}
		where["localStorage"] = keys
	}
	if r.Target.Reference && r.Browser != nil && r.Browser.Run != nil {
		where["the plain supabase-js profile (SB-BROWSER-002): localStorage"] = r.Browser.Run.StorageKeys
	}
	o.Show("session storage", where)
	readable := len(c.LocalKeys) > 0
	for _, g := range c.Groups() {
		readable = readable || g.Bytes > 0
	}
	if len(c.Writes) > 0 || len(c.Cookies) > 0 {
		o.Show(result.EvidenceCookies, cookieRows(c))
	}
	if readable {
		if c.ScriptErr != nil {
			o = o.Add(diag.Newf(diag.SupabaseLoginScriptStepFailed, "every supabase.login_script step completes",
				"%v — yet the app had already stored the session, so the sign-in itself completed; the page the step waited for did not appear (the screenshot shows the page the script stopped on)", c.ScriptErr))
		}
		return o
	}
	if gs := c.Groups(); len(gs) > 0 {
		// Chunks are stored, but none a reader starts from (A11): the
		// session is not stored in any form a server side reads.
		o.Show("chunks", chunkView(&gs[0]))
		return o.Add(diag.New(diag.SupabaseCookieChunkMissing, "the session in "+c.ExpectedKey+", or its chunks .0, .1, … from .0", unreadText(c)))
	}
	observed := "no sb-…-auth-token cookie in the cookie store and no such localStorage key on " + orDash(c.AppURL)
	if len(c.Writes) > 0 {
		observed += "; the page wrote " + writesText(c.Writes) + ", none of which Chromium kept"
		o.Show(result.EvidenceCookies, cookieRows(c))
	} else {
		observed += "; the page wrote no session cookie (persistSession: false keeps the session in memory only)"
	}
	return o.Add(diag.New(diag.SupabaseCookieSessionNotStored, "the session in sb-"+r.URL.Ref+"-auth-token cookies or in localStorage", observed))
}

// unreadText says why stored session chunks read to nothing: the chunk a
// reader starts from is absent (and, when the page wrote it, why Chromium
// did not keep it).
func unreadText(c *CookieEvidence) string {
	var parts []string
	for _, g := range c.Groups() {
		var have []string
		for _, n := range g.Names {
			have = append(have, fmt.Sprintf("%s (%d bytes)", n, g.Sizes[n]))
		}
		part := fmt.Sprintf("the cookie store holds %s but neither %s nor %s, so nothing of the session is read (@supabase/ssr reads %s or %s.0, .1, … from .0 up to the first gap)",
			strings.Join(have, ", "), g.Key, sbcheck.ChunkName(g.Key, 0), g.Key, g.Key)
		for _, w := range c.Writes {
			if w.Name == sbcheck.ChunkName(g.Key, 0) && !w.Empty {
				part += "; " + w.Name + " was written (" + strconv.Itoa(w.Size) + " bytes of name and value): " + writeReason(w)
			}
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, "; ")
}

// cookieName is SB-COOKIE-002.
func cookieName(r *Run) judge.Outcome {
	c, o, st := r.cookieStored(result.SBCookie002)
	if st != nil {
		return *st
	}
	var found, others []string
	for _, g := range c.Groups() {
		found = append(found, g.Key+" ("+strings.Join(g.Names, ", ")+")")
		if g.Key != c.ExpectedKey {
			others = append(others, g.Key)
		}
	}
	if c.Group() != nil {
		o.Show("cookie name", c.ExpectedKey)
		if len(others) > 0 {
			o.Show("other session cookies", others)
		}
		return o
	}
	ref := strings.TrimSuffix(strings.TrimPrefix(others[0], "sb-"), "-auth-token")
	return o.Add(diag.Newf(diag.SupabaseCookieNameMismatch, c.ExpectedKey+" (ref "+r.URL.Ref+" of NEXT_PUBLIC_SUPABASE_URL)",
		"the session cookies are %s: written by a client built with another URL (ref %q), so a server side built with "+
			"NEXT_PUBLIC_SUPABASE_URL looks for %s and finds no session", strings.Join(found, "; "), ref, c.ExpectedKey))
}

// cookieChunks is SB-COOKIE-003.
func cookieChunks(r *Run) judge.Outcome {
	c, g, o, st := r.cookieGroup(result.SBCookie003)
	if st != nil {
		return *st
	}
	o.Show("chunks", chunkView(g))
	var problems []string
	for _, w := range c.Writes {
		if key, _, _ := sbcheck.SessionCookieKey(w.Name); key == g.Key && !w.Empty && w.Size > sbcheck.MaxCookieSize && !slices.Contains(g.Names, w.Name) {
			problems = append(problems, fmt.Sprintf("%s was written with %d bytes of name and value, over Chromium's %d-byte limit, and is not in the cookie store",
				w.Name, w.Size, sbcheck.MaxCookieSize))
		}
	}
	for _, sc := range c.SetCookies {
		if key, _, _ := sbcheck.SessionCookieKey(sc.Name); key == g.Key && len(sc.Reasons) > 0 {
			problems = append(problems, fmt.Sprintf("Chromium refused the Set-Cookie of %s (%s)", sc.Name, strings.Join(sc.Reasons, ", ")))
		}
	}
	for _, n := range g.Names {
		if g.Sizes[n] > sbcheck.MaxCookieSize {
			problems = append(problems, fmt.Sprintf("%s is %d bytes", n, g.Sizes[n]))
		}
	}
	if len(g.Missing) > 0 {
		var names []string
		for _, i := range g.Missing {
			names = append(names, sbcheck.ChunkName(g.Key, i))
		}
		problems = append(problems, "missing from the cookie store: "+strings.Join(names, ", ")+
			" (the chunks present are "+strings.Join(g.Names, ", ")+"; a server reads .0, .1, … up to the first gap)")
	}
	if len(problems) > 0 {
		return o.Add(diag.New(diag.SupabaseCookieChunkMissing, "every chunk "+g.Key+".0 … .N stored, each at most 4096 bytes",
			strings.Join(problems, "; ")))
	}
	if g.Session == nil {
		return o.Add(diag.Newf(diag.SupabaseCookieSessionInvalid, "the chunks reassemble to the session JSON with an access_token", "%s", g.DecodeProblem))
	}
	access, _ := jwtcheck.Parse(g.Session.AccessToken)
	if access != nil {
		o.Show(result.EvidenceToken, result.TokenView{Redacted: access.Redacted(), Header: access.Header, Claims: access.Claims})
	}
	if c.Verify == nil {
		return o.Add(diag.New(diag.SetupFailed, "GET /auth/v1/user with the access token from the cookies", "no answer was recorded"))
	}
	if st := answered("GET /auth/v1/user with the access token from the cookies", *c.Verify); st != nil {
		return *st
	}
	o.Show("project's answer to the cookie's access token", c.Verify.Text())
	if !ok2xx(c.Verify.Status) {
		refused := o.Add(diag.Newf(diag.SupabaseCookieSessionInvalid, "GET /auth/v1/user answers 200 for the access token in the cookies",
			"the project refuses it: %s", c.Verify.Text()))
		if access != nil && judge.Findings(sbcheck.CheckAccessClaims(access, time.Time{})...).Failing() {
			// The token lacks claims the project needs: that is
			// SB-SESSION-001's finding about the project's tokens.
			return judge.Unmet("the project refuses the access token in the cookies (%s), which lacks claims it needs", c.Verify.Text()).By(result.SBSession001).For(diag.SupabaseSessionClaims).Else(refused)
		}
		return refused
	}
	return o
}

// cookieDomainCovers is SB-COOKIE-004.
func cookieDomainCovers(r *Run) judge.Outcome {
	c, g, o, st := r.appChoice(result.SBCookie004)
	if st != nil {
		return *st
	}
	hosts := r.Target.SessionHosts
	if len(hosts) == 0 {
		return judge.OutOfScope(scopeNoSibling, "no host besides the app is named to share the session: --session-host HOST (your API's, say) checks that the cookies' Domain covers it")
	}
	o.Show("session hosts", hosts)
	for _, ck := range groupCookies(c, g) {
		hostOnly := !strings.HasPrefix(ck.Domain, ".")
		var missed []string
		for _, h := range hosts {
			if !sbcheck.DomainCovers(ck.Domain, hostOnly, h) {
				missed = append(missed, h)
			}
		}
		if len(missed) == 0 {
			continue
		}
		want := "Domain=." + commonParent(append([]string{hostOf(c.AppURL)}, hosts...)) + ", covering " + strings.Join(hosts, ", ")
		if hostOnly {
			return o.Add(diag.Newf(diag.SupabaseCookieHostOnly, want,
				"%s are host-only (no Domain: stored for %s alone), so the browser never sends them to %s%s",
				strings.Join(g.Names, ", "), ck.Domain, strings.Join(missed, ", "), serverSaw(c)))
		}
		return o.Add(diag.Newf(diag.SupabaseCookieDomainMismatch, want,
			"%s carry Domain=%s, which does not cover %s%s", strings.Join(g.Names, ", "), ck.Domain, strings.Join(missed, ", "), serverSaw(c)))
	}
	return o
}

// serverSaw adds Chromium's verdict at the server stand-in, when observed.
func serverSaw(c *CookieEvidence) string {
	if c.Server == nil || c.Server.Err != nil {
		return ""
	}
	return "; on the navigation to " + hostOf(c.Server.URL) + " Chromium: " + verdictsText(c.Server.Verdicts)
}

// cookieSecureFlag is SB-COOKIE-005.
func cookieSecureFlag(r *Run) judge.Outcome {
	c, g, o, st := r.appChoice(result.SBCookie005)
	if st != nil {
		return *st
	}
	if !strings.HasPrefix(c.AppURL, "https://") && !strings.HasPrefix(r.appOrigin(), "https://") {
		return o.Add(diag.Newf(diag.SupabaseCookieNotSecure, "the app served over https with Secure session cookies", "the app is at %s", orDash(c.AppURL)))
	}
	var plain []string
	for _, ck := range groupCookies(c, g) {
		if !ck.Secure {
			plain = append(plain, ck.Name)
		}
	}
	if len(plain) > 0 {
		return o.Add(diag.Newf(diag.SupabaseCookieNotSecure, "the Secure attribute on every session cookie",
			"%s have no Secure attribute (@supabase/ssr's default): a plain-http request to any host under Domain=%s carries the session and its refresh token",
			strings.Join(plain, ", "), groupCookies(c, g)[0].Domain))
	}
	return o
}

// cookieSameSiteUse is SB-COOKIE-006. A top-level app is fine with Lax
// (@supabase/ssr's default) and Strict (information); None is more than it
// needs (SUPABASE_COOKIE_SAMESITE_TOP_LEVEL), never a silent pass under a
// title that says Lax. An embedded app's session must arrive in another
// site's iframe and credentialed fetch of the app's own pages
// (embedTargets): proven, not read off the attribute.
func cookieSameSiteUse(r *Run) judge.Outcome {
	c, g, o, st := r.appChoice(result.SBCookie006)
	if st != nil {
		return *st
	}
	cs := groupCookies(c, g)
	ss := sameSiteText(cs[0].SameSite)
	o.Show("SameSite", ss)
	o.Show("embedded", r.Target.Embedded)
	if !r.Target.Embedded {
		var none, strict []string
		for _, ck := range cs {
			switch ck.SameSite {
			case network.CookieSameSiteNone:
				none = append(none, ck.Name)
			case network.CookieSameSiteStrict:
				strict = append(strict, ck.Name)
			}
		}
		if len(none) > 0 {
			return o.Add(diag.Newf(diag.SupabaseCookieSameSiteTopLevel, "SameSite=Lax (@supabase/ssr's default) on the session cookies of an app used top-level",
				"%s are SameSite=None, and the app is not declared embedded in another site (supabase.embedded)", strings.Join(none, ", ")))
		}
		if len(strict) > 0 {
			return o.Add(diag.Newf(diag.SupabaseCookieSameSiteTopLevel, "information only",
				"%s are SameSite=Strict: fine for a top-level app, but the first navigation back from another site (an email link, an OAuth provider) arrives without the session", strings.Join(strict, ", ")).WithSeverity(diag.Info))
		}
		return o
	}
	v := c.Embed
	if v == nil {
		return o.Add(diag.New(diag.SetupFailed, "the embedding page on another site loads", "the embedding page was not visited"))
	}
	o.Show("embedding", map[string]any{"page of another site": hostOf(v.Page), "iframe of": v.FrameURL, "credentialed fetch of": v.FetchURL, "judged on": v.Judged})
	if v.Err != nil {
		return o.Add(diag.Newf(diag.SetupFailed, "the embedding page on another site loads", "%v", v.Err))
	}
	observed := fmt.Sprintf("from %s: iframe of %s: %s; credentialed fetch of %s: %s", hostOf(v.Page), v.FrameURL, seenText(v.Frame, v.FrameSeen), v.FetchURL, seenText(v.Fetch, v.FetchSeen))
	o.Show("cross-site", result.Clean(observed))
	for _, ck := range cs {
		if ck.SameSite != network.CookieSameSiteNone {
			return o.Add(diag.Newf(diag.SupabaseCookieSameSiteEmbedded, "SameSite=None; Secure on every session cookie while the app is embedded",
				"%s: %s", ss, observed))
		}
	}
	if allSent(v.Frame, v.FrameSeen) && allSent(v.Fetch, v.FetchSeen) {
		return o
	}
	vs := append(append([]browser.CookieVerdict{}, v.Frame...), v.Fetch...)
	for _, vv := range vs {
		if thirdPartyReason(vv.Reasons) {
			return o.Add(diag.Newf(diag.SupabaseCookieThirdParty, "the session arrives in the cross-site iframe and fetch",
				"this browser blocks third-party cookies, so SameSite=None cannot work here: %s", observed))
		}
	}
	for _, vv := range vs {
		if slices.Contains(vv.Reasons, "DomainMismatch") || slices.Contains(vv.Reasons, "NotOnPath") {
			// Not SameSite's doing: the embedded page is outside the
			// cookies' scope.
			return o.Add(diag.Newf(diag.SupabaseCookieNotDelivered, "the session arrives in the cross-site iframe and fetch of "+v.Judged, "%s", observed).
				Settled("The embedded page is outside the session cookies' scope: SameSite=None does not send a cookie to a host its Domain does not cover or a path its Path does not.",
					"Chromium's DomainMismatch or NotOnPath verdicts on the cross-site iframe and fetch, in the observation").
				WithFix("Embed a page the cookies cover (supabase.embed_url), or widen cookieOptions.domain / path."))
		}
	}
	return o.Add(diag.Newf(diag.SupabaseCookieSameSiteEmbedded, "the session arrives in the cross-site iframe and fetch", "%s", observed).
		Settled("SameSite=None is written, yet Chromium still withheld the session cross-site, for the reasons the observation quotes.",
			"Chromium's verdicts on the cross-site iframe and fetch, in the observation"))
}

// cookieDelivered is SB-COOKIE-007: the app's own server side
// (supabase.server_check) when one is named, judged where it is
// (appServerSaw); else mfconform's stand-in on a sibling host the session
// must reach (--session-host), and the evidence says a stand-in was
// judged.
func cookieDelivered(r *Run) judge.Outcome {
	c, g, o, st := r.cookieGroup(result.SBCookie007)
	if st != nil {
		return *st
	}
	if r.Target.ServerCheck.URL != "" {
		return r.appServerSaw(c, g, o)
	}
	appHost := hostOf(c.AppURL)
	if len(r.Target.SessionHosts) == 0 || r.Target.ServerHost == "" || len(r.Target.SessionHosts) == 1 && r.Target.SessionHosts[0] == appHost {
		if !r.Target.Reference {
			return judge.OutOfScope(scopeNoServer, "your app's server side is not named: set supabase.server_check (--server-check-url) to a page of it that reads the session; --session-host HOST judges mfconform's stand-in on a sibling host instead")
		}
		return judge.OutOfScope(scopeNoSibling, "no host besides the app must read the session (--session-host names only the app)")
	}
	o.Show("judged", standInText(r))
	seen := r.serverSaw(c, g, o)
	// A Domain that cannot cover the sibling is SB-COOKIE-004's finding
	// (when it judges the app's own cookies); what the server side saw is
	// this spec's verdict otherwise.
	for _, ck := range groupCookies(c, g) {
		if !sbcheck.DomainCovers(ck.Domain, !strings.HasPrefix(ck.Domain, "."), r.Target.ServerHost) {
			return judge.Unmet("the cookies' Domain does not cover %s", r.Target.ServerHost).By(result.SBCookie004).Else(seen)
		}
	}
	return seen
}

// standInText says, in the spec's evidence, that the stand-in was judged.
func standInText(r *Run) string {
	if r.Target.Reference {
		return "the reference deployment's server side: mfconform's stand-in (@supabase/ssr createServerClient) on " + r.Target.ServerHost
	}
	return "mfconform's stand-in for a server side (@supabase/ssr createServerClient built with NEXT_PUBLIC_SUPABASE_URL) on " + r.Target.ServerHost +
		", not your app's: your server side was not checked — set supabase.server_check (--server-check-url) to a page of it that reads the session"
}

// serverSaw is SB-COOKIE-007's verdict on the navigation to the server
// side's stand-in: every session cookie sent, and the signed-in user read
// from them. A session the project refuses is SB-COOKIE-003's finding.
func (r *Run) serverSaw(c *CookieEvidence, g *sbcheck.CookieSession, o judge.Outcome) judge.Outcome {
	v := c.Server
	if v == nil {
		return o.Add(diag.New(diag.SetupFailed, "a navigation to mfconform's server-side stand-in on "+r.Target.ServerHost, "it was not made"))
	}
	if v.Err != nil {
		return o.Add(diag.Newf(diag.SetupFailed, "a navigation to mfconform's server-side stand-in on "+r.Target.ServerHost, "%v", v.Err))
	}
	a := v.Answer
	o.Show("server side", map[string]any{"url": v.URL, "reads": a.StorageKey, "received": a.Received, "chunks": a.Chunks,
		"signed_in": a.SignedIn, "user_id": a.UserID, "reason": a.Reason, "project": a.VerifyStatus})
	var withheld []string
	for _, n := range g.Names {
		vv := verdictFor(v.Verdicts, n)
		switch {
		case vv == nil:
			withheld = append(withheld, n+" not considered")
		case !vv.Sent:
			withheld = append(withheld, n+" withheld ("+strings.Join(vv.Reasons, ", ")+")")
		}
	}
	if len(withheld) > 0 {
		return o.Add(diag.Newf(diag.SupabaseCookieNotDelivered, "every session cookie sent on the navigation to "+v.URL,
			"Chromium: %s", strings.Join(withheld, "; ")))
	}
	if a.SignedIn {
		return o
	}
	unread := o.Add(diag.Newf(diag.SupabaseCookieNotDelivered, "the server side reads the signed-in user from the cookies it receives",
		"every cookie arrived, but the server side (reading %s) says: %s", a.StorageKey, a.Reason))
	return judge.Unmet("the cookies do not hold a session the project accepts").By(result.SBCookie003).Else(unread)
}

// cookieSignOut is SB-COOKIE-008.
func cookieSignOut(r *Run) judge.Outcome {
	c, g, o, st := r.appChoice(result.SBCookie008)
	if st != nil {
		return *st
	}
	s := c.SignOut
	if s == nil {
		return judge.NotJudged(InputLogout, "no supabase.logout_script: give the steps that sign out through the app (e.g. click the sign-out button, then wait for the sign-in page)")
	}
	if s.Err != nil {
		failed := o.Add(diag.Newf(diag.SetupFailed, "the sign-out runs: "+s.How, "%v", s.Err))
		if c.ScriptErr != nil {
			// The signed-in page never appeared: a sign-out that starts
			// there fails for the reason SB-COOKIE-007 finds (the app's
			// server side refusing the session), not for mfconform's set-up.
			return judge.Unmet("the sign-out could not run (%v): the signed-in page did not appear after sign-in either", s.Err).By(result.SBCookie007).Else(failed)
		}
		return failed
	}
	if len(s.Writes) > 0 {
		o.Show("clears written", result.Clean(writesText(s.Writes)))
	}
	if len(s.Left) == 0 {
		return o
	}
	var left []string
	for _, ck := range s.Left {
		left = append(left, ck.Name+" (Domain "+ck.Domain+", Path "+ck.Path+")")
	}
	observed := "after " + s.How + " these are still in the browser: " + strings.Join(left, ", ")
	if s.Result != nil && !s.Result.OK {
		observed += "; the sign-out answered " + orDash(s.Result.Name) + ": " + s.Result.Message
	}
	if len(s.Writes) > 0 {
		observed += "; the sign-out wrote " + writesText(s.Writes) + " — a clear at another scope than " + scopeOf(groupCookies(c, g)[0]) + " is ignored"
	} else {
		observed += "; the sign-out wrote no clear for them"
	}
	return o.Add(diag.New(diag.SupabaseCookieStale, "no "+g.Key+" cookie left after sign-out", observed))
}

// groupCookies are the jar's cookies of group g, in g's order.
func groupCookies(c *CookieEvidence, g *sbcheck.CookieSession) []*network.Cookie {
	var out []*network.Cookie
	for _, n := range g.Names {
		for _, ck := range c.Cookies {
			if ck.Name == n {
				out = append(out, ck)
				break
			}
		}
	}
	return out
}

// chunkView shows a group without values.
func chunkView(g *sbcheck.CookieSession) map[string]any {
	sizes := map[string]int{}
	for _, n := range g.Names {
		sizes[n] = g.Sizes[n]
	}
	v := map[string]any{"key": g.Key, "cookies": g.Names, "sizes": sizes, "read": g.Read, "encoding": g.Encoding, "bytes": g.Bytes}
	if len(g.Missing) > 0 {
		v["missing"] = g.Missing
	}
	if g.DecodeProblem != "" {
		v["problem"] = g.DecodeProblem
	}
	return v
}

// cookieRows is the report's cookie table: every session cookie written
// (kept or not), as stored, and on each request that mattered. Values are
// never included.
func cookieRows(c *CookieEvidence) []result.CookieRow {
	var rows []result.CookieRow
	stored := map[string]*network.Cookie{}
	for _, ck := range c.Cookies {
		stored[ck.Name] = ck
	}
	row := func(where string, ck *network.Cookie) result.CookieRow {
		return result.CookieRow{Where: where, Name: ck.Name, Domain: ck.Domain, Path: ck.Path, Secure: ck.Secure, HttpOnly: ck.HTTPOnly,
			SameSite: sameSiteText(ck.SameSite), Size: int(ck.Size), Stored: true}
	}
	for _, w := range c.Writes {
		if w.Empty {
			continue
		}
		if _, ok := stored[w.Name]; !ok {
			rows = append(rows, result.CookieRow{Where: result.Clean("document.cookie on " + hostPathOf(w.URL)), Name: result.Clean(w.Name), Size: w.Size,
				Reason: writeReason(w)})
		}
	}
	for _, ck := range c.Cookies {
		rows = append(rows, row("stored after sign-in", ck))
	}
	add := func(where string, vs []browser.CookieVerdict) {
		for _, v := range vs {
			r := result.CookieRow{Where: where, Name: v.Name, Domain: v.Domain, Path: v.Path, Size: v.Size, Sent: "withheld", Reason: strings.Join(v.Reasons, ", ")}
			if ck := stored[v.Name]; ck != nil {
				r.Secure, r.HttpOnly, r.SameSite, r.Stored = ck.Secure, ck.HTTPOnly, sameSiteText(ck.SameSite), true
			}
			if v.Sent {
				r.Sent = "sent"
			}
			rows = append(rows, r)
		}
	}
	if c.Server != nil {
		add("top-level navigation to "+hostOf(c.Server.URL)+" (mfconform's stand-in)", c.Server.Verdicts)
	}
	if c.AppServer != nil {
		add("top-level navigation to "+hostPathOf(c.AppServer.URL)+" (your server side)", c.AppServer.Verdicts)
	}
	if c.Embed != nil {
		add("iframe of "+hostPathOf(c.Embed.FrameURL)+" on "+hostOf(c.Embed.Page), c.Embed.Frame)
		add("credentialed fetch of "+hostPathOf(c.Embed.FetchURL)+" from "+hostOf(c.Embed.Page), c.Embed.Fetch)
	}
	if c.SignOut != nil {
		for _, ck := range c.SignOut.Left {
			rows = append(rows, row("still stored after sign-out", ck))
		}
	}
	return rows
}

// writeReason says why a written cookie is not in the store.
func writeReason(w browser.CookieWrite) string {
	if w.Size > sbcheck.MaxCookieSize {
		return fmt.Sprintf("not stored: name+value %d bytes > %d (Chromium refuses script writes over the limit without a report)", w.Size, sbcheck.MaxCookieSize)
	}
	lower := strings.ToLower(w.Attrs)
	if strings.Contains(lower, "samesite=none") && !strings.Contains(lower, "secure") {
		return "not stored: SameSite=None without Secure"
	}
	return "not stored (replaced or refused)"
}

// writesText lists cookie writes with their attributes.
func writesText(ws []browser.CookieWrite) string {
	var parts []string
	for _, w := range ws {
		what := w.Name
		if w.Empty {
			what += " cleared"
		} else {
			what += fmt.Sprintf(" (%d bytes)", w.Size)
		}
		if w.Attrs != "" {
			what += " with " + w.Attrs
		}
		parts = append(parts, what)
	}
	return strings.Join(parts, ", ")
}

// scopeOf is a cookie's Domain and Path as a scope.
func scopeOf(ck *network.Cookie) string {
	d := "Domain=" + ck.Domain
	if !strings.HasPrefix(ck.Domain, ".") {
		d = "host-only " + ck.Domain
	}
	return d + ", Path=" + ck.Path
}

// verdictFor is the verdict on the cookie named name, nil when none.
func verdictFor(vs []browser.CookieVerdict, name string) *browser.CookieVerdict {
	for i := range vs {
		if vs[i].Name == name {
			return &vs[i]
		}
	}
	return nil
}

// verdictsText renders Chromium's verdicts on session cookies.
func verdictsText(vs []browser.CookieVerdict) string {
	if len(vs) == 0 {
		return "no session cookie considered"
	}
	var parts []string
	for _, v := range vs {
		if v.Sent {
			parts = append(parts, v.Name+" sent")
		} else {
			parts = append(parts, v.Name+" withheld ("+strings.Join(v.Reasons, ", ")+")")
		}
	}
	return strings.Join(parts, ", ")
}

// seenText renders verdicts of a request that may not have been observed.
func seenText(vs []browser.CookieVerdict, seen bool) string {
	if !seen {
		return "not observed"
	}
	return verdictsText(vs)
}

// allSent reports whether a request was observed and carried session
// cookies, all of them sent.
func allSent(vs []browser.CookieVerdict, seen bool) bool {
	if !seen || len(vs) == 0 {
		return false
	}
	for _, v := range vs {
		if !v.Sent {
			return false
		}
	}
	return true
}

// thirdPartyReason reports whether reasons say the browser blocks
// third-party cookies (a setting, not the deployment).
func thirdPartyReason(reasons []string) bool {
	for _, r := range reasons {
		if r == "UserPreferences" || strings.HasPrefix(r, "ThirdParty") {
			return true
		}
	}
	return false
}

// sameSiteText renders Chromium's SameSite ("" is unset: treated as Lax).
func sameSiteText(s network.CookieSameSite) string {
	if s == "" {
		return "(none: Lax)"
	}
	return string(s)
}

// commonParent is the longest domain every host ends with (at least two
// labels), for advice.
func commonParent(hosts []string) string {
	var common []string
	for i, h := range hosts {
		labels := strings.Split(strings.ToLower(h), ".")
		slices.Reverse(labels)
		if i == 0 {
			common = labels
			continue
		}
		n := 0
		for n < len(common) && n < len(labels) && common[n] == labels[n] {
			n++
		}
		common = common[:n]
	}
	if len(common) < 2 {
		return "your-domain.com"
	}
	slices.Reverse(common)
	return strings.Join(common, ".")
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

func hostPathOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Host + u.Path
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
