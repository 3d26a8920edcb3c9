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
		// RFC 6265 §5.1.1: a browser reads these too (issue 22, A10/B6).
		{"Netscape form, past", "a=b; Expires=Thu, 01-Jan-1970 00:00:00 GMT", true},
		{"two-digit year 94 is 1994", "a=b; Expires=Sunday, 06-Nov-94 08:49:37 GMT", true},
		{"asctime form, past", "a=b; Expires=Thu Jan  1 00:00:00 1970", true},
		{"any order, future", "a=b; Expires=2100 Jan 01 00:00:00", false},
		{"an unreadable date is no date", "a=b; Expires=yesterday", false},
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

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string // RFC 3339, "" for no date
	}{
		{"Thu, 01 Jan 1970 00:00:00 GMT", "1970-01-01T00:00:00Z"},
		{"Thu, 01-Jan-1970 00:00:01 GMT", "1970-01-01T00:00:01Z"},
		{"Sunday, 06-Nov-94 08:49:37 GMT", "1994-11-06T08:49:37Z"},
		{"Sun Nov  6 08:49:37 1994", "1994-11-06T08:49:37Z"},
		{"6 november 2069 8:9:7", "2069-11-06T08:09:07Z"},
		{"06 Nov 69 08:49:37", "2069-11-06T08:49:37Z"},
		{"06 Nov 70 08:49:37", "1970-11-06T08:49:37Z"},
		{"31 Feb 2030 00:00:00", ""},                        // no such day
		{"06 Nov 1600 08:49:37", ""},                        // before 1601
		{"06 Nov 2030 24:00:00", ""},                        // no hour 24
		{"06 Nov 2030", ""},                                 // no time
		{"Nov 2030 08:49:37", ""},                           // no day of month
		{"06 2030 08:49:37", ""},                            // no month
		{"123 Nov 2030 08:49:37", ""},                       // a three-digit day is no day (and no year is left)
		{"06 Nov 2030 08:49:37:12", "2030-11-06T08:49:37Z"}, // a time followed by a non-digit
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := parseDate(tt.in)
		gotText := ""
		if ok {
			gotText = got.Format(time.RFC3339)
		}
		if gotText != tt.want {
			t.Errorf("parseDate(%q) = %q, want %q", tt.in, gotText, tt.want)
		}
	}
}
