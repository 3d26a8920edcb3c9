package jwtcheck

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/mfconform/mfconform/suites/diag"
)

// referenceAccepts is an independent verifier of the contract built on
// golang-jwt: HS256 only, exp required and checked at now, user_id a
// non-empty string.
func referenceAccepts(token string, secret []byte, now time.Time) bool {
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return secret, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil {
		return false
	}
	uid, ok := claims["user_id"].(string)
	return ok && strings.TrimSpace(uid) != ""
}

func testIdentity() map[string]any {
	return map[string]any{"user_id": "user123", "first_name": "John", "last_name": "Doe",
		"email": "john.doe@example.com", "exp": 1}
}

func TestMint(t *testing.T) {
	claims := map[string]any{"user_id": "u1", "exp": 1795669920}
	tests := []struct {
		alg     string
		wantAlg string
		signed  bool
	}{
		{"HS256", "HS256", true}, {"HS384", "HS384", true}, {"HS512", "HS512", true},
		{"none", "none", false}, {"None", "None", false}, {"NONE", "NONE", false}, {"nOnE", "nOnE", false},
	}
	for _, tt := range tests {
		t.Run(tt.alg, func(t *testing.T) {
			p := mustParse(t, mustMint(t, tt.alg, []byte(testSecret), claims))
			if alg, _ := p.Alg(); alg != tt.wantAlg {
				t.Errorf("Mint(%s) header alg = %q, want %q", tt.alg, alg, tt.wantAlg)
			}
			if p.Header["typ"] != "JWT" {
				t.Errorf("Mint(%s) header typ = %v, want JWT", tt.alg, p.Header["typ"])
			}
			if got := p.SignatureLen() > 0; got != tt.signed {
				t.Errorf("Mint(%s) signed = %v, want %v", tt.alg, got, tt.signed)
			}
			if tt.signed {
				if ds := CheckSignature(p, []byte(testSecret)); len(ds) != 0 {
					t.Errorf("Mint(%s) does not verify: %v", tt.alg, ds)
				}
			}
		})
	}
	for _, bad := range []string{"RS256", "hs256", ""} {
		if _, err := Mint(bad, []byte(testSecret), claims); err == nil {
			t.Errorf("Mint(%q) error = nil, want an error", bad)
		}
	}
	if _, err := Mint("HS256", nil, claims); err == nil {
		t.Errorf("Mint(HS256, empty key) error = nil, want an error")
	} else if strings.Contains(err.Error(), testSecret) {
		t.Errorf("Mint() error %q contains the key", err)
	}
}

func TestProbes(t *testing.T) {
	secret := []byte(testSecret)
	probes, err := Probes(secret, testIdentity(), testNow)
	if err != nil {
		t.Fatalf("Probes() error = %v", err)
	}
	wantCodes := map[string]diag.Code{
		"valid-integer-exp":    diag.AppRejectsValidToken,
		"valid-fractional-exp": diag.AppRejectsFractionalExp,
		"expired-2m":           diag.AppAcceptsExpired,
		"expired-1h":           diag.AppAcceptsExpired,
		"expired-25h":          diag.AppAcceptsExpired,
		"other-key-HS256":      diag.AppAcceptsBadSignature,
		"other-key-HS384":      diag.AppAcceptsBadSignature,
		"other-key-HS512":      diag.AppAcceptsBadSignature,
		"tampered-payload":     diag.AppAcceptsBadSignature,
		"stripped-signature":   diag.AppAcceptsBadSignature,
		"alg-none":             diag.AppAcceptsAlgNone,
		"alg-None":             diag.AppAcceptsAlgNone,
		"alg-NONE":             diag.AppAcceptsAlgNone,
		"alg-nOnE":             diag.AppAcceptsAlgNone,
		"alg-HS384":            diag.AppAcceptsOtherAlg,
		"alg-HS512":            diag.AppAcceptsOtherAlg,
		"missing-user_id":      diag.AppAcceptsMissingClaim,
		"missing-exp":          diag.AppAcceptsMissingClaim,
	}
	if len(probes) != len(wantCodes) {
		t.Errorf("len(Probes()) = %d, want %d", len(probes), len(wantCodes))
	}
	byName := map[string]Probe{}
	for _, pr := range probes {
		byName[pr.Name] = pr
		t.Run(pr.Name, func(t *testing.T) {
			if code, ok := wantCodes[pr.Name]; !ok || pr.Code != code {
				t.Errorf("probe Code = %s, want %s", pr.Code, code)
			}
			if _, ok := diag.Lookup(pr.Code); !ok {
				t.Errorf("probe Code %s is not in the catalogue", pr.Code)
			}
			if pr.Detail == "" {
				t.Errorf("probe Detail is empty")
			}
			p := mustParse(t, pr.Token)
			if pr.WantAccepted {
				if alg, _ := p.Alg(); alg != "HS256" {
					t.Errorf("accept-probe alg = %q, want HS256", alg)
				}
				if ds := CheckSignature(p, secret); len(ds) != 0 {
					t.Errorf("accept-probe does not verify with the secret: %v", ds)
				}
			}
			if got := referenceAccepts(pr.Token, secret, testNow); got != pr.WantAccepted {
				t.Errorf("reference verifier accepts = %v, want %v", got, pr.WantAccepted)
			}
			if s := pr.String(); p.SignatureLen() > 0 && strings.Contains(s, pr.Token) {
				t.Errorf("Probe.String() = %q contains the whole token", s)
			}
		})
	}

	frac := mustParse(t, byName["valid-fractional-exp"].Token)
	if n := jsonText(frac.Claims["exp"]); !strings.Contains(n, ".") {
		t.Errorf("fractional probe exp = %s, want a non-integer", n)
	}
	if n := jsonText(mustParse(t, byName["valid-integer-exp"].Token).Claims["exp"]); strings.Contains(n, ".") {
		t.Errorf("integer probe exp = %s, want an integer", n)
	}
	valid := strings.Split(byName["valid-integer-exp"].Token, ".")
	tampered := strings.Split(byName["tampered-payload"].Token, ".")
	if tampered[0] != valid[0] || tampered[2] != valid[2] || tampered[1] == valid[1] {
		t.Errorf("tampered-payload should keep header and signature and change the payload")
	}
	if uid := mustParse(t, byName["tampered-payload"].Token).Claims["user_id"]; uid == "user123" {
		t.Errorf("tampered-payload user_id = %v, want it changed", uid)
	}
	if got := byName["stripped-signature"].Token; got != valid[0]+"."+valid[1]+"." {
		t.Errorf("stripped-signature = %s, want header.payload.", got)
	}
	if byName["expired-25h"].ExpiredBy != 25*time.Hour {
		t.Errorf("expired-25h ExpiredBy = %v, want 25h", byName["expired-25h"].ExpiredBy)
	}
	if _, ok := mustParse(t, byName["missing-exp"].Token).Claims["exp"]; ok {
		t.Errorf("missing-exp probe has an exp")
	}
	if mustParse(t, byName["valid-integer-exp"].Token).Claims["first_name"] != "John" {
		t.Errorf("probes should carry the identity's optional claims")
	}
}

