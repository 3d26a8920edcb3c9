package runner

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/mfconform/mfconform/harness/clientsite"
	"github.com/mfconform/mfconform/harness/deployment"
	"github.com/mfconform/mfconform/harness/egress"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/result"
	"github.com/mfconform/mfconform/suites/sbcheck"
)

// Plan is what the run serves itself (harness/deployment is the one place
// that knows the servers and their hosts): the JWT reference deployment or,
// beside a real backend, the embed site and the reference verifier; the
// reference Supabase project or, for a real one, nothing of the project;
// the client site, the server-side stand-in and the embed site.
func (c Config) Plan() (deployment.Plan, error) {
	var p deployment.Plan
	if c.Runs(ModeJWT) {
		j := &deployment.JWT{}
		switch {
		case !c.JWT.Targeted():
			ref := c.Reference
			j.Reference, j.Secret = &ref, c.ReferenceSecret()
		case c.JWT.Reference():
			host, err := c.ReferenceAppHost()
			if err != nil {
				return p, err
			}
			// The reference app verifies the backend's tokens with the
			// operator's key: that is the point of a backend-only run.
			j.AppHost, j.Secret = host, c.Secret
		}
		p.JWT = j
	}
	if c.Runs(ModeSupabase) {
		s := &deployment.Supabase{
			AppHost: c.SupabaseAppHost, App: clientsite.DefaultAppProfile(),
			StandIn: true, Embedded: c.SupabaseEmbedded(), Vars: ProjectVars,
		}
		if t := c.SupabaseTarget; t != nil {
			s.ProjectURL, s.Key = t.URL, t.Key
		} else {
			s.Project, s.App = c.supabaseReference(), c.SupabaseApp
		}
		p.Supabase = s
	}
	return p, nil
}

// ProjectVars reads the project's variables as the specs do: the app's
// client and the server side use them as if they were fixed, and what is
// wrong with them is SB-CONFIG-001's and SB-KEY-001's finding.
func ProjectVars(rawURL, rawKey string) (string, string) {
	u, _ := sbcheck.CheckURL(rawURL)
	k, _ := sbcheck.ReadKey(rawKey)
	return u.Origin, k.Clean
}

// Reached lists every host the operator names as part of what the run
// checks — a real JWT deployment's login and app URLs and login script, a
// real Supabase project's URL, the app origin, the Supabase scripts and
// session hosts, and every exact --resolve name — each with where it was
// named. mfconform reaches these through the operator's --resolve rules or
// DNS and never serves them. The embedded reference deployment's names are
// mfconform's own, even when a flag names them.
func (c Config) Reached() []deployment.Reached {
	var out []deployment.Reached
	add := func(source, raw string) {
		if h := hostOfURL(raw); h != "" {
			out = append(out, deployment.Reached{Name: h, Source: source, Endpoint: egress.Endpoint(raw)})
		}
	}
	script := func(name string, steps []env.LoginStep) {
		for i, st := range steps {
			add(fmt.Sprintf("%s step %d", name, i+1), st.Navigate)
		}
	}
	if c.Runs(ModeJWT) && c.JWT.Targeted() {
		add("--login-url", c.JWT.LoginURL)
		if !c.JWT.Reference() {
			add("--app-url", c.JWT.AppURL)
		}
		script("jwt.login_script", c.JWT.LoginScript)
	}
	if c.Runs(ModeSupabase) && c.SupabaseTarget != nil {
		add("NEXT_PUBLIC_SUPABASE_URL", c.SupabaseTarget.URL)
		add("--app-origin", c.appOrigin)
		script("supabase.login_script", c.Supabase.LoginScript)
		script("supabase.logout_script", c.Supabase.LogoutScript)
		add("supabase.server_check.url", c.Supabase.ServerCheck.URL)
		add("supabase.embed_url", c.Supabase.EmbedURL)
		for _, h := range c.Supabase.SessionHosts {
			out = append(out, deployment.Reached{Name: strings.ToLower(h), Source: "--session-host"})
		}
	}
	for _, r := range c.Network.Resolve {
		if h, _, _ := strings.Cut(r, "="); h != "" && !strings.HasPrefix(h, "*.") {
			out = append(out, deployment.Reached{Name: strings.ToLower(strings.TrimSpace(h)), Source: "--resolve " + r})
		}
	}
	return out
}

// EgressPolicy is what the run's browser may connect to before its
// servers start: the deployment the operator named and the names the plan
// serves (deployment.Plan.Egress), and --allow-host's.
func (c Config) EgressPolicy() (egress.Policy, error) {
	p, err := c.Plan()
	if err != nil {
		return egress.Policy{}, err
	}
	return p.Egress(c.Reached(), c.Network.Resolve, c.Network.AllowHosts), nil
}

// hostOfURL is the host name of an absolute URL, read leniently (a project
// URL with surrounding whitespace or quotes is still the operator's host);
// "" when there is none.
func hostOfURL(raw string) string {
	u, err := url.Parse(strings.Trim(strings.TrimSpace(raw), `"'`))
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// validateHosts checks the run's plan against the hosts the operator
// names: mfconform never serves one of them.
func (c Config) validateHosts() error {
	p, err := c.Plan()
	if err != nil {
		return err
	}
	if err := p.Check(c.Reached()); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return nil
}

// HostsText renders, for `mfconform config check`, every host the run
// serves and every host it reaches, with where each resolves.
func (c Config) HostsText() (string, error) {
	p, err := c.Plan()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	var served, reached []deployment.Route
	for _, r := range p.Routes(c.Reached(), c.Network.Resolve) {
		if r.Served {
			served = append(served, r)
		} else {
			reached = append(reached, r)
		}
	}
	fmt.Fprintln(&b, "# hosts mfconform serves itself (on "+deployment.Loopback+", through its own map for Chromium and its HTTP client):")
	if len(served) == 0 {
		fmt.Fprintln(&b, "#   none")
	}
	for _, r := range served {
		where := "→ " + r.Addr + " (mfconform's map)"
		if r.Rule != "" {
			where = "→ " + r.Addr + " (mfconform's map; its exact rule wins over your --resolve " + r.Rule + ")"
		}
		fmt.Fprintf(&b, "#   %-36s %s — %s\n", r.Name, where, r.What)
	}
	fmt.Fprintln(&b, "# hosts mfconform reaches (yours: through your --resolve rules or DNS, never mfconform's map):")
	if len(reached) == 0 {
		fmt.Fprintln(&b, "#   none")
	}
	for _, r := range reached {
		where := "→ DNS"
		if r.Addr != "" {
			where = "→ " + r.Addr + " (--resolve " + r.Rule + "=" + r.Addr + ")"
		}
		fmt.Fprintf(&b, "#   %-36s %s — named by %s\n", r.Name, where, r.What)
	}
	// Names and rules were validated; a URL's host name was not.
	return result.Clean(b.String()), nil
}
