package jwtcheck

import (
	"strings"
	"testing"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/redact"
)

func TestCheckSecret(t *testing.T) {
	tests := []struct {
		name    string
		secret  string
		want    []diag.Code
		wantMsg []string
	}{
		{"strong", testSecret, nil, nil},
		{"exactly 32 bytes", "0123456789abcdef0123456789ABCDEF", nil, nil},
		{"empty", "", []diag.Code{diag.SecretWeak}, []string{"empty"}},
		{"short", "k3y-0f-20-bytes-long", []diag.Code{diag.SecretWeak}, []string{"20 bytes (160 bits)", "RFC 7518 §3.2"}},
		{"vendor placeholder", "YOUR_SECRET_KEY", []diag.Code{diag.SecretWeak}, []string{"YOUR_SECRET_KEY (the vendor page's placeholder)", "15 bytes"}},
		{"placeholder, case and space", "  your-secret-key\n", []diag.Code{diag.SecretWeak}, []string{"YOUR_SECRET_KEY"}},
		{"changeme", "ChangeMe", []diag.Code{diag.SecretWeak}, []string{"changeme"}},
		{"jwt.io default", "your-256-bit-secret", []diag.Code{diag.SecretWeak}, []string{"jwt.io"}},
		{"long placeholder", "your-super-secret-jwt-token-with-at-least-32-characters-long", []diag.Code{diag.SecretWeak}, []string{"Supabase"}},
		{"repeated byte", strings.Repeat("a", 40), []diag.Code{diag.SecretWeak}, []string{"all 40 bytes are the same character"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckSecret([]byte(tt.secret))
			if !sameCodes(got, tt.want) {
				t.Fatalf("CheckSecret() codes = %v, want %v (%v)", codes(got), tt.want, got)
			}
			for _, w := range tt.wantMsg {
				if !strings.Contains(got[0].Observed, w) {
					t.Errorf("CheckSecret() observed = %q, want it to contain %q", got[0].Observed, w)
				}
			}
			if len(got) > 0 && tt.secret != "" && !strings.Contains(got[0].Observed, redact.Fingerprint([]byte(tt.secret))) {
				t.Errorf("CheckSecret() observed = %q, want the key's fingerprint", got[0].Observed)
			}
		})
	}
}

func TestCheckSecretNeverEchoesNonPlaceholder(t *testing.T) {
	for _, s := range []string{"hunter2-is-my-pw", strings.Repeat("Z", 50), "short-but-private"} {
		for _, d := range CheckSecret([]byte(s)) {
			if strings.Contains(d.String(), s) {
				t.Errorf("CheckSecret(%d bytes) output contains the secret: %s", len(s), d)
			}
		}
	}
}
