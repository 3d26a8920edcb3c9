package jwt

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/harness/hostmap"
	"github.com/mfconform/mfconform/suites/cookieattr"
	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	"github.com/mfconform/mfconform/suites/netfail"
	"github.com/mfconform/mfconform/suites/redact"
	"github.com/mfconform/mfconform/suites/result"
)

// Chromium's reasons for refusing a Set-Cookie or withholding a cookie.
const (
	reasonInvalidDomain    = "InvalidDomain"
	reasonSecureOnly       = "SecureOnly"
	reasonNoneInsecure     = "SameSiteNoneInsecure"
	reasonTooLarge         = "NameValuePairExceedsMaxSize"
	reasonDomainMismatch   = "DomainMismatch"
	reasonNotOnPath        = "NotOnPath"
	maxCookieNameValueSize = 4096
)

// cookieChecks are the specs about the mf_jwt_token cookie, in the order
// the report prints them: each cause before the specs it explains
// (JWT-COOKIE-003 and 004 and 007 judge what JWT-COOKIE-002 needs to
// follow the cookie to the app).
var cookieChecks = judge.InArea("cookie", []string{BundleLogin},
	judge.Check[*Run]{ID: result.JWTCookie001, Title: "the login response sets mf_jwt_token and Chromium stores it", Judge: cookieSet},
	judge.Check[*Run]{ID: result.JWTCookie003, Title: "the backend and the app share a registrable domain (Public Suffix List)", Judge: cookieRegistrable, Bundles: judge.NoBundle()},
	judge.Check[*Run]{ID: result.JWTCookie004, Title: "the cookie is Secure, set by an https response, and the app's URL is https", Judge: cookieSecure,
		After: []result.SpecID{result.JWTCookie001}},
	judge.Check[*Run]{ID: result.JWTCookie007, Title: "the cookie's Path covers the app", Judge: cookiePath,
		After: []result.SpecID{result.JWTCookie001}},
	judge.Check[*Run]{ID: result.JWTCookie002, Title: "its Domain covers the app host and the cookie reaches the app on top-level navigation", Judge: cookieDomain,
		After: []result.SpecID{result.JWTApp001, result.JWTCookie001, result.JWTCookie003, result.JWTCookie004, result.JWTCookie007}},
	judge.Check[*Run]{ID: result.JWTCookie005, Title: "the cookie is HttpOnly, invisible to document.cookie in the app", Judge: cookieHTTPOnly,
		After: followers},
	judge.Check[*Run]{ID: result.JWTCookie006, Title: "SameSite=None, proven by the cookie arriving in a cross-site iframe and credentialed fetch", Judge: cookieSameSite,
		After: followers},
	judge.Check[*Run]{ID: result.JWTCookie008, Title: "the cookie is not already expired on arrival", Judge: cookieExpiry,
		After: []result.SpecID{result.JWTCookie001}},
	judge.Check[*Run]{ID: result.JWTCookie009, Title: "name and value fit in 4096 bytes", Judge: cookieSize,
		After: []result.SpecID{result.JWTCookie001}},
	judge.Check[*Run]{ID: result.JWTCookie010, Title: "exactly one mf_jwt_token reaches the app (no stale duplicate)", Judge: cookieSingle,
		After: followers},
)

// followers are the prerequisites of the specs that follow the stored
// cookie into the app: the cookie stored (JWT-COOKIE-001), the app
// answering (JWT-APP-001) and the cookie reaching it (JWT-COOKIE-002).
var followers = []result.SpecID{result.JWTCookie001, result.JWTApp001, result.JWTCookie002}

// withCookie returns the login evidence, the parsed Set-Cookie line and an
// outcome carrying the cookie evidence and the screenshots, or why the spec
// cannot judge.
func (r *Run) withCookie() (*LoginEvidence, cookieattr.Attrs, judge.Outcome, *judge.Outcome) {
	ev, stop := r.needCookie()
	if stop != nil {
		return nil, cookieattr.Attrs{}, judge.Outcome{}, stop
	}
	o := judge.Outcome{Shots: ev.Shots}
	o.Show(result.EvidenceSetCookie, redact.SetCookie(ev.SetCookie.Line))
	o.Show("cookies", cookieRows(ev))
	return ev, cookieattr.Parse(ev.SetCookie.Line), o, nil
}

// notStored returns the outcome of a spec that needs the cookie in the jar
// when Chromium did not store it: JWT-COOKIE-001 fails for that, naming
// Chromium's reason.
func notStored(ev *LoginEvidence) *judge.Outcome {
	if ev.stored() {
		return nil
	}
	return stop(judge.Unmet("Chromium did not store the cookie").By(result.JWTCookie001))
}

