package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/runner"
	"github.com/mfconform/mfconform/cmd/mfconform/internal/settings"
)

// exitCodesText is the exit-code contract, shown in every help text and
// the README.
const exitCodesText = `Exit codes (the first that applies, in this order):
  130  interrupted (Ctrl-C / SIGTERM); the report is written, nothing is left behind
  3    configuration, environment or tool error (bad flag, unreachable target, no Chromium)
  1    at least one spec failed
  4    incomplete: an in-scope spec could not judge (a missing input such as AUTH_SECRET_KEY);
       --allow-incomplete turns this into 0
  2    only warnings, and --fail-on warn was given
  0    conformant (warnings and waived results allowed)
`

// usage is the top-level help.
func usage() string {
	return `mfconform — conformance checks for a self-hosted Miiflow deployment's authentication

Usage:
  mfconform run [flags]              check a deployment (default: the embedded reference deployment)
  mfconform run --targets FILE [--concurrency N] [--shard I/N] [--report-dir DIR] [--dry-run]
                                     check many deployments with one shared Chromium
  mfconform config check [flags]     load and validate the configuration as run does, and print it
  mfconform specs [--json]           list every spec without running anything
  mfconform fixtures                 list the reference deployment's fixtures
  mfconform serve-reference [flags]  serve the reference deployment until Ctrl-C
  mfconform exporter --config FILE [--listen ADDR]
                                     a Prometheus exporter: GET /probe?target=NAME runs a configured target's check
  mfconform inspect [TOKEN|-]        decode and check a token (AUTH_SECRET_KEY from the environment)
  mfconform explain [CODE|SPEC-ID]   what a diagnostic code means and its fix in every stack, or what a
                                     spec judges and the codes it reports; alone, lists the codes
  mfconform report --from report.json --format html|junit|md|json|sarif|github [--out FILE|-]
                                     render a report again from its JSON (- for stdout)
  mfconform bundles install DIR      fetch and build the pinned browser bundles with npm (after go install)
  mfconform completion bash|zsh|fish print a shell completion script
  mfconform version

Run "mfconform COMMAND --help" for a command's flags.

` + exitCodesText
}

// subcommandHelp prints each command's own help.
var subcommandHelp = map[string]func() string{
	"run": func() string { return runHelp() },
	"config": func() string {
		return "Usage: mfconform config check [run flags]\n\nLoads and validates the configuration exactly as run does and prints every setting's\n" +
			"effective value and where it came from, secrets as fingerprints.\n\n" + runner.Settings.Help()
	},
	"specs": func() string {
		return flagsHelp("Usage: mfconform specs "+specsSettings.Synopsis()+"\n", specsSettings)
	},
	"fixtures": func() string {
		return "Usage: mfconform fixtures\n\nLists every fixture of the embedded reference deployment and what mfconform must report for it.\n"
	},
	"serve-reference": func() string {
		return flagsHelp("Usage: mfconform serve-reference [flags]\n", serveSettings)
	},
	"exporter": func() string { return exporterHelp() },
	"inspect":  func() string { return inspectHelp },
	"explain":  func() string { return explainHelp },
	"report": func() string {
		return flagsHelp("Usage: mfconform report --from report.json|DIR --format html|junit|md|json|sarif|github [--out FILE|-]\n", reportSettings)
	},
	"completion": func() string { return completionHelp },
	"bundles":    func() string { return bundlesHelp },
	"version":    func() string { return "Usage: mfconform version\n" },
	"docs": func() string {
		return flagsHelp("Usage: mfconform docs "+docsSettings.Synopsis()+" FILE...\n\nRegenerates (or checks) the generated sections of README.md and docs/*.md (make docs);\neach section appears exactly once across the files given.\n", docsSettings)
	},
}

const inspectHelp = `Usage: mfconform inspect [TOKEN|-]

Decodes a token, shows its claims (exp as a date) and checks it as the token
specs do. With AUTH_SECRET_KEY in the environment it also verifies the
signature. "-" reads the token from standard input (keeps it out of shell
history). The signature is never printed.
`

// runHelp is `mfconform run --help`.
func runHelp() string {
	var b strings.Builder
	b.WriteString("Usage: mfconform run [flags]\n\n")
	b.WriteString("Checks a deployment's authentication in real Chromium and writes report.json, report.html,\n")
	b.WriteString("junit.xml and summary.md. Without --login-url, --app-url or NEXT_PUBLIC_SUPABASE_* it checks\n")
	b.WriteString("the embedded reference deployment. Settings layer as defaults < --config FILE < MFCONFORM_*\n")
	b.WriteString("variables < flags; `mfconform config check` prints the result.\n\n")
	b.WriteString(runner.Settings.Help())
	b.WriteString("\nBatches: run " + batchSettings.Synopsis("targets") + "\n")
	b.WriteString(batchSettings.Help())
	b.WriteString("\nFrom the environment only, never a flag or the file:\n")
	for _, in := range runner.EnvInputs {
		fmt.Fprintf(&b, "  %-34s %s\n", in.Name, in.Usage)
	}
	b.WriteString("\n" + exitCodesText)
	return b.String()
}

func printRunHelp(w io.Writer) { fmt.Fprint(w, runHelp()) }

// flagsHelp is a usage line and every flag of a command's table.
func flagsHelp(head string, t flagTable) string {
	return head + "\n" + t.Help()
}

// flagsMarkdown is docs/cli.md's tables of flags — run's by group, with
// their configuration-file keys and variables; a batch's; serve-reference's
// — generated from the same tables as --help.
func flagsMarkdown() (string, error) {
	var b strings.Builder
	b.WriteString(runner.Settings.MarkdownFlags("flag"))
	b.WriteString(batchSettings.MarkdownFlags("batch flag (with `run --targets FILE`)"))
	b.WriteString(serveSettings.MarkdownFlags("`serve-reference` flag"))
	b.WriteString(exporterSettings.MarkdownFlags("`exporter` flag"))
	return b.String(), nil
}

// configFileMarkdown is docs/cli.md's table of the configuration-file keys
// that have no flag (every flag's key is in the flags table).
func configFileMarkdown() (string, error) {
	return runner.Settings.MarkdownFileOnly(), nil
}

// environmentMarkdown is docs/cli.md's list of environment variables: the
// MFCONFORM_* settings, then the inputs read from the environment only.
func environmentMarkdown() (string, error) {
	var b strings.Builder
	b.WriteString("| variable | sets |\n|---|---|\n")
	for _, v := range runner.Settings.EnvVars() {
		fmt.Fprintf(&b, "| `%s` | `%s`: %s |\n", v.Name, v.Setting, settings.MarkdownCell(v.Usage))
	}
	for _, in := range runner.EnvInputs {
		fmt.Fprintf(&b, "| `%s` | %s (environment only) |\n", in.Name, settings.MarkdownCell(in.Usage))
	}
	return b.String(), nil
}

// exitCodesMarkdown is the README's exit-code table.
func exitCodesMarkdown() (string, error) {
	return "```text\n" + exitCodesText + "```\n", nil
}
