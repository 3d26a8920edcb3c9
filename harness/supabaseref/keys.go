package supabaseref

import (
	"crypto/rand"
	"fmt"
	"hash/crc32"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Character sets of generated secrets and keys.
const (
	alnum      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	keyChars   = alnum + "_-"
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
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

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// newJWTSecret returns a random 40-character project JWT secret.
func newJWTSecret() []byte { return []byte(randomString(alnum, 40)) }

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

// projectKeys are a project's real keys.
type projectKeys struct {
	anon, serviceRole, publishable, secret string
}

// newProjectKeys makes the keys of project ref signed with secret.
func newProjectKeys(secret []byte, ref string, now time.Time, expired bool) (projectKeys, error) {
	anon, err := legacyKey(secret, ref, "anon", now, expired)
	if err != nil {
		return projectKeys{}, err
	}
	service, err := legacyKey(secret, ref, "service_role", now, expired)
	if err != nil {
		return projectKeys{}, err
	}
	return projectKeys{
		anon:        anon,
		serviceRole: service,
		publishable: newOpaqueKey("sb_publishable_"),
		secret:      newOpaqueKey("sb_secret_"),
	}, nil
}

// configuredKey returns the key the deployment puts in
// NEXT_PUBLIC_SUPABASE_KEY for p, before KeyMangle.
func configuredKey(p Profile, k projectKeys, now time.Time) (string, error) {
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
		return legacyKey(newJWTSecret(), p.Ref, "anon", now, p.KeyExpired)
	default:
		return "", fmt.Errorf("unknown key kind %q", p.Key)
	}
}