// stored reports whether Chromium stored the cookie this login set: it
// accepted the Set-Cookie line and the cookie is in the jar.
func (e *LoginEvidence) stored() bool {
	return e.SetCookie != nil && e.SetCookie.Stored && e.Stored != nil
}

// navReasonOwner names the earlier spec that judges the attribute behind a
// reason Chromium gave for withholding the cookie from the navigation to
// the app, "" when none does.
func navReasonOwner(reason string) result.SpecID {
	switch reason {
	case reasonNotOnPath:
		return result.JWTCookie007
	case reasonSecureOnly:
		return result.JWTCookie004
	}
	return ""
}

// needAppPage returns why a spec that follows the cookie to the app cannot
// judge: the app page was not reached in the browser. The spec that fails
// for that is JWT-APP-001 when the app answered no probe either (or the
// probes were not sent), otherwise JWT-COOKIE-002, which follows the
// cookie there first (appPageFinding).
func (r *Run) needAppPage(ev *LoginEvidence) *judge.Outcome {
	if o := r.needAppForCookie(); o != nil {
		return o
	}
	if ev.AppErr != nil {
		return stop(judge.Unmet("the browser could not open the app page after login: %v", ev.AppErr).By(r.appPageOwner()))
	}
	return nil
}

// appPageOwner names the spec that fails when the browser could not open
// the app page: JWT-APP-001 when the probes did not reach the app either
// (its APP_UNREACHABLE) or were not sent, JWT-COOKIE-002 otherwise.
func (r *Run) appPageOwner() result.SpecID {
	if !r.Target.AppIsReference && r.Probes == nil {
		return result.JWTApp001
	}
	return result.JWTCookie002
}

// appPageFinding is JWT-COOKIE-002's finding when the browser could not
// open the app page although the app answered mfconform's own requests
// (or is the reference verifier): the page hangs, fails to load or breaks
// the page read — the cookie cannot be followed there.
func (r *Run) appPageFinding(ev *LoginEvidence) diag.Diagnostic {
	appHost := hostOf(r.Target.AppURL)
	if r.Target.AppIsReference {
		return diag.Newf(diag.SetupFailed, "mfconform's reference verifier on "+appHost+" opens in the browser",
			"%v", ev.AppErr)
	}
	return diag.Newf(diag.AppPageFailed, "the app page on "+appHost+" opens in the browser after login",
		"%v (mfconform's own requests to the app were answered)", ev.AppErr)
}

// embedFinding is JWT-COOKIE-006's finding when the page of another site
// that embeds the app could not be observed: the app's failure
// (APP_PAGE_FAILED) when the app's page caused it — a link to it that
// never completed, an iframe of it that kept mfconform's page from loading
// — and mfconform's own (SETUP_FAILED) otherwise, or when the app is
// mfconform's reference verifier.
func (r *Run) embedFinding(err error) diag.Diagnostic {
	var app *appPageError
	if errors.As(err, &app) && !r.Target.AppIsReference {
		return diag.Newf(diag.AppPageFailed, "the app page on "+hostOf(r.Target.AppURL)+" opens from a page of another site (iframe, link)",
			"%v (mfconform's own page on %s loaded)", err, hostOf(r.Target.EmbedURL))
	}
	return diag.Newf(diag.SetupFailed, "the embedding page on "+hostOf(r.Target.EmbedURL)+" loads", "%v", err)
}

// needAppForCookie: the cookie specs that follow the cookie to the app
// need an app to follow it to (the reference verifier will do).
func (r *Run) needAppForCookie() *judge.Outcome {
	if r.Target.AppURL == "" {
		return stop(judge.NotJudged(InputApp,
			"no app to follow the cookie to: give --app-url with your Miiflow app's URL, or --app-url reference to have mfconform serve a verifier inside your cookie domain"))
	}
	return nil
}

// cookieSet is JWT-COOKIE-001: the cookie is set, and stored. A cookie
// set but not stored fails here, with the code of Chromium's reason (or,
// with no reason given, of the expiry that explains it): the specs that
// judge only the Set-Cookie line may still report their attribute, and
// those that need the stored cookie are blocked by this one.
func cookieSet(r *Run) judge.Outcome {
	if o := r.needLogin(); o != nil && r.Target.LoginURL == "" {
		return *o
	}
	ev := r.Login
	if ev != nil && ev.Script != nil {
		return r.scriptFailed(ev)
	}
	if ev == nil || ev.SetCookie == nil && r.LoginErr != nil {
		return judge.Findings(unreachable(diag.LoginUnreachable, r.Target.LoginURL, r.Target.Hosts, r.LoginErr))
	}
	o := judge.Outcome{Shots: ev.Shots}
	if ev.SetCookie == nil && ev.Dropped > 0 {
		// The Set-Cookie may be among what was not recorded: no verdict.
		return o.Add(diag.Newf(diag.SetupFailed, "every response of the login recorded",
			"the login's pages made so many requests that %d were not recorded; no mf_jwt_token Set-Cookie was among those that were", ev.Dropped))
	}
	if ev.SetCookie == nil {
		return o.Add(diag.Newf(diag.CookieNotSet,
			"a Set-Cookie: mf_jwt_token=… header on the login response ("+r.Target.LoginURL+")",
			"no cookie named exactly mf_jwt_token; cookies set: %s%s", listOrNone(ev.Others), nearMisses(ev.Others)))
	}
	o.Show("set-cookie", redact.SetCookie(ev.SetCookie.Line))
	o.Show("cookies", cookieRows(ev))
	o.Show("chromium-verdict", storeVerdict(ev))
	if ev.stored() {
		return o
	}
	return o.Add(r.refusals(ev)...)
}

