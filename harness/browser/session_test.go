package browser_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/harness/hostmap"
	"github.com/mfconform/mfconform/harness/pki"
)

const setCookieLine = "a=1; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None"

// TestSessionLive drives a real headless Chromium against a local https
// server under *.acme.test names: cookie verdicts, the cookie jar, session
// isolation, JavaScript evaluation and cleanup of Chromium's temporary files.
func TestSessionLive(t *testing.T) {
	if _, err := browser.FindChromium(); err != nil {
		t.Fatalf("this test needs a real Chromium: %v (make test installs it)", err)
	}

	ca, err := pki.New([]string{"*.acme.test"})
	if err != nil {
		t.Fatalf("pki.New() error = %v", err)
	}
	port := serveTLS(t, ca)

	var hosts hostmap.Map
	if err := hosts.Add("*.acme.test", "127.0.0.1"); err != nil {
		t.Fatalf("Add() error = %v", err)
	}
	// A short directory: Chromium's socket path must fit in 108 bytes.
	dir, err := os.MkdirTemp("/tmp", "mfb")
	if err != nil {
		t.Fatalf("MkdirTemp() error = %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	b, err := browser.Launch(ctx, browser.Options{
		Dir:           dir,
		ResolverRules: hosts.ChromiumRules(),
		TrustSPKI:     []string{ca.LeafSPKIHash},
		StartTimeout:  20 * time.Second,
	})
	if err != nil {
		t.Fatalf("Launch() error = %v", err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			b.Close()
		}
	})
	if !strings.Contains(b.Version, "Chrome/") {
		t.Errorf("Browser.Version = %q, want a Chrome/ product string", b.Version)
	}
	if running := chromiumTemp(t, dir); len(running) == 0 {
		t.Logf("no org.chromium.Chromium.* entries under %s/t while running; the cleanup check below proves little", dir)
	}

	s, err := b.NewSession(ctx, browser.SessionOptions{})
	if err != nil {
		t.Fatalf("NewSession() error = %v", err)
	}
	defer s.Close()

	setURL := fmt.Sprintf("https://x.acme.test:%d/set", port)
	x, err := s.Navigate(ctx, setURL)
	if err != nil {
		t.Fatalf("Navigate(%q) error = %v", setURL, err)
	}
	if x.Status != http.StatusOK || x.Type != "Document" || !x.Complete() {
		t.Errorf("Navigate(%q) exchange status/type/complete = %d/%q/%v, want 200/Document/true", setURL, x.Status, x.Type, x.Complete())
	}
	if len(x.SetCookies) != 1 || x.SetCookies[0].Name != "a" || !x.SetCookies[0].Stored || x.SetCookies[0].Line != setCookieLine {
		t.Errorf("Navigate(%q) SetCookies = %+v, want one stored %q", setURL, x.SetCookies, setCookieLine)
	}

	jar, err := s.Cookies(ctx)
	if err != nil {
		t.Fatalf("Cookies() error = %v", err)
	}
	c := findCookie(jar, "a")
	if c == nil {
		t.Fatalf("Cookies() = %s, want cookie a", cookieNames(jar))
	}
	if !c.HTTPOnly || !c.Secure || c.Domain != ".acme.test" || c.Value != "1" {
		t.Errorf("cookie a = domain %q value %q httpOnly %v secure %v, want .acme.test, 1, true, true", c.Domain, c.Value, c.HTTPOnly, c.Secure)
	}

	appURL := fmt.Sprintf("https://y.acme.test:%d/", port)
	x, err = s.Navigate(ctx, appURL)
	if err != nil {
		t.Fatalf("Navigate(%q) error = %v", appURL, err)
	}
	if v := findVerdict(x.Cookies, "a"); v == nil || !v.Sent || len(v.Reasons) != 0 {
		t.Errorf("Navigate(%q) Cookies = %+v, want a sent", appURL, x.Cookies)
	}

	sum, err := browser.Evaluate[int](ctx, s, "1+2")
	if err != nil {
		t.Fatalf("Evaluate(1+2) error = %v", err)
	}
	if sum != 3 {
		t.Errorf("Evaluate(1+2) = %d, want 3", sum)
	}

	other, err := b.NewSession(ctx, browser.SessionOptions{})
	if err != nil {
		t.Fatalf("NewSession(second) error = %v", err)
	}
	jar, err = other.Cookies(ctx)
	if err != nil {
		t.Fatalf("second session Cookies() error = %v", err)
	}
	if findCookie(jar, "a") != nil {
		t.Errorf("second session Cookies() = %s, want no cookie a (sessions are isolated)", cookieNames(jar))
	}
	other.Close()

	blocking, err := b.NewSession(ctx, browser.SessionOptions{BlockThirdPartyCookies: true})
	if err != nil {
		t.Fatalf("NewSession(BlockThirdPartyCookies) error = %v", err)
	}
	blocking.Close()

	s.Close()
	// Two Closes at once, as a run's early close and its cleanup can be:
	// each returns only once the browser has closed.
	errs := make(chan error, 2)
	for range 2 {
		go func() { errs <- b.Close() }()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("Close() error = %v", err)
		}
	}
	closed = true
	if left := chromiumTemp(t, dir); len(left) != 0 {
		t.Errorf("after Close: %s/t holds %q, want no org.chromium.Chromium.* entries", dir, left)
	}
	if err := b.Close(); err != nil {
		t.Errorf("second Close() error = %v, want nil", err)
	}
	if _, err := b.NewSession(ctx, browser.SessionOptions{}); err == nil {
		t.Error("NewSession() on a closed browser error = nil, want an error")
	}
}

// serveTLS serves the test site on 127.0.0.1:0 with the authority's leaf
// and returns the port.
func serveTLS(t *testing.T, ca *pki.Authority) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("Listen() error = %v", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Set-Cookie", setCookieLine)
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<!doctype html><title>set</title>")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<!doctype html><title>app</title>")
	})
	srv := &http.Server{Handler: mux, ErrorLog: log.New(io.Discard, "", 0)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(tls.NewListener(ln, ca.ServerTLS())); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve() error = %v", err)
		}
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return ln.Addr().(*net.TCPAddr).Port
}

// chromiumTemp lists Chromium's own temporary entries in the browser's
// temporary folder.
func chromiumTemp(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "t"))
	if err != nil {
		t.Fatalf("ReadDir(%s/t) error = %v", dir, err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "org.chromium.Chromium.") {
			out = append(out, e.Name())
		}
	}
	return out
}

func findCookie(jar []*network.Cookie, name string) *network.Cookie {
	for _, c := range jar {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func findVerdict(vs []browser.CookieVerdict, name string) *browser.CookieVerdict {
	for i := range vs {
		if vs[i].Name == name {
			return &vs[i]
		}
	}
	return nil
}

func cookieNames(jar []*network.Cookie) string {
	var names []string
	for _, c := range jar {
		names = append(names, c.Name+"@"+c.Domain)
	}
	return "[" + strings.Join(names, " ") + "]"
}
