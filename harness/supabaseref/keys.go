package supabaseref

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Character sets of generated secrets and keys.
const (
	alnum    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	keyChars = alnum + "_-"
	// base32Lower is the alphabet of GoTrue's v1 refresh tokens: GoTrue
	// internal/crypto/crypto.go SecureAlphanumeric lower-cases unpadded
	// standard base32.
	base32Lower = "abcdefghijklmnopqrstuvwxyz234567"
)

// otherRef is the project ref of KeyOtherProject's key.
const otherRef = "zyxwvutsrqponmlkjihg"

// legacyKeyLifetime is how long hosted legacy keys last (about ten years).
const legacyKeyLifetime = 10 * 365 * 24 * time.Hour

// randomString returns n characters drawn uniformly from chars (at most 256
// characters) with crypto/rand.
func randomString(chars string, n int) string {
	limit := 256 - 256%len(chars) // reject bytes that would bias the draw
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/2+8)
	for len(out) < n {
		_, _ = rand.Read(buf) // never fails (crypto/rand since Go 1.24)
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, chars[int(b)%len(chars)])
			}
		}
	}
	return string(out)
}

// newUUID returns a random (version 4) UUID in its canonical text form.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return uuidString(b)
}

// uuidString is b in the canonical UUID text form.
func uuidString(b [16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// parseUUID parses the canonical text form of a UUID.
func parseUUID(s string) ([16]byte, bool) {
	var b [16]byte
	if !uuidRE.MatchString(s) {
		return b, false
	}
	if _, err := hex.Decode(b[:], []byte(strings.ReplaceAll(s, "-", ""))); err != nil {
		return b, false
	}
	return b, true
}

// newJWTSecret returns a random 40-character project JWT secret.
func newJWTSecret() []byte { return []byte(randomString(alnum, 40)) }

// newPassword returns a random 24-character test user password (about 143
// bits): within GoTrue's 6 to 72 characters, and no guess of another
// local user's.
func newPassword() string { return randomString(alnum, 24) }

// newOpaqueKey returns a new-style API key: prefix, 22 random characters,
// "_" and an 8-character checksum (CRC-32 of what precedes it, in hex).
func newOpaqueKey(prefix string) string {
	body := prefix + randomString(keyChars, 22)
	return fmt.Sprintf("%s_%08x", body, crc32.ChecksumIEEE([]byte(body)))
}

// legacyKey signs a hosted-style legacy API key for ref and role with
// secret. expired makes it issued two days ago and expired a day ago.
func legacyKey(secret []byte, ref, role string, now time.Time, expired bool) (string, error) {
	iat, exp := now, now.Add(legacyKeyLifetime)
	if expired {
		iat, exp = now.Add(-48*time.Hour), now.Add(-24*time.Hour)
	}
	claims := jwt.MapClaims{"iss": "supabase", "ref": ref, "role": role, "iat": iat.Unix(), "exp": exp.Unix()}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
	if err != nil {
		return "", fmt.Errorf("sign %s key: %w", role, err)
	}
	return s, nil
}

// projectKeys are a project's real keys, plus the stale anon key a
// KeyStale gateway still accepts.
type projectKeys struct {
	anon, serviceRole, publishable, secret string
	// stale is an anon key signed with the previous JWT secret that the
	// gateway accepts; empty unless the profile's Key is KeyStale.
	stale string
}

// newProjectKeys makes the keys of project ref signed with secret; with
// stale it adds an anon key signed with previous.
func newProjectKeys(secret, previous []byte, ref string, now time.Time, expired, stale bool) (projectKeys, error) {
	anon, err := legacyKey(secret, ref, "anon", now, expired)
	if err != nil {
		return projectKeys{}, err
	}
	service, err := legacyKey(secret, ref, "service_role", now, expired)
	if err != nil {
		return projectKeys{}, err
	}
	k := projectKeys{
		anon:        anon,
		serviceRole: service,
		publishable: newOpaqueKey("sb_publishable_"),
		secret:      newOpaqueKey("sb_secret_"),
	}
	if stale {
		if k.stale, err = legacyKey(previous, ref, "anon", now, expired); err != nil {
			return projectKeys{}, err
		}
	}
	return k, nil
}

// configuredKey returns the key the deployment puts in
// NEXT_PUBLIC_SUPABASE_KEY for p, before KeyMangle; previous is the
// project's previous JWT secret (KeyRotated, KeyStale).
func configuredKey(p Profile, k projectKeys, previous []byte, now time.Time) (string, error) {
	switch p.Key {
	case KeyAnon, "":
		return k.anon, nil
	case KeyPublishable:
		return k.publishable, nil
	case KeyServiceRole:
		return k.serviceRole, nil
	case KeySecret:
		return k.secret, nil
	case KeyOtherProject:
		return legacyKey(newJWTSecret(), otherRef, "anon", now, p.KeyExpired)
	case KeyRotated:
		return legacyKey(previous, p.Ref, "anon", now, p.KeyExpired)
	case KeyStale:
		return k.stale, nil
	default:
		return "", fmt.Errorf("unknown key kind %q", p.Key)
	}
}
