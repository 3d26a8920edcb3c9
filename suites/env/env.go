// Package env is what the specs' evidence gathering sees of a run: the
// target deployment's addresses, the operator's secrets, the run's
// redaction set, the shared browser, the Go HTTP client and the judging
// thresholds and timeouts. The runner builds it once the servers and the
// browser are up; nothing here judges.
package env

import (
	"net/http"
	"time"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/harness/egress"
	"github.com/mfconform/mfconform/harness/hostmap"
	"github.com/mfconform/mfconform/suites/redact"
)

// Shape says which parts of a JWT deployment a run checks.
type Shape string

// Run shapes of JWT mode.
const (
	// ShapeFull checks the backend that sets the cookie and the app that
	// reads it.
	ShapeFull Shape = "full"
	// ShapeAppOnly checks only the app (no --login-url): there is no
	// backend cookie or token to judge.
	ShapeAppOnly Shape = "app-only"
	// ShapeBackendOnly checks only the backend: the app is mfconform's
	// reference verifier (--app-url reference), or there is none.
	ShapeBackendOnly Shape = "backend-only"
)

// Target is the JWT deployment under test.
type Target struct {
	// Description says what is checked, e.g. "embedded reference deployment
	// (fixture host-only)".
	Description string
	// LoginURL is the backend endpoint that authenticates the test user and
	// sets mf_jwt_token.
	LoginURL string
	// AppURL is the Miiflow app's origin, e.g. https://app.acme.test:8443.
	AppURL string
	// AppIsReference marks a backend-only run whose app is mfconform's own
	// reference verifier: the app specs would judge mfconform, not the
	// deployment.
	AppIsReference bool
	// LoginMethod is GET (navigate to LoginURL) or POST (submit LoginForm
	// to it); LoginScript, when set, replaces both with scripted steps.
	LoginMethod string
	LoginForm   map[string]string // resolved values: may hold credentials, never print
	LoginScript []LoginStep
	// BeforeLogin are pages the browser visits, in a fresh context, before
	// it logs in — what a returning user's browser saw earlier (the
	// reference deployment's leftover-cookie profile plants a stale cookie
	// this way). They are not part of the login's evidence.
	BeforeLogin []string
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
	// BackendZone is the zone the operator says the backend's server runs
	// in (--backend-timezone); nil when not given.
	BackendZone *time.Location
	// Hosts are the run's --resolve rules (and the reference hosts'), so
	// a finding about a target that gave no answer can say which address
	// its name was mapped to; nil for none.
	Hosts *hostmap.Map
	// BackendStack and AppStack are the stacks the operator named
	// (--backend-stack, --app-stack: a suites/stack ID), "" when not
	// named: fixes are then written for them, stated as given.
	BackendStack string
	AppStack     string
}

// Shape returns the run's shape.
func (t Target) Shape() Shape {
	switch {
	case t.LoginURL == "":
		return ShapeAppOnly
	case t.AppURL == "" || t.AppIsReference:
		return ShapeBackendOnly
	}
	return ShapeFull
}

// LoginStep is one step of a scripted login (or logout), run in Chromium:
// exactly one of Navigate, Fill (with Value), Click, Wait or WaitCookie is
// set.
type LoginStep struct {
	Navigate string `yaml:"navigate,omitempty"`
	Fill     string `yaml:"fill,omitempty"`  // CSS selector
	Env      string `yaml:"env,omitempty"`   // the environment variable Fill's value comes from
	Value    string `yaml:"-"`               // resolved from Env; never printed
	Click    string `yaml:"click,omitempty"` // CSS selector
	Wait     string `yaml:"wait,omitempty"`  // CSS selector of an element to wait for
	// WaitCookie waits for a cookie of this name, or for its first chunk
	// (name.0, as @supabase/ssr writes a large session).
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
	// ClientURL is the origin serving mfconform's supabase-js page and its
	// reference @supabase/ssr app: the reference project's app origin, or
	// beside a real app a name of mfconform's (mfconform-client.<the app's
	// parent domain>; the app's own host is the operator's and never
	// served). ClientErr says why there is none (supabase-js's bundle is
	// missing).
	ClientURL string
	ClientErr error
	// Email and Password are the test user's credentials (both empty: the
	// sign-in and session specs are not judged).
	Email, Password string
	// JWTSecret is the project's JWT secret, nil when not provided.
	JWTSecret []byte

	// Reference marks the embedded reference project: the reference app on
	// ClientURL is then the app under test.
	Reference bool
	// AppURL is the app's own origin (--app-origin); the reference app's
	// is ClientURL.
	AppURL string
	// CookieClientErr says why mfconform's reference app (the @supabase/ssr
	// page under ClientURL/app/) cannot run: its bundle is missing.
	CookieClientErr error
	// LoginScript signs the test user in through the app's own page
	// (supabase.login_script); LogoutScript signs out there. Without a
	// login script the reference app on ClientURL signs in.
	LoginScript, LogoutScript []LoginStep
	// ServerURL is mfconform's server-side stand-in on a sibling host of
	// the app (ServerHost), which reads the session cookies as
	// createServerClient does.
	ServerURL, ServerHost string
	// SessionHosts are the hosts that must share the session
	// (--session-host; default the stand-in's host).
	SessionHosts []string
	// Embedded says the app is used inside an iframe on another site;
	// EmbedURL is the origin of mfconform's page of another site that
	// embeds it.
	Embedded bool
	EmbedURL string
	// ServerCheck is the app's own server-side page or endpoint that reads
	// the session (supabase.server_check); its zero value names none, and
	// SB-COOKIE-007 then judges mfconform's stand-in (ServerURL) and says
	// so.
	ServerCheck ServerCheck
	// EmbedPage is the app's page SB-COOKIE-006 puts in another site's
	// iframe (supabase.embed_url); "" embeds ServerCheck's URL, else a
	// page on a host the app's cookies cover (cookieevidence.go).
	EmbedPage string
}

// ServerCheck is the app's own server side as the operator names it,
// parallel to JWT mode's probe path: a URL that answers SignedInStatus
// with the signed-in user's id in the JSON field UserField (a dotted
// path such as user.id), and a refusal (401, 403) or a redirect to the
// sign-in page otherwise.
type ServerCheck struct {
	URL            string
	SignedInStatus int
	UserField      string
}

// Thresholds are the judging limits, all configurable (the configuration
// file's thresholds: section).
type Thresholds struct {
	MaxTokenLifetime time.Duration // TOKEN_LIFETIME_LONG above this
	ClockTolerance   time.Duration // TOKEN_CLOCK_SKEW above this
	ExpLeeway        time.Duration // a token this close past exp is not "expired" yet
}

// Timeouts bound every network and browser step (the configuration file's
// timeouts: section).
type Timeouts struct {
	Session    time.Duration // open an isolated browser context and tab
	Navigation time.Duration // one page load with its cookie verdicts
	Script     time.Duration // one in-page script (fetch, iframe wait)
	Probe      time.Duration // one HTTP request to a target
	Evidence   time.Duration // gathering one evidence bundle end to end
}

// Env is the run's environment.
type Env struct {
	Target Target
	// Supabase is the Supabase-mode target; nil when that mode is not run.
	Supabase *SupabaseTarget
	Browser  *browser.Browser
	// Egress is the browser's only way out (harness/egress): what it
	// refused is the run's observation, which the runner reports.
	Egress *egress.Guard
	// Known is the run's redaction set: a gather registers every secret
	// and token it holds or learns (the operator's keys and passwords, a
	// token the backend set, each one it mints) before anything that may
	// quote it is stored; the judge cleans with the same set.
	Known *redact.Set
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
}
