// Package runner runs mfconform's suites once per process: it loads and
// validates the one configuration (defaults < --config file < MFCONFORM_*
// environment < flags), prepares the environment (reference deployment,
// Supabase project, Chromium), runs the Ginkgo specs and assembles and
// writes the report. Exit codes are decided by the caller from the Report
// it returns.
package runner

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/mfconform/mfconform/harness/clientsite"
	"github.com/mfconform/mfconform/harness/hostmap"
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
// starts.
type Config struct {
	Mode        string   `yaml:"mode"`         // jwt, supabase or all
	ReportDir   string   `yaml:"report_dir"`   // where the reports go
	LabelFilter string   `yaml:"label_filter"` // Ginkgo label filter, ANDed with the mode
	Focus       []string `yaml:"focus"`
	// FailOn is "fail" (default) or "warn" (only warnings exit 2).
	FailOn string `yaml:"fail_on"`
	// AllowIncomplete makes an incomplete run (specs not judged for a
	// missing input) exit 0 instead of 4.
	AllowIncomplete bool `yaml:"allow_incomplete"`
	// Thorough allows slow checks (waiting out a refresh-token reuse
	// interval).
	Thorough bool `yaml:"thorough"`
	// WaiversFile is the YAML file of waivers the run loads.
	WaiversFile string `yaml:"waivers"`

	// Reference is the profile of the embedded reference deployment, and
	// FixtureName its name when it came from a fixture ("" for the default).
	Reference   reference.Profile `yaml:"-"`
	FixtureName string            `yaml:"fixture"`
	// SupabaseReference is the profile of the embedded reference Supabase
	// project, used when SupabaseTarget is nil.
	SupabaseReference supabaseref.Profile `yaml:"-"`
	// SupabaseTarget, when set, is a real project to check (from
	// NEXT_PUBLIC_SUPABASE_URL and friends) instead of the reference.
	SupabaseTarget *env.SupabaseTarget `yaml:"-"`
	// SupabaseAppHost is the app's host name (--app-origin sets it): the
	// reference project's app is served there; a real app's is the
	// operator's, and mfconform's pages go beside it (harness/deployment).
	SupabaseAppHost string `yaml:"supabase_app_host"`
	// Supabase is how Supabase mode meets the app: its own sign-in page
	// (login_script), the hosts that share the session, embedding.
	Supabase SupabaseConfig `yaml:"supabase"`
	// SupabaseApp is the reference app's profile (how it keeps its
	// session), used when SupabaseTarget is nil.
	SupabaseApp clientsite.AppProfile `yaml:"-"`
	// JWT points JWT mode at a real deployment.
	JWT JWTConfig `yaml:"jwt"`
	// Network is how targets are reached.
	Network NetworkConfig `yaml:"network"`

	// Secret is AUTH_SECRET_KEY, from the environment or --secret-file
	// only (never a flag or the config file).
	Secret []byte `yaml:"-"`
	// FixtureSecret is a fixture's own AUTH_SECRET_KEY (a weak one on
	// purpose); the embedded deployment then uses it.
	FixtureSecret []byte `yaml:"-"`
	// ReferenceUsesEnvSecret lets the embedded reference deployment sign
	// with the operator's AUTH_SECRET_KEY. Off by default: the reference's
	// /login would hand valid tokens for that key to any local process.
	ReferenceUsesEnvSecret bool `yaml:"-"`

	// Waivers turn accepted failures and warnings into waived results.
	Waivers []result.Waiver `yaml:"-"`

	// ChromiumPath is the browser binary: from MFCONFORM_CHROMIUM or
	// --chromium only, never from a config file (a file must not choose
	// what runs with the operator's secrets).
	ChromiumPath string `yaml:"-"`
	// SharedBrowser, when set, is the Unix socket (mode 0600 in the batch's
	// 0700 folder) through which a batch (--targets) shares its Chromium;
	// the run attaches instead of launching.
	SharedBrowser string `yaml:"-"`
	// SharedCA, when set, issues the run's leaf certificate: the shared
	// browser trusts it once for the whole batch.
	SharedCA *pki.CA `yaml:"-"`
	// BlockThirdPartyCookies runs the login flow in a browser context that
	// blocks third-party cookies.
	BlockThirdPartyCookies bool           `yaml:"block_third_party_cookies"`
	Timeouts               Timeouts       `yaml:"timeouts"`
	Thresholds             env.Thresholds `yaml:"thresholds"`

	Version string    `yaml:"-"`
	Stdout  io.Writer `yaml:"-"`
	// Progress, when set, hears which evidence bundles the run waits for.
	Progress func(waiting []string) `yaml:"-"`

	// jwtTarget is the resolved JWT target of a targeted run (Load).
	jwtTarget env.Target
	// appOrigin is --app-origin as given; sbLogin and sbLogout are the
	// Supabase scripts with their values resolved (Load).
	appOrigin         string
	sbLogin, sbLogout []env.LoginStep
	// refSecret is the embedded deployment's per-run AUTH_SECRET_KEY.
	refSecret []byte
	// modeFromFile records that the --config file named a mode.
	modeFromFile bool
}

