package diag

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
	SetupFailed Code = "SETUP_FAILED"
)

// Texts shared by several entries.
const (
	// setCookieExample is the header the backend must send, in HTTP's
	// own words: a generic fix names attributes, never one language's
	// code (suites/stack holds each stack's idiom).
	setCookieExample = `Set-Cookie: mf_jwt_token=<token>; Domain=.your-domain.com; Path=/; Secure; HttpOnly; SameSite=None`
	sameKeyFix       = "Give the backend and the Miiflow app the very same AUTH_SECRET_KEY value (same bytes: no added quotes, " +
		"newline or base64 step). mfconform sees neither side's key, only whether tokens verify; it prints the fingerprint of " +
		"the key it was given (sha256: and the first 8 hex digits of its SHA-256). Compare it with each side's: " +
		"printf '%s' \"$AUTH_SECRET_KEY\" | sha256sum, run where that side reads the key. Restart the service whose key " +
		"you change so it reads the new value."
	refCookieContract = "contract: Mode 2 cookie"
	refClaims         = "contract: Mode 2 claims"
	refVendorJWT      = "vendor page: Authentication for Self-Hosting — Option 2: JWT"
)

func init() {
	registerCookie()
	registerToken()
	registerApp()
	registerSupabase()
	register(Entry{
		Code:        SetupFailed,
		Environment: true,
		Title:       "test environment could not be prepared",
		Severity:    Critical,
		Cause: "mfconform could not set up what a check needs: a browser that will not start, a missing supabase-js " +
			"bundle, a port that cannot be bound, a page of its own that did not load, or invalid options. " +
			"What depends on it has not been judged.",
		Fix: "Read the observed error: install Chromium (or point mfconform at a Chrome binary), free the port or " +
			"directory it names, fix the option it rejects, then run again. Skipped checks are not passes.",
		Reference: "mfconform: setup; a setup failure is never a pass",
	})
}

func registerCookie() {
	register(
		Entry{
			Code:     CookieNotSet,
			Title:    "no mf_jwt_token cookie set after login",
			Severity: Fail,
			Cause: "The login response carries no Set-Cookie named exactly mf_jwt_token. Usually the cookie has a " +
				"near-miss name (mf-jwt-token, jwt_token, MF_JWT_TOKEN — cookie names are case-sensitive), it is set " +
				"on a different response than the one that finishes login, or the token is returned in the body or a " +
				"header and never turned into a cookie.",
			Fix: "After authenticating the user, set the cookie by its exact name on the response that finishes the login: " +
				setCookieExample + ".",
			Reference: refCookieContract + "; " + refVendorJWT,
		},
		Entry{
			Code:     CookieNotStored,
			Title:    "Chromium did not store mf_jwt_token",
			Severity: Fail,
			Cause: "The Set-Cookie header was sent but the cookie is not in Chromium's jar after login, for a reason no more " +
				"specific code covers: Chromium blocked it with a reason of its own (for example SyntaxError, InvalidPrefix, " +
				"DisallowedCharacter, OverwriteSecure — the observation quotes it), or it is simply absent and Chromium " +
				"gave no reason. A cookie of the same name left by an earlier setup does not count: the observation names " +
				"it when the jar holds one.",
			Fix: "Look up Chromium's reason in the observation and correct that attribute of the Set-Cookie line; the " +
				"working shape is: mf_jwt_token=<jwt>; Domain=.your-domain.com; Path=/; Secure; HttpOnly; SameSite=None.",
			Reference: "Chromium: CookieBlockedReason (DevTools Network.responseReceivedExtraInfo); RFC 6265 §5.2",
		},
		Entry{
			Code:     CookieNotSent,
			Title:    "Chromium withheld mf_jwt_token from the app",
			Severity: Fail,
			Cause: "The cookie is stored and its Domain and Path cover the app, yet Chromium did not attach it to a " +
				"top-level navigation to the app for a reason no more specific code covers. The observation carries " +
				"Chromium's own reason (DevTools Network.requestWillBeSentExtraInfo associatedCookies).",
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
			Fix: `Set Domain=.your-domain.com (the registrable domain both hosts share): ` + setCookieExample +
				". The leading dot is optional in current browsers.",
			Reference: "RFC 6265 §5.2.3 and §5.3 step 6; " + refCookieContract,
		},
		Entry{
			Code:     CookieDomainInvalid,
			Title:    "mf_jwt_token has a Domain the browser rejects",
			Severity: Fail,
			Cause: "The Domain attribute does not domain-match the host that set the cookie (a foreign domain such as " +
				"other.test set from login.acme.test) or it names a public suffix (.com, .test, .vercel.app). " +
				"Chromium drops such a cookie outright with reason InvalidDomain; nothing is stored.",
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
			Fix:       "Set the attribute Path=/ explicitly.",
			Reference: "RFC 6265 §5.1.4 (path-match) and §5.2.4; Chromium: NotOnPath; " + refCookieContract,
		},
		Entry{
			Code:     CookieExpiredOnArrival,
			Title:    "mf_jwt_token expires before it is stored",
			Severity: Fail,
			Cause: "The cookie's Expires date is already past, or Max-Age is zero or negative, when the browser receives " +
				"it — often Max-Age computed in the wrong unit, Expires written in local time without a zone, or a " +
				"server clock far off. A browser treats such a Set-Cookie as a deletion and drops it without giving " +
				"a reason; only the raw header shows why.",
			Fix: "Give the cookie a lifetime at least as long as the token's: Max-Age=<seconds> matching the JWT exp, or " +
				"Expires in GMT (RFC 1123 format), or omit both for a session cookie. Check the server's clock.",
			Reference: "RFC 6265 §5.2.1, §5.2.2 and §5.3 step 3; " + refCookieContract,
		},
		Entry{
			Code:     CookieTooLarge,
			Title:    "mf_jwt_token is over 4096 bytes",
			Severity: Fail,
			Cause: "Cookie name plus value exceed 4096 bytes, and Chromium discards it (NameValuePairExceedsMaxSize). " +
				"Usually the JWT carries far more than the contract's claims (permissions, profile pictures, " +
				"nested objects).",
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
			Cause: "The browser holds more than one cookie named mf_jwt_token for the app's URL — typically a leftover " +
				"from an earlier setup: a host-only cookie on the app host, or one with a longer Path. Chromium sends " +
				"both, longer Path first and, for equal paths, the earlier-created one first (RFC 6265 §5.4), and " +
				"most servers read the first. The app then verifies the stale token and the symptoms look like a " +
				"secret mismatch or an expired token that cannot be, although the backend's new cookie is right.",
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
			Fix: "Drop the Partitioned attribute from mf_jwt_token (keep Domain, Path=/, Secure, HttpOnly, SameSite=None). " +
				"Partitioned only helps a cookie that is set inside the embedded frame itself.",
			Reference: "CHIPS (draft-cutler-httpbis-partitioned-cookies); Chromium: partitionKey of the stored cookie; " + refCookieContract,
		},
	)
}

