package redact

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	mrand "math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestFingerprint(t *testing.T) {
	tests := []struct {
		name   string
		secret []byte
		want   string
	}{
		{name: "nil", secret: nil, want: "(empty)"},
		{name: "empty", secret: []byte{}, want: "(empty)"},
		// sha256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
		{name: "abc", secret: []byte("abc"), want: "sha256:ba7816bf"},
		// sha256("") would be e3b0c442…, but empty is reported as (empty), not hashed.
		{name: "whitespace is a secret too", secret: []byte(" "), want: "sha256:36a9e7f1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Fingerprint(tt.secret); got != tt.want {
				t.Errorf("Fingerprint(%q) = %q, want %q", tt.secret, got, tt.want)
			}
		})
	}
}

var fingerprintFormat = regexp.MustCompile(`^sha256:[0-9a-f]{8}$`)

func TestFingerprintFormat(t *testing.T) {
	seen := map[string]string{}
	for i := range 200 {
		secret := make([]byte, 1+i%64)
		_, _ = rand.Read(secret)
		got := Fingerprint(secret)
		if !fingerprintFormat.MatchString(got) {
			t.Fatalf("Fingerprint(%x) = %q, want sha256: and 8 lower-case hex digits", secret, got)
		}
		if got != Fingerprint(secret) {
			t.Fatalf("Fingerprint(%x) is not deterministic", secret)
		}
		seen[got] = string(secret)
	}
	if len(seen) < 195 { // 32-bit prefixes: collisions among 200 are vanishingly rare
		t.Errorf("Fingerprint gave %d distinct values for 200 random secrets, want about 200", len(seen))
	}
	if a, b := Fingerprint([]byte("key")), Fingerprint([]byte("key\n")); a == b {
		t.Errorf("Fingerprint(%q) = Fingerprint(%q) = %q, want a trailing newline to change it", "key", "key\n", a)
	}
}

func TestToken(t *testing.T) {
	const (
		h = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
		p = "eyJ1c2VyX2lkIjoidXNlcjEyMyIsImV4cCI6MTc2NzIyOTIwMH0"
		s = "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
	)
	tests := []struct {
		name string
		tok  string
		want string
	}{
		{name: "signed JWS", tok: h + "." + p + "." + s, want: h + "." + p + ".<signature dropped>"},
		{name: "unsigned (alg none)", tok: h + "." + p + ".", want: h + "." + p + ".<no signature>"},
		{name: "empty segments", tok: "..", want: "..<no signature>"},
		{name: "empty", tok: "", want: "(empty)"},
		{name: "opaque long value", tok: "abcdefghijklmnopqrstuvwxyz", want: "abcdefghijkl…(26 bytes)"},
		{name: "opaque short value", tok: "abcdef", want: "abc…(6 bytes)"},
		{name: "two segments", tok: h + "." + p, want: h[:12] + "…(" + itoa(len(h)+1+len(p)) + " bytes)"},
		{name: "five segments (JWE)", tok: h + "." + p + "." + s + "." + s + "." + s, want: h[:12] + "…(" + itoa(len(h)+len(p)+3*len(s)+4) + " bytes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Token(tt.tok)
			if got != tt.want {
				t.Errorf("Token(%q) = %q, want %q", tt.tok, got, tt.want)
			}
			if strings.Contains(got, s) {
				t.Errorf("Token(%q) = %q, contains the signature", tt.tok, got)
			}
		})
	}
}

func TestPrefix(t *testing.T) {
	tests := []struct {
		name string
		v    string
		want string
	}{
		{name: "empty", v: "", want: "(empty)"},
		{name: "one byte keeps nothing", v: "x", want: "…(1 bytes)"},
		{name: "short keeps half", v: "abcd", want: "ab…(4 bytes)"},
		{name: "odd length keeps less than half", v: "abcde", want: "ab…(5 bytes)"},
		{name: "exactly prefixLen keeps half", v: "abcdefghijkl", want: "abcdef…(12 bytes)"},
		{name: "one more than prefixLen", v: "abcdefghijklm", want: "abcdefghijkl…(13 bytes)"},
		{name: "JWT", v: "eyJhbGciOiJIUzI1NiJ9.e30.c2ln", want: "eyJhbGciOiJI…(29 bytes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Prefix(tt.v); got != tt.want {
				t.Errorf("Prefix(%q) = %q, want %q", tt.v, got, tt.want)
			}
		})
	}
}

