package diag

// Codes of Supabase mode's cookie session (@supabase/ssr).
const (
	SupabaseCookieSessionNotStored Code = "SUPABASE_COOKIE_SESSION_NOT_STORED"
	SupabaseCookieSigninFailed     Code = "SUPABASE_COOKIE_SIGNIN_FAILED"
	SupabaseCookieNameMismatch     Code = "SUPABASE_COOKIE_NAME_MISMATCH"
	SupabaseCookieChunkMissing     Code = "SUPABASE_COOKIE_CHUNK_MISSING"
	SupabaseCookieSessionInvalid   Code = "SUPABASE_COOKIE_SESSION_INVALID"
	SupabaseCookieHostOnly         Code = "SUPABASE_COOKIE_HOST_ONLY"
	SupabaseCookieDomainMismatch   Code = "SUPABASE_COOKIE_DOMAIN_MISMATCH"
	SupabaseCookieNotSecure        Code = "SUPABASE_COOKIE_NOT_SECURE"
	SupabaseCookieSameSiteEmbedded Code = "SUPABASE_COOKIE_SAMESITE_EMBEDDED"
	SupabaseCookieThirdParty       Code = "SUPABASE_COOKIE_THIRD_PARTY_BLOCKED"
	SupabaseCookieNotDelivered     Code = "SUPABASE_COOKIE_NOT_DELIVERED"
	SupabaseCookieStale            Code = "SUPABASE_COOKIE_STALE_AFTER_SIGNOUT"
)

// Texts the cookie entries share.
const (
	refSSRCookies  = "@supabase/ssr 0.12 dist/module/cookies.js createStorageFromOptions; utils/constants.js DEFAULT_COOKIE_OPTIONS"
	refSSRChunker  = "@supabase/ssr 0.12 dist/module/utils/chunker.js createChunks, combineChunks (MAX_CHUNK_SIZE 3180)"
	ssrOptionsHint = "createBrowserClient(url, key, { cookieOptions: { domain: \".your-domain.com\", secure: true } }) — and the very same cookieOptions in every createServerClient (middleware, route handlers, server actions)"
)

func init() { registerSupabaseCookie() }

