package diag

import (
	"strings"
	"testing"
)

// documentedCodes is every code listed in docs/diagnostics.md (kept here so
// the test needs no file outside the repository), followed by the codes
// mfconform added.
var documentedCodes = strings.Fields(`
	COOKIE_NOT_SET COOKIE_HOST_ONLY COOKIE_DOMAIN_INVALID COOKIE_DOMAINS_UNRELATED
	COOKIE_NOT_SECURE COOKIE_SAMESITE_NONE_INSECURE COOKIE_SAMESITE_NOT_NONE
	COOKIE_NOT_HTTPONLY COOKIE_PATH_RESTRICTED COOKIE_EXPIRED_ON_ARRIVAL
	COOKIE_TOO_LARGE COOKIE_INSECURE_ORIGIN COOKIE_THIRD_PARTY_BLOCKED

	TOKEN_MALFORMED TOKEN_ALG_NOT_HS256 TOKEN_SIGNATURE_MISMATCH
	TOKEN_SECRET_WHITESPACE TOKEN_SECRET_ENCODING TOKEN_EXPIRED
	TOKEN_EXP_MILLISECONDS TOKEN_EXP_MISSING TOKEN_EXP_NOT_NUMERIC
	TOKEN_LIFETIME_LONG TOKEN_CLOCK_SKEW TOKEN_USER_ID_MISSING
	TOKEN_USER_ID_NOT_STRING TOKEN_CLAIM_TYPE TOKEN_EMAIL_INVALID SECRET_WEAK

	APP_REJECTS_VALID_TOKEN APP_IDENTITY_MISMATCH APP_ACCEPTS_EXPIRED
	APP_ACCEPTS_BAD_SIGNATURE APP_ACCEPTS_ALG_NONE APP_ACCEPTS_OTHER_ALG
	APP_ACCEPTS_MISSING_CLAIM APP_REJECTS_FRACTIONAL_EXP APP_SERVER_ERROR
	APP_UNREACHABLE

	SUPABASE_URL_MISSING SUPABASE_KEY_MISSING SUPABASE_URL_INVALID
	SUPABASE_URL_UNREACHABLE SUPABASE_KEY_MALFORMED SUPABASE_KEY_SERVICE_ROLE
	SUPABASE_KEY_SECRET SUPABASE_KEY_PROJECT_MISMATCH SUPABASE_KEY_EXPIRED
	SUPABASE_KEY_REJECTED SUPABASE_CORS_BLOCKED SUPABASE_SIGNIN_FAILED
	SUPABASE_SESSION_CLAIMS SUPABASE_SESSION_SIGNATURE SUPABASE_REFRESH_FAILED
	SUPABASE_CLOCK_SKEW

	COOKIE_NOT_STORED APP_PROBE_FAILED SETUP_FAILED
	COOKIE_DUPLICATE COOKIE_PARTITIONED TOKEN_EXP_TIMEZONE
	SUPABASE_REDIRECTS
	TOKEN_EXP_MICROSECONDS TOKEN_EXP_NANOSECONDS TOKEN_VALUE_QUOTED APP_PROBE_NO_IDENTITY
`)

func TestCatalogueHasEveryDocumentedCode(t *testing.T) {
	for _, c := range documentedCodes {
		if _, ok := Lookup(Code(c)); !ok {
			t.Errorf("Lookup(%s) ok = false, want true", c)
		}
	}
}

func TestCatalogueEntriesComplete(t *testing.T) {
	valid := map[Severity]bool{Critical: true, Fail: true, Warn: true, Info: true}
	for _, e := range All() {
		if e.Title == "" || e.Cause == "" || e.Fix == "" || e.Reference == "" {
			t.Errorf("%s: Title/Cause/Fix/Reference empty: %+v", e.Code, e)
		}
		if !valid[e.Severity] {
			t.Errorf("%s: Severity = %q, want one of critical/fail/warn/info", e.Code, e.Severity)
		}
		if strings.ToUpper(string(e.Code)) != string(e.Code) || strings.ContainsAny(string(e.Code), " -") {
			t.Errorf("%s: code is not UPPER_SNAKE_CASE", e.Code)
		}
	}
}

func TestCatalogueSeverities(t *testing.T) {
	tests := []struct {
		code Code
		want Severity
	}{
		{TokenLifetimeLong, Warn},
		{TokenEmailInvalid, Warn},
		{CookieThirdPartyBlocked, Warn},
		{AppAcceptsAlgNone, Critical},
		{AppAcceptsBadSignature, Critical},
		{SupabaseKeyServiceRole, Critical},
		{SupabaseKeySecret, Critical},
		{SetupFailed, Critical},
		{CookieHostOnly, Fail},
		{TokenSignatureMismatch, Fail},
		{CookieNotStored, Fail},
		{AppProbeFailed, Fail},
	}
	for _, tt := range tests {
		e, _ := Lookup(tt.code)
		if e.Severity != tt.want {
			t.Errorf("Lookup(%s).Severity = %q, want %q", tt.code, e.Severity, tt.want)
		}
	}
}

