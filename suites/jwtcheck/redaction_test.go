package jwtcheck

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/mfconform/mfconform/suites/diag"
)

// TestNoDiagnosticLeaksSecretOrToken runs every check over many bad inputs
// and asserts no diagnostic text holds the secret or a whole signed token.
func TestNoDiagnosticLeaksSecretOrToken(t *testing.T) {
	secret := []byte(testSecret)
	wrong := []byte("wrong-key-wrong-key-wrong-key-wrong-key")
	claimSets := []map[string]any{
		{"user_id": "u1", "exp": 1795669920},
		{"user_id": 42, "exp": "tomorrow", "email": "nope", "first_name": 1},
		{"exp": 1795669920000},
		{"user_id": "", "exp": 1, "iat": 1895669920},
		{"user_id": " ", "exp": 1e300, "last_name": nil},
		{},
	}
	keys := [][]byte{secret, wrong, []byte(testSecret + "\n"), []byte(`"` + testSecret + `"`),
		[]byte(base64.StdEncoding.EncodeToString(secret)), []byte(hex.EncodeToString(secret))}
	var tokens []string
	for _, c := range claimSets {
		for _, k := range keys {
			for _, alg := range []string{"HS256", "HS384", "HS512"} {
				tokens = append(tokens, mustMint(t, alg, k, c))
			}
		}
	}
	// Malformed variants of a signed token.
	base := tokens[0]
	tokens = append(tokens, base+".x", `"`+base+`"`, "Bearer "+base, base+"\n", strings.Replace(base, ".", "..", 1))

	check := func(tok string, ds []diag.Diagnostic) {
		t.Helper()
		for _, d := range ds {
			s := d.String() + d.Expected + d.Observed
			for _, bad := range []string{testSecret, string(wrong), base64.StdEncoding.EncodeToString(secret), hex.EncodeToString(secret)} {
				if strings.Contains(s, bad) {
					t.Errorf("%s diagnostic contains a secret: %s", d.Code, s)
				}
			}
			if tok != "" && strings.Contains(s, tok) {
				t.Errorf("%s diagnostic contains the whole token: %s", d.Code, s)
			}
			if sig := tok[strings.LastIndexByte(tok, '.')+1:]; len(sig) > 10 && strings.Contains(s, sig) {
				t.Errorf("%s diagnostic contains the signature: %s", d.Code, s)
			}
		}
	}
	for _, tok := range tokens {
		p, ds := Parse(tok)
		check(tok, ds)
		if p == nil {
			continue
		}
		for _, k := range keys {
			check(tok, CheckSignature(p, k))
		}
		check(tok, CheckAlg(p))
		check(tok, CheckUserID(p))
		check(tok, CheckExp(p, testNow))
		check(tok, CheckNotExpired(p, Clock{Ours: testNow}, 0))
		check(tok, CheckLifetime(p, testNow, 0))
		check(tok, CheckOptionalClaims(p))
		if iat, ok := p.IssuedAt(); ok {
			check(tok, CheckClock(diag.TokenClockSkew, "the backend", Clock{Ours: testNow, Date: testNow, IAT: &iat, FreshIAT: true}, 0))
		}
		for _, f := range Describe(p, testNow) {
			if strings.Contains(f.Value, testSecret) || strings.Contains(f.Value, tok) {
				t.Errorf("Describe() field %s leaks: %s", f.Name, f.Value)
			}
		}
	}
	for _, k := range append(keys, []byte("short-private-key"), []byte(strings.Repeat("q", 40))) {
		check("", CheckSecret(k))
		for _, d := range CheckSecret(k) {
			if strings.Contains(d.String(), string(k)) {
				t.Errorf("CheckSecret() diagnostic contains the key: %s", d)
			}
		}
	}
	probes, err := Probes(secret, map[string]any{"user_id": "u1"}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range probes {
		if s := pr.String(); strings.Contains(s, testSecret) {
			t.Errorf("Probe.String() contains the secret: %s", s)
		}
	}
}
