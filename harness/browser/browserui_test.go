package browser

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestNoHiddenBrowserUI: sessions open no hidden page of Chromium's own UI
// (the WebUI omnibox popup and its kind, "browser_ui" targets on
// chrome://…top-chrome URLs). Headless, each such page kept a core a
// third busy for its window's life, and every session opens a window
// (see the disable-features flag in Launch).
func TestNoHiddenBrowserUI(t *testing.T) {
	dir, err := os.MkdirTemp("/tmp", "mfui")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	b, err := Launch(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for range 2 {
		s, err := b.NewSession(ctx, SessionOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
	}
	// The popup's page appears with its window, within milliseconds when
	// it appears at all: watch for a second.
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		infos, err := chromedp.Targets(b.browserCtx)
		if err != nil {
			t.Fatalf("Targets() = %v", err)
		}
		for _, in := range infos {
			if in.Type == "browser_ui" || strings.Contains(in.URL, ".top-chrome") {
				t.Fatalf("target %s %q is Chromium's own UI: a hidden page that keeps a renderer busy", in.Type, in.URL)
			}
		}
	}
}