// scriptFailed is JWT-COOKIE-001 when a login_script step failed on a page
// that had loaded: not the network's failure (LOGIN_UNREACHABLE) but the
// script's or the page's (LOGIN_SCRIPT_FAILED, an environment finding:
// nothing was judged), with the step and the page's screenshot — unless
// the step waited for mf_jwt_token and the login did set it but Chromium
// refused it: that refusal is the deployment's finding, proven by
// Chromium's verdict, and judged as for any login.
func (r *Run) scriptFailed(ev *LoginEvidence) judge.Outcome {
	f := ev.Script
	o := judge.Outcome{Shots: ev.Shots}
	if f.SetCookie != nil {
		o.Show("set-cookie", redact.SetCookie(f.SetCookie.Line))
		if f.Step.Step.WaitCookie == CookieName {
			seen := &LoginEvidence{SetCookie: f.SetCookie, SetBy: f.SetBy, LoginDate: f.LoginDate, ReceivedAt: ev.ReceivedAt}
			o.Show("chromium-verdict", storeVerdict(seen))
			return o.Add(r.refusals(seen)...)
		}
	}
	cookies := "no mf_jwt_token Set-Cookie yet"
	if f.SetCookie != nil {
		cookies = "mf_jwt_token was set"
		if len(f.SetCookie.Reasons) > 0 {
			cookies += " and refused by Chromium (" + strings.Join(f.SetCookie.Reasons, ", ") + ")"
		}
	}
	if len(f.Others) > 0 {
		cookies += "; other cookies set: " + strings.Join(f.Others, ", ")
	}
	return o.Add(diag.Newf(diag.LoginScriptFailed, "every jwt.login_script step completes",
		"%v — on %s; %s", f.Step, orText(f.Page, "a page whose load was not recorded"), cookies))
}

// storeVerdict is what Chromium did with the Set-Cookie line, as evidence:
// stored or not, and its reasons.
func storeVerdict(ev *LoginEvidence) map[string]any {
	v := map[string]any{"stored": ev.stored()}
	if len(ev.SetCookie.Reasons) > 0 {
		v["reasons"] = ev.SetCookie.Reasons
	}
	return v
}

// refusals are JWT-COOKIE-001's findings for a cookie Chromium did not
// store: one per reason it gave, in the code that explains that reason,
// and for a cookie dropped without a reason the expiry that explains it
// (a cookie already expired is a deletion: Chromium gives no reason).
func (r *Run) refusals(ev *LoginEvidence) []diag.Diagnostic {
	a := cookieattr.Parse(ev.SetCookie.Line)
	loginHost := hostOf(r.Target.LoginURL)
	var out []diag.Diagnostic
	var other []string
	for _, rs := range ev.SetCookie.Reasons {
		refused := "Chromium refused the cookie (" + rs + "): "
		switch rs {
		case reasonNoneInsecure:
			out = append(out, diag.New(diag.CookieSameSiteNoneInsecure, "SameSite=None together with Secure",
				refused+"SameSite=None without Secure"))
		case reasonInvalidDomain:
			why := "it does not domain-match the login host " + loginHost
			if jwtcheck.IsPublicSuffix(a.DomainValue()) {
				why = "it is a public suffix"
			}
			out = append(out, diag.Newf(diag.CookieDomainInvalid, "Domain=."+registrable(loginHost, hostOf(r.Target.AppURL)),
				"%sDomain=%s: %s", refused, a.DomainValue(), why))
		case reasonTooLarge:
			out = append(out, diag.Newf(diag.CookieTooLarge, "name+value ≤ 4096 bytes",
				"%sname+value is %d bytes", refused, len(a.Name)+len(a.Value)))
		case reasonSecureOnly:
			out = append(out, diag.Newf(diag.CookieInsecureOrigin, "the login page is served over https",
				"%sa Secure cookie set by %s", refused, r.Target.LoginURL))
		default:
			other = append(other, rs)
		}
	}
	if len(other) > 0 {
		out = append(out, diag.Newf(diag.CookieNotStored, "Chromium stores mf_jwt_token",
			"Chromium refused the cookie: %s", strings.Join(other, ", ")))
	}
	if len(out) == 0 {
		if expired, attr := a.ExpiredAt(ev.LoginDateOr()); expired {
			out = []diag.Diagnostic{diag.Newf(diag.CookieExpiredOnArrival, "no Max-Age/Expires, or one in the future",
				"%s (server Date %s): the cookie is not in the jar after login, and Chromium gave no reason (an expired cookie is a deletion)",
				attr, ev.LoginDateOr().UTC().Format("2006-01-02 15:04:05Z"))}
		} else {
			out = []diag.Diagnostic{diag.New(diag.CookieNotStored, "Chromium stores mf_jwt_token",
				"the cookie is not in the jar after login and Chromium gave no reason")}
		}
	}
	if l := ev.leftovers(); len(l) > 0 {
		// A cookie of the name this login did not set is not its cookie
		// (issue 22, A9): say it is there, and what it is.
		out[0].Observed += "; the jar holds another mf_jwt_token this login did not set: " + strings.Join(l, "; ")
	}
	return out
}

