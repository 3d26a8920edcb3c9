package egress

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/proxy"

	"github.com/mfconform/mfconform/harness/hostmap"
)

// listener is a loopback TCP server for the tests: an echo server, or a
// canary that only counts the connections it gets.
type listener struct {
	ln    net.Listener
	port  int
	conns atomic.Int64
}

func listen(t *testing.T, addr string, echo bool) *listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	l := &listener{ln: ln, port: ln.Addr().(*net.TCPAddr).Port}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			l.conns.Add(1)
			if !echo {
				_ = c.Close()
				continue
			}
			go func() {
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	return l
}

// through dials addr through the lane as Chromium does (SOCKS5, the name
// sent to the proxy).
func through(t *testing.T, l *Lane, addr string) (net.Conn, error) {
	t.Helper()
	d, err := proxy.SOCKS5("tcp", strings.TrimPrefix(l.ProxyURL(), "socks5://"), nil, &net.Dialer{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return d.(proxy.ContextDialer).DialContext(t.Context(), "tcp", addr)
}

// echoes reports whether c echoes what is written to it.
func echoes(c net.Conn) bool {
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte("ping")); err != nil {
		return false
	}
	b := make([]byte, 4)
	_, err := io.ReadFull(c, b)
	return err == nil && string(b) == "ping"
}

// watchedGuard is a guard whose DNS lookups and dials the test sees: no
// test here asks a real resolver or connects anywhere but loopback.
func watchedGuard(t *testing.T, o Options, names map[string][]netip.Addr) (*Guard, *[]string) {
	t.Helper()
	g, err := Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = g.Close() })
	var mu sync.Mutex
	dialed := &[]string{}
	g.lookup = func(_ context.Context, host string) ([]netip.Addr, error) {
		if a, ok := names[host]; ok {
			return a, nil
		}
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	g.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		mu.Lock()
		*dialed = append(*dialed, addr)
		mu.Unlock()
		ap, err := netip.ParseAddrPort(addr)
		if err != nil || !ap.Addr().IsLoopback() {
			t.Errorf("the guard dialled %s: a test never leaves loopback", addr)
			return nil, errors.New("not dialled")
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	return g, dialed
}

// TestGuard: the guard connects the browser to the deployment only —
// endpoints as given, admitted names at any port unless they resolve to
// this machine (then only the deployment's own ports) or to a link-local
// address — and refuses everything else before any socket is opened,
// recording the refusal with the lane's tag and explaining it as Chromium
// would have reported the connection without a proxy.
func TestGuard(t *testing.T) {
	app := listen(t, "127.0.0.1:0", true)
	canary := listen(t, "127.0.0.2:0", false)  // another local address
	canary1 := listen(t, "127.0.0.1:0", false) // another port of the deployment's address
	closed := listen(t, "127.0.0.1:0", false)
	closedPort := closed.port
	_ = closed.ln.Close()
	var hm hostmap.Map
	for _, h := range []string{"app.acme.test", "*.acme.test"} {
		if err := hm.Add(h, "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
	}
	if err := hm.Add("metadata.acme.test", "169.254.169.254"); err != nil {
		t.Fatal(err)
	}
	appEP := "app.acme.test:" + strconv.Itoa(app.port)
	g, dialed := watchedGuard(t, Options{Map: &hm, Policy: Policy{
		Endpoints: []string{appEP, "login.acme.test:" + strconv.Itoa(closedPort)},
		Hosts:     []string{"*.acme.test", "api.remote.test"},
	}}, map[string][]netip.Addr{"api.remote.test": {netip.MustParseAddr("127.0.0.1")}})
	l, err := g.Lane("jwt_login_flow")
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		addr    string
		ok      bool
		explain string // in Explain's text
	}{
		{"an endpoint of the deployment", appEP, true, ""},
		{"a name of the deployment at another name's port on this machine", "cdn.acme.test:" + strconv.Itoa(app.port), true, ""},
		{"another local address", "127.0.0.2:" + strconv.Itoa(canary.port), false, "refused by mfconform: 127.0.0.2:" + strconv.Itoa(canary.port) + " is an address, not one of the deployment's URLs"},
		{"the deployment's address at another port", "127.0.0.1:" + strconv.Itoa(canary1.port), false, "is an address, not one of the deployment's URLs"},
		{"a deployment name at another local port", "app.acme.test:" + strconv.Itoa(canary1.port), false, "resolves to this machine (127.0.0.1), where only the deployment's own ports are reached; --allow-host app.acme.test:" + strconv.Itoa(canary1.port) + " admits it"},
		{"a name resolved by DNS to this machine, at another port", "api.remote.test:" + strconv.Itoa(canary1.port), false, "resolves to this machine"},
		{"IPv6 loopback", "[::1]:" + strconv.Itoa(canary1.port), false, "is an address, not one of the deployment's URLs"},
		{"0.0.0.0, which Linux connects to loopback", "0.0.0.0:" + strconv.Itoa(canary1.port), false, "is an address"},
		{"a metadata address", "169.254.169.254:80", false, "--allow-host 169.254.169.254:80 admits it"},
		{"a deployment name mapped to a metadata address", "metadata.acme.test:80", false, "resolves to a link-local address (169.254.169.254)"},
		{"a host the deployment does not name", "evil.example:443", false, "evil.example is not one of the deployment's hosts; --allow-host evil.example admits it"},
		{"an endpoint where nothing listens", "login.acme.test:" + strconv.Itoa(closedPort), false, "net::ERR_CONNECTION_REFUSED (mfconform's egress guard connected to"},
		{"an admitted name DNS does not know", "api.nowhere.acme.test.invalid:443", false, "refused by mfconform"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := through(t, l, tt.addr)
			if tt.ok {
				if err != nil {
					t.Fatalf("dial %s through the guard: %v", tt.addr, err)
				}
				defer c.Close()
				if !echoes(c) {
					t.Errorf("%s through the guard does not echo", tt.addr)
				}
				return
			}
			if err == nil {
				c.Close()
				t.Fatalf("dial %s through the guard succeeded, want a refusal", tt.addr)
			}
			h, p, _ := net.SplitHostPort(tt.addr)
			got, ok := l.Explain("https://" + net.JoinHostPort(h, p) + "/")
			if !ok || !strings.Contains(got, tt.explain) {
				t.Errorf("Explain(%s) = %q, %v, want one containing %q", tt.addr, got, ok, tt.explain)
			}
		})
	}
	if n := canary.conns.Load() + canary1.conns.Load(); n != 0 {
		t.Errorf("the canaries received %d connections", n)
	}
	for _, d := range *dialed {
		if ap := netip.MustParseAddrPort(d); int(ap.Port()) != app.port && int(ap.Port()) != closedPort {
			t.Errorf("the guard dialled %s: only the deployment's endpoints may be dialled", d)
		}
	}
	rs, dropped := g.Refused()
	if len(rs) == 0 || dropped != 0 || rs[0].Tag != "jwt_login_flow" || rs[0].Host != "127.0.0.2" || rs[0].Port != canary.port || rs[0].Count != 1 {
		t.Errorf("Refused() = %+v, %d; want the first refusal 127.0.0.2 on the lane's tag, counted once", rs, dropped)
	}
	for _, r := range rs {
		if r.Host == "login.acme.test" {
			t.Errorf("Refused() lists %s, which the policy admitted (it was not reachable)", r.Host)
		}
	}
}