func TestCatalogueKeyTexts(t *testing.T) {
	tests := []struct {
		name  string
		code  Code
		field func(Entry) string
		want  []string
	}{
		{"host-only fix names Domain", CookieHostOnly, func(e Entry) string { return e.Fix }, []string{"Domain=.your-domain.com", "Set-Cookie: mf_jwt_token=<token>"}},
		{"lax cause: what works and what breaks", CookieSameSiteNotNone, func(e Entry) string { return e.Cause },
			[]string{"login.acme.test", "app.acme.test", "top-level navigation", "iframe", "fetch"}},
		{"signature fix: same key, fingerprints", TokenSignatureMismatch, func(e Entry) string { return e.Fix }, []string{"AUTH_SECRET_KEY", "fingerprint"}},
		{"app rejects fix: same key, fingerprints", AppRejectsValidToken, func(e Entry) string { return e.Fix }, []string{"AUTH_SECRET_KEY", "fingerprint"}},
		// C1: the fix claims only what mfconform prints — the fingerprint
		// of the key it was given, never one per side.
		{"same-key fix claims one printed fingerprint", TokenSignatureMismatch, func(e Entry) string { return e.Fix },
			[]string{"fingerprint of the key it was given", "sha256sum", "sees neither side's key"}},
		// C3/A3: a probe path that does not say who is signed in names the
		// flags that fix it.
		{"no-identity fix names the probe flags", AppProbeNoIdentity, func(e Entry) string { return e.Fix },
			[]string{"--probe-path", "--user-id-field", "--authenticated-status"}},
		// C6: the default-path is the set-cookie response's, not the login URL's.
		{"default-path from the URL that set the cookie", CookiePathRestricted, func(e Entry) string { return e.Cause },
			[]string{"URL whose response set the cookie", "/auth/callback/done", "not the URL the login started at"}},
		// C7: the title is true for every 5xx.
		{"server error title: any 5xx", AppServerError, func(e Entry) string { return e.Title }, []string{"server error (5xx)"}},
		{"3pc fix: same-site or CHIPS", CookieThirdPartyBlocked, func(e Entry) string { return e.Fix }, []string{"same registrable domain", "Partitioned"}},
		{"weak key cites RFC 7518", SecretWeak, func(e Entry) string { return e.Reference }, []string{"RFC 7518 §3.2"}},
		{"3pc fix: Partitioned does not help a top-level cookie", CookieThirdPartyBlocked, func(e Entry) string { return e.Fix }, []string{"does not help", "COOKIE_PARTITIONED"}},
		{"duplicate fix: same Domain and Path", CookieDuplicate, func(e Entry) string { return e.Fix }, []string{"same Domain and Path", "Max-Age=0"}},
		{"partitioned fix: drop the attribute", CookiePartitioned, func(e Entry) string { return e.Fix }, []string{"Drop the Partitioned attribute"}},
		{"timezone fix: aware UTC or epoch seconds", TokenExpTimezone, func(e Entry) string { return e.Fix }, []string{"datetime.now(timezone.utc)", "int(time.time()) + 3600"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := Lookup(tt.code)
			got := tt.field(e)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("%s text = %q, want it to contain %q", tt.code, got, w)
				}
			}
		})
	}
}

func TestNewStringCarriesEverything(t *testing.T) {
	d := New(CookieHostOnly, "Domain=.acme.test so app.acme.test receives the cookie", "Set-Cookie without Domain")
	s := d.String()
	e, _ := Lookup(CookieHostOnly)
	for _, w := range []string{"COOKIE_HOST_ONLY", "(fail)", e.Title, "Domain=.acme.test so app.acme.test", "Set-Cookie without Domain", e.Fix[:40], "see:"} {
		if !strings.Contains(s, w) {
			t.Errorf("New(...).String() = %q, want it to contain %q", s, w)
		}
	}
}

// TestNotStoredNamesOnlyItsOwnReasons: COOKIE_NOT_STORED covers the
// reasons no more specific code owns, so its examples never name one
// that another code reports (issue 22, C9).
func TestNotStoredNamesOnlyItsOwnReasons(t *testing.T) {
	e, _ := Lookup(CookieNotStored)
	owned := map[string]Code{
		"InvalidDomain": CookieDomainInvalid, "SecureOnly": CookieInsecureOrigin,
		"SameSiteNoneInsecure": CookieSameSiteNoneInsecure, "NameValuePairExceedsMaxSize": CookieTooLarge,
	}
	for reason, code := range owned {
		if strings.Contains(e.Cause+e.Fix, reason) {
			t.Errorf("COOKIE_NOT_STORED names %s, which %s reports", reason, code)
		}
	}
}
