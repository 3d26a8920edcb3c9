package supabase

import (
	"strings"
	"testing"

	"github.com/mfconform/mfconform/harness/browser"
)

func TestNewRedirect(t *testing.T) {
	from := mustURL("https://abcdefghijklmnopqrst.supabase.co/auth/v1/token?grant_type=password")
	tests := []struct {
		name      string
		status    int
		location  string
		wantNil   bool
		wantLoc   string
		wantCross bool
	}{
		{"another origin", 307, "https://evil.test/collect", false, "https://evil.test/collect", true},
		{"another port is another origin", 308, "https://abcdefghijklmnopqrst.supabase.co:8443/auth/v1/token", false, "https://abcdefghijklmnopqrst.supabase.co:8443/auth/v1/token", true},
		{"http is another origin", 302, "http://abcdefghijklmnopqrst.supabase.co/auth/v1/token", false, "http://abcdefghijklmnopqrst.supabase.co/auth/v1/token", true},
		{"relative: the same origin", 307, "/auth/v1/token2?x=1", false, "https://abcdefghijklmnopqrst.supabase.co/auth/v1/token2?x=1", false},
		{"a password in the Location is hidden", 307, "https://user:hunter2@evil.test/", false, "https://user:xxxxx@evil.test/", true},
		{"no Location", 301, "", false, "", false},
		{"304 is no redirect", 304, "/x", true, "", false},
		{"200 is no redirect", 200, "/x", true, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rd := newRedirect("POST", from, tt.status, tt.location)
			if (rd == nil) != tt.wantNil {
				t.Fatalf("newRedirect() = %+v, want nil %v", rd, tt.wantNil)
			}
			if rd == nil {
				return
			}
			if rd.Location != tt.wantLoc || rd.CrossOrigin != tt.wantCross || rd.Request != "POST /auth/v1/token?grant_type=password" {
				t.Errorf("newRedirect() = %+v, want Location %q CrossOrigin %v", rd, tt.wantLoc, tt.wantCross)
			}
			if f := rd.Finding("the sign-in"); strings.Contains(f.Observed, "hunter2") {
				t.Errorf("Finding().Observed = %q shows the password", f.Observed)
			}
		})
	}
}

func TestBrowserRedirects(t *testing.T) {
	const origin = "https://abcdefghijklmnopqrst.supabase.co"
	loc := map[string]string{"location": "https://evil.test/t"}
	xs := []browser.Exchange{
		{URL: origin + "/auth/v1/settings", Method: "GET", Status: 200},
		{URL: origin + "/auth/v1/token?grant_type=password", Method: "POST", Status: 307, ResponseHeaders: loc},
		{URL: origin + "/auth/v1/token?grant_type=password", Method: "POST", Status: 307, ResponseHeaders: loc},
		{URL: "https://app.example.test/", Method: "GET", Status: 302, ResponseHeaders: loc},
	}
	got := browserRedirects(xs, origin)
	if len(got) != 1 || got[0].Request != "POST /auth/v1/token?grant_type=password" || !got[0].CrossOrigin {
		t.Errorf("browserRedirects() = %+v, want the project's one redirect, once", got)
	}
}
