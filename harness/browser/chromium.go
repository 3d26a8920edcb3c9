// Package browser starts one headless Chromium per run through chromedp and
// hands out isolated sessions (a fresh browser context and tab each) that
// record Chromium's own cookie verdicts for every request. It returns errors;
// it never judges.
package browser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"

	"github.com/mfconform/mfconform/harness/egress"
)

// ErrChromiumMissing is returned when no Chromium or Chrome binary is found.
var ErrChromiumMissing = errors.New("chromium not found")

// InstallHint tells an operator how to get a browser.
const InstallHint = "install it with `sudo apt-get install -y chromium` (Debian/Ubuntu; `make deps` does this), " +
	"or point MFCONFORM_CHROMIUM at a Chrome/Chromium binary"

// candidates are tried in order after MFCONFORM_CHROMIUM. Debian's
// /usr/bin/chromium is a shell wrapper; the real binary is preferred.
var candidates = []string{
	"/usr/lib/chromium/chromium",
	"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome",
	"/usr/bin/chromium", "/snap/bin/chromium",
	"/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
}

// FindChromium returns the path of the browser binary to run: the value of
// MFCONFORM_CHROMIUM when set, else the first candidate found.
func FindChromium() (string, error) {
	if p := os.Getenv("MFCONFORM_CHROMIUM"); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			return "", fmt.Errorf("%w: MFCONFORM_CHROMIUM=%s is not an executable: %v; %s", ErrChromiumMissing, p, err, InstallHint)
		}
		return p, nil
	}
	for _, c := range candidates {
		if p, err := exec.LookPath(c); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: looked for %s; %s", ErrChromiumMissing, strings.Join(candidates, ", "), InstallHint)
}

// Options configure the browser of a run.
type Options struct {
	// ExecPath is the browser binary; FindChromium's answer when empty.
	ExecPath string
	// ResolverRules is the value of --host-resolver-rules.
	ResolverRules string
	// TrustSPKI lists base64(sha256(SPKI)) hashes of leaf certificates to
	// trust (--ignore-certificate-errors-spki-list).
	TrustSPKI []string
	// Dir is a folder owned by the caller; the profile, Chromium's own
	// temporary files and its HOME (with the XDG folders, homeDirs) live
	// below it, so removing it removes every trace.
	Dir string
	// StartTimeout bounds launching the browser.
	StartTimeout time.Duration
	// ProxyServer, when set, is the proxy URL. Chromium gets it as
	// --proxy-server without credentials; user:password@ in it is answered
	// to the proxy's challenge through CDP, so it never shows in ps.
	ProxyServer string
	// ShareSocket, when set, is the path of a Unix socket on which the
	// browser is served to the other mfconform processes of a batch
	// (Connect). Its folder must belong to this user with mode 0700; the
	// socket is made mode 0600 and admits only peers running as this user
	// (SO_PEERCRED). The browser itself never listens on a TCP port:
	// chromedp speaks to it over --remote-debugging-pipe, and a relay in
	// this process shares that pipe (see relay for who sees what).
	ShareSocket string
	// Egress, when set, is the only way the browser's connections leave
	// it (harness/egress): the browser's own proxy setting and every
	// session's browser context connect through a lane of it, loopback
	// and link-local addresses included, and it admits only the
	// deployment. ProxyServer must then be empty: the guard reaches the
	// operator's proxy itself (egress.Options.Upstream).
	Egress *egress.Guard
	// CAPEM, when set, is a private CA to trust (PEM, every CERTIFICATE
	// block counts): Launch builds an NSS database from it in Dir/home,
	// the browser's HOME (BuildNSSDB; needs certutil, see
	// ErrCertutilMissing), so pages served under that CA load as secure
	// without TrustSPKI.
	CAPEM []byte
}

// Browser is a running headless Chromium.
type Browser struct {
	// Version is the product string, e.g. "Chrome/156.0.8078.108".
	Version string
	// ExecPath is the binary that runs.
	ExecPath string

	opts          Options
	egress        *egress.Guard     // every session's way out; nil: Chromium connects itself
	launchLane    *egress.Lane      // the browser-wide proxy setting's lane
	proxyAuth     *proxyCredentials // answered through CDP, never on argv
	pipe          *pipeRelay        // set when Options.ShareSocket is
	group         *procGroup        // Chromium's process group, reaped by Close
	started       bool              // the browser answered; Close may ask it to quit
	shared        bool              // attached with Connect: Close only disconnects
	allocCancel   context.CancelFunc
	browserCtx    context.Context
	browserCancel context.CancelFunc
	closeOnce     sync.Once
	closeErr      error
	certs         certificateLog // the leaf certificates its sessions saw
}

