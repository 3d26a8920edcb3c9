package jwtcheck

import (
	"crypto/hmac"
	"crypto/sha256"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/redact"
)

// testSecret is a strong-looking key used across the tests.
const testSecret = "mfconform-test-key-4f1c9a0b7e2d44c8a1f3e5b6d7c8e9f0"

// testNow is the fixed "now" of the tests.
var testNow = time.Date(2026, 11, 26, 4, 12, 0, 0, time.UTC)

// codes lists the codes of ds in order.
func codes(ds []diag.Diagnostic) []diag.Code {
	out := []diag.Code{}
	for _, d := range ds {
		out = append(out, d.Code)
	}
	return out
}

// sameCodes compares codes ignoring nil vs empty.
func sameCodes(got []diag.Diagnostic, want []diag.Code) bool {
	if want == nil {
		want = []diag.Code{}
	}
	return slices.Equal(codes(got), want)
}

// rawToken builds a token from literal header and payload JSON, signed
// with HMAC-SHA256 under key (empty key: empty signature).
func rawToken(header, payload string, key []byte) string {
	in := b64([]byte(header)) + "." + b64([]byte(payload))
	if len(key) == 0 {
		return in + "."
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(in))
	return in + "." + b64(m.Sum(nil))
}

// hs256 is the usual header.
const hs256 = `{"alg":"HS256","typ":"JWT"}`

// mustParse parses a token built by the test.
func mustParse(t *testing.T, tok string) *Parsed {
	t.Helper()
	p, ds := Parse(tok)
	if p == nil {
		t.Fatalf("Parse(%s) failed: %v", redact.Token(tok), ds)
	}
	return p
}

// mustMint mints or fails the test.
func mustMint(t *testing.T, alg string, key []byte, claims map[string]any) string {
	t.Helper()
	tok, err := Mint(alg, key, claims)
	if err != nil {
		t.Fatalf("Mint(%s) error = %v", alg, err)
	}
	return tok
}

// formatInt formats n in decimal.
func formatInt(n int64) string { return strconv.FormatInt(n, 10) }
