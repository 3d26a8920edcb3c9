package hostile

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/mfconform/mfconform/harness/pki"
)

// CanaryRequest is one request the canary received: what a client sent to
// an origin it was only redirected to.
type CanaryRequest struct {
	Method, URI string
	Header      http.Header
	// Body is the request's body, at most canaryBodyLimit bytes.
	Body []byte
}

// canaryBodyLimit bounds what the canary keeps of a body.
const canaryBodyLimit = 64 << 10

// canary is a server on an origin of its own that records every request
// and grants it CORS (any origin, any header, credentials), so a browser
// that was sent there completes the request instead of stopping at a
// preflight.
type canary struct {
	url  string
	srv  *http.Server
	done chan struct{}

	mu   sync.Mutex
	reqs []CanaryRequest
}

// startCanary serves the canary for host on a free loopback port with ca's
// leaf certificate, which must cover host.
func startCanary(ca *pki.Authority, host string) (*canary, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("hostile: canary: listen: %w", err)
	}
	c := &canary{url: "https://" + net.JoinHostPort(host, strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)), done: make(chan struct{})}
	c.srv = &http.Server{Handler: c, ReadHeaderTimeout: 5 * time.Second, TLSConfig: ca.ServerTLS(), ErrorLog: log.New(io.Discard, "", 0)}
	go func() {
		defer close(c.done)
		_ = c.srv.ServeTLS(ln, "", "")
	}()
	return c, nil
}

// ServeHTTP records the request and answers it as permissively as a
// browser allows.
func (c *canary) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, canaryBodyLimit))
	c.mu.Lock()
	c.reqs = append(c.reqs, CanaryRequest{Method: r.Method, URI: r.RequestURI, Header: r.Header.Clone(), Body: body})
	c.mu.Unlock()
	h := w.Header()
	if o := r.Header.Get("Origin"); o != "" {
		h.Set("Access-Control-Allow-Origin", o)
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Set("Access-Control-Allow-Headers", r.Header.Get("Access-Control-Request-Headers"))
		h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS")
	}
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusBadRequest, map[string]any{"code": 400, "error_code": "canary", "msg": "you were redirected here"})
}

func (c *canary) close() error {
	err := c.srv.Close()
	<-c.done
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// CanaryRequests returns every request the canary has received so far.
func (s *Server) CanaryRequests() []CanaryRequest {
	if s.canary == nil {
		return nil
	}
	s.canary.mu.Lock()
	defer s.canary.mu.Unlock()
	return append([]CanaryRequest(nil), s.canary.reqs...)
}
