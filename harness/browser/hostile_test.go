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
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/harness/pki"
)

// hostilePages are pages a target could serve to get in a session's way.
var hostilePages = map[string]string{
	// alert() stalls the page until someone closes the dialog.
	"/alert": `<!doctype html><title>alert</title><script>alert("hostile"); confirm("really?")</script><p>after</p>`,
	// Replaced built-ins: a script evaluated in the page's own world gets
	// their answers, not its own.
	"/tamper": `<!doctype html><title>tamper</title><script>
		String.prototype.slice = function () { return "tampered"; };
		JSON.stringify = function () { return "tampered"; };
		window.secretOfThePage = 42;
	</script>`,
	// Never finishes loading.
	"/slow": "",
}

// TestSessionHostilePages: a page's dialogs do not hold a navigation, an
// isolated evaluation sees the built-ins and not the page's replacements
// (nor the page's globals), and a step that runs out of time says
// "deadline exceeded".
func TestSessionHostilePages(t *testing.T) {
	port := serveHostile(t, shared.CA(t))
	b := shared.Browser(t)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	s, err := b.NewSession(ctx, browser.SessionOptions{})
	if err != nil {
		t.Fatalf("NewSession() error = %v", err)
	}
	defer s.Close()
	url := func(path string) string { return fmt.Sprintf("https://www.hostile.test:%d%s", port, path) }

	nctx, ncancel := context.WithTimeout(ctx, 10*time.Second)
	_, err = s.Navigate(nctx, url("/alert"))
	ncancel()
	if err != nil {
		t.Errorf("Navigate(a page that calls alert and confirm) error = %v, want the dialogs dismissed and the page loaded", err)
	}

	if _, err := s.Navigate(ctx, url("/tamper")); err != nil {
		t.Fatalf("Navigate(/tamper) error = %v", err)
	}
	const expr = `"abcdef".slice(0, 3) + JSON.stringify({a: 1}) + typeof window.secretOfThePage`
	tests := []struct {
		name string
		eval func(context.Context, *browser.Session, string) (string, error)
		want string
	}{
		{"page's world sees the replacements", browser.Evaluate[string], "tamperedtamperednumber"},
		{"isolated world does not", browser.EvaluateIsolated[string], `abc{"a":1}undefined`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.eval(ctx, s, expr)
			if err != nil || got != tt.want {
				t.Errorf("evaluate = %q, %v; want %q", got, err, tt.want)
			}
		})
	}

	sctx, scancel := context.WithTimeout(ctx, time.Second)
	_, err = s.Navigate(sctx, url("/slow"))
	scancel()
	if err == nil || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "deadline exceeded") {
		t.Errorf("Navigate(a page that never loads) with 1s error = %v, want deadline exceeded", err)
	}
}

// serveHostile serves hostilePages on 127.0.0.1:0 and returns the port.
// /slow answers its headers and then nothing until the test ends.
func serveHostile(t *testing.T, ca *pki.Authority) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	srv := &http.Server{ErrorLog: log.New(io.Discard, "", 0), Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page, ok := hostilePages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, page)
		if r.URL.Path == "/slow" {
			w.(http.Flusher).Flush()
			select {
			case <-stop:
			case <-r.Context().Done():
			}
		}
	})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(tls.NewListener(ln, ca.ServerTLS()))
	}()
	t.Cleanup(func() {
		close(stop)
		srv.Close()
		<-done
	})
	return ln.Addr().(*net.TCPAddr).Port
}
