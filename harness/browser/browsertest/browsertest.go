// Package browsertest shares one headless Chromium among the tests of a
// package, the way chromedp's own tests share one allocator started from
// TestMain: the browser is launched once, on first use, and each test
// opens its own session on it (Browser.NewSession: a fresh browser context
// and tab, isolated from every other test's cookies, storage and cache)
// and closes it. A test that needs its own launch options (a sandbox, a
// proxy, a private CA, a shared socket, the browser's own folder or
// processes) launches its own browser instead.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/harness/hostmap"
	"github.com/mfconform/mfconform/harness/pki"
)

// startTimeout bounds the shared browser's launch (a loaded machine is
// slow to start Chromium; the launch is paid once per package).
const startTimeout = 60 * time.Second

// Shared is a test package's browser. Hosts are the host names (wildcards
// allowed) the package's tests serve: the browser maps each to 127.0.0.1
// and trusts the leaf certificate of CA, which covers them all, so a test
// serves its sites with CA (none: the tests load no site by name).
// Declare one per package and close it from TestMain (Main).
type Shared struct {
	Hosts []string

	caOnce sync.Once
	ca     *pki.Authority
	caErr  error

	once sync.Once
	b    *browser.Browser
	dir  string
	err  error
}

// CA returns the certificate authority whose leaf covers Hosts and which
// the shared browser trusts, making it on first use.
func (s *Shared) CA(t testing.TB) *pki.Authority {
	t.Helper()
	s.caOnce.Do(func() { s.ca, s.caErr = pki.New(s.Hosts) })
	if s.caErr != nil {
		t.Fatalf("browsertest: the shared certificate for %v: %v", s.Hosts, s.caErr)
	}
	return s.ca
}

// Browser returns the shared browser, launching it on first use. The
// test opens its own session on it and closes that; the browser itself is
// closed by Close, never by a test.
func (s *Shared) Browser(t testing.TB) *browser.Browser {
	t.Helper()
	var ca *pki.Authority
	if len(s.Hosts) > 0 {
		ca = s.CA(t)
	}
	s.once.Do(func() { s.b, s.dir, s.err = launch(s.Hosts, ca) })
	if s.err != nil {
		t.Fatalf("this test needs a real Chromium: %v (make test installs it)", s.err)
	}
	return s.b
}

// launch starts the shared browser in a folder of its own (a short path:
// Chromium's socket path must fit in 108 bytes), trusting ca's leaf when
// there are hosts to serve.
func launch(hosts []string, ca *pki.Authority) (*browser.Browser, string, error) {
	if _, err := browser.FindChromium(); err != nil {
		return nil, "", err
	}
	var hm hostmap.Map
	for _, h := range hosts {
		if err := hm.Add(h, "127.0.0.1"); err != nil {
			return nil, "", fmt.Errorf("browsertest: host %q: %w", h, err)
		}
	}
	dir, err := os.MkdirTemp("/tmp", "mfs")
	if err != nil {
		return nil, "", err
	}
	// The launch is bounded by StartTimeout; the browser outlives every
	// test, so no test's context bounds it.
	o := browser.Options{Dir: dir, ResolverRules: hm.ChromiumRules(), StartTimeout: startTimeout}
	if ca != nil {
		o.TrustSPKI = []string{ca.LeafSPKIHash}
	}
	b, err := browser.Launch(context.Background(), o)
	if err != nil {
		os.RemoveAll(dir)
		return nil, "", err
	}
	return b, dir, nil
}

// Close closes the shared browser, if it was launched, and removes its
// folder.
func (s *Shared) Close() {
	if s.b != nil {
		_ = s.b.Close()
	}
	if s.dir != "" {
		_ = os.RemoveAll(s.dir)
	}
}

// Main runs a package's tests and then closes its shared browser: the
// package's TestMain is `func TestMain(m *testing.M) { browsertest.Main(m, shared) }`.
func Main(m *testing.M, s *Shared) {
	code := m.Run()
	s.Close()
	os.Exit(code)
}
