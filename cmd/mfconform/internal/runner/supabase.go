package runner

import (
	"fmt"

	"github.com/mfconform/mfconform/harness/deployment"
	"github.com/mfconform/mfconform/harness/supabaseref"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/login"
	"github.com/mfconform/mfconform/suites/result"
)

// SupabaseConfig is how Supabase mode meets the app (the configuration
// file's supabase: section).
type SupabaseConfig struct {
	// AppOrigin is the Miiflow frontend's https origin (--app-origin),
	// without a trailing slash; its host is where the app is judged.
	AppOrigin string
	// LoginScript signs the test user in through the app's own sign-in
	// page (steps as jwt.login_script; fill values from the environment,
	// e.g. SUPABASE_TEST_EMAIL and SUPABASE_TEST_PASSWORD); LogoutScript
	// signs out through the app. Without a login script mfconform's
	// reference @supabase/ssr page signs in beside the app
	// (deployment.Supabase.ClientHost).
	LoginScript  []env.LoginStep
	LogoutScript []env.LoginStep
	// SessionHosts are the hosts besides the app that must share the
	// session (--session-host). The embedded reference's default is its
	// server side's api. host; a real app has none until the operator
	// names them, so its Domain is never held to a sharing it may not need.
	SessionHosts []string
	// Embedded says the app is used inside an iframe on another site: its
	// session cookies then need SameSite=None and Secure.
	Embedded bool
	// ServerCheck is the app's own server side that reads the session
	// (supabase.server_check, --server-check-url): SB-COOKIE-007 judges it
	// after the app's sign-in. Without it the stand-in is judged, and the
	// spec's evidence says so.
	ServerCheck env.ServerCheck
	// EmbedURL is the app's page SB-COOKIE-006 embeds in another site
	// (supabase.embed_url); "" embeds the server check's URL, else the
	// page the app's sign-in ended on.
	EmbedURL string
}

// ServerHost is where mfconform serves its server-side stand-in
// (deployment.Supabase.ServerHost: a sibling of the app's host).
func (c Config) ServerHost() string {
	return deployment.Supabase{AppHost: c.SupabaseAppHost, Project: c.supabaseReference()}.ServerHost()
}

// supabaseReference is the reference project's profile, or nil when a real
// project is checked.
func (c Config) supabaseReference() *supabaseref.Profile {
	if c.SupabaseTarget != nil {
		return nil
	}
	ref := c.SupabaseReference
	return &ref
}

// SupabaseEmbedded reports whether the app is used embedded cross-site:
// the operator says so, or the reference app's profile does.
func (c Config) SupabaseEmbedded() bool {
	return c.Supabase.Embedded || c.SupabaseTarget == nil && c.SupabaseApp.Embedded
}

// SessionHosts are the hosts that must share the session: the operator's
// (--session-host), else for the embedded reference project its server
// side's host. A real app shares its session with nobody unless the
// operator says so: host-only cookies are right for an app whose server
// side is on its own host, and judging them against mfconform's stand-in
// would be a false failure (SB-COOKIE-004 and 007 are then out of scope).
func (c Config) SessionHosts() []string {
	if len(c.Supabase.SessionHosts) > 0 {
		return c.Supabase.SessionHosts
	}
	if c.SupabaseTarget != nil {
		return nil
	}
	return []string{c.ServerHost()}
}

// validateSupabase checks what Supabase mode's settings need of each
// other.
func (c Config) validateSupabase() error {
	s := c.Supabase
	if len(s.LogoutScript) > 0 && len(s.LoginScript) == 0 {
		return fmt.Errorf("%w: supabase.logout_script needs a supabase.login_script to sign in first", ErrConfig)
	}
	if len(s.LoginScript) > 0 && (c.SupabaseTarget == nil || s.AppOrigin == "") {
		return fmt.Errorf("%w: supabase.login_script signs in through your app: it needs your project (NEXT_PUBLIC_SUPABASE_URL, NEXT_PUBLIC_SUPABASE_KEY) and --app-origin", ErrConfig)
	}
	// The app's server side and its embedded page are judged on the
	// session the app itself stored: mfconform's own page beside the app
	// would put mfconform's cookie choices in front of them.
	if s.ServerCheck.URL != "" && len(s.LoginScript) == 0 {
		return fmt.Errorf("%w: %s names your app's server side, which is judged on the session your app stores: it needs a supabase.login_script that signs in through your app", ErrConfig, Settings.Label("supabase.server_check.url", c.sources))
	}
	if s.EmbedURL != "" && (!s.Embedded || len(s.LoginScript) == 0) {
		return fmt.Errorf("%w: supabase.embed_url is the page of your app another site embeds: it needs supabase.embedded: true and a supabase.login_script that signs in through your app", ErrConfig)
	}
	return nil
}

// validScript checks that every step of a login or logout script sets
// exactly one action.
func validScript(steps []env.LoginStep) error {
	for i, st := range steps {
		if !login.Valid(st) {
			return fmt.Errorf("step %d: want exactly one of navigate, fill (with env), click, wait, wait_cookie", i+1)
		}
	}
	return nil
}

// resolveScript fills each step's value from the environment variable it
// names.
func resolveScript(name string, steps []env.LoginStep, getenv func(string) string) ([]env.LoginStep, error) {
	var out []env.LoginStep
	for _, s := range steps {
		if s.Fill != "" {
			v := getenv(s.Env)
			if v == "" {
				return nil, fmt.Errorf("%w: %s fills %s from $%s, which is not set", ErrConfig, name, result.Clean(s.Fill), result.Clean(s.Env))
			}
			s.Value = v
		}
		out = append(out, s)
	}
	return out, nil
}
