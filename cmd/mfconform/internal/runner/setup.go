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
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/harness/clientsite"
	"github.com/mfconform/mfconform/harness/hostmap"
	"github.com/mfconform/mfconform/harness/pki"
	"github.com/mfconform/mfconform/harness/reference"
	"github.com/mfconform/mfconform/harness/ssrserver"
	"github.com/mfconform/mfconform/harness/supabaseref"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/redact"
	"github.com/mfconform/mfconform/suites/result"
	"github.com/mfconform/mfconform/suites/sbcheck"
)

// setup starts what the selected modes need — the JWT reference deployment
// (or the embed site and reference app of a targeted run), the reference
// Supabase project and the client site, and Chromium — concurrently, and
// returns the environment the evidence gathers use. Every resource is
// handed to cleanup as soon as it exists; cleanups run in reverse order of
// registration, so the Go client's idle connections close first, then the
// browser, then the servers.
func setup(ctx context.Context, cfg Config, dir string, rep *result.Report, cleanup func(func())) (*env.Env, error) {
	execPath, bundles, err := programs(cfg)
	if err != nil {
		return nil, err
	}
	hosts, appHost, err := servedHosts(cfg)
	if err != nil {
		return nil, err
	}
	caStart := time.Now()
	ca, err := certificates(cfg, hosts)
	if err != nil {
		return nil, err
	}
	hm, err := hostMap(cfg, hosts)
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
	e := &env.Env{
		Thresholds: cfg.Thresholds, Timeouts: cfg.Timeouts.Timeouts, Now: time.Now,
		BlockThirdPartyCookies: cfg.BlockThirdPartyCookies, HTTP: client,
	}
	if cfg.JWT.Targeted() {
		e.Target = cfg.jwtTarget
	}

	var (
		mu       sync.Mutex
		servers  []func()
		browsers []func()
		errs     = make([]error, 3)
		wg       sync.WaitGroup
	)
	timed := func(name string, start time.Time) {
		mu.Lock()
		defer mu.Unlock()
		rep.PhasesMS[name] = msSince(start)
	}
	own := func(list *[]func(), f func()) {
		mu.Lock()
		defer mu.Unlock()
		*list = append(*list, f)
	}
	if cfg.Runs(ModeJWT) {
		wg.Go(func() {
			defer timed("reference_start", time.Now())
			errs[0] = startJWT(cfg, e, appHost, ca, func(f func()) { own(&servers, f) })
		})
	}
	if cfg.Runs(ModeSupabase) {
		wg.Go(func() {
			defer timed("supabase_reference_start", time.Now())
			errs[1] = startSupabase(cfg, e, bundles, ca, func(f func()) { own(&servers, f) })
		})
	}
	wg.Go(func() {
		name := "browser_start"
		if cfg.SharedBrowser != "" {
			name = "browser_connect"
		}
		defer timed(name, time.Now())
		br, err := startBrowser(ctx, cfg, execPath, hm, ca, privateCA, dir)
		if err != nil {
			errs[2] = err
			return
		}
		own(&browsers, func() { _ = br.Close() })
		e.Browser = br
		rep.Chromium = br.Version
	})
	wg.Wait()
	for _, f := range servers {
		cleanup(f)
	}
	for _, f := range browsers {
		cleanup(f)
	}
	// Runs first: the Go client's idle HTTP/2 connections would otherwise
	// hold the servers' graceful shutdown.
	cleanup(client.CloseIdleConnections)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	rep.Target = describeTarget(cfg, e)
	e.Target.Description = rep.Target.Description
	return e, nil
}

// browserBundles are the browser bundles Supabase mode serves, or why each
// is missing.
type browserBundles struct {
	supabaseJS, ssr       *clientsite.Bundle
	supabaseJSErr, ssrErr error
}

// programs finds the browser binary (unless the run attaches to a shared
// browser) and, for Supabase mode, supabase-js's browser bundle and the
// @supabase/ssr bundle. A missing bundle is not the run's failure: only the
// specs that run it in the browser need it, and they report the error.
func programs(cfg Config) (execPath string, b browserBundles, err error) {
	execPath = cfg.ChromiumPath
	if execPath == "" && cfg.SharedBrowser == "" {
		if execPath, err = browser.FindChromium(); err != nil {
			return "", b, err
		}
	}
	if cfg.Runs(ModeSupabase) {
		b.supabaseJS, b.supabaseJSErr = clientsite.FindBundle()
		b.ssr, b.ssrErr = clientsite.FindSSRBundle()
	}
	return execPath, b, nil
}

