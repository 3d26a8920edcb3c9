package main

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/runner"
	"github.com/mfconform/mfconform/cmd/mfconform/internal/suggest"
	"github.com/mfconform/mfconform/fixtures"
	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/result"
	"github.com/mfconform/mfconform/suites/stack"
)

const explainHelp = `Usage: mfconform explain [CODE|SPEC-ID]

Prints a diagnostic code's catalogue entry: the cause a finding of it
proves (and by which evidence), the likely causes it does not prove (each
with how to tell), the fix, the fix
in each recognised stack's idiom (Flask, Django, FastAPI, Express, Next.js,
Go, Spring, ASP.NET Core, Rails), references, the specs that report it and
the fixtures that demonstrate it. Given a spec ID (JWT-COOKIE-006, the first
thing a console line shows) it prints the spec: its title, labels, the
evidence it judges and the codes it reports, each with its title. Without
an argument it lists every code. Codes and spec IDs are matched without
regard to case. The HTML report carries the same text for every code it
shows.
`

// explainCmd is `mfconform explain [CODE|SPEC-ID]`.
func explainCmd(args []string, stdout io.Writer) error {
	switch len(args) {
	case 0:
		return listCodes(stdout)
	case 1:
		name := strings.ToUpper(strings.TrimSpace(args[0]))
		if e, ok := explainEntry(diag.Code(name)); ok {
			writeEntry(stdout, e)
			return nil
		}
		if s, ok := runner.LookupSpec(name); ok {
			writeSpec(stdout, s)
			return nil
		}
		known := append(runner.Codes(), runner.SpecIDs()...)
		return fmt.Errorf("%w: explain: %q is neither a diagnostic code nor a spec ID%s; `mfconform explain` lists the codes, `mfconform specs` the specs",
			errUsage, result.Clean(result.Cut(args[0], 128)), suggest.Phrase("", suggest.Closest(name, known)))
	}
	return fmt.Errorf("%w: explain takes one code or spec ID at most", errUsage)
}

// specCodes returns the codes the spec with the given ID reports and the
// fixtures that show each, as the fixture matrix proves them: failures
// before warnings, the most often shown first.
func specCodes(id result.SpecID) ([]diag.Code, map[diag.Code][]string) {
	shown := map[diag.Code][]string{}
	for _, f := range fixtures.All() {
		for _, m := range []map[result.SpecID][]diag.Code{f.Expect.Fail, f.Expect.Warn} {
			for _, c := range m[id] {
				if !slices.Contains(shown[c], f.Name) {
					shown[c] = append(shown[c], f.Name)
				}
			}
		}
	}
	var codes []diag.Code
	for _, e := range diag.All() {
		if _, ok := shown[e.Code]; ok {
			codes = append(codes, e.Code)
		}
	}
	rank := func(c diag.Code) int {
		e, _ := diag.Lookup(c)
		if e.Severity == diag.Warn || e.Severity == diag.Info {
			return 1
		}
		return 0
	}
	slices.SortStableFunc(codes, func(a, b diag.Code) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(len(shown[b]), len(shown[a])))
	})
	return codes, shown
}

// writeSpec prints one spec: its title, labels, the evidence it judges,
// and the codes it reports with their titles and the fixtures that show
// them.
func writeSpec(w io.Writer, s runner.SpecInfo) {
	fmt.Fprintf(w, "%s: %s\n", s.ID, s.Title)
	fmt.Fprintf(w, "Labels: %s\n", strings.Join(s.Labels, ", "))
	judges := "that " + s.Title
	if ev := runner.SpecEvidence(string(s.ID)); len(ev) > 0 {
		judges += "\nfrom the evidence " + strings.Join(ev, ", ") + " (gathered once per run for every spec that needs it; the console's time line names it)"
	} else {
		judges += "\nfrom the run's configuration alone (no evidence gathered)"
	}
	section(w, "What it judges", judges)
	codes, shown := specCodes(s.ID)
	if len(codes) == 0 {
		section(w, "Codes it reports", "no fixture proves a code for it yet")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "\nCodes it reports (each proven by a fixture of the reference deployment):")
	for _, c := range codes {
		e, _ := diag.Lookup(c)
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", c, e.Severity, e.Title)
	}
	_ = tw.Flush()
	var lines []string
	for _, c := range codes {
		lines = append(lines, fmt.Sprintf("%s: %s", c, strings.Join(shown[c], ", ")))
	}
	section(w, "Demonstrated by the fixtures", strings.Join(lines, "\n")+"\n(see one: mfconform run --fixture "+shown[codes[0]][0]+")")
	fmt.Fprintf(w, "\nmfconform explain %s prints a code in full, with its fix in every stack.\n", codes[0])
}