// leftovers describes the jar's cookies named mf_jwt_token other than the
// one this login stored (leftovers of an earlier setup).
func (e *LoginEvidence) leftovers() []string {
	var out []string
	for _, c := range e.Jar {
		if c.Name != CookieName || e.Stored != nil && c.Domain == e.Stored.Domain && c.Path == e.Stored.Path {
			continue
		}
		out = append(out, cookieDesc(e, browser.CookieVerdict{Domain: c.Domain, Path: c.Path}))
	}
	return out
}

// setURL is the URL of the response that set the cookie (the last hop
// that carried the Set-Cookie), or fallback when it is not known.
func (e *LoginEvidence) setURL(fallback string) string {
	if e != nil && e.SetBy != nil && e.SetBy.URL != "" {
		return e.SetBy.URL
	}
	return fallback
}

func cookieDomain(r *Run) judge.Outcome {
	ev, a, o, stop := r.withCookie()
	if stop != nil {
		return *stop
	}
	if s := r.needAppForCookie(); s != nil {
		return *s
	}
	loginHost, appHost := hostOf(r.Target.LoginURL), hostOf(r.Target.AppURL)
	if _, ok, err := jwtcheck.RegistrableDomains(loginHost, appHost); err != nil || !ok {
		return judge.Unmet("%s and %s share no registrable domain, so no Domain value can work", loginHost, appHost).By(result.JWTCookie003)
	}
	if slices.Contains(ev.SetCookie.Reasons, reasonInvalidDomain) {
		why := "it does not domain-match the login host " + loginHost
		if jwtcheck.IsPublicSuffix(a.DomainValue()) {
			why = "it is a public suffix"
		}
		return o.Add(diag.Newf(diag.CookieDomainInvalid, "Domain=."+registrable(loginHost, appHost),
			"Domain=%s refused by Chromium (InvalidDomain): %s", *a.Domain, why))
	}
	if a.Domain == nil {
		return o.Add(diag.Newf(diag.CookieHostOnly, "Domain=."+registrable(loginHost, appHost)+" so "+appHost+" receives the cookie",
			"no Domain attribute: stored for %s only; on the navigation to %s Chromium: %s",
			loginHost, appHost, verdictText(ev.AppNavCookie)))
	}
	if !jwtcheck.DomainAttrCovers(*a.Domain, appHost) {
		return o.Add(diag.Newf(diag.CookieDomainInvalid, "Domain=."+registrable(loginHost, appHost),
			"Domain=%s does not cover the app host %s; on the navigation Chromium said: %s", *a.Domain, appHost, verdictText(ev.AppNavCookie)))
	}
	if s := notStored(ev); s != nil {
		return *s
	}
	if ev.AppErr != nil && r.appPageOwner() == result.JWTCookie002 {
		return o.Add(r.appPageFinding(ev))
	}
	if s := r.needAppPage(ev); s != nil {
		return *s
	}
	o.Show("app-navigation", verdictText(ev.AppNavCookie))
	if sent(ev.AppNavCookie) {
		return o
	}
	if ev.AppNavCookie != nil && slices.Contains(ev.AppNavCookie.Reasons, reasonDomainMismatch) {
		return o.Add(diag.Newf(diag.CookieDomainInvalid, "the cookie is sent to "+appHost,
			"stored for domain %s, withheld from %s (DomainMismatch)", ev.Stored.Domain, appHost))
	}
	notSent := o.Add(diag.Newf(diag.CookieNotSent, "the cookie is sent to "+appHost+" on a top-level navigation",
		"Chromium did not send it: %s", verdictText(ev.AppNavCookie)))
	if ev.AppNavCookie != nil {
		for _, rs := range ev.AppNavCookie.Reasons {
			if owner := navReasonOwner(rs); owner != "" {
				return judge.Unmet("Chromium withheld the cookie from the app page (%s)", rs).By(owner).Else(notSent)
			}
		}
	}
	return notSent
}

