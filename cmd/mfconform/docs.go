package main

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/runner"
	"github.com/mfconform/mfconform/cmd/mfconform/internal/settings"
	"github.com/mfconform/mfconform/fixtures"
	"github.com/mfconform/mfconform/suites/result"
)

// docSections are the generated parts of the README, each between
// <!-- BEGIN GENERATED: name --> and <!-- END GENERATED: name -->, each
// exactly once.
var docSections = map[string]func() (string, error){
	"specs":       specsMarkdown,
	"fixtures":    fixturesMarkdown,
	"flags":       flagsMarkdown,
	"config-file": configFileMarkdown,
	"environment": environmentMarkdown,
	"exit-codes":  exitCodesMarkdown,
	// sample-output runs the host-only fixture in Chromium.
	"sample-output": sampleOutputMarkdown,
}

// docsOptions are `mfconform docs`' flags.
type docsOptions struct{ check bool }

// docsSettings is the table of `mfconform docs`' flags.
var docsSettings = &settings.Table[docsOptions]{
	Command: "docs",
	Settings: []settings.Setting[docsOptions]{
		{Flag: "check", Usage: "only report whether the file is up to date",
			Value: settings.Bool(func(o *docsOptions) *bool { return &o.check })},
	},
}

// docsCmd is `mfconform docs [--check] FILE`: regenerate the generated
// sections of FILE, or with --check fail when they are stale.
func docsCmd(args []string, stdout io.Writer) error {
	var o docsOptions
	fs := docsSettings.FlagSet(&o)
	if err := docsSettings.ParseFlags(fs, args); err != nil {
		return fmt.Errorf("%w: docs: %w", errUsage, err)
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: docs %s FILE", errUsage, docsSettings.Synopsis())
	}
	path := fs.Arg(0)
	old, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("docs: %w", err)
	}
	updated, err := renderDocs(old)
	if err != nil {
		return fmt.Errorf("docs: %s: %w", path, err)
	}
	if bytes.Equal(old, updated) {
		fmt.Fprintf(stdout, "%s is up to date\n", path)
		return nil
	}
	if o.check {
		return fmt.Errorf("docs: %s is stale: run `make docs`", path)
	}
	if err := os.WriteFile(path, updated, 0o644); err != nil {
		return fmt.Errorf("docs: %w", err)
	}
	fmt.Fprintf(stdout, "%s updated\n", path)
	return nil
}

// docMarker matches a generated section's markers; the name is anything up
// to the closing "-->" so a misspelt one is caught, not skipped.
var docMarker = regexp.MustCompile(`<!-- (BEGIN|END) GENERATED: *(.*?) *-->`)

// renderDocs replaces every generated section of doc. Every marker must
// pair up (BEGIN name … END name, not nested), name a known section and
// appear once; every known section must be there.
func renderDocs(doc []byte) ([]byte, error) {
	text := string(doc)
	var out strings.Builder
	seen := map[string]bool{}
	open, openAt, last := "", 0, 0
	for _, m := range docMarker.FindAllStringSubmatchIndex(text, -1) {
		kind, name := text[m[2]:m[3]], text[m[4]:m[5]]
		line := 1 + strings.Count(text[:m[0]], "\n")
		render, known := docSections[name]
		switch {
		case !known:
			return nil, fmt.Errorf("line %d: unknown generated section %q (known: %s)", line, name, strings.Join(slices.Sorted(maps.Keys(docSections)), ", "))
		case kind == "BEGIN" && open != "":
			return nil, fmt.Errorf("line %d: section %s begins inside section %s (begun on line %d)", line, name, open, openAt)
		case kind == "BEGIN" && seen[name]:
			return nil, fmt.Errorf("line %d: section %s appears twice: keep one", line, name)
		case kind == "BEGIN":
			body, err := render()
			if err != nil {
				return nil, fmt.Errorf("section %s: %w", name, err)
			}
			out.WriteString(text[last:m[1]] + "\n" + body)
			open, openAt, seen[name] = name, line, true
		case open != name:
			return nil, fmt.Errorf("line %d: END of section %s, which is not open", line, name)
		default:
			last, open = m[0], ""
		}
	}
	if open != "" {
		return nil, fmt.Errorf("section %s (line %d) has no END marker", open, openAt)
	}
	for _, name := range slices.Sorted(maps.Keys(docSections)) {
		if !seen[name] {
			return nil, fmt.Errorf("missing markers for section %s", name)
		}
	}
	out.WriteString(text[last:])
	return []byte(out.String()), nil
}

// specsMarkdown is the spec table of the README, in the order a report
// prints the specs, with the earlier specs that may block each (the
// declared graph).
func specsMarkdown() (string, error) {
	specs := runner.List()
	var b strings.Builder
	b.WriteString("| ID | labels | checks that | blocked only by |\n|---|---|---|---|\n")
	for _, s := range specs {
		after := "—"
		if len(s.After) > 0 {
			after = "`" + result.JoinIDs(s.After, "`, `") + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", s.ID, strings.Join(s.Labels, ", "), s.Title, after)
	}
	return b.String(), nil
}

// fixturesMarkdown is the detection matrix: every fixture with the specs and
// codes the suite must report for it (proved by the fixture self-test),
// then every spec with the fixtures that prove it can fail.
func fixturesMarkdown() (string, error) {
	var b strings.Builder
	b.WriteString("| fixture | group | the deployment | mfconform reports |\n|---|---|---|---|\n")
	proven := map[result.SpecID][]string{}
	for _, f := range fixtures.All() {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", f.Name, f.Group, f.Description, f.ExpectedSummary())
		for _, m := range []map[result.SpecID][]string{f.Expect.FailCodes(), f.Expect.WarnCodes()} {
			for id := range m {
				proven[id] = append(proven[id], f.Name)
			}
		}
	}
	b.WriteString("\nEvery spec is failed by at least one fixture (a test enforces it):\n\n| spec | failed by |\n|---|---|\n")
	for _, s := range runner.List() {
		names := proven[s.ID]
		for i, n := range names {
			names[i] = "`" + n + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s |\n", s.ID, strings.Join(names, ", "))
	}
	return b.String(), nil
}
