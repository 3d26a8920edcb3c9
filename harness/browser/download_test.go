package browser

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// downloadName is the file name the test's page offers for download.
const downloadName = "mfconform-download-canary.txt"

// TestDownloadsRefused: a page that starts downloads — a navigation to an
// attachment, a click on a link with the download attribute, a script
// that clicks one — leaves no file anywhere: not in the run's folder
// (Chromium's HOME, profile and temporary files live there) and not in the
// operator's HOME. It does so in a session and in the browser's default
// context (chromedp's first tab), where headless Chromium 156 saves
// downloads into $HOME/Downloads unless told otherwise. Chromium has
// received each download's whole body before the folders are read.
func TestDownloadsRefused(t *testing.T) {
	if _, err := FindChromium(); err != nil {
		t.Fatalf("this test needs a real Chromium: %v (make test installs it)", err)
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	var mu sync.Mutex
	served := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte(`<!doctype html><title>downloads</title>
<a id="link" href="/file?via=link" download="` + downloadName + `">download</a>
<script>
window.mfScripted = () => {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob(["mfconform blob download"], {type: "text/plain"}));
  a.download = "blob-` + downloadName + `";
  document.body.appendChild(a);
  a.click();
  return true;
};
</script>`))
		case "/file":
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Disposition", `attachment; filename="`+downloadName+`"`)
			_, _ = w.Write([]byte(strings.Repeat("mfconform download\n", 64)))
			mu.Lock()
			served[r.URL.Query().Get("via")] = true
			mu.Unlock()
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)

	dir, err := os.MkdirTemp("/tmp", "mfd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	b, err := Launch(ctx, Options{Dir: dir, StartTimeout: 30 * time.Second})
	if err != nil {
		t.Fatalf("Launch() = %v", err)
	}
	closed := false
	defer func() {
		if !closed {
			b.Close()
		}
	}()
	s, err := b.NewSession(ctx, SessionOptions{})
	if err != nil {
		t.Fatalf("NewSession() = %v", err)
	}
	defer s.Close()

	if _, err := s.Navigate(ctx, srv.URL+"/"); err != nil {
		t.Fatalf("Navigate() = %v", err)
	}
	if err := s.Click(ctx, "#link"); err != nil {
		t.Fatalf("Click() = %v", err)
	}
	if ok, err := Evaluate[bool](ctx, s, "mfScripted()"); err != nil || !ok {
		t.Fatalf("the page's scripted download = %v, %v", ok, err)
	}
	// A navigation to an attachment does not replace the page; its
	// request is answered all the same.
	_, _ = s.Navigate(ctx, srv.URL+"/file?via=navigation")
	dctx, dcancel := bound(ctx, b.browserCtx)
	_ = chromedp.Do(dctx, chromedp.Navigate(srv.URL+"/file?via=default-context"))
	dcancel()
	for _, via := range []string{"link", "navigation", "default-context"} {
		for !wasServed(&mu, served, via) {
			select {
			case <-ctx.Done():
				t.Fatalf("the download by %s was never requested", via)
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	// One more round trip through the page: the browser has taken in
	// everything it was sent. A saved download lands a few milliseconds
	// later (measured: 5-7 ms); the test looks for one far longer, then
	// closes the browser, which waits for Chromium to exit: nothing is
	// still being written when the folders are read the last time.
	if _, err := Evaluate[bool](ctx, s, "true"); err != nil {
		t.Fatal(err)
	}
	written := func() []string {
		var found []string
		for _, root := range []string{dir, home} {
			_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
				if err == nil && isDownload(d.Name()) {
					found = append(found, p)
				}
				return nil
			})
		}
		return found
	}
	for deadline := time.Now().Add(downloadWindow); time.Now().Before(deadline) && len(written()) == 0; {
		time.Sleep(20 * time.Millisecond)
	}
	s.Close()
	if err := b.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	closed = true

	for _, p := range written() {
		t.Errorf("a download was written: %s", p)
	}
	entries, _ := os.ReadDir(home)
	for _, e := range entries {
		t.Errorf("the operator's HOME has %s: Chromium wrote there", e.Name())
	}
}

// downloadWindow is how long the test looks for a download after the
// browser received it.
const downloadWindow = 2 * time.Second

// isDownload reports whether a file name is one of the test's downloads or
// Chromium's name for one in progress.
func isDownload(name string) bool {
	return strings.Contains(name, downloadName) || strings.HasSuffix(name, ".crdownload") || strings.HasPrefix(name, "Unconfirmed ")
}

func wasServed(mu *sync.Mutex, served map[string]bool, via string) bool {
	mu.Lock()
	defer mu.Unlock()
	return served[via]
}
