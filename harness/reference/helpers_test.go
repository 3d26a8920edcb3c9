package reference

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// testNow is the fixed clock of the table tests.
var testNow = time.Unix(1767225600, 0)

// testKey is the AUTH_SECRET_KEY of the table tests.
var testKey = []byte("0123456789abcdef0123456789abcdef")

// signed signs claims with method and key, failing the test on error.
func signed(t *testing.T, method jwt.SigningMethod, claims jwt.MapClaims, key []byte) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatalf("SignedString(%s) error = %v", method.Alg(), err)
	}
	return s
}

// rawToken assembles a token from a header object, a payload object and a
// signature segment, without signing.
func rawToken(t *testing.T, header, payload map[string]any, sig string) string {
	t.Helper()
	return segment(t, header) + "." + segment(t, payload) + "." + sig
}

func segment(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json.Marshal() error = %v", err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// identityClaims are the documented claims with an integer exp d from testNow.
func identityClaims(d time.Duration) jwt.MapClaims {
	return jwt.MapClaims{
		"user_id": "user123", "first_name": "John", "last_name": "Doe",
		"email": "john.doe@example.com", "exp": testNow.Add(d).Unix(),
	}
}

// with returns a copy of c with k set to v, or deleted when v is nil.
func with(c jwt.MapClaims, k string, v any) jwt.MapClaims {
	out := jwt.MapClaims{}
	for key, val := range c {
		out[key] = val
	}
	if v == nil {
		delete(out, k)
	} else {
		out[k] = v
	}
	return out
}

// decodePayload decodes a token's payload segment, keeping numbers as
// json.Number so their JSON type and text stay visible.
func decodePayload(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d segments, want 3", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("decode payload: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode payload JSON: %v", err)
	}
	return m
}

func decodeSegmentForTest(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(s)
}
