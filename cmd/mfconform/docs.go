package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/runner"
	"github.com/mfconform/mfconform/fixtures"
	"github.com/mfconform/mfconform/suites/result"
)

// docSections are the generated parts of the README, each between
// <!-- BEGIN GENERATED: name --> and <!-- END GENERATED: name -->.
var docSections = map[string]func() (string, error){
	"specs":      specsMarkdown,
	"fixtures":   fixturesMarkdown,
	"flags":      flagsMarkdown,
	"exit-codes": exitCodesMarkdown,
}

// docsCmd is `mfconform docs [--check] FILE`: regenerate the generated
// sections of FILE, or with --check fail when they are stale.
func docsCmd(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("docs", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	check := fs.Bool("check", false, "only report whether the file is up to date")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		return fmt.Errorf("%w: docs [--check] FILE", errUsage)
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
	if *check {
		return fmt.Errorf("docs: %s is stale: run `make docs`", path)
	}
	if err := os.WriteFile(path, updated, 0o644); err != nil {
		return fmt.Errorf("docs: %w", err)
	}
	fmt.Fprintf(stdout, "%s updated\n", path)
	return nil
}

// renderDocs replaces every generated section of doc.
func renderDocs(doc []byte) ([]byte, error) {
	text := string(doc)
	for name, render := range docSections {
		begin := "<!-- BEGIN GENERATED: " + name + " -->"
		end := "<!-- END GENERATED: " + name + " -->"
		i, j := strings.Index(text, begin), strings.Index(text, end)
		if i < 0 || j < i {
			return nil, errors.New("missing markers for section " + name)
		}
		body, err := render()
		if err != nil {
			return nil, err
		}
		text = text[:i+len(begin)] + "\n" + body + text[j:]
	}
	return []byte(text), nil
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
