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
		if len(e.Message) > 200 {
			e.Message = e.Message[:200] + "…"
		}
	}
	return e
}

// GatewayVerdict judges the gateway's answer to a request carrying the key:
// nothing for a 2xx, SUPABASE_KEY_REJECTED naming the symptom and its usual
// cause for a 401.
func GatewayVerdict(status int, e APIError) []diag.Diagnostic {
	if status >= 200 && status < 300 {
		return nil
	}
	cause := ""
	switch {
	case strings.Contains(e.Message, "No API key found"):
		cause = "The request carried no apikey: NEXT_PUBLIC_SUPABASE_KEY is empty in the built bundle (Next.js inlines NEXT_PUBLIC_* at build time; set it before `next build`)."
	case strings.Contains(e.Message, "secret API key in browser"):
		cause = "An sb_secret_ key was sent from a browser; secret keys are refused there by design. Use the publishable key."
	case strings.Contains(e.Message, "Invalid API key"), strings.Contains(e.Message, "Invalid authentication credentials"):
		cause = "The gateway does not know this key: it belongs to another project, was rotated, or (self-hosted) was not signed with the current JWT_SECRET — regenerate ANON_KEY after changing JWT_SECRET."
	}
	d := diag.Newf(diag.SupabaseKeyRejected, "the gateway accepts the key (2xx)", "HTTP %d %q%s", status, e.Message, hintText(e.Hint))
	if cause != "" {
		d = d.WithCause(cause)
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
	switch code {
	case "invalid_credentials":
		return d.WithCause("The test user's email or password is wrong for this project (or the user does not exist there).").
			WithFix("Check SUPABASE_TEST_EMAIL / SUPABASE_TEST_PASSWORD against the project's Authentication → Users.")
	case "email_not_confirmed":
		return d.WithCause("The test user exists but has not confirmed its email address, and the project requires confirmation.").
			WithFix("Confirm the user (Authentication → Users → confirm), or enable autoconfirm (ENABLE_EMAIL_AUTOCONFIRM=true when self-hosted).")
	case "signup_disabled", "email_provider_disabled":
		return d.WithCause("Email sign-in or sign-up is disabled for this project.").
			WithFix("Enable the Email provider under Authentication → Providers.")
	}
	return d
}
