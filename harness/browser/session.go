package browser

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/mfconform/mfconform/harness/egress"
)

// SessionOptions configure one isolated session.
type SessionOptions struct {
	// BlockThirdPartyCookies restores Chromium's default of blocking
	// third-party cookies for this session (the profile allows them).
	BlockThirdPartyCookies bool
	// RecordCookieWrites records every document.cookie assignment of the
	// session's pages (Session.CookieWrites): Chromium's network events do
	// not report cookies written by script.
	RecordCookieWrites bool
}

// Session is a fresh isolated browser context with one tab whose network
// events are recorded. Cookies set in one session are invisible to others.
type Session struct {
	ctx    context.Context
	cancel context.CancelFunc
	rec    *recorder
	// lane is the session's way out through the browser's egress guard
	// (nil without one): its browser context's proxy.
	lane *egress.Lane
}

// NewSession opens an isolated browser context and a tab in it, bounded by
// ctx's deadline. Close it when done.
func (b *Browser) NewSession(ctx context.Context, o SessionOptions) (*Session, error) {
	if b == nil || b.browserCancel == nil {
		return nil, errors.New("browser: session on a closed browser")
	}
	var opts []chromedp.CreateBrowserContextOption
	var lane *egress.Lane
	if b.egress != nil {
		// The context's every connection goes through a lane of the
		// guard named for the work that opened the session (the evidence
		// bundle), loopback and link-local addresses included: a page of
		// the target reaches nothing but the deployment.
		l, err := b.egress.Lane(egress.TagOf(ctx))
		if err != nil {
			return nil, fmt.Errorf("browser: new session: %w", err)
		}
		lane = l
		opts = append(opts, func(p *target.CreateBrowserContextParams) {
			p.ProxyServer, p.ProxyBypassList = l.ProxyURL(), egress.BypassList
		})
	}
	tabCtx, cancel := chromedp.NewContext(b.browserCtx, chromedp.WithNewBrowserContext(opts...))
	s := &Session{ctx: tabCtx, cancel: cancel, rec: newRecorder(), lane: lane}
	s.rec.lane = lane
	setup := func() error {
		if err := firstDo(ctx, tabCtx); err != nil {
			return fmt.Errorf("open tab: %w", err)
		}
		if err := chromedp.Listen(tabCtx, s.rec.handle); err != nil {
			return fmt.Errorf("listen: %w", err)
		}
		if err := chromedp.Listen(tabCtx, s.onDialog); err != nil {
			return fmt.Errorf("listen: %w", err)
		}
		if err := chromedp.Listen(tabCtx, b.certs.handle); err != nil {
			return fmt.Errorf("listen: %w", err)
		}
		if _, err := call(ctx, tabCtx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
			return fmt.Errorf("disable cache: %w", err)
		}
		// A target's service worker would answer the tab's requests
		// itself — pages, the probe path, a navigation from a link —
		// and Chromium then reports no network exchange and no cookie
		// verdict for them: every request goes to the network instead,
		// as DevTools' "Bypass for network" does. A worker may still
		// register; it never answers for this tab.
		if _, err := call(ctx, tabCtx, network.SetBypassServiceWorker, network.SetBypassServiceWorkerParams{Bypass: true}); err != nil {
			return fmt.Errorf("bypass service workers: %w", err)
		}
		if err := denyDownloads(ctx, tabCtx); err != nil {
			return err
		}
		if b.proxyAuth != nil {
			if err := answerProxyAuth(ctx, tabCtx, b.proxyAuth); err != nil {
				return fmt.Errorf("answer the proxy's authentication: %w", err)
			}
		}
		if o.RecordCookieWrites {
			if _, err := call(ctx, tabCtx, runtime.AddBinding, runtime.AddBindingParams{Name: cookieWriteBinding}); err != nil {
				return fmt.Errorf("record cookie writes: %w", err)
			}
			if _, err := call(ctx, tabCtx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cookieWriteScript}); err != nil {
				return fmt.Errorf("record cookie writes: %w", err)
			}
		}
		if o.BlockThirdPartyCookies {
			if _, err := call(ctx, tabCtx, network.SetCookieControls, network.SetCookieControlsParams{EnableThirdPartyCookieRestriction: true}); err != nil {
				return fmt.Errorf("block third-party cookies: %w", err)
			}
		}
		return nil
	}
	if err := setup(); err != nil {
		s.Close()
		return nil, fmt.Errorf("browser: new session: %w", err)
	}
	return s, nil
}

