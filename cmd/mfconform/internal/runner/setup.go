package runner

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/harness/deployment"
	"github.com/mfconform/mfconform/harness/egress"
	"github.com/mfconform/mfconform/harness/hostmap"
	"github.com/mfconform/mfconform/harness/pki"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	"github.com/mfconform/mfconform/suites/redact"
	"github.com/mfconform/mfconform/suites/result"
)

// setup starts what the selected modes need — the servers of the run's
// deployment plan (harness/deployment) and Chromium — concurrently, and
// returns the environment the evidence gathers use, with the run's
// redaction set known. Every resource is handed to cleanup as soon as it
// exists; cleanups run in reverse order of registration, so the Go
// client's idle connections close first, then the browser, then the
// servers.
func setup(ctx context.Context, cfg Config, dir string, known *redact.Set, rep *result.Report, cleanup func(func())) (*env.Env, error) {
	execPath, err := chromiumPath(cfg)
	if err != nil {
		return nil, err
	}
	plan, err := cfg.Plan()
	if err != nil {
		return nil, err
	}
	caStart := time.Now()
	ca, err := certificates(cfg, plan.Names())
	if err != nil {
		return nil, err
	}
	hm, err := plan.HostMap(cfg.Network.Resolve)
	if err != nil {
		return nil, err
	}
	privateCA, err := readPrivateCA(cfg)
	if err != nil {
		return nil, err
	}
	rep.PhasesMS["certificates"] = msSince(caStart)
	client, err := httpClient(hm, ca, privateCA, cfg.Network, cfg.Timeouts.Probe)
	if err != nil {
		return nil, err
	}
	guard, err := egressGuard(cfg, plan, hm)
	if err != nil {
		return nil, err
	}
	// Registered first, so it closes last: after the browser whose
	// connections it carries.
	cleanup(func() { _ = guard.Close() })
	e := &env.Env{
		Thresholds: cfg.Thresholds, Timeouts: cfg.Timeouts.Timeouts, Now: time.Now,
		BlockThirdPartyCookies: cfg.BlockThirdPartyCookies, HTTP: client, Egress: guard, Known: known,
	}

	var (
		servers *deployment.Servers
		br      *browser.Browser
		errs    = make([]error, 2)
		wg      sync.WaitGroup
		browsed float64
	)
	wg.Go(func() {
		servers, errs[0] = plan.Start(deployment.Env{CA: ca, Client: client, Timeout: cfg.Timeouts.Probe})
		if servers != nil {
			// The servers' own ports, now that they listen: the browser
			// opens no session before setup returns.
			guard.Admit(egress.Policy{Endpoints: servers.Endpoints()})
		}
	})
	wg.Go(func() {
		start := time.Now()
		br, errs[1] = startBrowser(ctx, cfg, execPath, hm, ca, privateCA, dir, guard)
		browsed = msSince(start)
	})
	wg.Wait()
	if servers != nil {
		cleanup(func() { _ = servers.Close() })
		for side, phase := range map[string]string{deployment.SideJWT: "reference_start", deployment.SideSupabase: "supabase_reference_start"} {
			if d, ok := servers.Took[side]; ok {
				rep.PhasesMS[phase] = float64(d.Microseconds()) / 1000
			}
		}
	}
	phase := "browser_start"
	if cfg.SharedBrowser != "" {
		phase = "browser_connect"
	}
	rep.PhasesMS[phase] = browsed
	if br != nil {
		cleanup(func() { _ = br.Close() })
		e.Browser, rep.Chromium = br, br.Version
	}
	// Runs first: the Go client's idle HTTP/2 connections would otherwise
	// hold the servers' graceful shutdown.
	cleanup(client.CloseIdleConnections)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	wireJWT(cfg, e, servers)
	wireSupabase(cfg, plan, e, servers)
	e.Target.Hosts = hm
	rep.Target = describeTarget(cfg, e)
	e.Target.Description = rep.Target.Description
	return e, nil
}

