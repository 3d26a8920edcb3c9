package runner

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/settings"
	"github.com/mfconform/mfconform/harness/egress"
	"github.com/mfconform/mfconform/harness/hostmap"
	"github.com/mfconform/mfconform/harness/reference"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	"github.com/mfconform/mfconform/suites/stack"
)

// Flag groups, in the order help lists them.
const (
	GroupTarget    settings.Group = "target"
	GroupNetwork   settings.Group = "network"
	GroupOutput    settings.Group = "output"
	GroupBehaviour settings.Group = "behaviour"
)

// Reasons a setting is on the command line only or in the file only.
const (
	lessTrusted = "; a configuration file is less trusted than the command line"
	aStepBound  = "the bound of one step; --timeout bounds the whole run"
	aThreshold  = "a judging threshold: part of your policy, kept with the rest of your configuration"
	aScript     = "a list of steps with selectors: too structured for a command line"
	aView       = "how this terminal or pipeline shows the run, not what the run checks"
)

// Settings is `mfconform run`'s table (and `config check`'s): every run
// setting, declared once. The flag set, the configuration file, the
// MFCONFORM_* variables, --help, config check and docs/cli.md's tables all
// come from it.
var Settings = &settings.Table[Config]{
	Command: "run",
	Groups:  []settings.Group{GroupTarget, GroupNetwork, GroupOutput, GroupBehaviour},
	Settings: []settings.Setting[Config]{
		// Behaviour.
		{Flag: "mode", Key: "mode", Env: "MFCONFORM_MODE", Group: GroupBehaviour, Arg: "MODE",
			Usage: "which mode to check: all, jwt or supabase (a run pointed at one real deployment checks that mode)",
			Value: settings.String(func(c *Config) *string { return &c.Mode }).Default(ModeAll).OneOf(ModeJWT, ModeSupabase, ModeAll)},
		{Flag: "label-filter", Key: "label_filter", Env: "MFCONFORM_LABEL_FILTER", Group: GroupBehaviour, Arg: "EXPR",
			Usage: "Ginkgo label expression, e.g. 'area:cookie || area:token' (mfconform specs lists the labels)",
			Value: settings.String(func(c *Config) *string { return &c.LabelFilter }).Check(labelFilter)},
		{Key: "focus", Group: GroupBehaviour, FileOnly: "regular expressions over spec texts; --label-filter is the command line's filter",
			Usage: "run only the specs whose text matches one of these regular expressions",
			Value: settings.List(func(c *Config) *[]string { return &c.Focus })},
		{Flag: "block-third-party-cookies", Key: "block_third_party_cookies", Group: GroupBehaviour,
			Usage: "judge as a browser that blocks third-party cookies would (Safari, Firefox strict, incognito)",
			Value: settings.Bool(func(c *Config) *bool { return &c.BlockThirdPartyCookies })},
		{Flag: "thorough", Key: "thorough", Group: GroupBehaviour,
			Usage: "run slow checks too (specs labelled slow: e.g. wait 11 s to tell a refresh-token reuse interval from reuse)",
			Value: settings.Bool(func(c *Config) *bool { return &c.Thorough })},
		{Flag: "timeout", Key: "timeouts.suite", Group: GroupBehaviour, Arg: "DURATION",
			Usage: "Ginkgo's bound on the spec run (evidence gathering and judging), e.g. 2m; each step has its own bound too",
			Value: timeout(func(c *Config) *time.Duration { return &c.Timeouts.Suite }, 10*time.Minute)},
		// Output.
		{Flag: "report-dir", Key: "report_dir", Env: "MFCONFORM_REPORT_DIR", Group: GroupOutput, Arg: "DIR",
			Usage: "the folder the reports are written to",
			Value: settings.String(func(c *Config) *string { return &c.ReportDir }).Default("reports/out").Check(notEmpty)},
		{Flag: "fail-on", Key: "fail_on", Group: GroupOutput, Arg: "WHEN",
			Usage: "fail, or warn to exit 2 when a run has only warnings",
			Value: settings.String(func(c *Config) *string { return &c.FailOn }).Default("fail").OneOf("fail", "warn")},
		{Flag: "allow-incomplete", Key: "allow_incomplete", Group: GroupOutput,
			Usage: "exit 0 instead of 4 when specs could not be judged for a missing input",
			Value: settings.Bool(func(c *Config) *bool { return &c.AllowIncomplete })},
		{Flag: "format", Env: "MFCONFORM_FORMAT", Group: GroupOutput, Arg: "FORMAT", CommandLineOnly: aView,
			Usage: "what stdout gets: console (the specs and the verdict), or json (report.json alone; the console lines go to stderr)",
			Value: settings.String(func(c *Config) *string { return &c.Output.Format }).Default(FormatConsole).OneOf(FormatConsole, FormatJSON)},
		{Flag: "quiet", Env: "MFCONFORM_QUIET", Group: GroupOutput, CommandLineOnly: aView,
			Usage: "print only the failures, the warnings and the verdict",
			Value: settings.Bool(func(c *Config) *bool { return &c.Output.Quiet })},
		{Flag: "color", Env: "MFCONFORM_COLOR", Group: GroupOutput, Arg: "WHEN", CommandLineOnly: aView,
			Usage: "colour the console: auto (on a terminal, unless NO_COLOR is set or TERM is dumb), always or never",
			Value: settings.String(func(c *Config) *string { return &c.Output.Color }).Default(ColorAuto).OneOf(ColorAuto, ColorAlways, ColorNever)},
		{Flag: "waivers", Key: "waivers", Group: GroupOutput, Arg: "FILE",
			Usage: "YAML file of accepted exceptions (spec or code, reason, optional expires)",
			Value: settings.String(func(c *Config) *string { return &c.WaiversFile })},

		// Target: JWT mode.
		{Flag: "login-url", Key: "jwt.login_url", Env: "MFCONFORM_LOGIN_URL", Group: GroupTarget, Arg: "URL",
			Usage: "JWT mode: the backend URL that signs the test user in and sets mf_jwt_token",
			Value: settings.String(func(c *Config) *string { return &c.JWT.LoginURL }).Check(optionalHTTP).Redact(redactURL)},
		{Flag: "login-method", Key: "jwt.login_method", Group: GroupTarget, Arg: "METHOD",
			Usage: "how the login URL is asked: GET, or POST with --login-form",
			Value: settings.String(func(c *Config) *string { return &c.JWT.LoginMethod }).Default("GET").OneOf("GET", "POST").Tidy(strings.ToUpper)},
		{Flag: "login-form", Key: "jwt.login_form", Group: GroupTarget, Arg: "K=V",
			Usage: "a POST field k=v (repeatable); v may be env:NAME to read it from the environment",
			Value: settings.Pairs(func(c *Config) *map[string]string { return &c.JWT.LoginForm }).Redact(redactForm)},
		{Key: "jwt.login_script", Group: GroupTarget, FileOnly: aScript,
			Usage: "JWT mode: sign in through a real login page instead: steps of navigate, fill (with env), click, wait, wait_cookie",
			Value: settings.Structured(func(c *Config) *[]env.LoginStep { return &c.JWT.LoginScript }).Check(validScript)},
		{Flag: "app-url", Key: "jwt.app_url", Env: "MFCONFORM_APP_URL", Group: GroupTarget, Arg: "URL",
			Usage: "JWT mode: the Miiflow app's origin URL, or 'reference' for the built-in verifier",
			Value: settings.String(func(c *Config) *string { return &c.JWT.AppURL }).Check(appURL).Redact(redactURL)},
		{Flag: "app-host", Key: "jwt.app_host", Group: GroupTarget, Arg: "HOST", DefaultText: "mfconform-app.<your domain>",
			Usage: "with --app-url reference: the host to serve the built-in verifier on",
			Value: settings.String(func(c *Config) *string { return &c.JWT.AppHost })},
		{Flag: "probe-path", Key: "jwt.probe_path", Group: GroupTarget, Arg: "PATH",
			Usage: "the app's path that says who is signed in",
			Value: settings.String(func(c *Config) *string { return &c.JWT.ProbePath }).Default("/api/me").Check(absPath)},
		{Flag: "authenticated-status", Key: "jwt.authenticated_status", Group: GroupTarget, Arg: "STATUS",
			Usage: "the probe path's HTTP status for a signed-in user",
			Value: settings.Int(func(c *Config) *int { return &c.JWT.AuthenticatedStatus }).Default(200).Check(httpStatus)},
		{Flag: "user-id-field", Key: "jwt.user_id_field", Group: GroupTarget, Arg: "FIELD",
			Usage: "the probe answer's JSON field holding the user id",
			Value: settings.String(func(c *Config) *string { return &c.JWT.UserIDField }).Default("user_id").Check(notEmpty)},
		{Flag: "backend-timezone", Key: "jwt.backend_timezone", Group: GroupTarget, Arg: "ZONE",
			Usage: "JWT mode: the zone the backend's server runs in (`date +%z` on it: +0200, or an IANA name such as Europe/Paris), to confirm or rule out the naive-datetime trap (TOKEN_EXP_TIMEZONE)",
			Value: settings.String(func(c *Config) *string { return &c.JWT.BackendTimezone }).Check(backendZone)},
		{Flag: "backend-stack", Key: "jwt.backend_stack", Group: GroupTarget, Arg: "STACK",
			Usage: "JWT mode: the backend's framework, when you know it: fixes are written in its idiom, stated as given, instead of guessed",
			Value: settings.String(func(c *Config) *string { return &c.JWT.BackendStack }).Check(stackID)},
		{Flag: "app-stack", Key: "jwt.app_stack", Group: GroupTarget, Arg: "STACK",
			Usage: "JWT mode: the app's framework, when you know it (for the verifier's fixes), stated as given",
			Value: settings.String(func(c *Config) *string { return &c.JWT.AppStack }).Check(stackID)},
		{Flag: "secret-file", Env: "MFCONFORM_SECRET_FILE", Group: GroupTarget, Arg: "FILE",
			CommandLineOnly: "it chooses the file read as AUTH_SECRET_KEY" + lessTrusted,
			Usage:           "a file holding AUTH_SECRET_KEY (AUTH_SECRET_KEY in the environment wins; never pass the key on a command line)",
			Value:           settings.String(func(c *Config) *string { return &c.JWT.SecretFile })},
		// Target: Supabase mode.
		{Flag: "app-origin", Key: "supabase.app_origin", Group: GroupTarget, Arg: "ORIGIN",
			Usage: "Supabase mode: the Miiflow frontend's https origin, for the CORS and sign-in checks",
			Value: settings.String(func(c *Config) *string { return &c.Supabase.AppOrigin }).Check(appOrigin).Tidy(trimSlash)},
		{Flag: "session-host", Key: "supabase.session_hosts", Group: GroupTarget, Arg: "HOST",
			Usage: "Supabase mode: a host besides the app that must receive the session cookies, e.g. your API's (repeatable; without one, SB-COOKIE-004/007 are out of scope for your app; the embedded reference uses its api. host)",
			Value: settings.List(func(c *Config) *[]string { return &c.Supabase.SessionHosts }).Tidy(lowerHosts).Check(sessionHosts)},
		{Key: "supabase.login_script", Group: GroupTarget, FileOnly: aScript,
			Usage: "Supabase mode: sign in through your app's own sign-in page (steps as jwt.login_script; needs --app-origin and your project)",
			Value: settings.Structured(func(c *Config) *[]env.LoginStep { return &c.Supabase.LoginScript }).Check(validScript)},
		{Key: "supabase.logout_script", Group: GroupTarget, FileOnly: aScript,
			Usage: "Supabase mode: sign out through your app (starts where mfconform left the tab: navigate first)",
			Value: settings.Structured(func(c *Config) *[]env.LoginStep { return &c.Supabase.LogoutScript }).Check(validScript)},
		{Flag: "server-check-url", Key: "supabase.server_check.url", Group: GroupTarget, Arg: "URL",
			Usage: "Supabase mode: your app's own server-side page or endpoint that reads the session, e.g. https://app.example.com/api/me: SB-COOKIE-007 opens it after your app's sign-in (needs supabase.login_script; without it mfconform's stand-in is judged, and says so)",
			Value: settings.String(func(c *Config) *string { return &c.Supabase.ServerCheck.URL }).Check(optionalHTTP).Redact(redactURL)},
		{Flag: "server-check-status", Key: "supabase.server_check.signed_in_status", Group: GroupTarget, Arg: "STATUS",
			Usage: "the server check's HTTP status for a signed-in user",
			Value: settings.Int(func(c *Config) *int { return &c.Supabase.ServerCheck.SignedInStatus }).Default(200).Check(httpStatus)},
		{Flag: "server-check-user-field", Key: "supabase.server_check.user_field", Group: GroupTarget, Arg: "FIELD",
			Usage: "the server check answer's JSON field holding the signed-in user's id (a dotted path such as user.id)",
			Value: settings.String(func(c *Config) *string { return &c.Supabase.ServerCheck.UserField }).Default("id").Check(notEmpty)},
		{Key: "supabase.embedded", Group: GroupTarget, FileOnly: "describes how the app is deployed, once, next to its sign-in script",
			Usage: "Supabase mode: the app runs inside another site's iframe, so its session cookies need SameSite=None and Secure",
			Value: settings.Bool(func(c *Config) *bool { return &c.Supabase.Embedded })},
		{Key: "supabase.embed_url", Group: GroupTarget, FileOnly: "describes how the app is deployed, with supabase.embedded",
			Usage: "Supabase mode, with supabase.embedded: the page of your app another site embeds (default: the server check's URL, else the page your sign-in ends on)",
			Value: settings.String(func(c *Config) *string { return &c.Supabase.EmbedURL }).Check(optionalHTTP).Redact(redactURL)},
		{Key: "supabase_app_host", Group: GroupTarget, FileOnly: "derived from --app-origin; kept for configuration files that name it",
			Usage: "the host mfconform's supabase-js page is served on when no --app-origin is given",
			Value: settings.String(func(c *Config) *string { return &c.SupabaseAppHost }).Default("app.acme.test")},
		// Target: the embedded reference deployment.
		{Flag: "fixture", Key: "fixture", Group: GroupTarget, Arg: "NAME",
			Usage: "check the embedded reference deployment's fixture NAME (mfconform fixtures lists them)",
			Value: settings.String(func(c *Config) *string { return &c.FixtureName })},
		{Flag: "reference-secret-from-env", Group: GroupTarget,
			CommandLineOnly: "it lets a local server sign with your real key" + lessTrusted,
			Usage:           "let the embedded reference deployment sign with AUTH_SECRET_KEY and its Supabase project with SUPABASE_JWT_SECRET from the environment (default: keys made for the run)",
			Value:           settings.Bool(func(c *Config) *bool { return &c.ReferenceUsesEnvSecret })},
		{Flag: "allow-env", Group: GroupTarget, Arg: "NAME",
			CommandLineOnly: "it lets the configuration file read a secret" + lessTrusted,
			Usage: "let the configuration file's env: references (login form values, login and logout script fills) read variable NAME, " +
				"which its name marks as a secret (repeatable; mfconform's own secrets are never sent)",
			Value: settings.List(func(c *Config) *[]string { return &c.AllowEnv }).Check(allowEnvNames)},
		{Flag: "config", Group: GroupTarget, Arg: "FILE", CommandLineOnly: "a configuration file does not name another",
			Usage: "YAML configuration file (see docs/cli.md); MFCONFORM_* variables and flags override it",
			Value: settings.String(func(c *Config) *string { return &c.ConfigFile })},

		// Network.
		{Flag: "resolve", Key: "network.resolve", Env: "MFCONFORM_RESOLVE", Group: GroupNetwork, Arg: "HOST=IP",
			Usage: "map HOST (or *.domain) to IP for Chromium and the Go clients alike (repeatable)",
			Value: settings.List(func(c *Config) *[]string { return &c.Network.Resolve }).Check(resolveRules)},
		{Flag: "ca-file", Key: "network.ca_file", Env: "MFCONFORM_CA_FILE", Group: GroupNetwork, Arg: "FILE",
			Usage: "PEM file of a private CA to trust",
			Value: settings.String(func(c *Config) *string { return &c.Network.CAFile })},
		{Flag: "proxy", Key: "network.proxy", Env: "MFCONFORM_PROXY", Group: GroupNetwork, Arg: "URL",
			Usage: "http(s) proxy URL (user:password@ allowed; never shown)",
			Value: settings.String(func(c *Config) *string { return &c.Network.Proxy }).Check(proxyURL).Redact(redactURL)},
		{Flag: "allow-host", Key: "network.allow_hosts", Group: GroupNetwork, Arg: "HOST",
			Usage: "let the browser reach HOST besides the deployment's own hosts, e.g. an identity provider your login page sends it to " +
				"(repeatable; HOST, *.domain, or HOST:PORT for one address and port; every other host is refused and reported)",
			Value: settings.List(func(c *Config) *[]string { return &c.Network.AllowHosts }).Tidy(lowerHosts).Check(allowHosts)},
		{Key: "network.connect_retries", Group: GroupNetwork, FileOnly: "tuning for a flaky network; the default suits most",
			Usage: "how often a refused or failed connection is tried again (nothing else is retried)",
			Value: settings.Int(func(c *Config) *int { return &c.Network.ConnectRetries }).Default(2).Check(notNegative)},
		{Flag: "chromium", Env: "MFCONFORM_CHROMIUM", Group: GroupNetwork, Arg: "BINARY",
			CommandLineOnly: "it chooses the program that runs with your secrets" + lessTrusted,
			Usage:           "the Chrome/Chromium binary to run",
			Value:           settings.String(func(c *Config) *string { return &c.ChromiumPath })},

		// Behaviour: bounds and thresholds, in the file only.
		{Key: "timeouts.session", Group: GroupBehaviour, FileOnly: aStepBound, Usage: "opening an isolated browser context and tab",
			Value: timeout(func(c *Config) *time.Duration { return &c.Timeouts.Session }, 10*time.Second)},
		{Key: "timeouts.navigation", Group: GroupBehaviour, FileOnly: aStepBound, Usage: "one page load with its cookie verdicts",
			Value: timeout(func(c *Config) *time.Duration { return &c.Timeouts.Navigation }, 15*time.Second)},
		{Key: "timeouts.script", Group: GroupBehaviour, FileOnly: aStepBound, Usage: "one in-page script (fetch, iframe wait)",
			Value: timeout(func(c *Config) *time.Duration { return &c.Timeouts.Script }, 10*time.Second)},
		{Key: "timeouts.probe", Group: GroupBehaviour, FileOnly: aStepBound, Usage: "one HTTP request to a target",
			Value: timeout(func(c *Config) *time.Duration { return &c.Timeouts.Probe }, 10*time.Second)},
		{Key: "timeouts.evidence", Group: GroupBehaviour, FileOnly: aStepBound, Usage: "gathering one evidence bundle end to end",
			Value: timeout(func(c *Config) *time.Duration { return &c.Timeouts.Evidence }, 60*time.Second)},
		{Key: "timeouts.browser_start", Group: GroupBehaviour, FileOnly: aStepBound, Usage: "launching Chromium",
			Value: timeout(func(c *Config) *time.Duration { return &c.Timeouts.BrowserStart }, 30*time.Second)},
		{Key: "timeouts.reference_start", Group: GroupBehaviour, FileOnly: aStepBound, Usage: "starting the reference servers",
			Value: timeout(func(c *Config) *time.Duration { return &c.Timeouts.ReferenceStart }, 10*time.Second)},
		{Key: "timeouts.shutdown", Group: GroupBehaviour, FileOnly: aStepBound, Usage: "Ginkgo's grace period for cleanups after an interrupt",
			Value: timeout(func(c *Config) *time.Duration { return &c.Timeouts.Shutdown }, 5*time.Second)},
		{Key: "thresholds.max_token_lifetime", Group: GroupBehaviour, FileOnly: aThreshold, Usage: "a token living longer is reported (TOKEN_LIFETIME_LONG)",
			Value: settings.Duration(func(c *Config) *time.Duration { return &c.Thresholds.MaxTokenLifetime }).Default(24 * time.Hour)},
		{Key: "thresholds.clock_tolerance", Group: GroupBehaviour, FileOnly: aThreshold, Usage: "a clock further off is reported (TOKEN_CLOCK_SKEW)",
			Value: settings.Duration(func(c *Config) *time.Duration { return &c.Thresholds.ClockTolerance }).Default(2 * time.Minute)},
		{Key: "thresholds.exp_leeway", Group: GroupBehaviour, FileOnly: aThreshold, Usage: "a token this close past exp is not yet \"expired\"",
			Value: settings.Duration(func(c *Config) *time.Duration { return &c.Thresholds.ExpLeeway }).Default(reference.DefaultLeeway)},
	},
}

