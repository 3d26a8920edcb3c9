// Package egress is the browser's only way out of the machine: a SOCKS5
// proxy of mfconform's own on loopback (RFC 1928: CONNECT, no
// authentication) through which Chromium makes every connection, and
// which connects only to the deployment — the hosts mfconform serves and
// the hosts the operator named — refusing everything else before any
// socket is opened, and recording what it refused.
//
// Why a proxy, and why SOCKS5 (measured on Chromium 156; SECURITY.md,
// "Network touched"):
//
//   - Host-resolver rules cannot do it: a URL with an IP literal
//     (http://127.0.0.1:6379/, http://169.254.169.254/, http://[::1]/) is
//     never resolved, so no rule sees it.
//   - CDP Fetch interception (Fetch.enable, every request paused and
//     continued or failed by mfconform) sees requests, not connections:
//     <link rel=preconnect> opens a socket to any address without a
//     request, WebSockets are not intercepted, and a service worker's or
//     another target's requests need their own sessions. It also costs a
//     round trip to mfconform for every request of every page.
//   - A proxy sees every connection the browser context makes — pages,
//     subresources, preconnects, WebSockets, workers — whatever its URL,
//     and Chromium resolves no name itself when it has one. With
//     --proxy-bypass-list=<-loopback> (and the same list per browser
//     context) loopback and link-local addresses go through it too.
//   - SOCKS5 rather than an HTTP proxy: an HTTP proxy receives plain
//     http:// requests in absolute form and must answer them itself, so a
//     refusal arrives in the page as the target's own 403 and every plain
//     HTTP answer would pass through mfconform's parser (header case,
//     order, what Go refuses to read). A SOCKS5 tunnel carries the bytes
//     untouched, TLS and HTTP/2 end to end, so Chromium's network events
//     and cookie verdicts are what they are without a proxy.
//
// Cost, measured on this 2-core machine (the default run, both modes,
// interleaved with the build before, 9 runs each, medians): the run
// 1108 ms before, 1115 ms through the guard, 1162 ms with Fetch
// interception instead; the browser bundles' time (jwt_login_flow,
// supabase_browser, supabase_cookie_session) 1853, 1889 and 2185 ms. One
// connection through the guard costs about 0.1-0.2 ms more than a direct
// one (BenchmarkConnect), and Chromium keeps its connections open.
//
// What changes: Chromium reports every connection the proxy did not make
// as net::ERR_SOCKS_CONNECTION_FAILED, whatever the reason. The guard
// records the reason, and Explain turns the text back into the error
// Chromium gives without a proxy — net::ERR_NAME_NOT_RESOLVED,
// net::ERR_CONNECTION_REFUSED, net::ERR_CONNECTION_TIMED_OUT — or says
// that mfconform refused the host and how to allow it, so the diagnostics
// that quote Chromium's error read as before. TLS errors are Chromium's
// own (the tunnel does not touch TLS).
//
// Only this user's processes may use a guard: on Linux a connection whose
// peer socket belongs to another user is closed unanswered (peer_linux.go),
// so another local user cannot use it to reach what it reaches — the
// operator's authenticating proxy among it.
package egress

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mfconform/mfconform/harness/hostmap"
)

// ChromiumNetError is the error Chromium reports for a connection its
// SOCKS proxy did not make.
const ChromiumNetError = "net::ERR_SOCKS_CONNECTION_FAILED"

// BypassList is the --proxy-bypass-list (and a browser context's
// proxyBypassList) that sends loopback and link-local addresses through
// the proxy too: Chromium otherwise connects to them directly.
const BypassList = "<-loopback>"

// Bounds of a guard.
const (
	handshakeTimeout = 10 * time.Second
	maxConns         = 512
	maxRecorded      = 256
	// maxOutcomes bounds what a lane remembers for Explain: a page that
	// asks for endless made-up hosts does not grow it without end.
	maxOutcomes = 1024
)

// Options say what a guard admits and how it connects.
type Options struct {
	Policy Policy
	// Map resolves the names mfconform serves and the operator's --resolve
	// rules, before DNS, exactly as the run's Go client does; nil resolves
	// through DNS alone.
	Map *hostmap.Map
	// Upstream, when set, is the operator's --proxy (http or https, with
	// user:password@ when it authenticates): a host the map does not
	// resolve is reached through it (HTTP CONNECT), never directly.
	Upstream string
	// ConnectTimeout bounds resolving and connecting (default 10 s).
	ConnectTimeout time.Duration
}