// Timeouts are every bound of a run, each a named field.
type Timeouts struct {
	env.Timeouts   `yaml:",inline"`
	BrowserStart   time.Duration `yaml:"browser_start"`   // launching Chromium
	ReferenceStart time.Duration `yaml:"reference_start"` // starting the reference servers
	Suite          time.Duration `yaml:"suite"`           // Ginkgo's bound on the whole spec run
	Shutdown       time.Duration `yaml:"shutdown"`        // Ginkgo's grace period for cleanups after an interrupt
}

// Defaults returns the default configuration: both modes against the
// embedded reference deployment in its documented setup.
func Defaults() Config {
	return Config{
		Mode:              ModeAll,
		ReportDir:         "reports/out",
		Reference:         reference.DefaultProfile(),
		SupabaseReference: supabaseref.DefaultProfile(),
		SupabaseApp:       clientsite.DefaultAppProfile(),
		SupabaseAppHost:   "app.acme.test",
		Timeouts: Timeouts{
			Timeouts: env.Timeouts{
				Session:    10 * time.Second,
				Navigation: 15 * time.Second,
				Script:     10 * time.Second,
				Probe:      10 * time.Second,
				Evidence:   60 * time.Second,
			},
			BrowserStart:   30 * time.Second,
			ReferenceStart: 10 * time.Second,
			Suite:          10 * time.Minute,
			Shutdown:       5 * time.Second,
		},
		Thresholds: env.Thresholds{
			MaxTokenLifetime: 24 * time.Hour,
			ClockTolerance:   2 * time.Minute,
			ExpLeeway:        reference.DefaultLeeway,
		},
		Network: NetworkConfig{ConnectRetries: 2},
		FailOn:  "fail",
		Version: "dev",
	}
}

// Validate checks the configuration; every error wraps ErrConfig.
func (c Config) Validate() error {
	switch c.Mode {
	case ModeJWT, ModeSupabase, ModeAll:
	default:
		return fmt.Errorf("%w: --mode %q: want jwt, supabase or all", ErrConfig, c.Mode)
	}
	if c.ReportDir == "" {
		return fmt.Errorf("%w: --report-dir is empty", ErrConfig)
	}
	if c.FailOn != "fail" && c.FailOn != "warn" {
		return fmt.Errorf("%w: --fail-on %q: want fail or warn", ErrConfig, c.FailOn)
	}
	if err := c.validateJWT(); err != nil {
		return err
	}
	if err := c.validateSupabase(); err != nil {
		return err
	}
	if c.LabelFilter != "" {
		if _, err := types.ParseLabelFilter(c.LabelFilter); err != nil {
			return fmt.Errorf("%w: --label-filter %q: %s", ErrConfig, c.LabelFilter, result.Clean(err.Error()))
		}
	}
	var hm hostmap.Map
	for _, r := range c.Network.Resolve {
		h, a, ok := cut(r, "=")
		if !ok || h == "" || net.ParseIP(a) == nil {
			return fmt.Errorf("%w: --resolve %q: want HOST=IP (HOST may be *.domain)", ErrConfig, r)
		}
		if err := hm.Add(h, a); err != nil {
			return fmt.Errorf("%w: --resolve %q: %v", ErrConfig, r, err)
		}
	}
	if c.Network.Proxy != "" {
		if u, err := url.Parse(c.Network.Proxy); err != nil || u.Host == "" || u.Scheme != "http" && u.Scheme != "https" {
			return fmt.Errorf("%w: --proxy %q: want a URL such as http://proxy.internal:3128", ErrConfig, redactURL(c.Network.Proxy))
		}
	}
	for name, d := range map[string]time.Duration{
		"session": c.Timeouts.Session, "navigation": c.Timeouts.Navigation, "script": c.Timeouts.Script,
		"probe": c.Timeouts.Probe, "evidence": c.Timeouts.Evidence, "browser start": c.Timeouts.BrowserStart,
		"reference start": c.Timeouts.ReferenceStart, "suite": c.Timeouts.Suite, "shutdown": c.Timeouts.Shutdown,
	} {
		if d <= 0 {
			return fmt.Errorf("%w: the %s timeout must be positive, got %s", ErrConfig, name, d)
		}
	}
	return c.validateHosts()
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
	fmt.Fprintf(h, "%v|%v|%d|%d|", c.Supabase.SessionHosts, c.Supabase.Embedded, len(c.Supabase.LoginScript), len(c.Supabase.LogoutScript))
	fmt.Fprintf(h, "%s|%s|%s|%s|", redact.Fingerprint(c.Secret), redact.Fingerprint(c.SupabaseReference.JWTSecret), c.JWT.LoginURL, c.JWT.AppURL)
	if t := c.SupabaseTarget; t != nil {
		fmt.Fprintf(h, "%s|%s|%s|%s|", t.URL, redact.Fingerprint([]byte(t.Key)), t.Email, redact.Fingerprint(t.JWTSecret))
	}
	for _, w := range c.Waivers {
		fmt.Fprintf(h, "%+v|", w)
	}
	return hex.EncodeToString(h.Sum(nil)[:4])
}
