package jwtcheck

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/redact"
)

// CheckAlg reports TOKEN_ALG_NOT_HS256 when the header's alg is missing, not
// a string, or anything but exactly "HS256" (alg values are case-sensitive,
// RFC 7515 §4.1.1). typ may be absent or "JWT"; it is not judged.
func CheckAlg(p *Parsed) []diag.Diagnostic {
	const expected = `header "alg": "HS256"`
	v, ok := p.Header["alg"]
	if !ok {
		return []diag.Diagnostic{diag.New(diag.TokenAlgNotHS256, expected, "the header has no alg")}
	}
	alg, isString := v.(string)
	switch {
	case !isString:
		return []diag.Diagnostic{diag.Newf(diag.TokenAlgNotHS256, expected, "alg is a JSON %s: %s", jsonType(v), jsonText(v))}
	case alg == "HS256":
		return nil
	case isNone(alg):
		return []diag.Diagnostic{diag.Newf(diag.TokenAlgNotHS256, expected, "alg %s: the token is unsigned", jsonText(alg))}
	case strings.EqualFold(alg, "HS256"):
		return []diag.Diagnostic{diag.Newf(diag.TokenAlgNotHS256, expected, "alg %s: algorithm names are case-sensitive", jsonText(alg))}
	case alg == "HS384" || alg == "HS512":
		return []diag.Diagnostic{diag.Newf(diag.TokenAlgNotHS256, expected, "alg %s: HMAC with the wrong hash; Miiflow expects HS256", jsonText(alg))}
	}
	return []diag.Diagnostic{diag.Newf(diag.TokenAlgNotHS256, expected, "alg %s: Miiflow verifies HS256 with AUTH_SECRET_KEY", jsonText(alg))}
}

// isNone reports whether alg is "none" in any letter case.
func isNone(alg string) bool { return strings.EqualFold(alg, "none") }

// CheckSignature verifies the token's HMAC signature with secret
// (hmac.Equal), using the hash the header's alg names (HS256, HS384,
// HS512; for any other alg the hash whose size matches the signature,
// else SHA-256). A token signed correctly under HS384/HS512 yields nothing
// here: that is CheckAlg's finding, not a key problem.
//
// When secret does not verify, it tries variants and names the first that
// does: TOKEN_SECRET_WHITESPACE (a trailing newline, CRLF or space, the key
// trimmed, wrapped in or stripped of quotes) or TOKEN_SECRET_ENCODING (the
// key base64- or hex-decoded or -encoded). Otherwise, and for an unsigned
// token, it reports TOKEN_SIGNATURE_MISMATCH. Keys appear only as
// fingerprints.
func CheckSignature(p *Parsed, secret []byte) []diag.Diagnostic {
	fp := redact.Fingerprint(secret)
	alg, _ := p.Alg()
	newHash, macName := macFor(alg, len(p.signature))
	expected := fmt.Sprintf("an %s signature made with AUTH_SECRET_KEY %s", macName, fp)
	if isNone(alg) || len(p.signature) == 0 {
		return []diag.Diagnostic{diag.Newf(diag.TokenSignatureMismatch, "an HMAC-SHA256 signature made with AUTH_SECRET_KEY "+fp,
			"token is unsigned (alg %s, empty signature)", jsonText(p.Header["alg"])).
			Proven("The backend's token carries no signature at all: no key, the right one included, can verify it.",
				"the token's header and its empty signature segment (evidence token)")}
	}
	if verifies(newHash, p.signingInput, p.signature, secret) {
		return nil
	}
	for _, v := range keyVariants(secret) {
		if verifies(newHash, p.signingInput, p.signature, v.key) {
			return []diag.Diagnostic{diag.Newf(v.code, expected,
				"the signature verifies with %s (%s), not with AUTH_SECRET_KEY as given (%s): %s",
				v.what, redact.Fingerprint(v.key), fp, v.meaning)}
		}
	}
	obs := fmt.Sprintf("AUTH_SECRET_KEY %s does not verify it (%s, %d-byte signature); no whitespace, quote, base64 or hex variant of that key does either",
		fp, macName, len(p.signature))
	if alg != "" && !strings.HasPrefix(alg, "HS") {
		obs += fmt.Sprintf("; alg %s is not an HMAC algorithm, so no shared key can verify it", jsonText(alg))
	}
	return []diag.Diagnostic{diag.New(diag.TokenSignatureMismatch, expected, obs)}
}

