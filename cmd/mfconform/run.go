package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/runner"
	"github.com/mfconform/mfconform/reports"
)

// runCmd is `mfconform run`: runner.Prepare (the validation config check
// shares), then the run, shown as --format, --quiet and --color ask.
func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	cfg, err := runner.Prepare(args, os.Getenv)
	cfg.Version = toolVersion()
	switch {
	case errors.Is(err, runner.ErrHelp):
		printRunHelp(stdout)
		return exitOK, nil
	case errors.Is(err, runner.ErrUsage):
		// A flag that does not parse writes no report (and creates no
		// report folder): nothing ran.
		return exitToolError, err
	}
	out := newConsole(cfg.Output, stdout, stderr, os.Getenv)
	if err != nil {
		if errors.Is(err, runner.ErrConfig) && !reportDirUsable(cfg.ReportDir) {
			return exitToolError, err
		}
		// From here on every error still leaves a report behind.
		rep, err := runner.ReportError(cfg, err)
		return exitToolError, errors.Join(err, out.report(rep))
	}
	cfg.Show, cfg.Progress = out.show, out.progress()
	out.say("mfconform %s — mode %s\n\n", cfg.Version, cfg.Mode)
	rep, err := runner.Run(ctx, cfg)
	if rep != nil {
		out.say("reports: %s\n", strings.Join(reportFiles(cfg.ReportDir), ", "))
		err = errors.Join(err, out.report(rep))
	}
	return exitCode(ctx, rep, err, cfg.FailOn == "warn", cfg.AllowIncomplete), err
}

// reportDirUsable reports whether a configuration error can be written as
// a report: the folder is set and not the product of a bad value.
func reportDirUsable(dir string) bool { return dir != "" }

// configCmd is `mfconform config check [--config FILE] [run flags…]`: it
// loads and validates the configuration with runner.Prepare, exactly as
// `run` does (so both reject the same inputs with the same words), and
// prints the effective one, defaults included, secrets as fingerprints or
// "set", and every host the run serves or reaches with where it resolves.
func configCmd(args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "check" {
		return fmt.Errorf("%w: config check [--config FILE] [run flags]", errUsage)
	}
	cfg, err := runner.Prepare(args[1:], os.Getenv)
	if errors.Is(err, runner.ErrHelp) {
		printRunHelp(stdout)
		return nil
	}
	if err != nil {
		return err
	}
	out, err := cfg.Effective(os.Getenv)
	if err != nil {
		return err
	}
	hosts, err := cfg.HostsText()
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, out)
	fmt.Fprint(stdout, hosts)
	fmt.Fprintln(stdout, "# configuration is valid")
	return nil
}

// reportFiles lists the report files a run writes into dir.
func reportFiles(dir string) []string {
	var out []string
	for _, f := range reports.Files {
		out = append(out, filepath.Join(dir, f))
	}
	return out
}
