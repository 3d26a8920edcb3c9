package cookieattr

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// format writes a Set-Cookie line for a, attributes in a fixed order.
func format(a Attrs) string {
	var b strings.Builder
	b.WriteString(a.Name + "=" + a.Value)
	if a.Domain != nil {
		b.WriteString("; Domain=" + *a.Domain)
	}
	if a.Path != nil {
		b.WriteString("; Path=" + *a.Path)
	}
	if a.Secure {
		b.WriteString("; Secure")
	}
	if a.HttpOnly {
		b.WriteString("; HttpOnly")
	}
	if a.SameSite != nil {
		b.WriteString("; SameSite=" + *a.SameSite)
	}
	if a.MaxAge != nil {
		b.WriteString("; Max-Age=" + strconv.Itoa(*a.MaxAge))
	}
	if a.Expires != nil {
		b.WriteString("; Expires=" + a.Expires.UTC().Format(http.TimeFormat))
	}
	if a.Partitioned {
		b.WriteString("; Partitioned")
	}
	return b.String()
}

func sameString(a, b *string) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

// same compares two parsed lines attribute by attribute.
func same(a, b Attrs) bool {
	return a.Name == b.Name && a.Value == b.Value && sameString(a.Domain, b.Domain) && sameString(a.Path, b.Path) &&
		a.Secure == b.Secure && a.HttpOnly == b.HttpOnly && sameString(a.SameSite, b.SameSite) &&
		(a.MaxAge == nil) == (b.MaxAge == nil) && (a.MaxAge == nil || *a.MaxAge == *b.MaxAge) &&
		(a.Expires == nil) == (b.Expires == nil) && (a.Expires == nil || a.Expires.Equal(*b.Expires)) &&
		a.Partitioned == b.Partitioned
}

// FuzzParse holds the Set-Cookie parser to RFC 6265's reading on any
// line and request path: no panic; name, value and attribute values are
// trimmed and hold no ';' (the name no '='); formatting what was parsed
// and parsing it again gives the same attributes; the effective path
// always starts with '/', and a cookie without a usable Path attribute
// path-matches the request that set it; every path matches itself.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"mf_jwt_token=abc; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None",
		"a=b; Max-Age=-1; Expires=Thu, 01 Jan 1970 00:00:00 GMT", "a=b=c; domain=x=y ;  secure ;HTTPONLY",
		"noequals", "=v", ";;;", "a=b; Expires=Sunday, 06-Nov-94 08:49:37 GMT; Max-Age=+5", "a=b; Path=login; SameSite",
		"\x1b[31m=\x00; Domain=\u202e; Path=/\u0085", "a=b; Partitioned; Max-Age=99999999999999999999",
	} {
		f.Add(s, "/login")
	}
	f.Add("a=b", "")
	f.Add("a=b", "/a//b/")
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, line, requestPath string) {
		a := Parse(line)
		for what, v := range map[string]*string{"name": &a.Name, "value": &a.Value, "domain": a.Domain, "path": a.Path, "samesite": a.SameSite} {
			if v != nil && (strings.Contains(*v, ";") || strings.TrimSpace(*v) != *v) {
				t.Fatalf("Parse(%q) %s = %q, want trimmed and without ';'", line, what, *v)
			}
		}
		if strings.Contains(a.Name, "=") {
			t.Fatalf("Parse(%q) name %q holds '='", line, a.Name)
		}
		_ = a.SameSiteValue()
		_ = a.DomainValue()
		_, _ = a.ExpiredAt(now)
		if again := Parse(format(a)); !same(again, a) {
			t.Fatalf("Parse(format(Parse(%q))) = %+v, want %+v (line %q)", line, again, a, format(a))
		}
		p := a.EffectivePath(requestPath)
		if !strings.HasPrefix(p, "/") {
			t.Fatalf("EffectivePath(%q) of %q = %q, want it to start with /", requestPath, line, p)
		}
		if (a.Path == nil || !strings.HasPrefix(*a.Path, "/")) && strings.HasPrefix(requestPath, "/") && !PathMatches(p, requestPath) {
			t.Fatalf("the default path %q of a cookie set by %q does not match it", p, requestPath)
		}
		if !PathMatches(requestPath, requestPath) || PathMatches(p, "") != PathMatches(p, "/") {
			t.Fatalf("PathMatches is not reflexive on %q or treats \"\" unlike \"/\"", requestPath)
		}
	})
}
