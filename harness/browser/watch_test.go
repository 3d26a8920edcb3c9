package browser_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/harness/hostmap"
	"github.com/mfconform/mfconform/harness/pki"
)

// TestBrowserWatch: a shared browser reports the leaf certificate a
// session was shown (host and expiry, to the second), counts the browser
// contexts its clients hold (none once they left), and closes Done when
// its process is killed.
func TestBrowserWatch(t *testing.T) {
	ca, err := pki.New([]string{"*.acme.test"})
	if err != nil {
		t.Fatalf("pki.New() error = %v", err)
	}
	leaf, err := x509.ParseCertificate(ca.Leaf.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	port := serveTLS(t, ca)
	var hosts hostmap.Map
	if err := hosts.Add("*.acme.test", "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("/tmp", "mfw")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	sock := filepath.Join(dir, "cdp")
	owner, err := browser.Launch(ctx, browser.Options{Dir: filepath.Join(dir, "c"), ResolverRules: hosts.ChromiumRules(),
		TrustSPKI: []string{ca.LeafSPKIHash}, ShareSocket: sock, StartTimeout: 60 * time.Second})
	if err != nil {
		t.Fatalf("Launch() error = %v", err)
	}
	defer owner.Close()

	client, err := browser.Connect(ctx, sock, nil)
	if err != nil {
		t.Fatalf("Connect() error = %v", err)
	}
	s, err := client.NewSession(ctx, browser.SessionOptions{})
	if err != nil {
		t.Fatalf("NewSession() error = %v", err)
	}
	if _, err := s.Navigate(ctx, fmt.Sprintf("https://app.acme.test:%d/", port)); err != nil {
		t.Fatalf("Navigate() error = %v", err)
	}
	want := []browser.Certificate{{Host: "app.acme.test", NotAfter: leaf.NotAfter.UTC().Truncate(time.Second)}}
	if got := client.Certificates(); len(got) != 1 || got[0].Host != want[0].Host || !got[0].NotAfter.Equal(want[0].NotAfter) {
		t.Errorf("Certificates() = %v, want %v", got, want)
	}
	if n, err := owner.Contexts(ctx); err != nil || n != 1 {
		t.Errorf("Contexts() with one session open = %d, %v; want 1", n, err)
	}
	s.Close()
	client.Close()
	// The relay disposes of what a client left once it disconnects.
	for n := -1; n != 0; {
		if n, err = owner.Contexts(ctx); err != nil {
			t.Fatalf("Contexts() error = %v", err)
		}
		if ctx.Err() != nil {
			t.Fatalf("Contexts() = %d after the client left, want 0", n)
		}
		time.Sleep(50 * time.Millisecond)
	}

	select {
	case <-owner.Done():
		t.Fatal("Done() closed while the browser runs")
	default:
	}
	pid := browserPID(t, dir)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill the browser: %v", err)
	}
	select {
	case <-owner.Done():
	case <-ctx.Done():
		t.Fatal("Done() not closed after the browser process was killed")
	}
}

// browserPID is the pid of the browser process whose profile is in dir
// (its helpers carry a --type= flag; it does not).
func browserPID(t *testing.T, dir string) int {
	t.Helper()
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		args := strings.Split(string(b), "\x00")
		if strings.Contains(string(b), "--user-data-dir="+dir) && !strings.Contains(string(b), "--type=") && len(args) > 0 {
			return pid
		}
	}
	t.Fatalf("no browser process with its profile in %s", dir)
	return 0
}
