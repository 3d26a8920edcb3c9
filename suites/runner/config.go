// Package runner runs mfconform's suites once per process: it validates the
// configuration, prepares the environment (reference deployment and
// Chromium, concurrently), runs the Ginkgo specs, prints each result as it
// lands and writes the reports. Exit codes are decided by the caller from
// the Report it returns.
package runner

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/mfconform/mfconform/harness/reference"
	"github.com/mfconform/mfconform/harness/supabaseref"
	"github.com/mfconform/mfconform/reports"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/redact"
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
// value; Validate checks it before anything starts.
type Config struct {
	Mode        string // jwt, supabase or all
	ReportDir   string // where report.json and junit.xml go
	LabelFilter string // Ginkgo label filter, ANDed with the mode
	Focus       []string

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
	// AppHost is the host name mfconform's supabase-js page is served
	// under (the app origin CORS is checked for).
	AppHost string
	// Secret is AUTH_SECRET_KEY. For the embedded deployment it is generated
	// per run unless set (a fixture may set a weak one on purpose).
	Secret []byte

	// Waivers turn accepted failures and warnings into waived results.
	Waivers []reports.Waiver

	ChromiumPath string
	// BlockThirdPartyCookies runs the login flow in a browser context that
	// blocks third-party cookies.
	BlockThirdPartyCookies bool
	Timeouts               Timeouts
	Thresholds             env.Thresholds

	Version string
	Stdout  io.Writer
}

// Timeouts are every bound of a run, each a named field.
type Timeouts struct {
	env.Timeouts
	BrowserStart   time.Duration // launching Chromium
	ReferenceStart time.Duration // starting the reference servers
	Suite          time.Duration // the whole spec run
	Shutdown       time.Duration // closing browser and servers
}

// Defaults returns the default configuration: JWT mode against the
// embedded reference deployment in its documented setup.
func Defaults() Config {
	return Config{
		Mode:              ModeAll,
		ReportDir:         "reports/out",
		Reference:         reference.DefaultProfile(),
		SupabaseReference: supabaseref.DefaultProfile(),
		AppHost:           "app.acme.test",
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
			Suite:          5 * time.Minute,
			Shutdown:       5 * time.Second,
		},
		Thresholds: env.Thresholds{
			MaxTokenLifetime: 24 * time.Hour,
			ClockTolerance:   2 * time.Minute,
			ExpLeeway:        reference.DefaultLeeway,
		},
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
	if c.LabelFilter != "" {
		if _, err := types.ParseLabelFilter(c.LabelFilter); err != nil {
			return fmt.Errorf("%w: --label-filter %q: %v", ErrConfig, c.LabelFilter, err)
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
	return nil
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

// Fingerprint identifies the configuration without revealing secrets:
// the first 8 hex digits of SHA-256 over the mode, filters, fixture,
// targets, thresholds, timeouts and the secrets' own fingerprints.
func (c Config) Fingerprint() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%v|%s|%+v|%+v|%v|%s|", c.Mode, c.LabelFilter, c.Focus, c.FixtureName, c.Thresholds, c.Timeouts, c.BlockThirdPartyCookies, c.AppHost)
	fmt.Fprintf(h, "%s|%s|", redact.Fingerprint(c.Secret), redact.Fingerprint(c.SupabaseReference.JWTSecret))
	if t := c.SupabaseTarget; t != nil {
		fmt.Fprintf(h, "%s|%s|%s|%s|", t.URL, redact.Fingerprint([]byte(t.Key)), t.Email, redact.Fingerprint(t.JWTSecret))
	}
	for _, w := range c.Waivers {
		fmt.Fprintf(h, "%+v|", w)
	}
	return hex.EncodeToString(h.Sum(nil)[:4])
}
