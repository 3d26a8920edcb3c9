package runner

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo DSL
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/harness/clientsite"
	"github.com/mfconform/mfconform/harness/hostmap"
	"github.com/mfconform/mfconform/harness/pki"
	"github.com/mfconform/mfconform/harness/reference"
	"github.com/mfconform/mfconform/harness/supabaseref"
	"github.com/mfconform/mfconform/reports"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/redact"

	_ "github.com/mfconform/mfconform/suites/jwt"      // JWT-mode specs
	_ "github.com/mfconform/mfconform/suites/supabase" // Supabase-mode specs
)

// ErrSetup wraps every failure to prepare the environment (exit code 3).
var ErrSetup = errors.New("setup failed")

// suiteName is the Ginkgo suite description.
const suiteName = "mfconform"

// Run runs the configured suites once and returns the report, which it has
// also written to cfg.ReportDir. The error is non-nil only when the run
// could not happen (configuration, setup) or the reports could not be
// written; failing specs are in the report, not in the error.
func Run(ctx context.Context, cfg Config) (*reports.Report, error) {
	out := cfg.Stdout
	if out == nil {
		out = io.Discard
	}
	rep := &reports.Report{
		SchemaVersion: reports.SchemaVersion, Tool: "mfconform", Version: cfg.Version,
		StartedAt: time.Now(), Modes: []string{cfg.Mode}, PhasesMS: map[string]float64{},
		ConfigFingerprint: cfg.Fingerprint(),
	}
	// Every outcome, errors included, leaves a report behind when there
	// is a report directory to write it to.
	finish := func(err error) (*reports.Report, error) {
		rep.FinishedAt = time.Now()
		if err != nil && rep.SetupError == "" {
			rep.SetupError = err.Error()
		}
		reports.ApplyWaivers(rep, cfg.Waivers, rep.StartedAt)
		rep.Summarize()
		if cfg.ReportDir == "" {
			return rep, err
		}
		if werr := reports.WriteAll(cfg.ReportDir, rep); werr != nil {
			return rep, errors.Join(err, werr)
		}
		return rep, err
	}
	if err := cfg.Validate(); err != nil {
		return finish(err)
	}
	chosen := selected(cfg)
	if len(chosen) == 0 {
		return finish(fmt.Errorf("%w: the label filter %q selects no spec (`mfconform specs` lists the labels)", ErrConfig, cfg.LabelFilter))
	}

	dir, err := runDir()
	if err != nil {
		return finish(fmt.Errorf("%w: create a temporary folder: %v", ErrSetup, err))
	}
	defer os.RemoveAll(dir)

	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	e, closeEnv, err := setup(runCtx, cfg, dir, rep)
	// Registered first, so it runs after cancelRun: evidence gathers stop
	// before the browser and servers go away.
	defer closeEnv()
	if err != nil {
		cancelRun()
		return finish(err)
	}
	env.Set(e)
	defer env.Set(nil)

	specsStart := time.Now()
	gr := runSpecs(cfg, out, filepath.Join(cfg.ReportDir, "ginkgo.log"), func(sp reports.Spec) reports.Spec {
		one := &reports.Report{Specs: []reports.Spec{sp}}
		reports.ApplyWaivers(one, cfg.Waivers, rep.StartedAt)
		return one.Specs[0]
	})
	rep.PhasesMS["specs"] = msSince(specsStart)
	for name, d := range e.Phases() {
		rep.PhasesMS[name] = float64(d.Microseconds()) / 1000
	}
	// The report lists the specs this run selected; the others were never
	// part of it.
	for _, sp := range reports.FromGinkgo(gr) {
		if slices.Contains(chosen, sp.ID) {
			rep.Specs = append(rep.Specs, sp)
		}
	}
	cancelRun()
	_, err = finish(nil)
	reports.PrintSummary(out, rep)
	return rep, err
}

// ReportError writes the report of a run that could not start (an invalid
// configuration noticed before Run) and returns it with err.
func ReportError(cfg Config, err error) (*reports.Report, error) {
	now := time.Now()
	rep := &reports.Report{
		SchemaVersion: reports.SchemaVersion, Tool: "mfconform", Version: cfg.Version,
		StartedAt: now, FinishedAt: now, Modes: []string{cfg.Mode}, SetupError: err.Error(),
	}
	rep.Summarize()
	if cfg.ReportDir != "" {
		if werr := reports.WriteAll(cfg.ReportDir, rep); werr != nil {
			return rep, errors.Join(err, werr)
		}
	}
	return rep, err
}