func registerSupabaseCookie() {
	register(
		Entry{
			Code:     SupabaseCookieSessionNotStored,
			Title:    "after sign-in the session is stored nowhere",
			Severity: Fail,
			Cause: "The test user signed in, but afterwards neither an sb-<ref>-auth-token cookie (or its chunks) nor a " +
				"localStorage entry holds the session. A reload signs the user out, and no server side ever sees a session.",
			ProvenBy: "the cookie jar and localStorage after the sign-in, and the client's cookie writes with Chromium's verdicts (the observation)",
			Hypotheses: []Hypothesis{
				Maybe("Every cookie the client wrote was refused by Chromium.",
					"the observation lists the writes with Chromium's reason for each."),
				Maybe("The client was created with persistSession: false (or a storage that keeps nothing).",
					"the observation lists no write at all; search the app's code for persistSession."),
			},
			Fix: "Create the browser client with @supabase/ssr's createBrowserClient (cookies the server side can read) or " +
				"supabase-js's createClient with its default persistSession: true; fix any cookie the observation shows refused.",
			Reference: "supabase-js: auth.persistSession; " + refSSRCookies,
		},
		Entry{
			Code:     SupabaseCookieSigninFailed,
			Title:    "signing in through the app did not complete",
			Severity: Fail,
			Cause: "The sign-in that should leave the session in the browser did not complete; the observation names the " +
				"login_script step or the error of the app's own client.",
			ProvenBy: "the observed step or client error, and the screenshot of the page",
			Hypotheses: []Hypothesis{
				Maybe("A supabase.login_script step fails: a selector that does not match, a page that did not load, a cookie that never arrived.",
					"the observation names the step; run it by hand in a browser's developer tools (document.querySelector)."),
				Maybe("The app's own client refused the sign-in while mfconform's plain supabase-js sign-in worked (another project URL or key in the build).",
					"SB-BROWSER-002 passed; the observation quotes the app client's error."),
			},
			Fix: "Run the login_script steps by hand in a browser and fix the one named (selectors, the environment " +
				"variables it fills from, the wait at the end); for the app's client, read its error.",
			Reference: "mfconform: supabase.login_script",
		},
		Entry{
			Code:     SupabaseCookieNameMismatch,
			Title:    "the session cookie is named for another project URL",
			Severity: Fail,
			Cause: "@supabase/ssr names the cookie sb-<ref>-auth-token after the first label of the URL the client is built " +
				"with. The cookie in the browser is named for a different URL than NEXT_PUBLIC_SUPABASE_URL (the observation " +
				"quotes both names), so a server side built with NEXT_PUBLIC_SUPABASE_URL looks for another cookie and sees " +
				"nobody signed in.",
			ProvenBy: "the cookie names in the browser against NEXT_PUBLIC_SUPABASE_URL, in the observation",
			Hypotheses: []Hypothesis{
				Maybe("The browser client is built with another URL: a custom domain, an internal http://kong:8000 address, another project.",
					"the first label of the cookie's name is that URL's first label; search the app for createBrowserClient's first argument."),
			},
			Fix: "Build the browser client and every server client with the same project URL (or set the same " +
				"cookieOptions.name on all of them).",
			Reference: "supabase-js SupabaseClient constructor (defaultStorageKey `sb-${hostname.split('.')[0]}-auth-token`); " +
				"@supabase/ssr createBrowserClient/createServerClient (cookieOptions.name → storageKey)",
		},
		Entry{
			Code:     SupabaseCookieChunkMissing,
			Title:    "a chunk of the session cookie is missing",
			Severity: Fail,
			Cause: "A large session is split into sb-<ref>-auth-token.0, .1, …; the server side reads .0, .1, … up to the " +
				"first one absent. One chunk is not in the browser (the observation names it), so the session read back is cut " +
				"short and treated as absent.",
			ProvenBy: "the chunks in the browser and the client's writes with Chromium's verdicts, in the observation (evidence chunks)",
			Hypotheses: []Hypothesis{
				Maybe("The chunk was over Chromium's 4096-byte limit for a cookie's name and value (a writer that chunks bigger than @supabase/ssr's 3180 bytes).",
					"Chromium's reason for that write is NameValuePairExceedsMaxSize; the observation gives its size."),
				Maybe("Chromium refused the chunk for another reason.",
					"the observation quotes Chromium's reason for that write."),
				Maybe("A later write replaced only some chunks.",
					"the observation shows the chunk written and later removed or left from an older session."),
			},
			Fix: "Let @supabase/ssr write the cookies (createBrowserClient / createServerClient with getAll and setAll); a " +
				"hand-written adapter must keep every cookie's name and value under 4096 bytes and rewrite all chunks at " +
				"once. Smaller sessions help too (keep user_metadata small).",
			Reference: refSSRChunker + "; RFC 6265bis, Storage Model (a cookie's name and value together at most 4096 octets); Chromium: NameValuePairExceedsMaxSize",
		},
		Entry{
			Code:     SupabaseCookieSessionInvalid,
			Title:    "the session in the cookies does not verify",
			Severity: Fail,
			Cause: "The session cookies reassemble, but into something a server side cannot use — not base64url JSON, no " +
				"access_token, or an access token the project refuses (GET /auth/v1/user); the observation says which.",
			ProvenBy: "the reassembled cookie value and the project's answer to GET /auth/v1/user, in the observation",
			Hypotheses: []Hypothesis{
				Maybe("Two clients write the session with different cookieEncoding settings.",
					"the value starts with base64- in one place and with {\"access_token\" in another."),
				Maybe("The session expired or was revoked before it was read.",
					"the project's answer is 401 with an expired or revoked session; signing in again fixes it."),
			},
			Fix: "Make every client write the session through @supabase/ssr with the same cookieEncoding, and check the " +
				"project's answer in the observation (an expired or revoked session signs in again).",
			Reference: "@supabase/ssr 0.12 dist/module/cookies.js decodeChunkedCookieValue; Supabase Auth GET /auth/v1/user",
		},
		Entry{
			Code:     SupabaseCookieHostOnly,
			Title:    "the session cookies are host-only: sibling hosts never see the session",
			Severity: Fail,
			Cause: "The session cookies have no Domain attribute, so the browser keeps them for the app's exact host. The " +
				"server side on a sibling host (api.<domain>, another subdomain's middleware) never receives them: signed " +
				"in on app., signed out on api.",
			ProvenBy: "the client's cookie writes and the stored cookies (the observation)",
			Hypotheses: []Hypothesis{
				Maybe("@supabase/ssr's default: it writes no Domain unless cookieOptions.domain is given.",
					"search the app for createBrowserClient / createServerClient: no cookieOptions.domain."),
			},
			Fix:       "Pass the shared parent domain: " + ssrOptionsHint + ".",
			Reference: refSSRCookies + "; RFC 6265bis, Storage Model (no Domain attribute: the host-only-flag)",
		},
		Entry{
			Code:     SupabaseCookieDomainMismatch,
			Title:    "the session cookies' Domain does not cover every host that must share the session",
			Severity: Fail,
			Cause: "The cookies carry a Domain attribute, but one of the hosts that must read the session (--session-host) " +
				"is not inside it, so the browser never sends them there; the observation names the host and the Domain.",
			ProvenBy:  "the stored cookies' Domain against the --session-host hosts, in the observation",
			Fix:       "Set cookieOptions.domain to the parent domain all those hosts share, e.g. " + ssrOptionsHint + ".",
			Reference: refSSRCookies + "; RFC 6265bis, Domain Matching",
		},
		Entry{
			Code:  SupabaseCookieNotSecure,
			Title: "the session cookies are not Secure",
			// A warning, not a failure: it is @supabase/ssr's own default
			// and the session works; the risk is its travel over plain
			// http, which the operator should close.
			Severity: Warn,
			Cause: "The session cookies have no Secure attribute, so on an https app the session cookies — with a refresh " +
				"token that lasts as long as the session — are also sent over plain http to every host under their Domain.",
			ProvenBy: "the client's cookie writes (the observation)",
			Hypotheses: []Hypothesis{
				Maybe("@supabase/ssr's default cookie options, which have no secure flag.",
					"search the app for cookieOptions: no secure: true."),
			},
			Fix:       "Pass cookieOptions.secure: true (" + ssrOptionsHint + ") and serve every host that reads the session over https.",
			Reference: refSSRCookies + "; RFC 6265bis, The Secure Attribute",
		},
		Entry{
			Code:     SupabaseCookieSameSiteEmbedded,
			Title:    "the app is embedded on another site but its session cookies are not SameSite=None",
			Severity: Fail,
			Cause: "The session cookies are not SameSite=None. Inside an iframe on another site — and on that page's " +
				"credentialed requests — Chromium withholds Lax (and Strict) cookies (SchemefulSameSiteLax), so the embedded " +
				"app and its server side see no session.",
			ProvenBy: "the client's cookie writes and Chromium's verdicts on the cross-site iframe and fetch, in the observation",
			Hypotheses: []Hypothesis{
				Maybe("@supabase/ssr's default SameSite=Lax.",
					"search the app for cookieOptions: no sameSite: \"none\"."),
			},
			Fix: "When the app is embedded cross-site, pass cookieOptions: { sameSite: \"none\", secure: true } (and the " +
				"domain) in the browser and every server client; otherwise, do not embed it.",
			Reference: refSSRCookies + "; RFC 6265bis, The SameSite Attribute; Chromium: SchemefulSameSiteLax",
		},
		Entry{
			Code:     SupabaseCookieThirdParty,
			Title:    "the browser blocks the embedded app's cookies as third-party cookies",
			Severity: Warn,
			Cause: "The session cookies are SameSite=None and Secure, yet this browser withholds them inside the other " +
				"site's iframe because it blocks third-party cookies (a setting: Safari, Firefox strict, incognito, " +
				"Chromium's own default here), so an embedded app is signed out for those users.",
			ProvenBy: "Chromium's verdicts on the cross-site iframe and fetch (UserPreferences, ThirdPartyPhaseout), in the observation",
			Fix: "Nothing in the deployment can force third-party cookies; use Partitioned (CHIPS) cookies or the " +
				"Storage Access API in the embedded app, or open the app top-level for those browsers.",
			Reference: "Chromium: third-party cookie blocking (UserPreferences, ThirdPartyPhaseout); CHIPS",
		},
		Entry{
			Code:     SupabaseCookieNotDelivered,
			Title:    "the session does not reach the server host on navigation",
			Severity: Fail,
			Cause: "On a top-level navigation to the server side — the app's own (supabase.server_check) or mfconform's " +
				"stand-in on a sibling host — or on another site's iframe and fetch of the embedded app, Chromium did not " +
				"send every session cookie, or the server side could not read a signed-in user from what arrived; the " +
				"observation gives Chromium's reasons or the server's answer.",
			ProvenBy: "Chromium's verdicts on the navigation (or the embedded requests) and the server side's answer, in the observation",
			Hypotheses: []Hypothesis{
				Maybe("A cookieOptions.path the server's paths are not under.",
					"Chromium's reason is NotOnPath."),
				Maybe("A host the cookies' Domain does not cover.",
					"Chromium's reason is DomainMismatch."),
				Maybe("The server host is served over http.",
					"Chromium's reason is SecureOnly."),
			},
			Fix: "Keep cookieOptions.path at / (or a path every server route is under) and serve the server host over " +
				"https; compare the server's reason in the observation.",
			Reference: refSSRCookies + "; RFC 6265bis, Retrieval Algorithm (path-match, secure-only); Chromium: NotOnPath",
		},
		Entry{
			Code:     SupabaseCookieStale,
			Title:    "sign-out leaves session cookies behind",
			Severity: Fail,
			Cause: "After sign-out some sb-<ref>-auth-token cookies are still in the browser (the observation names them): a " +
				"cookie is only removed by a write with the same name, Domain and Path, and a clear with another scope is " +
				"silently ignored, so the browser keeps sending them to every host their Domain and Path cover.",
			ProvenBy: "the cookie jar after the sign-out, and the client's writes during it, in the observation",
			Hypotheses: []Hypothesis{
				Maybe("The sign-out ran through a client whose cookieOptions differ (no Domain, another Path) from the ones that set them.",
					"the observation shows the sign-out's clearing writes with another Domain or Path than the cookies left."),
				Maybe("The sign-out failed half-way.",
					"the observation shows no clearing write for some chunks, or the sign-out's error."),
			},
			Fix: "Sign out through a client built with exactly the cookieOptions used at sign-in; to clean up cookies " +
				"left at an old scope, call @supabase/ssr's clearAuthCookiesAtScopes({ getAll, setAll, storageKey, scopes: " +
				"[{ domain: \".old-domain.com\" }] }).",
			Reference: "@supabase/ssr 0.12 dist/module/cookies.js removeItem; dist/module/clearAuthCookiesAtScopes.js; RFC 6265bis, Storage Model (an existing cookie is replaced only by one with the same name, domain and path)",
		},
	)
}
