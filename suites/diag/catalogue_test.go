package diag

import (
	"regexp"
	"strings"
	"testing"

	"github.com/mfconform/mfconform/suites/result"
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
	SUPABASE_REDIRECTS LOGIN_SCRIPT_FAILED
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
		if e.Title == "" || e.Fix == "" || e.Reference == "" {
			t.Errorf("%s: Title/Fix/Reference empty: %+v", e.Code, e)
		}
		if !valid[e.Severity] {
			t.Errorf("%s: Severity = %q, want one of critical/fail/warn/info", e.Code, e.Severity)
		}
		if strings.ToUpper(string(e.Code)) != string(e.Code) || strings.ContainsAny(string(e.Code), " -") {
			t.Errorf("%s: code is not UPPER_SNAKE_CASE", e.Code)
		}
	}
}

// guessWords are words that make a sentence a guess: they belong in a
// hypothesis, never in a proven cause.
var guessWords = regexp.MustCompile(`(?i)\b(usually|likely|probably|perhaps|possibly|presumably|often|typically|typical|commonly|maybe|might)\b`)

// TestCatalogueCausesAreFactsOrHypotheses classifies every entry's cause:
// a proven cause names the evidence that proves it and holds no guess;
// what the evidence does not prove is a ranked hypothesis, each saying how
// to tell it from the others; every entry has one or the other.
func TestCatalogueCausesAreFactsOrHypotheses(t *testing.T) {
	proven, guessed := 0, 0
	for _, e := range All() {
		switch {
		case e.Cause == "" && len(e.Hypotheses) == 0:
			t.Errorf("%s: neither a proven cause nor hypotheses", e.Code)
		case e.Cause != "" && e.ProvenBy == "":
			t.Errorf("%s: a cause stated as fact without the evidence that proves it: %q", e.Code, e.Cause)
		case e.Cause == "" && e.ProvenBy != "":
			t.Errorf("%s: proof of no cause: %q", e.Code, e.ProvenBy)
		}
		if m := guessWords.FindString(e.Cause); m != "" {
			t.Errorf("%s: the proven cause guesses (%q): %q — make it a hypothesis", e.Code, m, e.Cause)
		}
		for i, h := range e.Hypotheses {
			if h.Cause == "" || h.Tell == "" {
				t.Errorf("%s: hypothesis %d lacks its cause or how to tell it: %+v", e.Code, i+1, h)
			}
		}
		if e.Cause != "" {
			proven++
		}
		if len(e.Hypotheses) > 0 {
			guessed++
		}
	}
	if proven < 40 || guessed < 30 {
		t.Errorf("%d entries with a proven cause, %d with hypotheses: want the catalogue classified (≥40, ≥30)", proven, guessed)
	}
}

// TestTimezoneTrapIsAHypothesisOfExpiry: TOKEN_EXPIRED ranks the
// naive-datetime trap first among its hypotheses and states no zone as a
// fact; TOKEN_EXP_TIMEZONE, the fact, says what pins it.
func TestTimezoneTrapIsAHypothesisOfExpiry(t *testing.T) {
	e, _ := Lookup(TokenExpired)
	if len(e.Hypotheses) == 0 || !strings.Contains(e.Hypotheses[0].Cause, "naive-datetime") || !strings.Contains(e.Hypotheses[0].Tell, "date +%z") {
		t.Errorf("TOKEN_EXPIRED hypotheses = %+v, want the naive-datetime trap first with date +%%z to tell it", e.Hypotheses)
	}
	if strings.Contains(e.Cause, "UTC+") || strings.Contains(e.Cause, "zone") {
		t.Errorf("TOKEN_EXPIRED states a zone as fact: %q", e.Cause)
	}
	z, _ := Lookup(TokenExpTimezone)
	for _, w := range []string{"iat", "Date header", "--backend-timezone"} {
		if !strings.Contains(z.ProvenBy, w) {
			t.Errorf("TOKEN_EXP_TIMEZONE proven by %q, want it to name %q", z.ProvenBy, w)
		}
	}
}

