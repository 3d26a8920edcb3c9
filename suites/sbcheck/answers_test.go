package sbcheck

import (
	"strings"
	"testing"

	"github.com/mfconform/mfconform/suites/diag"
)

const gatewayHint = "Double check your Supabase `anon` or `service_role` API key."

func TestParseError(t *testing.T) {
	long := strings.Repeat("x", 300)
	tests := []struct {
		name   string
		body   string
		header string
		want   APIError
	}{
		{name: "auth, no API version",
			body: `{"code":400,"error_code":"invalid_credentials","msg":"Invalid login credentials"}`,
			want: APIError{Code: "invalid_credentials", Message: "Invalid login credentials"}},
		{name: "auth, API version 2024-01-01",
			body:   `{"code":"invalid_credentials","message":"Invalid login credentials"}`,
			header: "invalid_credentials",
			want:   APIError{Code: "invalid_credentials", Message: "Invalid login credentials"}},
		{name: "auth, email not confirmed",
			body: `{"code":"email_not_confirmed","message":"Email not confirmed"}`,
			want: APIError{Code: "email_not_confirmed", Message: "Email not confirmed"}},
		{name: "hosted gateway",
			body: `{"message":"Invalid API key","hint":"` + gatewayHint + `"}`,
			want: APIError{Message: "Invalid API key", Hint: gatewayHint}},
		{name: "self-hosted gateway, no key",
			body: `{"message":"No API key found in request"}`,
			want: APIError{Message: "No API key found in request"}},
		{name: "OAuth shape",
			body: `{"error":"invalid_grant","error_description":"Invalid Refresh Token: Already Used"}`,
			want: APIError{Message: "Invalid Refresh Token: Already Used"}},
		{name: "non-JSON body",
			body: "upstream connect error or disconnect/reset before headers\n",
			want: APIError{Message: "upstream connect error or disconnect/reset before headers"}},
		{name: "HTML body",
			body: "<html><body>502 Bad Gateway</body></html>",
			want: APIError{Message: "<html><body>502 Bad Gateway</body></html>"}},
		{name: "long non-JSON body is cut",
			body: long,
			want: APIError{Message: long[:200] + "…"}},
		{name: "JSON that is not an object",
			body: `["nope"]`,
			want: APIError{Message: `["nope"]`}},
		{name: "header fallback, numeric code only",
			body: `{"code":403,"msg":"invalid JWT: unable to parse or verify signature"}`, header: "bad_jwt",
			want: APIError{Code: "bad_jwt", Message: "invalid JWT: unable to parse or verify signature"}},
		{name: "header fallback, non-JSON body",
			body: "Forbidden", header: "bad_jwt",
			want: APIError{Code: "bad_jwt", Message: "Forbidden"}},
		{name: "header fallback, empty body",
			body: "", header: "no_authorization",
			want: APIError{Code: "no_authorization"}},
		{name: "empty", want: APIError{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseError([]byte(tt.body), tt.header)
			if got != tt.want {
				t.Errorf("ParseError(%q, %q) = %+v, want %+v", tt.body, tt.header, got, tt.want)
			}
		})
	}
}