func TestSetCookie(t *testing.T) {
	const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoidTEifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
	tests := []struct {
		name   string
		line   string
		want   string
		secret string // must not appear in the output
	}{
		{
			name:   "full Set-Cookie line",
			line:   "mf_jwt_token=" + jwt + "; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None",
			want:   "mf_jwt_token=eyJhbGciOiJI…(" + itoa(len(jwt)) + " bytes); Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None",
			secret: jwt[12:],
		},
		{
			name:   "no attributes",
			line:   "mf_jwt_token=" + jwt,
			want:   "mf_jwt_token=eyJhbGciOiJI…(" + itoa(len(jwt)) + " bytes)",
			secret: jwt[12:],
		},
		{
			name:   "space around the value",
			line:   "mf_jwt_token= " + jwt + " ;Path=/",
			want:   "mf_jwt_token=eyJhbGciOiJI…(" + itoa(len(jwt)) + " bytes);Path=/",
			secret: jwt[12:],
		},
		{
			name: "empty value (deletion)",
			line: "mf_jwt_token=; Max-Age=0; Path=/",
			want: "mf_jwt_token=(empty); Max-Age=0; Path=/",
		},
		{
			name:   "value containing '='",
			line:   "k=abc=defghijklmnop==; Path=/",
			want:   "k=abc=defghijk…(19 bytes); Path=/",
			secret: "lmnop==",
		},
		{
			name:   "no '=' at all",
			line:   "opaquesecretvalue; Secure",
			want:   "opaquesecret…(17 bytes); Secure",
			secret: "value",
		},
		{name: "empty line", line: "", want: "(empty)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SetCookie(tt.line)
			if got != tt.want {
				t.Errorf("SetCookie(%q) = %q, want %q", tt.line, got, tt.want)
			}
			if tt.secret != "" && strings.Contains(got, tt.secret) {
				t.Errorf("SetCookie(%q) = %q, still contains %q", tt.line, got, tt.secret)
			}
		})
	}
}

// TestSetCookieCookieHeader covers the other half of SetCookie's doc: "the
// value of a Set-Cookie or Cookie line". A Cookie request header carries
// several name=value pairs; every value is a secret, not an attribute.
func TestSetCookieCookieHeader(t *testing.T) {
	const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoidTEifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
	tests := []struct {
		name string
		line string
	}{
		{name: "token first", line: "mf_jwt_token=" + jwt + "; theme=dark"},
		{name: "token second", line: "theme=dark; mf_jwt_token=" + jwt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SetCookie(tt.line)
			if strings.Contains(got, jwt[12:]) {
				t.Errorf("SetCookie(%q) = %q, want the token cut to a prefix", tt.line, got)
			}
			if !strings.Contains(got, "mf_jwt_token=") {
				t.Errorf("SetCookie(%q) = %q, want the cookie name kept", tt.line, got)
			}
		})
	}
}

func TestSecrets(t *testing.T) {
	const key = "0123456789abcdef0123456789abcdef"
	fp := "<redacted " + Fingerprint([]byte(key)) + ">"
	tests := []struct {
		name    string
		s       string
		secrets []string
		want    string
	}{
		{name: "no secrets", s: "AUTH_SECRET_KEY=" + key, want: "AUTH_SECRET_KEY=" + key},
		{name: "one occurrence", s: "AUTH_SECRET_KEY=" + key, secrets: []string{key}, want: "AUTH_SECRET_KEY=" + fp},
		{
			name:    "every occurrence",
			s:       key + " and again " + key + key,
			secrets: []string{key},
			want:    fp + " and again " + fp + fp,
		},
		{
			name:    "several secrets",
			s:       "a=" + key + " b=supabase-anon-key-value",
			secrets: []string{key, "supabase-anon-key-value"},
			want:    "a=" + fp + " b=<redacted " + Fingerprint([]byte("supabase-anon-key-value")) + ">",
		},
		{name: "absent secret", s: "nothing here", secrets: []string{key}, want: "nothing here"},
		{name: "empty secret ignored", s: "text", secrets: []string{""}, want: "text"},
		{name: "secret shorter than 4 ignored", s: "abc abc", secrets: []string{"abc"}, want: "abc abc"},
		{name: "four bytes replaced", s: "abcd", secrets: []string{"abcd"}, want: "<redacted " + Fingerprint([]byte("abcd")) + ">"},
		{name: "empty text", s: "", secrets: []string{key}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Secrets(tt.s, tt.secrets...); got != tt.want {
				t.Errorf("Secrets(%q, %q) = %q, want %q", tt.s, tt.secrets, got, tt.want)
			}
		})
	}
}