func cookieRegistrable(r *Run) judge.Outcome {
	if r.Target.LoginURL == "" {
		return *r.needLogin()
	}
	if s := r.needAppForCookie(); s != nil {
		return *s
	}
	loginHost, appHost := hostOf(r.Target.LoginURL), hostOf(r.Target.AppURL)
	shared, ok, err := jwtcheck.RegistrableDomains(loginHost, appHost)
	if err != nil {
		return judge.Findings(diag.Newf(diag.CookieDomainsUnrelated, "two hosts under one registrable domain", "%v", err))
	}
	if !ok {
		return judge.Findings(diag.Newf(diag.CookieDomainsUnrelated, "backend and app under one registrable domain, e.g. login.example.com and app.example.com",
			"backend %s and app %s have no registrable domain in common", loginHost, appHost))
	}
	o := judge.Pass()
	o.Show("registrable-domain", shared)
	return o
}

// cookieSecure is JWT-COOKIE-004: the Secure attribute, the scheme of the
// response that set the cookie (after the login's redirects) and the
// scheme of the app's URL — all read from what the run saw, none needing
// the cookie stored or the app page reached.
func cookieSecure(r *Run) judge.Outcome {
	ev, a, o, stop := r.withCookie()
	if stop != nil {
		return *stop
	}
	setURL := ev.setURL(r.Target.LoginURL)
	o.Show("https", map[string]string{"set by": setURL, "app": r.Target.AppURL})
	if !a.Secure {
		o = o.Add(diag.New(diag.CookieNotSecure, "the Secure attribute", "Set-Cookie has no Secure attribute"))
	}
	if slices.Contains(ev.SetCookie.Reasons, reasonSecureOnly) || strings.HasPrefix(setURL, "http://") {
		o = o.Add(diag.Newf(diag.CookieInsecureOrigin, "the login page is served over https",
			"the cookie was set by %s; Chromium: %s", setURL, reasonsOr(ev.SetCookie.Reasons, "stored")))
	}
	if strings.HasPrefix(r.Target.AppURL, "http://") {
		o = o.Add(diag.Newf(diag.CookieInsecureOrigin, "the app is served over https", "the app is at %s", r.Target.AppURL))
	}
	if s := r.needAppForCookie(); s != nil && !o.Failing() {
		// The title's last part has no app to judge.
		s.Evidence = o.Evidence
		return *s
	}
	return o
}

// cookieHTTPOnly is JWT-COOKIE-005: the HttpOnly attribute, and the
// cookie invisible to the app page's scripts — which only a page the
// cookie reached can show: without the cookie stored, the app page read
// and the cookie delivered there, the spec is blocked by what failed for
// that (issue 22, A8).
func cookieHTTPOnly(r *Run) judge.Outcome {
	ev, a, o, stop := r.withCookie()
	if stop != nil {
		return *stop
	}
	if !a.HttpOnly {
		var seen string
		switch {
		case ev.DocumentCookieHasToken:
			seen = "a script on the app page read mf_jwt_token from document.cookie"
		case r.Target.AppURL == "" || ev.AppErr != nil:
			seen = "the app page was not read, so no script there was seen reading it"
		case !sent(ev.AppNavCookie):
			seen = "it did not reach the app page, so no script there could read it in this run"
		default:
			seen = "the app page's document.cookie did not show it in this run"
		}
		return o.Add(diag.Newf(diag.CookieNotHTTPOnly, "the HttpOnly attribute", "Set-Cookie has no HttpOnly attribute; %s", seen))
	}
	if s := notStored(ev); s != nil {
		return *s
	}
	if s := r.needAppPage(ev); s != nil {
		return *s
	}
	if !sent(ev.AppNavCookie) {
		return r.notDelivered("the cookie did not reach the app page, so its invisibility there cannot be seen")
	}
	if ev.DocumentCookieHasToken {
		return o.Add(diag.New(diag.CookieNotHTTPOnly, "document.cookie on the app page does not show mf_jwt_token",
			"a script on the app page read mf_jwt_token from document.cookie"))
	}
	o.Show("document.cookie", "the browser sent mf_jwt_token to the app page, and the page's document.cookie did not show it")
	return o
}

