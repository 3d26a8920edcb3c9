package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/mfconform/mfconform/fixtures"
	"github.com/mfconform/mfconform/reports"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/runner"
)

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// runFlags declares `mfconform run`'s flags on fs, bound to fields of f.
// Only flags that were set are applied (flagsOver), so the precedence is
// defaults < --config file < environment < flags.
func runFlags(fs *flag.FlagSet, f *runner.Config, form, resolve *listFlag, extra *runExtra) {
	fs.StringVar(&extra.configFile, "config", "", "YAML configuration file (see README)")
	fs.StringVar(&f.Mode, "mode", "", "all, jwt or supabase")
	fs.StringVar(&f.ReportDir, "report-dir", "", "where the reports are written")
	fs.StringVar(&f.LabelFilter, "label-filter", "", "Ginkgo label filter, e.g. 'area:cookie'")
	fs.StringVar(&f.FixtureName, "fixture", "", "run against this fixture of the embedded reference deployment")
	fs.BoolVar(&f.BlockThirdPartyCookies, "block-third-party-cookies", false, "judge as a browser that blocks third-party cookies would")
	fs.DurationVar(&f.Timeouts.Suite, "timeout", 0, "bound for the whole run")
	fs.StringVar(&f.WaiversFile, "waivers", "", "YAML file of accepted exceptions (spec or code, reason, optional expires)")
	fs.StringVar(&f.FailOn, "fail-on", "", "fail (default) or warn: exit 2 when there are only warnings")
	fs.StringVar(&extra.appOrigin, "app-origin", "", "Supabase mode: the Miiflow frontend's origin, for the CORS and sign-in checks")
	fs.StringVar(&f.JWT.LoginURL, "login-url", "", "JWT mode: the backend URL that signs the test user in and sets mf_jwt_token")
	fs.StringVar(&f.JWT.LoginMethod, "login-method", "", "GET (default) or POST")
	fs.Var(form, "login-form", "POST field k=v (repeatable); v may be env:NAME")
	fs.StringVar(&f.JWT.AppURL, "app-url", "", "JWT mode: the Miiflow app's origin, or 'reference' for the built-in verifier")
	fs.StringVar(&f.JWT.AppHost, "app-host", "", "with --app-url reference: the host to serve it on (default mfconform-app.<your domain>)")
	fs.StringVar(&f.JWT.ProbePath, "probe-path", "", "the app path that tells who is signed in (default /api/me)")
	fs.IntVar(&f.JWT.AuthenticatedStatus, "authenticated-status", 0, "the probe path's status for a signed-in user (default 200)")
	fs.StringVar(&f.JWT.UserIDField, "user-id-field", "", "the probe answer's JSON field holding the user id (default user_id)")
	fs.StringVar(&f.JWT.SecretFile, "secret-file", "", "a file holding AUTH_SECRET_KEY (never pass the key itself on a command line)")
	fs.Var(resolve, "resolve", "HOST=IP mapping for Chromium and the Go clients (repeatable; *.domain allowed)")
	fs.StringVar(&f.Network.CAFile, "ca-file", "", "PEM file of a private CA to trust")
	fs.StringVar(&f.Network.Proxy, "proxy", "", "http(s) proxy URL")
}

// runExtra holds run flags that are not configuration fields.
type runExtra struct{ configFile, appOrigin string }

// flagsOver copies the flags that were set from f onto cfg.
func flagsOver(cfg *runner.Config, f runner.Config, set map[string]bool, form, resolve listFlag) {
	apply := map[string]func(){
		"mode": func() { cfg.Mode = f.Mode }, "report-dir": func() { cfg.ReportDir = f.ReportDir },
		"label-filter": func() { cfg.LabelFilter = f.LabelFilter }, "fixture": func() { cfg.FixtureName = f.FixtureName },
		"block-third-party-cookies": func() { cfg.BlockThirdPartyCookies = f.BlockThirdPartyCookies },
		"timeout":                   func() { cfg.Timeouts.Suite = f.Timeouts.Suite },
		"waivers":                   func() { cfg.WaiversFile = f.WaiversFile }, "fail-on": func() { cfg.FailOn = f.FailOn },
		"login-url": func() { cfg.JWT.LoginURL = f.JWT.LoginURL }, "login-method": func() { cfg.JWT.LoginMethod = f.JWT.LoginMethod },
		"app-url": func() { cfg.JWT.AppURL = f.JWT.AppURL }, "app-host": func() { cfg.JWT.AppHost = f.JWT.AppHost },
		"probe-path":           func() { cfg.JWT.ProbePath = f.JWT.ProbePath },
		"authenticated-status": func() { cfg.JWT.AuthenticatedStatus = f.JWT.AuthenticatedStatus },
		"user-id-field":        func() { cfg.JWT.UserIDField = f.JWT.UserIDField },
		"secret-file":          func() { cfg.JWT.SecretFile = f.JWT.SecretFile },
		"ca-file":              func() { cfg.Network.CAFile = f.Network.CAFile }, "proxy": func() { cfg.Network.Proxy = f.Network.Proxy },
		"resolve": func() { cfg.Network.Resolve = append([]string(nil), resolve...) },
		"login-form": func() {
			cfg.JWT.LoginForm = map[string]string{}
			for _, kv := range form {
				k, v, _ := strings.Cut(kv, "=")
				cfg.JWT.LoginForm[k] = v
			}
		},
	}
	for name := range set {
		if f, ok := apply[name]; ok {
			f()
		}
	}
}

