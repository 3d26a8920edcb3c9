package diag

import "github.com/mfconform/mfconform/suites/result"

// Codes of the catalogue. Specs and checks refer to these constants rather
// than to string literals so a typo is a compile error. The values are the
// stable identifiers printed in reports; never change one.
const (
	// Cookie (JWT mode).
	CookieNotSet               Code = "COOKIE_NOT_SET"
	CookieNotStored            Code = "COOKIE_NOT_STORED"
	CookieHostOnly             Code = "COOKIE_HOST_ONLY"
	CookieDomainInvalid        Code = "COOKIE_DOMAIN_INVALID"
	CookieDomainsUnrelated     Code = "COOKIE_DOMAINS_UNRELATED"
	CookieNotSecure            Code = "COOKIE_NOT_SECURE"
	CookieSameSiteNoneInsecure Code = "COOKIE_SAMESITE_NONE_INSECURE"
	CookieSameSiteNotNone      Code = "COOKIE_SAMESITE_NOT_NONE"
	CookieNotHTTPOnly          Code = "COOKIE_NOT_HTTPONLY"
	CookiePathRestricted       Code = "COOKIE_PATH_RESTRICTED"
	CookieExpiredOnArrival     Code = "COOKIE_EXPIRED_ON_ARRIVAL"
	CookieTooLarge             Code = "COOKIE_TOO_LARGE"
	CookieInsecureOrigin       Code = "COOKIE_INSECURE_ORIGIN"
	CookieThirdPartyBlocked    Code = "COOKIE_THIRD_PARTY_BLOCKED"
	CookieNotSent              Code = "COOKIE_NOT_SENT"
	CookieDuplicate            Code = "COOKIE_DUPLICATE"
	CookiePartitioned          Code = "COOKIE_PARTITIONED"

	// Token (JWT mode).
	TokenMalformed         Code = "TOKEN_MALFORMED"
	TokenAlgNotHS256       Code = "TOKEN_ALG_NOT_HS256"
	TokenSignatureMismatch Code = "TOKEN_SIGNATURE_MISMATCH"
	TokenSecretWhitespace  Code = "TOKEN_SECRET_WHITESPACE"
	TokenSecretEncoding    Code = "TOKEN_SECRET_ENCODING"
	TokenExpired           Code = "TOKEN_EXPIRED"
	TokenExpMilliseconds   Code = "TOKEN_EXP_MILLISECONDS"
	TokenExpMicroseconds   Code = "TOKEN_EXP_MICROSECONDS"
	TokenExpNanoseconds    Code = "TOKEN_EXP_NANOSECONDS"
	TokenValueQuoted       Code = "TOKEN_VALUE_QUOTED"
	TokenExpMissing        Code = "TOKEN_EXP_MISSING"
	TokenExpNotNumeric     Code = "TOKEN_EXP_NOT_NUMERIC"
	TokenLifetimeLong      Code = "TOKEN_LIFETIME_LONG"
	TokenClockSkew         Code = "TOKEN_CLOCK_SKEW"
	TokenExpTimezone       Code = "TOKEN_EXP_TIMEZONE"
	TokenUserIDMissing     Code = "TOKEN_USER_ID_MISSING"
	TokenUserIDNotString   Code = "TOKEN_USER_ID_NOT_STRING"
	TokenClaimType         Code = "TOKEN_CLAIM_TYPE"
	TokenEmailInvalid      Code = "TOKEN_EMAIL_INVALID"
	SecretWeak             Code = "SECRET_WEAK"

	// App / verifier (JWT mode).
	AppRejectsValidToken    Code = "APP_REJECTS_VALID_TOKEN"
	AppIdentityMismatch     Code = "APP_IDENTITY_MISMATCH"
	AppAcceptsExpired       Code = "APP_ACCEPTS_EXPIRED"
	AppAcceptsBadSignature  Code = "APP_ACCEPTS_BAD_SIGNATURE"
	AppAcceptsAlgNone       Code = "APP_ACCEPTS_ALG_NONE"
	AppAcceptsOtherAlg      Code = "APP_ACCEPTS_OTHER_ALG"
	AppAcceptsMissingClaim  Code = "APP_ACCEPTS_MISSING_CLAIM"
	AppRejectsFractionalExp Code = "APP_REJECTS_FRACTIONAL_EXP"
	AppServerError          Code = "APP_SERVER_ERROR"
	AppUnreachable          Code = "APP_UNREACHABLE"
	LoginUnreachable        Code = "LOGIN_UNREACHABLE"
	AppProbeFailed          Code = "APP_PROBE_FAILED"
	AppProbeNoIdentity      Code = "APP_PROBE_NO_IDENTITY"
	AppPageFailed           Code = "APP_PAGE_FAILED"

	// Supabase mode.
	SupabaseURLMissing         Code = "SUPABASE_URL_MISSING"
	SupabaseKeyMissing         Code = "SUPABASE_KEY_MISSING"
	SupabaseURLInvalid         Code = "SUPABASE_URL_INVALID"
	SupabaseURLUnreachable     Code = "SUPABASE_URL_UNREACHABLE"
	SupabaseNotAuth            Code = "SUPABASE_NOT_AUTH"
	SupabaseKeyMalformed       Code = "SUPABASE_KEY_MALFORMED"
	SupabaseKeyServiceRole     Code = "SUPABASE_KEY_SERVICE_ROLE"
	SupabaseKeySecret          Code = "SUPABASE_KEY_SECRET"
	SupabaseKeyProjectMismatch Code = "SUPABASE_KEY_PROJECT_MISMATCH"
	SupabaseKeyExpired         Code = "SUPABASE_KEY_EXPIRED"
	SupabaseKeyRejected        Code = "SUPABASE_KEY_REJECTED"
	SupabaseCORSBlocked        Code = "SUPABASE_CORS_BLOCKED"
	SupabaseSigninFailed       Code = "SUPABASE_SIGNIN_FAILED"
	SupabaseSessionClaims      Code = "SUPABASE_SESSION_CLAIMS"
	SupabaseSessionSignature   Code = "SUPABASE_SESSION_SIGNATURE"
	SupabaseRefreshFailed      Code = "SUPABASE_REFRESH_FAILED"
	SupabaseClockSkew          Code = "SUPABASE_CLOCK_SKEW"
	SupabaseAcceptsExpired     Code = "SUPABASE_AUTH_ACCEPTS_EXPIRED"
	SupabaseAcceptsBadSig      Code = "SUPABASE_AUTH_ACCEPTS_BAD_SIGNATURE"
	SupabaseJWKSKidMissing     Code = "SUPABASE_JWKS_KID_MISSING"
	SupabaseJWKSAlgMismatch    Code = "SUPABASE_JWKS_ALG_MISMATCH"
	SupabaseTokenSymmetric     Code = "SUPABASE_TOKEN_SYMMETRIC"
	SupabaseRefreshReuseMints  Code = "SUPABASE_REFRESH_REUSE_MINTS"
	SupabaseRefreshReuse       Code = "SUPABASE_REFRESH_REUSE_ACCEPTED"
	SupabaseRefreshFamily      Code = "SUPABASE_REFRESH_FAMILY_NOT_REVOKED"
	SupabaseKeySignature       Code = "SUPABASE_KEY_SIGNATURE"
	SupabaseRedirects          Code = "SUPABASE_REDIRECTS"

	// Environment.
	SetupFailed       Code = "SETUP_FAILED"
	LoginScriptFailed Code = "LOGIN_SCRIPT_FAILED"
)

// Texts shared by several entries.
const (
	// setCookieExample is the header the backend must send, in HTTP's
	// own words: a generic fix names attributes, never one language's
	// code (suites/stack holds each stack's idiom).
	setCookieExample = `Set-Cookie: mf_jwt_token=<token>; Domain=.your-domain.com; Path=/; Secure; HttpOnly; SameSite=None`
	sameKeyFix       = "Give the backend and the Miiflow app the very same AUTH_SECRET_KEY value (same bytes: no added quotes, " +
		"newline or base64 step). mfconform sees neither side's key, only whether tokens verify; it prints the fingerprint of " +
		"the one key it is given — `mfconform config check` and the report's target details (sha256: and the first 8 hex " +
		"digits of its SHA-256). Compare it with each side's: printf '%s' \"$AUTH_SECRET_KEY\" | sha256sum, run where that " +
		"side reads the key, and compare the first 8 digits. Restart the service whose key " +
		"you change so it reads the new value."
	refCookieContract = "contract: Mode 2 cookie"
	refClaims         = "contract: Mode 2 claims"
	refVendorJWT      = "vendor page: Authentication for Self-Hosting — Option 2: JWT"

	// provenBySetCookie points at the Set-Cookie line a cookie finding
	// quotes.
	provenBySetCookie = "the observed Set-Cookie line of the login response (evidence set-cookie)"
	// provenByVerdict points at Chromium's verdict on that line.
	provenByVerdict = "Chromium's own verdict on the Set-Cookie line, quoted in the observation"
)

func init() {
	registerCookie()
	registerToken()
	registerApp()
	registerSupabase()
	register(
		Entry{
			Code:        SetupFailed,
			Environment: true,
			Title:       "test environment could not be prepared",
			Severity:    Critical,
			Cause: "mfconform could not set up what a check needs — its browser, its supabase-js bundle, a port, a page " +
				"of its own or an option; the observation names which and quotes the error. What depends on it has " +
				"not been judged.",
			ProvenBy: "the observed error",
			Fix: "Read the observed error: install Chromium (or pass --chromium with a Chrome binary), free the port or " +
				"directory it names, fix the option it rejects, then run again. Skipped checks are not passes.",
			Reference: "mfconform: setup; a setup failure is never a pass",
		},
		Entry{
			Code:        LoginScriptFailed,
			Environment: true,
			Title:       "a step of the login script failed on a page that loaded",
			Severity:    Fail,
			Cause: "The backend's login page answered, but a step of jwt.login_script — a fill, click or wait — did not " +
				"complete within the navigation timeout, so the test user was never signed in. The observation names " +
				"the step (by number, kind and selector, never by a filled value) and the page it ran on; the screenshot " +
				"shows that page. Nothing about the cookie or the token was tested.",
			ProvenBy: "the observed step error and the screenshot of the page when it failed",
			Hypotheses: []Hypothesis{
				Maybe("The step's CSS selector matches no element of the page (a typo, or markup that changed).",
					"open the page the observation names and run document.querySelector('<the selector>') in the "+
						"browser's developer tools console: null means the selector is wrong."),
				Maybe("The element appears later than the step runs (a page that renders its form with JavaScript).",
					"the selector matches when you run it by hand a moment after the page loads; add a wait step for "+
						"it before the fill or click."),
				Maybe("The sign-in was refused (wrong test credentials, a CAPTCHA, a consent page) and the step waited "+
					"for something that never came.",
					"the screenshot shows an error message or another page than the one the script expects."),
			},
			Fix: "Run the jwt.login_script steps by hand in a browser and fix the step named: its selector, a wait before " +
				"it, or the test credentials in the environment variables it fills from. Raise timeouts.navigation " +
				"in the configuration file only if the page is slow by design.",
			Reference: "mfconform: jwt.login_script",
		},
	)
}

