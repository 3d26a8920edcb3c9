package deployment

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/mfconform/mfconform/harness/clientsite"
	"github.com/mfconform/mfconform/harness/egress"
	"github.com/mfconform/mfconform/harness/pki"
	"github.com/mfconform/mfconform/harness/reference"
	"github.com/mfconform/mfconform/harness/ssrserver"
	"github.com/mfconform/mfconform/harness/supabaseref"
)

// side groups the servers that start one after another: the shared ones
// first (the others link to them), then JWT mode's and Supabase mode's
// concurrently.
type side int

const (
	sideShared side = iota
	sideJWT
	sideSupabase
)

// Sides as Servers.Took names them.
const (
	SideJWT      = "jwt"
	SideSupabase = "supabase"
)

// server is one server of a plan: the names it answers and how it starts.
// start records what it started in Servers and hands each server's Close
// to Servers.own as soon as it listens.
type server struct {
	side  side
	hosts []Host
	start func(*Servers, Env) error
}

// servers is the one list of what a plan serves, in start order: Hosts,
// the certificate, the host map and Start all read it, so a served host is
// one entry here.
func (p Plan) servers() []server {
	var out []server
	if p.JWT != nil && p.JWT.Reference == nil || p.Supabase != nil && p.Supabase.Embedded {
		out = append(out, server{sideShared, []Host{{EmbedHost, "the page of another site that embeds the app"}}, startEmbedSite})
	}
	if j := p.JWT; j != nil {
		switch {
		case j.Reference != nil:
			h := j.Reference.Hosts
			out = append(out, server{sideJWT, []Host{
				{h.Login, "the reference backend (sets mf_jwt_token)"},
				{h.App, "the reference app (verifies mf_jwt_token)"},
				{h.Embed, "the reference deployment's embedding page"},
			}, j.startReference})
		case j.AppHost != "":
			out = append(out, server{sideJWT, []Host{{j.AppHost, "the reference app verifying your backend's tokens"}}, j.startApp})
		}
	}
	if sb := p.Supabase; sb != nil {
		if sb.Project != nil {
			hosts := []Host{{sb.Project.Host(), "the reference Supabase project"}}
			if d := sb.Project.CustomDomain; d != "" {
				hosts = append(hosts, Host{d, "the reference Supabase project's custom domain"})
			}
			out = append(out, server{sideSupabase, hosts, sb.startProject})
		}
		if sb.StandIn {
			out = append(out, server{sideSupabase, []Host{{sb.ServerHost(), "mfconform's server-side stand-in (@supabase/ssr createServerClient)"}}, sb.startStandIn})
		}
		what := "mfconform's supabase-js page and reference @supabase/ssr app, beside your app"
		if sb.Reference() {
			what = "the reference Supabase app (sign-in page under /app/) and mfconform's supabase-js page"
		}
		out = append(out, server{sideSupabase, []Host{{sb.ClientHost(), what}}, sb.startClient})
	}
	return out
}

// Env is what Start needs from the run.
type Env struct {
	// CA issues the servers' certificate; its leaf must carry every name
	// the plan serves (Plan.Names).
	CA *pki.Authority
	// Client and Timeout are how the server-side stand-in reaches the
	// project (through the run's host map).
	Client  *http.Client
	Timeout time.Duration
}

// Servers is a started plan: where each server answers, and why a
// server that could not be started without its browser bundle is missing.
// Close stops them all.
type Servers struct {
	// JWT is the whole JWT reference deployment, or nil.
	JWT *reference.Deployment
	// Embed is the embed site (EmbedHost), or nil.
	Embed *reference.Site
	// ReferenceApp is the reference verifier beside a real backend, or nil.
	ReferenceApp *reference.Site
	// Project is the reference Supabase project, or nil.
	Project *supabaseref.Deployment
	// Client is the client site; ClientErr says why there is none
	// (supabase-js's bundle is missing).
	Client    *clientsite.Site
	ClientErr error
	// AppErr says why the client site serves no reference app under /app/
	// (the @supabase/ssr bundle is missing); nil when it does.
	AppErr error
	// StandIn is the server-side stand-in, or nil.
	StandIn *ssrserver.Server
	// Took is how long each side (SideJWT, SideSupabase) took to start.
	Took map[string]time.Duration

	mu      sync.Mutex
	closers []func() error
}

// EmbedURL is the embed site's origin, "" when it is not served.
func (s *Servers) EmbedURL() string {
	if s.Embed == nil {
		return ""
	}
	return s.Embed.URL
}

// ReferenceAppURL is the reference verifier's origin beside a real
// backend, "" when it is not served.
func (s *Servers) ReferenceAppURL() string {
	if s.ReferenceApp == nil {
		return ""
	}
	return s.ReferenceApp.URL
}

// ClientURL is the client site's origin, "" when it is not served.
func (s *Servers) ClientURL() string {
	if s.Client == nil {
		return ""
	}
	return s.Client.URL
}

// ServerURL is the server-side stand-in's origin, "" when it is not
// served.
func (s *Servers) ServerURL() string {
	if s.StandIn == nil {
		return ""
	}
	return s.StandIn.URL
}

// Endpoints are the host:port pairs the started servers answer on — and,
// for the reference project, NEXT_PUBLIC_SUPABASE_URL as its profile
// configures it (a closed port, another scheme), which is the deployment's
// too — for the browser's egress policy (Plan.Egress).
func (s *Servers) Endpoints() []string {
	var urls []string
	if d := s.JWT; d != nil {
		urls = append(urls, d.LoginURL, d.AppURL, d.EmbedURL)
	}
	if d := s.Project; d != nil {
		urls = append(urls, d.ProjectURL, d.URL, d.CustomDomainURL)
	}
	urls = append(urls, s.EmbedURL(), s.ReferenceAppURL(), s.ClientURL(), s.ServerURL())
	var out []string
	for _, u := range urls {
		if ep := egress.Endpoint(u); ep != "" && !slices.Contains(out, ep) {
			out = append(out, ep)
		}
	}
	return out
}