// Guard is a running egress proxy. Each session gets a Lane of its own, so
// what was refused is known per evidence bundle.
type Guard struct {
	opts     Options
	upstream *url.URL
	// lookup resolves a name through DNS and dial connects to an address
	// the policy admitted (tests watch both).
	lookup func(ctx context.Context, host string) ([]netip.Addr, error)
	dial   func(ctx context.Context, network, addr string) (net.Conn, error)

	mu       sync.Mutex
	policy   Policy
	lanes    []*Lane
	conns    map[net.Conn]struct{}
	refused  []Refusal
	dropped  int
	closed   bool
	handlers sync.WaitGroup
}

// Refusal is one connection the guard did not make because the policy
// does not admit it, with the lane (the evidence bundle) that asked.
type Refusal struct {
	Host string `json:"host"`
	Port int    `json:"port"`
	// Tag names the lane: the evidence bundle whose session asked.
	Tag string `json:"during,omitempty"`
	// Why says what the policy found, in an operator's words.
	Why string `json:"why"`
	// Count is how many times it was asked.
	Count int `json:"count"`
}

// Start starts a guard; it listens only when a lane is opened.
func Start(o Options) (*Guard, error) {
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 10 * time.Second
	}
	g := &Guard{opts: o, policy: o.Policy, conns: map[net.Conn]struct{}{},
		lookup: func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		},
		dial: (&net.Dialer{}).DialContext,
	}
	if o.Upstream != "" {
		u, err := url.Parse(o.Upstream)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, errors.New("egress: the upstream proxy is not an http(s) URL")
		}
		g.upstream = u
	}
	return g, nil
}

// Admit adds to the policy (the servers' endpoints, once they listen).
func (g *Guard) Admit(p Policy) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.policy = g.policy.merge(p)
}

// Refused returns every refusal so far, merged by host, port and tag, in
// the order first seen; dropped is how many were not kept (a page that
// asked for more than the guard records).
func (g *Guard) Refused() (rs []Refusal, dropped int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Refusal(nil), g.refused...), g.dropped
}

// Lane is one listener of a guard, for one browser context.
type Lane struct {
	g   *Guard
	tag string
	ln  net.Listener

	mu       sync.Mutex
	outcomes map[string]outcome // by host:port, the last failure
	last     string             // the host:port of the latest failure
}

// Lane opens a listener on a free loopback port for one browser context;
// tag names what it serves (an evidence bundle). Close it when the
// context is gone.
func (g *Guard) Lane(tag string) (*Lane, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("egress: listen: %w", err)
	}
	l := &Lane{g: g, tag: tag, ln: ln, outcomes: map[string]outcome{}}
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		_ = ln.Close()
		return nil, errors.New("egress: the guard is closed")
	}
	g.lanes = append(g.lanes, l)
	g.handlers.Add(1)
	g.mu.Unlock()
	go l.serve()
	return l, nil
}

// ProxyURL is the lane as Chromium's proxy setting: socks5://127.0.0.1:PORT.
func (l *Lane) ProxyURL() string { return "socks5://" + l.ln.Addr().String() }

// Close stops the lane's listener; its connections end with the guard or
// when either side closes them.
func (l *Lane) Close() error { return l.ln.Close() }

// Explain returns the error Chromium would have reported for a connection
// to the URL's host and port without a proxy, when the lane recorded one
// that failed or that it refused, with what the guard saw; ok is false
// when the lane knows of no failure there.
func (l *Lane) Explain(rawURL string) (text string, ok bool) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Hostname() == "" {
		return "", false
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "ws": "80", "https": "443", "wss": "443"}[u.Scheme]
	}
	l.mu.Lock()
	o, ok := l.outcomes[net.JoinHostPort(strings.ToLower(u.Hostname()), port)]
	l.mu.Unlock()
	if !ok {
		return "", false
	}
	return o.netErr + " (" + o.detail + ")", true
}

