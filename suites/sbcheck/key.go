package sbcheck

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	"github.com/mfconform/mfconform/suites/redact"
)

// KeyKind classifies a key.
type KeyKind string

// Key kinds.
const (
	KeyLegacyJWT   KeyKind = "legacy JWT"
	KeyPublishable KeyKind = "sb_publishable_"
	KeySecret      KeyKind = "sb_secret_"
	KeyUnknown     KeyKind = "unknown"
)

// KeyInfo is NEXT_PUBLIC_SUPABASE_KEY as read. Clean is the key without
// surrounding whitespace or quotes: a secret, never to be printed.
type KeyInfo struct {
	Kind   KeyKind
	Clean  string
	Role   string // legacy JWT: role claim
	Ref    string // legacy JWT: ref claim ("" for self-hosted demo keys)
	Issuer string
	Exp    *time.Time
}

// String describes the key without revealing it.
func (k KeyInfo) String() string {
	s := fmt.Sprintf("%s key %s", k.Kind, redact.Fingerprint([]byte(k.Clean)))
	if k.Role != "" {
		s += " role=" + k.Role
	}
	if k.Ref != "" {
		s += " ref=" + k.Ref
	}
	return s
}

var newKey = regexp.MustCompile(`^sb_(publishable|secret)_[A-Za-z0-9_-]{10,}$`)

const keyExpected = "the project's public key: the legacy anon JWT or an sb_publishable_… key, nothing around it"

// ReadKey classifies the key and reports a missing or malformed one.
func ReadKey(raw string) (KeyInfo, []diag.Diagnostic) {
	if strings.TrimSpace(raw) == "" {
		return KeyInfo{Kind: KeyUnknown}, []diag.Diagnostic{diag.New(diag.SupabaseKeyMissing, keyExpected,
			"NEXT_PUBLIC_SUPABASE_KEY is empty or unset")}
	}
	var problems []string
	clean := strings.TrimSpace(raw)
	if clean != raw {
		what := "surrounding whitespace"
		if strings.ContainsAny(raw, "\r\n") {
			what = "a newline (often from `echo` into a secret file, or a multi-line .env value)"
		}
		problems = append(problems, what)
	}
	if unq := strings.Trim(clean, `"'`); unq != clean {
		problems = append(problems, "quotes around the value (copied with them from a .env file)")
		clean = unq
	}
	k := KeyInfo{Kind: KeyUnknown, Clean: clean}
	switch {
	case strings.HasPrefix(clean, "sb_publishable_") && newKey.MatchString(clean):
		k.Kind = KeyPublishable
	case strings.HasPrefix(clean, "sb_secret_") && newKey.MatchString(clean):
		k.Kind = KeySecret
	default:
		if p, ds := jwtcheck.Parse(clean); len(ds) == 0 && p != nil {
			k.Kind = KeyLegacyJWT
			k.Role, _ = p.Claims["role"].(string)
			k.Ref, _ = p.Claims["ref"].(string)
			k.Issuer, _ = p.Claims["iss"].(string)
			if t, ok := p.Expiry(); ok {
				k.Exp = &t
			}
		}
	}
	if k.Kind == KeyUnknown {
		problems = append(problems, "neither a JWT nor an sb_publishable_/sb_secret_ key")
	}
	if len(problems) == 0 {
		return k, nil
	}
	return k, []diag.Diagnostic{diag.Newf(diag.SupabaseKeyMalformed, keyExpected,
		"NEXT_PUBLIC_SUPABASE_KEY (%d bytes, %s) has %s", len(raw), redact.Fingerprint([]byte(clean)), strings.Join(problems, "; "))}
}