func registerCookie() {
	register(
		Entry{
			Code:     CookieNotSet,
			Title:    "no mf_jwt_token cookie set after login",
			Severity: Fail,
			Cause: "No response of the login — redirects and, for a scripted login, every page it loaded — carries a " +
				"Set-Cookie named exactly mf_jwt_token, so no token can reach the app.",
			ProvenBy: "the observed list of every cookie the login set",
			Hypotheses: []Hypothesis{
				Maybe("The cookie has a near-miss name (mf-jwt-token, jwt_token, MF_JWT_TOKEN: cookie names are case-sensitive).",
					"the observation lists every cookie the login set and names a near-miss when there is one."),
				Maybe("The cookie is set on a response mfconform does not see as part of the login (a later API call, "+
					"a callback URL outside the login's redirects).",
					"sign in by hand with the browser's developer tools open (Network, Preserve log) and find the "+
						"response with Set-Cookie: mf_jwt_token; point --login-url (or jwt.login_script) at the flow "+
						"that reaches it."),
				Maybe("The token is returned in the body or a header and never turned into a cookie.",
					"the login response in the developer tools holds a JWT (eyJ…) in its body or headers but no "+
						"Set-Cookie: mf_jwt_token."),
			},
			Fix: "After authenticating the user, set the cookie by its exact name on the response that finishes the login: " +
				setCookieExample + ".",
			Reference: refCookieContract + "; " + refVendorJWT,
		},
		Entry{
			Code:     CookieNotStored,
			Title:    "Chromium did not store mf_jwt_token",
			Severity: Fail,
			Cause: "The login response sets mf_jwt_token, but it is not in Chromium's cookie jar afterwards, for a reason " +
				"no more specific code covers (the domain, Secure, size, SameSite and expiry refusals have codes of " +
				"their own). The observation quotes Chromium's blocked reason, or says Chromium gave none. A cookie of " +
				"the same name left by an earlier setup does not count: the observation names it when the jar holds one.",
			ProvenBy: provenByVerdict + " and the jar after login",
			Hypotheses: []Hypothesis{
				Maybe("A character Chromium refuses in the name or value (a space, quote, semicolon or control character).",
					"Chromium's reason is DisallowedCharacter; the redacted Set-Cookie line (evidence set-cookie) shows the value's shape."),
				Maybe("A __Host- or __Secure- prefix whose rules the line breaks, or a line Chromium cannot parse.",
					"Chromium's reason is InvalidPrefix or SyntaxError."),
				Maybe("A later response of the login deletes or replaces it (a deletion carries no reason).",
					"Chromium gave no reason; in the browser's developer tools a second Set-Cookie: mf_jwt_token with an "+
						"empty value or a past Expires follows the first."),
			},
			Fix: "Look up Chromium's reason in the observation and correct that attribute of the Set-Cookie line; the " +
				"working shape is: mf_jwt_token=<jwt>; Domain=.your-domain.com; Path=/; Secure; HttpOnly; SameSite=None.",
			Reference: "Chromium: CookieBlockedReason (DevTools Network.responseReceivedExtraInfo); RFC 6265 §5.2",
		},
		Entry{
			Code:     CookieNotSent,
			Title:    "Chromium withheld mf_jwt_token from the app",
			Severity: Fail,
			Cause: "The cookie is stored and its Domain and Path cover the app, yet Chromium did not attach it to a " +
				"top-level navigation to the app, for the reason the observation quotes (a reason no more specific " +
				"code covers).",
			ProvenBy: "Chromium's verdict on the cookie for the navigation to the app (DevTools Network.requestWillBeSentExtraInfo associatedCookies), in the observation",
			Fix: "Look up Chromium's reason in the observation; the working shape is: mf_jwt_token=<jwt>; " +
				"Domain=.your-domain.com; Path=/; Secure; HttpOnly; SameSite=None, with the app served over https.",
			Reference: "Chromium: CookieBlockedReason; RFC 6265 §5.4",
		},
		Entry{
			Code:     CookieHostOnly,
			Title:    "mf_jwt_token is host-only",
			Severity: Fail,
			Cause: "The Set-Cookie line has no Domain attribute, so the browser stores the cookie for the exact login " +
				"host only (e.g. login.acme.test) and never sends it to the app on another subdomain " +
				"(app.acme.test): the app sees no token and the user looks logged out.",
			ProvenBy: provenBySetCookie + ", and the cookie table: stored for the login host, not sent to the app",
			Fix: `Set Domain=.your-domain.com (the registrable domain both hosts share): ` + setCookieExample +
				". The leading dot is optional in current browsers.",
			Reference: "RFC 6265 §5.2.3 and §5.3 step 6; " + refCookieContract,
		},
		Entry{
			Code:     CookieDomainInvalid,
			Title:    "mf_jwt_token has a Domain the browser rejects",
			Severity: Fail,
			Cause: "The Domain attribute does not domain-match the host that set the cookie (a foreign domain such as " +
				"other.test set from login.acme.test) or it names a public suffix (.com, .test, .vercel.app); the " +
				"observation says which. Chromium drops such a cookie outright with reason InvalidDomain; nothing is stored.",
			ProvenBy: provenBySetCookie + " and " + provenByVerdict,
			Fix: "Set Domain to the registrable domain the login host belongs to and the app shares, e.g. " +
				"Domain=.acme.test when the backend is login.acme.test and the app is app.acme.test. Never a " +
				"public suffix, never a domain the login host is not under.",
			Reference: "RFC 6265 §5.3 steps 5–6 (public suffixes, domain-match); Chromium: InvalidDomain; " + refCookieContract,
		},
		Entry{
			Code:     CookieDomainsUnrelated,
			Title:    "backend and app share no registrable domain",
			Severity: Fail,
			Cause: "The login host and the app host have different registrable domains (eTLD+1 per the Public Suffix " +
				"List), e.g. login.acme.test and app.other.test, or two projects under a shared hosting suffix such " +
				"as foo.vercel.app and bar.vercel.app. No Domain value can cover both, so no cookie set by the backend " +
				"can ever reach the app. This is a hosting problem, not a cookie-attribute problem.",
			ProvenBy: "the login and app hosts named in the observation, read against the Public Suffix List",
			Fix: "Serve the backend (or at least the endpoint that sets mf_jwt_token) and the Miiflow app under one " +
				"domain you control, e.g. login.your-domain.com and app.your-domain.com (custom domains instead " +
				"of *.vercel.app), then set Domain=.your-domain.com.",
			Reference: "RFC 6265 §5.3 step 5; Public Suffix List; " + refCookieContract,
		},
		Entry{
			Code:     CookieNotSecure,
			Title:    "mf_jwt_token lacks Secure",
			Severity: Fail,
			Cause: "The Set-Cookie line has no Secure attribute: the token would also travel over plain http, where " +
				"anyone on the network can read it, and with SameSite=None the browser drops it altogether.",
			ProvenBy:  provenBySetCookie,
			Fix:       "Add the Secure attribute to mf_jwt_token's Set-Cookie and serve both backend and app over https.",
			Reference: "RFC 6265 §4.1.2.5; " + refCookieContract + "; vendor page: Troubleshooting — Cross-Domain Cookie Issues",
		},
		Entry{
			Code:     CookieSameSiteNoneInsecure,
			Title:    "SameSite=None without Secure: cookie dropped",
			Severity: Fail,
			Cause: "The cookie says SameSite=None but not Secure. Chromium (and other current browsers) reject such a " +
				"cookie on arrival with reason SameSiteNoneInsecure, so it is never stored and the app never " +
				"receives a token.",
			ProvenBy:  provenBySetCookie + " and " + provenByVerdict,
			Fix:       "Add the Secure attribute next to SameSite=None and serve the login page over https.",
			Reference: "Chromium: SameSite=None requires Secure (SameSiteNoneInsecure); draft-ietf-httpbis-rfc6265bis: SameSite attribute",
		},
		Entry{
			Code:     CookieSameSiteNotNone,
			Title:    "mf_jwt_token is not SameSite=None",
			Severity: Fail,
			Cause: "The cookie is SameSite=Lax, Strict, or has no SameSite (which browsers treat as Lax). What still " +
				"works with Lax: login.acme.test and app.acme.test are the same site (same eTLD+1), so the cookie is " +
				"sent on top-level navigation between them and on the app's own same-site requests. What breaks: " +
				"the app embedded in an iframe on a page of another site, and credentialed fetch/XHR to the app from " +
				"another site — the browser withholds the cookie (Chromium: SchemefulSameSiteLax / Strict / " +
				"UnspecifiedTreatedAsLax). Strict additionally withholds it when the user arrives at the app by a " +
				"link from another site.",
			ProvenBy: provenBySetCookie + ", and Chromium's verdicts on the cross-site iframe, fetch and link (evidence cross-site)",
			Fix: "Set the attributes SameSite=None and Secure together, as the contract asks. If the " +
				"app is never embedded in or called from another site, Lax works in practice; record a waiver " +
				"with that reason instead.",
			Reference: "draft-ietf-httpbis-rfc6265bis: SameSite attribute and same-site requests; " + refCookieContract,
		},
		Entry{
			Code:     CookieNotHTTPOnly,
			Title:    "mf_jwt_token is readable by page scripts",
			Severity: Fail,
			Cause: "The cookie has no HttpOnly attribute, so any script on a page of the cookie's domain can read the " +
				"token through document.cookie; one XSS bug on any subdomain then leaks every user's session token.",
			ProvenBy:  provenBySetCookie + ", and document.cookie read on the app page",
			Fix:       "Add the HttpOnly attribute. Miiflow reads the cookie server-side; scripts do not need it.",
			Reference: "RFC 6265 §4.1.2.6; vendor page: Key Notes — Security",
		},
		Entry{
			Code:     CookiePathRestricted,
			Title:    "mf_jwt_token Path does not cover the app",
			Severity: Fail,
			Cause: "The cookie's Path does not prefix the app's request paths, so the browser does not send it there " +
				"(Chromium: NotOnPath). Without a Path attribute the path is the default-path of the URL whose response " +
				"set the cookie: the directory of that request's path, e.g. /auth/callback for a cookie set by " +
				"/auth/callback/done — after a redirecting login that is the last hop that carried the Set-Cookie, not " +
				"the URL the login started at. The observation names that URL.",
			ProvenBy:  provenBySetCookie + ", and Chromium's NotOnPath verdicts in the cookie table",
			Fix:       "Set the attribute Path=/ explicitly.",
			Reference: "RFC 6265 §5.1.4 (default-path, path-match) and §5.2.4; Chromium: NotOnPath; " + refCookieContract,
		},
		Entry{
			Code:     CookieExpiredOnArrival,
			Title:    "mf_jwt_token expires before it is stored",
			Severity: Fail,
			Cause: "The cookie's Expires date is already past, or Max-Age is zero or negative, when the browser receives " +
				"it. A browser treats such a Set-Cookie as a deletion and drops it without giving a reason; only the " +
				"raw header shows why.",
			ProvenBy: provenBySetCookie + " (its Max-Age or Expires) against the response's Date header, in the observation",
			Hypotheses: []Hypothesis{
				Maybe("Max-Age computed in the wrong unit or with the wrong sign (0, a negative number, milliseconds "+
					"divided twice).",
					"the observation quotes Max-Age: a value that is not the token's lifetime in seconds."),
				Maybe("Expires written in local time without a zone, or from a naive datetime, so it lands hours in the past.",
					"Expires in the observation is in the past by a whole number of hours relative to the response's Date."),
				Maybe("The server's clock is far behind.",
					"the response's Date header in the observation is far from the real time."),
			},
			Fix: "Give the cookie a lifetime at least as long as the token's: Max-Age=<seconds> matching the JWT exp, or " +
				"Expires in GMT (RFC 1123 format), or omit both for a session cookie. Check the server's clock.",
			Reference: "RFC 6265 §5.2.1, §5.2.2 and §5.3 step 3; " + refCookieContract,
		},
		Entry{
			Code:     CookieTooLarge,
			Title:    "mf_jwt_token is over 4096 bytes",
			Severity: Fail,
			Cause:    "Cookie name plus value exceed 4096 bytes, and Chromium discards it (NameValuePairExceedsMaxSize).",
			ProvenBy: "the size in the observation and " + provenByVerdict,
			Hypotheses: []Hypothesis{
				Maybe("The JWT carries far more than the contract's claims (permissions, profile pictures, nested objects).",
					"the decoded token (evidence token, or jwt.io on a test token) lists claims beyond user_id, exp, "+
						"first_name, last_name and email."),
			},
			Fix: "Put only user_id, exp and the optional first_name, last_name, email in the token; look up anything " +
				"else server-side.",
			Reference: "RFC 6265 §6.1 (at least 4096 bytes per cookie); Chromium: NameValuePairExceedsMaxSize",
		},
		Entry{
			Code:     CookieInsecureOrigin,
			Title:    "cookie set or used over plain http",
			Severity: Fail,
			Cause: "The login page that sets mf_jwt_token, or the app that must receive it, is served over http://. A " +
				"Secure cookie set from http is refused (Chromium: SecureOnly) and a Secure cookie is never sent to " +
				"an http URL, so the token cannot travel.",
			ProvenBy:  "the http:// URL and Chromium's SecureOnly verdict, in the observation",
			Fix:       "Serve both the backend's login endpoint and the Miiflow app over https (a TLS-terminating proxy is fine), and redirect http to https.",
			Reference: "RFC 6265 §4.1.2.5 (Secure); draft-ietf-httpbis-rfc6265bis: non-secure origins cannot set Secure cookies; Chromium: SecureOnly",
		},
		Entry{
			Code:     CookieThirdPartyBlocked,
			Title:    "third-party cookie blocking withholds the token",
			Severity: Warn,
			Cause: "The app is reached cross-site (embedded in an iframe or called from a page of another site), and the " +
				"browser blocks third-party cookies — the default in Safari, Firefox strict mode, incognito windows " +
				"and some Chromium builds — so even a correct SameSite=None; Secure cookie is not sent " +
				"(Chromium: UserPreferences / ThirdPartyPhaseout). This is the user's browser, not a misconfiguration.",
			ProvenBy: "Chromium's verdicts on the embedded app's requests in a browser that blocks third-party cookies (the observation)",
			Fix: "Host the embedding page, the backend and the app on one site (same registrable domain) so the cookie " +
				"is first-party. Setting the cookie Partitioned (CHIPS) does not help by itself: a partitioned cookie " +
				"is kept per top-level site, so one set by the login page at top level never reaches the app embedded " +
				"in another site (COOKIE_PARTITIONED); it only works when the sign-in itself happens inside the " +
				"embedded frame.",
			Reference: "Chromium: third-party cookie blocking; CHIPS (draft-cutler-httpbis-partitioned-cookies)",
		},
		Entry{
			Code:     CookieDuplicate,
			Title:    "two mf_jwt_token cookies reach the app",
			Severity: Fail,
			Cause: "The browser holds more than one cookie named mf_jwt_token for the app's URL and sends them all, " +
				"longer Path first and, for equal paths, the earlier-created one first (RFC 6265 §5.4); the " +
				"observation names the other cookie's Domain and Path. A server that reads the first verifies the " +
				"stale token, and the symptoms look like a secret mismatch or an expired token that cannot be, " +
				"although the backend's new cookie is right.",
			ProvenBy: "Chromium's Cookie header for the navigation to the app, in the observation (evidence cookies)",
			Hypotheses: []Hypothesis{
				Maybe("A leftover from an earlier setup: a host-only cookie on the app host, or one with another Domain or a longer Path.",
					"the observation gives the other cookie's Domain (host-only or not) and Path; the browser's "+
						"developer tools (Application, Cookies) show when it expires."),
			},
			Fix: "Expire the stale cookie with the same Domain and Path it was set with — a Set-Cookie with an empty " +
				"value and Max-Age=0 (or an Expires in the past) from a host allowed to set it: for a host-only " +
				"cookie on the app host only a response from that host can (the proxy in front of the app, or the " +
				"service that set it); a Domain cookie with another Path the backend can expire itself. Then stop " +
				"setting it. Users who still hold one can also clear the site's cookies.",
			Reference: "RFC 6265 §5.3 step 11 (replacing a cookie needs the same name, domain and path) and §5.4 step 2 (order); " + refCookieContract,
		},
		Entry{
			Code:     CookiePartitioned,
			Title:    "mf_jwt_token is Partitioned, so the embedded app never gets it",
			Severity: Fail,
			Cause: "The Set-Cookie line carries Partitioned (CHIPS). Chromium keys such a cookie to the top-level site " +
				"it was set under — the login page's — so it reaches the app on a top-level navigation, but in an " +
				"iframe or a credentialed fetch from a page of another site the partition is that site's and the " +
				"cookie is not even considered, although SameSite=None and Secure look right.",
			ProvenBy: provenBySetCookie + ", and the stored cookie's partition key in the observation",
			Fix: "Drop the Partitioned attribute from mf_jwt_token (keep Domain, Path=/, Secure, HttpOnly, SameSite=None). " +
				"Partitioned only helps a cookie that is set inside the embedded frame itself.",
			Reference: "CHIPS (draft-cutler-httpbis-partitioned-cookies); Chromium: partitionKey of the stored cookie; " + refCookieContract,
		},
	)
}

