package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/mfconform/mfconform/reports"
)

// Exit codes, decided here and nowhere else.
const (
	exitOK          = 0   // conformant (warnings allowed)
	exitFailed      = 1   // at least one spec failed
	exitWarned      = 2   // only warnings, with --fail-on warn
	exitToolError   = 3   // configuration, environment or tool error
	exitInterrupted = 130 // stopped by SIGINT/SIGTERM
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

// errUsage marks a command-line mistake.
var errUsage = errors.New("usage")

const usage = `mfconform — conformance checks for a self-hosted Miiflow deployment's authentication

Usage:
  mfconform run [--mode all|jwt|supabase] [--report-dir DIR] [--label-filter EXPR] [--fixture NAME]
                [--waivers FILE] [--fail-on fail|warn] [--block-third-party-cookies] [--app-origin URL]
                [--config FILE] [--login-url URL] [--login-method GET|POST] [--login-form k=v]…
                [--app-url URL|reference] [--app-host H] [--probe-path P] [--secret-file F]
                [--resolve HOST=IP]… [--ca-file PEM] [--proxy URL]
  mfconform config check [--config FILE] [run flags]
                                     validate and print the effective configuration (secrets as fingerprints)
  mfconform run --targets FILE [--concurrency N] [--shard I/N] [--report-dir DIR] [--dry-run]
                                     check many deployments with one shared Chromium
  mfconform specs [--json]           list every spec without running anything
  mfconform fixtures                 list the reference deployment's fixtures
  mfconform serve-reference [--fixture NAME] [--env-out FILE]  serve the reference deployment until Ctrl-C
  mfconform inspect [TOKEN|-]        decode and check a token (AUTH_SECRET_KEY from the environment)
  mfconform report --from report.json --format html|junit|md|json [--out FILE]
                                     render a report again from its JSON
  mfconform version

Exit codes: 0 conformant, 1 a spec failed, 2 only warnings with --fail-on warn,
3 configuration/environment/tool error, 130 interrupted. Every run writes its reports, errors included.
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
		if slices.ContainsFunc(args[1:], func(a string) bool { return a == "--targets" || strings.HasPrefix(a, "--targets=") }) {
			code, err = targetsCmd(ctx, args[1:], stdout)
			break
		}
		code, err = runCmd(ctx, args[1:], stdout)
	case "specs":
		err = specsCmd(args[1:], stdout)
	case "fixtures":
		err = fixturesCmd(args[1:], stdout)
	case "serve-reference":
		code, err = serveCmd(ctx, args[1:], stdout)
	case "inspect":
		code, err = inspectCmd(args[1:], stdout)
	case "docs":
		err = docsCmd(args[1:], stdout)
	case "report":
		err = reportCmd(args[1:], stdout)
	case "config":
		err = configCmd(args[1:], stdout)
	case "version", "--version":
		versionCmd(stdout)
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

// exitCode maps a finished run to the process exit code; failOnWarn makes
// a run with only warnings exit 2.
func exitCode(ctx context.Context, rep *reports.Report, err error, failOnWarn bool) int {
	switch {
	case ctx.Err() != nil || rep != nil && rep.Verdict == reports.VerdictInterrupted:
		return exitInterrupted
	case err != nil:
		return exitToolError
	case rep.Verdict == reports.VerdictError:
		return exitToolError
	case rep.Verdict == reports.VerdictNonConformant:
		return exitFailed
	case rep.Verdict == reports.VerdictWarnings && failOnWarn:
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
