package runner

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/mfconform/mfconform/harness/deployment"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	"github.com/mfconform/mfconform/suites/result"
)

// JWTConfig points JWT mode at a real deployment. With neither LoginURL nor
// AppURL set, the embedded reference deployment runs instead.
type JWTConfig struct {
	// LoginURL is the backend endpoint that signs the test user in and
	// sets mf_jwt_token.
	LoginURL    string
	LoginMethod string // GET or POST
	// LoginForm are the POST fields; a value "env:NAME" is read from the
	// environment variable NAME.
	LoginForm map[string]string
	// LoginScript replaces GET/POST with scripted steps for a real login
	// form (navigate, fill from an environment variable, click, wait for
	// the cookie).
	LoginScript []env.LoginStep
	// AppURL is the Miiflow app's origin, or "reference" to serve the
	// reference verifier at AppHost inside the cookie domain.
	AppURL string
	// AppHost is where the reference verifier is served; default
	// mfconform-app.<registrable domain of the login host>.
	AppHost string
	// ProbePath answers AuthenticatedStatus with the user's id in
	// UserIDField for a signed-in user, and 401/403 or a redirect otherwise.
	ProbePath           string
	AuthenticatedStatus int
	UserIDField         string
	// SecretFile holds AUTH_SECRET_KEY (one trailing newline is dropped);
	// the environment variable wins when both are set. Command line only.
	SecretFile string
	// BackendTimezone is the zone the operator says the backend's server
	// runs in (an IANA name or an offset); "" when not given.
	BackendTimezone string
	// BackendStack and AppStack name the backend's and the app's stacks
	// (suites/stack IDs), for fixes in their idiom without a guess.
	BackendStack string
	AppStack     string
}

// Targeted reports whether JWT mode checks a real deployment.
func (j JWTConfig) Targeted() bool { return j.LoginURL != "" || j.AppURL != "" }

// Reference reports whether the app is the built-in reference verifier.
func (j JWTConfig) Reference() bool { return j.AppURL == "reference" }

// NetworkConfig is how mfconform reaches targets.
type NetworkConfig struct {
	// Resolve maps HOST (or *.domain) to an address, for Chromium and the
	// Go clients alike: "app.staging.example.com=10.1.2.3".
	Resolve []string
	// CAFile is a PEM file of a private CA to trust, in both.
	CAFile string
	// Proxy is an http(s) proxy URL for both.
	Proxy string
	// AllowHosts are hosts the browser may reach besides the deployment's
	// own (HOST, *.domain, or HOST:PORT for one endpoint): a third-party
	// identity provider a login page sends the browser to.
	AllowHosts []string
	// ConnectRetries is how often a refused or failed connection is tried
	// again (nothing else is retried).
	ConnectRetries int
}

func absoluteHTTP(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%q: not an absolute http(s) URL", redactURL(raw))
	}
	return nil
}

// resolveJWTTarget resolves the JWT target of a targeted run: defaults,
// form values from the environment, the operator's secret.
func (c Config) resolveJWTTarget(getenv func(string) string) (env.Target, error) {
	j := c.JWT
	t := env.Target{
		LoginURL: j.LoginURL, AppURL: j.AppURL, LoginMethod: strings.ToUpper(j.LoginMethod),
		ProbePath: j.ProbePath, AuthenticatedStatus: j.AuthenticatedStatus, UserIDField: j.UserIDField,
	}
	if len(j.LoginForm) > 0 {
		t.LoginForm = map[string]string{}
		for k, v := range j.LoginForm {
			val, err := fromEnv(v, getenv)
			if err != nil {
				return t, fmt.Errorf("%w: login form field %s: %v", ErrConfig, result.Clean(k), err)
			}
			t.LoginForm[k] = val
		}
	}
	steps, err := resolveScript("login_script", j.LoginScript, getenv)
	if err != nil {
		return t, err
	}
	t.LoginScript = steps
	t.Secret = c.Secret
	t.AppIsReference = j.Reference()
	zone, err := jwtcheck.ParseZone(j.BackendTimezone)
	if err != nil {
		return t, fmt.Errorf("%w: --backend-timezone %v", ErrConfig, err)
	}
	t.BackendZone = zone
	t.BackendStack, t.AppStack = j.BackendStack, j.AppStack
	return t, nil
}

// ReferenceAppHost is where the reference verifier is served for a
// backend-only run: --app-host, or inside the login host's registrable
// domain (deployment.ReferenceAppHost), so the backend's cookie can reach
// it.
func (c Config) ReferenceAppHost() (string, error) {
	if c.JWT.AppHost != "" {
		return c.JWT.AppHost, nil
	}
	u, err := url.Parse(c.JWT.LoginURL)
	if err != nil {
		return "", err
	}
	h, err := deployment.ReferenceAppHost(u.Hostname())
	if err != nil {
		return "", fmt.Errorf("%w: %s (set --app-host)", ErrConfig, result.Clean(err.Error()))
	}
	return h, nil
}

// fromEnv resolves "env:NAME" to the variable's value.
func fromEnv(v string, getenv func(string) string) (string, error) {
	name, ok := strings.CutPrefix(v, "env:")
	if !ok {
		return v, nil
	}
	val := getenv(name)
	if val == "" {
		return "", fmt.Errorf("$%s is not set", result.Clean(name))
	}
	return val, nil
}