// setup starts, concurrently, what the selected modes need (the JWT
// reference deployment, the reference Supabase project and the client site)
// and Chromium, and returns the environment with one function that closes
// everything in reverse order.
func setup(ctx context.Context, cfg Config, dir string, rep *reports.Report) (*env.Env, func(), error) {
	var (
		mu       sync.Mutex
		cleanups []func()
	)
	closeAll := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	onClose := func(f func()) {
		mu.Lock()
		defer mu.Unlock()
		cleanups = append(cleanups, f)
	}
	fail := func(err error) (*env.Env, func(), error) { return nil, closeAll, fmt.Errorf("%w: %w", ErrSetup, err) }

	execPath := cfg.ChromiumPath
	if execPath == "" && cfg.SharedBrowser == "" {
		p, err := browser.FindChromium()
		if err != nil {
			return fail(err)
		}
		execPath = p
	}
	var bundle *clientsite.Bundle
	if cfg.Runs(ModeSupabase) {
		b, err := clientsite.FindBundle()
		if err != nil {
			return fail(err)
		}
		bundle = b
	}

	// Every name the run serves, mapped to loopback for Chromium and for
	// the Go clients alike, on one per-run certificate.
	var hosts []string
	var appHost string // the reference verifier's host in a backend-only run
	switch {
	case cfg.Runs(ModeJWT) && cfg.JWT.Targeted():
		hosts = append(hosts, EmbedHost)
		if cfg.JWT.Reference() {
			h, err := cfg.ReferenceAppHost()
			if err != nil {
				return fail(err)
			}
			appHost = h
			hosts = append(hosts, appHost)
		}
	case cfg.Runs(ModeJWT):
		p := cfg.Reference
		hosts = append(hosts, p.Hosts.Login, p.Hosts.App, p.Hosts.Embed)
	}
	if cfg.Runs(ModeSupabase) {
		hosts = append(hosts, cfg.AppHost)
		if cfg.SupabaseTarget == nil {
			hosts = append(hosts, cfg.SupabaseReference.Host())
		}
	}
	hosts = slices.Compact(slices.Sorted(slices.Values(hosts)))
	caStart := time.Now()
	var ca *pki.Authority
	var err error
	if cfg.SharedCA != nil {
		ca, err = cfg.SharedCA.Issue(hosts)
	} else {
		ca, err = pki.New(hosts)
	}
	if err != nil {
		return fail(err)
	}
	var hm hostmap.Map
	for _, r := range cfg.Network.Resolve {
		h, a, _ := strings.Cut(r, "=")
		if err := hm.Add(h, a); err != nil {
			return fail(err)
		}
	}
	for _, h := range hosts {
		if err := hm.Add(h, "127.0.0.1"); err != nil {
			return fail(err)
		}
	}
	var privateCA []byte
	if cfg.Network.CAFile != "" {
		b, err := os.ReadFile(cfg.Network.CAFile)
		if err != nil {
			return fail(fmt.Errorf("--ca-file: %w", err))
		}
		privateCA = b
	}
	rep.PhasesMS["certificates"] = msSince(caStart)

	client, err := httpClient(&hm, ca, privateCA, cfg.Network, cfg.Timeouts.Probe)
	if err != nil {
		return fail(err)
	}
	e := &env.Env{
		Ctx: ctx, Thresholds: cfg.Thresholds, Timeouts: cfg.Timeouts.Timeouts, Now: time.Now,
		BlockThirdPartyCookies: cfg.BlockThirdPartyCookies,
		HTTP:                   client,
	}
	secret := cfg.Secret
	if cfg.JWT.Targeted() {
		t, s, err := cfg.jwtTarget(os.Getenv)
		if err != nil {
			return fail(err)
		}
		e.Target, secret = t, s
	} else if secret == nil {
		secret = newSecret()
	}

	var (
		wg   sync.WaitGroup
		errs = make([]error, 4)
	)
	phase := func(name string, start time.Time) {
		mu.Lock()
		defer mu.Unlock()
		rep.PhasesMS[name] = msSince(start)
	}
	if cfg.Runs(ModeJWT) && cfg.JWT.Targeted() {
		wg.Go(func() {
			t := time.Now()
			defer phase("reference_start", t)
			embed, err := reference.StartEmbedSite(EmbedHost, ca)
			if err != nil {
				errs[0] = err
				return
			}
			onClose(func() { _ = embed.Close() })
			e.Target.EmbedURL = embed.URL
			if appHost != "" {
				app, err := reference.StartApp(appHost, reference.AppProfile{}, secret, EmbedHost, ca)
				if err != nil {
					errs[0] = err
					return
				}
				onClose(func() { _ = app.Close() })
				e.Target.AppURL = app.URL
			}
		})
	} else if cfg.Runs(ModeJWT) {
		wg.Go(func() {
			t := time.Now()
			defer phase("reference_start", t)
			dep, err := reference.Start(cfg.Reference, secret, ca)
			if err != nil {
				errs[0] = err
				return
			}
			onClose(func() { _ = dep.Close() })
			e.Target = env.Target{
				LoginURL: dep.LoginURL, AppURL: dep.AppURL, ProbePath: "/api/me", EmbedURL: dep.EmbedURL, Secret: secret,
				LoginMethod: "GET", AuthenticatedStatus: 200, UserIDField: "user_id",
			}
		})
	}
	if cfg.Runs(ModeSupabase) {
		wg.Go(func() {
			t := time.Now()
			defer phase("supabase_reference_start", t)
			target := cfg.SupabaseTarget
			if target == nil {
				dep, err := supabaseref.Start(cfg.SupabaseReference, ca)
				if err != nil {
					errs[1] = err
					return
				}
				onClose(func() { _ = dep.Close() })
				target = &env.SupabaseTarget{URL: dep.URL, Key: dep.Key, Email: dep.Email, Password: dep.Password, JWTSecret: dep.JWTSecret}
			}
			site, err := clientsite.Start(cfg.AppHost, bundle, ca)
			if err != nil {
				errs[2] = err
				return
			}
			onClose(func() { _ = site.Close() })
			t2 := *target
			t2.ClientURL = site.URL
			e.Supabase = &t2
		})
	}
	wg.Go(func() {
		t := time.Now()
		name := "browser_start"
		if cfg.SharedBrowser != "" {
			name = "browser_connect"
		}
		defer phase(name, t)
		bctx, cancel := context.WithTimeout(ctx, cfg.Timeouts.BrowserStart)
		defer cancel()
		launch := browser.Launch
		if cfg.SharedBrowser != "" {
			launch = func(ctx context.Context, _ browser.Options) (*browser.Browser, error) {
				return browser.Connect(ctx, cfg.SharedBrowser)
			}
		}
		br, err := launch(bctx, browser.Options{
			ExecPath: execPath, ResolverRules: hm.ChromiumRules(), TrustSPKI: []string{ca.LeafSPKIHash},
			Dir: filepath.Join(dir, "c"), StartTimeout: cfg.Timeouts.BrowserStart,
			CAPEM: privateCA, ProxyServer: cfg.Network.Proxy,
		})
		if err != nil {
			errs[3] = err
			return
		}
		onClose(func() { _ = br.Close() })
		e.Browser = br
		rep.Chromium = br.Version
	})
	wg.Wait()
	// Runs first: the Go client's idle HTTP/2 connections would otherwise
	// hold the servers' graceful shutdown (the browser's go with it).
	onClose(client.CloseIdleConnections)
	if err := errors.Join(errs...); err != nil {
		return fail(err)
	}
	rep.Target = describeTarget(cfg, e, secret)
	e.Target.Description = rep.Target.Description
	return e, closeAll, nil
}

