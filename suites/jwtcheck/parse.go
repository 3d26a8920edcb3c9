package jwtcheck

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/redact"
	"github.com/mfconform/mfconform/suites/result"
)

// Parsed is a decoded compact JWS. Header and Claims are decoded with
// json.Decoder.UseNumber, so a number keeps its JSON text (integer,
// fractional or too large for float64) as a json.Number. The raw token and
// its signature are unexported; String, GoString and Format print only the
// redacted token, so a Parsed is safe to log with any fmt verb.
type Parsed struct {
	Header map[string]any
	Claims map[string]any

	raw          string
	signingInput string
	signature    []byte
}

// Parse decodes token as a compact JWS (RFC 7515 §7.1). On failure it
// returns nil and one TOKEN_MALFORMED diagnostic naming the part that
// failed: the segment count, the base64url of the header, payload or
// signature, or the header or payload JSON. An empty signature segment is
// not a parse error (an unsigned token parses; CheckSignature reports it).
func Parse(token string) (*Parsed, []diag.Diagnostic) {
	malformed := func(format string, args ...any) (*Parsed, []diag.Diagnostic) {
		what := fmt.Sprintf(format, args...)
		if hint := wrapperHint(token); hint != "" {
			what += "; " + hint
		}
		return nil, []diag.Diagnostic{diag.Newf(diag.TokenMalformed,
			"header.payload.signature: three base64url segments, header and payload JSON objects",
			"%s (token %s)", what, redact.Token(token))}
	}
	if token == "" {
		return malformed("the token is empty")
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return malformed("%d dot-separated segment(s), want 3", len(parts))
	}
	headerJSON, err := decodeSegment(parts[0])
	if err != nil {
		return malformed("header segment is not base64url: %v", err)
	}
	payloadJSON, err := decodeSegment(parts[1])
	if err != nil {
		return malformed("payload segment is not base64url: %v", err)
	}
	sig, err := decodeSegment(parts[2])
	if err != nil {
		return malformed("signature segment is not base64url: %v", err)
	}
	header, err := decodeObject(headerJSON)
	if err != nil {
		return malformed("header is not a JSON object: %v", err)
	}
	claims, err := decodeObject(payloadJSON)
	if err != nil {
		return malformed("payload is not a JSON object: %v", err)
	}
	return &Parsed{
		Header:       header,
		Claims:       claims,
		raw:          token,
		signingInput: parts[0] + "." + parts[1],
		signature:    sig,
	}, nil
}

// Redacted returns the token without its signature (redact.Token).
func (p Parsed) Redacted() string { return redact.Token(p.raw) }

// String returns the redacted token.
func (p Parsed) String() string { return p.Redacted() }

// GoString returns the redacted token, so %#v reveals no signature either.
func (p Parsed) GoString() string { return "jwtcheck.Parsed(" + p.Redacted() + ")" }

// Format prints the redacted token for every verb.
func (p Parsed) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		io.WriteString(f, p.GoString())
		return
	}
	io.WriteString(f, p.Redacted())
}

// Alg returns the header's alg and whether it is a JSON string.
func (p Parsed) Alg() (string, bool) {
	s, ok := p.Header["alg"].(string)
	return s, ok
}

// SignatureLen returns the length in bytes of the decoded signature.
func (p Parsed) SignatureLen() int { return len(p.signature) }

// decodeSegment decodes unpadded base64url, explaining the usual mistakes
// (padding, the standard alphabet) instead of only the failing byte.
// Go's decoder skips '\r' and '\n', so the alphabet is checked first.
func decodeSegment(seg string) ([]byte, error) {
	switch {
	case strings.Contains(seg, "="):
		return nil, errors.New("it has '=' padding, which JWS base64url omits")
	case strings.ContainsAny(seg, "+/"):
		return nil, errors.New("it uses the standard base64 alphabet ('+' or '/'), not base64url ('-', '_')")
	}
	for i := 0; i < len(seg); i++ {
		if c := seg[i]; !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return nil, fmt.Errorf("byte %d is %q, outside the base64url alphabet", i, c)
		}
	}
	return base64.RawURLEncoding.DecodeString(seg)
}

// decodeObject decodes exactly one JSON object, keeping numbers as text.
func decodeObject(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON value")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("it is a JSON %s", jsonType(v))
	}
	return m, nil
}

// wrapperHint names a common way a token gets wrapped on its way into a
// cookie, or "".
func wrapperHint(token string) string {
	switch {
	case strings.TrimSpace(token) != token:
		return "the value has surrounding whitespace"
	case len(token) >= 2 && (token[0] == '"' && token[len(token)-1] == '"' || token[0] == '\'' && token[len(token)-1] == '\''):
		return "the value is wrapped in quotes"
	case strings.HasPrefix(token, "b'") || strings.HasPrefix(token, `b"`):
		return "the value looks like a Python bytes repr (b'…'): decode the token to str before setting the cookie"
	case strings.HasPrefix(strings.ToLower(token), "bearer "):
		return `the value starts with "Bearer ": the cookie must hold the bare token`
	case strings.Contains(token, "%2E") || strings.Contains(token, "%2e") || strings.Contains(token, "%3D"):
		return "the value looks URL-encoded"
	}
	return ""
}

// jsonType names the JSON type of a value decoded with UseNumber.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case json.Number, float64:
		return "number"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return fmt.Sprintf("%T", v)
}

// jsonText renders a decoded JSON value for an observation, cut to a
// readable length. Claim values are public (the payload is base64, not
// encrypted), so showing them reveals nothing the token does not.
func jsonText(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	const max = 80
	return result.Cut(string(b), max)
}

// SigningInput returns header.payload as signed (the input to verify a
// signature against).
func (p Parsed) SigningInput() string { return p.signingInput }

// Signature returns a copy of the decoded signature, for verifying it; it
// must never be printed.
func (p Parsed) Signature() []byte { return append([]byte(nil), p.signature...) }