// denyDownloads makes Chromium refuse every download in the browser
// context of the chromedp context cctx (Browser.setDownloadBehavior
// "deny"): a page that starts one writes no file anywhere. Without it a
// headless Chromium saves downloads into $HOME/Downloads.
func denyDownloads(ctx, cctx context.Context) error {
	c := chromedp.FromContext(cctx)
	if c == nil || c.Browser == nil {
		return errors.New("refuse downloads: no browser")
	}
	bctx, cancel := bound(ctx, cctx)
	defer cancel()
	p := cdpbrowser.SetDownloadBehaviorParams{Behavior: cdpbrowser.SetDownloadBehaviorBehaviorDeny, BrowserContextID: c.BrowserContextID}
	if _, err := cdp.Call(bctx, c.Browser, cdpbrowser.SetDownloadBehavior, p); err != nil {
		return fmt.Errorf("refuse downloads: %w", err)
	}
	return nil
}

// Close closes the tab and disposes of its browser context, then its
// lane.
func (s *Session) Close() {
	if s != nil && s.cancel != nil {
		s.cancel()
		s.cancel = nil
		if s.lane != nil {
			_ = s.lane.Close()
		}
	}
}

// dialogTimeout bounds closing one JavaScript dialog.
const dialogTimeout = 5 * time.Second

// onDialog closes every JavaScript dialog a page opens (alert, confirm,
// prompt, beforeunload): an open dialog stalls the page, so a target that
// shows one would hold every navigation until its timeout. A beforeunload
// dialog is accepted (the navigation goes on), the others dismissed. It
// runs on chromedp's read loop, so the command goes out from a goroutine.
func (s *Session) onDialog(ev any) {
	d, ok := ev.(*page.EventJavascriptDialogOpening)
	if !ok {
		return
	}
	accept := d.Type == page.DialogTypeBeforeunload
	go func() {
		ctx, cancel := context.WithTimeout(s.ctx, dialogTimeout)
		defer cancel()
		_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept})
	}()
}

// call runs a CDP command on the tab, bounded by ctx.
func call[P, R any](ctx, tab context.Context, cmd cdp.Command[P, R], p P) (R, error) {
	bctx, cancel := bound(ctx, tab)
	defer cancel()
	return chromedp.Call(bctx, cmd, p)
}

// bound derives a context from the tab context that also ends when ctx ends.
// When ctx runs out of time, the derived context does too at the same
// deadline, so errors say "deadline exceeded" rather than "canceled".
func bound(ctx, tab context.Context) (context.Context, context.CancelFunc) {
	bctx, cancel := context.WithCancel(tab)
	if dl, ok := ctx.Deadline(); ok {
		var c2 context.CancelFunc
		bctx, c2 = context.WithDeadline(bctx, dl)
		stop := context.AfterFunc(ctx, func() {
			if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
				cancel()
			}
		})
		return bctx, func() { stop(); c2(); cancel() }
	}
	stop := context.AfterFunc(ctx, cancel)
	return bctx, func() { stop(); cancel() }
}

func (s *Session) do(ctx context.Context, steps ...chromedp.Action[chromedp.Void]) error {
	bctx, cancel := bound(ctx, s.ctx)
	defer cancel()
	return chromedp.Do(bctx, steps...)
}

// Navigate loads url in the tab and waits for its load event, bounded by ctx.
// It returns the main document's exchange (waiting for its cookie verdicts).
// A page that answers with an HTTP error status is not an error.
func (s *Session) Navigate(ctx context.Context, url string) (Exchange, error) {
	mark := s.Mark()
	if err := s.do(ctx, chromedp.Navigate(url)); err != nil {
		return Exchange{}, fmt.Errorf("browser: navigate to %s: %w", url, s.explained(err, url))
	}
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		return Exchange{URL: url, Type: "Document"}, nil // file:, data:: no network events to wait for
	}
	return s.WaitExchange(ctx, mark, func(x Exchange) bool { return x.URL == url && x.Type == "Document" })
}

// explained is err with Chromium's error for a connection its proxy did
// not make (egress.ChromiumNetError, whatever the reason) replaced by what
// the session's lane saw: the error Chromium reports without a proxy, or
// mfconform's refusal and how to allow the host.
func (s *Session) explained(err error, url string) error {
	if s.lane == nil || !strings.Contains(err.Error(), egress.ChromiumNetError) {
		return err
	}
	return &explainedError{text: s.lane.RewriteNavigation(err.Error(), url), err: err}
}

// explainedError is an error whose text says more than the one it wraps.
type explainedError struct {
	text string
	err  error
}

func (e *explainedError) Error() string { return e.text }
func (e *explainedError) Unwrap() error { return e.err }

// Mark returns a position in the session's exchange log; pass it to
// WaitExchange to consider only what happened after it.
func (s *Session) Mark() int {
	xs, _ := s.rec.snapshot()
	return len(xs)
}

