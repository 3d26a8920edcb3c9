package jwtcheck

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/redact"
)

// Probe is one token the app specs plant as the mf_jwt_token cookie to test
// the app's verifier. Token is a live credential when WantAccepted is true:
// print a Probe only through String, which redacts it.
type Probe struct {
	Name         string    // stable short name, e.g. "expired-2m"
	Token        string    // the cookie value
	WantAccepted bool      // whether a conformant app logs the user in
	Code         diag.Code // reported when the app gets it wrong
	Detail       string    // what is special about it, e.g. "exp 2m ago"
	// ExpiredBy is, for an expired probe, how long before the probes were
	// built its exp lay; a spec uses it to state the leeway an app allows.
	ExpiredBy time.Duration
	// NeedsKey marks probes that can only be built with AUTH_SECRET_KEY
	// (tokens a conformant app must accept, or must refuse for a reason
	// other than the signature).
	NeedsKey bool
}

// String names the probe and shows its token redacted.
func (p Probe) String() string {
	return fmt.Sprintf("%s (%s): %s", p.Name, p.Detail, redact.Token(p.Token))
}

// probeLifetime is the exp distance of the probes meant to be valid.
const probeLifetime = time.Hour

// Probes builds the verifier probes from identity (the claims of the test
// user; a non-empty string user_id is required, any exp is replaced),
// relative to now. Without AUTH_SECRET_KEY (secret empty) it builds only
// the probes that need no key — a conformant app refuses each:
//
//   - HS256, HS384 and HS512 signed with a key that is not AUTH_SECRET_KEY
//     (a random one, or one derived from the secret), and HS256 with the
//     signature segment stripped (APP_ACCEPTS_BAD_SIGNATURE);
//   - alg none/None/NONE/nOnE (APP_ACCEPTS_ALG_NONE).
//
// With the key it adds, marked NeedsKey:
//
//   - accepted: HS256 with an integer exp (APP_REJECTS_VALID_TOKEN) and
//     with a fractional exp as the vendor's Python example makes
//     (APP_REJECTS_FRACTIONAL_EXP);
//   - refused: expired 2m, 1h and 25h ago (APP_ACCEPTS_EXPIRED); payload
//     tampered after signing (APP_ACCEPTS_BAD_SIGNATURE); HS384 and HS512
//     with the right key (APP_ACCEPTS_OTHER_ALG); without user_id, without
//     exp (APP_ACCEPTS_MISSING_CLAIM).
//
// GarbageProbes adds cookie values that are not tokens at all.
func Probes(secret []byte, identity map[string]any, now time.Time) ([]Probe, error) {
	userID, _ := identity["user_id"].(string)
	if strings.TrimSpace(userID) == "" {
		return nil, errors.New("build probes: identity needs a non-empty string user_id")
	}
	keyed := len(secret) > 0
	validExp := now.Add(probeLifetime).Unix()
	claims := func(exp any) map[string]any {
		c := maps.Clone(identity)
		delete(c, "exp")
		if exp != nil {
			c["exp"] = exp
		}
		return c
	}
	var out []Probe
	var firstErr error
	add := func(name, alg string, key []byte, c map[string]any, want bool, code diag.Code, detail string) string {
		tok, err := Mint(alg, key, c)
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("build probe %s: %w", name, err)
		}
		out = append(out, Probe{Name: name, Token: tok, WantAccepted: want, Code: code, Detail: detail, NeedsKey: keyed && key != nil && string(key) == string(secret)})
		return tok
	}

	var valid string
	if keyed {
		valid = add("valid-integer-exp", "HS256", secret, claims(validExp), true, diag.AppRejectsValidToken,
			"HS256, right key, integer exp in "+human(probeLifetime))
		add("valid-fractional-exp", "HS256", secret, claims(float64(validExp)+0.123456), true, diag.AppRejectsFractionalExp,
			"HS256, right key, fractional exp in "+human(probeLifetime)+" (the vendor example's shape)")
		for _, ago := range []time.Duration{2 * time.Minute, time.Hour, 25 * time.Hour} {
			add("expired-"+human(ago), "HS256", secret, claims(now.Add(-ago).Unix()), false, diag.AppAcceptsExpired,
				"exp "+human(ago)+" ago")
			out[len(out)-1].ExpiredBy = ago
		}
	}

	other, err := otherKey(secret)
	if err != nil {
		return nil, fmt.Errorf("build probes: %w", err)
	}
	for _, alg := range []string{"HS256", "HS384", "HS512"} {
		add("other-key-"+alg, alg, other, claims(validExp), false, diag.AppAcceptsBadSignature,
			alg+" signed with a key other than AUTH_SECRET_KEY")
	}
	if keyed {
		tampered, err := tamper(valid, userID+"-mfconform-tampered")
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("build probe tampered-payload: %w", err)
		}
		out = append(out, Probe{Name: "tampered-payload", Token: tampered, Code: diag.AppAcceptsBadSignature,
			Detail: "user_id changed after signing, signature kept", NeedsKey: true})
	}
	// A stripped signature needs no key: the header and payload a signer
	// would have signed, and an empty third segment.
	header := b64([]byte(`{"alg":"HS256","typ":"JWT"}`))
	payload, err := json.Marshal(claims(validExp))
	if err != nil && firstErr == nil {
		firstErr = fmt.Errorf("build probe stripped-signature: %w", err)
	}
	out = append(out, Probe{Name: "stripped-signature", Token: header + "." + b64(payload) + ".", Code: diag.AppAcceptsBadSignature,
		Detail: "alg HS256 with the signature segment removed"})

	for _, alg := range []string{"none", "None", "NONE", "nOnE"} {
		add("alg-"+alg, alg, nil, claims(validExp), false, diag.AppAcceptsAlgNone,
			fmt.Sprintf("alg %q, no signature", alg))
	}
	if keyed {
		for _, alg := range []string{"HS384", "HS512"} {
			add("alg-"+alg, alg, secret, claims(validExp), false, diag.AppAcceptsOtherAlg,
				alg+" with the right key")
		}
		noUser := claims(validExp)
		delete(noUser, "user_id")
		add("missing-user_id", "HS256", secret, noUser, false, diag.AppAcceptsMissingClaim, "HS256, right key, no user_id")
		add("missing-exp", "HS256", secret, claims(nil), false, diag.AppAcceptsMissingClaim, "HS256, right key, no exp")
	}

	if firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}

