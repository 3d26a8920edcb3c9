package egress

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"syscall"
	"time"
)

// outcome is why a connection the lane was asked for was not made: the
// SOCKS5 reply, the error Chromium reports for it without a proxy, what
// the guard saw, and whether the policy refused it.
type outcome struct {
	code    byte
	netErr  string
	detail  string
	refused bool
}

// connect makes the connection to host:port the policy admits, or says
// why it did not: the policy decides on the name first, then on every
// address the name resolves to (the run's host map, then DNS), before any
// socket to it is opened; an address is dialled as checked, never
// resolved again. A name the host map does not resolve goes through the
// upstream proxy when there is one (which resolves it).
func (g *Guard) connect(ctx context.Context, host string, port int) (net.Conn, outcome) {
	g.mu.Lock()
	p := g.policy
	g.mu.Unlock()
	if why := p.refuseName(host, port); why != "" {
		return nil, refusal(why, allowArg(host, port))
	}
	resolve := func(h string) (netip.Addr, bool) {
		if g.opts.Map == nil {
			return netip.Addr{}, false
		}
		a, err := netip.ParseAddr(g.opts.Map.Lookup(h))
		return a, err == nil
	}
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else if a, ok := resolve(host); ok {
		addrs = []netip.Addr{a}
	} else if g.upstream == nil {
		var err error
		if addrs, err = g.lookup(ctx, host); err != nil || len(addrs) == 0 {
			return nil, failure(replyHostUnreachable, "net::ERR_NAME_NOT_RESOLVED", fmt.Sprintf("mfconform's egress guard could not resolve %s: %v", host, errOrNone(err)))
		}
	}
	for _, a := range addrs {
		if why := p.refuseAddress(host, port, a, resolve); why != "" {
			// Only the endpoint itself is admitted there.
			return nil, refusal(why, hostPort(host, port))
		}
	}
	if len(addrs) == 0 || g.upstream != nil && !addrs[0].Unmap().IsLoopback() {
		return g.viaUpstream(ctx, host, port)
	}
	var err error
	for _, a := range addrs {
		var c net.Conn
		if c, err = g.dial(ctx, "tcp", netip.AddrPortFrom(a, uint16(port)).String()); err == nil {
			return c, outcome{}
		}
	}
	code, netErr := dialError(ctx, err)
	return nil, failure(code, netErr, fmt.Sprintf("mfconform's egress guard connected to %s for the browser: %v", hostPort(host, port), err))
}

// viaUpstream asks the operator's proxy to connect to host:port (HTTP
// CONNECT, RFC 9110 §9.3.6), with its credentials when the proxy URL has
// them: they stay in this process, never on Chromium's command line.
func (g *Guard) viaUpstream(ctx context.Context, host string, port int) (net.Conn, outcome) {
	u := g.upstream
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), map[string]string{"http": "80", "https": "443"}[u.Scheme])
	}
	if g.opts.Map != nil {
		if a := g.opts.Map.Lookup(u.Hostname()); a != "" {
			addr = net.JoinHostPort(a, u.Port())
			if u.Port() == "" {
				addr = net.JoinHostPort(a, map[string]string{"http": "80", "https": "443"}[u.Scheme])
			}
		}
	}
	c, err := g.dial(ctx, "tcp", addr)
	if err != nil {
		return nil, failure(replyGeneralFailure, "net::ERR_PROXY_CONNECTION_FAILED", fmt.Sprintf("mfconform's egress guard could not reach your --proxy %s: %v", u.Redacted(), err))
	}
	if u.Scheme == "https" {
		tc := tls.Client(c, &tls.Config{ServerName: u.Hostname(), MinVersion: tls.VersionTLS12})
		if err := tc.HandshakeContext(ctx); err != nil {
			_ = c.Close()
			return nil, failure(replyGeneralFailure, "net::ERR_PROXY_CONNECTION_FAILED", fmt.Sprintf("TLS with your --proxy %s: %v", u.Redacted(), err))
		}
		c = tc
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	}
	target := hostPort(host, port)
	req := "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n"
	if u.User != nil {
		pw, _ := u.User.Password()
		req += "Proxy-Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pw)) + "\r\n"
	}
	br := bufio.NewReader(c)
	var resp *http.Response
	if _, err = c.Write([]byte(req + "\r\n")); err == nil {
		resp, err = http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	}
	if err != nil {
		_ = c.Close()
		return nil, failure(replyGeneralFailure, "net::ERR_TUNNEL_CONNECTION_FAILED", fmt.Sprintf("your --proxy %s did not answer CONNECT %s: %v", u.Redacted(), target, err))
	}
	if resp.StatusCode != http.StatusOK {
		_ = c.Close()
		return nil, failure(replyGeneralFailure, "net::ERR_TUNNEL_CONNECTION_FAILED", fmt.Sprintf("your --proxy %s answered CONNECT %s with HTTP %d", u.Redacted(), target, resp.StatusCode))
	}
	_ = c.SetDeadline(time.Time{})
	if br.Buffered() > 0 {
		return &bufferedConn{Conn: c, r: br}, outcome{}
	}
	return c, outcome{}
}

// bufferedConn is a connection whose first bytes were read ahead.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (b *bufferedConn) Read(p []byte) (int, error) { return b.r.Read(p) }

// refusal is the outcome of a connection the policy does not admit; allow
// is what --allow-host takes to admit it.
func refusal(why, allow string) outcome {
	return outcome{code: replyNotAllowed, netErr: ChromiumNetError, refused: true,
		detail: "refused by mfconform: " + why + "; --allow-host " + allow + " admits it"}
}

// allowArg is what --allow-host takes to admit a host the deployment does
// not name: the name, or an address with its port.
func allowArg(host string, port int) string {
	if _, err := netip.ParseAddr(host); err == nil {
		return hostPort(host, port)
	}
	return host
}

func failure(code byte, netErr, detail string) outcome {
	return outcome{code: code, netErr: netErr, detail: detail}
}

// dialError maps a failed connection to its SOCKS5 reply and to the error
// Chromium reports for it when it connects itself (Chromium
// net/base/net_errors_posix.cc MapSystemError; a connect that outlives
// its bound is ERR_CONNECTION_TIMED_OUT).
func dialError(ctx context.Context, err error) (byte, string) {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return replyConnectionRefused, "net::ERR_CONNECTION_REFUSED"
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.EHOSTDOWN):
		return replyHostUnreachable, "net::ERR_ADDRESS_UNREACHABLE"
	case errors.Is(err, syscall.ECONNRESET):
		return replyGeneralFailure, "net::ERR_CONNECTION_RESET"
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return replyGeneralFailure, "net::ERR_ADDRESS_INVALID"
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded), ctx.Err() != nil:
		return replyTTLExpired, "net::ERR_CONNECTION_TIMED_OUT"
	}
	return replyGeneralFailure, "net::ERR_CONNECTION_FAILED"
}

func errOrNone(err error) error {
	if err == nil {
		return errors.New("no address")
	}
	return err
}
