package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/runner"
	"github.com/mfconform/mfconform/suites/result"
)

// Exit codes, decided here and nowhere else. When several apply, the
// first in this order wins: 130 > 3 > 1 > 4 > 2 > 0.
const (
	exitOK          = 0   // conformant (warnings allowed)
	exitFailed      = 1   // at least one spec failed
	exitWarned      = 2   // only warnings, with --fail-on warn
	exitToolError   = 3   // configuration, environment or tool error
	exitIncomplete  = 4   // specs not judged for a missing input (0 with --allow-incomplete)
	exitInterrupted = 130 // stopped by SIGINT/SIGTERM
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

// errUsage marks a command-line mistake.
var errUsage = runner.ErrUsage

// run dispatches a subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return exitToolError
	}
	var err error
	code := exitOK
	cmd, rest := args[0], args[1:]
	if wantsHelp(rest) && cmd != "run" {
		if h, ok := subcommandHelp[cmd]; ok {
			fmt.Fprint(stdout, h())
			return exitOK
		}
	}
	switch cmd {
	case "run":
		if !wantsHelp(rest) {
			// Folders a killed run or batch left (a batch's holds its
			// CA's key) go before a new one starts.
			runner.RemoveStale(stderr)
		}
		if slices.ContainsFunc(rest, func(a string) bool { return a == "--targets" || strings.HasPrefix(a, "--targets=") }) {
			code, err = targetsCmd(ctx, rest, stdout)
			break
		}
		code, err = runCmd(ctx, rest, stdout, stderr)
	case "specs":
		err = specsCmd(rest, stdout)
	case "fixtures":
		err = fixturesCmd(rest, stdout)
	case "exporter":
		code, err = exporterCmd(ctx, rest, stdout, stderr)
	case "serve-reference":
		code, err = serveCmd(ctx, rest, stdout)
	case "inspect":
		code, err = inspectCmd(rest, stdout)
	case "explain":
		err = explainCmd(rest, stdout)
	case "docs":
		err = docsCmd(rest, stdout)
	case "report":
		err = reportCmd(rest, stdout)
	case "action-args":
		// The GitHub Action's own helper (scripts/action.sh), not a
		// command for people: not in the help.
		err = actionArgsCmd(os.Stdin, stdout)
	case "config":
		err = configCmd(rest, stdout)
	case "completion":
		err = completionCmd(rest, stdout)
	case "bundles":
		code, err = bundlesCmd(ctx, rest, stdout, stderr)
	case "version", "--version":
		versionCmd(stdout)
	case "help", "-h", "--help":
		if len(rest) > 0 {
			if h, ok := subcommandHelp[rest[0]]; ok {
				fmt.Fprint(stdout, h())
				break
			}
		}
		fmt.Fprint(stdout, usage())
	default:
		err = fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}
	if err == nil {
		return code
	}
	// A run's errors come through its redaction set (runner.Run,
	// runner.ReportError): they show no password of a URL it was given.
	// Every line of the error starts with "mfconform: ", so nothing an
	// error quotes (a target's answer) can start a line a CI runner obeys.
	for _, line := range strings.Split(result.Clean(err.Error()), "\n") {
		fmt.Fprintf(stderr, "mfconform: %s\n", line)
	}
	if errors.Is(err, errUsage) {
		fmt.Fprintf(stderr, "\nRun `mfconform %s --help` for the flags.\n", helpTopic(cmd))
	}
	if code == exitOK || code == exitFailed {
		code = exitToolError
	}
	return code
}

// wantsHelp reports whether args ask for help.
func wantsHelp(args []string) bool {
	return slices.ContainsFunc(args, func(a string) bool { return a == "-h" || a == "--help" || a == "-help" })
}

func helpTopic(cmd string) string {
	if _, ok := subcommandHelp[cmd]; ok {
		return cmd
	}
	return "help"
}

// exitCode maps a finished run to the process exit code, in the order
// 130 > 3 > 1 > 4 > 2 > 0: failOnWarn makes a run with only warnings exit
// 2; allowIncomplete makes an incomplete one exit as if complete.
func exitCode(ctx context.Context, rep *result.Report, err error, failOnWarn, allowIncomplete bool) int {
	switch {
	case ctx.Err() != nil || rep != nil && rep.Verdict == result.VerdictInterrupted:
		return exitInterrupted
	case err != nil || rep == nil || rep.Verdict == result.VerdictError:
		return exitToolError
	case rep.Verdict == result.VerdictNonConformant:
		return exitFailed
	case rep.Verdict == result.VerdictIncomplete && !allowIncomplete:
		return exitIncomplete
	case rep.Counts[result.StateWarned] > 0 && failOnWarn:
		return exitWarned
	default:
		return exitOK
	}
}

func toolVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
