package jwtcheck

import "testing"

func TestRegistrableDomains(t *testing.T) {
	tests := []struct {
		name       string
		a, b       string
		wantShared string
		wantOK     bool
		wantErr    bool
	}{
		{"same site under .test", "login.acme.test", "app.acme.test", "acme.test", true, false},
		{"case, port and trailing dot", "LOGIN.acme.test:8443", "app.acme.test.", "acme.test", true, false},
		{"apex and subdomain", "acme.test", "app.acme.test", "acme.test", true, false},
		{"unrelated", "login.acme.test", "app.other.test", "", false, false},
		{"private public suffix", "foo.vercel.app", "bar.vercel.app", "", false, false},
		{"icann multi-label suffix", "login.acme.co.uk", "app.acme.co.uk", "acme.co.uk", true, false},
		{"different under co.uk", "acme.co.uk", "other.co.uk", "", false, false},
		{"IPv4", "127.0.0.1", "app.acme.test", "", false, true},
		{"IPv6", "[::1]:443", "app.acme.test", "", false, true},
		{"bare TLD", "test", "app.acme.test", "", false, true},
		{"public suffix itself", "vercel.app", "foo.vercel.app", "", false, true},
		{"empty", "", "app.acme.test", "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shared, ok, err := RegistrableDomains(tt.a, tt.b)
			if (err != nil) != tt.wantErr {
				t.Fatalf("RegistrableDomains() error = %v, wantErr %v", err, tt.wantErr)
			}
			if shared != tt.wantShared || ok != tt.wantOK {
				t.Errorf("RegistrableDomains() = %q, %v, want %q, %v", shared, ok, tt.wantShared, tt.wantOK)
			}
		})
	}
}

func TestDomainAttrCovers(t *testing.T) {
	tests := []struct {
		attr, host string
		want       bool
	}{
		{".acme.test", "app.acme.test", true},
		{"acme.test", "app.acme.test", true},
		{"ACME.test", "deep.app.acme.test", true},
		{".acme.test", "acme.test", true},
		{"login.acme.test", "app.acme.test", false},
		{"acme.test", "notacme.test", false},
		{"other.test", "app.acme.test", false},
		{"", "app.acme.test", false},
		{"0.0.1", "127.0.0.1", false},
		{"127.0.0.1", "127.0.0.1", true},
		{".acme.test", "app.acme.test:443", true},
	}
	for _, tt := range tests {
		if got := DomainAttrCovers(tt.attr, tt.host); got != tt.want {
			t.Errorf("DomainAttrCovers(%q, %q) = %v, want %v", tt.attr, tt.host, got, tt.want)
		}
	}
}

func TestIsPublicSuffix(t *testing.T) {
	tests := []struct {
		domain string
		want   bool
	}{
		{"com", true},
		{".com", true},
		{"co.uk", true},
		{"vercel.app", true},
		{".test", true},
		{"test", true},
		{"acme.test", false},
		{".acme.test", false},
		{"example.com", false},
		{"foo.vercel.app", false},
		{"", false},
		{"127.0.0.1", false},
	}
	for _, tt := range tests {
		if got := IsPublicSuffix(tt.domain); got != tt.want {
			t.Errorf("IsPublicSuffix(%q) = %v, want %v", tt.domain, got, tt.want)
		}
	}
}
