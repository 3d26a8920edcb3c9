// Package httpserve runs the harness's small HTTP(S) servers the way
// httptest does: bound to a listener on loopback, answering one host name
// (421 for any other Host), quiet, bounded by timeouts, and closed with a
// Close that blocks until the server has stopped.
package httpserve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/mfconform/mfconform/harness/pki"
)

// Limits of every harness server.
const (
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 10 * time.Second
	WriteTimeout      = 10 * time.Second
	IdleTimeout       = 30 * time.Second
	// ShutdownTimeout bounds the graceful part of Close.
	ShutdownTimeout = time.Second
)

// Server is one running server.
type Server struct {
	// Host is the only host name it answers.
	Host string

	srv       *http.Server
	done      chan struct{}
	err       error // Serve's result other than http.ErrServerClosed; read after done
	closeOnce sync.Once
	closeErr  error
}

// Start serves h on ln for host. With ca it speaks TLS (HTTP/2 and
// HTTP/1.1) with the CA's leaf; without, plain HTTP/1.1.
func Start(ln net.Listener, host string, h http.Handler, ca *pki.Authority) *Server {
	s := &Server{
		Host: host,
		done: make(chan struct{}),
		srv: &http.Server{
			Handler:           OnlyHost(host, h),
			ReadHeaderTimeout: ReadHeaderTimeout,
			ReadTimeout:       ReadTimeout,
			WriteTimeout:      WriteTimeout,
			IdleTimeout:       IdleTimeout,
			MaxHeaderBytes:    64 << 10,
			// Browsers probing with other certificates cause handshake
			// noise, and a logged request could carry a token: quiet.
			ErrorLog: log.New(io.Discard, "", 0),
		},
	}
	if ca != nil {
		s.srv.TLSConfig = ca.ServerTLS()
	}
	go func() {
		defer close(s.done)
		var err error
		if ca != nil {
			err = s.srv.ServeTLS(ln, "", "")
		} else {
			err = s.srv.Serve(ln)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.err = err
		}
	}()
	return s
}

// Listen binds 127.0.0.1 on a free port.
func Listen() (net.Listener, int, error) { return ListenOn("") }

// ListenOn binds addr — a loopback address, with a port or without (a free
// one); "" is 127.0.0.1 — as the harness serves nothing beyond this
// machine.
func ListenOn(addr string) (net.Listener, int, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = addr, "0"
	}
	if host == "" {
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, 0, fmt.Errorf("listen on %q: want a loopback address", addr)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, 0, err
	}
	return ln, ln.Addr().(*net.TCPAddr).Port, nil
}

// Close shuts the server down gracefully (at most ShutdownTimeout), closes
// what is left, and waits until Serve has returned. Calling it again
// returns the first result.
func (s *Server) Close() error {
	if s == nil {
		return nil
	}
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
		defer cancel()
		shutErr := s.srv.Shutdown(ctx)
		closeErr := s.srv.Close()
		<-s.done
		var errs []error
		if shutErr != nil && !errors.Is(shutErr, context.DeadlineExceeded) {
			errs = append(errs, shutErr)
		}
		if closeErr != nil {
			errs = append(errs, closeErr)
		}
		if s.err != nil {
			errs = append(errs, s.err)
		}
		if len(errs) > 0 {
			s.closeErr = fmt.Errorf("stop server %s: %w", s.Host, errors.Join(errs...))
		}
	})
	return s.closeErr
}

// OnlyHost answers 421 Misdirected Request to any request whose Host
// (without port or trailing dot, case-insensitive) is not host.
func OnlyHost(host string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.EqualFold(Hostname(r.Host), host) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusMisdirectedRequest)
			fmt.Fprintf(w, "misdirected request: this server answers only %s\n", host)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Hostname strips the port and a trailing dot from a Host header value.
func Hostname(hostport string) string {
	h := hostport
	if hh, _, err := net.SplitHostPort(hostport); err == nil {
		h = hh
	}
	return strings.TrimSuffix(h, ".")
}

// Group is servers that stop together: a deployment's backend, app and
// embed site, or a reference project. Close stops every server in
// parallel (an HTTP/2 connection a client keeps open delays its server's
// graceful shutdown by about a second, so one after the other would add
// up), once.
type Group struct {
	mu      sync.Mutex
	servers []*Server
	once    sync.Once
	err     error
}

// Add puts a running server into the group.
func (g *Group) Add(s *Server) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.servers = append(g.servers, s)
}

// Close stops every server of the group and waits until all have stopped;
// calling it again returns the first result.
func (g *Group) Close() error {
	g.once.Do(func() {
		g.mu.Lock()
		servers := append([]*Server(nil), g.servers...)
		g.mu.Unlock()
		errs := make([]error, len(servers))
		var wg sync.WaitGroup
		for i, s := range servers {
			wg.Go(func() { errs[i] = s.Close() })
		}
		wg.Wait()
		g.err = errors.Join(errs...)
	})
	return g.err
}