// TestGuardRewrite: Chromium's one error for every connection a SOCKS
// proxy did not make is turned back into what it reports without one.
func TestGuardRewrite(t *testing.T) {
	g, _ := watchedGuard(t, Options{Policy: Policy{Hosts: []string{"*.acme.test"}}}, nil)
	l, err := g.Lane("t")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := through(t, l, "login.acme.test:443"); err == nil {
		t.Fatal("a name DNS does not know connected")
	}
	for _, tt := range []struct{ in, url, want string }{
		{"page load error net::ERR_SOCKS_CONNECTION_FAILED", "https://login.acme.test/x", "page load error net::ERR_NAME_NOT_RESOLVED (mfconform's egress guard could not resolve login.acme.test"},
		{"page load error net::ERR_SOCKS_CONNECTION_FAILED", "https://other.acme.test/", "page load error net::ERR_SOCKS_CONNECTION_FAILED"},
		{"net::ERR_CERT_AUTHORITY_INVALID", "https://login.acme.test/", "net::ERR_CERT_AUTHORITY_INVALID"},
	} {
		if got := l.Rewrite(tt.in, tt.url); !strings.HasPrefix(got, tt.want) {
			t.Errorf("Rewrite(%q, %s) = %q, want it to start %q", tt.in, tt.url, got, tt.want)
		}
	}
	var none *Lane
	if got := none.Rewrite("net::ERR_SOCKS_CONNECTION_FAILED", "https://x/"); got != "net::ERR_SOCKS_CONNECTION_FAILED" {
		t.Errorf("a nil lane's Rewrite = %q", got)
	}
}