// describeTarget says what the run checks, without secrets.
func describeTarget(cfg Config, e *env.Env, secret []byte) reports.Target {
	t := reports.Target{Fixture: cfg.FixtureName}
	var parts []string
	if cfg.Runs(ModeJWT) && cfg.JWT.Targeted() {
		app := e.Target.AppURL
		if cfg.JWT.Reference() {
			app = "the reference app at " + app
		}
		parts = append(parts, fmt.Sprintf("JWT deployment (login %s, app %s)", orNone(e.Target.LoginURL), orNone(app)))
	}
	if cfg.Runs(ModeSupabase) && cfg.SupabaseTarget != nil {
		parts = append(parts, "Supabase project "+cfg.SupabaseTarget.URL)
	}
	what := strings.Join(parts, "; ")
	if what == "" || len(parts) == 1 && cfg.Mode == ModeAll {
		ref := "embedded reference deployment"
		if cfg.FixtureName != "" {
			ref += ", fixture " + cfg.FixtureName
		} else {
			ref += " (documented setup)"
		}
		what = strings.Join(append(parts, ref), "; ")
	}
	t.Description = what
	if cfg.Runs(ModeJWT) {
		t.LoginURL, t.AppURL, t.EmbedURL = e.Target.LoginURL, e.Target.AppURL, e.Target.EmbedURL
		t.SecretFingerprint = redact.Fingerprint(secret)
	}
	if e.Supabase != nil {
		t.SupabaseURL = e.Supabase.URL
		t.SupabaseKey = redact.Fingerprint([]byte(e.Supabase.Key))
	}
	return t
}

