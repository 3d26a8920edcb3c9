package browser_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/mfconform/mfconform/harness/browser"
)

// TestCrossSiteIframeVerdicts loads a page of other.test that embeds
// app.acme.test in an iframe, again and again: every time, Chromium's
// verdict on the cookie the iframe's document request carried must reach
// the page's session (Session.WaitRequest), as the cross-site specs need.
// MFCONFORM_IFRAME_ROUNDS sets the number of loads (30).
func TestCrossSiteIframeVerdicts(t *testing.T) {
	rounds := 30
	if n, err := strconv.Atoi(os.Getenv("MFCONFORM_IFRAME_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	ca := shared.CA(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	mux := http.NewServeMux()
	mux.HandleFunc("login.acme.test/set", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Set-Cookie", setCookieLine)
		io.WriteString(w, "<!doctype html><title>set</title>")
	})
	mux.HandleFunc("embed.other.test/embed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<!doctype html><title>embed</title><iframe src="https://app.acme.test:%d/frame?%s"></iframe>`, port, r.URL.RawQuery)
	})
	mux.HandleFunc("app.acme.test/frame", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, `<!doctype html><title>app</title><script>fetch("/api",{credentials:"include"})</script>`)
	})
	mux.HandleFunc("app.acme.test/api", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "{}") })
	srv := &http.Server{Handler: mux, ErrorLog: log.New(io.Discard, "", 0)}
	go srv.Serve(tls.NewListener(ln, ca.ServerTLS()))
	t.Cleanup(func() { srv.Close() })

	b := shared.Browser(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Duration(rounds)*2*time.Second+30*time.Second)
	defer cancel()
	s, err := b.NewSession(ctx, browser.SessionOptions{})
	if err != nil {
		t.Fatalf("NewSession() = %v", err)
	}
	defer s.Close()
	if _, err := s.Navigate(ctx, fmt.Sprintf("https://login.acme.test:%d/set", port)); err != nil {
		t.Fatal(err)
	}
	missed := 0
	for i := range rounds {
		frame := fmt.Sprintf("https://app.acme.test:%d/frame?n=%d", port, i)
		mark := s.Mark()
		if _, err := s.Navigate(ctx, fmt.Sprintf("https://embed.other.test:%d/embed?n=%d", port, i)); err != nil {
			t.Fatal(err)
		}
		wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
		x, err := s.WaitRequest(wctx, mark, func(x browser.Exchange) bool { return x.URL == frame && x.Type == "Document" })
		wcancel()
		if v := findVerdict(x.Cookies, "a"); err != nil || v == nil || !v.Sent {
			missed++
			t.Errorf("round %d: the iframe's request verdicts = %+v, %v; want cookie a sent", i, x.Cookies, err)
		}
	}
	t.Logf("%d of %d cross-site iframe loads gave the page's session the iframe request's cookie verdict", rounds-missed, rounds)
}
