package runner

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/settings"
	"github.com/mfconform/mfconform/harness/pki"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/redact"
	"github.com/mfconform/mfconform/suites/result"
)

// ErrUsage marks a command-line mistake (a flag that does not parse).
var ErrUsage = errors.New("usage")

// ErrHelp is returned by Load when --help or -h was given.
var ErrHelp = flag.ErrHelp

// Load builds a run's configuration from its command line and environment:
// defaults < --config FILE < MFCONFORM_* variables < flags that were set
// (each setting declared once, in Settings); then secrets from the
// environment (or --secret-file), a real Supabase project from
// NEXT_PUBLIC_SUPABASE_*, the fixture, the waivers and a batch's shared
// browser. It is the one path `run`, `config check` and a batch's targets
// all take; the caller still calls Validate.
func Load(args []string, getenv func(string) string) (Config, error) {
	cfg := Defaults()
	cfg.sources = settings.Sources{}
	cl, err := Settings.Parse(args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, ErrHelp
		}
		// The flag package quotes values but not an unknown flag's name.
		return cfg, fmt.Errorf("%w: %s", ErrUsage, result.Clean(result.Cut(err.Error(), result.MaxText)))
	}
	if len(cl.Args()) > 0 {
		return cfg, fmt.Errorf("%w: unexpected argument %q", ErrUsage, cl.Args()[0])
	}
	if file := cl.Values().ConfigFile; file != "" {
		if err := cfg.LoadFile(file); err != nil {
			// The report of a file that does not load still goes where
			// the environment and the command line say (--report-dir).
			_ = Settings.ApplyEnv(&cfg, getenv, cfg.sources)
			cl.Apply(&cfg, cfg.sources)
			return cfg, err
		}
	}
	if err := Settings.ApplyEnv(&cfg, getenv, cfg.sources); err != nil {
		return cfg, fmt.Errorf("%w: %s", ErrConfig, result.Clean(result.Cut(err.Error(), result.MaxText)))
	}
	cl.Apply(&cfg, cfg.sources)
	if err := cfg.resolve(getenv); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// resolve derives what follows from the layered settings. A fixture is the
// embedded deployment: naming one together with a real target, or with a
// mode other than its own, is an error rather than silently ignored.
func (c *Config) resolve(getenv func(string) string) error {
	if o := c.Supabase.AppOrigin; o != "" {
		if err := appOrigin(o); err != nil {
			return fmt.Errorf("%w: %s %w", ErrConfig, Settings.Label("supabase.app_origin", c.sources), err)
		}
		u, _ := url.Parse(o)
		c.SupabaseAppHost, c.appOrigin = u.Hostname(), o
	}
	if t := supabaseTargetFromEnv(getenv); t != nil {
		c.SupabaseTarget = t
	}
	modeChosen := c.sources["--mode"] != ""
	if c.FixtureName != "" {
		fx, err := Fixture(c.FixtureName)
		if err != nil {
			return fmt.Errorf("%w: %s %w", ErrConfig, Settings.Label("fixture", c.sources), err)
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
		if c.JWT.BackendTimezone == "" {
			c.JWT.BackendTimezone = fx.BackendTimezone
		}
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
	// SUPABASE_JWT_SECRET is for judging a real project's tokens
	// (supabaseTargetFromEnv). The reference project signs with a secret
	// made for this run unless the operator opts in on the command line,
	// as for AUTH_SECRET_KEY: another local user who signs in there must
	// not get a token that verifies with the operator's real secret.
	if k := getenv("SUPABASE_JWT_SECRET"); k != "" && c.ReferenceUsesEnvSecret {
		c.SupabaseReference.JWTSecret = []byte(k)
	}
	if c.WaiversFile != "" {
		ws, err := result.LoadWaivers(c.WaiversFile)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrConfig, err)
		}
		c.Waivers = ws
	}
	// A file's env: references are checked before any is read, and
	// before anything is started or sent.
	if err := c.checkEnvRefs(); err != nil {
		return err
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

// Files of the folder EnvSharedCA names: the batch CA that issues the
// run's leaf certificates (certificate and key), and the private CAs the
// shared browser trusts besides (SharedCAPrivateFile, only when the run's
// targets name some).
const (
	SharedCACertFile    = "ca.pem"
	SharedCAKeyFile     = "ca-key.pem"
	SharedCAPrivateFile = "private-ca.pem"
)

// shared attaches a run started by a batch to the batch's browser and CA.
func (c *Config) shared(getenv func(string) string) error {
	c.SharedBrowser = getenv(EnvSharedBrowser)
	dir := getenv(EnvSharedCA)
	if dir == "" {
		return nil
	}
	cert, err1 := os.ReadFile(filepath.Join(dir, SharedCACertFile))
	key, err2 := os.ReadFile(filepath.Join(dir, SharedCAKeyFile))
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("shared CA: %w", err)
	}
	ca, err := pki.ParseCA(cert, key)
	if err != nil {
		return err
	}
	c.SharedCA = ca
	private, err := os.ReadFile(filepath.Join(dir, SharedCAPrivateFile))
	switch {
	case err == nil:
		c.SharedPrivateCA = private
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("shared CA: %w", err)
	}
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
	c.ConfigFile = path
	return c.ParseFile(path, b)
}

// ParseFile is LoadFile on the file's bytes; name is used in errors, which
// carry no raw control character of the file. The file's keys are the
// keys of Settings.
func (c *Config) ParseFile(name string, b []byte) error {
	name = result.Clean(name)
	if len(b) > maxConfigFile {
		return fmt.Errorf("%w: %s is larger than %d bytes", ErrConfig, name, maxConfigFile)
	}
	if c.sources == nil {
		c.sources = settings.Sources{}
	}
	// Errors name the file, line and column and the shape wanted, never
	// the file's content (a secret file named by mistake stays unprinted).
	if err := Settings.ParseFile(c, name, b, c.sources); err != nil {
		return fmt.Errorf("%w: %s", ErrConfig, result.Clean(result.Cut(err.Error(), result.MaxText)))
	}
	c.fileDoc = result.ParseYAMLDoc(b)
	return nil
}

// Effective renders the configuration for `mfconform config check`: every
// setting of Settings with its effective value (defaults too) and where it
// came from, printable whatever it holds, URLs without credentials and
// literal login form values as "set"; then the environment-only inputs,
// keys as fingerprints and passwords as "set" or "not set".
func (c Config) Effective(getenv func(string) string) (string, error) {
	b, err := Settings.Effective(&c, c.sources)
	if err != nil {
		return "", err
	}
	var out strings.Builder
	// YAML escapes C0 controls but leaves bidirectional ones raw.
	out.WriteString(result.Clean(string(b)))
	fmt.Fprintln(&out, "# from the environment only (keys as fingerprints, passwords as set / not set):")
	for _, in := range EnvInputs {
		v := getenv(in.Name)
		if in.Name == "AUTH_SECRET_KEY" {
			v = string(c.Secret) // or read from --secret-file
		}
		state := "not set"
		switch {
		case v == "":
		case in.Shown == ShownSetOrNot:
			state = "set"
		case in.Shown == ShownFingerprint:
			state = redact.Fingerprint([]byte(v))
		default:
			state = result.Clean(result.Cut(redactURL(v), 256))
		}
		fmt.Fprintf(&out, "#   %-26s %s\n", in.Name, state)
	}
	return out.String(), nil
}