// Rewrite replaces ChromiumNetError in text — an error of a navigation or
// a failed request to rawURL — with what Explain says; text is returned
// as it is when it does not hold that error or the lane knows nothing.
func (l *Lane) Rewrite(text, rawURL string) string {
	if l == nil || !strings.Contains(text, ChromiumNetError) {
		return text
	}
	why, ok := l.Explain(rawURL)
	if !ok {
		return text
	}
	return strings.Replace(text, ChromiumNetError, why, 1)
}

// RewriteNavigation is Rewrite for the error of a navigation to rawURL,
// which may have failed at a hop it was redirected to: when the lane
// knows nothing of rawURL's host and port, the latest connection it did
// not make is named with what it saw there.
func (l *Lane) RewriteNavigation(text, rawURL string) string {
	if l == nil || !strings.Contains(text, ChromiumNetError) {
		return text
	}
	if _, ok := l.Explain(rawURL); ok {
		return l.Rewrite(text, rawURL)
	}
	l.mu.Lock()
	o, ok := l.outcomes[l.last]
	hp := l.last
	l.mu.Unlock()
	if !ok {
		return text
	}
	return strings.Replace(text, ChromiumNetError, o.netErr+" (at "+hp+", where the navigation led: "+o.detail+")", 1)
}

// Close stops every lane and connection and waits for their handlers.
func (g *Guard) Close() error {
	g.mu.Lock()
	g.closed = true
	for _, l := range g.lanes {
		_ = l.ln.Close()
	}
	for c := range g.conns {
		_ = c.Close()
	}
	g.mu.Unlock()
	g.handlers.Wait()
	return nil
}

// serve accepts the lane's connections until its listener closes.
func (l *Lane) serve() {
	defer l.g.handlers.Done()
	for {
		c, err := l.ln.Accept()
		if err != nil {
			return
		}
		if !l.g.track(c) {
			_ = c.Close()
			continue
		}
		go func() {
			defer l.g.handlers.Done()
			defer l.g.untrack(c)
			l.handle(c)
		}()
	}
}

// track counts a connection in, within maxConns; false when it may not
// be served.
func (g *Guard) track(c net.Conn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed || len(g.conns) >= maxConns {
		return false
	}
	g.conns[c] = struct{}{}
	g.handlers.Add(1)
	return true
}

func (g *Guard) untrack(c net.Conn) {
	_ = c.Close()
	g.mu.Lock()
	delete(g.conns, c)
	g.mu.Unlock()
}

// hold tracks an upstream connection, so Close ends it too (a target that
// never stops sending would otherwise hold its handler); false when the
// guard is closing.
func (g *Guard) hold(c net.Conn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.conns[c] = struct{}{}
	return true
}

// handle serves one SOCKS5 connection: only this user's processes, only
// CONNECT, only what the policy admits.
func (l *Lane) handle(c net.Conn) {
	if !samePeerUser(c) {
		return
	}
	_ = c.SetDeadline(time.Now().Add(handshakeTimeout))
	host, port, err := readConnect(c)
	if err != nil {
		return
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	hostPort := net.JoinHostPort(host, strconv.Itoa(port))
	ctx, cancel := context.WithTimeout(context.Background(), l.g.opts.ConnectTimeout)
	defer cancel()
	up, o := l.g.connect(ctx, host, port)
	if up == nil {
		l.mu.Lock()
		if _, ok := l.outcomes[hostPort]; ok || len(l.outcomes) < maxOutcomes {
			l.outcomes[hostPort] = o
			l.last = hostPort
		}
		l.mu.Unlock()
		if o.refused {
			l.g.record(Refusal{Host: host, Port: port, Tag: l.tag, Why: o.detail})
		}
		_ = reply(c, o.code)
		return
	}
	defer l.g.untrack(up)
	if !l.g.hold(up) {
		return
	}
	l.mu.Lock()
	delete(l.outcomes, hostPort)
	l.mu.Unlock()
	if err := reply(c, replySucceeded); err != nil {
		return
	}
	_ = c.SetDeadline(time.Time{})
	splice(c, up)
}

// record keeps a refusal, merged with an earlier one of the same host,
// port and lane, within maxRecorded.
func (g *Guard) record(r Refusal) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i := range g.refused {
		if x := &g.refused[i]; x.Host == r.Host && x.Port == r.Port && x.Tag == r.Tag {
			x.Count++
			return
		}
	}
	if len(g.refused) >= maxRecorded {
		g.dropped++
		return
	}
	r.Count = 1
	g.refused = append(g.refused, r)
}