// Launch starts Chromium with third-party cookies allowed in its profile (a
// session can restrict them again) and waits, at most StartTimeout, until it
// answers. The browser lives until Close; ctx only bounds the launch.
//
// Chromium gets a minimal environment (browserEnv): none of mfconform's
// secrets reach the process that renders the pages under test, and its
// HOME and XDG folders are the run's (homeDirs), never the operator's.
// Downloads are refused in every browser context (denyDownloads), and
// Chromium's own calls to Google are turned off (quiet.go). It runs in
// its sandbox unless mfconform runs as root (Chromium refuses to sandbox
// itself as root) or MFCONFORM_CHROMIUM_NO_SANDBOX=1 asks for none. A
// browser that cannot set its sandbox up fails to launch, at once, with
// ErrSandbox and what to do; Launch never falls back to running without a
// sandbox by itself. Site isolation is off (see the disable-features flag
// below for why).
func Launch(ctx context.Context, o Options) (*Browser, error) {
	if o.ExecPath == "" {
		p, err := FindChromium()
		if err != nil {
			return nil, err
		}
		o.ExecPath = p
	} else if _, err := exec.LookPath(o.ExecPath); err != nil {
		return nil, fmt.Errorf("%w: %s is not an executable: %v; %s", ErrChromiumMissing, o.ExecPath, err, InstallHint)
	}
	if o.Dir == "" {
		return nil, errors.New("browser: Options.Dir is required")
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 30 * time.Second
	}
	// Short names: Chromium's singleton socket path must fit in 108 bytes.
	profile := filepath.Join(o.Dir, "p")
	tmp := filepath.Join(o.Dir, "t")
	for _, d := range []string{filepath.Join(profile, "Default"), tmp} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("browser: prepare profile: %w", err)
		}
	}
	// Third-party cookies are blocked by default in this Chromium build;
	// the profile preference is the one switch that unblocks them. WebRTC
	// may use no UDP that does not go through the proxy: a page's
	// RTCPeerConnection would otherwise send STUN packets to any address
	// it names, past the egress guard (disable_non_proxied_udp, the
	// webrtc.ip_handling_policy preference; measured: none arrive).
	prefs := `{"profile":{"cookie_controls_mode":0},"webrtc":{"ip_handling_policy":"disable_non_proxied_udp"}}`
	if err := os.WriteFile(filepath.Join(profile, "Default", "Preferences"), []byte(prefs), 0o600); err != nil {
		return nil, fmt.Errorf("browser: write profile preferences: %w", err)
	}
	// Chromium's HOME and its XDG folders are the run's own: left to the
	// operator's, it writes there (~/.config/chromium/Crash Reports,
	// ~/.cache/dconf, ~/Downloads, ~/.pki/nssdb). A database left by an
	// earlier launch in the same Dir is replaced: Dir belongs to the caller
	// and home below it to us.
	home := filepath.Join(o.Dir, "home")
	if err := os.RemoveAll(nssDBDir(home)); err != nil {
		return nil, fmt.Errorf("browser: remove the previous NSS database: %w", err)
	}
	envSet := []string{"TMPDIR=" + tmp}
	for _, d := range homeDirs(home) {
		if err := os.MkdirAll(d.path, 0o700); err != nil {
			return nil, fmt.Errorf("browser: prepare Chromium's home: %w", err)
		}
		envSet = append(envSet, d.name+"="+d.path)
	}
	if len(o.CAPEM) > 0 {
		// Chromium on Linux reads its NSS database from $HOME/.pki/nssdb.
		if err := BuildNSSDB(home, o.CAPEM); err != nil {
			return nil, fmt.Errorf("browser: trust Options.CAPEM: %w", err)
		}
	}

	var pipe *pipeRelay
	group := &procGroup{}
	if o.ShareSocket != "" {
		pipe = &pipeRelay{}
	}
	flags := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(o.ExecPath),
		chromedp.UserDataDir(profile),
		// false keeps chromedp from adding --no-sandbox by itself.
		chromedp.Flag("no-sandbox", noSandbox()),
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("host-resolver-rules", o.ResolverRules),
		// Site isolation stays off: a cross-site iframe then lives in the
		// page's renderer, and the cookie verdicts of its document request
		// (Network.requestWillBeSentExtraInfo) reach the page's session on
		// every load (TestCrossSiteIframeVerdicts). With it on (Chromium
		// 156), 2-6 % of loads never delivered that verdict to the page's
		// session whenever target discovery (on the browser, as chromedp's
		// first context and the relay do, or on the page, as chromedp's
		// tabs do) or plain auto-attach was on. Only attaching the iframe
		// paused, enabling Network on its own session and then resuming it
		// got every verdict (730 of 730), and chromedp cannot command such
		// a session. TestSiteIsolationProbe measures all of it. Cookie
		// policy is decided in the network service either way.
		//
		// WebUIOmniboxPopup (on by default in recent Chromium) gives every
		// window — each session's browser context opens one — a hidden
		// chrome://omnibox-popup.top-chrome page, and WebUIOmniboxAimPopup
		// its AI-mode variant, in a "--top-chrome-webui" renderer.
		// Headless, each kept a core about a third busy for as long as its
		// window lived: with three idle sessions Chromium used 4.0 CPU-s
		// every 2 s, 0.11 without, and the default run took a third less
		// time without them (TestNoHiddenBrowserUI, make bench). Browser
		// UI only: pages and cookies never see it.
		//
		// quietFeatures keep Chromium's own services from calling Google
		// (quiet.go). OptimizationGuideOnDeviceModel (on by default on
		// Linux) and LogOnDeviceMetricsOnStartup let Chromium start an
		// on-device model service process three minutes after launch to
		// estimate the machine's "performance class" for on-device AI
		// (components/optimization_guide: PerformanceClassifier::
		// ScheduleEvaluation, GetOnDeviceStartupMetricDelay). In a browser
		// that lives for hours (mfconform exporter) it showed up as one
		// more process, ~45 MB, three minutes in (TestExporterSoak). With
		// the features off Chromium 156 still started it; a performance
		// class given on the command line (--optimization-guide-
		// performance-class, performance_class.cc; 1 is "error": no
		// on-device model) marks the evaluation done. Browser internals
		// only: pages never see either.
		//
		// This flag replaces chromedp's default list, which it repeats.
		chromedp.Flag("disable-features", strings.Join(append([]string{
			"Translate", "BlinkGenPropertyTrees", "IsolateOrigins", "site-per-process", "WebUIOmniboxPopup", "WebUIOmniboxAimPopup",
			"OptimizationGuideOnDeviceModel", "LogOnDeviceMetricsOnStartup",
		}, quietFeatures...), ",")),
		chromedp.Flag("disable-site-isolation-trials", true),
		chromedp.Flag("optimization-guide-performance-class", "1"),
		// One renderer process per browser context where Chromium can
		// (a soft limit; processes are never shared between contexts, so
		// sessions stay apart): a navigation to another site then reuses
		// the tab's renderer instead of starting one, which took about 8 %
		// of the default run on two cores (10 renderers → 8, make bench).
		// Where a page runs does not change the cookie rules: Chromium
		// decides them in the network service, per request, from the
		// request's URL, initiator and site for cookies.
		chromedp.Flag("renderer-process-limit", "1"),
		chromedp.NoInheritEnv,
		chromedp.Env(browserEnv(os.Environ(), envSet...)...),
		chromedp.ModifyCmdFunc(func(cmd *exec.Cmd) {
			if cmd.SysProcAttr == nil {
				cmd.SysProcAttr = &syscall.SysProcAttr{}
			}
			// Own process group: a Ctrl-C to the terminal reaches
			// mfconform, which closes the browser gracefully, and not
			// Chromium directly. This func replaces chromedp's, which
			// set the parent-death signal: set it again.
			cmd.SysProcAttr.Setpgid = true
			setPdeathsig(cmd.SysProcAttr)
			group.set(cmd)
			if pipe != nil {
				pipe.modifyCmd(cmd)
			}
		}),
	)
	flags = append(flags, quietFlags...)
	if len(o.TrustSPKI) > 0 {
		flags = append(flags, chromedp.Flag("ignore-certificate-errors-spki-list", strings.Join(o.TrustSPKI, ",")))
	}
	var proxyAuth *proxyCredentials
	var launchLane *egress.Lane
	switch {
	case o.Egress != nil && o.ProxyServer != "":
		return nil, errors.New("browser: Options.ProxyServer and Options.Egress: the egress guard reaches the proxy itself")
	case o.Egress != nil:
		// Chromium's own connections and those of its default browser
		// context go through the guard too; each session's context gets
		// a lane of its own (NewSession).
		l, err := o.Egress.Lane("browser")
		if err != nil {
			return nil, fmt.Errorf("browser: %w", err)
		}
		launchLane = l
		flags = append(flags, chromedp.ProxyServer(l.ProxyURL()), chromedp.Flag("proxy-bypass-list", egress.BypassList))
	case o.ProxyServer != "":
		server, creds, err := splitProxy(o.ProxyServer)
		if err != nil {
			return nil, err
		}
		proxyAuth = creds
		flags = append(flags, chromedp.ProxyServer(server))
	}

	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), flags...)
	browserCtx, browserCancel := chromedp.NewContext(allocCtx)
	b := &Browser{ExecPath: o.ExecPath, opts: o, egress: o.Egress, launchLane: launchLane, proxyAuth: proxyAuth, pipe: pipe, group: group, allocCancel: allocCancel, browserCtx: browserCtx, browserCancel: browserCancel}

	sctx, cancel := context.WithTimeout(ctx, o.StartTimeout)
	err := firstDo(sctx, browserCtx)
	cancel()
	var rl *relay
	if err == nil && pipe != nil {
		rl, err = pipe.result()
	}
	switch {
	case err == nil:
	case ctx.Err() != nil:
		b.Close()
		return nil, fmt.Errorf("browser: start interrupted: %w", ctx.Err())
	case errors.Is(err, context.DeadlineExceeded):
		b.Close()
		return nil, fmt.Errorf("browser: %s did not start within %s", o.ExecPath, o.StartTimeout)
	case sandboxFailure(err):
		b.Close()
		return nil, fmt.Errorf("%w: %s: %s\n%w", ErrSandbox, o.ExecPath, SandboxHint, err)
	default:
		b.Close()
		return nil, fmt.Errorf("browser: start %s: %w", o.ExecPath, err)
	}

	b.started = true
	// The default browser context holds chromedp's first tab; sessions
	// refuse downloads in their own contexts (NewSession).
	dctx, dcancel := context.WithTimeout(ctx, o.StartTimeout)
	err = denyDownloads(dctx, browserCtx)
	dcancel()
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("browser: %w", err)
	}
	if rl != nil {
		if err := rl.listen(o.ShareSocket); err != nil {
			b.Close()
			return nil, fmt.Errorf("browser: share: %w", err)
		}
	}
	b.readVersion()
	return b, nil
}