// Hypotheses several token entries share.
var (
	// keyHypotheses: which side's key is off is not proven by the
	// backend's token alone.
	keyHypotheses = []Hypothesis{
		{Cause: "The backend signs with another key than the Miiflow app holds (another environment's key, a rotated " +
			"key, or a default left in the backend).",
			Tell: "JWT-APP-001: when the app accepts mfconform's token signed with the AUTH_SECRET_KEY you gave, the app " +
				"holds that key and the backend is the side to fix."},
		Maybe("The key given to mfconform is neither side's (taken from another environment).",
			"compare the fingerprint `mfconform config check` prints for AUTH_SECRET_KEY with printf '%s' "+
				"\"$AUTH_SECRET_KEY\" | sha256sum run inside the backend's and the app's containers."),
	}
)

func registerToken() {
	register(
		Entry{
			Code:     TokenMalformed,
			Title:    "mf_jwt_token is not a compact JWS",
			Severity: Fail,
			Cause:    "The cookie value is not three base64url segments of JSON joined by dots; the observation says which part fails.",
			ProvenBy: "the parse of the cookie value in the observation",
			Hypotheses: []Hypothesis{
				Maybe("The token is wrapped in quotes or \"Bearer \", or URL- or base64-encoded once more.",
					"the observation quotes how the value starts: a quote, Bearer, %22, or ZXlK (base64 of eyJ)."),
				Maybe("The value is a Python bytes repr (b'eyJ…') from PyJWT 1.x.",
					"the value starts with b' in the observation."),
				Maybe("The value was cut short (a proxy or a size limit).",
					"the observation says a segment is missing or does not decode, and the value's length is a round number."),
			},
			Fix: "Set the cookie to exactly the string the JWT library returns (a text string, not bytes or an object " +
				"rendered as text), with no prefix, quotes or extra encoding.",
			Reference: "RFC 7515 §3.1 and §7.1 (JWS compact serialization); RFC 7519 §7.2",
		},
		Entry{
			Code:     TokenAlgNotHS256,
			Title:    "token is not signed with HS256",
			Severity: Fail,
			Cause: "The JWT header's alg is not HS256 (the observation quotes it). Miiflow decodes with HS256 and " +
				"AUTH_SECRET_KEY, so any other algorithm is refused — and an unsigned (none) token is worthless as " +
				"proof of identity.",
			ProvenBy:  "the token's header (evidence token)",
			Fix:       `Sign with the algorithm HS256 (the token header's alg) and AUTH_SECRET_KEY as the key.`,
			Reference: "RFC 7518 §3.1 and §3.2; " + refVendorJWT,
		},
		Entry{
			Code:     TokenSignatureMismatch,
			Title:    "token signature does not verify with AUTH_SECRET_KEY",
			Severity: Fail,
			Cause: "The token's HMAC-SHA256 signature does not verify with the AUTH_SECRET_KEY given to mfconform, nor " +
				"with it plus or minus whitespace or quotes or in another encoding: the backend signs with other key " +
				"bytes than that key (or does not sign). Which of the backend and the app holds the given key is a " +
				"separate question: the finding says which side differs when the app's answers show it (JWT-APP-001, " +
				"JWT-APP-002).",
			ProvenBy:   "the signature check of the backend's token (evidence token) with the key whose fingerprint the report's target shows",
			Claim:      result.Claim{OtherKey: result.SideBackend},
			Hypotheses: keyHypotheses,
			Fix:        sameKeyFix,
			Reference:  "RFC 7515 §5.2; RFC 7518 §3.2; vendor page: Troubleshooting — JWT Validation Failure",
		},
		Entry{
			Code:     TokenSecretWhitespace,
			Title:    "AUTH_SECRET_KEY differs by whitespace or quotes",
			Severity: Fail,
			Cause: "The token verifies only with AUTH_SECRET_KEY plus or minus the bytes the observation names (a " +
				"trailing newline, surrounding spaces, quotes): the backend's signing key and the key given to " +
				"mfconform differ by exactly those bytes, and the observation says which of the two has them.",
			ProvenBy: "the signature check of the backend's token with each variant of the key, in the observation",
			Claim:    result.Claim{OtherKey: result.SideBackend},
			Hypotheses: []Hypothesis{
				Maybe("The backend read its key from a file written with echo, or a Kubernetes secret made from a file, "+
					"which keeps the line ending.",
					"the observation says a trailing newline; cat -A on the key file shows $ after a line end."),
				Maybe("Quotes from a .env file or YAML ended up inside the value.",
					"the observation says quotes; the variable's value in the backend's container starts with a quote "+
						"(docker exec <container> printenv AUTH_SECRET_KEY | head -c1)."),
			},
			Fix: "Strip the key at its source on both sides: printf '%s' \"$KEY\" instead of echo, kubectl create secret " +
				"--from-literal, no quotes inside the value in docker-compose env files. Then compare the " +
				"fingerprints as the AUTH_SECRET_KEY fix says (mfconform config check shows the one it was given).",
			Reference: "vendor page: Troubleshooting — JWT Validation Failure; RFC 7518 §3.2",
		},
		Entry{
			Code:     TokenSecretEncoding,
			Title:    "AUTH_SECRET_KEY used in a different encoding",
			Severity: Fail,
			Cause: "The token verifies only with AUTH_SECRET_KEY base64- or hex-decoded or -encoded (the observation " +
				"says which): the backend applies that step to the configured string before signing.",
			ProvenBy: "the signature check of the backend's token with each encoding of the key, in the observation",
			Claim:    result.Claim{OtherKey: result.SideBackend},
			Hypotheses: []Hypothesis{
				Maybe("A library option such as secret_is_base64, or code that decodes a key generated as base64, in the backend only.",
					"search the backend's code and configuration for b64decode / base64 / fromhex next to AUTH_SECRET_KEY."),
			},
			Fix: "Use the key as the same raw bytes on both sides: pass the exact AUTH_SECRET_KEY string as the HMAC " +
				"key in the backend, without a base64/hex step, or apply the same step in both places.",
			Reference: "RFC 7518 §3.2; vendor page: Troubleshooting — JWT Validation Failure",
		},
		Entry{
			Code:     TokenExpired,
			Title:    "token has expired",
			Severity: Fail,
			Cause:    "The token's exp is in the past when it arrives, so Miiflow refuses it.",
			ProvenBy: "exp in the token (evidence token) against our clock, in the observation",
			Hypotheses: []Hypothesis{
				Maybe("The naive-datetime trap: on a server east of UTC the backend computes exp from a naive UTC "+
					"datetime read as local time (Python's (datetime.utcnow() + timedelta(hours=1)).timestamp()), so "+
					"the token is born expired by the server's UTC offset minus its lifetime.",
					"the observation says whether the expiry plus the intended lifetime is a real UTC offset. Run "+
						"date +%z on the backend's server (docker exec <container> date +%z): +0000 rules it out; "+
						"give mfconform the zone with --backend-timezone and it confirms or rules out the trap."),
				Maybe("The backend returns a token it issued earlier (kept in a session, a database row or a cache).",
					"log in twice a minute apart: a cached token comes back with the same exp (evidence token); an "+
						"iat, if present, dates the issue."),
				Maybe("exp is computed as now − lifetime (a sign error), or with a lifetime of zero.",
					"the token expired about one lifetime before it arrived; read the line that computes exp."),
				Maybe("The backend's clock is behind.",
					"JWT-TOKEN-010 compares the login response's Date header with our clock: when they agree, the "+
						"clock is not the cause."),
			},
			Fix: "Issue a fresh token at login and refresh it before exp (e.g. on each authenticated request or by a " +
				"refresh endpoint); compute exp as now + lifetime in UTC seconds; keep server clocks in sync (NTP).",
			Reference: "RFC 7519 §4.1.4; vendor page: Troubleshooting — Token Expiration",
		},
		Entry{
			Code:     TokenExpMilliseconds,
			Title:    "exp looks like milliseconds",
			Severity: Fail,
			Cause: "exp is so large that, read as seconds, it lies thousands of years ahead; read as milliseconds it is a " +
				"plausible date: the backend wrote a millisecond time where NumericDate wants seconds.",
			ProvenBy: "exp in the token (evidence token), read both ways in the observation",
			Hypotheses: []Hypothesis{
				Maybe("A millisecond clock: JavaScript's Date.now(), Java's System.currentTimeMillis().",
					"the code that computes exp calls one of them without dividing by 1000."),
			},
			Fix:       "Write exp in seconds: divide a millisecond clock by 1000 (and round down), then add the lifetime in seconds.",
			Reference: "RFC 7519 §2 (NumericDate: seconds) and §4.1.4",
		},
		Entry{
			Code:     TokenExpMicroseconds,
			Title:    "exp looks like microseconds",
			Severity: Fail,
			Cause: "exp is so large that, read as seconds or milliseconds, it lies thousands of years ahead; read as " +
				"microseconds it is a plausible date: the backend wrote microseconds where NumericDate wants seconds.",
			ProvenBy: "the token's exp (evidence token) read in each unit",
			Hypotheses: []Hypothesis{
				Maybe("A microsecond clock: Go time.Now().UnixMicro(), Python datetime.timestamp() * 1e6, PostgreSQL extract(epoch) * 1e6.",
					"the line of the backend that computes exp."),
			},
			Fix:       "Write exp in seconds: divide by 1 000 000, or take the clock's seconds since the epoch directly and add the lifetime.",
			Reference: "RFC 7519 §2 (NumericDate: seconds) and §4.1.4",
		},
		Entry{
			Code:     TokenExpNanoseconds,
			Title:    "exp looks like nanoseconds",
			Severity: Fail,
			Cause: "exp is so large that, read as seconds, milliseconds or microseconds, it lies far ahead; read as " +
				"nanoseconds it is a plausible date: the backend wrote nanoseconds where NumericDate wants seconds.",
			ProvenBy: "the token's exp (evidence token) read in each unit",
			Hypotheses: []Hypothesis{
				Maybe("A nanosecond clock: Go time.Now().UnixNano(), Python time.time_ns(), Java Instant nanos.",
					"the line of the backend that computes exp."),
			},
			Fix:       "Write exp in seconds: divide by 1 000 000 000, or take the clock's seconds since the epoch directly and add the lifetime.",
			Reference: "RFC 7519 §2 (NumericDate: seconds) and §4.1.4",
		},
		Entry{
			Code:     TokenValueQuoted,
			Title:    "mf_jwt_token's value is a JWS wrapped in double quotes",
			Severity: Warn,
			Cause: "The Set-Cookie line writes the token between double quotes (mf_jwt_token=\"eyJ…\"). RFC 6265 allows a " +
				"DQUOTE-wrapped cookie-value, and the browser sends it back with the quotes; the quotes are part of " +
				"the value. Whether the app sees a token then depends on its cookie parser: Go's net/http, Python's " +
				"http.cookies and Node's cookie package strip them, a parser that keeps them hands the verifier " +
				"\"eyJ…\", which is not a compact JWS. The observation says what the app answered to the cookie as the " +
				"browser sends it, when mfconform could see that.",
			ProvenBy: provenBySetCookie,
			Fix: "Set the cookie to exactly the token, without quotes: most frameworks quote a value only when it holds " +
				"characters a cookie-value may not (space, comma, semicolon, backslash), so check that nothing is " +
				"appended to the token, and that the value is not quoted by hand.",
			Reference: "RFC 6265 §4.1.1 (cookie-value = *cookie-octet / ( DQUOTE *cookie-octet DQUOTE )); RFC 7515 §7.1",
		},
		Entry{
			Code:     TokenExpMissing,
			Title:    "token has no exp claim",
			Severity: Fail,
			Cause:    "The payload has no exp claim. The contract requires it, and a token without exp would authenticate forever.",
			ProvenBy: "the token's claims (evidence token)",
			Fix: "Add exp = now + lifetime, in seconds since the epoch (UTC), " +
				"e.g. one hour ahead.",
			Reference: "RFC 7519 §4.1.4; " + refClaims,
		},
		Entry{
			Code:     TokenExpNotNumeric,
			Title:    "exp is not a number",
			Severity: Fail,
			Cause: "exp is present but is a JSON string, boolean, null, array or object instead of a number; the " +
				"observation names the type and says when it is a quoted number or a date string.",
			ProvenBy:  "the token's claims (evidence token)",
			Fix:       "Emit exp as a JSON number of seconds since 1970-01-01 UTC (an integer, or a float as the vendor example produces), not a string.",
			Reference: "RFC 7519 §2 (NumericDate) and §4.1.4",
		},
		Entry{
			Code:     TokenLifetimeLong,
			Title:    "token lifetime is unusually long",
			Severity: Warn,
			Cause: "exp lies further ahead than a sensible session (threshold 24 h by default, " +
				"thresholds.max_token_lifetime). A leaked token stays valid that long, and there is no revocation in this scheme.",
			ProvenBy:  "exp and iat (or our clock) in the token (evidence token), in the observation",
			Fix:       "Issue short-lived tokens (minutes to hours) and refresh them while the user is active; raise the threshold only with a reason.",
			Reference: "vendor page: Key Notes — Expiration; RFC 7519 §4.1.4",
		},
		Entry{
			Code:     TokenClockSkew,
			Title:    "backend clock differs from ours",
			Severity: Fail,
			Cause: "The backend's clock — read from its HTTP Date header or from the token's iat, as the observation " +
				"says — differs from this machine's by more than the tolerance (thresholds.clock_tolerance). Tokens " +
				"then look expired too early or valid too long, and an iat in the future is refused by strict verifiers.",
			ProvenBy: "the login response's Date header or the token's iat against our clock, in the observation",
			Hypotheses: []Hypothesis{
				Maybe("The backend host (or its container) does not synchronise its clock.",
					"run date -u on the backend's host and on this machine at the same moment; timedatectl shows "+
						"whether NTP is active."),
				Maybe("This machine's clock is the wrong one.",
					"compare this machine's date -u with a time source you trust; other servers then look skewed too."),
			},
			Fix:       "Run NTP (chrony, systemd-timesyncd) on the backend, the app and the machine running mfconform, and make sure containers share the host's clock.",
			Reference: "RFC 7519 §4.1.4 and §4.1.6 (iat); RFC 9110 §6.6.1 (Date)",
		},
		Entry{
			Code:     TokenExpTimezone,
			Title:    "exp is off by the server's UTC offset (a naive local datetime)",
			Severity: Fail,
			Cause: "The token's times are off from the issuing server's own clock by a real UTC offset: the backend " +
				"computes them from a naive datetime read as local time. In Python, datetime.utcnow() returns the " +
				"UTC wall time without a zone and .timestamp() reads a naive value as local time, so " +
				"(datetime.utcnow() + timedelta(hours=1)).timestamp() is off by the server's UTC offset: east of " +
				"Greenwich the token is born expired (UTC+8: 7 hours before it is issued), west of it the token " +
				"lives hours too long and its iat lies in the future. The same happens with any local wall-clock " +
				"time turned into epoch seconds as if it were UTC (Java LocalDateTime.now().toEpochSecond(ZoneOffset.UTC)), " +
				"or the reverse.",
			ProvenBy: "the token's iat (evidence token) against the login response's own Date header, off by the same " +
				"real UTC offset as exp — or the zone given with --backend-timezone matching the offset exp shows; the " +
				"observation says which",
			Fix: "Compute exp from the current time in UTC as seconds since the epoch plus the lifetime, never from " +
				"a local wall-clock time read as UTC. In the vendor's Python example: " +
				"exp = datetime.now(timezone.utc) + timedelta(hours=1) (PyJWT turns an aware datetime into " +
				"seconds), or exp = int(time.time()) + 3600; never call .timestamp() on a value from " +
				"datetime.utcnow() (deprecated since Python 3.12 for this reason).",
			Reference: "Python: datetime.utcnow() and datetime.timestamp() (naive values are local time); RFC 7519 §2 and §4.1.4",
		},
		Entry{
			Code:      TokenUserIDMissing,
			Title:     "token has no user_id claim",
			Severity:  Fail,
			Cause:     "The payload has no user_id (the observation names any near-miss claim it has). Miiflow identifies the user by this claim; a standard sub or id claim is not read instead.",
			ProvenBy:  "the token's claims (evidence token)",
			Fix:       "Add \"user_id\": \"<your stable user identifier>\" (a string) to the claims.",
			Reference: refClaims + "; " + refVendorJWT,
		},
		Entry{
			Code:     TokenUserIDNotString,
			Title:    "user_id is not a non-empty string",
			Severity: Fail,
			Cause: "user_id is a number, boolean, object, null, or an empty/whitespace-only string (the observation says " +
				"which). The contract asks for a non-empty string; verifiers that compare strings treat 42 and \"42\" " +
				"as different users or refuse the token.",
			ProvenBy: "the token's claims (evidence token)",
			Hypotheses: []Hypothesis{
				Maybe("A numeric database id written as it is.",
					"the observation says user_id is a JSON number."),
			},
			Fix:       "Emit the id as a JSON string: \"user_id\": \"42\", not 42.",
			Reference: refClaims + "; " + refVendorJWT,
		},
		Entry{
			Code:     TokenClaimType,
			Title:    "optional claim has the wrong type",
			Severity: Fail,
			Cause:    "first_name, last_name or email is present but not a JSON string (the observation names the claim and its type).",
			ProvenBy: "the token's claims (evidence token)",
			Hypotheses: []Hypothesis{
				Maybe("An unset database field serialized as null.",
					"the observation says the claim is null."),
			},
			Fix:       "Emit these claims as strings, or leave them out of the payload when there is no value; do not send null.",
			Reference: refClaims,
		},
		Entry{
			Code:      TokenEmailInvalid,
			Title:     "email claim is not an email address",
			Severity:  Warn,
			Cause:     "The email claim does not parse as a bare address (local@domain); the observation says why: empty, a display-name form like \"John <john@x>\", a domain without a dot.",
			ProvenBy:  "the token's claims (evidence token)",
			Fix:       "Put the user's plain address in email (john.doe@example.com), or leave the claim out.",
			Reference: refClaims + "; RFC 5322 §3.4.1",
		},
		Entry{
			Code:     SecretWeak,
			Title:    "AUTH_SECRET_KEY is weak",
			Severity: Fail,
			Cause: "The key given to mfconform is shorter than 32 bytes, is a well-known placeholder (the vendor page's " +
				"YOUR_SECRET_KEY, secret, changeme…) or a single repeated character (the observation says which). " +
				"Anyone can brute-force or guess it offline from one token and then mint tokens for any user_id.",
			ProvenBy:  "the key's length and content, checked in this process (the observation; the key is never shown)",
			Fix:       "Generate a random key of at least 32 bytes, e.g. openssl rand -base64 48, and set it as AUTH_SECRET_KEY in both the backend and Miiflow.",
			Reference: "RFC 7518 §3.2 (key of at least 256 bits); RFC 8725 §3.5",
		},
	)
}

