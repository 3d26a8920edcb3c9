package hostmap

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/mfconform/mfconform/suites/result"
)

// chromiumLookup resolves host as Chromium reads --host-resolver-rules:
// rules split at ',', each "MAP pattern replacement" with whitespace
// trimmed, the first rule whose pattern matches (base::MatchPattern: '*'
// any run, '?' one character) wins; an IPv6 replacement is bracketed.
func chromiumLookup(t *testing.T, rules, host string) string {
	t.Helper()
	if rules == "" {
		return ""
	}
	for _, rule := range strings.Split(rules, ",") {
		f := strings.Fields(rule)
		if len(f) != 3 || f[0] != "MAP" {
			t.Fatalf("rule %q does not read as MAP pattern address", rule)
		}
		addr := strings.TrimSuffix(strings.TrimPrefix(f[2], "["), "]")
		if net.ParseIP(addr) == nil || strings.Contains(addr, ":") != strings.HasPrefix(f[2], "[") {
			t.Fatalf("rule %q: Chromium cannot read the address %q", rule, f[2])
		}
		if glob(f[1], host) {
			return addr
		}
	}
	return ""
}

// glob is base::MatchPattern's wildcard match.
func glob(pattern, s string) bool {
	for pattern != "" {
		switch pattern[0] {
		case '*':
			for i := 0; i <= len(s); i++ {
				if glob(pattern[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
		default:
			if s == "" || s[0] != pattern[0] {
				return false
			}
		}
		pattern, s = pattern[1:], s[1:]
	}
	return s == ""
}

// FuzzRules holds the host map to one promise: Chromium and the Go
// clients reach every name at the same address. For any two rules and any
// host: an error is printable; every accepted rule renders as a rule
// Chromium can read (one pattern of host-name characters, an address
// bracketed when IPv6); Chromium's first-match reading of ChromiumRules
// gives what Lookup gives; and dialling with a cancelled context never
// connects.
func FuzzRules(f *testing.F) {
	f.Add("*.acme.test", "10.0.0.1", "login.acme.test", "127.0.0.1", "login.acme.test")
	f.Add("*.acme.test", "10.0.0.1", "*.staging.acme.test", "10.0.0.2", "app.staging.acme.test")
	f.Add("v6.acme.test", "::1", "*.test", "127.0.0.1", "v6.acme.test")
	f.Add("a?c.test", "127.0.0.1", "abc.test", "10.0.0.9", "abc.test")
	f.Add("bücher.test", "127.0.0.1", "xn--bcher-kva.test", "::ffff:10.0.0.1", "xn--bcher-kva.test")
	f.Add(" \x1b[31m.test", "1.2.3.4", "*.*", "1.2.3.4", "x")
	f.Add("login.acme.test", "127.0.0.1", "*.acme.test", "10.0.0.1", "app.acme.test.")
	f.Fuzz(func(t *testing.T, p1, a1, p2, a2, host string) {
		var m Map
		for _, r := range [][2]string{{p1, a1}, {p2, a2}} {
			if err := m.Add(r[0], r[1]); err != nil && result.Clean(err.Error()) != err.Error() {
				t.Fatalf("Add(%q, %q) error holds raw control characters: %q", r[0], r[1], err)
			}
		}
		rules := m.ChromiumRules()
		host = strings.ToLower(host) // as Chromium canonicalises it; a trailing dot stays
		if got, want := chromiumLookup(t, rules, host), m.Lookup(host); got != want {
			t.Fatalf("rules %q: Chromium reaches %q at %q, Lookup at %q", rules, host, got, want)
		}
		for _, r := range [][2]string{{p1, a1}, {p2, a2}} {
			p := strings.ToLower(strings.TrimSpace(r[0]))
			if w, ok := strings.CutPrefix(p, "*."); ok {
				p = "x." + w
			}
			if got, want := chromiumLookup(t, rules, p), m.Lookup(p); got != want {
				t.Fatalf("rules %q: Chromium reaches %q at %q, Lookup at %q", rules, p, got, want)
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if c, err := m.DialContext(ctx, "tcp", net.JoinHostPort(host, "443")); err == nil {
			c.Close()
			t.Fatalf("DialContext(%q) connected with a cancelled context", host)
		}
	})
}
