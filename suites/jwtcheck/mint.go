package jwtcheck

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/golang-jwt/jwt/v5"
)

// Mint signs claims into a compact JWS. alg HS256, HS384 and HS512 sign
// with key via golang-jwt; "none" in any letter case ("none", "None",
// "NONE", "nOnE"…) yields an unsigned token whose header carries exactly
// that alg string and whose signature segment is empty (key is ignored).
// The header is {"alg":…,"typ":"JWT"}. An HMAC alg with an empty key is an
// error; nil claims mint an empty payload {}. Errors never contain the key.
func Mint(alg string, key []byte, claims map[string]any) (string, error) {
	if claims == nil {
		claims = map[string]any{}
	}
	if isNone(alg) {
		header, err := json.Marshal(map[string]any{"alg": alg, "typ": "JWT"})
		if err != nil {
			return "", fmt.Errorf("mint %s token: header: %w", alg, err)
		}
		payload, err := json.Marshal(claims)
		if err != nil {
			return "", fmt.Errorf("mint %s token: claims: %w", alg, err)
		}
		return b64(header) + "." + b64(payload) + ".", nil
	}
	var method jwt.SigningMethod
	switch alg {
	case "HS256":
		method = jwt.SigningMethodHS256
	case "HS384":
		method = jwt.SigningMethodHS384
	case "HS512":
		method = jwt.SigningMethodHS512
	default:
		return "", fmt.Errorf("mint token: unsupported alg %q (want HS256, HS384, HS512 or none)", alg)
	}
	if len(key) == 0 {
		return "", fmt.Errorf("mint %s token: empty key", alg)
	}
	tok, err := jwt.NewWithClaims(method, jwt.MapClaims(claims)).SignedString(key)
	if err != nil {
		return "", fmt.Errorf("mint %s token: %w", alg, err)
	}
	return tok, nil
}

// b64 is unpadded base64url, the JWS segment encoding.
func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
