package runner

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mfconform/mfconform/fixtures"
	"github.com/mfconform/mfconform/harness/pki"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/redact"
	"github.com/mfconform/mfconform/suites/result"
)

// ErrUsage marks a command-line mistake (a flag that does not parse).
var ErrUsage = errors.New("usage")

// ErrHelp is returned by Load when --help or -h was given.
var ErrHelp = flag.ErrHelp

// Flag groups, in the order help lists them.
const (
	GroupTarget    = "target"
	GroupNetwork   = "network"
	GroupOutput    = "output"
	GroupBehaviour = "behaviour"
)

// FlagGroups lists the groups in order.
var FlagGroups = []string{GroupTarget, GroupNetwork, GroupOutput, GroupBehaviour}

// flagGroup says which group each run flag belongs to.
var flagGroup = map[string]string{
	"login-url": GroupTarget, "login-method": GroupTarget, "login-form": GroupTarget, "app-url": GroupTarget,
	"app-host": GroupTarget, "probe-path": GroupTarget, "authenticated-status": GroupTarget, "user-id-field": GroupTarget,
	"secret-file": GroupTarget, "app-origin": GroupTarget, "fixture": GroupTarget, "config": GroupTarget, "session-host": GroupTarget,
	"reference-secret-from-env": GroupTarget,
	"resolve":                   GroupNetwork, "ca-file": GroupNetwork, "proxy": GroupNetwork, "chromium": GroupNetwork,
	"report-dir": GroupOutput, "fail-on": GroupOutput, "allow-incomplete": GroupOutput, "waivers": GroupOutput,
	"mode": GroupBehaviour, "label-filter": GroupBehaviour, "block-third-party-cookies": GroupBehaviour,
	"timeout": GroupBehaviour, "thorough": GroupBehaviour,
}

