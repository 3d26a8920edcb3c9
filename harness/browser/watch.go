package browser

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// Done returns a channel that is closed once the browser is gone: its
// process exited or was killed, its connection dropped, or Close ran. A
// caller that keeps one browser for long (mfconform exporter) watches it
// to start another. chromedp cancels the browser's context when the
// connection to Chromium is lost (allocate.go: LostConnection), which
// happens when the process ends and the relay's pipe with it.
func (b *Browser) Done() <-chan struct{} {
	if b == nil || b.browserCtx == nil {
		closed := make(chan struct{})
		close(closed)
		return closed
	}
	return b.browserCtx.Done()
}

// Contexts returns how many browser contexts (the isolated sessions of
// every client, NewSession's among them) the browser holds open, bounded
// by ctx. Only the process that launched the browser sees every client's
// contexts; a connected one sees its own.
func (b *Browser) Contexts(ctx context.Context) (int, error) {
	if b == nil || b.browserCtx == nil {
		return 0, errors.New("browser: closed")
	}
	select {
	case <-b.browserCtx.Done():
		return 0, errors.New("browser: gone")
	default:
	}
	cctx, cancel := bound(ctx, b.browserCtx)
	defer cancel()
	ids, err := chromedp.CallBrowser(cctx, target.GetBrowserContexts, cdp.Empty{})
	if err != nil {
		return 0, err
	}
	return len(ids.BrowserContextIDs), nil
}

// Certificate is a server's leaf certificate as Chromium saw it on a
// secure response (Network.Response.securityDetails): the host name it
// answered for and when it stops being valid.
type Certificate struct {
	Host     string
	NotAfter time.Time
}

// maxCertificateHosts bounds the hosts a browser remembers certificates
// for: a page may make requests to any number of hosts.
const maxCertificateHosts = 32

// certificateLog keeps, per host, the earliest expiry among the leaf
// certificates the browser's sessions were shown. Its handle method runs
// on chromedp's read loop: it only updates state under a lock.
type certificateLog struct {
	mu     sync.Mutex
	byHost map[string]time.Time
}

func (l *certificateLog) handle(ev any) {
	e, ok := ev.(*network.EventResponseReceived)
	if !ok || e.Response == nil || e.Response.SecurityDetails == nil || e.Response.SecurityDetails.ValidTo <= 0 {
		return
	}
	u, err := url.Parse(e.Response.URL)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" {
		return
	}
	host := strings.ToLower(u.Hostname())
	sec := float64(e.Response.SecurityDetails.ValidTo)
	notAfter := time.Unix(int64(sec), 0).UTC()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byHost == nil {
		l.byHost = map[string]time.Time{}
	}
	old, seen := l.byHost[host]
	switch {
	case !seen && len(l.byHost) >= maxCertificateHosts:
	case !seen || notAfter.Before(old):
		l.byHost[host] = notAfter
	}
}

// Certificates returns the leaf certificates this process's sessions were
// shown, one per host (the earliest expiry when a host showed several),
// sorted by host; at most 32 hosts.
func (b *Browser) Certificates() []Certificate {
	if b == nil {
		return nil
	}
	l := &b.certs
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Certificate, 0, len(l.byHost))
	for h, t := range l.byHost {
		out = append(out, Certificate{Host: h, NotAfter: t})
	}
	slices.SortFunc(out, func(a, b Certificate) int { return strings.Compare(a.Host, b.Host) })
	return out
}