// Close shuts the browser down gracefully (so Chromium removes its own
// temporary files), bounded by a few seconds, then kills whatever is left.
// It is safe to call twice, and from two goroutines at once: every call
// returns once the browser is closed, with the first call's error.
func (b *Browser) Close() error {
	if b == nil {
		return nil
	}
	b.closeOnce.Do(func() { b.closeErr = b.shutdown() })
	return b.closeErr
}

// shutdown is Close, run once.
func (b *Browser) shutdown() error {
	if b.browserCancel == nil {
		return nil
	}
	if b.pipe != nil {
		// No new clients while the browser closes.
		b.pipe.stopListening()
	}
	var err error
	if b.started && !b.shared {
		// chromedp.Cancel waits for the browser process; only a browser
		// that started has one to wait for.
		cctx, cancel := context.WithTimeout(b.browserCtx, 3*time.Second)
		err = chromedp.Cancel(cctx)
		cancel()
	}
	b.browserCancel()
	b.allocCancel()
	// Wait until the process has exited and chromedp has cleaned up, so no
	// Chromium writes into a folder the caller removes next.
	if c := chromedp.FromContext(b.browserCtx); c != nil && c.Allocator != nil && !b.shared {
		c.Allocator.Wait()
	}
	// Its helper processes follow moments later; Close returns once they
	// have, so a run that ends next leaves no Chromium behind.
	if b.group != nil && !b.shared && !b.group.reap() && err == nil {
		err = fmt.Errorf("Chromium's helper processes did not exit within %s of the browser", groupReapTimeout)
	}
	if b.pipe != nil {
		// The browser is gone (or killed): this ends the relay's clients
		// and goroutines.
		if rerr := b.pipe.Close(); rerr != nil && err == nil {
			err = rerr
		}
	}
	b.browserCancel = nil
	if b.launchLane != nil {
		_ = b.launchLane.Close()
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("browser: close: %w", err)
	}
	return nil
}

// firstDo runs the first Do on a chromedp context, bounded by ctx. That
// first Do binds the context's life (the browser's or the tab's) to the
// context it is given, so it gets the chromedp context itself, without a
// deadline, and the bound is kept from outside.
func firstDo(ctx, cctx context.Context) error {
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(cctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// readVersion fills Version from the browser, best effort.
func (b *Browser) readVersion() {
	vctx, cancel := context.WithTimeout(b.browserCtx, 5*time.Second)
	defer cancel()
	if v, err := chromedp.CallBrowser(vctx, browser.GetVersion, cdp.Empty{}); err == nil {
		b.Version = v.Product
	}
}