// timeout binds a bound of the run: positive, with its default.
func timeout(ptr func(*Config) *time.Duration, def time.Duration) settings.Value[Config] {
	return settings.Duration(ptr).Default(def).Check(func(d time.Duration) error {
		if d <= 0 {
			return fmt.Errorf("%q: want a positive duration", d.String())
		}
		return nil
	})
}

// EnvInput is a value read from the environment only, never from a flag
// or the file: a secret, or the Supabase project a run checks (the
// variables the Miiflow frontend itself gets).
type EnvInput struct {
	Name  string
	Usage string
	Shown Shown // how config check shows it
}

// Shown is how config check shows an environment input.
type Shown int

// How an environment input is shown.
const (
	ShownPlain       Shown = iota // as it is (cleaned; URL passwords masked)
	ShownFingerprint              // a key: its fingerprint only
	ShownSetOrNot                 // a password: "set" or "not set"
)

// EnvInputs are the run's environment-only inputs, for help, the docs and
// config check.
var EnvInputs = []EnvInput{
	{"AUTH_SECRET_KEY", "JWT mode: the key the backend signs mf_jwt_token with (or --secret-file)", ShownFingerprint},
	{"NEXT_PUBLIC_SUPABASE_URL", "Supabase mode: the project to check, as the frontend gets it", ShownPlain},
	{"NEXT_PUBLIC_SUPABASE_KEY", "Supabase mode: the project's publishable (anon) key", ShownFingerprint},
	{"SUPABASE_JWT_SECRET", "Supabase mode: the project's JWT secret, to check token signatures", ShownFingerprint},
	{"SUPABASE_TEST_EMAIL", "Supabase mode: the test user's email", ShownPlain},
	{"SUPABASE_TEST_PASSWORD", "Supabase mode: the test user's password", ShownSetOrNot},
}