func registerToken() {
	register(
		Entry{
			Code:     TokenMalformed,
			Title:    "mf_jwt_token is not a compact JWS",
			Severity: Fail,
			Cause: "The cookie value is not three base64url segments of JSON joined by dots. Typical causes: the token " +
				"was wrapped in quotes or \"Bearer \", URL- or base64-encoded once more, cut short, or the value is " +
				"a Python bytes repr (b'eyJ…') from an old PyJWT.",
			Fix: "Set the cookie to exactly the string the JWT library returns (a text string, not bytes or an object " +
				"rendered as text), with no prefix, quotes or extra encoding.",
			Reference: "RFC 7515 §3.1 and §7.1 (JWS compact serialization); RFC 7519 §7.2",
		},
		Entry{
			Code:     TokenAlgNotHS256,
			Title:    "token is not signed with HS256",
			Severity: Fail,
			Cause: "The JWT header's alg is not HS256 (none, HS384, HS512, RS256, or missing). Miiflow decodes with " +
				"HS256 and AUTH_SECRET_KEY, so any other algorithm is refused — and an unsigned (none) token is " +
				"worthless as proof of identity.",
			Fix:       `Sign with the algorithm HS256 (the token header's alg) and AUTH_SECRET_KEY as the key.`,
			Reference: "RFC 7518 §3.1 and §3.2; " + refVendorJWT,
		},
		Entry{
			Code:     TokenSignatureMismatch,
			Title:    "token signature does not verify with AUTH_SECRET_KEY",
			Severity: Fail,
			Cause: "The HMAC-SHA256 signature does not match the token under the AUTH_SECRET_KEY given to mfconform: " +
				"the backend signs with another key than that one (another environment's key, a rotated key, or a " +
				"default left in place), or the token is unsigned. Which of the backend and the app holds the given key " +
				"is a separate question: the observation's cause says which side differs when the app's answers show it " +
				"(JWT-APP-001, JWT-APP-002).",
			Fix:       sameKeyFix,
			Reference: "RFC 7515 §5.2; RFC 7518 §3.2; vendor page: Troubleshooting — JWT Validation Failure",
		},
		Entry{
			Code:     TokenSecretWhitespace,
			Title:    "AUTH_SECRET_KEY differs by whitespace or quotes",
			Severity: Fail,
			Cause: "The token verifies only with AUTH_SECRET_KEY plus or minus a trailing newline, surrounding spaces, " +
				"or quotes. One side read the key with its line ending (a file written by echo, a Kubernetes secret " +
				"made from a file), or quotes from a .env file or YAML ended up inside the value.",
			Fix: "Strip the key at its source on both sides: printf '%s' \"$KEY\" instead of echo, kubectl create secret " +
				"--from-literal, no quotes inside the value in docker-compose env files. Then compare the " +
				"fingerprints mfconform prints.",
			Reference: "vendor page: Troubleshooting — JWT Validation Failure; RFC 7518 §3.2",
		},
		Entry{
			Code:     TokenSecretEncoding,
			Title:    "AUTH_SECRET_KEY used in a different encoding",
			Severity: Fail,
			Cause: "The token verifies only with AUTH_SECRET_KEY base64- or hex-decoded or -encoded: one side treats the " +
				"configured string as the key bytes, the other first decodes (or encodes) it — e.g. a library " +
				"option such as secret_is_base64, or a key generated as base64 and decoded by one service only.",
			Fix: "Use the key as the same raw bytes on both sides: pass the exact AUTH_SECRET_KEY string as the HMAC " +
				"key in the backend, without a base64/hex step, or apply the same step in both places.",
			Reference: "RFC 7518 §3.2; vendor page: Troubleshooting — JWT Validation Failure",
		},
		Entry{
			Code:     TokenExpired,
			Title:    "token has expired",
			Severity: Fail,
			Cause: "The exp claim is in the past, so Miiflow refuses the token. Either the backend issued it long ago " +
				"and never refreshes it, the lifetime is computed too short, or the backend's clock is behind.",
			Fix: "Issue a fresh token at login and refresh it before exp (e.g. on each authenticated request or by a " +
				"refresh endpoint); compute exp as now + lifetime in UTC seconds; keep server clocks in sync (NTP).",
			Reference: "RFC 7519 §4.1.4; vendor page: Troubleshooting — Token Expiration",
		},
		Entry{
			Code:     TokenExpMilliseconds,
			Title:    "exp looks like milliseconds",
			Severity: Fail,
			Cause: "exp is so large that, read as seconds, it lies thousands of years ahead; read as milliseconds it is a " +
				"plausible date. The backend used a millisecond clock (JavaScript Date.now(), Java " +
				"System.currentTimeMillis()) where NumericDate wants seconds.",
			Fix:       "Write exp in seconds: divide a millisecond clock by 1000 (and round down), then add the lifetime in seconds.",
			Reference: "RFC 7519 §2 (NumericDate: seconds) and §4.1.4",
		},
		Entry{
			Code:     TokenExpMicroseconds,
			Title:    "exp looks like microseconds",
			Severity: Fail,
			Cause: "exp is so large that, read as seconds or milliseconds, it lies thousands of years ahead; read as " +
				"microseconds it is a plausible date. The backend used a microsecond clock (Go time.Now().UnixMicro(), " +
				"Python datetime.timestamp() * 1e6, PostgreSQL extract(epoch) * 1e6) where NumericDate wants seconds.",
			Fix:       "Write exp in seconds: divide by 1 000 000, or take the clock's seconds since the epoch directly and add the lifetime.",
			Reference: "RFC 7519 §2 (NumericDate: seconds) and §4.1.4",
		},
		Entry{
			Code:     TokenExpNanoseconds,
			Title:    "exp looks like nanoseconds",
			Severity: Fail,
			Cause: "exp is so large that, read as seconds, milliseconds or microseconds, it lies far ahead; read as " +
				"nanoseconds it is a plausible date. The backend used a nanosecond clock (Go time.Now().UnixNano(), " +
				"Python time.time_ns(), Java Instant nanos, System.nanoTime) where NumericDate wants seconds.",
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
			Fix: "Add exp = now + lifetime, in seconds since the epoch (UTC), " +
				"e.g. one hour ahead.",
			Reference: "RFC 7519 §4.1.4; " + refClaims,
		},
		Entry{
			Code:     TokenExpNotNumeric,
			Title:    "exp is not a number",
			Severity: Fail,
			Cause: "exp is present but is a JSON string, boolean, null, array or object instead of a number — for " +
				"example a date string (\"2026-11-26T01:00:00Z\"), a quoted number (\"1764118800\"), or a " +
				"datetime serialized by a custom encoder.",
			Fix:       "Emit exp as a JSON number of seconds since 1970-01-01 UTC (an integer, or a float as the vendor example produces), not a string.",
			Reference: "RFC 7519 §2 (NumericDate) and §4.1.4",
		},
		Entry{
			Code:     TokenLifetimeLong,
			Title:    "token lifetime is unusually long",
			Severity: Warn,
			Cause: "exp lies further ahead than a sensible session (threshold 24 h by default). A leaked token stays " +
				"valid that long, and there is no revocation in this scheme.",
			Fix:       "Issue short-lived tokens (minutes to hours) and refresh them while the user is active; raise the threshold only with a reason.",
			Reference: "vendor page: Key Notes — Expiration; RFC 7519 §4.1.4",
		},
		Entry{
			Code:     TokenClockSkew,
			Title:    "backend clock differs from ours",
			Severity: Fail,
			Cause: "The backend's clock — read from its HTTP Date header or from the token's iat — differs from this " +
				"machine's by more than the tolerance. Tokens then look expired too early or valid too long, and an " +
				"iat in the future is refused by strict verifiers.",
			Fix:       "Run NTP (chrony, systemd-timesyncd) on the backend, the app and the machine running mfconform, and make sure containers share the host's clock.",
			Reference: "RFC 7519 §4.1.4 and §4.1.6 (iat); RFC 9110 §6.6.1 (Date)",
		},
		Entry{
			Code:     TokenExpTimezone,
			Title:    "exp is off by the server's UTC offset (a naive local datetime)",
			Severity: Fail,
			Cause: "The token's exp (and iat, if any) is off from the real time by a whole number of hours, or a half or " +
				"quarter hour as some zones are: the backend computed it from a naive datetime read as local time. " +
				"In Python, datetime.utcnow() returns the UTC wall time without a zone and .timestamp() reads a " +
				"naive value as local time, so (datetime.utcnow() + timedelta(hours=1)).timestamp() is off by the " +
				"server's UTC offset: east of Greenwich the token is born expired (UTC+8: 7 hours before it is " +
				"issued), west of it the token lives hours too long and its iat lies in the future. The same " +
				"happens with any local wall-clock time turned into epoch seconds as if it were UTC (Java " +
				"LocalDateTime.now().toEpochSecond(ZoneOffset.UTC)), or the reverse.",
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
			Cause:     "The payload has no user_id. Miiflow identifies the user by this claim; a standard sub or id claim is not read instead.",
			Fix:       "Add \"user_id\": \"<your stable user identifier>\" (a string) to the claims.",
			Reference: refClaims + "; " + refVendorJWT,
		},
		Entry{
			Code:     TokenUserIDNotString,
			Title:    "user_id is not a non-empty string",
			Severity: Fail,
			Cause: "user_id is a number, boolean, object, null, or an empty/whitespace-only string. The contract asks for a " +
				"non-empty string; a numeric database id is the usual cause, and verifiers that compare strings " +
				"treat 42 and \"42\" as different users or refuse the token.",
			Fix:       "Emit the id as a JSON string: \"user_id\": \"42\", not 42.",
			Reference: refClaims + "; " + refVendorJWT,
		},
		Entry{
			Code:      TokenClaimType,
			Title:     "optional claim has the wrong type",
			Severity:  Fail,
			Cause:     "first_name, last_name or email is present but not a JSON string (null, a number, an object or a list) — often an unset database field serialized as null.",
			Fix:       "Emit these claims as strings, or leave them out of the payload when there is no value; do not send null.",
			Reference: refClaims,
		},
		Entry{
			Code:      TokenEmailInvalid,
			Title:     "email claim is not an email address",
			Severity:  Warn,
			Cause:     "The email claim does not parse as a bare address (local@domain): it may be empty, a display-name form like \"John <john@x>\", or a user name put into the wrong claim.",
			Fix:       "Put the user's plain address in email (john.doe@example.com), or leave the claim out.",
			Reference: refClaims + "; RFC 5322 §3.4.1",
		},
		Entry{
			Code:     SecretWeak,
			Title:    "AUTH_SECRET_KEY is weak",
			Severity: Fail,
			Cause: "The key is shorter than 32 bytes, is a well-known placeholder (the vendor page's YOUR_SECRET_KEY, " +
				"secret, changeme…) or a single repeated character. Anyone can brute-force or guess it offline from " +
				"one token and then mint tokens for any user_id.",
			Fix:       "Generate a random key of at least 32 bytes, e.g. openssl rand -base64 48, and set it as AUTH_SECRET_KEY in both the backend and Miiflow.",
			Reference: "RFC 7518 §3.2 (key of at least 256 bits); RFC 8725 §3.5",
		},
	)
}

