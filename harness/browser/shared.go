package browser

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/remote"
)

// sharedAllocator connects to a Chromium another mfconform process started
// (a batch of targets shares one browser). Unlike chromedp's remote
// allocator it never asks the browser to close: ending a run only drops
// this process's connection, its contexts and their tabs.
type sharedAllocator struct {
	wsURL  string
	cancel context.CancelFunc
}

// Allocate dials the browser's DevTools websocket.
func (a *sharedAllocator) Allocate(ctx context.Context, opts ...chromedp.BrowserOption) (*chromedp.Browser, error) {
	wctx, cancel := context.WithCancel(context.Background())
	a.cancel = cancel
	dctx, dcancel := context.WithTimeout(ctx, 10*time.Second)
	defer dcancel()
	conn, err := remote.DialContext(dctx, a.wsURL)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("connect to the shared browser: %w", err)
	}
	return chromedp.NewBrowserTransport(wctx, conn, opts...)
}

// Wait satisfies chromedp.Allocator; there is no process to wait for.
func (a *sharedAllocator) Wait() {}

// Attaches reports that the browser runs already.
func (a *sharedAllocator) Attaches() bool { return true }

// Connect attaches to the shared browser at wsURL (see Options.DebugPort),
// bounded by ctx. Close drops the connection and leaves the browser running.
func Connect(ctx context.Context, wsURL string) (*Browser, error) {
	a := &sharedAllocator{wsURL: wsURL}
	allocCtx, allocCancel := chromedp.NewAllocatorContext(context.Background(), a)
	browserCtx, browserCancel := chromedp.NewContext(allocCtx)
	b := &Browser{ExecPath: "shared:" + wsURL, allocCancel: func() {
		allocCancel()
		if a.cancel != nil {
			a.cancel()
		}
	}, browserCtx: browserCtx, browserCancel: browserCancel, shared: true}
	if err := firstDo(ctx, browserCtx); err != nil {
		b.Close()
		return nil, fmt.Errorf("browser: connect to the shared browser at %s: %w", wsURL, err)
	}
	b.readVersion()
	return b, nil
}

// readDebugURL reads the DevTools websocket address Chromium writes to
// <profile>/DevToolsActivePort when started with --remote-debugging-port=0.
func readDebugURL(ctx context.Context, profile string) (string, error) {
	file := filepath.Join(profile, "DevToolsActivePort")
	for {
		if b, err := os.ReadFile(file); err == nil {
			lines := strings.Split(strings.TrimSpace(string(b)), "\n")
			if len(lines) == 2 {
				return "ws://127.0.0.1:" + strings.TrimSpace(lines[0]) + strings.TrimSpace(lines[1]), nil
			}
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("browser: no DevToolsActivePort: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
