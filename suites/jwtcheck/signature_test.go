package jwtcheck

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/redact"
)

func TestCheckAlg(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   []diag.Code
	}{
		{"HS256 with typ", hs256, nil},
		{"HS256 without typ", `{"alg":"HS256"}`, nil},
		{"none", `{"alg":"none","typ":"JWT"}`, []diag.Code{diag.TokenAlgNotHS256}},
		{"None", `{"alg":"None"}`, []diag.Code{diag.TokenAlgNotHS256}},
		{"HS512", `{"alg":"HS512","typ":"JWT"}`, []diag.Code{diag.TokenAlgNotHS256}},
		{"HS384", `{"alg":"HS384"}`, []diag.Code{diag.TokenAlgNotHS256}},
		{"RS256", `{"alg":"RS256","typ":"JWT"}`, []diag.Code{diag.TokenAlgNotHS256}},
		{"lower-case hs256", `{"alg":"hs256"}`, []diag.Code{diag.TokenAlgNotHS256}},
		{"missing alg", `{"typ":"JWT"}`, []diag.Code{diag.TokenAlgNotHS256}},
		{"alg not a string", `{"alg":256}`, []diag.Code{diag.TokenAlgNotHS256}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, rawToken(tt.header, `{"user_id":"u1"}`, []byte(testSecret)))
			if got := CheckAlg(p); !sameCodes(got, tt.want) {
				t.Errorf("CheckAlg() codes = %v, want %v (%v)", codes(got), tt.want, got)
			}
		})
	}
}

func TestCheckSignature(t *testing.T) {
	secret := []byte(testSecret)
	claims := map[string]any{"user_id": "u1", "exp": 1764118800}
	std := base64.StdEncoding.EncodeToString(secret)
	tests := []struct {
		name    string
		token   string
		secret  []byte
		want    []diag.Code
		wantMsg string
	}{
		{"right key", mustMint(t, "HS256", secret, claims), secret, nil, ""},
		{"HS512 with right key is an alg problem", mustMint(t, "HS512", secret, claims), secret, nil, ""},
		{"HS384 with right key is an alg problem", mustMint(t, "HS384", secret, claims), secret, nil, ""},
		{"no alg, HS256-sized signature", rawToken(`{"typ":"JWT"}`, `{"user_id":"u1"}`, secret), secret, nil, ""},
		{"wrong key", mustMint(t, "HS256", []byte("another-key-of-the-same-length-0123456789abcdef"), claims), secret,
			[]diag.Code{diag.TokenSignatureMismatch}, "AUTH_SECRET_KEY " + redact.Fingerprint(secret) + " does not verify it"},
		{"alg none", mustMint(t, "none", nil, claims), secret, []diag.Code{diag.TokenSignatureMismatch}, "token is unsigned"},
		{"stripped signature", strings.TrimRight(mustMint(t, "HS256", secret, claims), "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"), secret,
			[]diag.Code{diag.TokenSignatureMismatch}, "token is unsigned"},
		{"RS256 header", rawToken(`{"alg":"RS256"}`, `{"user_id":"u1"}`, []byte("x")), secret,
			[]diag.Code{diag.TokenSignatureMismatch}, "not an HMAC algorithm"},
		{"signer adds newline", mustMint(t, "HS256", []byte(testSecret+"\n"), claims), secret, []diag.Code{diag.TokenSecretWhitespace}, "newline"},
		{"signer adds CRLF", mustMint(t, "HS256", []byte(testSecret+"\r\n"), claims), secret, []diag.Code{diag.TokenSecretWhitespace}, "CRLF"},
		{"signer adds space", mustMint(t, "HS256", []byte(testSecret+" "), claims), secret, []diag.Code{diag.TokenSecretWhitespace}, "followed by a space"},
		{"given key has whitespace", mustMint(t, "HS256", secret, claims), []byte("  " + testSecret + "\n"), []diag.Code{diag.TokenSecretWhitespace}, "surrounding whitespace removed"},
		{"signer has double quotes", mustMint(t, "HS256", []byte(`"`+testSecret+`"`), claims), secret, []diag.Code{diag.TokenSecretWhitespace}, "double quotes"},
		{"signer has single quotes", mustMint(t, "HS256", []byte(`'`+testSecret+`'`), claims), secret, []diag.Code{diag.TokenSecretWhitespace}, "single quotes"},
		{"given key has quotes", mustMint(t, "HS256", secret, claims), []byte(`"` + testSecret + `"`), []diag.Code{diag.TokenSecretWhitespace}, "quotes stripped"},
		{"signer base64-decodes", mustMint(t, "HS256", secret, claims), []byte(std), []diag.Code{diag.TokenSecretEncoding}, "base64-decoded (standard, padded)"},
		{"signer base64-decodes unpadded url", mustMint(t, "HS256", secret, claims), []byte(base64.RawURLEncoding.EncodeToString(secret)),
			[]diag.Code{diag.TokenSecretEncoding}, "base64-decoded"},
		{"signer base64-encodes", mustMint(t, "HS256", []byte(std), claims), secret, []diag.Code{diag.TokenSecretEncoding}, "base64-encoded (standard, padded)"},
		{"signer hex-decodes", mustMint(t, "HS256", secret, claims), []byte(hex.EncodeToString(secret)), []diag.Code{diag.TokenSecretEncoding}, "hex-decoded"},
		{"signer hex-encodes", mustMint(t, "HS256", []byte(hex.EncodeToString(secret)), claims), secret, []diag.Code{diag.TokenSecretEncoding}, "hex-encoded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckSignature(mustParse(t, tt.token), tt.secret)
			if !sameCodes(got, tt.want) {
				t.Fatalf("CheckSignature() codes = %v, want %v (%v)", codes(got), tt.want, got)
			}
			if tt.wantMsg != "" && !strings.Contains(got[0].Observed, tt.wantMsg) {
				t.Errorf("CheckSignature() observed = %q, want it to contain %q", got[0].Observed, tt.wantMsg)
			}
		})
	}
}
