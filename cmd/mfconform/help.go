package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/runner"
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
  mfconform inspect [TOKEN|-]        decode and check a token (AUTH_SECRET_KEY from the environment)
  mfconform explain [CODE]           what a diagnostic code means and its fix in every stack; alone, lists the codes
  mfconform report --from report.json --format html|junit|md|json [--out FILE]
                                     render a report again from its JSON
  mfconform version

Run "mfconform COMMAND --help" for a command's flags.

` + exitCodesText
}

// subcommandHelp prints each command's own help.
var subcommandHelp = map[string]func() string{
	"run":    func() string { return runHelp() },
	"config": func() string { return "Usage: mfconform config check [run flags]\n\n" + runFlagsHelp() },
	"specs":  func() string { return flagsHelp("Usage: mfconform specs [--json]\n", specsFlags()) },
	"fixtures": func() string {
		return "Usage: mfconform fixtures\n\nLists every fixture of the embedded reference deployment and what mfconform must report for it.\n"
	},
	"serve-reference": func() string {
		fs, _ := serveFlagSet()
		return flagsHelp("Usage: mfconform serve-reference [flags]\n", fs)
	},
	"inspect": func() string { return inspectHelp },
	"explain": func() string { return explainHelp },
	"report": func() string {
		fs, _ := reportFlagSet()
		return flagsHelp("Usage: mfconform report --from report.json --format html|junit|md|json [--out FILE]\n", fs)
	},
	"version": func() string { return "Usage: mfconform version\n" },
	"docs": func() string {
		return "Usage: mfconform docs [--check] FILE\n\nRegenerates (or checks) the generated sections of a README.\n"
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
	b.WriteString("the embedded reference deployment.\n\n")
	b.WriteString(runFlagsHelp())
	b.WriteString("\nBatches: run --targets FILE [--concurrency N] [--shard I/N] [--report-dir DIR] [--dry-run]\n\n")
	b.WriteString("Secrets come from the environment only: AUTH_SECRET_KEY (or --secret-file), SUPABASE_JWT_SECRET,\n")
	b.WriteString("NEXT_PUBLIC_SUPABASE_URL, NEXT_PUBLIC_SUPABASE_KEY, SUPABASE_TEST_EMAIL, SUPABASE_TEST_PASSWORD.\n")
	b.WriteString("Settings also come from " + strings.Join(runner.EnvVarNames(), ", ") + ".\n\n")
	b.WriteString(exitCodesText)
	return b.String()
}

func printRunHelp(w io.Writer) { fmt.Fprint(w, runHelp()) }

// runFlagsHelp lists the run flags by group, with descriptions and
// defaults.
func runFlagsHelp() string {
	fs, _ := runner.FlagSet("run")
	var b strings.Builder
	for _, g := range runner.FlagGroups {
		fmt.Fprintf(&b, "%s flags:\n", strings.ToUpper(g[:1])+g[1:])
		fs.VisitAll(func(f *flag.Flag) {
			if runner.FlagGroup(f.Name) == g {
				b.WriteString(flagLine(f))
			}
		})
		b.WriteString("\n")
	}
	return b.String()
}

// flagsHelp is a usage line and every flag of fs.
func flagsHelp(head string, fs *flag.FlagSet) string {
	var b strings.Builder
	b.WriteString(head + "\n")
	fs.VisitAll(func(f *flag.Flag) { b.WriteString(flagLine(f)) })
	return b.String()
}

// flagLine is one flag: "  --name ARG   usage (default x)".
func flagLine(f *flag.Flag) string {
	arg, usage := flag.UnquoteUsage(f)
	name := "--" + f.Name
	if arg != "" {
		name += " " + strings.ToUpper(arg)
	}
	line := fmt.Sprintf("  %-34s %s", name, usage)
	if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "[]" {
		line += fmt.Sprintf(" (default %s)", f.DefValue)
	}
	return line + "\n"
}

// flagsMarkdown is the README's table of run flags, generated from the
// same definitions as --help.
func flagsMarkdown() (string, error) {
	fs, _ := runner.FlagSet("run")
	var b strings.Builder
	for _, g := range runner.FlagGroups {
		fmt.Fprintf(&b, "\n**%s**\n\n| flag | meaning | default |\n|---|---|---|\n", strings.ToUpper(g[:1])+g[1:])
		fs.VisitAll(func(f *flag.Flag) {
			if runner.FlagGroup(f.Name) != g {
				return
			}
			arg, u := flag.UnquoteUsage(f)
			name := "--" + f.Name
			if arg != "" {
				name += " " + strings.ToUpper(arg)
			}
			def := f.DefValue
			if def == "false" || def == "0" {
				def = ""
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", name, mdCell(u), mdDefault(def))
		})
	}
	b.WriteString("\n| batch flag (with `run --targets FILE`) | meaning | default |\n|---|---|---|\n")
	tf, _ := targetsFlagSet()
	tf.VisitAll(func(f *flag.Flag) {
		arg, u := flag.UnquoteUsage(f)
		name := "--" + f.Name
		if arg != "" {
			name += " " + strings.ToUpper(arg)
		}
		def := f.DefValue
		if def == "false" {
			def = ""
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", name, mdCell(u), mdDefault(def))
	})
	return b.String(), nil
}

// mdCell escapes text for a Markdown table cell: pipes, and angle
// brackets a renderer would read as HTML.
func mdCell(s string) string {
	return strings.NewReplacer("|", "\\|", "<", "\\<", ">", "\\>").Replace(s)
}

func mdDefault(d string) string {
	if d == "" {
		return ""
	}
	return "`" + d + "`"
}

// exitCodesMarkdown is the README's exit-code table.
func exitCodesMarkdown() (string, error) {
	return "```text\n" + exitCodesText + "```\n", nil
}
