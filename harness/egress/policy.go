package egress

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Policy is what the browser may connect to: the deployment.
//
//   - Endpoints are host:port pairs — every origin mfconform serves and
//     every URL the operator gave (login, app, project, app origin, the
//     pages a script opens) — and admit exactly that host and port, IP
//     literals included.
//   - Hosts are names (exact, or *.domain) admitted at any port: the names
//     the deployment is made of (those of Endpoints, --session-host,
//     --resolve patterns) and --allow-host's.
//
// Whatever a name resolves to is checked too, before any connection: an
// address of this machine (loopback, or unspecified, which Linux connects
// to loopback) is reached only at a port of one of the deployment's
// loopback endpoints, so a page cannot reach another local service through
// an admitted name (app.example.test:6379); a link-local address (where a
// cloud metadata service answers) only as an endpoint given exactly. An
// IP literal is never matched by a name: only Endpoints admit one.
type Policy struct {
	Endpoints []string
	Hosts     []string
}

// merge is p with o's entries added.
func (p Policy) merge(o Policy) Policy {
	out := Policy{Endpoints: slices.Clone(p.Endpoints), Hosts: slices.Clone(p.Hosts)}
	for _, e := range o.Endpoints {
		if !slices.Contains(out.Endpoints, e) {
			out.Endpoints = append(out.Endpoints, e)
		}
	}
	for _, h := range o.Hosts {
		if !slices.Contains(out.Hosts, h) {
			out.Hosts = append(out.Hosts, h)
		}
	}
	return out
}

// Endpoint is the host:port of a URL as the guard keys it (lower-case
// host, the scheme's default port), "" when the URL has no host. A value
// that is already HOST:PORT is taken as it is.
func Endpoint(raw string) string {
	raw = strings.Trim(strings.TrimSpace(raw), `"'`)
	if !strings.Contains(raw, "://") {
		if h, p, err := net.SplitHostPort(raw); err == nil && h != "" {
			return normHostPort(h, p)
		}
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	p := u.Port()
	if p == "" {
		p = map[string]string{"http": "80", "ws": "80", "https": "443", "wss": "443"}[u.Scheme]
	}
	if p == "" {
		return ""
	}
	return normHostPort(u.Hostname(), p)
}

func normHostPort(h, p string) string {
	h = strings.ToLower(strings.TrimSuffix(trimBrackets(h), "."))
	if ip := net.ParseIP(h); ip != nil {
		h = ip.String()
	}
	return net.JoinHostPort(h, p)
}

// endpoint reports whether host:port is one of p's endpoints.
func (p Policy) endpoint(host string, port int) bool {
	return slices.Contains(p.Endpoints, hostPort(host, port))
}

// named reports whether p admits the name host (not an IP literal) at
// some port: an exact entry or a *.domain pattern it falls under, or the
// host of an endpoint.
func (p Policy) named(host string) bool {
	for _, h := range p.Hosts {
		if h == host {
			return true
		}
		if s, ok := strings.CutPrefix(h, "*."); ok && strings.HasSuffix(host, "."+s) {
			return true
		}
	}
	for _, e := range p.Endpoints {
		if h, _, _ := net.SplitHostPort(e); h == host {
			return true
		}
	}
	return false
}

// localPorts are the ports of the endpoints on this machine: an address of
// loopback, or a name resolve maps to one.
func (p Policy) localPorts(resolve func(string) (netip.Addr, bool)) []int {
	var out []int
	for _, e := range p.Endpoints {
		h, ps, err := net.SplitHostPort(e)
		if err != nil {
			continue
		}
		a, err := netip.ParseAddr(h)
		ok := err == nil
		if !ok {
			a, ok = resolve(h)
		}
		if ok && local(a) {
			if n, err := strconv.Atoi(ps); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// local reports whether a is this machine's: loopback, or unspecified
// (0.0.0.0 and :: connect to loopback on Linux).
func local(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsLoopback() || a.IsUnspecified()
}

// linkLocal reports whether a is link-local (169.254.0.0/16, fe80::/10),
// where cloud metadata services answer (169.254.169.254, fd00:ec2::254
// aside).
func linkLocal(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast()
}

// refuseAddress says why p does not admit a connection to host:port that
// reaches address a ("" when it does): host is a name p admits (or an
// endpoint), a what it resolved to.
func (p Policy) refuseAddress(host string, port int, a netip.Addr, resolve func(string) (netip.Addr, bool)) string {
	if p.endpoint(host, port) {
		return ""
	}
	switch {
	case local(a) && !slices.Contains(p.localPorts(resolve), port):
		return fmt.Sprintf("%s resolves to this machine (%s), where only the deployment's own ports are reached", hostPort(host, port), a.Unmap())
	case linkLocal(a):
		return fmt.Sprintf("%s resolves to a link-local address (%s), where cloud metadata services answer", hostPort(host, port), a.Unmap())
	}
	return ""
}

// refuseName says why p does not admit host:port before any resolution
// ("" when it may be resolved and checked by address).
func (p Policy) refuseName(host string, port int) string {
	if p.endpoint(host, port) {
		return ""
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return fmt.Sprintf("%s is an address, not one of the deployment's URLs", hostPort(host, port))
	}
	if !p.named(host) {
		return fmt.Sprintf("%s is not one of the deployment's hosts", host)
	}
	return ""
}