// TestNewCarriesTheCause: a finding carries its entry's proven cause,
// proof and hypotheses; Proven keeps the hypotheses, Settled drops them,
// Likely replaces them, and the hypotheses render under their label.
func TestNewCarriesTheCause(t *testing.T) {
	d := New(TokenExpired, "exp after now", "expired 1h ago")
	e, _ := Lookup(TokenExpired)
	if d.Cause != e.Cause || d.ProvenBy != e.ProvenBy || len(d.Hypotheses) != len(e.Hypotheses) {
		t.Fatalf("New(TOKEN_EXPIRED) = %+v, want the entry's cause, proof and hypotheses", d)
	}
	d.Hypotheses[0].Cause = "changed"
	if e2, _ := Lookup(TokenExpired); e2.Hypotheses[0].Cause == "changed" {
		t.Fatal("a finding's hypotheses share the catalogue's")
	}
	if p := d.Proven("it is so", "the observation"); p.Cause != "it is so" || len(p.Hypotheses) != len(e.Hypotheses) {
		t.Errorf("Proven() = %+v, want the new cause and the hypotheses kept", p)
	}
	if s := d.Settled("it is so", "the observation"); len(s.Hypotheses) != 0 || s.ProvenBy != "the observation" {
		t.Errorf("Settled() = %+v, want no hypotheses", s)
	}
	l := d.Likely(Maybe("a", "tell a"))
	if len(l.Hypotheses) != 1 || l.Cause != e.Cause {
		t.Errorf("Likely() = %+v, want one hypothesis and the cause kept", l)
	}
	text := l.String()
	for _, w := range []string{"cause:    " + e.Cause[:20], "(proven by: " + e.ProvenBy, "likely cause (not proven):\n    1. a\n       to tell: tell a"} {
		if !strings.Contains(text, w) {
			t.Errorf("String() lacks %q:\n%s", w, text)
		}
	}
	if u := l.Unproven(); u.Cause != "" || u.ProvenBy != "" || len(u.Hypotheses) != 1 {
		t.Errorf("Unproven() = %+v, want the hypotheses alone", u)
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
		{"signature fix: same key, the one fingerprint printed", TokenSignatureMismatch, func(e Entry) string { return e.Fix }, []string{"AUTH_SECRET_KEY", "fingerprint of the one key it is given", "mfconform config check", "sha256sum"}},
		{"app rejects fix: same key, fingerprints", AppRejectsValidToken, func(e Entry) string { return e.Fix }, []string{"AUTH_SECRET_KEY", "fingerprint"}},
		// C1: the fix claims only what mfconform prints — the fingerprint
		// of the key it was given, never one per side.
		{"same-key fix claims one printed fingerprint", TokenSignatureMismatch, func(e Entry) string { return e.Fix },
			[]string{"fingerprint of the one key it is given", "sha256sum", "sees neither side's key"}},
		// C3/A3: a probe path that does not say who is signed in names the
		// flags that fix it.
		{"no-identity fix names the probe flags", AppProbeNoIdentity, func(e Entry) string { return e.Fix },
			[]string{"--probe-path", "--user-id-field", "--authenticated-status"}},
		// C6: the default-path is the set-cookie response's, not the login URL's.
		{"default-path from the URL that set the cookie", CookiePathRestricted, func(e Entry) string { return e.Cause },
			[]string{"URL whose response set the cookie", "/auth/callback/done", "not the URL the login started at"}},
		// C7: the title is true for every 5xx.
		{"server error title: any 5xx", AppServerError, func(e Entry) string { return e.Title }, []string{"server error (5xx)"}},
		{"signature: which side, how to tell", TokenSignatureMismatch, func(e Entry) string { return e.Hypotheses[0].Tell }, []string{string(result.JWTApp001), "backend is the side to fix"}},
		{"script failure: the step and the screenshot", LoginScriptFailed, func(e Entry) string { return e.Cause + e.ProvenBy }, []string{"step", "screenshot"}},
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