// WaitExchange waits, bounded by ctx, for a complete exchange recorded at or
// after mark that matches.
func (s *Session) WaitExchange(ctx context.Context, mark int, match func(Exchange) bool) (Exchange, error) {
	x, err := s.rec.wait(ctx, mark, match, Exchange.Complete)
	if err != nil {
		return x, fmt.Errorf("browser: waiting for the events of %s: %w", x.URL, err)
	}
	return x, nil
}

// WaitRequest is WaitExchange for requests whose response events may never
// reach this session (a cross-site iframe's document): it waits only for
// the request's cookie verdicts.
func (s *Session) WaitRequest(ctx context.Context, mark int, match func(Exchange) bool) (Exchange, error) {
	x, err := s.rec.wait(ctx, mark, match, Exchange.RequestSeen)
	if err != nil {
		return x, fmt.Errorf("browser: waiting for the request events of %s: %w", x.URL, err)
	}
	return x, nil
}

// Dropped says how many requests the session did not record because a
// page made more than the recorder keeps (maxExchanges): evidence past
// that point is missing, not absent.
func (s *Session) Dropped() int {
	s.rec.mu.Lock()
	defer s.rec.mu.Unlock()
	return s.rec.dropped
}

// Exchanges returns every exchange recorded so far, in request order.
func (s *Session) Exchanges() []Exchange {
	xs, _ := s.rec.snapshot()
	return xs
}

// Evaluate runs a JavaScript expression in the page (awaiting a promise) and
// decodes its JSON value into out.
func Evaluate[T any](ctx context.Context, s *Session, expr string) (T, error) {
	bctx, cancel := bound(ctx, s.ctx)
	defer cancel()
	v, err := chromedp.Run(bctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		var zero T
		return zero, fmt.Errorf("browser: evaluate: %w", err)
	}
	return v, nil
}

// isolatedWorld names the world EvaluateIsolated runs in.
const isolatedWorld = "mfconform"

// EvaluateIsolated is Evaluate in a JavaScript world of mfconform's own,
// made for the call in the page's main frame: it shares the page's DOM,
// origin and cookies but not its globals, so a page whose scripts replace
// fetch, String.prototype.slice or JSON cannot make the expression hand
// back a value it did not compute (a 100 MB string, a forged answer). Use
// it for every page a target serves; the page's own variables are not
// visible from there.
func EvaluateIsolated[T any](ctx context.Context, s *Session, expr string) (T, error) {
	var zero T
	bctx, cancel := bound(ctx, s.ctx)
	defer cancel()
	tree, err := chromedp.Call(bctx, page.GetFrameTree, cdp.Empty{})
	if err != nil {
		return zero, fmt.Errorf("browser: evaluate: the page's frame: %w", err)
	}
	if tree.FrameTree == nil || tree.FrameTree.Frame == nil {
		return zero, errors.New("browser: evaluate: the page has no main frame")
	}
	w, err := chromedp.Call(bctx, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{FrameID: tree.FrameTree.Frame.ID, WorldName: isolatedWorld})
	if err != nil {
		return zero, fmt.Errorf("browser: evaluate: isolated world: %w", err)
	}
	inWorld := func(p *runtime.EvaluateParams) { p.ContextID = w.ExecutionContextID }
	v, err := chromedp.Run(bctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise, inWorld))
	if err != nil {
		return zero, fmt.Errorf("browser: evaluate: %w", err)
	}
	return v, nil
}

// Cookies returns every cookie stored in the session's browser context, with
// all attributes (HttpOnly ones included).
func (s *Session) Cookies(ctx context.Context) ([]*network.Cookie, error) {
	c := chromedp.FromContext(s.ctx)
	if c == nil || c.Browser == nil {
		return nil, errors.New("browser: cookies: session not open")
	}
	bctx, cancel := bound(ctx, s.ctx)
	defer cancel()
	res, err := cdp.Call(bctx, c.Browser, storage.GetCookies, storage.GetCookiesParams{BrowserContextID: c.BrowserContextID})
	if err != nil {
		return nil, fmt.Errorf("browser: read cookies: %w", err)
	}
	return res.Cookies, nil
}

// pageCookieSettle bounds how long SettledCookies waits for the store to
// catch up with the page.
const pageCookieSettle = 2 * time.Second