// CheckKeyPublic reports a key that must never reach a browser.
func CheckKeyPublic(k KeyInfo) []diag.Diagnostic {
	switch {
	case k.Kind == KeySecret:
		return []diag.Diagnostic{diag.New(diag.SupabaseKeySecret, keyExpected,
			"NEXT_PUBLIC_SUPABASE_KEY holds an sb_secret_ key: it is inlined into the public browser bundle")}
	case k.Kind == KeyLegacyJWT && k.Role == "service_role":
		return []diag.Diagnostic{diag.New(diag.SupabaseKeyServiceRole, keyExpected,
			"NEXT_PUBLIC_SUPABASE_KEY is a service_role JWT: anyone who loads the app can bypass row-level security")}
	case k.Kind == KeyLegacyJWT && k.Role != "anon":
		return []diag.Diagnostic{diag.Newf(diag.SupabaseKeyMalformed, keyExpected,
			"the key's role is %q, not anon", k.Role)}
	}
	return nil
}

// CheckKeyProject reports a legacy key minted for another project. It
// reports nothing (and applies=false) when the key carries no ref (new keys,
// self-hosted demo keys).
func CheckKeyProject(k KeyInfo, u URLInfo) (ds []diag.Diagnostic, applies bool) {
	if k.Kind != KeyLegacyJWT || k.Ref == "" || u.Ref == "" {
		return nil, false
	}
	if k.Ref == u.Ref {
		return nil, true
	}
	return []diag.Diagnostic{diag.Newf(diag.SupabaseKeyProjectMismatch,
		"the key's ref equals the URL's project ref "+u.Ref,
		"the key was issued for project %s, the URL points at project %s", k.Ref, u.Ref)}, true
}

// CheckKeyExpiry reports a legacy key past its exp.
func CheckKeyExpiry(k KeyInfo, now time.Time) []diag.Diagnostic {
	if k.Kind != KeyLegacyJWT || k.Exp == nil || k.Exp.After(now) {
		return nil
	}
	return []diag.Diagnostic{diag.Newf(diag.SupabaseKeyExpired, "a key whose exp is in the future",
		"the key expired at %s (%s ago)", k.Exp.UTC().Format(time.RFC3339), now.Sub(*k.Exp).Round(time.Minute))}
}

// KeyVerifies reports whether a legacy (JWT) key verifies with secret; ok
// is false for a key that is not a JWT (ReadKey reports it).
func KeyVerifies(k KeyInfo, secret []byte) (verifies, ok bool) {
	p, ds := jwtcheck.Parse(k.Clean)
	if p == nil || len(ds) > 0 {
		return false, false
	}
	return VerifiesWithSecret(p, secret), true
}

// KeyAlg is a legacy key's alg header, "" when it is not a JWT.
func KeyAlg(k KeyInfo) string {
	p, ds := jwtcheck.Parse(k.Clean)
	if p == nil || len(ds) > 0 {
		return ""
	}
	alg, _ := p.Alg()
	return alg
}

// PostgREST's JWT error codes (PostgREST docs, "Errors": PGRST3xx).
const (
	PostgRESTBadJWT  = "PGRST301" // JWSError / no suitable key: the signature does not verify
	PostgRESTExpired = "PGRST303" // JWT expired (PGRST301 on PostgREST 12)
)

// RESTVerdict judges PostgREST's answer to the key (GET /rest/v1/ with the
// key as apikey and, for a legacy key, as bearer, as supabase-js sends it
// before sign-in): nothing for a 2xx, SUPABASE_KEY_SIGNATURE for a JWT
// PostgREST refuses. judged is false when the answer proves nothing — no
// data API (404) or another refusal.
func RESTVerdict(status int, e APIError) (ds []diag.Diagnostic, judged bool) {
	switch {
	case status >= 200 && status < 300:
		return nil, true
	case (status == 401 || status == 403) && e.Code == PostgRESTBadJWT && !strings.Contains(strings.ToLower(e.Message), "expired"):
		return []diag.Diagnostic{diag.Newf(diag.SupabaseKeySignature, "PostgREST accepts the key's JWT",
			"GET /rest/v1/ answered HTTP %d %s %q: PostgREST cannot verify the key's signature with the project's JWT secret", status, e.Code, e.Message)}, true
	}
	return nil, false
}