// chromiumPath finds the browser binary, unless the run attaches to a
// shared browser.
func chromiumPath(cfg Config) (string, error) {
	if cfg.ChromiumPath != "" || cfg.SharedBrowser != "" {
		return cfg.ChromiumPath, nil
	}
	return browser.FindChromium()
}

// certificates issues the run's leaf certificate for hosts: from the
// batch's shared CA when the run is part of one, else from a CA made for
// this run alone. Either CA may vouch only for the names it serves.
func certificates(cfg Config, hosts []string) (*pki.Authority, error) {
	if cfg.SharedCA != nil {
		return cfg.SharedCA.Issue(hosts)
	}
	return pki.New(hosts)
}

// readPrivateCA reads the operator's --ca-file (Validate checked it) and,
// in a batch, adds the private CAs the shared browser trusts for this run
// (SharedPrivateCA: the batch's --ca-file too), so the Go client trusts
// what the browser trusts.
func readPrivateCA(cfg Config) ([]byte, error) {
	var b []byte
	if cfg.Network.CAFile != "" {
		own, err := loadCAFile(cfg.Network.CAFile)
		if err != nil {
			return nil, fmt.Errorf("--ca-file %w", err)
		}
		b = own
	}
	if len(cfg.SharedPrivateCA) > 0 {
		b = append(append(b, '\n'), cfg.SharedPrivateCA...)
	}
	return b, nil
}

// wireJWT points JWT mode at what it checks: the reference deployment, or
// the operator's deployment with mfconform's embed site and, for a
// backend-only run, the reference app.
func wireJWT(cfg Config, e *env.Env, s *deployment.Servers) {
	if !cfg.Runs(ModeJWT) {
		return
	}
	if dep := s.JWT; dep != nil {
		e.Target = env.Target{
			LoginURL: dep.LoginURL, AppURL: dep.AppURL, ProbePath: "/api/me", EmbedURL: dep.EmbedURL, Secret: dep.Secret,
			LoginMethod: "GET", AuthenticatedStatus: 200, UserIDField: "user_id", BeforeLogin: dep.BeforeLogin,
			BackendStack: cfg.JWT.BackendStack, AppStack: cfg.JWT.AppStack,
		}
		// Checked when the configuration was read.
		e.Target.BackendZone, _ = jwtcheck.ParseZone(cfg.JWT.BackendTimezone)
		return
	}
	e.Target = cfg.jwtTarget
	e.Target.EmbedURL = s.EmbedURL()
	if u := s.ReferenceAppURL(); u != "" {
		e.Target.AppURL = u
	}
}

// wireSupabase points Supabase mode at the project (the reference one, or
// the operator's) and at mfconform's pages: the client site, the
// server-side stand-in and, for an embedded app, the embed site.
func wireSupabase(cfg Config, plan deployment.Plan, e *env.Env, s *deployment.Servers) {
	if !cfg.Runs(ModeSupabase) {
		return
	}
	target := cfg.SupabaseTarget
	if dep := s.Project; target == nil && dep != nil {
		target = &env.SupabaseTarget{URL: dep.URL, Key: dep.Key, Email: dep.Email, Password: dep.Password, JWTSecret: dep.JWTSecret, Reference: true}
	}
	t := *target
	e.Supabase = &t
	t.AppURL, t.LoginScript, t.LogoutScript = cfg.appOrigin, cfg.sbLogin, cfg.sbLogout
	t.ServerHost, t.SessionHosts, t.Embedded = plan.Supabase.ServerHost(), cfg.SessionHosts(), cfg.SupabaseEmbedded()
	if t.Embedded {
		t.EmbedURL = s.EmbedURL()
	}
	t.ServerURL = s.ServerURL()
	if cfg.Supabase.ServerCheck.URL != "" {
		t.ServerCheck = cfg.Supabase.ServerCheck
	}
	t.EmbedPage = cfg.Supabase.EmbedURL
	t.ClientURL, t.ClientErr, t.CookieClientErr = s.ClientURL(), s.ClientErr, s.AppErr
}

