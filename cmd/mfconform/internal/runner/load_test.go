package runner

import (
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