// unreachableHypotheses are the ranked causes of a target that gave no
// answer, for a failure the observation's error does not classify (a
// classified one is proven by its error: suites/netfail).
func unreachableHypotheses(flagFor string) []Hypothesis {
	return []Hypothesis{
		Maybe("The host name does not resolve from this machine (a typo, or a name only an internal DNS knows).",
			"the observation says no such host or net::ERR_NAME_NOT_RESOLVED; map the name with --resolve HOST=IP."),
		Maybe("Nothing listens at the host and port "+flagFor+" names, or the --resolve address points at another machine.",
			"the observation says connection refused or net::ERR_CONNECTION_REFUSED; curl -v the same URL from this machine."),
		Maybe("The certificate is issued by a private certificate authority this machine does not trust.",
			"the observation says unknown authority or net::ERR_CERT_AUTHORITY_INVALID; pass --ca-file with that CA's PEM."),
		Maybe("A firewall drops the connection, or the network needs a proxy.",
			"the observation says timeout; other machines reach it through a proxy (pass --proxy URL)."),
	}
}

func registerApp() {
	register(
		Entry{
			Code:     AppRejectsValidToken,
			Title:    "app refuses a conformant token",
			Severity: Fail,
			Cause: "A conformant token — minted by mfconform with the AUTH_SECRET_KEY it was given (JWT-APP-001) or " +
				"issued by the backend at login (JWT-APP-002) — reached the app's probe path, which answered as for a " +
				"signed-out user (401, 403 or a redirect).",
			ProvenBy: "the app's answer to that token (evidence probe)",
			Hypotheses: []Hypothesis{
				Maybe("The app's AUTH_SECRET_KEY differs from the one the token was signed with (the vendor page's JWT validation failure).",
					"JWT-APP-001: when the app accepts mfconform's token signed with the AUTH_SECRET_KEY you gave and "+
						"JWT-TOKEN-003 fails, the backend's key is the one that differs; when JWT-APP-001 fails too, "+
						"the app's does. The finding says which side differs when the run's evidence shows it."),
				Maybe("The app refuses a claim the backend writes (a type, a claim it requires that the token lacks).",
					"compare the backend's token (evidence token) with the conformant token JWT-APP-001 sends."),
			},
			Fix:       sameKeyFix,
			Reference: "vendor page: Troubleshooting — JWT Validation Failure; " + refVendorJWT,
		},
		Entry{
			Code:     AppIdentityMismatch,
			Title:    "app shows a different identity than the token",
			Severity: Fail,
			Cause:    "The app accepted the token but its answer shows another user_id, name or email than the token carries (the observation quotes both).",
			ProvenBy: "the app's answer (evidence probe) against the token's claims",
			Hypotheses: []Hypothesis{
				Maybe("Another cookie wins over mf_jwt_token (two cookies of the same name with different Domain or Path).",
					"JWT-COOKIE-010 reports a duplicate; the browser's developer tools list two mf_jwt_token cookies for the app."),
				Maybe("A stale session in the app answers before the token is read.",
					"sign out of the app (or clear its own session cookie) and run again: the identity then matches."),
				Maybe("The app reads claim names the contract does not use (sub, name, given_name), or --user-id-field names another field.",
					"the app's answer in the observation has the token's user id under another field name."),
			},
			Fix: "Use the contract's claim names exactly (user_id, first_name, last_name, email); make sure only one " +
				"mf_jwt_token cookie exists (delete old ones set with another Domain/Path); log out of the app and retry.",
			Reference: refClaims,
		},
		Entry{
			Code:     AppAcceptsExpired,
			Title:    "app accepts an expired token",
			Severity: Fail,
			Cause: "The app logged the user in with a token whose exp had passed; the observation states how long past " +
				"and the leeway this implies: the verifier skips exp checking or allows that much leeway.",
			ProvenBy:  "the app's answers to mfconform's expired probe tokens (the observation)",
			Fix:       "Verify exp on every request with a leeway of seconds, not minutes or hours (JWT libraries check exp by default: do not switch that check off).",
			Reference: "RFC 7519 §4.1.4 and §7.2",
		},
		Entry{
			Code:     AppAcceptsBadSignature,
			Title:    "app accepts a token with a bad signature",
			Severity: Critical,
			Cause: "The app logged the user in with a token signed by the wrong key, with a payload changed after " +
				"signing, with no signature, or with garbage (the observation names the probe): it does not verify " +
				"the signature, so anyone can forge a token for any user_id.",
			ProvenBy: "the app's answers to mfconform's forged probe tokens (the observation)",
			Hypotheses: []Hypothesis{
				Maybe("The app decodes without verifying (jwt.decode(..., options={\"verify_signature\": False}), jwt.decode without a key, a plain base64 read).",
					"search the app's code for verify_signature, decode( without a key, or atob/base64 of the token's middle segment."),
			},
			Fix:       "Verify the HS256 signature with AUTH_SECRET_KEY on every request and refuse the request when it fails.",
			Reference: "RFC 7515 §5.2; RFC 8725 §3.1",
		},
		Entry{
			Code:     AppAcceptsAlgNone,
			Title:    "app accepts an unsigned (alg none) token",
			Severity: Critical,
			Cause: "The app logged the user in with a token whose header says alg none (in some spelling) and which " +
				"carries no signature: the verifier takes the algorithm from the token. Anyone can forge any identity.",
			ProvenBy:  "the app's answers to mfconform's unsigned probe tokens (the observation)",
			Fix:       "Pin the verifier's accepted algorithms to exactly HS256; never take the algorithm from the token's own header.",
			Reference: "RFC 8725 §2.1 and §3.1; RFC 7518 §3.6",
		},
		Entry{
			Code:     AppAcceptsOtherAlg,
			Title:    "app accepts algorithms other than HS256",
			Severity: Fail,
			Cause: "The app accepted a token signed with HS384 or HS512 (right key, wrong algorithm): it lets the token " +
				"pick its algorithm. That is not exploitable by itself with HMAC, but it is the pattern behind " +
				"algorithm-confusion attacks and departs from the contract.",
			ProvenBy:  "the app's answers to mfconform's HS384/HS512 probe tokens (the observation)",
			Fix:       "Allow exactly HS256 in the verifier's list of accepted algorithms.",
			Reference: "RFC 8725 §3.1; " + refVendorJWT,
		},
		Entry{
			Code:      AppAcceptsMissingClaim,
			Title:     "app accepts a token without a required claim",
			Severity:  Fail,
			Cause:     "The app logged the user in with a correctly signed token that lacks user_id or exp (the observation names which). Without exp the token never expires; without user_id the session has no identity.",
			ProvenBy:  "the app's answers to mfconform's probe tokens without those claims (the observation)",
			Fix:       "Make exp and user_id required claims in the verifier, and refuse the request when either is missing.",
			Reference: refClaims + "; RFC 7519 §4.1.4",
		},
		Entry{
			Code:     AppRejectsFractionalExp,
			Title:    "app refuses a fractional exp",
			Severity: Fail,
			Cause: "The app refused a valid token whose exp is a non-integer number — exactly what the vendor's own " +
				"Python example produces (datetime.timestamp() is a float) — while it accepts the same token with an " +
				"integer exp: the verifier insists on an integer.",
			ProvenBy: "the app's answers to the fractional and the integer probe tokens (the observation)",
			Fix: "Accept any JSON number as NumericDate in the verifier (RFC 7519 allows non-integer values). As a " +
				"workaround the backend can emit exp as a whole number of seconds.",
			Reference: "RFC 7519 §2 (NumericDate may be non-integer); " + refClaims,
		},
		Entry{
			Code:     AppServerError,
			Title:    "app answers a token with a server error (5xx)",
			Severity: Fail,
			Cause: "Given the mf_jwt_token the observation names — garbage, a token it must refuse (expired, wrongly " +
				"signed, unsigned, lacking a claim) or one it must accept — the app answered with a 5xx status. A 5xx is " +
				"neither a sign-in nor a refusal: the app failed instead of deciding.",
			ProvenBy: "the app's answers to mfconform's probe tokens (the observation)",
			Hypotheses: []Hypothesis{
				Maybe("Token parsing errors escape as exceptions (an uncaught DecodeError, InvalidTokenError, JSON error).",
					"the app's log at the probe's time shows a stack trace from the JWT library."),
				Maybe("The app fails on this request for a reason unrelated to the token (an upstream down, a crash on every request).",
					"the same path without any cookie also answers 5xx."),
			},
			Fix:       "Catch every decode and verification error of the JWT library (each library's base error for an invalid token) and answer as for a missing cookie (401 or a redirect to the login).",
			Reference: "RFC 7519 §7.2 (reject invalid JWTs); OWASP: Improper Error Handling",
		},
		Entry{
			Code:        AppUnreachable,
			Environment: true,
			Title:       "app cannot be reached",
			Severity:    Fail,
			Cause: "mfconform's requests to the app got no HTTP answer. Nothing about the app's token handling was " +
				"tested. When the observed error tells the step that failed — name lookup, connection, TLS, time — the " +
				"finding says which and names the fix.",
			ProvenBy:   "the observed network error",
			Hypotheses: unreachableHypotheses("--app-url"),
			Fix: "Check the app URL given to mfconform (--app-url) and that the app is running; if the name does not " +
				"resolve from this machine, map it with --resolve HOST=IP; for a certificate from a private CA pass " +
				"--ca-file FILE; through a proxy, --proxy URL.",
			Reference: "environment; mfconform: app target",
		},
		Entry{
			Code:        LoginUnreachable,
			Environment: true,
			Title:       "the login URL cannot be reached",
			Severity:    Fail,
			Cause: "Chromium could not load the backend's login URL: it got no HTTP answer. Nothing about the cookie or " +
				"the token was tested. When Chromium's network error tells the step that failed — name lookup, " +
				"connection, TLS, time — the finding says which and names the fix.",
			ProvenBy:   "Chromium's network error in the observation",
			Hypotheses: unreachableHypotheses("--login-url"),
			Fix: "Check the login URL given to mfconform (--login-url) and that the backend is running; if the name does " +
				"not resolve from this machine, map it with --resolve HOST=IP; for a certificate from a private CA pass " +
				"--ca-file FILE; through a proxy, --proxy URL.",
			Reference: "environment; mfconform: login target",
		},
		Entry{
			Code:     AppProbeFailed,
			Title:    "a probe request to the app failed",
			Severity: Fail,
			Cause: "The app was reachable, but a probe request got no complete answer, or an answer that is neither " +
				"signed in (--authenticated-status) nor signed out (401, 403 or a redirect). This is not the app's " +
				"verdict on the token.",
			ProvenBy: "the probe's answer or error in the observation",
			Hypotheses: []Hypothesis{
				Maybe("--probe-path or --authenticated-status do not match what the app serves for a signed-in user.",
					"open the probe path in a signed-in browser: its status must be --authenticated-status (default "+
						"200) and, signed out, 401, 403 or a redirect."),
				Maybe("The connection broke mid-way (a reset, a proxy timeout).",
					"the observation quotes a network error rather than a status; the app's log at that time."),
			},
			Fix:       "Check the app's logs for the probe's time; make sure --probe-path and --authenticated-status match what the app serves; then run again.",
			Reference: "mfconform: app probes",
		},
		Entry{
			Code:        AppProbeNoIdentity,
			Environment: true,
			Title:       "the probe path does not say who is signed in",
			Severity:    Fail,
			Cause: "mfconform asks the app's probe path (--probe-path, default /api/me) who is signed in: a signed-in " +
				"answer is the authenticated status (--authenticated-status, default 200) with the user's id in the JSON " +
				"field --user-id-field (default user_id). This answer did not say: the path does not exist (404), or it " +
				"gives the signed-in status without a JSON object holding that field (a health check, an HTML page, the " +
				"id under another name). Without it nobody can tell a signed-in user from anyone else, so the app's " +
				"answers to the probe tokens are not judged; nothing is known about its verifier yet.",
			ProvenBy: "the app's answer to the conformant probe token (the observation lists its status and fields)",
			Fix: "Point --probe-path at a path of the app that answers who is signed in (e.g. --probe-path /api/me), and " +
				"name the JSON field that holds the user id with --user-id-field (e.g. --user-id-field id for an answer " +
				"{\"id\": …}; the observation lists the answer's fields); give --authenticated-status when a signed-in " +
				"answer is not 200.",
			Reference: "mfconform: the probe path (README: Checking your staging deployment)",
		},
		Entry{
			Code:     AppPageFailed,
			Title:    "the app page does not load in the browser after login",
			Severity: Fail,
			Cause: "The app answered mfconform's own requests, but in Chromium its page did not finish loading, or " +
				"could not be read, within the navigation or script timeout after login (the observation says which). " +
				"Users see the same page; the cookie could not be followed into the app.",
			ProvenBy: "the browser's error and the screenshot of the app page",
			Hypotheses: []Hypothesis{
				Maybe("The page hangs, loops or redirects forever (a redirect between the app and the login, for example).",
					"open the app in a browser with its developer tools (Network): the same requests repeat or one never finishes."),
				Maybe("The page is slow by design (a large bundle, a slow first render).",
					"it loads in a browser, but later than timeouts.navigation; raise that bound in the configuration file."),
			},
			Fix:       "Log in and open the app in a browser with its developer tools: find the request or script that never finishes, and make the page load within the timeout (raise timeouts.navigation / timeouts.script only if the page is slow by design).",
			Reference: "mfconform: app page after login",
		},
	)
}

