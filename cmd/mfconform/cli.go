package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/mfconform/mfconform/reports"
)

// Exit codes, decided here and nowhere else.
const (
	exitOK          = 0   // conformant (warnings allowed)
	exitFailed      = 1   // at least one spec failed
	exitWarned      = 2   // reserved: only warnings, with --fail-on warn
	exitToolError   = 3   // configuration, environment or tool error
	exitInterrupted = 130 // stopped by SIGINT/SIGTERM
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

// errUsage marks a command-line mistake.
var errUsage = errors.New("usage")

const usage = `mfconform — conformance checks for a self-hosted Miiflow deployment's authentication

Usage:
  mfconform run [--mode jwt] [--report-dir DIR] [--label-filter EXPR] [--fixture NAME]
  mfconform specs [--json]           list every spec without running anything
  mfconform fixtures                 list the reference deployment's fixtures
  mfconform inspect [TOKEN|-]        decode and check a token (AUTH_SECRET_KEY from the environment)
  mfconform version

Exit codes: 0 conformant, 1 a spec failed, 3 configuration/environment/tool error, 130 interrupted.
`

// run dispatches a subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitToolError
	}
	var err error
	code := exitOK
	switch args[0] {
	case "run":
		code, err = runCmd(ctx, args[1:], stdout)
	case "specs":
		err = specsCmd(args[1:], stdout)
	case "fixtures":
		err = fixturesCmd(args[1:], stdout)
	case "inspect":
		code, err = inspectCmd(args[1:], stdout)
	case "docs":
		err = docsCmd(args[1:], stdout)
	case "version", "--version":
		fmt.Fprintf(stdout, "mfconform %s\n", toolVersion())
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		err = fmt.Errorf("%w: unknown command %q", errUsage, args[0])
	}
	if err == nil {
		return code
	}
	fmt.Fprintf(stderr, "mfconform: %v\n", err)
	if errors.Is(err, errUsage) {
		fmt.Fprint(stderr, "\n"+usage)
	}
	if code == exitOK || code == exitFailed {
		code = exitToolError
	}
	return code
}

// exitCode maps a finished run to the process exit code.
func exitCode(ctx context.Context, rep *reports.Report, err error) int {
	switch {
	case ctx.Err() != nil || rep != nil && rep.Verdict == reports.VerdictInterrupted:
		return exitInterrupted
	case err != nil:
		return exitToolError
	case rep.Verdict == reports.VerdictError:
		return exitToolError
	case rep.Verdict == reports.VerdictNonConformant:
		return exitFailed
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