func backendZone(s string) error {
	_, err := jwtcheck.ParseZone(s)
	return err
}

func notEmpty(s string) error {
	if s == "" {
		return errors.New("is empty")
	}
	return nil
}

func notNegative(n int) error {
	if n < 0 {
		return fmt.Errorf("%d: want 0 or more", n)
	}
	return nil
}

func optionalHTTP(s string) error {
	if s == "" {
		return nil
	}
	return absoluteHTTP(s)
}

func appURL(s string) error {
	if s == "" || s == "reference" {
		return nil
	}
	if err := absoluteHTTP(s); err != nil {
		return fmt.Errorf("%v (or \"reference\")", err)
	}
	return nil
}

func absPath(s string) error {
	if !strings.HasPrefix(s, "/") {
		return fmt.Errorf("%q must start with /", s)
	}
	return nil
}

func httpStatus(n int) error {
	if n < 100 || n > 599 {
		return fmt.Errorf("%d: want an HTTP status", n)
	}
	return nil
}

func trimSlash(s string) string { return strings.TrimSuffix(s, "/") }

// appOrigin accepts an https origin: scheme and host, no path or query.
func appOrigin(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return fmt.Errorf("%q: want an https origin such as https://app.example.com", redactURL(s))
	}
	return nil
}

func lowerHosts(hs []string) []string {
	out := make([]string, 0, len(hs))
	for _, h := range hs {
		out = append(out, strings.ToLower(strings.TrimSpace(h)))
	}
	return out
}

