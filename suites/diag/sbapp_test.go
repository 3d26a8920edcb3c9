package diag

import (
	"strings"
	"testing"

	"github.com/mfconform/mfconform/suites/result"
)

// TestSupabaseTextsSayOnlyWhatHolds: issue 22's C12 and C13 for Supabase —
// no text offers what does not apply (the JWKS for an HS256 secret), blames
// what the probe excludes (the project's clock for an expiry probe made on
// its own time) or states what was never observed (a server side receiving
// a stale session); and issue 21 item 5's code names one fingerprint and
// whose it is.
func TestSupabaseTextsSayOnlyWhatHolds(t *testing.T) {
	tests := []struct {
		code      Code
		forbidden []string
		want      []string
	}{
		{SupabaseSessionSignature, []string{"let mfconform use the JWKS", "JWT secret given"}, []string{"JWKS", "SUPABASE_JWT_SECRET_MISMATCH"}},
		{SupabaseAcceptsExpired, []string{"clock is far behind", "check its clock"}, []string{"its clock does not explain it"}},
		{SupabaseCookieStale, []string{"the server side still receives a session"}, []string{"keeps sending them"}},
		{SupabaseJWTSecretMismatch, []string{"fingerprints must be equal"}, []string{"one fingerprint", "cannot see the project's secret", string(result.SBKey006), string(result.SBSession004)}},
		{SupabaseRefreshParentRefused, nil, []string{"fail-to-save"}},
		{SupabaseServerNotSignedIn, []string{"cookie value"}, []string{"names and", "sizes, never values", "how to tell"}},
	}
	for _, tt := range tests {
		e, ok := Lookup(tt.code)
		if !ok {
			t.Fatalf("%s is not in the catalogue", tt.code)
		}
		text := e.Title + " " + e.Cause + " " + e.Fix
		for _, f := range tt.forbidden {
			if strings.Contains(text, f) {
				t.Errorf("%s says %q", tt.code, f)
			}
		}
		for _, w := range tt.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s does not say %q: %s", tt.code, w, text)
			}
		}
	}
	if e, _ := Lookup(SupabaseRateLimited); !e.Environment {
		t.Error("SUPABASE_RATE_LIMITED is not an environment finding")
	}
}
