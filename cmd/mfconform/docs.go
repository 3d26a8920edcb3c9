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

// docSections are the generated parts of README.md and docs/*.md, each
// between <!-- BEGIN GENERATED: name --> and <!-- END GENERATED: name -->,
// each exactly once across the files.
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
		{Flag: "check", Usage: "only report whether the files are up to date",
			Value: settings.Bool(func(o *docsOptions) *bool { return &o.check })},
	},
}

// docsCmd is `mfconform docs [--check] FILE...`: regenerate the generated
// sections of the files (README.md and docs/*.md: `make docs`), or with
// --check fail when one is stale. Every section appears exactly once
// across the files given.
func docsCmd(args []string, stdout io.Writer) error {
	var o docsOptions
	fs := docsSettings.FlagSet(&o)
	if err := docsSettings.ParseFlags(fs, args); err != nil {
		return fmt.Errorf("%w: docs: %w", errUsage, err)
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: docs %s FILE...", errUsage, docsSettings.Synopsis())
	}
	paths := fs.Args()
	docs := make([]docFile, len(paths))
	for i, path := range paths {
		if slices.Contains(paths[:i], path) {
			return fmt.Errorf("%w: docs: %s is given twice", errUsage, path)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("docs: %w", err)
		}
		docs[i] = docFile{path, b}
	}
	updated, err := renderDocs(docs)
	if err != nil {
		return fmt.Errorf("docs: %w", err)
	}
	var stale []string
	for i, d := range docs {
		if bytes.Equal(d.text, updated[i]) {
			fmt.Fprintf(stdout, "%s is up to date\n", d.path)
			continue
		}
		if o.check {
			stale = append(stale, d.path)
			continue
		}
		if err := os.WriteFile(d.path, updated[i], 0o644); err != nil {
			return fmt.Errorf("docs: %w", err)
		}
		fmt.Fprintf(stdout, "%s updated\n", d.path)
	}
	if len(stale) > 0 {
		return fmt.Errorf("docs: %s is stale: run `make docs`", strings.Join(stale, ", "))
	}
	return nil
}

// docFile is one file `mfconform docs` maintains: its path and its text.
type docFile struct {
	path string
	text []byte
}

// docMarker matches a generated section's markers; the name is anything up
// to the closing "-->" so a misspelt one is caught, not skipped.
var docMarker = regexp.MustCompile(`<!-- (BEGIN|END) GENERATED: *(.*?) *-->`)

// docSpan is one generated section found in a file: the name, where its
// BEGIN marker ends and its END marker begins.
type docSpan struct {
	name       string
	bodyStart  int
	bodyEnd    int
	file, line int
}

// renderDocs replaces every generated section of the docs and returns
// their new texts, in order. Every marker must pair up (BEGIN name … END
// name, not nested), name a known section and appear once across all the
// files; every known section must be in one of them. Each section is
// rendered once (the sample output runs Chromium).
func renderDocs(docs []docFile) ([][]byte, error) {
	seen := map[string]docSpan{}
	spans := make([][]docSpan, len(docs))
	for fi, d := range docs {
		text := string(d.text)
		var open *docSpan
		for _, m := range docMarker.FindAllStringSubmatchIndex(text, -1) {
			kind, name := text[m[2]:m[3]], text[m[4]:m[5]]
			line := 1 + strings.Count(text[:m[0]], "\n")
			where := fmt.Sprintf("%s:%d", d.path, line)
			_, known := docSections[name]
			switch {
			case !known:
				return nil, fmt.Errorf("%s: unknown generated section %q (known: %s)", where, name, strings.Join(slices.Sorted(maps.Keys(docSections)), ", "))
			case kind == "BEGIN" && open != nil:
				return nil, fmt.Errorf("%s: section %s begins inside section %s (begun on line %d)", where, name, open.name, open.line)
			case kind == "BEGIN":
				if first, dup := seen[name]; dup {
					return nil, fmt.Errorf("%s: section %s appears twice (first at %s:%d): keep one", where, name, docs[first.file].path, first.line)
				}
				open = &docSpan{name: name, bodyStart: m[1], file: fi, line: line}
				seen[name] = *open
			case open == nil || open.name != name:
				return nil, fmt.Errorf("%s: END of section %s, which is not open", where, name)
			default:
				open.bodyEnd = m[0]
				spans[fi] = append(spans[fi], *open)
				open = nil
			}
		}
		if open != nil {
			return nil, fmt.Errorf("%s:%d: section %s has no END marker", d.path, open.line, open.name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(docSections)) {
		if _, ok := seen[name]; !ok {
			return nil, fmt.Errorf("missing markers for section %s (in none of %s)", name, docPaths(docs))
		}
	}
	out := make([][]byte, len(docs))
	for fi, d := range docs {
		text := string(d.text)
		var b strings.Builder
		last := 0
		for _, s := range spans[fi] {
			body, err := docSections[s.name]()
			if err != nil {
				return nil, fmt.Errorf("section %s: %w", s.name, err)
			}
			b.WriteString(text[last:s.bodyStart] + "\n" + body)
			last = s.bodyEnd
		}
		b.WriteString(text[last:])
		out[fi] = []byte(b.String())
	}
	return out, nil
}

// docPaths lists the docs' paths for a message.
func docPaths(docs []docFile) string {
	var p []string
	for _, d := range docs {
		p = append(p, d.path)
	}
	return strings.Join(p, ", ")
}

// specsMarkdown is the spec table of docs/specs.md, in the order a report
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
