package result

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// printable reports whether s is valid UTF-8 without a character Clean
// would escape.
func printable(s string) bool { return utf8.ValidString(s) && Clean(s) == s }

// FuzzParseWaivers holds the waivers parser to its promises on any bytes:
// an error wraps ErrWaivers and is printable and bounded; every waiver it
// returns names exactly one of spec or code, has a reason, expires on a
// real date or never, and holds only printable text; the waivers marshal
// back to a file that parses to the same waivers; and applying them to a
// report never panics and explains itself printably.
func FuzzParseWaivers(f *testing.F) {
	for _, s := range []string{
		"", "waivers: []\n",
		"waivers:\n  - spec: JWT-COOKIE-006\n    reason: never embedded\n    expires: 2030-01-31\n  - code: TOKEN_LIFETIME_LONG\n    reason: policy\n",
		"waivers:\n  - spec: A\n    code: B\n    reason: r\n", "waivers:\n  - code: X\n    reason: r\n    expires: 2030-02-30\n",
		"waivers:\n  - spec: \"\\e[31mX\"\n    reason: \"\\u202e\\x07\"\n", "waivers:\n  - spec: X\n    reason: r\n    \x1b]0;t\x07: y\n", "waivers:\n  - spec: X\n    reason: r\n    \"\\e]0;t\\a\": y\n",
		"waivers:\n  - spec: X\n    reason: '   '\n", "waivers: &a [*a]\n", "- just a list\n",
	} {
		f.Add([]byte(s))
	}
	today := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, b []byte) {
		ws, err := ParseWaivers("fuzz.yaml", b)
		if err != nil {
			if !errors.Is(err, ErrWaivers) {
				t.Fatalf("ParseWaivers error %v does not wrap ErrWaivers", err)
			}
			if !printable(err.Error()) || len(err.Error()) > MaxText+1024 {
				t.Fatalf("ParseWaivers error is not printable or too long: %q", err.Error())
			}
			return
		}
		for i, w := range ws {
			switch {
			case (w.Spec == "") == (w.Code == ""):
				t.Fatalf("waiver %d names spec %q and code %q: want exactly one", i, w.Spec, w.Code)
			case strings.TrimSpace(w.Reason) == "":
				t.Fatalf("waiver %d has no reason", i)
			case !printable(string(w.Spec)) || !printable(w.Code) || !printable(w.Reason) || !printable(w.Expires):
				t.Fatalf("waiver %d holds raw control characters: %+v", i, w)
			}
			if w.Expires != "" {
				if _, err := time.Parse(time.DateOnly, w.Expires); err != nil {
					t.Fatalf("waiver %d expires %q, not a date", i, w.Expires)
				}
			}
		}
		again, err := yaml.Marshal(waiverFile{Waivers: ws})
		if err != nil {
			t.Fatalf("yaml.Marshal(waivers): %v", err)
		}
		back, err := ParseWaivers("again.yaml", again)
		if err != nil || !reflect.DeepEqual(back, ws) && len(ws) > 0 {
			t.Fatalf("waivers changed through YAML: %+v, %v; want %+v\n%s", back, err, ws, again)
		}
		r := &Report{Specs: []Spec{
			{ID: JWTCookie006, State: StateFailed, Diagnostics: []Diagnostic{{Code: "COOKIE_SAMESITE_NOT_NONE"}}},
			{ID: JWTApp004, State: StateBlocked, BlockedBy: JWTCookie006},
			{ID: JWTToken007, State: StateWarned, Diagnostics: []Diagnostic{{Code: "TOKEN_LIFETIME_LONG"}}},
		}}
		ApplyWaivers(r, ws, today)
		for _, p := range r.WaiverProblems {
			if !printable(p) {
				t.Fatalf("waiver problem holds raw control characters: %q", p)
			}
		}
	})
}