// otherKey returns a 32-byte key that is not AUTH_SECRET_KEY: derived from
// the secret when there is one (so runs repeat), random otherwise.
func otherKey(secret []byte) ([]byte, error) {
	if len(secret) > 0 {
		return wrongKey(secret), nil
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return []byte(hex.EncodeToString(b)), nil
}

// wrongKey derives a 32-byte key that differs from secret.
func wrongKey(secret []byte) []byte {
	sum := sha256.Sum256(append([]byte("mfconform wrong-key probe\x00"), secret...))
	return []byte(hex.EncodeToString(sum[:16]))
}

// tamper replaces user_id in a signed token's payload, keeping its header
// and signature, so only signature verification can catch it.
func tamper(token, userID string) (string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", errors.New("not a compact JWS")
	}
	raw, err := decodeSegment(parts[1])
	if err != nil {
		return "", err
	}
	claims, err := decodeObject(raw)
	if err != nil {
		return "", err
	}
	claims["user_id"] = userID
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	return parts[0] + "." + b64(payload) + "." + parts[2], nil
}

// GarbageProbes returns cookie values that are not tokens at all; a
// conformant app refuses each without a 5xx. Code is
// APP_ACCEPTS_BAD_SIGNATURE for an app that accepts one; whether a 5xx is
// APP_SERVER_ERROR is for the spec to decide. Every value is made of
// cookie-safe characters.
func GarbageProbes() []Probe {
	header := b64([]byte(`{"alg":"HS256","typ":"JWT"}`))
	fakeSig := b64([]byte("not a real signature, 32 bytes!!"))
	junk := strings.Repeat("mfconformJunk-0123456789_", 3000/25+1)[:3000]
	g := func(name, token, detail string) Probe {
		return Probe{Name: name, Token: token, Code: diag.AppAcceptsBadSignature, Detail: detail}
	}
	return []Probe{
		g("garbage-word", "garbage", "a plain word"),
		g("garbage-a.b.c", "a.b.c", "three segments that are not base64url JSON"),
		g("garbage-eyJ", "eyJ.eyJ.", "truncated base64 header and payload, no signature"),
		g("garbage-3000-bytes", junk, "3000 bytes of junk"),
		g("garbage-array-payload", header+"."+b64([]byte(`[{"user_id":"x"}]`))+"."+fakeSig, "payload is a JSON array, not an object"),
		g("garbage-payload-not-json", header+"."+b64([]byte("user_id=x; exp=never"))+"."+fakeSig, "payload is not JSON"),
	}
}
