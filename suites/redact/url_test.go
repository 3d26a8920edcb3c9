package redact

import (
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://login.example.com/login", "https://login.example.com/login"},
		{"https://alice:hunter2pass@login.example.com/x", "https://alice:xxxxx@login.example.com/x"},
		{"https://token@example.com/", "https://token@example.com/"}, // no password: the user is shown, as url.Redacted does
		{"https://u:p4ss@h/%zz", "https://xxxxx@h/%zz"},              // does not parse: all credentials go
		{"mailto:user@example.com", "mailto:user@example.com"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := URL(tt.in); got != tt.want {
			t.Errorf("URL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestAddURL: once a URL is registered, text quoting it — as given,
// percent-decoded, its password alone or its userinfo — shows neither
// the password nor a bare token, however short the password.
func TestAddURL(t *testing.T) {
	tests := []struct {
		url, text string
		never     []string
		want      string
	}{
		{"https://alice:hunter2pass@login.example.com/login", "navigate to https://alice:hunter2pass@login.example.com/login: refused",
			[]string{"hunter2pass"}, "https://alice:xxxxx@login.example.com/login"},
		{"https://bob:pw@app.example.com", "Get https://bob:pw@app.example.com/api/me", []string{"bob:pw@"}, "https://bob:xxxxx@app.example.com"},
		{"https://carol:p%40ssw0rd-1@x.example.com", "password p@ssw0rd-1 and p%40ssw0rd-1", []string{"p@ssw0rd-1", "p%40ssw0rd-1"}, "<redacted sha256:"},
		{"https://ghp_TOKEN0123456789@github.example/x", "clone https://ghp_TOKEN0123456789@github.example/x", []string{"ghp_TOKEN0123456789"}, "https://xxxxx@github.example/x"},
		{"https://u:pw-pw-pw@h/%zz", "open https://u:pw-pw-pw@h/%zz", []string{"pw-pw-pw"}, "https://u:xxxxx@h/%zz"},
	}
	for _, tt := range tests {
		var s Set
		s.AddURL(tt.url)
		got := s.Clean(tt.text)
		for _, n := range tt.never {
			if strings.Contains(got, n) {
				t.Errorf("Clean(%q) after AddURL(%q) = %q: shows %q", tt.text, tt.url, got, n)
			}
		}
		if !strings.Contains(got, tt.want) {
			t.Errorf("Clean(%q) = %q, want it to contain %q", tt.text, got, tt.want)
		}
	}
	var s Set
	s.AddURL("https://login.example.com/login") // nothing to hide
	if got := s.Clean("https://login.example.com/login"); got != "https://login.example.com/login" {
		t.Errorf("a URL without credentials changed: %q", got)
	}
}