func cookieSameSite(r *Run) judge.Outcome {
	ev, a, o, stop := r.withCookie()
	if stop != nil {
		return *stop
	}
	if slices.Contains(ev.SetCookie.Reasons, reasonNoneInsecure) {
		return o.Add(diag.New(diag.CookieSameSiteNoneInsecure, "SameSite=None together with Secure",
			"SameSite=None without Secure: Chromium dropped the cookie on arrival (SameSiteNoneInsecure)"))
	}
	if s := notStored(ev); s != nil {
		return *s
	}
	if s := r.needAppPage(ev); s != nil {
		return *s
	}
	if ev.EmbedErr != nil {
		return o.Add(r.embedFinding(ev.EmbedErr))
	}
	emb := ev.Embed
	o.Show("cross-site", map[string]string{
		"iframe": verdictText(emb.FrameCookie), "fetch": verdictText(emb.FetchCookie), "link": verdictText(emb.LinkCookie),
	})
	observed := fmt.Sprintf("from %s: iframe %s; credentialed fetch %s; link %s",
		hostOf(r.Target.EmbedURL), verdictText(emb.FrameCookie), verdictText(emb.FetchCookie), verdictText(emb.LinkCookie))
	if ss := a.SameSiteValue(); !strings.EqualFold(ss, "None") {
		written := "no SameSite attribute (treated as Lax)"
		if ss != "" {
			written = "SameSite=" + ss
		}
		return o.Add(diag.Newf(diag.CookieSameSiteNotNone, "SameSite=None; Secure", "%s; %s", written, observed))
	}
	if !sent(ev.AppNavCookie) {
		return r.notDelivered("the cookie does not reach the app even on top-level navigation")
	}
	if (a.Partitioned || ev.Partition != "") && (!sent(emb.FrameCookie) || !sent(emb.FetchCookie)) {
		return o.Add(diag.Newf(diag.CookiePartitioned, "the cookie arrives in the cross-site iframe and fetch",
			"Set-Cookie carries Partitioned: Chromium stored mf_jwt_token in the partition of %s (its partitionKey: the login page's top-level site), so for the app embedded in %s, whose partition is that site's, it is %s; %s",
			orText(ev.Partition, "the login page's site"), hostOf(r.Target.EmbedURL), partitionedVerdict(emb), observed))
	}
	if sent(emb.FrameCookie) && sent(emb.FetchCookie) {
		return o.Add(blockedNote(ev.Blocked, ev.BlockedErr, a))
	}
	for _, v := range []*browser.CookieVerdict{emb.FrameCookie, emb.FetchCookie} {
		if v != nil && thirdPartyBlocked(v.Reasons) {
			return o.Add(diag.Newf(diag.CookieThirdPartyBlocked, "the cookie arrives in the cross-site iframe and fetch",
				"this browser blocks third-party cookies, so SameSite=None could not be proven: %s", observed))
		}
	}
	return o.Add(diag.Newf(diag.CookieSameSiteNotNone, "the cookie arrives in the cross-site iframe and fetch", "%s", observed).
		Settled("SameSite=None is written, yet Chromium still withheld the cookie cross-site, for the reasons the observation quotes.",
			"Chromium's verdicts on the cross-site iframe and fetch, in the observation"))
}

// cookiePath is JWT-COOKIE-007: the cookie's path covers the app's page
// and probe path. Without a Path attribute the path is the default-path
// of the URL whose response set the cookie (RFC 6265 §5.1.4 and §5.3 step
// 7: the directory of that request's path) — after a redirecting login,
// the last hop's, not --login-url's (issue 22, A6). Chromium's own
// verdict on the requests to the app (NotOnPath) has the last word.
func cookiePath(r *Run) judge.Outcome {
	ev, a, o, stop := r.withCookie()
	if stop != nil {
		return *stop
	}
	setURL := ev.setURL(r.Target.LoginURL)
	path := a.EffectivePath(pathOf(setURL))
	how := "Path=" + path
	if a.Path == nil || !strings.HasPrefix(*a.Path, "/") {
		how = fmt.Sprintf("no Path attribute, so the default-path of the URL whose response set it (%s): %s", setURL, path)
	}
	o.Show("path", how)
	for _, p := range []string{"/", r.Target.ProbePath} {
		if !cookieattr.PathMatches(path, p) {
			return o.Add(diag.Newf(diag.CookiePathRestricted, "Path=/",
				"%s, which does not cover the app's %s; on the navigation to the app Chromium said: %s",
				how, p, verdictText(ev.AppNavCookie)))
		}
	}
	for _, v := range []*browser.CookieVerdict{ev.AppNavCookie, ev.AppProbeCookie} {
		if v != nil && slices.Contains(v.Reasons, reasonNotOnPath) {
			return o.Add(diag.Newf(diag.CookiePathRestricted, "Path=/",
				"%s; yet Chromium withheld the cookie from the app: %s", how, verdictText(v)))
		}
	}
	return o
}