// FlagGroup returns the group of a run flag.
func FlagGroup(name string) string {
	if g, ok := flagGroup[name]; ok {
		return g
	}
	return GroupBehaviour
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// runFlags are the values of `mfconform run`'s flags before they are
// layered over the configuration.
type runFlags struct {
	cfg           Config
	configFile    string
	appOrigin     string
	form, resolve listFlag
	sessionHosts  listFlag
}

// FlagSet declares `mfconform run`'s flags, for parsing and for help; the
// values land in the returned holder.
func FlagSet(name string) (*flag.FlagSet, *runFlags) {
	f := &runFlags{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.configFile, "config", "", "YAML configuration `FILE` (see README); flags and MFCONFORM_* variables override it")
	fs.StringVar(&f.cfg.Mode, "mode", ModeAll, "`MODE`: all, jwt or supabase (a run pointed at one real deployment checks that mode)")
	fs.StringVar(&f.cfg.ReportDir, "report-dir", "reports/out", "the `DIR` the four reports are written to")
	fs.StringVar(&f.cfg.LabelFilter, "label-filter", "", "Ginkgo label `EXPR`, e.g. 'area:cookie || area:token' (mfconform specs lists the labels)")
	fs.StringVar(&f.cfg.FixtureName, "fixture", "", "check the embedded reference deployment's fixture `NAME` (mfconform fixtures lists them)")
	fs.BoolVar(&f.cfg.BlockThirdPartyCookies, "block-third-party-cookies", false, "judge as a browser that blocks third-party cookies would (Safari, Firefox strict, incognito)")
	fs.DurationVar(&f.cfg.Timeouts.Suite, "timeout", 10*60e9, "Ginkgo's bound on the spec run (evidence gathering and judging) as a `DURATION`, e.g. 2m; each step has its own bound too")
	fs.StringVar(&f.cfg.WaiversFile, "waivers", "", "YAML `FILE` of accepted exceptions (spec or code, reason, optional expires)")
	fs.StringVar(&f.cfg.FailOn, "fail-on", "fail", "`WHEN`: fail, or warn to exit 2 when a run has only warnings")
	fs.BoolVar(&f.cfg.AllowIncomplete, "allow-incomplete", false, "exit 0 instead of 4 when specs could not be judged for a missing input")
	fs.BoolVar(&f.cfg.Thorough, "thorough", false, "run slow checks too (specs labelled slow: e.g. wait 11 s to tell a refresh-token reuse interval from reuse)")
	fs.StringVar(&f.appOrigin, "app-origin", "", "Supabase mode: the Miiflow frontend's https `ORIGIN`, for the CORS and sign-in checks")
	fs.Var(&f.sessionHosts, "session-host", "Supabase mode: a `HOST` besides the app that must receive the session cookies, e.g. your API's (repeatable; without one, SB-COOKIE-004/007 are out of scope for your app; the embedded reference uses its api. host)")
	fs.StringVar(&f.cfg.JWT.LoginURL, "login-url", "", "JWT mode: the backend `URL` that signs the test user in and sets mf_jwt_token")
	fs.StringVar(&f.cfg.JWT.LoginMethod, "login-method", "GET", "`METHOD`: GET or POST (with --login-form)")
	fs.Var(&f.form, "login-form", "a POST field `k=v` (repeatable); v may be env:NAME to read it from the environment")
	fs.StringVar(&f.cfg.JWT.AppURL, "app-url", "", "JWT mode: the Miiflow app's origin `URL`, or 'reference' for the built-in verifier")
	fs.StringVar(&f.cfg.JWT.AppHost, "app-host", "", "with --app-url reference: the `HOST` to serve it on (default mfconform-app.<your domain>)")
	fs.StringVar(&f.cfg.JWT.ProbePath, "probe-path", "/api/me", "the app `PATH` that says who is signed in")
	fs.IntVar(&f.cfg.JWT.AuthenticatedStatus, "authenticated-status", 200, "the probe path's `STATUS` for a signed-in user")
	fs.StringVar(&f.cfg.JWT.UserIDField, "user-id-field", "user_id", "the probe answer's JSON `FIELD` holding the user id")
	fs.StringVar(&f.cfg.JWT.SecretFile, "secret-file", "", "a `FILE` holding AUTH_SECRET_KEY (AUTH_SECRET_KEY in the environment wins; never pass the key on a command line)")
	fs.BoolVar(&f.cfg.ReferenceUsesEnvSecret, "reference-secret-from-env", false, "let the embedded reference deployment sign with AUTH_SECRET_KEY from the environment (default: a per-run key)")
	fs.Var(&f.resolve, "resolve", "`HOST=IP` for Chromium and the Go clients alike (repeatable; *.domain allowed)")
	fs.StringVar(&f.cfg.Network.CAFile, "ca-file", "", "PEM `FILE` of a private CA to trust")
	fs.StringVar(&f.cfg.Network.Proxy, "proxy", "", "http(s) proxy `URL` (user:password@ allowed; never shown)")
	fs.StringVar(&f.cfg.ChromiumPath, "chromium", "", "the Chrome/Chromium `BINARY` to run (or MFCONFORM_CHROMIUM)")
	return fs, f
}

// Load builds a run's configuration from its command line and environment:
// defaults < --config FILE < MFCONFORM_* variables < flags that were set;
// then secrets from the environment (or --secret-file), a real Supabase
// project from NEXT_PUBLIC_SUPABASE_*, the fixture, the waivers and a
// batch's shared browser. It is the one path `run`, `config check` and a
// batch's targets all take; the caller still calls Validate.
func Load(args []string, getenv func(string) string) (Config, error) {
	cfg := Defaults()
	fs, f := FlagSet("run")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, ErrHelp
		}
		// The flag package quotes values but not an unknown flag's name.
		return cfg, fmt.Errorf("%w: %s", ErrUsage, result.Clean(result.Cut(err.Error(), result.MaxText)))
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("%w: unexpected argument %q", ErrUsage, fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	for _, kv := range f.form {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return cfg, fmt.Errorf("%w: --login-form %q: want k=v", ErrUsage, kv)
		}
	}
	if f.configFile != "" {
		if err := cfg.LoadFile(f.configFile); err != nil {
			// The flags still say where the report of this error goes.
			f.over(&cfg, set)
			return cfg, err
		}
	}
	cfg.ApplyEnv(getenv)
	f.over(&cfg, set)
	if err := cfg.resolve(getenv, set, f.appOrigin); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// over copies the flags that were set onto cfg.
func (f *runFlags) over(cfg *Config, set map[string]bool) {
	v := f.cfg
	apply := map[string]func(){
		"mode": func() { cfg.Mode = v.Mode }, "report-dir": func() { cfg.ReportDir = v.ReportDir },
		"label-filter": func() { cfg.LabelFilter = v.LabelFilter }, "fixture": func() { cfg.FixtureName = v.FixtureName },
		"block-third-party-cookies": func() { cfg.BlockThirdPartyCookies = v.BlockThirdPartyCookies },
		"timeout":                   func() { cfg.Timeouts.Suite = v.Timeouts.Suite },
		"waivers":                   func() { cfg.WaiversFile = v.WaiversFile }, "fail-on": func() { cfg.FailOn = v.FailOn },
		"allow-incomplete": func() { cfg.AllowIncomplete = v.AllowIncomplete }, "thorough": func() { cfg.Thorough = v.Thorough },
		"login-url": func() { cfg.JWT.LoginURL = v.JWT.LoginURL }, "login-method": func() { cfg.JWT.LoginMethod = v.JWT.LoginMethod },
		"app-url": func() { cfg.JWT.AppURL = v.JWT.AppURL }, "app-host": func() { cfg.JWT.AppHost = v.JWT.AppHost },
		"probe-path":                func() { cfg.JWT.ProbePath = v.JWT.ProbePath },
		"authenticated-status":      func() { cfg.JWT.AuthenticatedStatus = v.JWT.AuthenticatedStatus },
		"user-id-field":             func() { cfg.JWT.UserIDField = v.JWT.UserIDField },
		"secret-file":               func() { cfg.JWT.SecretFile = v.JWT.SecretFile },
		"reference-secret-from-env": func() { cfg.ReferenceUsesEnvSecret = v.ReferenceUsesEnvSecret },
		"ca-file":                   func() { cfg.Network.CAFile = v.Network.CAFile }, "proxy": func() { cfg.Network.Proxy = v.Network.Proxy },
		"chromium": func() { cfg.ChromiumPath = v.ChromiumPath },
		"resolve":  func() { cfg.Network.Resolve = append([]string(nil), f.resolve...) },
		"session-host": func() {
			cfg.Supabase.SessionHosts = nil
			for _, h := range f.sessionHosts {
				cfg.Supabase.SessionHosts = append(cfg.Supabase.SessionHosts, strings.ToLower(strings.TrimSpace(h)))
			}
		},
		"login-form": func() {
			cfg.JWT.LoginForm = map[string]string{}
			for _, kv := range f.form {
				k, val, _ := strings.Cut(kv, "=")
				cfg.JWT.LoginForm[k] = val
			}
		},
	}
	for name := range set {
		if fn, ok := apply[name]; ok {
			fn()
		}
	}
}

// resolve derives what follows from the layered settings. A fixture is the
// embedded deployment: naming one together with a real target, or with a
// mode other than its own, is an error rather than silently ignored.
func (c *Config) resolve(getenv func(string) string, set map[string]bool, appOrigin string) error {
	if appOrigin != "" {
		u, err := url.Parse(appOrigin)
		if err != nil || u.Scheme != "https" || u.Hostname() == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return fmt.Errorf("%w: --app-origin %q: want an https origin such as https://app.example.com", ErrConfig, appOrigin)
		}
		c.SupabaseAppHost = u.Hostname()
		c.appOrigin = strings.TrimSuffix(appOrigin, "/")
	}
	if t := supabaseTargetFromEnv(getenv); t != nil {
		c.SupabaseTarget = t
	}
	modeChosen := set["mode"] || getenv("MFCONFORM_MODE") != "" || c.modeFromFile
	if c.FixtureName != "" {
		fx, err := fixtures.Get(c.FixtureName)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrConfig, err)
		}
		if c.JWT.Targeted() || c.SupabaseTarget != nil {
			return fmt.Errorf("%w: --fixture %s is the embedded reference deployment; it cannot be combined with a real target (--login-url, --app-url or NEXT_PUBLIC_SUPABASE_*)", ErrConfig, c.FixtureName)
		}
		if modeChosen && c.Mode != fx.RunMode() && c.Mode != ModeAll {
			return fmt.Errorf("%w: --fixture %s is a %s-mode fixture; --mode %s would not run it", ErrConfig, c.FixtureName, fx.RunMode(), c.Mode)
		}
		c.Reference, c.FixtureSecret = fx.Profile(), fx.Secret
		c.SupabaseReference, c.Mode = fx.SupabaseProfile(), fx.RunMode()
		c.SupabaseApp = fx.AppProfile()
		c.BlockThirdPartyCookies = c.BlockThirdPartyCookies || fx.BlockThirdPartyCookies
	} else if !modeChosen {
		// A run pointed at one real deployment checks that mode only.
		switch {
		case c.JWT.Targeted() && c.SupabaseTarget == nil:
			c.Mode = ModeJWT
		case c.SupabaseTarget != nil && !c.JWT.Targeted():
			c.Mode = ModeSupabase
		}
	}
	secret, err := readSecret(getenv, c.JWT.SecretFile)
	if err != nil {
		return err
	}
	c.Secret = secret
	if k := getenv("SUPABASE_JWT_SECRET"); k != "" {
		c.SupabaseReference.JWTSecret = []byte(k)
	}
	if c.WaiversFile != "" {
		ws, err := result.LoadWaivers(c.WaiversFile)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrConfig, err)
		}
		c.Waivers = ws
	}
	if c.JWT.Targeted() {
		t, err := c.resolveJWTTarget(getenv)
		if err != nil {
			return err
		}
		c.jwtTarget = t
	}
	if c.sbLogin, err = resolveScript("supabase.login_script", c.Supabase.LoginScript, getenv); err != nil {
		return err
	}
	if c.sbLogout, err = resolveScript("supabase.logout_script", c.Supabase.LogoutScript, getenv); err != nil {
		return err
	}
	c.refSecret = NewSecret()
	return c.shared(getenv)
}

