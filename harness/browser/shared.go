package browser

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mfconform/mfconform/harness/egress"
)

// connectTimeout bounds dialling a shared browser's socket.
const connectTimeout = 10 * time.Second

// sharedAllocator connects to the relay of a Chromium another mfconform
// process launched (Options.ShareSocket; a batch of targets shares one
// browser). Unlike chromedp's allocators it never asks the browser to
// close: ending a run only drops this process's connection, and the relay
// then disposes of whatever the run left.
type sharedAllocator struct {
	socket string
	// wrap, when set (tests), wraps the connection's transport.
	wrap func(chromedp.Transport) chromedp.Transport

	mu     sync.Mutex
	cancel context.CancelFunc // ends the connection; set by Allocate
}

// Allocate dials the relay's Unix socket; the protocol on it is the one of
// Chromium's --remote-debugging-pipe, so chromedp's PipeConn speaks it.
func (a *sharedAllocator) Allocate(ctx context.Context, opts ...chromedp.BrowserOption) (*chromedp.Browser, error) {
	dctx, dcancel := context.WithTimeout(ctx, connectTimeout)
	defer dcancel()
	var d net.Dialer
	conn, err := d.DialContext(dctx, "unix", a.socket)
	if err != nil {
		return nil, fmt.Errorf("connect to the shared browser: %w", err)
	}
	var tr chromedp.Transport = chromedp.NewPipeConn(conn, noClose{conn})
	if a.wrap != nil {
		tr = a.wrap(tr)
	}
	wctx, cancel := context.WithCancel(context.Background())
	a.mu.Lock()
	a.cancel = cancel
	a.mu.Unlock()
	return chromedp.NewBrowserTransport(wctx, tr, opts...)
}

// noClose is the writing half of a connection whose reading half closes it.
type noClose struct{ io.Writer }

func (noClose) Close() error { return nil }

// Wait satisfies chromedp.Allocator; there is no process to wait for.
func (a *sharedAllocator) Wait() {}

// Attaches reports that the browser runs already.
func (a *sharedAllocator) Attaches() bool { return true }

// Connect attaches to the shared browser whose relay listens on the Unix
// socket at path (see Options.ShareSocket), bounded by ctx. Close drops
// the connection and leaves the browser running. Every session this
// process opens connects through guard (nil: as the browser does), so a
// run of a batch keeps its own egress policy in the shared browser.
func Connect(ctx context.Context, socket string, guard *egress.Guard) (*Browser, error) {
	b, err := connect(ctx, &sharedAllocator{socket: socket})
	if b != nil {
		b.egress = guard
	}
	return b, err
}

func connect(ctx context.Context, a *sharedAllocator) (*Browser, error) {
	allocCtx, allocCancel := chromedp.NewAllocatorContext(context.Background(), a)
	browserCtx, browserCancel := chromedp.NewContext(allocCtx)
	b := &Browser{ExecPath: "shared:" + a.socket, allocCancel: func() {
		allocCancel()
		a.mu.Lock()
		defer a.mu.Unlock()
		if a.cancel != nil {
			a.cancel()
		}
	}, browserCtx: browserCtx, browserCancel: browserCancel, shared: true}
	if err := firstDo(ctx, browserCtx); err != nil {
		b.Close()
		return nil, fmt.Errorf("browser: connect to the shared browser at %s: %w", a.socket, err)
	}
	b.readVersion()
	return b, nil
}