func cookieExpiry(r *Run) judge.Outcome {
	ev, a, o, stop := r.withCookie()
	if stop != nil {
		return *stop
	}
	if expired, attr := a.ExpiredAt(ev.LoginDateOr()); expired {
		return o.Add(diag.Newf(diag.CookieExpiredOnArrival, "no Max-Age/Expires, or one in the future",
			"%s (server Date %s): Chromium dropped the cookie without giving a reason", attr, ev.LoginDateOr().UTC().Format("2006-01-02 15:04:05Z")))
	}
	return o
}

func cookieSize(r *Run) judge.Outcome {
	ev, a, o, stop := r.withCookie()
	if stop != nil {
		return *stop
	}
	size := len(a.Name) + len(a.Value)
	o.Show("size", size)
	if size > maxCookieNameValueSize || slices.Contains(ev.SetCookie.Reasons, reasonTooLarge) {
		return o.Add(diag.Newf(diag.CookieTooLarge, "name+value ≤ 4096 bytes",
			"name+value is %d bytes; Chromium: %s", size, reasonsOr(ev.SetCookie.Reasons, "stored")))
	}
	return o
}

// unreachable builds the environment diagnostic for a step that could not
// reach its target.
func unreachable(code diag.Code, target string, hosts *hostmap.Map, err error) diag.Diagnostic {
	observed := "no answer"
	if err != nil {
		observed = err.Error()
	}
	if strings.Contains(observed, "deadline exceeded") && !strings.Contains(observed, "timeout (") {
		observed = "no answer before the timeout: " + observed
	}
	return netfail.Explain(diag.New(code, "an answer from "+redact.URL(target), observed), netfail.Classify(target, err, hosts))
}

// thirdPartyBlocked reports whether reasons say the browser blocks
// third-party cookies (a browser setting, not the deployment).
func thirdPartyBlocked(reasons []string) bool {
	for _, r := range reasons {
		if r == "UserPreferences" || strings.HasPrefix(r, "ThirdParty") {
			return true
		}
	}
	return false
}

// blockedNote records, as an info finding, what a browser that blocks
// third-party cookies makes of the embedded app.
func blockedNote(b EmbedEvidence, err error, a cookieattr.Attrs) diag.Diagnostic {
	observed := fmt.Sprintf("with third-party cookies blocked: iframe %s; credentialed fetch %s", verdictText(b.FrameCookie), verdictText(b.FetchCookie))
	if err != nil {
		observed = "the check with third-party cookies blocked did not complete: " + err.Error()
	}
	if a.Partitioned && sent(b.FrameCookie) {
		observed += " (Partitioned cookie)"
	}
	return diag.New(diag.CookieThirdPartyBlocked, "information only", observed).WithSeverity(diag.Info)
}

// verdictText renders Chromium's verdict on mf_jwt_token for one request.
func verdictText(v *browser.CookieVerdict) string {
	switch {
	case v == nil:
		return "not considered (no such cookie in the jar for this URL)"
	case v.Sent:
		return "sent"
	default:
		return "withheld (" + strings.Join(v.Reasons, ", ") + ")"
	}
}