func TestGatewayVerdict(t *testing.T) {
	generic, _ := diag.Lookup(diag.SupabaseKeyRejected)
	tests := []struct {
		name   string
		status int
		body   string
		want   []diag.Code
		// wantCause is a substring of the specific cause; "" wants the
		// catalogue's generic cause.
		wantCause string
		wantObs   []string
	}{
		{name: "200", status: 200, body: `{"external":{"email":true}}`},
		{name: "204", status: 204},
		{name: "Invalid API key (hosted)", status: 401,
			body: `{"message":"Invalid API key","hint":"` + gatewayHint + `"}`,
			want: []diag.Code{diag.SupabaseKeyRejected}, wantCause: "from another project",
			wantObs: []string{"HTTP 401", `"Invalid API key"`, "hint:", "service_role"}},
		{name: "Invalid authentication credentials (self-hosted)", status: 401,
			body: `{"message":"Invalid authentication credentials"}`,
			want: []diag.Code{diag.SupabaseKeyRejected}, wantCause: "not signed with the current JWT_SECRET",
			wantObs: []string{"HTTP 401", `"Invalid authentication credentials"`}},
		{name: "No API key found in request", status: 401,
			body: `{"message":"No API key found in request"}`,
			want: []diag.Code{diag.SupabaseKeyRejected}, wantCause: "carried no apikey",
			wantObs: []string{"HTTP 401", `"No API key found in request"`}},
		{name: "Forbidden use of secret API key in browser", status: 401,
			body: `{"message":"Forbidden use of secret API key in browser"}`,
			want: []diag.Code{diag.SupabaseKeyRejected}, wantCause: "Use the publishable key",
			wantObs: []string{"HTTP 401", "secret API key in browser"}},
		{name: "unknown 401 message", status: 401, body: `{"message":"Something else"}`,
			want: []diag.Code{diag.SupabaseKeyRejected}, wantObs: []string{"HTTP 401", `"Something else"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := GatewayVerdict(tt.status, ParseError([]byte(tt.body), ""))
			if !sameCodes(ds, tt.want) {
				t.Fatalf("GatewayVerdict(%d, %s) codes = %v, want %v", tt.status, tt.body, codes(ds), tt.want)
			}
			if len(ds) == 0 {
				return
			}
			d := ds[0]
			switch {
			case tt.wantCause == "" && d.Cause != generic.Cause:
				t.Errorf("GatewayVerdict(%d, %s) Cause = %q, want the catalogue's", tt.status, tt.body, d.Cause)
			case tt.wantCause != "" && !strings.Contains(d.String(), tt.wantCause):
				t.Errorf("GatewayVerdict(%d, %s) = %s, want its cause or hypotheses to contain %q", tt.status, tt.body, d, tt.wantCause)
			}
			for _, s := range tt.wantObs {
				if !strings.Contains(d.Observed, s) {
					t.Errorf("GatewayVerdict(%d, %s) Observed = %q, want it to contain %q", tt.status, tt.body, d.Observed, s)
				}
			}
		})
	}
}

// TestGatewayVerdictCausesDiffer: each distinct symptom gets its own cause,
// none of them the catalogue's generic one. "Invalid API key" (hosted) and
// "Invalid authentication credentials" (self-hosted Kong) are the same
// symptom — the gateway does not know the key (supabase-facts.md, "What
// users most often get wrong" 1) — and share one cause that names both
// the hosted and the self-hosted remedy.
func TestGatewayVerdictCausesDiffer(t *testing.T) {
	generic, _ := diag.Lookup(diag.SupabaseKeyRejected)
	groups := [][]string{
		{"Invalid API key", "Invalid authentication credentials"},
		{"No API key found in request"},
		{"Forbidden use of secret API key in browser"},
	}
	seen := map[string]string{} // cause → message
	for _, group := range groups {
		first := ""
		for _, msg := range group {
			ds := GatewayVerdict(401, APIError{Message: msg})
			if len(ds) != 1 {
				t.Fatalf("GatewayVerdict(401, %q) codes = %v, want [%s]", msg, codes(ds), diag.SupabaseKeyRejected)
			}
			cause := ds[0].Cause
			if cause == generic.Cause {
				t.Errorf("GatewayVerdict(401, %q) Cause is the catalogue's generic cause, want a specific one", msg)
			}
			if first == "" {
				first = cause
				if other, dup := seen[cause]; dup {
					t.Errorf("GatewayVerdict(401, %q) Cause = GatewayVerdict(401, %q) Cause = %q, want them to differ", msg, other, cause)
				}
				seen[cause] = msg
			} else if cause != first {
				t.Errorf("GatewayVerdict(401, %q) Cause = %q, want the same as for %q", msg, cause, group[0])
			}
		}
	}
}

func TestSigninVerdict(t *testing.T) {
	generic, _ := diag.Lookup(diag.SupabaseSigninFailed)
	tests := []struct {
		name    string
		status  int
		code    string
		message string
		// wantCause and wantFix are substrings; "" wants the catalogue's.
		wantCause string
		wantFix   string
	}{
		{name: "invalid_credentials", status: 400, code: "invalid_credentials", message: "Invalid login credentials",
			wantCause: "email or password is wrong", wantFix: "SUPABASE_TEST_PASSWORD"},
		{name: "email_not_confirmed", status: 400, code: "email_not_confirmed", message: "Email not confirmed",
			wantCause: "not confirmed its email", wantFix: "ENABLE_EMAIL_AUTOCONFIRM"},
		{name: "signup_disabled", status: 422, code: "signup_disabled", message: "Signups not allowed for this instance",
			wantCause: "disabled", wantFix: "Email provider"},
		{name: "email_provider_disabled", status: 422, code: "email_provider_disabled", message: "Email logins are disabled",
			wantCause: "disabled", wantFix: "Email provider"},
		{name: "unknown code", status: 500, code: "unexpected_failure", message: "Database error querying schema"},
		{name: "no code", status: 502, code: "", message: "Bad Gateway"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := SigninVerdict(tt.status, tt.code, tt.message)
			if d.Code != diag.SupabaseSigninFailed {
				t.Fatalf("SigninVerdict(%d, %q) code = %s, want %s", tt.status, tt.code, d.Code, diag.SupabaseSigninFailed)
			}
			for _, s := range []string{tt.code, tt.message} {
				if !strings.Contains(d.Observed, s) {
					t.Errorf("SigninVerdict(%d, %q) Observed = %q, want it to contain %q", tt.status, tt.code, d.Observed, s)
				}
			}
			switch {
			case tt.wantCause == "" && d.Cause != generic.Cause:
				t.Errorf("SigninVerdict(%d, %q) Cause = %q, want the catalogue's", tt.status, tt.code, d.Cause)
			case tt.wantCause != "" && !strings.Contains(d.Cause, tt.wantCause):
				t.Errorf("SigninVerdict(%d, %q) Cause = %q, want it to contain %q", tt.status, tt.code, d.Cause, tt.wantCause)
			}
			switch {
			case tt.wantFix == "" && d.Fix != generic.Fix:
				t.Errorf("SigninVerdict(%d, %q) Fix = %q, want the catalogue's", tt.status, tt.code, d.Fix)
			case tt.wantFix != "" && !strings.Contains(d.Fix, tt.wantFix):
				t.Errorf("SigninVerdict(%d, %q) Fix = %q, want it to contain %q", tt.status, tt.code, d.Fix, tt.wantFix)
			}
		})
	}
}

// TestSigninVerdictCausesDiffer: the four kinds of failure get four
// different causes and four different fixes.
func TestSigninVerdictCausesDiffer(t *testing.T) {
	causes, fixes := map[string]string{}, map[string]string{}
	for _, code := range []string{"invalid_credentials", "email_not_confirmed", "signup_disabled", "unexpected_failure"} {
		d := SigninVerdict(400, code, "msg")
		if other, dup := causes[d.Cause]; dup {
			t.Errorf("SigninVerdict(400, %q) Cause = SigninVerdict(400, %q) Cause = %q, want them to differ", code, other, d.Cause)
		}
		if other, dup := fixes[d.Fix]; dup {
			t.Errorf("SigninVerdict(400, %q) Fix = SigninVerdict(400, %q) Fix = %q, want them to differ", code, other, d.Fix)
		}
		causes[d.Cause], fixes[d.Fix] = code, code
	}
}