// explainEntry is code's catalogue entry with its per-stack fixes and the
// specs and fixtures that show it (as the fixture matrix proves them).
func explainEntry(code diag.Code) (result.Entry, bool) {
	e, ok := stack.Entry(code)
	if !ok {
		return e, false
	}
	specs := map[result.SpecID]bool{}
	for _, f := range fixtures.All() {
		for _, m := range []map[result.SpecID][]diag.Code{f.Expect.Fail, f.Expect.Warn} {
			for id, codes := range m {
				if slices.Contains(codes, code) {
					specs[id] = true
					if !slices.Contains(e.Fixtures, f.Name) {
						e.Fixtures = append(e.Fixtures, f.Name)
					}
				}
			}
		}
	}
	e.Specs = slices.Sorted(maps.Keys(specs))
	return e, true
}

// listCodes prints every code with its severity, title and how many
// stacks have its fix.
func listCodes(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CODE\tSEVERITY\tSTACK FIXES\tTITLE")
	for _, e := range diag.All() {
		n := len(stack.Fixes(e.Code, stack.DefaultVars()))
		fixes := "generic"
		if n > 0 {
			fixes = fmt.Sprintf("%d stacks", n)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Code, e.Severity, fixes, e.Title)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "\nmfconform explain CODE prints one in full.")
	return err
}

// writeEntry prints one entry in full.
func writeEntry(w io.Writer, e result.Entry) {
	fmt.Fprintf(w, "%s (%s) %s\n", e.Code, e.Severity, e.Title)
	if e.Environment {
		fmt.Fprintln(w, "(about the run's environment, not the deployment: the run ends in an error, exit code 3)")
	}
	if e.Cause != "" {
		section(w, "Cause (what a finding of this code proves)", e.Cause+"\n("+result.LabelProvenBy+": "+e.ProvenBy+")")
	}
	if len(e.Hypotheses) > 0 {
		var b strings.Builder
		for i, h := range e.Hypotheses {
			fmt.Fprintf(&b, "%d. %s\n   %s: %s\n", i+1, h.Cause, result.LabelTell, h.Tell)
		}
		label := result.LikelyLabel(len(e.Hypotheses))
		section(w, strings.ToUpper(label[:1])+label[1:]+" — a finding ranks and narrows them with its own evidence", b.String())
	}
	section(w, "Fix", e.Fix)
	if len(e.Fixes) > 0 {
		fmt.Fprintln(w, "\nFix in your stack (mfconform names the stack it recognised in the report's target details):")
		for _, f := range e.Fixes {
			fmt.Fprintf(w, "\n  %s:\n%s\n", f.Name, indent(f.Fix, "    "))
		}
	}
	section(w, "See", e.Reference)
	specs := "no fixture proves a spec that reports it (mfconform specs lists the specs)"
	if len(e.Specs) > 0 {
		specs = result.JoinIDs(e.Specs, ", ")
	}
	section(w, "Reported by", specs)
	demo := "no fixture demonstrates it yet"
	if len(e.Fixtures) > 0 {
		demo = strings.Join(e.Fixtures, ", ") + "\n(see one: mfconform run --fixture " + e.Fixtures[0] + ")"
	}
	section(w, "Demonstrated by the fixtures", demo)
}

// section prints a titled, indented block.
func section(w io.Writer, title, body string) {
	fmt.Fprintf(w, "\n%s:\n%s\n", title, indent(body, "  "))
}

// indent indents every line of s.
func indent(s, pad string) string {
	return pad + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+pad)
}