func reasonsOr(reasons []string, none string) string {
	if len(reasons) == 0 {
		return none
	}
	return "refused (" + strings.Join(reasons, ", ") + ")"
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// nearMisses names cookies that look like a misspelt mf_jwt_token.
func nearMisses(names []string) string {
	var near []string
	for _, n := range names {
		norm := strings.ReplaceAll(strings.ToLower(n), "-", "_")
		if norm == CookieName || strings.Contains(norm, "jwt") || strings.Contains(norm, "token") {
			near = append(near, n)
		}
	}
	if len(near) == 0 {
		return ""
	}
	return " — near misses: " + strings.Join(near, ", ") + " (the name is case-sensitive and must be exactly mf_jwt_token)"
}

// registrable returns the registrable domain both hosts share, for advice.
func registrable(a, b string) string {
	if d, ok, err := jwtcheck.RegistrableDomains(a, b); err == nil && ok {
		return d
	}
	return "your-domain.com"
}

// partitionedVerdict words what Chromium did with a partitioned cookie in
// the cross-site frame: usually it does not even consider it.
func partitionedVerdict(emb EmbedEvidence) string {
	if emb.FrameCookie == nil && emb.FetchCookie == nil {
		return "not even considered (Chromium lists no verdict: the cookie is not in that partition)"
	}
	return "iframe " + verdictText(emb.FrameCookie) + ", fetch " + verdictText(emb.FetchCookie)
}

func orText(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

// leftover returns the first mf_jwt_token sent to the app next to the one
// this login stored: a stale cookie of an earlier setup.
func (e *LoginEvidence) leftover() (browser.CookieVerdict, bool) {
	if e == nil || e.Stored == nil {
		return browser.CookieVerdict{}, false
	}
	for _, vs := range [][]browser.CookieVerdict{e.AppNavCookies, e.AppProbeCookies} {
		if sentCount(vs) < 2 {
			continue
		}
		for _, v := range vs {
			if v.Sent && !e.isStored(v) {
				return v, true
			}
		}
	}
	return browser.CookieVerdict{}, false
}

// isStored reports whether a verdict is on the cookie this login stored.
func (e *LoginEvidence) isStored(v browser.CookieVerdict) bool {
	return e.Stored != nil && v.Domain == e.Stored.Domain && v.Path == e.Stored.Path
}

// cookieSingle is JWT-COOKIE-010: the app must receive one mf_jwt_token,
// the one this login set. Two of the name (a leftover host-only cookie on
// the app host, or one with a longer Path) reach the app in Chromium's
// order — longer Path first, then earlier creation — and the app reads
// the first.
func cookieSingle(r *Run) judge.Outcome {
	ev, _, o, stop := r.withCookie()
	if stop != nil {
		return *stop
	}
	if s := notStored(ev); s != nil {
		return *s
	}
	if s := r.needAppPage(ev); s != nil {
		return *s
	}
	appHost := hostOf(r.Target.AppURL)
	vs, where := ev.AppNavCookies, "the top-level navigation to "+appHost
	if sentCount(vs) < 2 && sentCount(ev.AppProbeCookies) >= 2 {
		vs, where = ev.AppProbeCookies, "the app page's request to "+r.Target.ProbePath
	}
	if sentCount(ev.AppNavCookies) == 0 && sentCount(ev.AppProbeCookies) == 0 {
		return r.notDelivered("the cookie does not reach the app")
	}
	o.Show("mf_jwt_token sent to the app", cookieList(ev, vs))
	if sentCount(vs) < 2 {
		return o
	}
	var first browser.CookieVerdict
	for _, v := range vs {
		if v.Sent {
			first = v
			break
		}
	}
	stale, _ := ev.leftover()
	var why string
	switch {
	case ev.isStored(first):
		why = fmt.Sprintf("this login's cookie comes first today (Path %s), but the leftover (%s) still travels with it and comes first on any path it matches more closely, or once it is set again",
			first.Path, cookieDesc(ev, stale))
	case len(first.Path) > len(ev.Stored.Path):
		why = fmt.Sprintf("the leftover comes first because its Path %s is longer than %s: Chromium sends longer paths first (RFC 6265 §5.4)", first.Path, ev.Stored.Path)
	default:
		why = fmt.Sprintf("both have Path=%s, so Chromium sends the one created earlier first: the leftover, which was there before this login (RFC 6265 §5.4)", first.Path)
	}
	observed := fmt.Sprintf("%s carried %d cookies named mf_jwt_token, in this order: %s; %s", where, sentCount(vs), cookieList(ev, vs), why)
	if r.BackendProbe != nil && r.BackendProbe.Result.Error == "" && ev.AppErr == nil {
		observed += fmt.Sprintf(". With both the app answered %s; with this login's token alone, %s", answerText(ev.AppProbe), answerText(r.BackendProbe.Result))
		if !ev.AppProbe.Accepted && r.BackendProbe.Result.Accepted {
			observed += ": the app reads the leftover"
		}
	}
	return o.Add(diag.Newf(diag.CookieDuplicate,
		fmt.Sprintf("one mf_jwt_token: the one this login set (%s)", strings.TrimSuffix(cookieDesc(ev, browser.CookieVerdict{Domain: ev.Stored.Domain, Path: ev.Stored.Path}), " (set by this login)")),
		"%s", observed))
}

// cookieList names the mf_jwt_token cookies of a request, in order.
func cookieList(ev *LoginEvidence, vs []browser.CookieVerdict) string {
	var parts []string
	for i, v := range vs {
		p := fmt.Sprintf("%d. %s", i+1, cookieDesc(ev, v))
		if !v.Sent {
			p += " — withheld (" + strings.Join(v.Reasons, ", ") + ")"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}

// cookieDesc describes one cookie named mf_jwt_token by its domain and
// path (never its value) and whether this login set it.
func cookieDesc(ev *LoginEvidence, v browser.CookieVerdict) string {
	d := "Domain=" + strings.TrimPrefix(v.Domain, ".")
	if !strings.HasPrefix(v.Domain, ".") {
		d = "host-only on " + v.Domain
	}
	who := "a leftover this login did not set"
	if ev.isStored(v) {
		who = "set by this login"
	}
	return fmt.Sprintf("%s, Path=%s (%s)", d, v.Path, who)
}

// notDelivered is the outcome of a spec that follows the cookie into the
// app when it did not arrive: JWT-COOKIE-002 follows it there first and
// fails for that (or is blocked by what explains it).
func (r *Run) notDelivered(why string) judge.Outcome {
	return judge.Unmet("%s", why).By(result.JWTCookie002)
}