func registerApp() {
	register(
		Entry{
			Code:     AppRejectsValidToken,
			Title:    "app refuses a conformant token",
			Severity: Fail,
			Cause: "A conformant token — minted by mfconform with the AUTH_SECRET_KEY it was given (JWT-APP-001) or " +
				"issued by the backend at login (JWT-APP-002) — reached the app's probe path, which answered as for a " +
				"signed-out user (401, 403 or a redirect). The usual cause is the vendor page's JWT validation failure: " +
				"the app holds another AUTH_SECRET_KEY than the token was signed with; otherwise the app refuses something " +
				"else in the token. The observation's cause says which side differs when the run's evidence shows it.",
			Fix:       sameKeyFix,
			Reference: "vendor page: Troubleshooting — JWT Validation Failure; " + refVendorJWT,
		},
		Entry{
			Code:     AppIdentityMismatch,
			Title:    "app shows a different identity than the token",
			Severity: Fail,
			Cause: "The app accepted the token but shows another user_id, name or email than the token carries: a " +
				"stale session in the app, another cookie winning over mf_jwt_token (two cookies of the same name " +
				"with different Domain or Path), or claim names the app does not read (sub, name, given_name).",
			Fix: "Use the contract's claim names exactly (user_id, first_name, last_name, email); make sure only one " +
				"mf_jwt_token cookie exists (delete old ones set with another Domain/Path); log out of the app and retry.",
			Reference: refClaims,
		},
		Entry{
			Code:     AppAcceptsExpired,
			Title:    "app accepts an expired token",
			Severity: Fail,
			Cause: "The app logged the user in with a token whose exp had passed; the observation states how long past " +
				"and the leeway this implies. The verifier skips exp checking or allows a very large leeway.",
			Fix:       "Verify exp on every request with a leeway of seconds, not minutes or hours (JWT libraries check exp by default: do not switch that check off).",
			Reference: "RFC 7519 §4.1.4 and §7.2",
		},
		Entry{
			Code:     AppAcceptsBadSignature,
			Title:    "app accepts a token with a bad signature",
			Severity: Critical,
			Cause: "The app logged the user in with a token signed by the wrong key, with a payload changed after " +
				"signing, with no signature, or with garbage. It decodes without verifying (e.g. jwt.decode(..., " +
				"options={\"verify_signature\": False})), so anyone can forge a token for any user_id.",
			Fix:       "Verify the HS256 signature with AUTH_SECRET_KEY on every request and refuse the request when it fails.",
			Reference: "RFC 7515 §5.2; RFC 8725 §3.1",
		},
		Entry{
			Code:     AppAcceptsAlgNone,
			Title:    "app accepts an unsigned (alg none) token",
			Severity: Critical,
			Cause: "The app logged the user in with a token whose header says alg none (in some spelling) and which " +
				"carries no signature: the verifier takes the algorithm from the token. Anyone can forge any identity.",
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
			Fix:       "Allow exactly HS256 in the verifier's list of accepted algorithms.",
			Reference: "RFC 8725 §3.1; " + refVendorJWT,
		},
		Entry{
			Code:      AppAcceptsMissingClaim,
			Title:     "app accepts a token without a required claim",
			Severity:  Fail,
			Cause:     "The app logged the user in with a correctly signed token that lacks user_id or exp. Without exp the token never expires; without user_id the session has no identity.",
			Fix:       "Make exp and user_id required claims in the verifier, and refuse the request when either is missing.",
			Reference: refClaims + "; RFC 7519 §4.1.4",
		},
		Entry{
			Code:     AppRejectsFractionalExp,
			Title:    "app refuses a fractional exp",
			Severity: Fail,
			Cause: "The app refused a valid token whose exp is a non-integer number — exactly what the vendor's own " +
				"Python example produces (datetime.timestamp() is a float). The verifier insists on an integer.",
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
				"neither a sign-in nor a refusal: the app failed instead of deciding. Typically (a hypothesis; the " +
				"app's log for the probe's time tells) an exception of the token library escapes the handler.",
			Fix:       "Catch every decode and verification error of the JWT library (each library's base error for an invalid token) and answer as for a missing cookie (401 or a redirect to the login).",
			Reference: "RFC 7519 §7.2 (reject invalid JWTs); OWASP: Improper Error Handling",
		},
		Entry{
			Code:        AppUnreachable,
			Environment: true,
			Title:       "app cannot be reached",
			Severity:    Fail,
			Cause: "mfconform could not connect to the app: DNS did not resolve, the TCP connection was refused or timed " +
				"out, or TLS failed (untrusted or wrong-name certificate). The observation names which step failed " +
				"and why. Nothing about the app's token handling was tested.",
			Fix:       "Check the app URL given to mfconform, that the app is running and listening, that DNS (or the host map) points at it, and pass --ca for a private CA.",
			Reference: "environment; mfconform: app target",
		},
		Entry{
			Code:        LoginUnreachable,
			Environment: true,
			Title:       "the login URL cannot be reached",
			Severity:    Fail,
			Cause: "mfconform could not load the backend's login URL in Chromium: DNS did not resolve, the connection " +
				"was refused or timed out, or TLS failed. The observation carries Chromium's network error. Nothing " +
				"about the cookie or the token was tested.",
			Fix:       "Check the login URL given to mfconform, that the backend is running and reachable from this machine, and that its certificate is trusted (pass a private CA when it is not public).",
			Reference: "environment; mfconform: login target",
		},
		Entry{
			Code:     AppProbeFailed,
			Title:    "a probe request to the app failed",
			Severity: Fail,
			Cause: "The app was reachable, but a probe request could not be completed or its answer could not be " +
				"interpreted (connection reset mid-way, a response that is neither logged-in nor logged-out per the " +
				"configured markers). This is not the app's verdict on the token.",
			Fix:       "Check the app's logs for the probe's time; make sure the logged-in/logged-out markers configured for mfconform match what the app serves; then run again.",
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
				"could not be read, within the navigation or script timeout after login: a page that hangs, loops, " +
				"redirects forever or keeps the browser busy. Users see the same page; the cookie could not be " +
				"followed into the app.",
			Fix:       "Log in and open the app in a browser with its developer tools: find the request or script that never finishes, and make the page load within the timeout (raise mfconform's timeouts only if the page is slow by design).",
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
			Cause:     "The frontend container has no NEXT_PUBLIC_SUPABASE_URL, or it is empty. NEXT_PUBLIC_* values are inlined at build time, so setting it only at run time is not enough (supabase-js: \"supabaseUrl is required.\").",
			Fix:       "Set NEXT_PUBLIC_SUPABASE_URL to Supabase → Settings → API → Project URL (https://<ref>.supabase.co) and rebuild the frontend image.",
			Reference: "contract: Mode 1; vendor page: Option 1",
		},
		Entry{
			Code:      SupabaseKeyMissing,
			Title:     "NEXT_PUBLIC_SUPABASE_KEY is empty",
			Severity:  Fail,
			Cause:     "The frontend container has no NEXT_PUBLIC_SUPABASE_KEY, or it is empty; NEXT_PUBLIC_* values are inlined at build time.",
			Fix:       "Set NEXT_PUBLIC_SUPABASE_KEY to the project's public key (the anon JWT or an sb_publishable_… key, Settings → API) and rebuild the frontend image.",
			Reference: "contract: Mode 1; vendor page: Option 1",
		},
		Entry{
			Code:      SupabaseURLInvalid,
			Title:     "NEXT_PUBLIC_SUPABASE_URL is not a project origin",
			Severity:  Fail,
			Cause:     "The value is not an absolute https origin: http://, a missing scheme, a path such as /auth/v1 or /rest/v1 (supabase-js appends those itself), a trailing slash with junk, quotes or whitespace.",
			Fix:       "Use just the origin: https://<ref>.supabase.co (or your self-hosted gateway's https origin), with no path.",
			Reference: "contract: Mode 1; supabase-js createClient(supabaseUrl)",
		},
		Entry{
			Code:     SupabaseNotAuth,
			Title:    "NEXT_PUBLIC_SUPABASE_URL answers, but not as Supabase Auth",
			Severity: Fail,
			Cause: "The URL is a clean https origin and something answers there, but GET /auth/v1/health is neither Supabase Auth's own answer ({\"name\":\"GoTrue\",…}) nor a Supabase gateway's refusal: the URL points at another server — often the frontend itself or another site of the company, " +
				"or a self-hosted project's host without its gateway (Kong) routing /auth/v1 to Auth.",
			Fix:       "Set NEXT_PUBLIC_SUPABASE_URL to the project's API origin — Project URL in Supabase → Settings → API (https://<ref>.supabase.co), or a self-hosted gateway's origin whose /auth/v1/health answers {\"name\":\"GoTrue\",…} — and rebuild the frontend image.",
			Reference: "supabase-js createClient(supabaseUrl); Supabase Auth GET /health (supabase/auth internal/api)",
		},
		Entry{
			Code:        SupabaseURLUnreachable,
			Environment: true,
			Title:       "Supabase URL cannot be reached",
			Severity:    Fail,
			Cause:       "mfconform could not connect to the Supabase URL: DNS, connection or TLS failed (the observation says which). No Supabase check could run.",
			Fix:         "Check the project ref in the URL, that a self-hosted gateway is up and its certificate is valid for that name, and network/proxy settings.",
			Reference:   "environment; GET <url>/auth/v1/health",
		},
		Entry{
			Code:      SupabaseKeyMalformed,
			Title:     "NEXT_PUBLIC_SUPABASE_KEY is malformed",
			Severity:  Fail,
			Cause:     "The key is neither a JWT (three base64url segments) nor an sb_publishable_… key, or it has quotes or whitespace around it — usually a copy-paste accident or quoting in an env file.",
			Fix:       "Paste the public key exactly as shown in Supabase → Settings → API, without quotes or trailing newline.",
			Reference: "contract: Mode 1; Supabase API keys",
		},
		Entry{
			Code:      SupabaseKeyServiceRole,
			Title:     "service_role key in a public variable",
			Severity:  Critical,
			Cause:     "NEXT_PUBLIC_SUPABASE_KEY holds a service_role JWT. NEXT_PUBLIC_* values are shipped in the browser bundle, and service_role bypasses Row Level Security: anyone who loads the app can read and write the whole database.",
			Fix:       "Replace it with the anon/publishable key, rebuild, and rotate the project's JWT secret / service_role key at once — treat it as leaked.",
			Reference: "contract: Mode 1; Supabase: API keys (service_role must never be exposed)",
		},
		Entry{
			Code:      SupabaseKeySecret,
			Title:     "sb_secret key in a public variable",
			Severity:  Critical,
			Cause:     "NEXT_PUBLIC_SUPABASE_KEY holds an sb_secret_… key. It is inlined into the browser bundle, and a secret key grants elevated access to the project.",
			Fix:       "Replace it with an sb_publishable_… key, rebuild, and delete/rotate the exposed secret key in Supabase → Settings → API Keys.",
			Reference: "contract: Mode 1; Supabase: API keys (secret keys)",
		},
		Entry{
			Code:      SupabaseKeyProjectMismatch,
			Title:     "key belongs to another Supabase project",
			Severity:  Fail,
			Cause:     "The legacy key's ref claim differs from the project ref in NEXT_PUBLIC_SUPABASE_URL: URL and key were copied from different projects (e.g. staging and production).",
			Fix:       "Take URL and key from the same project's Settings → API page.",
			Reference: "contract: Mode 1; Supabase legacy API key claims (ref)",
		},
		Entry{
			Code:      SupabaseKeyExpired,
			Title:     "Supabase key has expired",
			Severity:  Fail,
			Cause:     "The legacy key JWT's exp is in the past; the gateway refuses it. Self-generated keys are often minted with a short exp.",
			Fix:       "Regenerate the anon key from the project's JWT secret with a long exp (or copy the current one from Settings → API) and rebuild.",
			Reference: "RFC 7519 §4.1.4; Supabase legacy API keys",
		},
		Entry{
			Code:      SupabaseKeyRejected,
			Title:     "gateway rejects the Supabase key",
			Severity:  Fail,
			Cause:     "The API gateway answers 401 (\"Invalid API key\" / \"Invalid authentication credentials\"): the key is stale, from another project, or — self-hosted — not signed with the current JWT_SECRET (secret rotated, keys not regenerated).",
			Fix:       "Copy the current key from Settings → API; self-hosted: regenerate ANON_KEY and SERVICE_ROLE_KEY from the current JWT_SECRET and restart the stack.",
			Reference: "Supabase: API gateway apikey check",
		},
		Entry{
			Code:      SupabaseCORSBlocked,
			Title:     "browser cannot call the Supabase auth API",
			Severity:  Fail,
			Cause:     "From the app's origin the browser's CORS preflight to <url>/auth/v1 fails or does not allow the headers supabase-js sends (apikey, authorization, x-client-info, x-supabase-api-version, content-type) — typically a reverse proxy in front of a self-hosted gateway that strips or answers the OPTIONS request itself.",
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
			Fix: "Set NEXT_PUBLIC_SUPABASE_URL to the origin that answers the API itself — Project URL in Supabase → Settings → API (https://<ref>.supabase.co), or a self-hosted gateway's origin — " +
				"and remove the redirect from any proxy in front of the project; then rebuild the frontend image.",
			Reference: "RFC 9110 §15.4.8 and §15.4.9 (307 and 308 keep the method and the body); Fetch standard, redirect mode \"manual\"; supabase-js createClient(url, key, {global: {fetch}})",
		},
		Entry{
			Code:      SupabaseSigninFailed,
			Title:     "test sign-in fails",
			Severity:  Fail,
			Cause:     "Password sign-in with the test account fails; the observation gives GoTrue's error code: invalid_credentials (wrong email/password), email_not_confirmed (account not confirmed), signup_disabled (account could not be created).",
			Fix:       "Use a confirmed test user with the right password, or enable email auto-confirm for the test project; create the user in the dashboard if signups are disabled.",
			Reference: "Supabase Auth: POST /auth/v1/token?grant_type=password",
		},
		Entry{
			Code:      SupabaseSessionClaims,
			Title:     "Supabase access token lacks required claims",
			Severity:  Fail,
			Cause:     "The session's access token is missing sub, exp, aud=authenticated or role — usually a custom access-token hook or a changed GOTRUE_JWT_AUD.",
			Fix:       "Restore the standard claims (check any custom access token hook and GOTRUE_JWT_AUD=authenticated).",
			Reference: "Supabase Auth: JWT claims; RFC 7519 §4.1",
		},
		Entry{
			Code:     SupabaseSessionSignature,
			Title:    "Supabase access token does not verify with the project's JWKS",
			Severity: Fail,
			Cause: "The session's access token is signed with an asymmetric key (ES256, RS256), and its signature does not verify " +
				"with the key /auth/v1/.well-known/jwks.json publishes under the token's kid: the document publishes another key " +
				"under that kid (a stale copy or cache, or GOTRUE_JWT_KEYS and the published JWT_JWKS out of step). Every " +
				"verifier that reads the JWKS — PostgREST, the app's server side — refuses the project's own tokens. (An HS256 " +
				"token that does not verify with SUPABASE_JWT_SECRET is SUPABASE_JWT_SECRET_MISMATCH.)",
			Fix: "Publish exactly the public parts of the keys Auth signs with: on Supabase, Settings → JWT Keys; self-hosted, " +
				"derive JWT_JWKS from the same JWT_KEYS the auth container gets and restart the gateway and Auth together.",
			Reference: "RFC 7515 §5.2; RFC 7517 §4.5 (kid); Supabase: JWT signing keys / JWKS",
		},
		Entry{
			Code:      SupabaseRefreshFailed,
			Title:     "Supabase session refresh fails",
			Severity:  Fail,
			Cause:     "The refresh_token grant fails; the observation gives the error code (refresh_token_not_found, refresh_token_already_used, session_expired, session_not_found) — often concurrent refreshes or session time limits.",
			Fix:       "Refresh from one place at a time (one supabase-js client per page), and review the project's session time-box / inactivity settings.",
			Reference: "Supabase Auth: POST /auth/v1/token?grant_type=refresh_token",
		},
		Entry{
			Code:      SupabaseClockSkew,
			Title:     "Supabase clock differs from ours",
			Severity:  Fail,
			Cause:     "The Supabase server's Date header or a token's iat differs from this machine's clock beyond tolerance; GoTrue allows no leeway, so tokens look expired or \"issued in the future\".",
			Fix:       "Synchronise clocks with NTP on the Supabase host, the app host and the machine running mfconform.",
			Reference: "RFC 7519 §4.1.6; RFC 9110 §6.6.1",
		},
		Entry{
			Code:     SupabaseAcceptsExpired,
			Title:    "the auth API accepts an expired access token",
			Severity: Critical,
			Cause: "GET /auth/v1/user answered 200 for a copy of the test user's access token whose exp is an hour before the " +
				"project's own time (the Date header of its sign-in answer; mfconform's clock when it sent none, which the " +
				"observation then says), so its clock does not explain it: the auth server, " +
				"or something in front of it that answers /user, does not check expiry, and a stolen token never stops working.",
			Fix:       "Run a released GoTrue/Supabase Auth version and do not put a proxy in front that answers /user itself.",
			Reference: "RFC 7519 §4.1.4; supabase/auth: /user requires a valid, unexpired JWT",
		},
		Entry{
			Code:     SupabaseJWKSKidMissing,
			Title:    "the access token's kid is not published in the project's JWKS",
			Severity: Fail,
			Cause: "The session's access token is signed with an asymmetric key (ES256/RS256) whose kid is not in " +
				"/auth/v1/.well-known/jwks.json, so no client, PostgREST or app can verify it: the signing key was " +
				"rotated in without being published, or GOTRUE_JWT_KEYS and the published JWKS (JWT_JWKS) disagree.",
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
				"with an RSA key, an alg the JWK's own alg contradicts, or a malformed key), so verifiers refuse it.",
			Fix: "Make GOTRUE_JWT_KEYS list each key with the alg it signs with (ES256 for EC P-256, RS256 for RSA) and " +
				"publish exactly those public keys.",
			Reference: "RFC 7518 §3.1; RFC 7517 §4.4 (alg)",
		},
		Entry{
			Code:     SupabaseTokenSymmetric,
			Title:    "access tokens are HS256 while the project publishes asymmetric keys",
			Severity: Info,
			Cause: "The project's JWKS publishes asymmetric signing keys, yet the session's access token is HS256 with the " +
				"legacy JWT secret: the asymmetric keys are in standby, or this Auth server was not restarted after the " +
				"switch. Such tokens verify only with the shared secret, not with the JWKS.",
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
			Fix: "Run a released Supabase Auth (GoTrue) with refresh-token rotation enabled " +
				"(GOTRUE_SECURITY_REFRESH_TOKEN_ROTATION_ENABLED=true, the default) and nothing in front of /token that " +
				"issues tokens itself.",
			Reference: "supabase/auth internal/tokens/service.go (refresh token grant: parent of the active token)",
		},
		Entry{
			Code:     SupabaseRefreshReuse,
			Title:    "an old refresh token was accepted again",
			Severity: Warn,
			Cause: "A refresh token two generations old was accepted. GoTrue accepts that only within the reuse interval " +
				"(GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL seconds after the token was revoked: 10 on Supabase's hosted " +
				"platform, 0 when unset on a self-hosted server); outside it, refresh tokens that keep working are a " +
				"replay risk. Run with --thorough to tell the two apart (it waits 11 s and reuses a fresh old token).",
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
			Fix:       "Enable refresh-token rotation (GOTRUE_SECURITY_REFRESH_TOKEN_ROTATION_ENABLED=true, the default).",
			Reference: "supabase/auth internal/tokens/service.go (revoke token family on reuse)",
		},
		Entry{
			Code:     SupabaseKeySignature,
			Title:    "the public key is not signed with the project's current JWT secret",
			Severity: Fail,
			Cause: "NEXT_PUBLIC_SUPABASE_KEY is a legacy anon JWT that does not verify with the project's JWT secret: it " +
				"was minted with a previous secret (JWT_SECRET rotated, ANON_KEY not regenerated). The gateway and Auth, " +
				"which never verify the anon key, keep working; PostgREST verifies it and answers 401 PGRST301 " +
				"(JWSError JWSInvalidSignature), so every data query fails.",
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
			Fix:       "Make sure GOTRUE_JWT_SECRET (self-hosted) is set and that nothing in front of the auth API answers for it.",
			Reference: "RFC 7515 §5.2; supabase/auth JWT verification",
		},
	)
}
