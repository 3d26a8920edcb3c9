package jwtcheck

import (
	"fmt"
	"net"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// normaliseHost lower-cases host and drops a port, a trailing dot and
// IPv6 brackets.
func normaliseHost(host string) string {
	host = strings.ToLower(strings.TrimSpace(host))
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return strings.TrimSuffix(host, ".")
}

// RegistrableDomains reports whether hosts a and b share a registrable
// domain (eTLD+1 per the Public Suffix List, the rule browsers apply to
// cookie Domain attributes) and which. Ports are ignored. Names under a TLD
// the list does not know, such as .test, fall under the default rule
// ("*"): app.acme.test has eTLD+1 acme.test. It errors for an IP address,
// a public suffix or a bare TLD, which have no registrable domain.
func RegistrableDomains(a, b string) (shared string, ok bool, err error) {
	da, err := registrable(a)
	if err != nil {
		return "", false, err
	}
	db, err := registrable(b)
	if err != nil {
		return "", false, err
	}
	if da != db {
		return "", false, nil
	}
	return da, true, nil
}

// registrable returns host's eTLD+1.
func registrable(host string) (string, error) {
	h := normaliseHost(host)
	if h == "" {
		return "", fmt.Errorf("registrable domain of %q: empty host", host)
	}
	if net.ParseIP(h) != nil {
		return "", fmt.Errorf("registrable domain of %q: an IP address has none, so no cookie can be shared with another host", host)
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(h)
	if err != nil {
		return "", fmt.Errorf("registrable domain of %q: %w", host, err)
	}
	return d, nil
}

// DomainAttrCovers reports whether a cookie with Domain attribute
// domainAttr is sent to host: host equals the domain or is a subdomain of
// it (RFC 6265 §5.1.3 domain-match; a leading dot is ignored, §5.2.3). An
// empty attribute (a host-only cookie) covers no other host and yields
// false; an IP host matches only itself.
func DomainAttrCovers(domainAttr, host string) bool {
	d := strings.TrimSuffix(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(domainAttr)), "."), ".")
	h := normaliseHost(host)
	if d == "" || h == "" {
		return false
	}
	if h == d {
		return true
	}
	return net.ParseIP(h) == nil && strings.HasSuffix(h, "."+d)
}

// IsPublicSuffix reports whether domain (leading dot ignored) is a public
// suffix, from the ICANN or the private part of the list (com, co.uk,
// vercel.app). A TLD the list does not know, such as "test", counts as a
// public suffix by the default rule, as it does in Chromium: a cookie with
// Domain=.test is refused.
func IsPublicSuffix(domain string) bool {
	d := strings.TrimSuffix(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(domain)), "."), ".")
	if d == "" || net.ParseIP(d) != nil {
		return false
	}
	ps, _ := publicsuffix.PublicSuffix(d)
	return ps == d
}