// servedHosts lists every name the run serves itself (on loopback, under
// the run's certificate), and the reference app's host of a backend-only
// run ("" otherwise).
func servedHosts(cfg Config) (hosts []string, appHost string, err error) {
	switch {
	case cfg.Runs(ModeJWT) && cfg.JWT.Targeted():
		hosts = append(hosts, EmbedHost)
		if cfg.JWT.Reference() {
			if appHost, err = cfg.ReferenceAppHost(); err != nil {
				return nil, "", err
			}
			hosts = append(hosts, appHost)
		}
	case cfg.Runs(ModeJWT):
		p := cfg.Reference
		hosts = append(hosts, p.Hosts.Login, p.Hosts.App, p.Hosts.Embed)
	}
	if cfg.Runs(ModeSupabase) {
		hosts = append(hosts, cfg.SupabaseAppHost, cfg.ServerHost())
		if cfg.SupabaseTarget == nil {
			hosts = append(hosts, cfg.SupabaseReference.Host())
			if d := cfg.SupabaseReference.CustomDomain; d != "" {
				hosts = append(hosts, d)
			}
		}
		if cfg.SupabaseEmbedded() {
			hosts = append(hosts, EmbedHost)
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(hosts))), appHost, nil
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

// hostMap maps the operator's --resolve rules and every served name (to
// loopback) for Chromium and the Go clients alike.
func hostMap(cfg Config, hosts []string) (*hostmap.Map, error) {
	hm := &hostmap.Map{}
	for _, r := range cfg.Network.Resolve {
		h, a, _ := strings.Cut(r, "=")
		if err := hm.Add(h, a); err != nil {
			return nil, err
		}
	}
	for _, h := range hosts {
		if err := hm.Add(h, "127.0.0.1"); err != nil {
			return nil, err
		}
	}
	return hm, nil
}

// maxCAFile bounds the --ca-file read (a bundle of a few hundred
// certificates fits).
const maxCAFile = 4 << 20

// readPrivateCA reads the operator's --ca-file.
func readPrivateCA(cfg Config) ([]byte, error) {
	if cfg.Network.CAFile == "" {
		return nil, nil
	}
	b, err := ReadFileLimit(cfg.Network.CAFile, maxCAFile)
	if err != nil {
		return nil, fmt.Errorf("--ca-file: %w", err)
	}
	return b, nil
}

// startJWT starts the JWT side: the whole reference deployment, or for a
// targeted run the embed site and (backend-only) the reference app.
func startJWT(cfg Config, e *env.Env, appHost string, ca *pki.Authority, own func(func())) error {
	if !cfg.JWT.Targeted() {
		dep, err := reference.Start(cfg.Reference, cfg.ReferenceSecret(), ca)
		if err != nil {
			return err
		}
		own(func() { _ = dep.Close() })
		e.Target = env.Target{
			LoginURL: dep.LoginURL, AppURL: dep.AppURL, ProbePath: "/api/me", EmbedURL: dep.EmbedURL, Secret: dep.Secret,
			LoginMethod: "GET", AuthenticatedStatus: 200, UserIDField: "user_id", BeforeLogin: dep.BeforeLogin,
		}
		return nil
	}
	embed, err := reference.StartEmbedSite(EmbedHost, ca)
	if err != nil {
		return err
	}
	own(func() { _ = embed.Close() })
	e.Target.EmbedURL = embed.URL
	if appHost == "" {
		return nil
	}
	// The reference app verifies the backend's tokens with the operator's
	// key: that is the point of a backend-only run.
	app, err := reference.StartApp(appHost, reference.AppProfile{}, e.Target.Secret, EmbedHost, ca)
	if err != nil {
		return err
	}
	own(func() { _ = app.Close() })
	e.Target.AppURL = app.URL
	return nil
}

// startSupabase starts the reference Supabase project (unless a real one is
// targeted), the client site on the app origin with the reference app,
// the server-side stand-in on a sibling host and, when the app is
// embedded, the page of another site that embeds it. A missing bundle is
// reported by the specs that need it.
func startSupabase(cfg Config, e *env.Env, b browserBundles, ca *pki.Authority, own func(func())) error {
	target := cfg.SupabaseTarget
	profile := clientsite.DefaultAppProfile()
	customDomain := ""
	if target == nil {
		dep, err := supabaseref.Start(cfg.SupabaseReference, ca)
		if err != nil {
			return err
		}
		own(func() { _ = dep.Close() })
		target = &env.SupabaseTarget{URL: dep.URL, Key: dep.Key, Email: dep.Email, Password: dep.Password, JWTSecret: dep.JWTSecret, Reference: true}
		profile, customDomain = cfg.SupabaseApp, dep.CustomDomainURL
	}
	t := *target
	e.Supabase = &t
	t.AppURL, t.LoginScript, t.LogoutScript = cfg.appOrigin, cfg.sbLogin, cfg.sbLogout
	t.ServerHost, t.SessionHosts, t.Embedded = cfg.ServerHost(), cfg.SessionHosts(), cfg.SupabaseEmbedded()
	// The app's client and the server side use the variables as if they
	// were fixed, as the browser specs do: what is wrong with them is
	// SB-CONFIG-001's and SB-KEY-001's finding.
	u, _ := sbcheck.CheckURL(t.URL)
	k, _ := sbcheck.ReadKey(t.Key)
	if t.Embedded {
		embed, err := reference.StartEmbedSite(EmbedHost, ca)
		if err != nil {
			return err
		}
		own(func() { _ = embed.Close() })
		t.EmbedURL = embed.URL
	}
	if u.Origin != "" {
		srv, err := ssrserver.Start(ssrserver.Config{Host: t.ServerHost, ProjectURL: u.Origin, Key: k.Clean, Client: e.HTTP,
			Timeout: cfg.Timeouts.Probe, AllowOrigins: nonEmpty(t.EmbedURL), CA: ca})
		if err != nil {
			return err
		}
		own(func() { _ = srv.Close() })
		t.ServerURL = srv.URL
	}
	if b.supabaseJSErr != nil {
		t.ClientErr = b.supabaseJSErr
		return nil
	}
	opts := clientsite.Options{Host: cfg.SupabaseAppHost, Bundle: b.supabaseJS, CA: ca}
	switch {
	case b.ssrErr != nil:
		t.CookieClientErr = b.ssrErr
	case profile.UseCustomDomain && customDomain == "":
		return fmt.Errorf("the reference app uses the project's custom domain, but the project has none")
	default:
		app := clientsite.App{SupabaseURL: u.Origin, Key: k.Clean, Profile: profile}
		if profile.UseCustomDomain {
			app.SupabaseURL = customDomain
		}
		opts.App, opts.SSRBundle = &app, b.ssr
	}
	site, err := clientsite.StartWith(opts)
	if err != nil {
		return err
	}
	own(func() { _ = site.Close() })
	t.ClientURL = site.URL
	return nil
}

// nonEmpty is []string{s}, or nil for "".
func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// startBrowser launches Chromium for the run, or attaches to the batch's
// shared one. The launch is bounded; the browser lives until closed.
func startBrowser(ctx context.Context, cfg Config, execPath string, hm *hostmap.Map, ca *pki.Authority, privateCA []byte, dir string) (*browser.Browser, error) {
	bctx, cancel := context.WithTimeout(ctx, cfg.Timeouts.BrowserStart)
	defer cancel()
	if cfg.SharedBrowser != "" {
		return browser.Connect(bctx, cfg.SharedBrowser)
	}
	return browser.Launch(bctx, browser.Options{
		ExecPath: execPath, ResolverRules: hm.ChromiumRules(), TrustSPKI: []string{ca.LeafSPKIHash},
		Dir: filepath.Join(dir, "c"), StartTimeout: cfg.Timeouts.BrowserStart,
		CAPEM: privateCA, ProxyServer: cfg.Network.Proxy,
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