// TestSecretsOverlapping passes secrets where one is a prefix of another
// (a key and the same key with a suffix, as with TOKEN_SECRET_ENCODING
// variants). No byte of either may survive.
func TestSecretsOverlapping(t *testing.T) {
	const short = "0123456789abcdef"
	const long = short + "TAIL-OF-THE-LONGER-SECRET"
	tests := []struct {
		name    string
		secrets []string
	}{
		{name: "shorter first", secrets: []string{short, long}},
		{name: "longer first", secrets: []string{long, short}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := "key=" + long + " other=" + short
			got := Secrets(s, tt.secrets...)
			if strings.Contains(got, "TAIL-OF-THE-LONGER-SECRET") || strings.Contains(got, short) {
				t.Errorf("Secrets(%q, %q) = %q, want no part of either secret left", s, tt.secrets, got)
			}
		})
	}
}

// TestRedactionProperty checks, for many random tokens and secrets, that
// no output of the package contains the part it promises to hide.
func TestRedactionProperty(t *testing.T) {
	r := mrand.New(mrand.NewPCG(1, 2))
	for range 2000 {
		tok, sig := randomToken(t, r)

		if got := Token(tok); strings.Contains(got, sig) {
			t.Fatalf("Token(%q) = %q, contains signature %q", tok, got, sig)
		}
		line := "mf_jwt_token=" + tok + "; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None"
		if got := SetCookie(line); strings.Contains(got, sig) || strings.Contains(got, tok) {
			t.Fatalf("SetCookie(%q) = %q, contains the token or its signature", line, got)
		}

		secret := make([]byte, 4+r.IntN(60))
		for j := range secret {
			secret[j] = byte(33 + r.IntN(94)) // printable ASCII
		}
		text := "before " + string(secret) + " middle " + tok + " " + string(secret) + " after"
		got := Secrets(text, string(secret), tok)
		if strings.Contains(got, string(secret)) || strings.Contains(got, sig) {
			t.Fatalf("Secrets(%q, %q, %q) = %q, contains a secret", text, secret, tok, got)
		}
		if !strings.HasPrefix(got, "before ") || !strings.HasSuffix(got, " after") {
			t.Fatalf("Secrets(%q, …) = %q, want the surrounding text kept", text, got)
		}
	}
}

// randomToken returns a random HS256-shaped compact JWS and its signature
// segment.
func randomToken(t *testing.T, r *mrand.Rand) (tok, sig string) {
	t.Helper()
	enc := base64.RawURLEncoding
	header, err := json.Marshal(map[string]any{"alg": "HS256", "typ": "JWT"})
	if err != nil {
		t.Fatalf("json.Marshal(header) error = %v", err)
	}
	payload, err := json.Marshal(map[string]any{
		"user_id": "user" + itoa(r.IntN(1_000_000)), "exp": 1_700_000_000 + r.IntN(1_000_000),
		"email": "u" + itoa(r.IntN(1000)) + "@acme.test",
	})
	if err != nil {
		t.Fatalf("json.Marshal(payload) error = %v", err)
	}
	raw := make([]byte, 32)
	for i := range raw {
		raw[i] = byte(r.IntN(256))
	}
	sig = enc.EncodeToString(raw)
	return enc.EncodeToString(header) + "." + enc.EncodeToString(payload) + "." + sig, sig
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestSetClean(t *testing.T) {
	var s Set
	tok := "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoidSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU"
	key := "known-key-1234567890"
	s.AddToken(tok)
	s.AddSecret(key, "short")
	got := s.Clean(`app says user_id "` + tok + `" with key ` + key + ` and short`)
	if strings.Contains(got, tok) || strings.Contains(got, key) || strings.Contains(got, "c2lnbmF0dXJl") {
		t.Errorf("Clean() = %q, still holds a secret", got)
	}
	if !strings.Contains(got, "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoidSJ9.<signature dropped>") || !strings.Contains(got, "<redacted sha256:") {
		t.Errorf("Clean() = %q, want the token without its signature and the key as a fingerprint", got)
	}
	if !strings.HasSuffix(got, "and short") {
		t.Errorf("Clean() = %q, want values under 8 bytes left alone", got)
	}
}