// macFor picks the HMAC hash for alg, falling back to the signature size.
func macFor(alg string, sigLen int) (func() hash.Hash, string) {
	switch {
	case alg == "HS384" || alg != "HS256" && alg != "HS512" && sigLen == sha512.Size384:
		return sha512.New384, "HMAC-SHA384"
	case alg == "HS512" || alg != "HS256" && sigLen == sha512.Size:
		return sha512.New, "HMAC-SHA512"
	}
	return sha256.New, "HMAC-SHA256"
}

// verifies reports whether sig is the HMAC of input under key.
func verifies(newHash func() hash.Hash, input string, sig, key []byte) bool {
	m := hmac.New(newHash, key)
	m.Write([]byte(input))
	return hmac.Equal(m.Sum(nil), sig)
}

// keyVariant is one plausible mangling of AUTH_SECRET_KEY.
type keyVariant struct {
	code    diag.Code
	key     []byte
	what    string // how the key differs, never the key itself
	meaning string // what that says about the deployment
}

// keyVariants lists the distinct manglings of secret CheckSignature tries,
// whitespace and quotes first, then encodings.
func keyVariants(secret []byte) []keyVariant {
	s := string(secret)
	seen := map[string]bool{s: true, "": true}
	var out []keyVariant
	add := func(code diag.Code, key, what, meaning string) {
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, keyVariant{code: code, key: []byte(key), what: what, meaning: meaning})
	}
	const signerExtra = "the signing side's key has it, the key given to mfconform does not"
	const givenExtra = "the key given to mfconform has it, the signing side's key does not"
	ws := diag.TokenSecretWhitespace
	add(ws, s+"\n", `AUTH_SECRET_KEY followed by a newline ("\n")`, signerExtra+" — a key read from a file or set with echo")
	add(ws, s+"\r\n", `AUTH_SECRET_KEY followed by CRLF ("\r\n")`, signerExtra+" — a key file with Windows line endings")
	add(ws, s+" ", "AUTH_SECRET_KEY followed by a space", signerExtra)
	add(ws, " "+s, "AUTH_SECRET_KEY preceded by a space", signerExtra)
	add(ws, strings.TrimSpace(s), "AUTH_SECRET_KEY with its surrounding whitespace removed", givenExtra)
	add(ws, `"`+s+`"`, "AUTH_SECRET_KEY wrapped in double quotes", signerExtra+" — quotes from an env or YAML file became part of the value")
	add(ws, "'"+s+"'", "AUTH_SECRET_KEY wrapped in single quotes", signerExtra+" — quotes from an env or YAML file became part of the value")
	add(ws, strings.Trim(s, `"'`), "AUTH_SECRET_KEY with its quotes stripped", givenExtra)
	add(ws, strings.Trim(strings.TrimSpace(s), `"'`), "AUTH_SECRET_KEY with surrounding whitespace and quotes removed", givenExtra)

	enc := diag.TokenSecretEncoding
	encodings := []struct {
		name string
		e    *base64.Encoding
	}{
		{"standard, padded", base64.StdEncoding},
		{"standard, unpadded", base64.RawStdEncoding},
		{"URL-safe, padded", base64.URLEncoding},
		{"URL-safe, unpadded", base64.RawURLEncoding},
	}
	for _, e := range encodings {
		if b, err := e.e.DecodeString(s); err == nil {
			add(enc, string(b), "AUTH_SECRET_KEY base64-decoded ("+e.name+")", "the signing side decodes the key from base64 before using it, the other side uses the text as is")
		}
	}
	for _, e := range encodings {
		add(enc, e.e.EncodeToString(secret), "AUTH_SECRET_KEY base64-encoded ("+e.name+")", "the signing side uses the base64 text of the key, the other side the raw key")
	}
	if b, err := hex.DecodeString(s); err == nil {
		add(enc, string(b), "AUTH_SECRET_KEY hex-decoded", "the signing side decodes the key from hex before using it, the other side uses the text as is")
	}
	add(enc, hex.EncodeToString(secret), "AUTH_SECRET_KEY hex-encoded (lower case)", "the signing side uses the hex text of the key, the other side the raw key")
	add(enc, strings.ToUpper(hex.EncodeToString(secret)), "AUTH_SECRET_KEY hex-encoded (upper case)", "the signing side uses the hex text of the key, the other side the raw key")
	return out
}
