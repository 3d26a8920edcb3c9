package browser

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mfconform/mfconform/harness/pki"
)

// authProxy is an HTTP CONNECT proxy that demands Basic credentials (407
// until they come) and tunnels to the one backend address it knows.
type authProxy struct {
	user, password, backend string
	mu                      sync.Mutex
	challenged, tunnelled   int
}

func (p *authProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(p.user+":"+p.password))
	if r.Header.Get("Proxy-Authorization") != want {
		p.mu.Lock()
		p.challenged++
		p.mu.Unlock()
		w.Header().Set("Proxy-Authenticate", `Basic realm="mfconform-test"`)
		w.WriteHeader(http.StatusProxyAuthRequired)
		return
	}
	if r.Method != http.MethodConnect {
		http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
		return
	}
	up, err := net.DialTimeout("tcp", p.backend, 5*time.Second)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		up.Close()
		return
	}
	w.WriteHeader(http.StatusOK)
	c, _, err := hj.Hijack()
	if err != nil {
		up.Close()
		return
	}
	p.mu.Lock()
	p.tunnelled++
	p.mu.Unlock()
	go func() { _, _ = io.Copy(up, c); up.Close() }()
	go func() { _, _ = io.Copy(c, up); c.Close() }()
}

// TestProxyCredentialsStayOffTheCommandLine: with user:password@ in the
// proxy URL, Chromium gets --proxy-server without them (nobody sees them
// in ps), and a session answers the proxy's 407 challenge through CDP, so
// the page still loads through the proxy.
func TestProxyCredentialsStayOffTheCommandLine(t *testing.T) {
	if _, err := FindChromium(); err != nil {
		t.Fatalf("this test needs a real Chromium: %v (make test installs it)", err)
	}
	ca, err := pki.New([]string{"site.proxytest.test"})
	if err != nil {
		t.Fatal(err)
	}
	port := servePrivate(t, ca)
	proxy := &authProxy{user: "mfc-proxy-user", password: "proxy-pass-Vq7Zr2", backend: fmt.Sprintf("127.0.0.1:%d", port)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: proxy, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	dir, err := os.MkdirTemp("/tmp", "mfp")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	b, err := Launch(ctx, Options{
		Dir: dir, TrustSPKI: []string{ca.LeafSPKIHash}, StartTimeout: 30 * time.Second,
		ProxyServer: "http://" + proxy.user + ":" + proxy.password + "@" + ln.Addr().String(),
	})
	if err != nil {
		t.Fatalf("Launch() error = %v", err)
	}
	t.Cleanup(func() { b.Close() })
	for pid, cmdline := range chromiumProcesses(t, pidOf(b)) {
		if strings.Contains(cmdline, proxy.password) || strings.Contains(cmdline, proxy.user) {
			t.Errorf("Chromium process %d shows the proxy credentials on its command line", pid)
		}
	}
	s, err := b.NewSession(ctx, SessionOptions{})
	if err != nil {
		t.Fatalf("NewSession() error = %v", err)
	}
	defer s.Close()
	nctx, ncancel := context.WithTimeout(ctx, 20*time.Second)
	defer ncancel()
	x, err := s.Navigate(nctx, fmt.Sprintf("https://site.proxytest.test:%d/", port))
	if err != nil {
		t.Fatalf("Navigate() through the authenticating proxy: %v", err)
	}
	proxy.mu.Lock()
	defer proxy.mu.Unlock()
	if x.Status != 200 || proxy.tunnelled == 0 || proxy.challenged == 0 {
		t.Errorf("status %d, proxy challenged %d and tunnelled %d times; want 200 after a challenge answered", x.Status, proxy.challenged, proxy.tunnelled)
	}
}