// TestProbesWithoutKey checks that without AUTH_SECRET_KEY only the probes
// that need no key are built, each one a conformant app refuses.
func TestProbesWithoutKey(t *testing.T) {
	probes, err := Probes(nil, testIdentity(), testNow)
	if err != nil {
		t.Fatalf("Probes(no key) error = %v", err)
	}
	want := []string{"other-key-HS256", "other-key-HS384", "other-key-HS512", "stripped-signature", "alg-none", "alg-None", "alg-NONE", "alg-nOnE"}
	var got []string
	for _, p := range probes {
		got = append(got, p.Name)
		if p.NeedsKey || p.WantAccepted {
			t.Errorf("probe %s: NeedsKey=%v WantAccepted=%v, want both false without a key", p.Name, p.NeedsKey, p.WantAccepted)
		}
		if referenceAccepts(p.Token, []byte(testSecret), testNow) {
			t.Errorf("probe %s is accepted by a verifier holding some other key", p.Name)
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Probes(no key) = %v, want %v", got, want)
	}
	keyed, _ := Probes([]byte(testSecret), testIdentity(), testNow)
	for _, p := range keyed {
		needs := !slices.Contains(want, p.Name)
		if p.NeedsKey != needs {
			t.Errorf("keyed probe %s NeedsKey = %v, want %v", p.Name, p.NeedsKey, needs)
		}
	}
}

func TestProbesErrors(t *testing.T) {
	tests := []struct {
		name     string
		secret   []byte
		identity map[string]any
	}{
		{"no user_id", []byte(testSecret), map[string]any{"email": "a@b.c"}},
		{"numeric user_id", []byte(testSecret), map[string]any{"user_id": 42}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Probes(tt.secret, tt.identity, testNow); err == nil {
				t.Errorf("Probes() error = nil, want an error")
			}
		})
	}
}

func TestGarbageProbes(t *testing.T) {
	secret := []byte(testSecret)
	for _, pr := range GarbageProbes() {
		t.Run(pr.Name, func(t *testing.T) {
			if pr.WantAccepted {
				t.Errorf("garbage probe WantAccepted = true")
			}
			if pr.Code != diag.AppAcceptsBadSignature {
				t.Errorf("garbage probe Code = %s, want %s", pr.Code, diag.AppAcceptsBadSignature)
			}
			if referenceAccepts(pr.Token, secret, testNow) {
				t.Errorf("reference verifier accepts garbage")
			}
			if _, ds := Parse(pr.Token); !sameCodes(ds, []diag.Code{diag.TokenMalformed}) {
				t.Errorf("Parse(garbage) codes = %v, want [TOKEN_MALFORMED]", codes(ds))
			}
			for _, c := range pr.Token {
				if c <= ' ' || c >= 0x7f || strings.ContainsRune(`",;\`, c) {
					t.Errorf("garbage probe has a character not allowed in a cookie value: %q", c)
					break
				}
			}
		})
	}
	var sawLong bool
	for _, pr := range GarbageProbes() {
		sawLong = sawLong || len(pr.Token) == 3000
	}
	if !sawLong {
		t.Errorf("GarbageProbes() has no 3000-byte value")
	}
}

func TestMintNilClaims(t *testing.T) {
	p := mustParse(t, mustMint(t, "HS256", []byte(testSecret), nil))
	if len(p.Claims) != 0 {
		t.Errorf("Mint(nil claims) payload = %v, want {}", p.Claims)
	}
}
