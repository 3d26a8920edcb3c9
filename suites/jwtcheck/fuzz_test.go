package jwtcheck

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/result"
)

// maxObserved bounds a diagnostic's text whatever the token: a redacted
// token keeps at most 4 KiB of header and of payload, and cleaning can at
// most sextuple a byte.
const maxObserved = 64 << 10

// checkText fails unless text is safe to print and bounded, and holds
// none of the secrets given (each only when it is at least 8 bytes).
func checkText(t *testing.T, what, text string, secrets ...string) {
	t.Helper()
	if !utf8.ValidString(text) || result.Clean(text) != text {
		t.Fatalf("%s holds raw control characters or invalid UTF-8: %q", what, text)
	}
	if len(text) > maxObserved {
		t.Fatalf("%s is %d bytes, want at most %d", what, len(text), maxObserved)
	}
	for _, s := range secrets {
		if len(s) >= 8 && strings.Contains(text, s) {
			t.Fatalf("%s echoes a secret %q: %q", what, s, text)
		}
	}
}

// checkDiagnostics holds every diagnostic to the catalogue and to
// checkText.
func checkDiagnostics(t *testing.T, what string, ds []diag.Diagnostic, secrets ...string) {
	t.Helper()
	for _, d := range ds {
		if _, ok := diag.Lookup(d.Code); !ok {
			t.Fatalf("%s reports %s, which is not in the catalogue", what, d.Code)
		}
		checkText(t, what+" expected", d.Expected, secrets...)
		checkText(t, what+" observed", d.Observed, secrets...)
	}
}

// FuzzParse holds Parse to its contract on any string: it either parses
// (no diagnostics) or reports exactly one TOKEN_MALFORMED; the diagnostic
// is printable, bounded and never quotes the signature; a parsed token
// keeps its signing input and prints without its signature in every
// format.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoidSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ",
		rawToken(`{"alg":"HS256","typ":"JWT"}`, `{"user_id":"u1","exp":1700000000}`, []byte(testSecret)),
		"Bearer eyJ.eyJ.x", `"a.b.c"`, "a.b.c=", "a+b.c/d.e", "\x1b[31m.\x00.\u202e",
		rawToken(`{"alg":"none"}`, `[1,2]`, nil), rawToken(`{"alg":"HS256"}`, `{"a":1} {}`, nil),
		rawToken(`{"alg":"HS256"}`, `{"pad":"`+strings.Repeat("x", 6000)+`"}`, []byte(testSecret)),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		p, ds := Parse(token)
		parts := strings.Split(token, ".")
		var sig []string
		if len(parts) == 3 && len(parts[2]) >= 16 && !strings.Contains(parts[0]+"."+parts[1], parts[2]) {
			sig = append(sig, parts[2])
		}
		switch {
		case p == nil && (len(ds) != 1 || ds[0].Code != diag.TokenMalformed):
			t.Fatalf("Parse(%q) = nil, %v; want one TOKEN_MALFORMED", token, ds)
		case p != nil && len(ds) != 0:
			t.Fatalf("Parse(%q) parsed and reported %v", token, ds)
		}
		checkDiagnostics(t, "Parse", ds, sig...)
		if p == nil {
			return
		}
		if len(parts) != 3 || p.SigningInput() != parts[0]+"."+parts[1] {
			t.Fatalf("Parse(%q) signing input %q", token, p.SigningInput())
		}
		if p.Header == nil || p.Claims == nil {
			t.Fatalf("Parse(%q) left Header or Claims nil", token)
		}
		if got := base64.RawURLEncoding.EncodeToString(p.Signature()); len(sig) > 0 && len(got) != len(parts[2]) {
			t.Fatalf("Parse(%q) kept a %d-byte signature for a %d-character segment", token, len(p.Signature()), len(parts[2]))
		}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			if out := fmt.Sprintf(verb, p); len(sig) > 0 && strings.Contains(out, sig[0]) {
				t.Fatalf("fmt %s of a Parsed shows its signature: %q", verb, out)
			}
		}
	})
}

