package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/mfconform/mfconform/suites/result"
)

func TestExplain(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
	}{
		{"list", []string{"explain"}, exitOK, []string{"CODE", "COOKIE_HOST_ONLY", "9 stacks", "TOKEN_EXP_TIMEZONE", "SUPABASE_KEY_SECRET", "generic"}},
		{"one code, any case", []string{"explain", "cookie_host_only"}, exitOK, []string{
			"COOKIE_HOST_ONLY (fail)", "Cause (what a finding of this code proves):", "(proven by: the observed Set-Cookie line", "Fix:", "Flask (Werkzeug):", `domain="your-domain.com"`,
			"Express:", "res.cookie('mf_jwt_token'", "Go net/http:", "ASP.NET Core:", "See:", "Reported by:\n  JWT-COOKIE-002",
			"host-only", "mfconform run --fixture"}},
		{"a code without stack fixes", []string{"explain", "SECRET_WEAK"}, exitOK, []string{"SECRET_WEAK (fail)", string(result.JWTToken009)}},
		{"a code no fixture shows", []string{"explain", "COOKIE_NOT_SENT"}, exitOK, []string{"no fixture demonstrates it yet"}},
		{"the timezone trap: a fact only when pinned", []string{"explain", "TOKEN_EXP_TIMEZONE"}, exitOK, []string{"datetime.now(timezone.utc)", "(proven by: the token's iat", "--backend-timezone", string(result.JWTToken006), string(result.JWTToken010)}},
		{"expiry: the timezone trap as the first hypothesis", []string{"explain", "TOKEN_EXPIRED"}, exitOK, []string{"Likely causes (not proven), most likely first", "1. The naive-datetime trap", "to tell: the observation says whether", "date +%z", "2. The backend returns a token it issued earlier"}},
		{"unknown code", []string{"explain", "NO_SUCH_CODE"}, exitToolError, nil},
		{"two codes", []string{"explain", "A", "B"}, exitToolError, nil},
		{"help", []string{"explain", "--help"}, exitOK, []string{"Usage: mfconform explain [CODE|SPEC-ID]"}},
		{"a spec ID, any case", []string{"explain", "jwt-cookie-006"}, exitOK, []string{
			"JWT-COOKIE-006: SameSite=None", "Labels: mode:jwt, area:cookie", "What it judges:", "jwt_login_flow",
			"Codes it reports", "COOKIE_SAMESITE_NOT_NONE       fail  mf_jwt_token is not SameSite=None",
			"COOKIE_THIRD_PARTY_BLOCKED     warn", "samesite-lax", "mfconform run --fixture samesite-lax", "mfconform explain COOKIE_SAMESITE_NOT_NONE"}},
		{"a spec judging no gathered evidence", []string{"explain", string(result.JWTToken009)}, exitOK, []string{"JWT-TOKEN-009:", "SECRET_WEAK"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errb)
			if code != tt.wantCode {
				t.Fatalf("run(%v) = %d, want %d (stderr %q)", tt.args, code, tt.wantCode, errb.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("run(%v) output lacks %q:\n%s", tt.args, w, out.String())
				}
			}
		})
	}
}

// TestExplainSuggests: an unknown name gets the closest codes and spec
// IDs — at most three — and where the lists are, never the lists.
func TestExplainSuggests(t *testing.T) {
	tests := []struct {
		arg, want string
	}{
		{"JWT-COOKIE-060", "(did you mean JWT-COOKIE-006 or JWT-COOKIE-010?)"},
		{"cookie_samesite_notnone", "(did you mean COOKIE_SAMESITE_NOT_NONE?)"},
		{"COOKIE_HOST_ONY", "(did you mean COOKIE_HOST_ONLY?)"},
		{"SB-KEY-01", "did you mean SB-KEY-001"},
		{"NOTHING_LIKE_IT_AT_ALL", `"NOTHING_LIKE_IT_AT_ALL" is neither a diagnostic code nor a spec ID; ` + "`mfconform explain` lists the codes, `mfconform specs` the specs"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code := run(context.Background(), []string{"explain", tt.arg}, &out, &errb)
		if code != exitToolError || !strings.Contains(errb.String(), tt.want) || strings.Count(errb.String(), ",") > 3 {
			t.Errorf("explain %s: exit %d, stderr %q; want 3 and %q", tt.arg, code, errb.String(), tt.want)
		}
	}
}