// egressGuard is the run's egress guard (harness/egress): the browser
// connects only through it, to the deployment the plan serves and the
// operator named (the servers' endpoints are added once they listen),
// resolving names through the run's host map and reaching the rest
// through the operator's --proxy when there is one.
func egressGuard(cfg Config, plan deployment.Plan, hm *hostmap.Map) (*egress.Guard, error) {
	pol := plan.Egress(cfg.Reached(), cfg.Network.Resolve, cfg.Network.AllowHosts)
	g, err := egress.Start(egress.Options{Policy: pol, Map: hm, Upstream: cfg.Network.Proxy, ConnectTimeout: cfg.Timeouts.Probe})
	if err != nil {
		return nil, fmt.Errorf("--proxy %q: %w", redactURL(cfg.Network.Proxy), err)
	}
	return g, nil
}

// startBrowser launches Chromium for the run, or attaches to the batch's
// shared one; either way every session connects through guard. The
// launch is bounded; the browser lives until closed. The operator's
// --proxy is the guard's upstream: Chromium never talks to it, so its
// credentials stay in this process.
func startBrowser(ctx context.Context, cfg Config, execPath string, hm *hostmap.Map, ca *pki.Authority, privateCA []byte, dir string, guard *egress.Guard) (*browser.Browser, error) {
	bctx, cancel := context.WithTimeout(ctx, cfg.Timeouts.BrowserStart)
	defer cancel()
	if cfg.SharedBrowser != "" {
		return browser.Connect(bctx, cfg.SharedBrowser, guard)
	}
	return browser.Launch(bctx, browser.Options{
		ExecPath: execPath, ResolverRules: hm.ChromiumRules(), TrustSPKI: []string{ca.LeafSPKIHash},
		Dir: filepath.Join(dir, "c"), StartTimeout: cfg.Timeouts.BrowserStart,
		CAPEM: privateCA, Egress: guard,
	})
}

// describeTarget says what the run checks, without secrets.
func describeTarget(cfg Config, e *env.Env) result.Target {
	t := result.Target{Fixture: cfg.FixtureName}
	var parts []string
	if cfg.Runs(ModeJWT) && cfg.JWT.Targeted() {
		app := e.Target.AppURL
		if cfg.JWT.Reference() {
			app = "the reference app at " + app
		}
		parts = append(parts, fmt.Sprintf("JWT deployment (login %s, app %s)", orNone(redactURL(e.Target.LoginURL)), orNone(redactURL(app))))
	}
	if cfg.Runs(ModeSupabase) && cfg.SupabaseTarget != nil {
		parts = append(parts, "Supabase project "+redactURL(cfg.SupabaseTarget.URL))
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
		t.Shape = string(e.Target.Shape())
		t.LoginURL, t.AppURL, t.EmbedURL = redactURL(e.Target.LoginURL), redactURL(e.Target.AppURL), e.Target.EmbedURL
		if len(e.Target.Secret) > 0 {
			t.SecretFingerprint = redact.Fingerprint(e.Target.Secret)
		}
	}
	if e.Supabase != nil {
		t.SupabaseURL = redactURL(e.Supabase.URL)
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
		DialContext:            retryDial(hm.DialContext, n.ConnectRetries),
		TLSClientConfig:        &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    timeout,
		ResponseHeaderTimeout:  timeout,
		MaxResponseHeaderBytes: 256 << 10,
		MaxIdleConnsPerHost:    4,
	}
	if n.Proxy != "" {
		u, err := url.Parse(n.Proxy)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("--proxy %q: want a URL such as http://proxy.internal:3128", redactURL(n.Proxy))
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

// NewSecret returns a random AUTH_SECRET_KEY (32 bytes, base64url) for a
// run of the embedded reference deployment.
func NewSecret() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return []byte(base64.RawURLEncoding.EncodeToString(b))
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
