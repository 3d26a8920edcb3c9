package sbcheck

import (
	"slices"
	"testing"
	"time"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	"github.com/mfconform/mfconform/suites/redact"
)

// testSecret is the JWT secret the test keys and tokens are signed with.
const testSecret = "sbcheck-test-jwt-secret-7d1e0c9b4a3f4e2d8c6b5a4f3e2d1c0b"

// testRef is a project ref of the usual shape: 20 lower-case letters.
const testRef = "abcdefghijklmnopqrst"

// otherRef is a second project's ref.
const otherRef = "zyxwvutsrqponmlkjihg"

// testURL is the project URL for testRef.
const testURL = "https://" + testRef + ".supabase.co"

// testNow is the fixed "now" of the tests.
var testNow = time.Date(2026, 11, 26, 4, 12, 0, 0, time.UTC)

// New-style keys: sb_publishable_ / sb_secret_ + 22 chars + "_" + 8 checksum chars.
const (
	testPublishable = "sb_publishable_" + "Ab3dEfGh1jKlMn0pQrStUv" + "_" + "1a2b3c4d"
	testSecretKey   = "sb_secret_" + "Zy9xWvUt8sRqPo7nMlKj6h" + "_" + "9f8e7d6c"
)

// codes lists the codes of ds in order (empty, never nil).
func codes(ds []diag.Diagnostic) []diag.Code {
	out := []diag.Code{}
	for _, d := range ds {
		out = append(out, d.Code)
	}
	return out
}

// sameCodes compares the codes of got with want, treating nil as empty.
func sameCodes(got []diag.Diagnostic, want []diag.Code) bool {
	if want == nil {
		want = []diag.Code{}
	}
	return slices.Equal(codes(got), want)
}

// mint signs claims with HS256 under testSecret or fails the test.
func mint(t *testing.T, claims map[string]any) string {
	t.Helper()
	tok, err := jwtcheck.Mint("HS256", []byte(testSecret), claims)
	if err != nil {
		t.Fatalf("Mint(HS256) error = %v", err)
	}
	return tok
}

// mustParse parses a token the test minted.
func mustParse(t *testing.T, tok string) *jwtcheck.Parsed {
	t.Helper()
	p, ds := jwtcheck.Parse(tok)
	if p == nil {
		t.Fatalf("Parse(%s) failed: %v", redact.Token(tok), ds)
	}
	return p
}

// legacyClaims are the claims of a hosted legacy key for ref with role,
// issued at testNow and valid for ten years.
func legacyClaims(ref, role string) map[string]any {
	c := map[string]any{
		"iss":  "supabase",
		"role": role,
		"iat":  testNow.Unix(),
		"exp":  testNow.AddDate(10, 0, 0).Unix(),
	}
	if ref != "" {
		c["ref"] = ref
	}
	return c
}

// legacyKey mints a hosted legacy key for ref with role.
func legacyKey(t *testing.T, ref, role string) string {
	t.Helper()
	return mint(t, legacyClaims(ref, role))
}

// demoKey mints a self-hosted demo key: iss supabase-demo, no ref.
func demoKey(t *testing.T, role string) string {
	t.Helper()
	return mint(t, map[string]any{
		"iss":  "supabase-demo",
		"role": role,
		"iat":  testNow.Unix(),
		"exp":  testNow.AddDate(5, 0, 0).Unix(),
	})
}

// readKey runs ReadKey on a key the test expects to be well-formed.
func readKey(t *testing.T, raw string) KeyInfo {
	t.Helper()
	k, ds := ReadKey(raw)
	if len(ds) != 0 {
		t.Fatalf("ReadKey(%s) codes = %v, want none", redact.Prefix(raw), codes(ds))
	}
	return k
}

// timePtr returns a pointer to t.
func timePtr(t time.Time) *time.Time { return &t }