// loadConfig builds the run's configuration: defaults < --config file <
// environment < flags that were set.
func loadConfig(args []string, getenv func(string) string) (runner.Config, runExtra, map[string]bool, error) {
	var (
		flags         runner.Config
		form, resolve listFlag
		extra         runExtra
	)
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	runFlags(fs, &flags, &form, &resolve, &extra)
	cfg := runner.Defaults()
	if err := fs.Parse(args); err != nil {
		return cfg, extra, nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return cfg, extra, nil, fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, kv := range form {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return cfg, extra, set, fmt.Errorf("%w: --login-form %q: want k=v", errUsage, kv)
		}
	}
	if extra.configFile != "" {
		if err := cfg.LoadFile(extra.configFile); err != nil {
			return cfg, extra, set, err
		}
	}
	cfg.ApplyEnv(getenv)
	flagsOver(&cfg, flags, set, form, resolve)
	return cfg, extra, set, nil
}

// runCmd is `mfconform run`.
func runCmd(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	cfg, extra, set, err := loadConfig(args, os.Getenv)
	cfg.Version = toolVersion()
	if errors.Is(err, errUsage) {
		return exitToolError, fmt.Errorf("run: %w", err)
	}
	// From here on every error still leaves a report behind.
	fail := func(err error) (int, error) {
		_, err = runner.ReportError(cfg, err)
		return exitToolError, err
	}
	if err != nil {
		return fail(err)
	}
	if cfg.FailOn != "fail" && cfg.FailOn != "warn" {
		return fail(fmt.Errorf("%w: --fail-on %q: want fail or warn", runner.ErrConfig, cfg.FailOn))
	}
	if cfg.WaiversFile != "" {
		ws, err := reports.LoadWaivers(cfg.WaiversFile)
		if err != nil {
			return fail(err)
		}
		cfg.Waivers = ws
	}
	if extra.appOrigin != "" {
		u, err := url.Parse(extra.appOrigin)
		if err != nil || u.Scheme != "https" || u.Hostname() == "" || (u.Path != "" && u.Path != "/") {
			return fail(fmt.Errorf("%w: --app-origin %q: want an https origin such as https://app.example.com", runner.ErrConfig, extra.appOrigin))
		}
		cfg.AppHost = u.Hostname()
	}
	if t := supabaseTargetFromEnv(os.Getenv); t != nil {
		cfg.SupabaseTarget = t
	}
	// A run pointed at one real deployment checks that mode only, unless
	// --mode says otherwise.
	if !set["mode"] && os.Getenv("MFCONFORM_MODE") == "" {
		switch {
		case cfg.JWT.Targeted() && cfg.SupabaseTarget == nil:
			cfg.Mode = runner.ModeJWT
		case cfg.SupabaseTarget != nil && !cfg.JWT.Targeted():
			cfg.Mode = runner.ModeSupabase
		}
	}
	if cfg.FixtureName != "" {
		f, err := fixtures.Get(cfg.FixtureName)
		if err != nil {
			return fail(err)
		}
		cfg.Reference, cfg.Secret = f.Profile(), f.Secret
		cfg.SupabaseReference, cfg.Mode = f.SupabaseProfile(), f.RunMode()
		cfg.SupabaseTarget = nil // a fixture is the embedded project
		cfg.JWT = runner.JWTConfig{}
		cfg.BlockThirdPartyCookies = cfg.BlockThirdPartyCookies || f.BlockThirdPartyCookies
	}
	// AUTH_SECRET_KEY comes only from the environment (or --secret-file),
	// never a flag; the embedded deployment then runs with the operator's key.
	if k := os.Getenv("AUTH_SECRET_KEY"); k != "" && cfg.Secret == nil {
		cfg.Secret = []byte(k)
	}
	// Likewise SUPABASE_JWT_SECRET for the embedded Supabase project.
	if k := os.Getenv("SUPABASE_JWT_SECRET"); k != "" {
		cfg.SupabaseReference.JWTSecret = []byte(k)
	}
	if err := sharedFromEnv(&cfg, os.Getenv); err != nil {
		return fail(err)
	}
	cfg.Stdout = stdout
	fmt.Fprintf(stdout, "mfconform %s — mode %s\n\n", cfg.Version, cfg.Mode)
	rep, err := runner.Run(ctx, cfg)
	if rep != nil {
		fmt.Fprintf(stdout, "reports: %s\n", strings.Join(reportFiles(cfg.ReportDir), ", "))
	}
	return exitCode(ctx, rep, err, cfg.FailOn == "warn"), err
}

// configCmd is `mfconform config check [--config FILE] [run flags…]`: it
// validates the configuration and prints the effective one, secrets as
// fingerprints.
func configCmd(args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "check" {
		return fmt.Errorf("%w: config check [--config FILE] [run flags]", errUsage)
	}
	cfg, _, _, err := loadConfig(args[1:], os.Getenv)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	out, err := cfg.Effective(os.Getenv)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, out)
	fmt.Fprintln(stdout, "# configuration is valid")
	return nil
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

// reportFiles lists the report files a run writes into dir.
func reportFiles(dir string) []string {
	var out []string
	for _, f := range reports.Files {
		out = append(out, filepath.Join(dir, f))
	}
	return out
}