// TestGuardUpstream: a host mfconform does not map is reached through the
// operator's proxy (HTTP CONNECT, with its credentials), a served one
// directly; what the proxy refuses is explained.
func TestGuardUpstream(t *testing.T) {
	app := listen(t, "127.0.0.1:0", true)
	var mu sync.Mutex
	var asked []string
	up, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = up.Close() })
	go func() {
		for {
			c, err := up.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				req, err := http.ReadRequest(bufio.NewReader(c))
				if err != nil {
					return
				}
				mu.Lock()
				asked = append(asked, req.Method+" "+req.Host+" "+req.Header.Get("Proxy-Authorization"))
				mu.Unlock()
				if req.Header.Get("Proxy-Authorization") != "Basic "+base64.StdEncoding.EncodeToString([]byte("op:pw-1")) || req.Host == "refused.remote.test:443" {
					_, _ = io.WriteString(c, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
					return
				}
				d, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(app.port))
				if err != nil {
					return
				}
				defer d.Close()
				_, _ = io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
				go func() { _, _ = io.Copy(d, c) }()
				_, _ = io.Copy(c, d)
			}()
		}
	}()
	var hm hostmap.Map
	_ = hm.Add("client.acme.test", "127.0.0.1")
	g, dialed := watchedGuard(t, Options{Map: &hm, Upstream: "http://op:pw-1@" + up.Addr().String(), Policy: Policy{
		Endpoints: []string{"client.acme.test:" + strconv.Itoa(app.port)}, Hosts: []string{"*.remote.test"}}}, nil)
	l, err := g.Lane("t")
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"app.remote.test:443", "client.acme.test:" + strconv.Itoa(app.port)} {
		c, err := through(t, l, addr)
		if err != nil {
			t.Fatalf("dial %s: %v", addr, err)
		}
		if !echoes(c) {
			t.Errorf("%s does not echo", addr)
		}
		c.Close()
	}
	if _, err := through(t, l, "refused.remote.test:443"); err == nil {
		t.Fatal("a host the upstream proxy refuses connected")
	}
	if got, _ := l.Explain("https://refused.remote.test/"); !strings.Contains(got, "net::ERR_TUNNEL_CONNECTION_FAILED (your --proxy http://op:xxxxx@") || strings.Contains(got, "pw-1") {
		t.Errorf("Explain = %q, want the tunnel failure with the proxy's password masked", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(asked) != 2 || !strings.HasPrefix(asked[0], "CONNECT app.remote.test:443 Basic ") {
		t.Errorf("the upstream proxy was asked %q, want CONNECT app.remote.test:443 (and refused.remote.test) with the credentials, and the served host never", asked)
	}
	if len(*dialed) != 3 {
		t.Errorf("the guard dialled %v: the proxy twice and the served host once", *dialed)
	}
}

// TestGuardCloseEndsTunnels: Close returns while a tunnel's far end still
// holds its connection open.
func TestGuardCloseEndsTunnels(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = silent.Close() })
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = c.Close() })
		}
	}()
	ep := "hold.acme.test:" + strconv.Itoa(silent.Addr().(*net.TCPAddr).Port)
	var hm hostmap.Map
	_ = hm.Add("hold.acme.test", "127.0.0.1")
	g, _ := watchedGuard(t, Options{Map: &hm, Policy: Policy{Endpoints: []string{ep}}}, nil)
	l, err := g.Lane("t")
	if err != nil {
		t.Fatal(err)
	}
	c, err := through(t, l, ep)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	done := make(chan struct{})
	go func() { _ = g.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return while a tunnel was open")
	}
	if _, err := g.Lane("late"); err == nil {
		t.Error("a closed guard opened a lane")
	}
}

// TestEndpoint: URLs and HOST:PORT values as the guard keys them.
func TestEndpoint(t *testing.T) {
	for in, want := range map[string]string{
		"https://Login.Acme.test/x":       "login.acme.test:443",
		"http://app.acme.test:8080":       "app.acme.test:8080",
		" 'https://a.b.test:9/' ":         "a.b.test:9",
		"https://[::1]:8443/":             "::1:8443",
		"https://127.0.0.1/":              "127.0.0.1:443",
		"wss://rt.acme.test/socket":       "rt.acme.test:443",
		"127.0.0.2:4444":                  "127.0.0.2:4444",
		"idp.example.com":                 "",
		"ftp://x.test/":                   "",
		"https://user:pw@login.acme.test": "login.acme.test:443",
	} {
		if got := Endpoint(in); got != want && !(want == "::1:8443" && got == "[::1]:8443") {
			t.Errorf("Endpoint(%q) = %q, want %q", in, got, want)
		}
	}
}

// BenchmarkConnect is what the guard adds to one connection of the
// browser: a SOCKS5 handshake on loopback, the policy's check and the
// dial, against dialling the endpoint directly (go test -bench Connect).
func BenchmarkConnect(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); _, _ = io.Copy(c, c) }()
		}
	}()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	var hm hostmap.Map
	_ = hm.Add("app.acme.test", "127.0.0.1")
	g, err := Start(Options{Map: &hm, Policy: Policy{Endpoints: []string{"app.acme.test:" + port}}})
	if err != nil {
		b.Fatal(err)
	}
	defer g.Close()
	l, err := g.Lane("bench")
	if err != nil {
		b.Fatal(err)
	}
	d, _ := proxy.SOCKS5("tcp", strings.TrimPrefix(l.ProxyURL(), "socks5://"), nil, &net.Dialer{})
	roundTrip := func(c net.Conn) {
		buf := make([]byte, 4)
		if _, err := c.Write([]byte("ping")); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
	b.Run("direct", func(b *testing.B) {
		for b.Loop() {
			c, err := net.Dial("tcp", "127.0.0.1:"+port)
			if err != nil {
				b.Fatal(err)
			}
			roundTrip(c)
		}
	})
	b.Run("through the guard", func(b *testing.B) {
		for b.Loop() {
			c, err := d.Dial("tcp", "app.acme.test:"+port)
			if err != nil {
				b.Fatal(err)
			}
			roundTrip(c)
		}
	})
}
