package browser_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/harness/pki"
)

// writerPage writes three cookies from script: one that fits, one whose
// name and value exceed 4096 bytes, and a clear.
const writerPage = `<!doctype html><title>writer</title><script>
document.cookie = "small=v1; Path=/; Domain=.acme.test; Secure; SameSite=Lax";
document.cookie = "big=" + "x".repeat(4100) + "; Path=/; Secure";
document.cookie = "gone=; Path=/; Max-Age=0";
</script>`

// TestCookieWritesLive: a session opened with RecordCookieWrites reports
// every document.cookie assignment of its pages — name, size, attributes,
// never the value — across navigations, and the page's own writes still
// take effect; a session without the option records nothing.
func TestCookieWritesLive(t *testing.T) {
	port := serveWriter(t, shared.CA(t))
	b := shared.Browser(t)
	ctx, cancel := context.WithTimeout(t.Context(), 45*time.Second)
	defer cancel()
	origin := "https://app.acme.test:" + strconv.Itoa(port)

	t.Run("recorded", func(t *testing.T) {
		s, err := b.NewSession(ctx, browser.SessionOptions{RecordCookieWrites: true})
		if err != nil {
			t.Fatalf("NewSession() error = %v", err)
		}
		defer s.Close()
		if _, err := s.Navigate(ctx, origin+"/write"); err != nil {
			t.Fatalf("Navigate(/write) error = %v", err)
		}
		// A second document: the wrapper is installed in every new one.
		if _, err := s.Navigate(ctx, origin+"/again"); err != nil {
			t.Fatalf("Navigate(/again) error = %v", err)
		}
		if _, err := browser.Evaluate[bool](ctx, s, `(document.cookie = "late=1; Path=/", true)`); err != nil {
			t.Fatalf("Evaluate() error = %v", err)
		}
		wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
		got, err := s.WaitCookieWrites(wctx, 4)
		wcancel()
		if err != nil {
			t.Errorf("WaitCookieWrites(4) error = %v", err)
		}
		want := []browser.CookieWrite{
			{Name: "small", Size: 7, Attrs: "Path=/; Domain=.acme.test; Secure; SameSite=Lax", URL: origin + "/write"},
			{Name: "big", Size: 4103, Attrs: "Path=/; Secure", URL: origin + "/write"},
			{Name: "gone", Size: 4, Empty: true, Attrs: "Path=/; Max-Age=0", URL: origin + "/write"},
			{Name: "late", Size: 5, Attrs: "Path=/", URL: origin + "/again"},
		}
		if len(got) != len(want) {
			t.Fatalf("CookieWrites() = %+v, want %+v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("CookieWrites()[%d] = %+v, want %+v", i, got[i], want[i])
			}
		}
		jar, err := s.Cookies(ctx)
		if err != nil {
			t.Fatalf("Cookies() error = %v", err)
		}
		names := map[string]bool{}
		for _, c := range jar {
			names[c.Name] = true
		}
		if !names["small"] || !names["late"] || names["big"] || names["gone"] {
			t.Errorf("jar names = %v, want small and late stored, big (over 4096 bytes) and gone not", names)
		}
	})

	t.Run("not recorded without the option", func(t *testing.T) {
		s, err := b.NewSession(ctx, browser.SessionOptions{})
		if err != nil {
			t.Fatalf("NewSession() error = %v", err)
		}
		defer s.Close()
		if _, err := s.Navigate(ctx, origin+"/write"); err != nil {
			t.Fatalf("Navigate() error = %v", err)
		}
		if got := s.CookieWrites(); len(got) != 0 {
			t.Errorf("CookieWrites() = %+v, want none", got)
		}
		if v, err := browser.Evaluate[string](ctx, s, `typeof globalThis.__mfconformCookieWrite`); err != nil || v != "undefined" {
			t.Errorf("binding = %q, %v, want undefined", v, err)
		}
	})
}

// serveWriter serves writerPage at /write and an empty page at /again.
func serveWriter(t *testing.T, ca *pki.Authority) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("Listen() error = %v", err)
	}
	mux := http.NewServeMux()
	page := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, body)
		}
	}
	mux.HandleFunc("/write", page(writerPage))
	mux.HandleFunc("/again", page("<!doctype html><title>again</title>"))
	srv := &http.Server{Handler: mux, ErrorLog: log.New(io.Discard, "", 0)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(tls.NewListener(ln, ca.ServerTLS())); err != nil && !errors.Is(err, http.ErrServerClosed) && !strings.Contains(err.Error(), "closed") {
			t.Errorf("Serve() error = %v", err)
		}
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return ln.Addr().(*net.TCPAddr).Port
}
