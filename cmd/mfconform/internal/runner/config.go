package runner

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/settings"
	"github.com/mfconform/mfconform/harness/clientsite"
	"github.com/mfconform/mfconform/harness/pki"
	"github.com/mfconform/mfconform/harness/reference"
	"github.com/mfconform/mfconform/harness/supabaseref"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/redact"
	"github.com/mfconform/mfconform/suites/result"
)

// Modes.
const (
	ModeJWT      = "jwt"
	ModeSupabase = "supabase"
	ModeAll      = "all"
)

// ErrConfig wraps every configuration error.
var ErrConfig = errors.New("invalid configuration")

// Config is the whole configuration of a run. Defaults gives every field a
// value, Load layers the file, the environment and the flags over it and
// resolves what derives from them, and Validate checks it before anything
// starts. The settings an operator sets are declared once, in Settings;
// the fields here only hold them.
type Config struct {
	Mode        string // jwt, supabase or all
	ReportDir   string // where the reports go
	LabelFilter string // Ginkgo label filter, ANDed with the mode
	Focus       []string
	// FailOn is "fail" (default) or "warn" (only warnings exit 2).
	FailOn string
	// AllowIncomplete makes an incomplete run (specs not judged for a
	// missing input) exit 0 instead of 4.
	AllowIncomplete bool
	// Thorough allows slow checks (waiting out a refresh-token reuse
	// interval).
	Thorough bool
	// WaiversFile is the YAML file of waivers the run loads.
	WaiversFile string

	// Reference is the profile of the embedded reference deployment, and
	// FixtureName its name when it came from a fixture ("" for the default).
	Reference   reference.Profile
	FixtureName string
	// SupabaseReference is the profile of the embedded reference Supabase
	// project, used when SupabaseTarget is nil.
	SupabaseReference supabaseref.Profile
	// SupabaseTarget, when set, is a real project to check (from
	// NEXT_PUBLIC_SUPABASE_URL and friends) instead of the reference.
	SupabaseTarget *env.SupabaseTarget
	// SupabaseAppHost is the app's host name (--app-origin sets it): the
	// reference project's app is served there; a real app's is the
	// operator's, and mfconform's pages go beside it (harness/deployment).
	SupabaseAppHost string
	// Supabase is how Supabase mode meets the app: its own sign-in page
	// (login_script), the hosts that share the session, embedding.
	Supabase SupabaseConfig
	// SupabaseApp is the reference app's profile (how it keeps its
	// session), used when SupabaseTarget is nil.
	SupabaseApp clientsite.AppProfile
	// JWT points JWT mode at a real deployment.
	JWT JWTConfig
	// Network is how targets are reached.
	Network NetworkConfig

	// Secret is AUTH_SECRET_KEY, from the environment or --secret-file
	// only (never a flag or the config file).
	Secret []byte
	// FixtureSecret is a fixture's own AUTH_SECRET_KEY (a weak one on
	// purpose); the embedded deployment then uses it.
	FixtureSecret []byte
	// ReferenceUsesEnvSecret lets the embedded reference deployment sign
	// with the operator's AUTH_SECRET_KEY, and the reference Supabase
	// project with SUPABASE_JWT_SECRET. Off by default: the reference's
	// /login, and a sign-in at its project, would hand tokens valid for
	// those keys to any local process.
	ReferenceUsesEnvSecret bool

	// AllowEnv are the variables the configuration file's env: references
	// may read although their names say they hold a secret (--allow-env;
	// command line only: a file cannot allow itself a secret).
	AllowEnv []string

	// Waivers turn accepted failures and warnings into waived results.
	Waivers []result.Waiver

	// ChromiumPath is the browser binary: from MFCONFORM_CHROMIUM or
	// --chromium only, never from a config file (a file must not choose
	// what runs with the operator's secrets).
	ChromiumPath string
	// SharedBrowser, when set, is the Unix socket (mode 0600 in the batch's
	// 0700 folder) through which a batch (--targets) shares its Chromium;
	// the run attaches instead of launching.
	SharedBrowser string
	// SharedCA, when set, issues the run's leaf certificate: the shared
	// browser trusts it once for the whole batch.
	SharedCA *pki.CA
	// SharedPrivateCA, when set, are the private CAs (PEM) the shared
	// browser trusts for this run: its own --ca-file's and the batch's
	// --ca-file's certificates. The run's Go client trusts the same.
	SharedPrivateCA []byte
	// BlockThirdPartyCookies runs the login flow in a browser context that
	// blocks third-party cookies.
	BlockThirdPartyCookies bool
	Timeouts               Timeouts
	Thresholds             env.Thresholds

	// Output is how the command shows the run (--format, --quiet,
	// --color); the run itself never reads it.
	Output OutputConfig

	Version string
	// Show, when set, shows the finished run's console lines: the command
	// decides where and how (all of them or --quiet's, coloured or not).
	Show func(*result.Report)
	// Progress, when set, hears which evidence bundles the run waits for.
	Progress func(waiting []string)

	// jwtTarget is the resolved JWT target of a targeted run (Load).
	jwtTarget env.Target
	// appOrigin is --app-origin without a trailing slash; sbLogin and
	// sbLogout are the Supabase scripts with their values resolved (Load).
	appOrigin         string
	sbLogin, sbLogout []env.LoginStep
	// refSecret is the embedded deployment's per-run AUTH_SECRET_KEY.
	refSecret []byte
	// ConfigFile is the --config file the settings were read from, and
	// fileDoc its YAML, for the positions of what is checked after
	// decoding (checkEnvRefs).
	ConfigFile string
	fileDoc    result.YAMLDoc
	// sources says where each setting that left its default came from.
	sources settings.Sources
}