// maxSecretFile bounds the --secret-file read: a key is a line.
const maxSecretFile = 64 << 10

// readSecret reads AUTH_SECRET_KEY from the environment, else from the
// secret file (one trailing newline dropped); nil when neither has one.
func readSecret(getenv func(string) string, file string) ([]byte, error) {
	if s := getenv("AUTH_SECRET_KEY"); s != "" {
		return []byte(s), nil
	}
	if file == "" {
		return nil, nil
	}
	b, err := ReadFileLimit(file, maxSecretFile)
	if err != nil {
		return nil, fmt.Errorf("%w: --secret-file: %v", ErrConfig, err)
	}
	s := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if s == "" {
		return nil, fmt.Errorf("%w: --secret-file %q is empty", ErrConfig, file)
	}
	return []byte(s), nil
}

// supabaseTargetFromEnv reads a real Supabase project to check from the
// variables the Miiflow frontend itself gets; nil when neither is set.
func supabaseTargetFromEnv(getenv func(string) string) *env.SupabaseTarget {
	u, k := getenv("NEXT_PUBLIC_SUPABASE_URL"), getenv("NEXT_PUBLIC_SUPABASE_KEY")
	if u == "" && k == "" {
		return nil
	}
	t := &env.SupabaseTarget{
		URL: u, Key: k,
		Email: getenv("SUPABASE_TEST_EMAIL"), Password: getenv("SUPABASE_TEST_PASSWORD"),
	}
	if s := getenv("SUPABASE_JWT_SECRET"); s != "" {
		t.JWTSecret = []byte(s)
	}
	return t
}

