package browser

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
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/harness/pki"
)

// needCertutil fails the test, with the operator's hint, when certutil is
// missing: installing it is `make deps`' job, not the test's.
func needCertutil(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("certutil"); err != nil {
		t.Fatalf("this test needs NSS's certutil: %v", ErrCertutilMissing)
	}
}

func TestBuildNSSDBRejectsNonCertificates(t *testing.T) {
	tests := []struct {
		name string
		pem  string
		want string
	}{
		{name: "garbage", pem: "not a certificate at all", want: "no PEM certificate"},
		{name: "empty", pem: "", want: "no PEM certificate"},
		{name: "key only", pem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", want: "no PEM certificate"},
		{name: "broken certificate", pem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", want: "not a valid X.509 certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			err := BuildNSSDB(home, []byte(tt.pem))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("BuildNSSDB(%q) error = %v, want one containing %q", tt.pem, err, tt.want)
			}
			if _, err := os.Stat(nssDBDir(home)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("BuildNSSDB(%q) left %s behind (stat error = %v), want nothing created", tt.pem, nssDBDir(home), err)
			}
		})
	}
}

func TestBuildNSSDBTrustsEveryCertificate(t *testing.T) {
	needCertutil(t)
	ca1, err := pki.New([]string{"one.example.test"})
	if err != nil {
		t.Fatalf("pki.New() error = %v", err)
	}
	ca2, err := pki.New([]string{"two.example.test"})
	if err != nil {
		t.Fatalf("pki.New() error = %v", err)
	}
	bundle := append(append([]byte("a comment before the bundle\n"), ca1.CertPEM...), ca2.CertPEM...)

	home := t.TempDir()
	start := time.Now()
	if err := BuildNSSDB(home, bundle); err != nil {
		t.Fatalf("BuildNSSDB() error = %v", err)
	}
	t.Logf("BuildNSSDB with 2 certificates took %d ms", time.Since(start).Milliseconds())

	out, err := exec.Command("certutil", "-L", "-d", "sql:"+nssDBDir(home)).CombinedOutput()
	if err != nil {
		t.Fatalf("certutil -L error = %v: %s", err, out)
	}
	for _, nick := range []string{caNickname(1), caNickname(2)} {
		var line string
		for _, l := range strings.Split(string(out), "\n") {
			if strings.HasPrefix(l, nick+" ") {
				line = l
			}
		}
		if !strings.HasSuffix(strings.TrimSpace(line), "C,,") {
			t.Errorf("certutil -L lists %q as %q, want it trusted \"C,,\"; full listing:\n%s", nick, line, out)
		}
	}

	entries, err := os.ReadDir(home)
	if err != nil {
		t.Fatalf("ReadDir(%s) error = %v", home, err)
	}
	for _, e := range entries {
		if e.Name() != ".pki" {
			t.Errorf("BuildNSSDB left %s in home, want only .pki", e.Name())
		}
	}

	if err := BuildNSSDB(home, ca1.CertPEM); err == nil || !strings.Contains(err.Error(), "already holds one") {
		t.Errorf("BuildNSSDB() on an existing database error = %v, want a refusal", err)
	}
}

// TestCAPEMLive proves that Options.CAPEM alone, without TrustSPKI, makes a
// real Chromium load a page served under a private CA, and that without it
// the same page fails on its certificate.
func TestCAPEMLive(t *testing.T) {
	if _, err := FindChromium(); err != nil {
		t.Fatalf("this test needs a real Chromium: %v (make test installs it)", err)
	}
	needCertutil(t)
	ca, err := pki.New([]string{"private.example.test"})
	if err != nil {
		t.Fatalf("pki.New() error = %v", err)
	}
	url := fmt.Sprintf("https://private.example.test:%d/", servePrivate(t, ca))

	tests := []struct {
		name      string
		capem     []byte
		wantTrust bool
	}{
		{name: "with CAPEM", capem: ca.CertPEM, wantTrust: true},
		{name: "without CAPEM", capem: nil, wantTrust: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A short directory: Chromium's socket path must fit in 108 bytes.
			dir, err := os.MkdirTemp("/tmp", "mfn")
			if err != nil {
				t.Fatalf("MkdirTemp() error = %v", err)
			}
			t.Cleanup(func() { os.RemoveAll(dir) })

			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			start := time.Now()
			b, err := Launch(ctx, Options{
				Dir:           dir,
				ResolverRules: "MAP private.example.test 127.0.0.1",
				CAPEM:         tt.capem,
				StartTimeout:  20 * time.Second,
			})
			if err != nil {
				t.Fatalf("Launch() error = %v", err)
			}
			t.Cleanup(func() { b.Close() })
			t.Logf("Launch took %d ms", time.Since(start).Milliseconds())

			s, err := b.NewSession(ctx, SessionOptions{})
			if err != nil {
				t.Fatalf("NewSession() error = %v", err)
			}
			defer s.Close()

			nctx, ncancel := context.WithTimeout(ctx, 10*time.Second)
			defer ncancel()
			x, err := s.Navigate(nctx, url)
			if tt.wantTrust {
				if err != nil {
					t.Fatalf("Navigate(%s) error = %v, want the page loaded over TLS trusted through the NSS database", url, err)
				}
				if x.Failed != "" || x.Status != http.StatusOK {
					t.Fatalf("Navigate(%s) = status %d, failed %q; want status 200", url, x.Status, x.Failed)
				}
				return
			}
			if err == nil && x.Failed == "" {
				t.Fatalf("Navigate(%s) = status %d without CAPEM, want a certificate error: the trust must come from the NSS database", url, x.Status)
			}
			t.Logf("without CAPEM, as expected: error = %v, failed = %q", err, x.Failed)
		})
	}
}

// servePrivate serves a page over TLS with ca's leaf on 127.0.0.1 and
// returns the port; the server is closed when the test ends.
func servePrivate(t *testing.T, ca *pki.Authority) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("Listen() error = %v", err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<!doctype html><title>private</title>")
		}),
		ErrorLog: log.New(io.Discard, "", 0),
	}
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