// httpClient is the Go client for browserless checks: it dials through the
// host map (retrying refused connections a bounded number of times), trusts
// the run's CA and the operator's private CA besides the system's, goes
// through the operator's proxy, and bounds every request.
func httpClient(hm *hostmap.Map, ca *pki.Authority, privateCA []byte, n NetworkConfig, timeout time.Duration) (*http.Client, error) {
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	roots.AppendCertsFromPEM(ca.CertPEM)
	if len(privateCA) > 0 && !roots.AppendCertsFromPEM(privateCA) {
		return nil, fmt.Errorf("--ca-file: no PEM certificate in the file")
	}
	tr := &http.Transport{
		DialContext:         retryDial(hm.DialContext, n.ConnectRetries),
		TLSClientConfig:     &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:   true,
		TLSHandshakeTimeout: timeout,
		MaxIdleConnsPerHost: 4,
	}
	if n.Proxy != "" {
		u, err := url.Parse(n.Proxy)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("--proxy %q: want a URL such as http://proxy.internal:3128", n.Proxy)
		}
		tr.Proxy = http.ProxyURL(u)
	}
	return &http.Client{
		Timeout:       timeout,
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, nil
}

// retryDial retries a failed connection attempt up to retries times with a
// short pause; the context bounds it all. Only connecting is retried.
func retryDial(dial func(context.Context, string, string) (net.Conn, error), retries int) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		var err error
		for i := 0; i <= retries; i++ {
			var c net.Conn
			if c, err = dial(ctx, network, addr); err == nil {
				return c, nil
			}
			select {
			case <-ctx.Done():
				return nil, err
			case <-time.After(time.Duration(i+1) * 100 * time.Millisecond):
			}
		}
		return nil, err
	}
}

// runSpecs runs Ginkgo once with the run's filter, printing each spec as it
// finishes, and returns Ginkgo's report. Ginkgo's own console output goes
// to logPath.
func runSpecs(cfg Config, out io.Writer, logPath string, waive func(reports.Spec) reports.Spec) types.Report {
	var gr types.Report
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err == nil {
		if f, err := os.Create(logPath); err == nil {
			defer f.Close()
			formatter.ColorableStdOut = f
		}
	}
	ReportAfterEach(func(r SpecReport) {
		if r.LeafNodeType == types.NodeTypeIt && r.State != types.SpecStateSkipped || r.Failure.Message != "" {
			reports.PrintSpec(out, waive(reports.FromSpecReport(r)))
		}
	})
	ReportAfterSuite("mfconform report", func(r Report) { gr = r })

	gomega.RegisterFailHandler(Fail)
	sc, rc := GinkgoConfiguration()
	sc.LabelFilter = cfg.labelFilter()
	sc.FocusStrings = cfg.Focus
	sc.RandomSeed = 1
	sc.Timeout = cfg.Timeouts.Suite
	sc.GracePeriod = cfg.Timeouts.Shutdown
	rc.NoColor = true
	RunSpecs(failer{}, suiteName, sc, rc)
	// Ginkgo keeps its interrupt handler installed after the run.
	signal.Reset(os.Interrupt, syscall.SIGTERM)
	return gr
}

// failer satisfies GinkgoTestingT; the verdict comes from the report.
type failer struct{}

func (failer) Fail() {}

// maxRunDirLen keeps Chromium's Unix socket paths (run dir + ~50 bytes)
// under the 108-byte limit.
const maxRunDirLen = 48

// runDir creates the run's temporary folder.
func runDir() (string, error) { return TempDir("mfc-") }

// TempDir creates a temporary folder for a run or a batch under TMPDIR, or
// under /tmp when TMPDIR's path is too long for Chromium's sockets.
func TempDir(prefix string) (string, error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil || len(dir) <= maxRunDirLen {
		return dir, err
	}
	os.RemoveAll(dir)
	return os.MkdirTemp("/tmp", prefix)
}

func newSecret() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return []byte(base64.RawURLEncoding.EncodeToString(b))
}

func msSince(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
