// Package env is what the specs see of a run: the target deployment's
// addresses, the operator's secret, the shared browser, and the judging
// thresholds. The runner fills it in before the specs run; specs only read.
package env

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/mfconform/mfconform/harness/browser"
)

// Target is the deployment under test.
type Target struct {
	// Description says what is checked, e.g. "embedded reference deployment
	// (fixture host-only)".
	Description string
	// LoginURL is the backend endpoint that authenticates the test user and
	// sets mf_jwt_token.
	LoginURL string
	// AppURL is the Miiflow app's origin, e.g. https://app.acme.test:8443.
	AppURL string
	// LoginMethod is GET (navigate to LoginURL) or POST (submit LoginForm
	// to it); LoginScript, when set, replaces both with scripted steps.
	LoginMethod string
	LoginForm   map[string]string // resolved values: may hold credentials, never print
	LoginScript []LoginStep
	// ProbePath is the app path that answers AuthenticatedStatus for a
	// signed-in user (with the user's id in the JSON field UserIDField) and
	// 401/403 or a redirect otherwise.
	ProbePath           string
	AuthenticatedStatus int
	UserIDField         string
	// EmbedURL is the origin of a page on another site that embeds the app.
	EmbedURL string
	// Secret is AUTH_SECRET_KEY; nil when the operator did not provide it.
	Secret []byte
}

// LoginStep is one step of a scripted login, run in Chromium: exactly one
// of Navigate, Fill (with Value), Click or WaitCookie is set.
type LoginStep struct {
	Navigate   string `yaml:"navigate,omitempty"`
	Fill       string `yaml:"fill,omitempty"`  // CSS selector
	Env        string `yaml:"env,omitempty"`   // the environment variable Fill's value comes from
	Value      string `yaml:"-"`               // resolved from Env; never printed
	Click      string `yaml:"click,omitempty"` // CSS selector
	WaitCookie string `yaml:"wait_cookie,omitempty"`
}

// SupabaseTarget is what Supabase mode checks: the deployment's two public
// variables, the app origin its browser code runs on, and optional test
// credentials and JWT secret.
type SupabaseTarget struct {
	// URL and Key are NEXT_PUBLIC_SUPABASE_URL and NEXT_PUBLIC_SUPABASE_KEY
	// exactly as configured. Key is public by intent but may be a leaked
	// secret key: never print it.
	URL string
	Key string
	// ClientURL is the origin serving mfconform's supabase-js page under
	// the app's host name (the origin CORS is checked for).
	ClientURL string
	// Email and Password are the test user's credentials (both empty: the
	// sign-in specs skip).
	Email, Password string
	// JWTSecret is the project's JWT secret, nil when not provided.
	JWTSecret []byte
}

// Thresholds are the judging limits, all configurable.
type Thresholds struct {
	MaxTokenLifetime time.Duration `yaml:"max_token_lifetime"` // TOKEN_LIFETIME_LONG above this
	ClockTolerance   time.Duration `yaml:"clock_tolerance"`    // TOKEN_CLOCK_SKEW above this
	ExpLeeway        time.Duration `yaml:"exp_leeway"`         // a token this close past exp is not "expired" yet
}

// Timeouts bound every network and browser step.
type Timeouts struct {
	Session    time.Duration `yaml:"session"`    // open an isolated browser context and tab
	Navigation time.Duration `yaml:"navigation"` // one page load with its cookie verdicts
	Script     time.Duration `yaml:"script"`     // one in-page script (fetch, iframe wait)
	Probe      time.Duration `yaml:"probe"`      // one probe of the app
	Evidence   time.Duration `yaml:"evidence"`   // gathering one evidence bundle end to end
}

// Env is the run's environment.
type Env struct {
	// Ctx ends when the run is interrupted or finished; background evidence
	// gathering runs under it.
	Ctx    context.Context
	Target Target
	// Supabase is the Supabase-mode target; nil when that mode is not run.
	Supabase *SupabaseTarget
	Browser  *browser.Browser
	// HTTP is the Go client for checks that need no browser: it dials
	// through the run's host map and trusts the run's CA.
	HTTP       *http.Client
	Thresholds Thresholds
	Timeouts   Timeouts
	// BlockThirdPartyCookies judges as a browser that blocks third-party
	// cookies would (Chromium's default here, Safari, incognito windows).
	BlockThirdPartyCookies bool
	// Now is the clock judgments use.
	Now func() time.Time

	phaseMu sync.Mutex
	phases  map[string]time.Duration
}

// Interrupted reports whether the run itself was stopped (Ctrl-C), as
// opposed to one step timing out.
func (e *Env) Interrupted() bool { return e != nil && e.Ctx != nil && e.Ctx.Err() != nil }

// RecordPhase notes how long a named step of evidence gathering took, for
// the report's timings.
func (e *Env) RecordPhase(name string, d time.Duration) {
	e.phaseMu.Lock()
	defer e.phaseMu.Unlock()
	if e.phases == nil {
		e.phases = map[string]time.Duration{}
	}
	e.phases[name] += d
}

// Phases returns a copy of the recorded phase durations.
func (e *Env) Phases() map[string]time.Duration {
	e.phaseMu.Lock()
	defer e.phaseMu.Unlock()
	out := make(map[string]time.Duration, len(e.phases))
	for k, v := range e.phases {
		out[k] = v
	}
	return out
}

var (
	mu      sync.RWMutex
	current *Env
)

// Set installs the environment for this process's run.
func Set(e *Env) {
	mu.Lock()
	defer mu.Unlock()
	current = e
}

// Get returns the run's environment, or nil before setup finished (or when it
// failed).
func Get() *Env {
	mu.RLock()
	defer mu.RUnlock()
	return current
}