// own hands a started server's Close to s, where the server is born.
func (s *Servers) own(close func() error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closers = append(s.closers, close)
}

// Close stops every server in reverse order of start and waits until they
// have stopped. Calling it again does nothing.
func (s *Servers) Close() error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	closers := s.closers
	s.closers = nil
	s.mu.Unlock()
	var errs []error
	for _, c := range slices.Backward(closers) {
		errs = append(errs, c())
	}
	return errors.Join(errs...)
}

// Start starts the plan's servers: the shared ones, then each mode's side
// concurrently, each side in the order servers lists. On error everything
// started is stopped again.
func (p Plan) Start(e Env) (*Servers, error) {
	if e.CA == nil {
		return nil, errors.New("deployment: no certificate authority")
	}
	s := &Servers{Took: map[string]time.Duration{}}
	list := p.servers()
	run := func(sd side) error {
		for _, sv := range list {
			if sv.side != sd {
				continue
			}
			if err := sv.start(s, e); err != nil {
				return err
			}
		}
		return nil
	}
	if err := run(sideShared); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, sd := range []struct {
		side side
		name string
		on   bool
	}{{sideJWT, SideJWT, p.JWT != nil}, {sideSupabase, SideSupabase, p.Supabase != nil}} {
		if !sd.on {
			continue
		}
		wg.Go(func() {
			start := time.Now()
			err := run(sd.side)
			mu.Lock()
			defer mu.Unlock()
			s.Took[sd.name] = time.Since(start)
			errs = append(errs, err)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	return s, nil
}

// startEmbedSite serves the page of another site that embeds the app.
func startEmbedSite(s *Servers, e Env) error {
	site, err := reference.StartEmbedSite(EmbedHost, e.CA)
	if err != nil {
		return err
	}
	s.own(site.Close)
	s.Embed = site
	return nil
}

// startReference starts the whole JWT reference deployment.
func (j JWT) startReference(s *Servers, e Env) error {
	dep, err := reference.Start(*j.Reference, j.Secret, e.CA)
	if err != nil {
		return err
	}
	s.own(dep.Close)
	s.JWT = dep
	return nil
}

// startApp serves the reference verifier beside a real backend: it
// verifies the backend's tokens with the operator's key, which is the
// point of a backend-only run.
func (j JWT) startApp(s *Servers, e Env) error {
	app, err := reference.StartApp(j.AppHost, reference.AppProfile{}, j.Secret, EmbedHost, e.CA)
	if err != nil {
		return err
	}
	s.own(app.Close)
	s.ReferenceApp = app
	return nil
}

// startProject starts the reference Supabase project.
func (sb Supabase) startProject(s *Servers, e Env) error {
	dep, err := supabaseref.Start(*sb.Project, e.CA)
	if err != nil {
		return err
	}
	s.own(dep.Close)
	s.Project = dep
	return nil
}

// vars are the project origin and key the app's client is built with: the
// reference project's as its profile configures them, or the real
// project's, read as Supabase.Vars says.
func (sb Supabase) vars(s *Servers) (origin, key string) {
	url, key := sb.ProjectURL, sb.Key
	if s.Project != nil {
		url, key = s.Project.URL, s.Project.Key
	}
	if sb.Vars == nil {
		return url, key
	}
	return sb.Vars(url, key)
}

// startStandIn serves the server-side stand-in, which reads the session
// cookies as createServerClient does; without a usable project URL there
// is nothing for it to read them with.
func (sb Supabase) startStandIn(s *Servers, e Env) error {
	origin, key := sb.vars(s)
	if origin == "" {
		return nil
	}
	cfg := ssrserver.Config{Host: sb.ServerHost(), ProjectURL: origin, Key: key, Client: e.Client, Timeout: e.Timeout, CA: e.CA}
	if sb.Embedded && s.Embed != nil {
		cfg.AllowOrigins = []string{s.Embed.URL}
	}
	srv, err := ssrserver.Start(cfg)
	if err != nil {
		return err
	}
	s.own(srv.Close)
	s.StandIn = srv
	return nil
}

// startClient serves the client site: mfconform's supabase-js page and,
// with the @supabase/ssr bundle, the reference app built with the
// project's variables (or its custom domain, when the app's profile says
// so). A missing bundle is not the run's failure: the specs that need it
// report ClientErr or AppErr.
func (sb Supabase) startClient(s *Servers, e Env) error {
	js, err := clientsite.FindBundle()
	if err != nil {
		s.ClientErr = err
		return nil
	}
	opts := clientsite.Options{Host: sb.ClientHost(), Bundle: js, CA: e.CA}
	ssr, ssrErr := clientsite.FindSSRBundle()
	custom := ""
	if s.Project != nil {
		custom = s.Project.CustomDomainURL
	}
	switch {
	case ssrErr != nil:
		s.AppErr = ssrErr
	case sb.App.UseCustomDomain && custom == "":
		return fmt.Errorf("the reference app uses the project's custom domain, but the project has none")
	default:
		origin, key := sb.vars(s)
		app := clientsite.App{SupabaseURL: origin, Key: key, Profile: sb.App}
		if sb.App.UseCustomDomain {
			app.SupabaseURL = custom
		}
		opts.App, opts.SSRBundle = &app, ssr
	}
	site, err := clientsite.StartWith(opts)
	if err != nil {
		return err
	}
	s.own(site.Close)
	s.Client = site
	return nil
}