func registerSupabase() {
	register(
		Entry{
			Code:      SupabaseURLMissing,
			Title:     "NEXT_PUBLIC_SUPABASE_URL is empty",
			Severity:  Fail,
			Cause:     "The frontend's NEXT_PUBLIC_SUPABASE_URL given to mfconform is unset or empty. NEXT_PUBLIC_* values are inlined at build time, so setting it only at run time is not enough (supabase-js: \"supabaseUrl is required.\").",
			ProvenBy:  "the environment mfconform was given",
			Fix:       "Set NEXT_PUBLIC_SUPABASE_URL to Supabase → Settings → API → Project URL (https://<ref>.supabase.co) and rebuild the frontend image.",
			Reference: "contract: Mode 1; vendor page: Option 1",
		},
		Entry{
			Code:      SupabaseKeyMissing,
			Title:     "NEXT_PUBLIC_SUPABASE_KEY is empty",
			Severity:  Fail,
			Cause:     "The frontend's NEXT_PUBLIC_SUPABASE_KEY given to mfconform is unset or empty; NEXT_PUBLIC_* values are inlined at build time.",
			ProvenBy:  "the environment mfconform was given",
			Fix:       "Set NEXT_PUBLIC_SUPABASE_KEY to the project's public key (the anon JWT or an sb_publishable_… key, Settings → API) and rebuild the frontend image.",
			Reference: "contract: Mode 1; vendor page: Option 1",
		},
		Entry{
			Code:      SupabaseURLInvalid,
			Title:     "NEXT_PUBLIC_SUPABASE_URL is not a project origin",
			Severity:  Fail,
			Cause:     "The value is not an absolute https origin; the observation says how: http://, a missing scheme, a path such as /auth/v1 or /rest/v1 (supabase-js appends those itself), a trailing slash with junk, quotes or whitespace.",
			ProvenBy:  "the value of NEXT_PUBLIC_SUPABASE_URL, parsed in the observation (evidence url)",
			Fix:       "Use just the origin: https://<ref>.supabase.co (or your self-hosted gateway's https origin), with no path.",
			Reference: "contract: Mode 1; supabase-js createClient(supabaseUrl)",
		},
		Entry{
			Code:     SupabaseNotAuth,
			Title:    "NEXT_PUBLIC_SUPABASE_URL answers, but not as Supabase Auth",
			Severity: Fail,
			Cause: "The URL is a clean https origin and something answers there, but GET /auth/v1/health is neither " +
				"Supabase Auth's own answer ({\"name\":\"GoTrue\",…}) nor a Supabase gateway's refusal: the URL " +
				"points at another server.",
			ProvenBy: "the answer to GET /auth/v1/health (evidence health)",
			Hypotheses: []Hypothesis{
				Maybe("The URL is the frontend itself or another site of the company.",
					"open <url>/auth/v1/health in a browser: an HTML page of your own site."),
				Maybe("A self-hosted project's host without its gateway (Kong) routing /auth/v1 to Auth.",
					"the answer is a 404 from nginx, Caddy or another proxy; <url>:8000/auth/v1/health on the gateway answers GoTrue."),
			},
			Fix:       "Set NEXT_PUBLIC_SUPABASE_URL to the project's API origin — Project URL in Supabase → Settings → API (https://<ref>.supabase.co), or a self-hosted gateway's origin whose /auth/v1/health answers {\"name\":\"GoTrue\",…} — and rebuild the frontend image.",
			Reference: "supabase-js createClient(supabaseUrl); Supabase Auth GET /health (supabase/auth internal/api)",
		},
		Entry{
			Code:        SupabaseURLUnreachable,
			Environment: true,
			Title:       "Supabase URL cannot be reached",
			Severity:    Fail,
			Cause: "mfconform's requests to the Supabase URL got no HTTP answer, so no Supabase check could run. When the " +
				"observed error tells the step that failed — name lookup, connection, TLS, time — the finding says " +
				"which and names the fix.",
			ProvenBy:   "the observed network error",
			Hypotheses: unreachableHypotheses("NEXT_PUBLIC_SUPABASE_URL"),
			Fix: "Check the project ref in NEXT_PUBLIC_SUPABASE_URL and that a self-hosted gateway is up; if the name does " +
				"not resolve from this machine, map it with --resolve HOST=IP; for a certificate from a private CA pass " +
				"--ca-file FILE; through a proxy, --proxy URL.",
			Reference: "environment; GET <url>/auth/v1/health",
		},
		Entry{
			Code:     SupabaseKeyMalformed,
			Title:    "NEXT_PUBLIC_SUPABASE_KEY is malformed",
			Severity: Fail,
			Cause:    "The key is neither a JWT (three base64url segments) nor an sb_publishable_… key, or it has quotes or whitespace around it; the observation says which.",
			ProvenBy: "the key's shape, read in this process (the observation; the key itself is never shown)",
			Hypotheses: []Hypothesis{
				Maybe("A copy-paste accident, or quoting in an env file that ended up inside the value.",
					"the observation says quotes or whitespace; printenv NEXT_PUBLIC_SUPABASE_KEY | head -c1 in the frontend's build shows a quote."),
			},
			Fix:       "Paste the public key exactly as shown in Supabase → Settings → API, without quotes or trailing newline.",
			Reference: "contract: Mode 1; Supabase API keys",
		},
		Entry{
			Code:      SupabaseKeyServiceRole,
			Title:     "service_role key in a public variable",
			Severity:  Critical,
			Cause:     "NEXT_PUBLIC_SUPABASE_KEY holds a service_role JWT. NEXT_PUBLIC_* values are shipped in the browser bundle, and service_role bypasses Row Level Security: anyone who loads the app can read and write the whole database.",
			ProvenBy:  "the key's role claim, read in this process (the observation)",
			Fix:       "Replace it with the anon/publishable key, rebuild, and rotate the project's JWT secret / service_role key at once — treat it as leaked.",
			Reference: "contract: Mode 1; Supabase: API keys (service_role must never be exposed)",
		},
		Entry{
			Code:      SupabaseKeySecret,
			Title:     "sb_secret key in a public variable",
			Severity:  Critical,
			Cause:     "NEXT_PUBLIC_SUPABASE_KEY holds an sb_secret_… key. It is inlined into the browser bundle, and a secret key grants elevated access to the project.",
			ProvenBy:  "the key's prefix, read in this process (the observation)",
			Fix:       "Replace it with an sb_publishable_… key, rebuild, and delete/rotate the exposed secret key in Supabase → Settings → API Keys.",
			Reference: "contract: Mode 1; Supabase: API keys (secret keys)",
		},
		Entry{
			Code:     SupabaseKeyProjectMismatch,
			Title:    "key belongs to another Supabase project",
			Severity: Fail,
			Cause:    "The legacy key's ref claim differs from the project ref in NEXT_PUBLIC_SUPABASE_URL (the observation quotes both): URL and key come from different projects.",
			ProvenBy: "the key's ref claim against the URL's first label, in the observation",
			Hypotheses: []Hypothesis{
				Maybe("URL and key were copied from two projects (staging and production).",
					"the two refs in the observation are your two projects' refs (Supabase → Settings → General)."),
			},
			Fix:       "Take URL and key from the same project's Settings → API page.",
			Reference: "contract: Mode 1; Supabase legacy API key claims (ref)",
		},
		Entry{
			Code:     SupabaseKeyExpired,
			Title:    "Supabase key has expired",
			Severity: Fail,
			Cause:    "The legacy key JWT's exp is in the past (the observation gives it); the gateway refuses it.",
			ProvenBy: "the key's exp claim against our clock, in the observation",
			Hypotheses: []Hypothesis{
				Maybe("A self-generated key minted with a short exp.",
					"the key's iat and exp (jwt.io on the key) are close together."),
			},
			Fix:       "Regenerate the anon key from the project's JWT secret with a long exp (or copy the current one from Settings → API) and rebuild.",
			Reference: "RFC 7519 §4.1.4; Supabase legacy API keys",
		},
		Entry{
			Code:     SupabaseKeyRejected,
			Title:    "gateway rejects the Supabase key",
			Severity: Fail,
			Cause:    "The API gateway answers 401 (\"Invalid API key\" / \"Invalid authentication credentials\") to the key.",
			ProvenBy: "the gateway's answer, quoted in the observation",
			Hypotheses: []Hypothesis{
				Maybe("The key is stale or from another project.",
					"compare it with the key in Settings → API of the project the URL names."),
				Maybe("Self-hosted: the key is not signed with the current JWT_SECRET (the secret was rotated, the keys not regenerated).",
					"verify the anon key with JWT_SECRET (jwt.io, or mfconform with SUPABASE_JWT_SECRET: SUPABASE_KEY_SIGNATURE)."),
			},
			Fix:       "Copy the current key from Settings → API; self-hosted: regenerate ANON_KEY and SERVICE_ROLE_KEY from the current JWT_SECRET and restart the stack.",
			Reference: "Supabase: API gateway apikey check",
		},
		Entry{
			Code:     SupabaseCORSBlocked,
			Title:    "browser cannot call the Supabase auth API",
			Severity: Fail,
			Cause: "From the app's origin the browser's CORS preflight to <url>/auth/v1 fails or does not allow the " +
				"headers supabase-js sends (apikey, authorization, x-client-info, x-supabase-api-version, content-type); " +
				"the observation quotes the answer.",
			ProvenBy: "the preflight's answer and the browser's verdict (evidence cors)",
			Hypotheses: []Hypothesis{
				Maybe("A reverse proxy in front of a self-hosted gateway strips the CORS headers or answers the OPTIONS request itself.",
					"curl -i -X OPTIONS <url>/auth/v1/token -H 'Origin: <app origin>' -H 'Access-Control-Request-Method: POST' "+
						"answers without Access-Control-Allow-Origin, with a Server header of the proxy."),
			},
			Fix:       "Let OPTIONS reach the gateway (Kong's cors plugin) or configure the proxy to allow the app's origin and those request headers.",
			Reference: "Fetch standard: CORS protocol; supabase-js request headers",
		},
		Entry{
			Code:     SupabaseRedirects,
			Title:    "the Supabase project answers API requests with a redirect",
			Severity: Fail,
			Cause: "Instead of answering, the project's API (or a proxy in front of it) redirects the request — to another origin when the observation says so. " +
				"Every request supabase-js sends carries the project's key, a sign-in also the user's password and later requests the user's tokens, and a client that follows a 307 or 308 sends all of it again, body included, to wherever the redirect points. " +
				"mfconform follows no redirect of these requests (neither its own client nor the supabase-js it runs in Chromium), so what needs the answer is not judged.",
			ProvenBy: "the redirect status and Location header in the observation",
			Fix: "Set NEXT_PUBLIC_SUPABASE_URL to the origin that answers the API itself — Project URL in Supabase → Settings → API (https://<ref>.supabase.co), or a self-hosted gateway's origin — " +
				"and remove the redirect from any proxy in front of the project; then rebuild the frontend image.",
			Reference: "RFC 9110 §15.4.8 and §15.4.9 (307 and 308 keep the method and the body); Fetch standard, redirect mode \"manual\"; supabase-js createClient(url, key, {global: {fetch}})",
		},
		Entry{
			Code:     SupabaseSigninFailed,
			Title:    "test sign-in fails",
			Severity: Fail,
			Cause:    "Password sign-in with the test account fails; the observation gives GoTrue's answer.",
			ProvenBy: "GoTrue's answer to POST /auth/v1/token?grant_type=password, in the observation",
			Hypotheses: []Hypothesis{
				Maybe("Wrong email or password for this project (or the user does not exist there).",
					"GoTrue's error code is invalid_credentials."),
				Maybe("The account is not confirmed and the project requires confirmation.",
					"GoTrue's error code is email_not_confirmed."),
				Maybe("Sign-ups are disabled, so the test account could not be created.",
					"GoTrue's error code is signup_disabled."),
			},
			Fix:       "Use a confirmed test user with the right password, or enable email auto-confirm for the test project; create the user in the dashboard if signups are disabled.",
			Reference: "Supabase Auth: POST /auth/v1/token?grant_type=password",
		},
		Entry{
			Code:     SupabaseSessionClaims,
			Title:    "Supabase access token lacks required claims",
			Severity: Fail,
			Cause:    "The session's access token is missing sub, exp, aud=authenticated or role (the observation names which).",
			ProvenBy: "the access token's claims, in the observation",
			Hypotheses: []Hypothesis{
				Maybe("A custom access token hook removes or renames the claims.",
					"Supabase → Authentication → Hooks lists a Custom Access Token hook; disable it and sign in again."),
				Maybe("Self-hosted: GOTRUE_JWT_AUD is not authenticated.",
					"the observation's aud is another value; read GOTRUE_JWT_AUD in the Auth container's environment."),
			},
			Fix:       "Restore the standard claims (check any custom access token hook and GOTRUE_JWT_AUD=authenticated).",
			Reference: "Supabase Auth: JWT claims; RFC 7519 §4.1",
		},
		Entry{
			Code:     SupabaseSessionSignature,
			Title:    "Supabase access token does not verify with the project's JWKS",
			Severity: Fail,
			Cause: "The session's access token is signed with an asymmetric key (ES256, RS256), and its signature does not verify " +
				"with the key /auth/v1/.well-known/jwks.json publishes under the token's kid. Every verifier that reads the " +
				"JWKS — PostgREST, the app's server side — refuses the project's own tokens. (An HS256 token that does not " +
				"verify with SUPABASE_JWT_SECRET is SUPABASE_JWT_SECRET_MISMATCH.)",
			ProvenBy: "the signature check of the access token with the JWK published under its kid, in the observation",
			Hypotheses: []Hypothesis{
				Maybe("The JWKS served is a stale copy or cache of an earlier key set.",
					"the JWKS answer's Age or Cache-Control headers, or a fetch of the document straight from Auth, differ from what the gateway serves."),
				Maybe("Self-hosted: GOTRUE_JWT_KEYS (the keys Auth signs with) and the published JWT_JWKS are out of step.",
					"the kid in the token's header is published with another public key than the one in JWT_KEYS."),
			},
			Fix: "Publish exactly the public parts of the keys Auth signs with: on Supabase, Settings → JWT Keys; self-hosted, " +
				"derive JWT_JWKS from the same JWT_KEYS the auth container gets and restart the gateway and Auth together.",
			Reference: "RFC 7515 §5.2; RFC 7517 §4.5 (kid); Supabase: JWT signing keys / JWKS",
		},
		Entry{
			Code:     SupabaseRefreshFailed,
			Title:    "Supabase session refresh fails",
			Severity: Fail,
			Cause:    "The refresh_token grant fails; the observation gives GoTrue's error code (refresh_token_not_found, refresh_token_already_used, session_expired, session_not_found).",
			ProvenBy: "GoTrue's answer to POST /auth/v1/token?grant_type=refresh_token, in the observation",
			Hypotheses: []Hypothesis{
				Maybe("Concurrent refreshes: two clients used the same refresh token.",
					"the error code is refresh_token_already_used."),
				Maybe("The project's session time-box or inactivity timeout ended the session.",
					"the error code is session_expired; Authentication → Sessions shows the limits."),
			},
			Fix:       "Refresh from one place at a time (one supabase-js client per page), and review the project's session time-box / inactivity settings.",
			Reference: "Supabase Auth: POST /auth/v1/token?grant_type=refresh_token",
		},
		Entry{
			Code:     SupabaseClockSkew,
			Title:    "Supabase clock differs from ours",
			Severity: Fail,
			Cause:    "The Supabase server's Date header or a fresh token's iat differs from this machine's clock beyond tolerance (the observation says which); GoTrue allows no leeway, so tokens look expired or \"issued in the future\".",
			ProvenBy: "the Date header or the token's iat against our clock, in the observation",
			Hypotheses: []Hypothesis{
				Maybe("The Supabase host (self-hosted) does not synchronise its clock.",
					"date -u on the Supabase host and on this machine at the same moment differ."),
				Maybe("This machine's clock is the wrong one.",
					"compare this machine's date -u with a time source you trust."),
			},
			Fix:       "Synchronise clocks with NTP on the Supabase host, the app host and the machine running mfconform.",
			Reference: "RFC 7519 §4.1.6; RFC 9110 §6.6.1",
		},
		Entry{
			Code:     SupabaseAcceptsExpired,
			Title:    "the auth API accepts an expired access token",
			Severity: Critical,
			Cause: "GET /auth/v1/user answered 200 for a copy of the test user's access token whose exp is an hour before the " +
				"project's own time (the Date header of its sign-in answer; mfconform's clock when it sent none, which the " +
				"observation then says), so its clock does not explain it: a stolen token never stops working.",
			ProvenBy: "the answer to GET /auth/v1/user with mfconform's expired token, in the observation",
			Hypotheses: []Hypothesis{
				Maybe("The auth server does not check expiry (a modified or very old build).",
					"GET /auth/v1/health names the version; a released GoTrue refuses an expired token."),
				Maybe("A proxy in front answers /user itself (a cache).",
					"the answer's headers name a cache (Age, X-Cache) or another Server than the gateway's."),
			},
			Fix:       "Run a released GoTrue/Supabase Auth version and do not put a proxy in front that answers /user itself.",
			Reference: "RFC 7519 §4.1.4; supabase/auth: /user requires a valid, unexpired JWT",
		},
		Entry{
			Code:     SupabaseJWKSKidMissing,
			Title:    "the access token's kid is not published in the project's JWKS",
			Severity: Fail,
			Cause: "The session's access token is signed with an asymmetric key (ES256/RS256) whose kid is not in " +
				"/auth/v1/.well-known/jwks.json, so no client, PostgREST or app can verify it.",
			ProvenBy: "the token's header kid (evidence token) against the project's published JWKS, in the observation",
			Hypotheses: []Hypothesis{
				Maybe("The signing key was rotated in without being published.",
					"Settings → JWT Keys shows the key in use as not yet published (standby)."),
				Maybe("Self-hosted: GOTRUE_JWT_KEYS and the published JWKS (JWT_JWKS) disagree.",
					"the kids in GOTRUE_JWT_KEYS differ from those in JWT_JWKS."),
			},
			Fix: "Publish the public part of every key GoTrue signs with: on Supabase, use Settings → JWT Keys and wait for " +
				"the standby key to be published before rotating; self-hosted, derive JWT_JWKS from the same JWT_KEYS " +
				"GoTrue gets and restart the gateway and Auth together.",
			Reference: "RFC 7517 §4.5 (kid); Supabase: JWT signing keys; supabase/auth internal/api/jwks.go",
		},
		Entry{
			Code:     SupabaseJWKSAlgMismatch,
			Title:    "the access token's alg does not match its published key",
			Severity: Fail,
			Cause: "The token's header names an algorithm the key published under its kid cannot verify (an ES256 token " +
				"with an RSA key, an alg the JWK's own alg contradicts, or a malformed key; the observation says which), " +
				"so verifiers refuse it.",
			ProvenBy: "the token's header (evidence token) against the JWK published under its kid, in the observation",
			Fix: "Make GOTRUE_JWT_KEYS list each key with the alg it signs with (ES256 for EC P-256, RS256 for RSA) and " +
				"publish exactly those public keys.",
			Reference: "RFC 7518 §3.1; RFC 7517 §4.4 (alg)",
		},
		Entry{
			Code:     SupabaseTokenSymmetric,
			Title:    "access tokens are HS256 while the project publishes asymmetric keys",
			Severity: Info,
			Cause: "The project's JWKS publishes asymmetric signing keys, yet the session's access token is HS256 with the " +
				"legacy JWT secret. Such tokens verify only with the shared secret, not with the JWKS.",
			ProvenBy: "the token's header (evidence token) against the project's published JWKS, in the observation",
			Hypotheses: []Hypothesis{
				Maybe("The asymmetric keys are in standby (published, not yet signing).",
					"Settings → JWT Keys shows the asymmetric key as standby."),
				Maybe("Self-hosted: the Auth server was not restarted after the switch.",
					"the Auth container started before GOTRUE_JWT_KEYS changed."),
			},
			Fix: "Nothing is broken; to use the asymmetric keys, rotate to them (Settings → JWT Keys → Rotate) or, " +
				"self-hosted, make the asymmetric key the signing key in GOTRUE_JWT_KEYS.",
			Reference: "Supabase: JWT signing keys",
		},
		Entry{
			Code:     SupabaseRefreshReuseMints,
			Title:    "a used refresh token mints a new session",
			Severity: Critical,
			Cause: "Reusing a refresh token that was already exchanged (while its successor is still unused) returned a new " +
				"refresh token. GoTrue returns the successor again in that case (the client may have failed to save it); " +
				"minting a new one means a stolen, used refresh token opens sessions of its own.",
			ProvenBy: "the answers to the refresh grants, in the observation (evidence refresh)",
			Fix: "Run a released Supabase Auth (GoTrue) with refresh-token rotation enabled " +
				"(GOTRUE_SECURITY_REFRESH_TOKEN_ROTATION_ENABLED=true, the default) and nothing in front of /token that " +
				"issues tokens itself.",
			Reference: "supabase/auth internal/tokens/service.go (refresh token grant: parent of the active token)",
		},
		Entry{
			Code:     SupabaseRefreshReuse,
			Title:    "an old refresh token was accepted again",
			Severity: Warn,
			Cause:    "A refresh token two generations old was accepted.",
			ProvenBy: "the answers to the refresh grants, in the observation (evidence refresh)",
			Hypotheses: []Hypothesis{
				Maybe("The project's reuse interval (GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL seconds after a token "+
					"was revoked: 10 on Supabase's hosted platform, 0 when unset on a self-hosted server) had not passed.",
					"run with --thorough: it waits 11 s and reuses a fresh old token; refused then, this is the interval."),
				Maybe("Refresh tokens keep working outside any reuse interval: a replay risk.",
					"with --thorough the old token is still accepted after the wait."),
			},
			Fix: "Nothing if the project has a reuse interval of a few seconds; otherwise enable refresh-token rotation " +
				"(GOTRUE_SECURITY_REFRESH_TOKEN_ROTATION_ENABLED=true) and keep the reuse interval short.",
			Reference: "supabase/auth internal/tokens/service.go (reuse interval)",
		},
		Entry{
			Code:     SupabaseRefreshFamily,
			Title:    "a refused refresh-token reuse does not revoke the session",
			Severity: Warn,
			Cause: "After an old refresh token was refused as already used, the session's newest refresh token still " +
				"works. With rotation enabled GoTrue revokes the whole token family on such a reuse, so whoever replayed a " +
				"stolen token cannot keep the session alive.",
			ProvenBy:  "the answers to the refresh grants, in the observation (evidence refresh)",
			Fix:       "Enable refresh-token rotation (GOTRUE_SECURITY_REFRESH_TOKEN_ROTATION_ENABLED=true, the default).",
			Reference: "supabase/auth internal/tokens/service.go (revoke token family on reuse)",
		},
		Entry{
			Code:     SupabaseKeySignature,
			Title:    "the public key is not signed with the project's current JWT secret",
			Severity: Fail,
			Cause: "NEXT_PUBLIC_SUPABASE_KEY is a legacy anon JWT that does not verify with the project's JWT secret given " +
				"to mfconform. The gateway and Auth, which never verify the anon key, keep working; PostgREST verifies " +
				"it and answers 401 PGRST301 (JWSError JWSInvalidSignature), so every data query fails.",
			ProvenBy: "the signature check of the key with SUPABASE_JWT_SECRET, and PostgREST's answer, in the observation",
			Hypotheses: []Hypothesis{
				Maybe("The key was minted with a previous secret (JWT_SECRET rotated, ANON_KEY not regenerated).",
					"the key's iat (jwt.io) predates the last change of JWT_SECRET."),
				Maybe("SUPABASE_JWT_SECRET given to mfconform is not the project's current secret.",
					"it differs from Settings → API → JWT Settings; then SUPABASE_SESSION_SIGNATURE fails too."),
			},
			Fix: "Regenerate the anon (and service_role) key from the current JWT secret — self-hosted: generate new " +
				"ANON_KEY/SERVICE_ROLE_KEY from JWT_SECRET, update kong.yml and every client — then rebuild the frontend " +
				"with the new NEXT_PUBLIC_SUPABASE_KEY.",
			Reference: "RFC 7515 §5.2; PostgREST: PGRST301; Supabase self-hosting: API keys",
		},
		Entry{
			Code:      SupabaseAcceptsBadSig,
			Title:     "the auth API accepts a token signed with another secret",
			Severity:  Critical,
			Cause:     "GET /auth/v1/user answered 200 for an access token signed with a key that is not the project's JWT secret: anyone can forge sessions.",
			ProvenBy:  "the answer to GET /auth/v1/user with mfconform's forged token, in the observation (evidence forged)",
			Fix:       "Make sure GOTRUE_JWT_SECRET (self-hosted) is set and that nothing in front of the auth API answers for it.",
			Reference: "RFC 7515 §5.2; supabase/auth JWT verification",
		},
	)
}
