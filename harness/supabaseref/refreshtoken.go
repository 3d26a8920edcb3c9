package supabaseref

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"regexp"
)

// Layout of a v2 refresh token (GoTrue internal/crypto/refresh_tokens.go,
// RefreshToken.Encode / ParseRefreshToken): a version octet 0, the session
// UUID (16 octets), the counter as an unsigned varint, the first 16 octets
// of HMAC-SHA-256 over all of that with the session's key, then the first 4
// octets of SHA-256 over everything before them; base64url, unpadded.
const (
	rtSignatureLen = 16
	rtChecksumLen  = 4
	rtMinLen       = 1 + 16 + 1 + rtSignatureLen + rtChecksumLen
)

// legacyRefreshTokenRE is the shape of a 12-character (v1) refresh token
// the grant accepts (GoTrue internal/api/token_refresh.go
// legacyRefreshTokenPattern).
var legacyRefreshTokenRE = regexp.MustCompile(`^[a-z0-9]{12}$`)

// v2RefreshToken is a decoded v2 refresh token.
type v2RefreshToken struct {
	session [16]byte
	counter int64
	signed  []byte // the octets the signature covers
	sig     []byte
}

// encodeV2RefreshToken returns the v2 refresh token of session at counter,
// signed with key. The same inputs always give the same token, which is how
// GoTrue hands the active token back on an allowed reuse.
func encodeV2RefreshToken(session [16]byte, counter int64, key []byte) string {
	b := make([]byte, 0, rtMinLen+8)
	b = append(b, 0)
	b = append(b, session[:]...)
	b = binary.AppendUvarint(b, uint64(max(counter, 0)))
	b = append(b, rtSignature(b, key)...)
	sum := sha256.Sum256(b)
	b = append(b, sum[:rtChecksumLen]...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// rtSignature is the truncated HMAC-SHA-256 of msg with key.
func rtSignature(msg, key []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(msg)
	return h.Sum(nil)[:rtSignatureLen]
}

// parseV2RefreshToken decodes s, checking its version, checksum and length
// but not its signature.
func parseV2RefreshToken(s string) (v2RefreshToken, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < rtMinLen || b[0] != 0 {
		return v2RefreshToken{}, false
	}
	body := b[:len(b)-rtChecksumLen]
	sum := sha256.Sum256(body)
	if !bytes.Equal(sum[:rtChecksumLen], b[len(body):]) {
		return v2RefreshToken{}, false
	}
	var t v2RefreshToken
	copy(t.session[:], body[1:17])
	counter, n := binary.Uvarint(body[17:])
	if n <= 0 || len(body[17+n:]) != rtSignatureLen {
		return v2RefreshToken{}, false
	}
	t.counter = int64(min(counter, 1<<63-1))
	t.signed, t.sig = body[:17+n], body[17+n:]
	return t, true
}

// signedBy reports whether t's signature was made with key.
func (t v2RefreshToken) signedBy(key []byte) bool {
	return hmac.Equal(rtSignature(t.signed, key), t.sig)
}

// validRefreshTokenShape is GoTrue internal/api/token_refresh.go
// RefreshTokenGrantParams.Validate: at least 12 characters; exactly 12 must
// be lower-case alphanumerics (a v1 token); longer must decode as a v2
// token.
func validRefreshTokenShape(s string) bool {
	switch {
	case len(s) < 12:
		return false
	case len(s) == 12:
		return legacyRefreshTokenRE.MatchString(s)
	default:
		_, ok := parseV2RefreshToken(s)
		return ok
	}
}