func sessionHosts(hs []string) error {
	for _, h := range hs {
		if h == "" || strings.ContainsAny(h, ":/ *") || net.ParseIP(h) != nil || strings.HasPrefix(h, ".") {
			return fmt.Errorf("%q: want a host name such as api.example.com", h)
		}
	}
	return nil
}

// allowHosts accepts --allow-host's entries: a host name, *.domain, or
// HOST:PORT (an address needs its port: an IP is one machine's, and its
// port says which of its services).
func allowHosts(hs []string) error {
	for _, h := range hs {
		if ep := egress.Endpoint(h); ep != "" {
			if host, _, _ := net.SplitHostPort(ep); host != "" && (net.ParseIP(host) != nil || hostmapPattern(host)) {
				continue
			}
		} else if net.ParseIP(strings.Trim(h, "[]")) == nil && hostmapPattern(h) {
			continue
		}
		return fmt.Errorf("%q: want a host name such as sso.example.com, *.example.com, or HOST:PORT such as 127.0.0.2:8443", h)
	}
	return nil
}

// hostmapPattern reports whether h is a host name or *.domain pattern.
func hostmapPattern(h string) bool {
	var hm hostmap.Map
	return hm.Add(h, "127.0.0.1") == nil
}

func resolveRules(rules []string) error {
	var hm hostmap.Map
	for _, r := range rules {
		h, a, ok := strings.Cut(r, "=")
		if !ok || h == "" || net.ParseIP(a) == nil {
			return fmt.Errorf("%q: want HOST=IP (HOST may be *.domain)", r)
		}
		if err := hm.Add(h, a); err != nil {
			return fmt.Errorf("%q: %v", r, err)
		}
	}
	return nil
}

func proxyURL(s string) error {
	if s == "" {
		return nil
	}
	if u, err := url.Parse(s); err != nil || u.Host == "" || u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%q: want a URL such as http://proxy.internal:3128", redactURL(s))
	}
	return nil
}

func labelFilter(s string) error {
	if s == "" {
		return nil
	}
	if _, err := types.ParseLabelFilter(s); err != nil {
		return fmt.Errorf("%q: %s", s, labelSyntax(err))
	}
	return checkLabels(s)
}

// redactForm shows a login form's literal values as "set" and the
// environment references as they are.
func redactForm(form map[string]string) map[string]string {
	if len(form) == 0 {
		return form
	}
	out := map[string]string{}
	for k, v := range form {
		if !strings.HasPrefix(v, "env:") {
			v = "(a literal value, set)"
		}
		out[k] = v
	}
	return out
}

// stackID accepts "" (not named) or a stack of suites/stack's table.
func stackID(v string) error {
	if v == "" || slices.Contains(stack.IDs(), v) {
		return nil
	}
	return fmt.Errorf("%q: want one of %s (the stacks mfconform knows; leave it out for another)", v, strings.Join(stack.IDs(), ", "))
}
