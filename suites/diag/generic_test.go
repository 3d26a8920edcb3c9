package diag

import (
	"regexp"
	"strings"
	"testing"
)

// languageCode matches text that is one language's code rather than an
// attribute, a claim or an HTTP header: a call (name(…) or a.b(…)),
// Python's True/False, keyword arguments (name="…", name=True), JS arrow
// functions, Go's :=, a require(…) or a new Type.
var languageCode = regexp.MustCompile(`\b[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+\(|\b(True|False)\b|\b[a-z_]+=(True|False|"[^"]*")|=>|:=|\brequire\(|\bnew [A-Z][a-z]`)

// labelledSnippets are the fixes allowed one language's code after a
// label that names the language: the vendor's own example is Python, and
// its correction is shown in Python.
var labelledSnippets = map[Code]string{
	TokenExpTimezone: "In the vendor's Python example:",
}

// TestGenericFixesNameNoLanguage: a catalogue fix is the generic fix, for
// a stack mfconform does not know; it names the attributes, claims and
// headers to set, never one language's code — each stack's code lives in
// suites/stack's fix table (issue 22: an unknown Go or Express backend got
// a Python set_cookie line as its "generic" fix).
func TestGenericFixesNameNoLanguage(t *testing.T) {
	for _, e := range All() {
		fix := e.Fix
		if label, ok := labelledSnippets[e.Code]; ok {
			before, _, found := strings.Cut(fix, label)
			if !found {
				t.Errorf("%s: the fix lost its label %q", e.Code, label)
			}
			fix = before
		}
		if m := languageCode.FindString(fix); m != "" {
			t.Errorf("%s: the generic fix holds one language's code (%q): %q", e.Code, m, e.Fix)
		}
	}
}

// TestLanguageCodeMatches keeps the pattern honest: the old generic fixes
// match it, attribute and header text does not.
func TestLanguageCodeMatches(t *testing.T) {
	for _, tt := range []struct {
		text string
		want bool
	}{
		{`e.g. response.set_cookie("mf_jwt_token", token, domain=".your-domain.com")`, true},
		{`Add Secure (secure=True in the set_cookie call)`, true},
		{`exp = Math.floor(Date.now() / 1000) + lifetimeSeconds`, true},
		{`(time.Now().Add(time.Hour).Unix(), int(time.time()) + 3600)`, true},
		{`Set-Cookie: mf_jwt_token=<token>; Domain=.your-domain.com; Path=/; Secure; HttpOnly; SameSite=None`, false},
		{`Emit the id as a JSON string: "user_id": "42", not 42.`, false},
		{`Run NTP (chrony, systemd-timesyncd) on the backend`, false},
	} {
		if got := languageCode.MatchString(tt.text); got != tt.want {
			t.Errorf("languageCode.MatchString(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}
