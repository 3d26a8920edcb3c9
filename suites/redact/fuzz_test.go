package redact

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzToken: Token never shows a signature segment (unless the header or
// payload holds the same text), its output is bounded whatever the token's
// length, never splits a UTF-8 sequence the token did not split, and keeps
// a short header and payload exactly.
func FuzzToken(f *testing.F) {
	for _, s := range []string{
		"", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoidSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ", "h.p.", "one-opaque-value",
		"h." + strings.Repeat("p", 5000) + ".signature-signature", "日本語のトークン.é.ü", "a.b.c.d",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		got := Token(tok)
		parts := strings.Split(tok, ".")
		if len(parts) == 3 && len(parts[2]) >= 8 && strings.Contains(got, parts[2]) &&
			!strings.Contains(parts[0]+"."+parts[1]+"<signature dropped><no signature>", parts[2]) {
			t.Fatalf("Token(%q) = %q shows the signature", tok, got)
		}
		if len(got) > 2*(maxSegment+32)+32 {
			t.Fatalf("Token of a %d-byte token is %d bytes", len(tok), len(got))
		}
		if utf8.ValidString(tok) && !utf8.ValidString(got) {
			t.Fatalf("Token(%q) = %q split a UTF-8 sequence", tok, got)
		}
		if len(parts) == 3 && len(parts[0]) <= maxSegment && len(parts[1]) <= maxSegment && !strings.HasPrefix(got, parts[0]+"."+parts[1]+".") {
			t.Fatalf("Token(%q) = %q does not keep header and payload", tok, got)
		}
	})
}

// FuzzSetCookie: SetCookie never shows a cookie's value longer than
// Prefix keeps, nor a value-less part longer than an attribute name
// (unless the same text is also in a kept attribute or name), keeps every
// known attribute exactly, keeps the line's shape (one part per ';') and
// grows it by a bounded amount.
func FuzzSetCookie(f *testing.F) {
	for _, s := range []string{
		"mf_jwt_token=eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoidSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None",
		"a=b; c=dddddddddddddddddddddddd", "novalue", "; ;=;==", "x=\"quoted value that is long\"; Max-Age=60",
		"a=secret-secret-secret; Path=secret-secret-secret", "名前=値値値値値値値値値値値値値値値値",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		got := SetCookie(line)
		in, out := strings.Split(line, ";"), strings.Split(got, ";")
		if len(in) != len(out) {
			t.Fatalf("SetCookie(%q) = %q has %d parts, want %d", line, got, len(out), len(in))
		}
		if len(got) > len(line)+24*len(in) {
			t.Fatalf("SetCookie(%q) = %q grew by more than %d bytes a part", line, got, 24)
		}
		// Kept whole: known attributes and short flags; everything else is
		// a value, shown at most as a prefix.
		var kept strings.Builder
		var values []string
		for i, part := range in {
			name, value, ok := strings.Cut(part, "=")
			switch {
			case i > 0 && cookieAttributes[strings.ToLower(strings.TrimSpace(name))]:
				if out[i] != part {
					t.Fatalf("SetCookie(%q) changed attribute %q to %q", line, part, out[i])
				}
				kept.WriteString(part + "\n")
			case ok:
				// The name and the value's prefix are shown.
				v := strings.TrimSpace(value)
				kept.WriteString(name + "=" + v[:min(len(v), prefixLen)] + "\n")
				values = append(values, v)
			case i == 0 || len(strings.TrimSpace(part)) > maxFlag:
				values = append(values, strings.TrimSpace(part))
			default:
				kept.WriteString(part + "\n")
			}
		}
		for _, v := range values {
			if len(v) > prefixLen+4 && !strings.Contains(kept.String(), v) && strings.Contains(got, v) {
				t.Fatalf("SetCookie(%q) = %q shows the value %q", line, got, v)
			}
		}
	})
}
