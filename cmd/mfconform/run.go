package main

import (
	"context"
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

// runCmd is `mfconform run`.
func runCmd(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	cfg := runner.Defaults()
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&cfg.Mode, "mode", cfg.Mode, "jwt, supabase or all")
	fs.StringVar(&cfg.ReportDir, "report-dir", cfg.ReportDir, "where report.json and junit.xml are written")
	fs.StringVar(&cfg.LabelFilter, "label-filter", "", "Ginkgo label filter, e.g. 'area:cookie'")
	fixture := fs.String("fixture", "", "run against this fixture of the embedded reference deployment")
	fs.BoolVar(&cfg.BlockThirdPartyCookies, "block-third-party-cookies", false, "judge as a browser that blocks third-party cookies would")
	fs.DurationVar(&cfg.Timeouts.Suite, "timeout", cfg.Timeouts.Suite, "bound for the whole run")
	waivers := fs.String("waivers", "", "YAML file of accepted exceptions (spec or code, reason, optional expires)")
	failOn := fs.String("fail-on", "fail", "exit non-zero on: fail (default) or warn (exit 2 when only warnings)")
	appOrigin := fs.String("app-origin", "", "Supabase mode: the Miiflow frontend's origin, for the CORS and sign-in checks (default https://"+cfg.AppHost+")")
	if err := fs.Parse(args); err != nil {
		return exitToolError, fmt.Errorf("%w: run: %v", errUsage, err)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	cfg.Version = toolVersion()
	// From here on every error still leaves a report behind.
	fail := func(err error) (int, error) {
		_, err = runner.ReportError(cfg, err)
		return exitToolError, err
	}
	if *failOn != "fail" && *failOn != "warn" {
		return fail(fmt.Errorf("%w: --fail-on %q: want fail or warn", runner.ErrConfig, *failOn))
	}
	if *waivers != "" {
		ws, err := reports.LoadWaivers(*waivers)
		if err != nil {
			return fail(err)
		}
		cfg.Waivers = ws
	}
	if *appOrigin != "" {
		u, err := url.Parse(*appOrigin)
		if err != nil || u.Scheme != "https" || u.Hostname() == "" || (u.Path != "" && u.Path != "/") {
			return fail(fmt.Errorf("%w: --app-origin %q: want an https origin such as https://app.example.com", runner.ErrConfig, *appOrigin))
		}
		cfg.AppHost = u.Hostname()
	}
	if t := supabaseTargetFromEnv(os.Getenv); t != nil {
		cfg.SupabaseTarget = t
		if !set["mode"] {
			cfg.Mode = runner.ModeSupabase
		}
	}
	if fs.NArg() > 0 {
		return exitToolError, fmt.Errorf("%w: run: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if *fixture != "" {
		f, err := fixtures.Get(*fixture)
		if err != nil {
			return fail(err)
		}
		cfg.Reference, cfg.FixtureName, cfg.Secret = f.Profile(), f.Name, f.Secret
		cfg.SupabaseReference, cfg.Mode = f.SupabaseProfile(), f.RunMode()
		cfg.SupabaseTarget = nil // a fixture is the embedded project
		cfg.BlockThirdPartyCookies = cfg.BlockThirdPartyCookies || f.BlockThirdPartyCookies
	}
	// AUTH_SECRET_KEY comes only from the environment, never a flag; the
	// embedded deployment then runs with the operator's key.
	if k := os.Getenv("AUTH_SECRET_KEY"); k != "" && cfg.Secret == nil {
		cfg.Secret = []byte(k)
	}
	// Likewise SUPABASE_JWT_SECRET for the embedded Supabase project.
	if k := os.Getenv("SUPABASE_JWT_SECRET"); k != "" {
		cfg.SupabaseReference.JWTSecret = []byte(k)
	}
	cfg.ChromiumPath = os.Getenv("MFCONFORM_CHROMIUM")
	cfg.Stdout = stdout
	fmt.Fprintf(stdout, "mfconform %s — mode %s\n\n", cfg.Version, cfg.Mode)
	rep, err := runner.Run(ctx, cfg)
	if rep != nil {
		fmt.Fprintf(stdout, "reports: %s\n", strings.Join(reportFiles(cfg.ReportDir), ", "))
	}
	return exitCode(ctx, rep, err, *failOn == "warn"), err
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
