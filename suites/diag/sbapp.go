package diag

// Codes of Supabase mode about the operator's own app and inputs: its
// server side (supabase.server_check), its sign-in script, the cookie
// options of a top-level app, the JWT secret given to mfconform, and
// answers of the project that judge nothing (a rate limit, a server
// error).
const (
	SupabaseServerNotSignedIn      Code = "SUPABASE_SERVER_NOT_SIGNED_IN"
	SupabaseLoginScriptStepFailed  Code = "SUPABASE_LOGIN_SCRIPT_STEP_FAILED"
	SupabaseCookieSameSiteTopLevel Code = "SUPABASE_COOKIE_SAMESITE_TOP_LEVEL"
	SupabaseJWTSecretMismatch      Code = "SUPABASE_JWT_SECRET_MISMATCH"
	SupabaseRateLimited            Code = "SUPABASE_RATE_LIMITED"
	SupabaseAuthServerError        Code = "SUPABASE_AUTH_SERVER_ERROR"
	SupabaseRefreshParentRefused   Code = "SUPABASE_REFRESH_PARENT_REFUSED"
)

func init() { registerSupabaseApp() }

func registerSupabaseApp() {
	register(
		Entry{
			Code:     SupabaseServerNotSignedIn,
			Title:    "the app's server side does not see the signed-in user",
			Severity: Fail,
			Cause: "After the app's own sign-in, a top-level navigation to the app's server-side page (supabase.server_check) " +
				"carried the session cookies, yet the page answered as for a signed-out visitor — a refusal (401, 403), a " +
				"redirect to the sign-in page — or named another user. The observation lists the cookies sent (names and " +
				"sizes, never values) and the answer; the finding's cause says what the evidence proves and ranks what it " +
				"leaves open, each with how to tell. Users see the same: signed in in the browser, signed out on every " +
				"server-rendered page.",
			ProvenBy: "the cookies Chromium sent on the navigation and the page's answer, in the observation",
			Fix: "Build every createServerClient (middleware, route handlers, server actions) with the same project URL as " +
				"the browser client — the cookie is named sb-<first label of that URL>-auth-token — and the same " +
				"cookieOptions; then compare the names your server reads (cookies().getAll()) with the ones the " +
				"observation lists.",
			Reference: "@supabase/ssr 0.12 dist/module/createServerClient.js and cookies.js createStorageFromOptions (getItem: " +
				"combineChunks, decodeChunkedCookieValue); supabase-js SupabaseClient constructor (defaultStorageKey)",
		},
		Entry{
			Code:     SupabaseLoginScriptStepFailed,
			Title:    "a login_script step failed after the app had stored the session",
			Severity: Warn,
			Cause: "The app stored the session (the sign-in itself succeeded: the evidence shows the session cookies or " +
				"localStorage entry), but a later step of supabase.login_script did not complete.",
			ProvenBy: "the stored session (evidence) and the step's error with its screenshot",
			Hypotheses: []Hypothesis{
				Maybe("The signed-in page did not appear: its server side sent the browser back to the sign-in page.",
					"the screenshot shows the sign-in page; SB-COOKIE-007 with supabase.server_check tells whether the server side reads the session."),
				Maybe("The step's selector does not match the signed-in page.",
					"the screenshot shows the signed-in page."),
			},
			Fix: "Look at the screenshot: if it shows the sign-in page again, follow SB-COOKIE-007 (set supabase.server_check " +
				"to a page of your server side that reads the session, if it is not set); if it shows the signed-in page, fix " +
				"the step's selector.",
			Reference: "mfconform: supabase.login_script; sign-in judged from the stored session",
		},
		Entry{
			Code:     SupabaseCookieSameSiteTopLevel,
			Title:    "the session cookies' SameSite does not suit an app used top-level",
			Severity: Warn,
			Cause: "The app is not declared embedded (supabase.embedded), and its session cookies are SameSite=None: every " +
				"request another site's page makes to a host under their Domain carries the session (with its refresh " +
				"token), which a top-level app never needs — @supabase/ssr's own default, Lax, already sends them on a " +
				"top-level navigation from anywhere. (SameSite=Strict is reported as information only: fine for a " +
				"top-level app, except that the first navigation back from another site — an email link, an OAuth " +
				"provider — arrives without the session.) If the app is in fact embedded in another site, None is right " +
				"and supabase.embedded: true tells mfconform so.",
			ProvenBy: "the session cookies' SameSite attribute in the cookie jar, and the configuration (supabase.embedded not set)",
			Fix: "For a top-level app keep @supabase/ssr's default cookieOptions.sameSite (\"lax\") in the browser and every " +
				"server client; if the app is embedded in another site, set supabase.embedded: true in mfconform's " +
				"configuration instead.",
			Reference: "RFC 6265bis, The SameSite Attribute (\"Lax\" enforcement, top-level navigations); @supabase/ssr 0.12 " +
				"utils/constants.js DEFAULT_COOKIE_OPTIONS",
		},
		Entry{
			Code:     SupabaseJWTSecretMismatch,
			Title:    "SUPABASE_JWT_SECRET is not the secret the project signs with",
			Severity: Fail,
			Cause: "The project's own access token — issued to the test user by its Auth server moments before, HS256 — does " +
				"not verify with the SUPABASE_JWT_SECRET given to mfconform. The token is the project's by construction, so " +
				"the secret given is not the one its Auth server signs with. mfconform prints one fingerprint: that of the " +
				"value it was given; it cannot see the project's secret. Until the secret is right, nothing signed or " +
				"checked with it says anything about the project: the key's signature (SB-KEY-006) and the expiry probe " +
				"(SB-SESSION-004) are blocked by this finding.",
			ProvenBy: "the signature check of the project's own access token with the given secret, in the observation",
			Hypotheses: []Hypothesis{
				Maybe("A value copied from another project, or kept from before the secret was rotated.",
					"compare its fingerprint with the project's current secret (Settings → API → JWT Settings), as the fix shows."),
				Maybe("Self-hosted: the JWT_SECRET of the .env, while the auth container runs with another GOTRUE_JWT_SECRET.",
					"docker compose config shows the auth container's GOTRUE_JWT_SECRET; compare the two fingerprints."),
			},
			Fix: "Set SUPABASE_JWT_SECRET to the project's current JWT secret (Supabase → Settings → API → JWT Settings; " +
				"self-hosted: the auth container's GOTRUE_JWT_SECRET). To compare a candidate without printing it: " +
				"printf %s \"$CANDIDATE\" | sha256sum — its first 8 hex digits equal the fingerprint mfconform shows when " +
				"it is the value mfconform was given.",
			Reference: "RFC 7515 §5.2; Supabase Auth: GOTRUE_JWT_SECRET signs HS256 access tokens",
		},
		Entry{
			Code:        SupabaseRateLimited,
			Environment: true,
			Title:       "the project rate-limited mfconform's requests",
			Severity:    Fail,
			Cause: "The project answered 429 (Too Many Requests) where the spec needed its verdict on a request — a refusal " +
				"or an acceptance. A rate limit is neither: what the spec checks was not judged. Supabase Auth limits " +
				"token grants, sign-ins and verifications per IP address.",
			ProvenBy: "the 429 answer, in the observation",
			Hypotheses: []Hypothesis{
				Maybe("Several runs (or a batch) against one project in a short time reached the limits.",
					"run again alone after a minute: the answer is then the project's verdict."),
			},
			Fix: "Run again later, or with fewer runs against the project at once (--concurrency 1 for a batch); a " +
				"self-hosted project's limits are GOTRUE_RATE_LIMIT_* (Supabase: Authentication → Rate Limits).",
			Reference: "RFC 6585 §4 (429 Too Many Requests); Supabase Auth rate limits",
		},
		Entry{
			Code:     SupabaseAuthServerError,
			Title:    "the auth API failed with a server error where it should refuse",
			Severity: Fail,
			Cause: "A request the auth API must refuse (an expired or forged access token, a used refresh token) was " +
				"answered with a 5xx server error instead of GoTrue's 4xx refusal. That is no verdict about the token, and " +
				"clients that retry 5xx answers keep retrying a request that can never succeed.",
			ProvenBy: "the 5xx answer, in the observation",
			Hypotheses: []Hypothesis{
				Maybe("The Auth server failed on the request.",
					"the auth container's log for the request's time."),
				Maybe("A proxy in front of it failed (a gateway error page, 502/503/504).",
					"the answer's body and Server header are the proxy's, not GoTrue's JSON error."),
			},
			Fix: "Read the auth server's and the proxy's logs for the request's time; a released Supabase Auth answers " +
				"these with 400 or 403 and an error code.",
			Reference: "supabase/auth internal/api/errors.go (bad_jwt, refresh_token_already_used); RFC 9110 §15.6",
		},
		Entry{
			Code:     SupabaseRefreshParentRefused,
			Title:    "reusing the parent of the active refresh token is refused",
			Severity: Warn,
			Cause: "Refreshing with a token whose successor is still the session's active one was refused. Supabase Auth " +
				"always allows that reuse and answers with the active token again (internal/tokens/service.go: \"the client " +
				"was not able to store the result when it refreshed\"; algorithm v2: cause fail-to-save), because clients " +
				"do lose refresh answers — a closed tab, a dropped connection, two tabs refreshing at once. Refusing it " +
				"signs those users out.",
			ProvenBy:  "the refusal of the parent's reuse while its successor was active, in the observation",
			Fix:       "Run a released Supabase Auth without anything in front of /token that answers refresh grants itself.",
			Reference: "supabase/auth internal/tokens/service.go (refresh token grant: the parent of the active token)",
		},
	)
}
