package supabaseref

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/mfconform/mfconform/harness/pki"
)

// Server limits of the reference project.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 10 * time.Second
	idleTimeout       = 30 * time.Second
	shutdownTimeout   = time.Second
	maxBodyBytes      = 64 << 10
)

// server is the project's TLS server bound to one listener.
type server struct {
	host string
	srv  *http.Server
	done chan struct{}
	err  error // Serve's result other than http.ErrServerClosed; read after done
}

// startServer serves h over TLS on ln for host; other Host headers get 421.
func startServer(ln net.Listener, host string, h http.Handler, ca *pki.Authority) *server {
	s := &server{
		host: host,
		done: make(chan struct{}),
		srv: &http.Server{
			Handler:           onlyHost(host, h),
			TLSConfig:         ca.ServerTLS(),
			ReadHeaderTimeout: readHeaderTimeout,
			ReadTimeout:       readTimeout,
			WriteTimeout:      writeTimeout,
			IdleTimeout:       idleTimeout,
			MaxHeaderBytes:    64 << 10,
			// Handshake noise and panics would print tokens or keys from
			// requests; the harness stays quiet.
			ErrorLog: log.New(io.Discard, "", 0),
		},
	}
	go func() {
		defer close(s.done)
		if err := s.srv.ServeTLS(ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.err = err
		}
	}()
	return s
}

// close shuts the server down gracefully (at most shutdownTimeout), then
// closes whatever is left, and waits until Serve has returned.
func (s *server) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
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
		return fmt.Errorf("stop reference supabase %s: %w", s.host, errors.Join(errs...))
	}
	return nil
}

// onlyHost answers 421 Misdirected Request to any request whose Host (without
// port, case-insensitive) is not host, and passes the rest to h.
func onlyHost(host string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.EqualFold(hostname(r.Host), host) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusMisdirectedRequest)
			fmt.Fprintf(w, "misdirected request: this server answers only %s\n", host)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// hostname strips the port and a trailing dot from a Host header value.
func hostname(hostport string) string {
	h := hostport
	if hh, _, err := net.SplitHostPort(hostport); err == nil {
		h = hh
	}
	return strings.TrimSuffix(h, ".")
}
