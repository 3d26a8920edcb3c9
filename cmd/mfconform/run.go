package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/mfconform/mfconform/fixtures"
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
	if err := fs.Parse(args); err != nil {
		return exitToolError, fmt.Errorf("%w: run: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return exitToolError, fmt.Errorf("%w: run: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if *fixture != "" {
		f, err := fixtures.Get(*fixture)
		if err != nil {
			return exitToolError, err
		}
		cfg.Reference, cfg.FixtureName, cfg.Secret = f.Profile(), f.Name, f.Secret
		cfg.BlockThirdPartyCookies = cfg.BlockThirdPartyCookies || f.BlockThirdPartyCookies
	}
	// AUTH_SECRET_KEY comes only from the environment, never a flag; the
	// embedded deployment then runs with the operator's key.
	if k := os.Getenv("AUTH_SECRET_KEY"); k != "" && cfg.Secret == nil {
		cfg.Secret = []byte(k)
	}
	cfg.ChromiumPath = os.Getenv("MFCONFORM_CHROMIUM")
	cfg.Version = toolVersion()
	cfg.Stdout = stdout
	fmt.Fprintf(stdout, "mfconform %s — JWT mode against the embedded reference deployment\n\n", cfg.Version)
	rep, err := runner.Run(ctx, cfg)
	if rep != nil {
		fmt.Fprintf(stdout, "reports: %s/report.json, %s/junit.xml\n", cfg.ReportDir, cfg.ReportDir)
	}
	return exitCode(ctx, rep, err), err
}