// Environment variables through which a batch hands its shared browser and
// CA to the runs it starts (internal to mfconform).
const (
	EnvSharedBrowser = "MFCONFORM_SHARED_BROWSER"
	EnvSharedCA      = "MFCONFORM_SHARED_CA_DIR"
)

// shared attaches a run started by a batch to the batch's browser and CA.
func (c *Config) shared(getenv func(string) string) error {
	c.SharedBrowser = getenv(EnvSharedBrowser)
	dir := getenv(EnvSharedCA)
	if dir == "" {
		return nil
	}
	cert, err1 := os.ReadFile(filepath.Join(dir, "ca.pem"))
	key, err2 := os.ReadFile(filepath.Join(dir, "ca-key.pem"))
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("shared CA: %w", err)
	}
	ca, err := pki.ParseCA(cert, key)
	if err != nil {
		return err
	}
	c.SharedCA = ca
	return nil
}

// maxConfigFile bounds the configuration file read.
const maxConfigFile = 1 << 20

// ReadFileLimit reads at most max bytes of the file at path and fails,
// without reading further, when it holds more: a configuration, secret,
// waivers, targets or CA file named by mistake (or by a pull request) as
// /dev/zero or a multi-gigabyte log must not exhaust memory.
func ReadFileLimit(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%q is larger than %d bytes", path, max)
	}
	return b, nil
}

// LoadFile layers a YAML configuration file over c (the defaults). Unknown
// keys are errors naming their line.
func (c *Config) LoadFile(path string) error {
	b, err := ReadFileLimit(path, maxConfigFile)
	if err != nil {
		return fmt.Errorf("%w: --config: %v", ErrConfig, err)
	}
	return c.ParseFile(path, b)
}

