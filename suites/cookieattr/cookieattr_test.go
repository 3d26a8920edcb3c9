package cookieattr

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name                 string
		line                 string
		wantDomain, wantSS   string
		wantSecure, wantHTTP bool
		wantPath             string
	}{
		{"documented", "mf_jwt_token=abc; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None", "acme.test", "None", true, true, "/"},
		{"host-only lax", "mf_jwt_token=abc; Path=/login; SameSite=Lax", "", "Lax", false, false, "/login"},
		{"case and spaces", "mf_jwt_token=abc;domain=ACME.test ;  secure ;HTTPONLY", "acme.test", "", true, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Parse(tt.line)
			if a.Name != "mf_jwt_token" || a.Value != "abc" {
				t.Errorf("Parse() name/value = %q/%q, want mf_jwt_token/abc", a.Name, a.Value)
			}
			if got := a.DomainValue(); got != tt.wantDomain {
				t.Errorf("DomainValue() = %q, want %q", got, tt.wantDomain)
			}
			if got := a.SameSiteValue(); got != tt.wantSS {
				t.Errorf("SameSiteValue() = %q, want %q", got, tt.wantSS)
			}
			if a.Secure != tt.wantSecure || a.HttpOnly != tt.wantHTTP {
				t.Errorf("Secure/HttpOnly = %v/%v, want %v/%v", a.Secure, a.HttpOnly, tt.wantSecure, tt.wantHTTP)
			}
			gotPath := ""
			if a.Path != nil {
				gotPath = *a.Path
			}
			if gotPath != tt.wantPath {
				t.Errorf("Path = %q, want %q", gotPath, tt.wantPath)
			}
		})
	}
}

func TestExpiredAt(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		line string
		want bool
	}{
		{"session cookie", "a=b", false},
		{"max-age zero", "a=b; Max-Age=0", true},
		{"max-age negative", "a=b; Max-Age=-1", true},
		{"max-age positive wins over past expires", "a=b; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT", false},
		{"expires past", "a=b; Expires=Thu, 01 Jan 1970 00:00:00 GMT", true},
		{"expires future", "a=b; Expires=Fri, 01 Jan 2100 00:00:00 GMT", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := Parse(tt.line).ExpiredAt(now); got != tt.want {
				t.Errorf("ExpiredAt() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPaths(t *testing.T) {
	tests := []struct {
		name, line, reqPath, appPath string
		want                         bool
	}{
		{"root", "a=b; Path=/", "/login", "/api/me", true},
		{"restricted", "a=b; Path=/login", "/login", "/api/me", false},
		{"default from /login", "a=b", "/login", "/", true},
		{"default from /auth/login", "a=b", "/auth/login", "/", false},
		{"prefix boundary", "a=b; Path=/api", "/login", "/apiary", false},
		{"prefix ok", "a=b; Path=/api", "/login", "/api/me", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Parse(tt.line).EffectivePath(tt.reqPath)
			if got := PathMatches(p, tt.appPath); got != tt.want {
				t.Errorf("PathMatches(%q, %q) = %v, want %v", p, tt.appPath, got, tt.want)
			}
		})
	}
}
