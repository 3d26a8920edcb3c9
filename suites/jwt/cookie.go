package jwt

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/suites/cookieattr"
	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	"github.com/mfconform/mfconform/suites/redact"
	"github.com/mfconform/mfconform/suites/result"
)

// Chromium's reasons for refusing a Set-Cookie, each owned by one spec.
const (
	reasonInvalidDomain    = "InvalidDomain"
	reasonSecureOnly       = "SecureOnly"
	reasonNoneInsecure     = "SameSiteNoneInsecure"
	reasonTooLarge         = "NameValuePairExceedsMaxSize"
	reasonDomainMismatch   = "DomainMismatch"
	reasonNotOnPath        = "NotOnPath"
	maxCookieNameValueSize = 4096
)

// reasonOwners maps the Set-Cookie block reasons a dedicated spec explains
// to that spec; JWT-COOKIE-001 reports every other one.
var reasonOwners = map[string]string{
	reasonInvalidDomain: "JWT-COOKIE-002",
	reasonSecureOnly:    "JWT-COOKIE-004",
	reasonNoneInsecure:  "JWT-COOKIE-006",
	reasonTooLarge:      "JWT-COOKIE-009",
}

// cookieChecks are the specs about the mf_jwt_token cookie.
var cookieChecks = judge.InArea("cookie", []string{BundleLogin},
	judge.Check[*Run]{ID: "JWT-COOKIE-001", Title: "the login response sets mf_jwt_token and Chromium stores it", Judge: cookieSet},
	judge.Check[*Run]{ID: "JWT-COOKIE-002", Title: "its Domain covers the app host and the cookie reaches the app on top-level navigation", Judge: cookieDomain},
	judge.Check[*Run]{ID: "JWT-COOKIE-003", Title: "the backend and the app share a registrable domain (Public Suffix List)", Judge: cookieRegistrable, Bundles: judge.NoBundle()},
	judge.Check[*Run]{ID: "JWT-COOKIE-004", Title: "the cookie is Secure and set and used over https", Judge: cookieSecure},
	judge.Check[*Run]{ID: "JWT-COOKIE-005", Title: "the cookie is HttpOnly, invisible to document.cookie in the app", Judge: cookieHTTPOnly},
	judge.Check[*Run]{ID: "JWT-COOKIE-006", Title: "SameSite=None, proven by the cookie arriving in a cross-site iframe and credentialed fetch", Judge: cookieSameSite},
	judge.Check[*Run]{ID: "JWT-COOKIE-007", Title: "the cookie's Path covers the app", Judge: cookiePath},
	judge.Check[*Run]{ID: "JWT-COOKIE-008", Title: "the cookie is not already expired on arrival", Judge: cookieExpiry},
	judge.Check[*Run]{ID: "JWT-COOKIE-009", Title: "name and value fit in 4096 bytes", Judge: cookieSize},
	judge.Check[*Run]{ID: "JWT-COOKIE-010", Title: "exactly one mf_jwt_token reaches the app (no stale duplicate)", Judge: cookieSingle},
)

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
// when it is not there: blocked by the spec that explains why.
func notStored(ev *LoginEvidence) *judge.Outcome {
	if ev.Stored != nil {
		return nil
	}
	return stop(judge.Blocked(storeOwner(ev), "Chromium did not store the cookie"))
}

// storeOwner names the spec that explains why Chromium did not store the
// cookie.
func storeOwner(ev *LoginEvidence) string {
	for _, rs := range ev.SetCookie.Reasons {
		if owner, ok := reasonOwners[rs]; ok {
			return owner
		}
	}
	if expired, _ := cookieattr.Parse(ev.SetCookie.Line).ExpiredAt(ev.LoginDateOr()); expired {
		return "JWT-COOKIE-008"
	}
	return "JWT-COOKIE-001"
}

// navReasonOwner names the spec that explains a reason Chromium gave for
// withholding the cookie from a request, "" for none.
func navReasonOwner(reason string) string {
	switch {
	case reason == reasonNotOnPath:
		return "JWT-COOKIE-007"
	case reason == reasonSecureOnly:
		return "JWT-COOKIE-004"
	case strings.Contains(reason, "SameSite"):
		return "JWT-COOKIE-006"
	}
	return ""
}

// needAppPage returns why a spec that follows the cookie to the app cannot
// judge: the app page was not reached in the browser. The spec it names
// fails for that: JWT-APP-001 when the app answered no probe either,
// otherwise JWT-COOKIE-002, which follows the cookie there first
// (appPageFinding).
func (r *Run) needAppPage(ev *LoginEvidence) *judge.Outcome {
	if o := r.needAppForCookie(); o != nil {
		return o
	}
	if ev.AppErr != nil {
		return stop(judge.Blocked(r.appPageOwner(), "the browser could not open the app page after login: %v", ev.AppErr))
	}
	return nil
}