// OutputConfig is how a run shows itself on the command line.
type OutputConfig struct {
	// Format is FormatConsole (the console lines on stdout) or FormatJSON
	// (report.json alone on stdout; the console lines on stderr).
	Format string
	// Quiet leaves the console only the failures, the warnings and the
	// verdict.
	Quiet bool
	// Color is ColorAuto, ColorAlways or ColorNever.
	Color string
}

// Output formats and colour choices.
const (
	FormatConsole = "console"
	FormatJSON    = "json"
	ColorAuto     = "auto"
	ColorAlways   = "always"
	ColorNever    = "never"
)

// Timeouts are every bound of a run, each a named field.
type Timeouts struct {
	env.Timeouts
	BrowserStart   time.Duration // launching Chromium
	ReferenceStart time.Duration // starting the reference servers
	Suite          time.Duration // Ginkgo's bound on the whole spec run
	Shutdown       time.Duration // Ginkgo's grace period for cleanups after an interrupt
}

// Defaults returns the default configuration: both modes against the
// embedded reference deployment in its documented setup, every setting at
// its default (declared in Settings).
func Defaults() Config {
	c := Config{
		Reference:         reference.DefaultProfile(),
		SupabaseReference: supabaseref.DefaultProfile(),
		SupabaseApp:       clientsite.DefaultAppProfile(),
		Version:           "dev",
	}
	Settings.SetDefaults(&c)
	return c
}

// Validate checks the configuration; every error wraps ErrConfig. Each
// setting's own checks are declared with it in Settings; what depends on
// several settings, and the files and names the run will use, are checked
// here (validateInputs). Prepare is Load and Validate.
func (c Config) Validate() error {
	if err := Settings.Validate(&c, c.sources); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if c.JWT.Reference() && c.JWT.LoginURL == "" {
		return fmt.Errorf("%w: --app-url reference needs --login-url: the reference app checks your backend's cookie", ErrConfig)
	}
	if err := c.validateSupabase(); err != nil {
		return err
	}
	if err := c.validateHosts(); err != nil {
		return err
	}
	return c.validateInputs()
}

// Runs reports whether the run includes mode (ModeJWT or ModeSupabase).
func (c Config) Runs(mode string) bool { return c.Mode == mode || c.Mode == ModeAll }

// labelFilter is the filter Ginkgo runs with: the mode's label, ANDed with
// the operator's filter.
func (c Config) labelFilter() string {
	f := "mode:" + c.Mode
	if c.Mode == ModeAll {
		f = "(mode:jwt || mode:supabase)"
	}
	if c.LabelFilter != "" {
		f += " && (" + c.LabelFilter + ")"
	}
	return f
}

// ReferenceSecret is the AUTH_SECRET_KEY of the embedded reference
// deployment: a fixture's own, the operator's when they opted in, or one
// made for this run.
func (c Config) ReferenceSecret() []byte {
	switch {
	case c.FixtureSecret != nil:
		return c.FixtureSecret
	case c.ReferenceUsesEnvSecret && len(c.Secret) > 0:
		return c.Secret
	case c.refSecret != nil:
		return c.refSecret
	}
	return NewSecret()
}

// Fingerprint identifies the configuration without revealing secrets:
// the first 8 hex digits of SHA-256 over the mode, filters, fixture,
// targets, thresholds, timeouts and the secrets' own fingerprints.
func (c Config) Fingerprint() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%v|%s|%+v|%+v|%v|%s|%v|", c.Mode, c.LabelFilter, c.Focus, c.FixtureName, c.Thresholds, c.Timeouts, c.BlockThirdPartyCookies, c.SupabaseAppHost, c.Thorough)
	fmt.Fprintf(h, "%v|%v|%d|%d|%+v|%s|", c.Supabase.SessionHosts, c.Supabase.Embedded, len(c.Supabase.LoginScript), len(c.Supabase.LogoutScript), c.Supabase.ServerCheck, c.Supabase.EmbedURL)
	fmt.Fprintf(h, "%s|%s|%s|%s|", redact.Fingerprint(c.Secret), redact.Fingerprint(c.SupabaseReference.JWTSecret), c.JWT.LoginURL, c.JWT.AppURL)
	if t := c.SupabaseTarget; t != nil {
		fmt.Fprintf(h, "%s|%s|%s|%s|", t.URL, redact.Fingerprint([]byte(t.Key)), t.Email, redact.Fingerprint(t.JWTSecret))
	}
	for _, w := range c.Waivers {
		fmt.Fprintf(h, "%+v|", w)
	}
	return hex.EncodeToString(h.Sum(nil)[:4])
}
