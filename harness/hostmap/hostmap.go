// Package hostmap maps host names to loopback (or any) addresses the same way
// for Chromium (--host-resolver-rules) and for Go HTTP clients (a dialer), so
// SNI, Host headers and cookie domains keep their real names without DNS.
package hostmap

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"slices"
	"sort"
	"strings"
	"time"
)

// Map holds resolver rules: an exact host name or a "*.suffix" wildcard,
// mapped to an IP address. The zero value maps nothing.
type Map struct {
	rules map[string]string
}

// Add maps pattern ("host.example" or "*.example") to addr (an IP address).
// A pattern is a host name — letters, digits, '-' and '_' in dot-separated
// labels, an internationalised name in its xn-- form — optionally after
// "*.": anything else could read differently to Chromium (which takes '?'
// and '*' anywhere as wildcards, splits rules at ',' and spaces, and sees
// host names only in ASCII) than to Lookup.
func (m *Map) Add(pattern, addr string) error {
	pattern = strings.ToLower(strings.TrimSpace(pattern))
	rest, _ := strings.CutPrefix(pattern, "*.")
	if !hostName(rest) {
		return fmt.Errorf("hostmap: bad host pattern %q: want host.example or *.example (letters, digits, '-', '_'; an internationalised name in its xn-- form)", pattern)
	}
	if net.ParseIP(addr) == nil {
		return fmt.Errorf("hostmap: %q is not an IP address (host pattern %q)", addr, pattern)
	}
	if m.rules == nil {
		m.rules = map[string]string{}
	}
	m.rules[pattern] = addr
	return nil
}

// Lookup returns the address host maps to, or "" when no rule matches. An
// exact rule wins over a wildcard; a longer wildcard wins over a shorter one.
func (m *Map) Lookup(host string) string {
	_, addr := m.Match(host)
	return addr
}

// Match returns the rule host maps by — its pattern and address — or two
// empty strings when no rule matches (the name resolves normally). An
// exact rule wins over a wildcard; a longer wildcard wins over a shorter one.
func (m *Map) Match(host string) (pattern, addr string) {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if a, ok := m.rules[host]; ok {
		return host, a
	}
	bestLen := -1
	for p, a := range m.rules {
		if s, ok := strings.CutPrefix(p, "*."); ok && strings.HasSuffix(host, "."+s) && len(s) > bestLen {
			pattern, addr, bestLen = p, a, len(s)
		}
	}
	return pattern, addr
}

// Merge adds o's rules to m. A pattern both map to different addresses is
// an error naming it, and m keeps its own rule.
func (m *Map) Merge(o *Map) error {
	var errs []error
	for _, p := range slices.Sorted(maps.Keys(o.rules)) {
		a := o.rules[p]
		if have, ok := m.rules[p]; ok && have != a {
			errs = append(errs, fmt.Errorf("hostmap: %s maps to both %s and %s", p, have, a))
			continue
		}
		if m.rules == nil {
			m.rules = map[string]string{}
		}
		m.rules[p] = a
	}
	return errors.Join(errs...)
}

// hostName reports whether s is a host name Add accepts: at most 253
// bytes of non-empty labels of [a-z0-9_-] joined by dots.
func hostName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" {
			return false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// ChromiumRules renders the map as the value of Chromium's
// --host-resolver-rules flag, in a stable order that makes Chromium, which
// takes the first rule that matches, agree with Lookup: exact names first,
// then wildcards from the longest suffix to the shortest. Each rule comes
// with its twin for the name with a trailing dot, which Chromium keeps in
// a host and Lookup ignores. IPv6 addresses are bracketed, as Chromium
// requires. Names that match no rule resolve normally.
func (m *Map) ChromiumRules() string {
	keys := make([]string, 0, len(m.rules))
	for k := range m.rules {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		wi, wj := strings.HasPrefix(keys[i], "*."), strings.HasPrefix(keys[j], "*.")
		switch {
		case wi != wj:
			return !wi
		case wi && len(keys[i]) != len(keys[j]):
			return len(keys[i]) > len(keys[j])
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		addr := m.rules[k]
		if strings.Contains(addr, ":") {
			addr = "[" + addr + "]"
		}
		parts = append(parts, "MAP "+k+" "+addr, "MAP "+k+". "+addr)
	}
	return strings.Join(parts, ", ")
}

// DialContext dials addr ("host:port") at the mapped address when a rule
// matches the host, and as usual otherwise. It fits http.Transport.DialContext.
func (m *Map) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("hostmap: dial %q: %w", addr, err)
	}
	if a := m.Lookup(host); a != "" {
		addr = net.JoinHostPort(a, port)
	}
	d := net.Dialer{Timeout: 10 * time.Second}
	return d.DialContext(ctx, network, addr)
}