// SettledCookies returns the session's cookie store (as Cookies) once it
// holds every cookie the current page sees in document.cookie. A page's
// document.cookie writes and clears reach Chromium's cookie store
// asynchronously (the renderer sends them to the network service and goes
// on), so a store read right after a script wrote cookies may miss them or
// still show cleared ones. Reading document.cookie first is a barrier: the
// renderer's read queues behind its own writes on the same channel. Then
// the store is polled, for at most 2 s, until it holds what the page sees
// (writes of an earlier document travel on another channel). What the
// store holds then is returned either way: a cookie the page sees and the
// store never holds is the caller's evidence, not an error.
func (s *Session) SettledCookies(ctx context.Context) ([]*network.Cookie, error) {
	seen, err := Evaluate[[]string](ctx, s, `document.cookie.split(";").map(c => c.trim().split("=")[0]).filter(n => n !== "")`)
	if err != nil {
		seen = nil // a page that cannot be read (gone, or not HTML): the store alone
	}
	wctx, cancel := context.WithTimeout(ctx, pageCookieSettle)
	defer cancel()
	for {
		jar, err := s.Cookies(ctx)
		if err != nil {
			return nil, err
		}
		if holdsAll(jar, seen) {
			return jar, nil
		}
		select {
		case <-wctx.Done():
			return jar, nil
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// holdsAll reports whether jar has a cookie of every name in names.
func holdsAll(jar []*network.Cookie, names []string) bool {
	for _, n := range names {
		if !slices.ContainsFunc(jar, func(c *network.Cookie) bool { return c.Name == n }) {
			return false
		}
	}
	return true
}

// SetCookie plants a cookie in the session's jar, as if a server had set it.
func (s *Session) SetCookie(ctx context.Context, p network.SetCookieParams) error {
	if _, err := call(ctx, s.ctx, network.SetCookie, p); err != nil {
		return fmt.Errorf("browser: set cookie %s: %w", p.Name, err)
	}
	return nil
}

// DeleteCookies removes the cookies named name for url.
func (s *Session) DeleteCookies(ctx context.Context, name, url string) error {
	if _, err := call(ctx, s.ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: name, URL: url}); err != nil {
		return fmt.Errorf("browser: delete cookie %s: %w", name, err)
	}
	return nil
}

// Screenshot captures the visible page as PNG, encoded for speed rather
// than size (evidence, taken on every run, must stay cheap).
func (s *Session) Screenshot(ctx context.Context) ([]byte, error) {
	fast := true
	res, err := call(ctx, s.ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{Format: page.CaptureScreenshotFormatPng, OptimizeForSpeed: &fast})
	if err != nil {
		return nil, fmt.Errorf("browser: screenshot: %w", err)
	}
	return res.Data, nil // JSON base64 already decoded
}

// SetViewport sizes the tab's viewport to width×height CSS pixels, as a
// phone (mobile: the viewport meta tag applies, scrollbars overlay) or a
// desktop window, bounded by ctx. It lasts until the session closes.
func (s *Session) SetViewport(ctx context.Context, width, height int, mobile bool) error {
	p := emulation.SetDeviceMetricsOverrideParams{Width: int64(width), Height: int64(height), DeviceScaleFactor: 1, Mobile: mobile}
	if _, err := call(ctx, s.ctx, emulation.SetDeviceMetricsOverride, p); err != nil {
		return fmt.Errorf("browser: set the viewport to %dx%d: %w", width, height, err)
	}
	return nil
}

// Click clicks the first element matching a CSS selector, waiting for it to
// be visible, bounded by ctx.
func (s *Session) Click(ctx context.Context, selector string) error {
	if err := s.do(ctx, chromedp.Click(chromedp.CSS(selector), chromedp.NodeVisible)); err != nil {
		return fmt.Errorf("browser: click %s: %w", selector, err)
	}
	return nil
}

// Fill types value into the first element matching a CSS selector, bounded
// by ctx. value is never part of the error.
func (s *Session) Fill(ctx context.Context, selector, value string) error {
	if err := s.do(ctx, chromedp.SendKeys(chromedp.CSS(selector), value, chromedp.NodeVisible)); err != nil {
		return fmt.Errorf("browser: fill %s: %w", selector, err)
	}
	return nil
}

// WaitVisible waits, bounded by ctx, until the first element matching a
// CSS selector is visible.
func (s *Session) WaitVisible(ctx context.Context, selector string) error {
	if err := s.do(ctx, chromedp.WaitVisible(chromedp.CSS(selector))); err != nil {
		return fmt.Errorf("browser: wait for %s: %w", selector, err)
	}
	return nil
}

// BlockThirdPartyCookies restores Chromium's default of blocking
// third-party cookies in this session from the next page load on.
func (s *Session) BlockThirdPartyCookies(ctx context.Context) error {
	if _, err := call(ctx, s.ctx, network.SetCookieControls, network.SetCookieControlsParams{EnableThirdPartyCookieRestriction: true}); err != nil {
		return fmt.Errorf("browser: block third-party cookies: %w", err)
	}
	return nil
}
