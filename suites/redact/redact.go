// Package redact turns secrets and tokens into forms safe to print: a short
// fingerprint for keys, a token without its signature, a Set-Cookie line
// whose value is cut to a short prefix. Every byte mfconform writes to the
// terminal or a report that came near a secret goes through here.
package redact

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
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

// maxSegment is the longest header or payload Token keeps whole: a cookie
// holds at most 4096 bytes, so a longer segment is never a real token's.
const maxSegment = 4096

// Token drops a compact JWS's signature: "header.payload.<signature dropped>".
// Header and payload are public (base64url JSON) and show what was sent;
// without the signature the token cannot be replayed. A header or payload
// longer than 4096 bytes keeps its first 4096 and says how long it was.
// Anything that is not three dot-separated segments is cut to a prefix.
func Token(tok string) string {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return Prefix(tok)
	}
	shown := segment(parts[0]) + "." + segment(parts[1])
	if parts[2] == "" {
		return shown + ".<no signature>"
	}
	return shown + ".<signature dropped>"
}

// segment cuts a header or payload segment to maxSegment bytes.
func segment(s string) string {
	if len(s) <= maxSegment {
		return s
	}
	cut := maxSegment
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…(" + strconv.Itoa(len(s)) + " bytes)"
}

// prefixLen is how much of an opaque value Prefix keeps.
const prefixLen = 12

// Prefix keeps the first few characters of an opaque value and says how long
// it was: "eyJhbGciOiJI…(231 bytes)".
func Prefix(v string) string {
	if v == "" {
		return "(empty)"
	}
	cut := prefixLen
	if len(v) <= prefixLen {
		cut = len(v) / 2 // a short value keeps half
	}
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut-- // never split a multi-byte character
	}
	return v[:cut] + "…(" + strconv.Itoa(len(v)) + " bytes)"
}

// cookieAttributes are the Set-Cookie attributes whose values are kept.
var cookieAttributes = map[string]bool{
	"domain": true, "path": true, "expires": true, "max-age": true, "samesite": true,
	"secure": true, "httponly": true, "partitioned": true, "priority": true,
}

// maxFlag is the longest unknown value-less attribute SetCookie keeps:
// attribute names are short words, a longer one is likely a value that
// lost its name (a ';' typed for '=').
const maxFlag = 16

// SetCookie redacts the cookie values of a Set-Cookie or Cookie line while
// keeping the names and every attribute:
// "mf_jwt_token=eyJhbGciOiJI…(231 bytes); Domain=…". Every name=value pair
// that is not a known attribute is treated as a cookie and redacted, and
// so is a value-less part longer than any attribute name.
func SetCookie(line string) string {
	parts := strings.Split(line, ";")
	for i, part := range parts {
		name, value, ok := strings.Cut(part, "=")
		switch {
		case i > 0 && cookieAttributes[strings.ToLower(strings.TrimSpace(name))]:
		case !ok && i == 0:
			parts[i] = Prefix(part)
		case !ok && len(strings.TrimSpace(part)) > maxFlag:
			parts[i] = " " + Prefix(strings.TrimSpace(part))
		case ok:
			parts[i] = name + "=" + Prefix(strings.TrimSpace(value))
		}
	}
	return strings.Join(parts, ";")
}

// Secrets replaces every occurrence of each secret of 4 bytes or more (and of tokens, with
// their signatures dropped) in s. It is the last line of defence for free
// text; prefer building output from redacted parts in the first place.
func Secrets(s string, secrets ...string) string {
	// Longest first, so a secret that starts another cannot leave the
	// other's tail behind.
	secrets = slices.Clone(secrets)
	slices.SortFunc(secrets, func(a, b string) int { return len(b) - len(a) })
	for _, sec := range secrets {
		if len(sec) < 4 {
			continue
		}
		s = strings.ReplaceAll(s, sec, "<redacted "+Fingerprint([]byte(sec))+">")
	}
	return s
}

// Set is the run's known secret values — keys, passwords, whole tokens —
// and how each is shown instead: a key as its fingerprint, a token without
// its signature. Everything a target sends passes through Clean before it
// is stored, so an app that echoes a token back (as a user_id, in an error
// page) cannot carry it into a report.
//
// A run has one, a value the runner makes and passes on (env.Env.Known,
// judge.Board): the runner registers the URLs it was given, the gathers
// what they learn (the operator's keys, the backend's token, every minted
// probe, Supabase tokens), and the judge cleans every finding and piece of
// evidence with it before Ginkgo or a report sees them. The zero Set is
// empty and ready to use.
type Set struct {
	mu     sync.RWMutex
	values map[string]string // value → its replacement
}

// minSecret is the shortest value Set replaces: shorter ones would match
// ordinary text.
const minSecret = 8

// AddSecret registers keys and passwords, shown as "<redacted sha256:…>".
func (s *Set) AddSecret(vs ...string) {
	s.add(func(v string) string { return "<redacted " + Fingerprint([]byte(v)) + ">" }, vs)
}

// AddToken registers whole signed tokens, shown without their signature;
// an unsigned one (an empty third segment) holds nothing secret.
func (s *Set) AddToken(vs ...string) {
	var signed []string
	for _, v := range vs {
		if parts := strings.Split(v, "."); len(parts) != 3 || parts[2] != "" {
			signed = append(signed, v)
		}
	}
	s.add(Token, signed)
}

func (s *Set) add(show func(string) string, vs []string) { s.addMin(show, vs, minSecret) }

// addMin registers the values of vs at least min bytes long.
func (s *Set) addMin(show func(string) string, vs []string, min int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.values == nil {
		s.values = map[string]string{}
	}
	for _, v := range vs {
		if len(v) >= min {
			s.values[v] = show(v)
		}
	}
}

// Clean replaces every known value in text, longest first (so a token
// that contains a key is replaced whole).
func (s *Set) Clean(text string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.values) == 0 || len(text) < minUserinfo {
		return text
	}
	keys := make([]string, 0, len(s.values))
	for k := range s.values {
		if strings.Contains(text, k) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return text
	}
	// One pass, longest first: a replacement is never matched again.
	slices.SortFunc(keys, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		pairs = append(pairs, k, s.values[k])
	}
	return strings.NewReplacer(pairs...).Replace(text)
}
