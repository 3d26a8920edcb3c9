// Package redact turns secrets and tokens into forms safe to print: a short
// fingerprint for keys, a token without its signature, a Set-Cookie line
// whose value is cut to a short prefix. Every byte mfconform writes to the
// terminal or a report that came near a secret goes through here.
package redact

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// Fingerprint returns "sha256:" and the first 8 hex digits of SHA-256 of
// secret, so an operator can compare two services' keys without seeing them.
// An empty secret gives "(empty)".
func Fingerprint(secret []byte) string {
	if len(secret) == 0 {
		return "(empty)"
	}
	sum := sha256.Sum256(secret)
	return "sha256:" + hex.EncodeToString(sum[:4])
}

// Token drops a compact JWS's signature: "header.payload.<sig:N bytes dropped>".
// Header and payload are public (base64url JSON) and show what was sent;
// without the signature the token cannot be replayed. Anything that is not
// three dot-separated segments is cut to a prefix.
func Token(tok string) string {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return Prefix(tok)
	}
	if parts[2] == "" {
		return parts[0] + "." + parts[1] + ".<no signature>"
	}
	return parts[0] + "." + parts[1] + ".<signature dropped>"
}

// prefixLen is how much of an opaque value Prefix keeps.
const prefixLen = 12

// Prefix keeps the first few characters of an opaque value and says how long
// it was: "eyJhbGciOiJI…(231 bytes)".
func Prefix(v string) string {
	if len(v) <= prefixLen {
		if v == "" {
			return "(empty)"
		}
		return v[:len(v)/2] + "…(" + strconv.Itoa(len(v)) + " bytes)"
	}
	return v[:prefixLen] + "…(" + strconv.Itoa(len(v)) + " bytes)"
}

// SetCookie redacts the value of a Set-Cookie or Cookie line while keeping
// the name and every attribute: "mf_jwt_token=eyJhbGciOiJI…(231 bytes); Domain=…".
func SetCookie(line string) string {
	first, rest, hasRest := strings.Cut(line, ";")
	name, value, ok := strings.Cut(first, "=")
	if !ok {
		return Prefix(first) + restOf(rest, hasRest)
	}
	return name + "=" + Prefix(strings.TrimSpace(value)) + restOf(rest, hasRest)
}

// Secrets replaces every occurrence of each secret (and of tokens, with
// their signatures dropped) in s. It is the last line of defence for free
// text; prefer building output from redacted parts in the first place.
func Secrets(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) < 4 {
			continue
		}
		s = strings.ReplaceAll(s, sec, "<redacted "+Fingerprint([]byte(sec))+">")
	}
	return s
}

func restOf(rest string, has bool) string {
	if !has {
		return ""
	}
	return ";" + rest
}