// FuzzChecks builds a token from any header, payload and signature bytes,
// and runs Describe and every Check on it with any key at any time: no
// panic; every row and diagnostic printable, bounded, free of the key and
// of the signature; the signature row never shows its bytes. When the
// payload is an object and there is a key, minting it again round-trips:
// the same claims, HS256, a signature that verifies.
func FuzzChecks(f *testing.F) {
	f.Add([]byte(`{"alg":"HS256","typ":"JWT"}`), []byte(`{"user_id":"u1","exp":1795700000,"iat":1795696400,"email":"a@b.example"}`), []byte("0123456789abcdef0123456789abcdef"), []byte(testSecret), int64(1795690000))
	f.Add([]byte(`{"alg":"none"}`), []byte(`{"user_id":7,"exp":"soon"}`), []byte{}, []byte("secret"), int64(0))
	f.Add([]byte(`{"alg":"HS512","kid":"\u001b[2J"}`), []byte(`{"\u001b]0;x\u0007":"\u009b31m\u202e","exp":1.7e12,"nbf":-1e300}`), []byte("s"), []byte(""), int64(-62135596800))
	f.Add([]byte(`{"alg":"HS256"}`), []byte(`{"exp":1e999,"iat":9223372036854775807,"first_name":null,"last_name":{"a":[1]},"email":"x <y@z>"}`), []byte("\xff\x00"), []byte(" key \n"), int64(1<<62))
	f.Fuzz(func(t *testing.T, header, payload, sig, secret []byte, nowUnix int64) {
		token := b64(header) + "." + b64(payload) + "." + b64(sig)
		p, ds := Parse(token)
		if p == nil {
			checkDiagnostics(t, "Parse", ds)
			return
		}
		now := time.Unix(nowUnix%(400*365*24*3600), 0) // within ±400 years of 1970
		// The key and the signature are secret unless the token's own text
		// holds them.
		public := string(header) + string(payload) + token
		for _, v := range p.Claims {
			public += fmt.Sprint(v)
		}
		var secrets []string
		if s := string(secret); !strings.Contains(public, s) && !strings.Contains(s, `"`) {
			secrets = append(secrets, s)
		}
		if s := b64(sig); len(s) >= 16 && !strings.Contains(public[:len(public)-len(token)]+b64(header)+"."+b64(payload), s) {
			secrets = append(secrets, s)
		}
		for _, fl := range Describe(p, now) {
			checkText(t, "Describe name", fl.Name, secrets...)
			checkText(t, "Describe value", fl.Value, secrets...)
			if len(fl.Name) > 2*maxFieldName+64 || len(fl.Value) > 1024 {
				t.Fatalf("Describe row %q = %q is too long", fl.Name, fl.Value)
			}
		}
		checkDiagnostics(t, "CheckAlg", CheckAlg(p), secrets...)
		checkDiagnostics(t, "CheckUserID", CheckUserID(p), secrets...)
		checkDiagnostics(t, "CheckExp", CheckExp(p, now), secrets...)
		checkDiagnostics(t, "CheckNotExpired", CheckNotExpired(p, Clock{Ours: now, Date: now, Issued: true}, time.Minute), secrets...)
		checkDiagnostics(t, "CheckLifetime", CheckLifetime(p, now, 0), secrets...)
		checkDiagnostics(t, "CheckOptionalClaims", CheckOptionalClaims(p), secrets...)
		checkDiagnostics(t, "CheckSecret", CheckSecret(secret), secrets...)
		if len(secret) == 0 {
			return
		}
		checkDiagnostics(t, "CheckSignature", CheckSignature(p, secret), secrets...)

		minted, err := Mint("HS256", secret, p.Claims)
		if err != nil {
			t.Fatalf("Mint(claims of %q): %v", payload, err)
		}
		again, ds := Parse(minted)
		if again == nil {
			t.Fatalf("Parse(Mint(...)) = %v", ds)
		}
		if ds := append(CheckAlg(again), CheckSignature(again, secret)...); len(ds) > 0 {
			t.Fatalf("a token minted with the key does not verify: %v", ds)
		}
		want, _ := json.Marshal(p.Claims)
		got, _ := json.Marshal(again.Claims)
		if string(got) != string(want) {
			t.Fatalf("claims changed through Mint and Parse: %s, want %s", got, want)
		}
	})
}
