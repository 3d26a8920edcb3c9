// Package hostmap maps host names to loopback (or any) addresses the same way
// for Chromium (--host-resolver-rules) and for Go HTTP clients (a dialer), so
// SNI, Host headers and cookie domains keep their real names without DNS.
package hostmap

import (
	"context"
	"fmt"
	"net"
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
func (m *Map) Add(pattern, addr string) error {
	pattern = strings.ToLower(strings.TrimSpace(pattern))
	rest, _ := strings.CutPrefix(pattern, "*.")
	if rest == "" || strings.ContainsAny(pattern, " ,/:") || strings.Contains(rest, "*") ||
		strings.HasSuffix(rest, ".") || strings.HasPrefix(rest, ".") {
		return fmt.Errorf("hostmap: bad host pattern %q: want host.example or *.example", pattern)
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
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if a, ok := m.rules[host]; ok {
		return a
	}
	best, bestLen := "", -1
	for p, a := range m.rules {
		if s, ok := strings.CutPrefix(p, "*."); ok && strings.HasSuffix(host, "."+s) && len(s) > bestLen {
			best, bestLen = a, len(s)
		}
	}
	return best
}

// ChromiumRules renders the map as the value of Chromium's
// --host-resolver-rules flag, in a stable order. Names that match no rule
// resolve normally.
func (m *Map) ChromiumRules() string {
	keys := make([]string, 0, len(m.rules))
	for k := range m.rules {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = "MAP " + k + " " + m.rules[k]
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
