package jwtcheck

import (
	"fmt"
	"strings"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/redact"
)

// MinSecretLen is the shortest AUTH_SECRET_KEY accepted: 256 bits, the
// HS256 hash size (RFC 7518 §3.2).
const MinSecretLen = 32

// placeholders are well-known public key strings, keyed by their
// normalised form (lower case, no space, '-', '_' or '.'), with the
// spelling to name in a report and where it comes from.
var placeholders = map[string]string{
	"yoursecretkey":    "YOUR_SECRET_KEY (the vendor page's placeholder)",
	"secret":           "secret",
	"secretkey":        "secret_key",
	"changeme":         "changeme",
	"changethis":       "changethis",
	"replaceme":        "replace-me",
	"password":         "password",
	"your256bitsecret": "your-256-bit-secret (jwt.io's default)",
	"your384bitsecret": "your-384-bit-secret (jwt.io's default)",
	"your512bitsecret": "your-512-bit-secret (jwt.io's default)",
	"supersecret":      "supersecret",
	"supersecretkey":   "supersecretkey",
	"jwtsecret":        "jwt_secret",
	"jwtsecretkey":     "jwt_secret_key",
	"authsecretkey":    "AUTH_SECRET_KEY",
	"mysecret":         "mysecret",
	"mysecretkey":      "mysecretkey",
	"yoursecret":       "your_secret",
	"test":             "test",
	"testsecret":       "test_secret",
	"default":          "default",
	"example":          "example",
	"key":              "key",
	"privatekey":       "private_key",
	"admin":            "admin",
	"123456":           "123456",
	"qwerty":           "qwerty",
	"shhhhh":           "shhhhh (express-jwt's example)",
	"keyboardcat":      "keyboard cat (express-session's example)",
	"notasecret":       "notasecret",
	"yoursupersecretjwttokenwithatleast32characterslong": "your-super-secret-jwt-token-with-at-least-32-characters-long (Supabase self-hosting example)",
}

// normalisePlaceholder folds a key for comparison with placeholders.
func normalisePlaceholder(s string) string {
	s = strings.ToLower(strings.Trim(strings.TrimSpace(s), `"'`))
	return strings.NewReplacer(" ", "", "-", "", "_", "", ".", "").Replace(s)
}

// CheckSecret reports SECRET_WEAK when secret is empty, shorter than
// MinSecretLen bytes, a well-known placeholder (compared trimmed, without
// quotes, case and '-'/'_' insensitive), or one byte repeated. It never
// echoes the secret: only its length and fingerprint, and the public name
// of a placeholder it matches. All reasons found go into one diagnostic.
func CheckSecret(secret []byte) []diag.Diagnostic {
	expected := fmt.Sprintf("a random AUTH_SECRET_KEY of at least %d bytes", MinSecretLen)
	if len(secret) == 0 {
		return []diag.Diagnostic{diag.New(diag.SecretWeak, expected, "AUTH_SECRET_KEY is empty")}
	}
	var why []string
	if name, ok := placeholders[normalisePlaceholder(string(secret))]; ok {
		why = append(why, "it matches the well-known placeholder "+name)
	}
	if len(secret) < MinSecretLen {
		why = append(why, fmt.Sprintf("it is %d bytes (%d bits); HS256 needs at least %d bytes (RFC 7518 §3.2)", len(secret), 8*len(secret), MinSecretLen))
	}
	if len(secret) > 1 && strings.Count(string(secret), string(secret[:1])) == len(secret) {
		why = append(why, fmt.Sprintf("all %d bytes are the same character", len(secret)))
	}
	if len(why) == 0 {
		return nil
	}
	return []diag.Diagnostic{diag.Newf(diag.SecretWeak, expected,
		"AUTH_SECRET_KEY %s (%d bytes): %s", redact.Fingerprint(secret), len(secret), strings.Join(why, "; "))}
}