// appPageOwner names the spec that fails when the browser could not open
// the app page: JWT-APP-001 when the probes could not reach the app
// either (its APP_UNREACHABLE), JWT-COOKIE-002 otherwise.
func (r *Run) appPageOwner() string {
	if !r.Target.AppIsReference && r.Probes == nil {
		return "JWT-APP-001"
	}
	return "JWT-COOKIE-002"
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

// needAppForCookie: the cookie specs that follow the cookie to the app
// need an app to follow it to (the reference verifier will do).
func (r *Run) needAppForCookie() *judge.Outcome {
	if r.Target.AppURL == "" {
		return stop(judge.NotJudged(InputApp,
			"no app to follow the cookie to: give --app-url with your Miiflow app's URL, or --app-url reference to have mfconform serve a verifier inside your cookie domain"))
	}
	return nil
}

func cookieSet(r *Run) judge.Outcome {
	if o := r.needLogin(); o != nil && r.Target.LoginURL == "" {
		return *o
	}
	ev := r.Login
	if ev == nil || ev.SetCookie == nil && r.LoginErr != nil {
		return judge.Findings(unreachable(diag.LoginUnreachable, r.Target.LoginURL, r.LoginErr))
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
	o.Show("chromium-verdict", ev.SetCookie.Reasons)
	var unowned []string
	for _, rs := range ev.SetCookie.Reasons {
		if _, ok := reasonOwners[rs]; !ok {
			unowned = append(unowned, rs)
		}
	}
	if len(unowned) > 0 {
		return o.Add(diag.Newf(diag.CookieNotStored, "Chromium stores mf_jwt_token",
			"Chromium refused the cookie: %s", strings.Join(unowned, ", ")))
	}
	if ev.SetCookie.Stored && ev.Stored == nil {
		// Refused without a reason: that is what Chromium does with a
		// cookie that is already expired (JWT-COOKIE-008 explains it).
		if expired, _ := cookieattr.Parse(ev.SetCookie.Line).ExpiredAt(ev.LoginDateOr()); !expired {
			return o.Add(diag.New(diag.CookieNotStored, "Chromium stores mf_jwt_token",
				"the cookie is not in the jar after login and Chromium gave no reason"))
		}
	}
	return o
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
		return judge.Blocked("JWT-COOKIE-003", "%s and %s share no registrable domain, so no Domain value can work", loginHost, appHost)
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
	if ev.AppErr != nil && r.appPageOwner() == "JWT-COOKIE-002" {
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
	if ev.AppNavCookie != nil {
		for _, rs := range ev.AppNavCookie.Reasons {
			if owner := navReasonOwner(rs); owner != "" {
				return judge.Blocked(owner, "Chromium withheld the cookie from the app page (%s)", rs)
			}
		}
	}
	return o.Add(diag.Newf(diag.CookieNotSent, "the cookie is sent to "+appHost+" on a top-level navigation",
		"Chromium did not send it: %s", verdictText(ev.AppNavCookie)))
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

func cookieSecure(r *Run) judge.Outcome {
	ev, a, o, stop := r.withCookie()
	if stop != nil {
		return *stop
	}
	if !a.Secure {
		o = o.Add(diag.New(diag.CookieNotSecure, "the Secure attribute", "Set-Cookie has no Secure attribute"))
	}
	if slices.Contains(ev.SetCookie.Reasons, reasonSecureOnly) || strings.HasPrefix(r.Target.LoginURL, "http://") {
		o = o.Add(diag.Newf(diag.CookieInsecureOrigin, "the login page is served over https",
			"the cookie was set by %s; Chromium: %s", r.Target.LoginURL, reasonsOr(ev.SetCookie.Reasons, "stored")))
	}
	if strings.HasPrefix(r.Target.AppURL, "http://") {
		o = o.Add(diag.Newf(diag.CookieInsecureOrigin, "the app is served over https", "the app is at %s", r.Target.AppURL))
	}
	return o
}

func cookieHTTPOnly(r *Run) judge.Outcome {
	ev, a, o, stop := r.withCookie()
	if stop != nil {
		return *stop
	}
	if !a.HttpOnly {
		seen := "the app page could not read it only because it did not reach the app"
		if ev.DocumentCookieHasToken {
			seen = "a script on the app page read mf_jwt_token from document.cookie"
		}
		return o.Add(diag.Newf(diag.CookieNotHTTPOnly, "the HttpOnly attribute", "Set-Cookie has no HttpOnly attribute; %s", seen))
	}
	if ev.DocumentCookieHasToken {
		return o.Add(diag.New(diag.CookieNotHTTPOnly, "document.cookie on the app page does not show mf_jwt_token",
			"a script on the app page read mf_jwt_token from document.cookie"))
	}
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
		return o.Add(diag.Newf(diag.SetupFailed, "the embedding page on "+hostOf(r.Target.EmbedURL)+" loads", "%v", ev.EmbedErr))
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
		WithCause("SameSite=None is written but Chromium still withheld the cookie cross-site"))
}

func cookiePath(r *Run) judge.Outcome {
	ev, a, o, stop := r.withCookie()
	if stop != nil {
		return *stop
	}
	path := a.EffectivePath(pathOf(r.Target.LoginURL))
	for _, p := range []string{"/", r.Target.ProbePath} {
		if !cookieattr.PathMatches(path, p) {
			return o.Add(diag.Newf(diag.CookiePathRestricted, "Path=/",
				"the cookie's path is %s, which does not cover the app's %s; on the navigation to the app Chromium said: %s",
				path, p, verdictText(ev.AppNavCookie)))
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
func unreachable(code diag.Code, target string, err error) diag.Diagnostic {
	observed := "no answer"
	if err != nil {
		observed = err.Error()
	}
	if strings.Contains(observed, "deadline exceeded") && !strings.Contains(observed, "timeout (") {
		observed = "no answer before the timeout: " + observed
	}
	return diag.New(code, "an answer from "+target, observed)
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
// app when it did not arrive: blocked by whatever keeps JWT-COOKIE-002
// from judging (JWT-COOKIE-007 for a Path, …), or by JWT-COOKIE-002 itself
// when that spec reports why.
func (r *Run) notDelivered(why string) judge.Outcome {
	if d := cookieDomain(r); d.Unjudged != nil {
		return judge.Outcome{Unjudged: d.Unjudged}
	}
	return judge.Blocked("JWT-COOKIE-002", "%s", why)
}
