package runner

import (
	"slices"
	"testing"
)

func TestSupabaseTargetFromEnv(t *testing.T) {
	tests := []struct {
		name       string
		vars       map[string]string
		wantNil    bool
		wantSecret bool
		wantEmail  string
	}{
		{"nothing set", nil, true, false, ""},
		{"url and key", map[string]string{"NEXT_PUBLIC_SUPABASE_URL": "https://x.supabase.co", "NEXT_PUBLIC_SUPABASE_KEY": "k"}, false, false, ""},
		{"key only is still a target (the URL spec reports it missing)", map[string]string{"NEXT_PUBLIC_SUPABASE_KEY": "k"}, false, false, ""},
		{"with credentials and secret", map[string]string{
			"NEXT_PUBLIC_SUPABASE_URL": "https://x.supabase.co", "SUPABASE_TEST_EMAIL": "a@b.example",
			"SUPABASE_TEST_PASSWORD": "p", "SUPABASE_JWT_SECRET": "s"}, false, true, "a@b.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := supabaseTargetFromEnv(func(k string) string { return tt.vars[k] })
			if (got == nil) != tt.wantNil {
				t.Fatalf("supabaseTargetFromEnv() = %v, want nil %v", got, tt.wantNil)
			}
			if got == nil {
				return
			}
			if (len(got.JWTSecret) > 0) != tt.wantSecret || got.Email != tt.wantEmail {
				t.Errorf("supabaseTargetFromEnv() secret set %v email %q, want %v %q", len(got.JWTSecret) > 0, got.Email, tt.wantSecret, tt.wantEmail)
			}
		})
	}
}

// TestReferenceSecret: the embedded reference deployment never signs with
// the operator's AUTH_SECRET_KEY unless --reference-secret-from-env says
// so (a local process asking the reference's /login would otherwise get
// tokens valid in production); a fixture's own key wins.
func TestReferenceSecret(t *testing.T) {
	const operator = "the-operators-production-key-0123456789abcdef"
	tests := []struct {
		name     string
		args     []string
		wantOurs bool // the operator's key
	}{
		{"default: a per-run key", []string{"run"}, false},
		{"opted in", []string{"run", "--reference-secret-from-env"}, true},
		{"a fixture's own key wins over the opt-in", []string{"run", "--fixture", "placeholder-secret", "--reference-secret-from-env"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Load(tt.args[1:], func(k string) string {
				if k == "AUTH_SECRET_KEY" {
					return operator
				}
				return ""
			})
			if err != nil {
				t.Fatalf("Load(%v) error = %v", tt.args, err)
			}
			got := string(cfg.ReferenceSecret())
			if (got == operator) != tt.wantOurs {
				t.Errorf("ReferenceSecret() is the operator's key = %v, want %v", got == operator, tt.wantOurs)
			}
			if !slices.Contains(tt.args, "--fixture") && len(got) < 32 {
				t.Errorf("ReferenceSecret() has %d bytes, want a key of at least 32", len(got))
			}
			if again := string(cfg.ReferenceSecret()); again != got {
				t.Errorf("ReferenceSecret() changed between calls: the reference and the specs must share one key")
			}
		})
	}
}