// ParseFile is LoadFile on the file's bytes; name is used in errors, which
// carry no raw control character of the file.
func (c *Config) ParseFile(name string, b []byte) error {
	name = result.Clean(name)
	if len(b) > maxConfigFile {
		return fmt.Errorf("%w: %s is larger than %d bytes", ErrConfig, name, maxConfigFile)
	}
	before := c.Mode
	// Errors name the file, line and column and the shape wanted, never
	// the file's content (a secret file named by mistake stays unprinted).
	if _, err := result.DecodeYAML(name, b, c, "a mapping of the configuration keys the README lists (mode, jwt, supabase, network, timeouts …)"); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	var probe struct {
		Mode *string `yaml:"mode"`
	}
	_ = yaml.Unmarshal(b, &probe) // the file decoded above; this only asks whether it names a mode
	c.modeFromFile = probe.Mode != nil || c.Mode != before
	return nil
}

// envVars are the MFCONFORM_* variables and what they set; secrets
// (AUTH_SECRET_KEY, SUPABASE_*) are read where they are used, never from a
// flag.
var envVars = []struct {
	name string
	set  func(c *Config, v string)
}{
	{"MFCONFORM_MODE", func(c *Config, v string) { c.Mode = v }},
	{"MFCONFORM_REPORT_DIR", func(c *Config, v string) { c.ReportDir = v }},
	{"MFCONFORM_LABEL_FILTER", func(c *Config, v string) { c.LabelFilter = v }},
	{"MFCONFORM_LOGIN_URL", func(c *Config, v string) { c.JWT.LoginURL = v }},
	{"MFCONFORM_APP_URL", func(c *Config, v string) { c.JWT.AppURL = v }},
	{"MFCONFORM_SECRET_FILE", func(c *Config, v string) { c.JWT.SecretFile = v }},
	{"MFCONFORM_CA_FILE", func(c *Config, v string) { c.Network.CAFile = v }},
	{"MFCONFORM_PROXY", func(c *Config, v string) { c.Network.Proxy = v }},
	{"MFCONFORM_RESOLVE", func(c *Config, v string) { c.Network.Resolve = splitList(v) }},
	{"MFCONFORM_CHROMIUM", func(c *Config, v string) { c.ChromiumPath = v }},
}

// EnvVarNames lists the MFCONFORM_* variables, for help.
func EnvVarNames() []string {
	var out []string
	for _, v := range envVars {
		out = append(out, v.name)
	}
	return out
}

// ApplyEnv layers the MFCONFORM_* environment variables over c.
func (c *Config) ApplyEnv(getenv func(string) string) {
	for _, v := range envVars {
		if s := getenv(v.name); s != "" {
			v.set(c, s)
		}
	}
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Effective renders the configuration as YAML for `mfconform config check`,
// printable whatever it holds, with every secret shown as "set" or "not
// set", URLs without credentials, and login form values that come from
// the environment shown as their variable.
func (c Config) Effective(getenv func(string) string) (string, error) {
	if len(c.JWT.LoginForm) > 0 {
		form := map[string]string{}
		for k, v := range c.JWT.LoginForm {
			if !strings.HasPrefix(v, "env:") {
				v = "(a literal value, set)"
			}
			form[k] = v
		}
		c.JWT.LoginForm = form
	}
	c.JWT.LoginURL, c.JWT.AppURL, c.Network.Proxy = redactURL(c.JWT.LoginURL), redactURL(c.JWT.AppURL), redactURL(c.Network.Proxy)
	b, err := yaml.Marshal(c)
	if err != nil {
		return "", err
	}
	var out strings.Builder
	// YAML escapes C0 controls but leaves bidirectional ones raw.
	out.WriteString(result.Clean(string(b)))
	fmt.Fprintln(&out, "# secrets (keys as fingerprints, passwords only as set / not set):")
	shown := []struct {
		name, value string
		password    bool
	}{
		{"AUTH_SECRET_KEY", string(c.Secret), false},
		{"SUPABASE_JWT_SECRET", getenv("SUPABASE_JWT_SECRET"), false},
		{"NEXT_PUBLIC_SUPABASE_KEY", getenv("NEXT_PUBLIC_SUPABASE_KEY"), false},
		{"SUPABASE_TEST_PASSWORD", getenv("SUPABASE_TEST_PASSWORD"), true},
	}
	for _, s := range shown {
		state := "not set"
		switch {
		case s.value != "" && s.password:
			state = "set"
		case s.value != "":
			state = redact.Fingerprint([]byte(s.value))
		}
		fmt.Fprintf(&out, "#   %-26s %s\n", s.name, state)
	}
	if c.ChromiumPath != "" {
		fmt.Fprintf(&out, "# chromium: %s\n", result.Clean(c.ChromiumPath))
	}
	return out.String(), nil
}
