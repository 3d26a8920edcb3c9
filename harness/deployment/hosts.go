package deployment

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/mfconform/mfconform/harness/egress"
	"github.com/mfconform/mfconform/harness/hostmap"
)

// Host is one name a plan serves.
type Host struct {
	Name string
	// What says what answers there, for config check and errors.
	What string
}

// Hosts is every name the plan serves, sorted, each once (a name two
// servers share, on their own ports, says both).
func (p Plan) Hosts() []Host {
	byName := map[string]*Host{}
	for _, sv := range p.servers() {
		for _, h := range sv.hosts {
			name := strings.ToLower(h.Name)
			switch x := byName[name]; {
			case x == nil:
				byName[name] = &Host{Name: name, What: h.What}
			case !strings.Contains(x.What, h.What):
				x.What += "; " + h.What
			}
		}
	}
	out := make([]Host, 0, len(byName))
	for _, h := range byName {
		out = append(out, *h)
	}
	slices.SortFunc(out, func(a, b Host) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// Names is every name the plan serves, sorted: the names its certificate
// carries and mfconform's host map sends to Loopback.
func (p Plan) Names() []string {
	var out []string
	for _, h := range p.Hosts() {
		out = append(out, h.Name)
	}
	return out
}

// Reached is a host the operator names as part of what is checked:
// mfconform reaches it through the operator's --resolve rules or DNS and
// never serves it.
type Reached struct {
	Name string
	// Source says where the operator named it: "--app-origin",
	// "supabase.login_script step 1", "--resolve", …
	Source string
	// Endpoint is host:port when the operator named it by a URL
	// (egress.Endpoint), "" for a bare name.
	Endpoint string
}

// ErrHostClash is Check's error when a host the operator names is one the
// plan would serve.
var ErrHostClash = errors.New("a host you name is one mfconform serves")

// Check reports what makes the plan unusable: a served name that is not a
// host name, a real Supabase app whose host has no names beside it for
// mfconform's pages, or a host the operator names that the plan would
// serve (ErrHostClash, naming both).
func (p Plan) Check(reached []Reached) error {
	hosts := p.Hosts()
	for _, h := range hosts {
		if !hostName(h.Name) {
			return fmt.Errorf("host %q (%s): want a host name such as login.acme.test", h.Name, h.What)
		}
	}
	if sb := p.Supabase; sb != nil && !sb.Reference() {
		if why := appHostUsable(sb.AppHost); why != "" {
			return fmt.Errorf("the app host %q: %s, and mfconform serves its own pages on names beside your app's (%s.<its domain>): give the app origin by its host name and map that with --resolve HOST=IP", sb.AppHost, why, ClientLabel)
		}
	}
	served := map[string]Host{}
	for _, h := range hosts {
		served[h.Name] = h
	}
	var errs []error
	for _, r := range reached {
		if h, ok := served[strings.ToLower(strings.TrimSuffix(r.Name, "."))]; ok {
			errs = append(errs, fmt.Errorf("%w: %s names %s, which is where mfconform serves %s; mfconform never maps a host of yours to its own servers and keeps %s.*, %s.* and %s.* beside your app, and %s, for itself: name another host",
				ErrHostClash, r.Source, r.Name, h.What, ClientLabel, ServerLabel, AppLabel, EmbedHost))
		}
	}
	return errors.Join(errs...)
}

// hostName reports whether s is a DNS name: letters, digits, hyphens and
// dots, no empty label, not an IP address.
func hostName(s string) bool {
	if s == "" || len(s) > 253 || net.ParseIP(s) != nil {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

// HostMap is the run's one mapping, for Chromium (--host-resolver-rules)
// and the Go clients (its dialer) alike: the operator's --resolve rules
// (HOST=IP; HOST may be *.domain), and every served name to Loopback. A
// served name is never one the operator names (Check), so no operator rule
// is overridden; an operator's wildcard that covers a served name yields to
// the served name's exact rule, as a reserved label should.
func (p Plan) HostMap(resolve []string) (*hostmap.Map, error) {
	hm := &hostmap.Map{}
	for _, r := range resolve {
		h, a, _ := strings.Cut(r, "=")
		if err := hm.Add(h, a); err != nil {
			return nil, err
		}
	}
	for _, h := range p.Names() {
		if err := hm.Add(h, Loopback); err != nil {
			return nil, err
		}
	}
	return hm, nil
}

// Route says where one host a run serves or reaches resolves.
type Route struct {
	Name string
	// Served: mfconform serves the name (on Loopback through its own map);
	// otherwise the operator names it and mfconform reaches it.
	Served bool
	// What says what answers (served) or where the operator named it.
	What string
	// Addr is the address the name maps to; "" resolves through DNS.
	Addr string
	// Rule is the operator's --resolve pattern that maps a reached name,
	// or that a served name's own rule shadows; "" for none.
	Rule string
}

// Routes is every host the plan serves and every host the operator names,
// with where each resolves: a served name to Loopback through mfconform's
// map, a reached name through the operator's --resolve rule or DNS. A host
// named twice is listed once, with every place it is named.
func (p Plan) Routes(reached []Reached, resolve []string) []Route {
	var own hostmap.Map
	for _, r := range resolve {
		h, a, _ := strings.Cut(r, "=")
		_ = own.Add(h, a) // Validate has refused a bad rule
	}
	var out []Route
	for _, h := range p.Hosts() {
		rule, _ := own.Match(h.Name)
		out = append(out, Route{Name: h.Name, Served: true, What: h.What, Addr: Loopback, Rule: rule})
	}
	at := map[string]int{}
	for _, r := range reached {
		name := strings.ToLower(strings.TrimSuffix(r.Name, "."))
		if i, ok := at[name]; ok {
			if !strings.Contains(out[i].What, r.Source) {
				out[i].What += ", " + r.Source
			}
			continue
		}
		rule, addr := own.Match(name)
		at[name] = len(out)
		out = append(out, Route{Name: name, What: r.Source, Addr: addr, Rule: rule})
	}
	return out
}

// Egress is what the browser may connect to (harness/egress): the
// deployment and nothing else. Before the servers start it holds every
// URL the operator gave (an endpoint, IP literals included) and every
// name the deployment is made of — the names the plan serves, the hosts
// the operator names (reached), the --resolve patterns — plus the
// operator's --allow-host entries (allow: HOST, *.domain, or HOST:PORT for
// one endpoint); the servers' own endpoints are added once they listen
// (Servers.Endpoints).
func (p Plan) Egress(reached []Reached, resolve, allow []string) egress.Policy {
	var pol egress.Policy
	pol.Hosts = append(pol.Hosts, p.Names()...)
	for _, r := range reached {
		if r.Endpoint != "" {
			pol.Endpoints = append(pol.Endpoints, r.Endpoint)
		}
		pol.Hosts = append(pol.Hosts, strings.ToLower(strings.TrimSuffix(r.Name, ".")))
	}
	for _, r := range resolve {
		if h, _, _ := strings.Cut(r, "="); h != "" {
			pol.Hosts = append(pol.Hosts, strings.ToLower(strings.TrimSpace(h)))
		}
	}
	for _, a := range allow {
		if ep := egress.Endpoint(a); ep != "" {
			pol.Endpoints = append(pol.Endpoints, ep)
		} else {
			pol.Hosts = append(pol.Hosts, strings.ToLower(strings.TrimSuffix(a, ".")))
		}
	}
	return pol
}
