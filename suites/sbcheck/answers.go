package sbcheck

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mfconform/mfconform/suites/diag"
)

// APIError is an error answer of the gateway or the auth API, in either
// shape: {"code":400,"error_code":"…","msg":"…"} or, with
// X-Supabase-Api-Version, {"code":"…","message":"…"}; the gateway's
// {"message":"…","hint":"…"}.
type APIError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
}

// ParseError reads an error body; header is x-sb-error-code when present.
func ParseError(body []byte, header string) APIError {
	var raw map[string]any
	_ = json.Unmarshal(body, &raw)
	e := APIError{Code: header}
	if s, ok := raw["error_code"].(string); ok {
		e.Code = s
	}
	if s, ok := raw["code"].(string); ok {
		e.Code = s
	}
	for _, k := range []string{"message", "msg", "error_description", "error"} {
		if s, ok := raw[k].(string); ok && e.Message == "" {
			e.Message = s
		}
	}
	e.Hint, _ = raw["hint"].(string)
	if e.Message == "" {
		e.Message = strings.TrimSpace(string(body))
		if r := []rune(e.Message); len(r) > 200 {
			e.Message = string(r[:200]) + "…"
		}
	}
	return e
}

// gatewayMessages are the messages of Supabase's API gateways' own 401
// answers (facts: supabase-facts.md "Gateway errors"): the hosted
// gateway's and self-hosted Kong's key-auth plugin's.
var gatewayMessages = []string{
	"Invalid API key",                            // hosted, with a hint naming the anon/service_role key
	"No API key found in request",                // Kong key-auth: no apikey
	"Invalid authentication credentials",         // Kong key-auth: unknown key
	"Forbidden use of secret API key in browser", // hosted: sb_secret_ from a browser
}

// IsGatewayRefusal reports whether a 401 answer is a Supabase API
// gateway's refusal of the key — proof of a Supabase gateway, but not of
// the Auth server behind it.
func IsGatewayRefusal(status int, body []byte) bool {
	if status != 401 && status != 403 {
		return false
	}
	var raw map[string]any
	if json.Unmarshal(body, &raw) != nil {
		return false
	}
	msg, _ := raw["message"].(string)
	for _, m := range gatewayMessages {
		if strings.HasPrefix(msg, m) {
			return true
		}
	}
	return false
}

// IsGoTrueJWKS reports whether body is the Auth server's JWKS document
// ({"keys":[…]}), which it serves without an apikey.
func IsGoTrueJWKS(status int, body []byte) bool {
	if status != 200 {
		return false
	}
	var doc struct {
		Keys *[]map[string]any `json:"keys"`
	}
	return json.Unmarshal(body, &doc) == nil && doc.Keys != nil
}

// IsGoTrueSettings reports whether an answer to GET /auth/v1/settings is
// Supabase Auth's own: 200 with a JSON object whose "external" member is
// the object of providers (supabase/auth internal/api/settings.go
// Settings). A 2xx of anything else — a catch-all proxy's page — says
// nothing about the key.
func IsGoTrueSettings(status int, body []byte) bool {
	if status != 200 {
		return false
	}
	var doc struct {
		External map[string]any `json:"external"`
	}
	return json.Unmarshal(body, &doc) == nil && doc.External != nil
}

// GatewayVerdict judges the gateway's answer to a request carrying the key:
// nothing for a 2xx, SUPABASE_KEY_REJECTED naming the symptom and its usual
// cause for a 401.
func GatewayVerdict(status int, e APIError) []diag.Diagnostic {
	if status >= 200 && status < 300 {
		return nil
	}
	d := diag.Newf(diag.SupabaseKeyRejected, "the gateway accepts the key (2xx)", "HTTP %d %q%s", status, e.Message, hintText(e.Hint))
	const by = "the gateway's message in the observation"
	switch {
	case strings.Contains(e.Message, "No API key found"):
		d = d.Proven("The request carried no apikey.", by).Likely(
			diag.Maybe("NEXT_PUBLIC_SUPABASE_KEY was empty when the frontend was built (Next.js inlines NEXT_PUBLIC_* at build time; set it before `next build`).",
				"search the built bundle (.next/static) for the project's URL: the key next to it is empty."))
	case strings.Contains(e.Message, "secret API key in browser"):
		d = d.Settled("An sb_secret_ key was sent from a browser; secret keys are refused there by design. Use the publishable key.", by)
	case strings.Contains(e.Message, "Invalid API key"), strings.Contains(e.Message, "Invalid authentication credentials"):
		d = d.Proven("The gateway does not know this key.", by)
	}
	return []diag.Diagnostic{d}
}

func hintText(h string) string {
	if h == "" {
		return ""
	}
	return fmt.Sprintf(" (hint: %q)", h)
}

// SigninVerdict explains a failed password sign-in of the test user by the
// auth API's error code.
func SigninVerdict(status int, code, message string) diag.Diagnostic {
	d := diag.Newf(diag.SupabaseSigninFailed, "a session for the test user", "HTTP %d %s %q", status, code, message)
	const byCode = "GoTrue's error code in the observation"
	switch code {
	case "invalid_credentials":
		return d.Settled("The test user's email or password is wrong for this project (or the user does not exist there).", byCode).
			WithFix("Check SUPABASE_TEST_EMAIL / SUPABASE_TEST_PASSWORD against the project's Authentication → Users.")
	case "email_not_confirmed":
		return d.Settled("The test user exists but has not confirmed its email address, and the project requires confirmation.", byCode).
			WithFix("Confirm the user (Authentication → Users → confirm), or enable autoconfirm (ENABLE_EMAIL_AUTOCONFIRM=true when self-hosted).")
	case "signup_disabled", "email_provider_disabled":
		return d.Settled("Email sign-in or sign-up is disabled for this project.", byCode).
			WithFix("Enable the Email provider under Authentication → Providers.")
	}
	return d
}
