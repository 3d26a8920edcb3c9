package jwt

import (
	"fmt"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo DSL

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/suites/cookieattr"
	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/jwtcheck"
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

// ownedReasons are the Set-Cookie block reasons a dedicated spec explains;
// JWT-COOKIE-001 reports every other one.
var ownedReasons = []string{reasonInvalidDomain, reasonSecureOnly, reasonNoneInsecure, reasonTooLarge}

var _ = Describe("JWT cookie", cookieArea, func() {
	It("JWT-COOKIE-001: the login response sets mf_jwt_token and Chromium stores it", func(ctx SpecContext) {
		e, ev := loginRequired(ctx)
		if ev.SetCookie == nil {
			judge.VerdictShowing(ev.Shots, diag.Newf(diag.CookieNotSet,
				"a Set-Cookie: mf_jwt_token=… header on the login response ("+e.Target.LoginURL+")",
				"no cookie named exactly mf_jwt_token; cookies set: %s%s", listOrNone(ev.Others), nearMisses(ev.Others)))
		}
		judge.Evidence("chromium-verdict", ev.SetCookie.Reasons)
		var unowned []string
		for _, r := range ev.SetCookie.Reasons {
			if !slices.Contains(ownedReasons, r) {
				unowned = append(unowned, r)
			}
		}
		if len(unowned) > 0 {
			judge.VerdictShowing(ev.Shots, diag.Newf(diag.CookieNotStored, "Chromium stores mf_jwt_token",
				"Chromium refused the cookie: %s", strings.Join(unowned, ", ")))
		}
		if ev.SetCookie.Stored && ev.Stored == nil {
			// Refused without a reason: that is what Chromium does with a
			// cookie that is already expired (JWT-COOKIE-008 explains it).
			if expired, _ := cookieattr.Parse(ev.SetCookie.Line).ExpiredAt(ev.LoginDateOr()); !expired {
				judge.VerdictShowing(ev.Shots, diag.New(diag.CookieNotStored, "Chromium stores mf_jwt_token",
					"the cookie is not in the jar after login and Chromium gave no reason"))
			}
		}
	})

	It("JWT-COOKIE-002: its Domain covers the app host and the cookie reaches the app on top-level navigation", func(ctx SpecContext) {
		e, ev, a := withCookie(ctx)
		loginHost, appHost := hostOf(e.Target.LoginURL), hostOf(e.Target.AppURL)
		if _, ok, err := jwtcheck.RegistrableDomains(loginHost, appHost); err != nil || !ok {
			judge.SkipBecause("%s and %s share no registrable domain, so no Domain value can work (see JWT-COOKIE-003)", loginHost, appHost)
		}
		if slices.Contains(ev.SetCookie.Reasons, reasonInvalidDomain) {
			why := "it does not domain-match the login host " + loginHost
			if jwtcheck.IsPublicSuffix(a.DomainValue()) {
				why = "it is a public suffix"
			}
			judge.VerdictShowing(ev.Shots, diag.Newf(diag.CookieDomainInvalid, "Domain=."+registrable(loginHost, appHost),
				"Domain=%s refused by Chromium (InvalidDomain): %s", *a.Domain, why))
		}
		if a.Domain == nil {
			judge.VerdictShowing(ev.Shots, diag.Newf(diag.CookieHostOnly, "Domain=."+registrable(loginHost, appHost)+" so "+appHost+" receives the cookie",
				"no Domain attribute: stored for %s only; on the navigation to %s Chromium: %s",
				loginHost, appHost, verdictText(ev.AppNavCookie)))
		}
		if !jwtcheck.DomainAttrCovers(*a.Domain, appHost) {
			judge.VerdictShowing(ev.Shots, diag.Newf(diag.CookieDomainInvalid, "Domain=."+registrable(loginHost, appHost),
				"Domain=%s does not cover the app host %s; on the navigation Chromium said: %s", *a.Domain, appHost, verdictText(ev.AppNavCookie)))
		}
		if ev.Stored == nil {
			judge.SkipBecause("the cookie was not stored (see JWT-COOKIE-001 and the attribute specs)")
		}
		if ev.AppErr != nil {
			judge.SkipBecause("the app could not be reached (see JWT-APP-001): %v", ev.AppErr)
		}
		judge.Evidence("app-navigation", verdictText(ev.AppNavCookie))
		if sent(ev.AppNavCookie) {
			return
		}
		if ev.AppNavCookie != nil && slices.Contains(ev.AppNavCookie.Reasons, reasonDomainMismatch) {
			judge.VerdictShowing(ev.Shots, diag.Newf(diag.CookieDomainInvalid, "the cookie is sent to "+appHost,
				"stored for domain %s, withheld from %s (DomainMismatch)", ev.Stored.Domain, appHost))
		}
		judge.SkipBecause("the cookie did not reach the app for a reason another spec owns: %s", verdictText(ev.AppNavCookie))
	})

	It("JWT-COOKIE-003: the backend and the app share a registrable domain (Public Suffix List)", func() {
		e := current()
		appOnly(e)
		if e.Target.AppURL == "" {
			judge.SkipBecause("backend-only run: %v", errNoApp)
		}
		loginHost, appHost := hostOf(e.Target.LoginURL), hostOf(e.Target.AppURL)
		shared, ok, err := jwtcheck.RegistrableDomains(loginHost, appHost)
		if err != nil {
			judge.Verdict(diag.Newf(diag.CookieDomainsUnrelated, "two hosts under one registrable domain", "%v", err))
		}
		if !ok {
			judge.Verdict(diag.Newf(diag.CookieDomainsUnrelated, "backend and app under one registrable domain, e.g. login.example.com and app.example.com",
				"backend %s and app %s have no registrable domain in common", loginHost, appHost))
		}
		judge.Evidence("registrable-domain", shared)
	})

	It("JWT-COOKIE-004: the cookie is Secure and set and used over https", func(ctx SpecContext) {
		e, ev, a := withCookie(ctx)
		var ds []diag.Diagnostic
		if !a.Secure {
			ds = append(ds, diag.New(diag.CookieNotSecure, "the Secure attribute", "Set-Cookie has no Secure attribute"))
		}
		if slices.Contains(ev.SetCookie.Reasons, reasonSecureOnly) || strings.HasPrefix(e.Target.LoginURL, "http://") {
			ds = append(ds, diag.Newf(diag.CookieInsecureOrigin, "the login page is served over https",
				"the cookie was set by %s; Chromium: %s", e.Target.LoginURL, reasonsOr(ev.SetCookie.Reasons, "stored")))
		}
		if strings.HasPrefix(e.Target.AppURL, "http://") {
			ds = append(ds, diag.Newf(diag.CookieInsecureOrigin, "the app is served over https", "the app is at %s", e.Target.AppURL))
		}
		judge.VerdictShowing(ev.Shots, ds...)
	})

	It("JWT-COOKIE-005: the cookie is HttpOnly, invisible to document.cookie in the app", func(ctx SpecContext) {
		_, ev, a := withCookie(ctx)
		if !a.HttpOnly {
			seen := "the app page could not read it only because it did not reach the app"
			if ev.DocumentCookieHasToken {
				seen = "a script on the app page read mf_jwt_token from document.cookie"
			}
			judge.VerdictShowing(ev.Shots, diag.Newf(diag.CookieNotHTTPOnly, "the HttpOnly attribute", "Set-Cookie has no HttpOnly attribute; %s", seen))
		}
		if ev.DocumentCookieHasToken {
			judge.VerdictShowing(ev.Shots, diag.New(diag.CookieNotHTTPOnly, "document.cookie on the app page does not show mf_jwt_token",
				"a script on the app page read mf_jwt_token from document.cookie"))
		}
	})

	It("JWT-COOKIE-006: SameSite=None, proven by the cookie arriving in a cross-site iframe and credentialed fetch", func(ctx SpecContext) {
		e, ev, a := withCookie(ctx)
		if slices.Contains(ev.SetCookie.Reasons, reasonNoneInsecure) {
			judge.VerdictShowing(ev.Shots, diag.New(diag.CookieSameSiteNoneInsecure, "SameSite=None together with Secure",
				"SameSite=None without Secure: Chromium dropped the cookie on arrival (SameSiteNoneInsecure)"))
		}
		if ev.Stored == nil {
			judge.SkipBecause("the cookie was not stored (see JWT-COOKIE-001 and the attribute specs)")
		}
		if ev.AppErr != nil {
			judge.SkipBecause("the app could not be reached (see JWT-APP-001): %v", ev.AppErr)
		}
		if ev.EmbedErr != nil {
			judge.VerdictShowing(ev.Shots, diag.Newf(diag.SetupFailed, "the embedding page on "+hostOf(e.Target.EmbedURL)+" loads", "%v", ev.EmbedErr))
		}
		emb := ev.Embed
		judge.Evidence("cross-site", map[string]string{
			"iframe": verdictText(emb.FrameCookie), "fetch": verdictText(emb.FetchCookie), "link": verdictText(emb.LinkCookie),
		})
		observed := fmt.Sprintf("from %s: iframe %s; credentialed fetch %s; link %s",
			hostOf(e.Target.EmbedURL), verdictText(emb.FrameCookie), verdictText(emb.FetchCookie), verdictText(emb.LinkCookie))
		if ss := a.SameSiteValue(); !strings.EqualFold(ss, "None") {
			written := "no SameSite attribute (treated as Lax)"
			if ss != "" {
				written = "SameSite=" + ss
			}
			judge.VerdictShowing(ev.Shots, diag.Newf(diag.CookieSameSiteNotNone, "SameSite=None; Secure", "%s; %s", written, observed))
		}
		if !sent(ev.AppNavCookie) {
			judge.SkipBecause("the cookie does not reach the app even on top-level navigation (see JWT-COOKIE-002)")
		}
		if sent(emb.FrameCookie) && sent(emb.FetchCookie) {
			judge.Verdict(blockedNote(ev.Blocked, ev.BlockedErr, a))
			return
		}
		for _, v := range []*browser.CookieVerdict{emb.FrameCookie, emb.FetchCookie} {
			if v != nil && thirdPartyBlocked(v.Reasons) {
				judge.VerdictShowing(ev.Shots, diag.Newf(diag.CookieThirdPartyBlocked, "the cookie arrives in the cross-site iframe and fetch",
					"this browser blocks third-party cookies, so SameSite=None could not be proven: %s", observed))
				return
			}
		}
		judge.VerdictShowing(ev.Shots, diag.Newf(diag.CookieSameSiteNotNone, "the cookie arrives in the cross-site iframe and fetch", "%s", observed).
			WithCause("SameSite=None is written but Chromium still withheld the cookie cross-site"))
	})

	It("JWT-COOKIE-007: the cookie's Path covers the app", func(ctx SpecContext) {
		e, ev, a := withCookie(ctx)
		path := a.EffectivePath(pathOf(e.Target.LoginURL))
		for _, p := range []string{"/", e.Target.ProbePath} {
			if !cookieattr.PathMatches(path, p) {
				judge.VerdictShowing(ev.Shots, diag.Newf(diag.CookiePathRestricted, "Path=/",
					"the cookie's path is %s, which does not cover the app's %s; on the navigation to the app Chromium said: %s",
					path, p, verdictText(ev.AppNavCookie)))
			}
		}
	})

	It("JWT-COOKIE-008: the cookie is not already expired on arrival", func(ctx SpecContext) {
		_, ev, a := withCookie(ctx)
		if expired, attr := a.ExpiredAt(ev.LoginDateOr()); expired {
			judge.VerdictShowing(ev.Shots, diag.Newf(diag.CookieExpiredOnArrival, "no Max-Age/Expires, or one in the future",
				"%s (server Date %s): Chromium dropped the cookie without giving a reason", attr, ev.LoginDateOr().UTC().Format("2006-01-02 15:04:05Z")))
		}
	})

	It("JWT-COOKIE-009: name and value fit in 4096 bytes", func(ctx SpecContext) {
		_, ev, a := withCookie(ctx)
		size := len(a.Name) + len(a.Value)
		judge.Evidence("size", size)
		if size > maxCookieNameValueSize || slices.Contains(ev.SetCookie.Reasons, reasonTooLarge) {
			judge.VerdictShowing(ev.Shots, diag.Newf(diag.CookieTooLarge, "name+value ≤ 4096 bytes",
				"name+value is %d bytes; Chromium: %s", size, reasonsOr(ev.SetCookie.Reasons, "stored")))
		}
	})
})

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
