package main

import (
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// repoRoot is the module root, relative to this package's folder.
const repoRoot = "../.."

// docFiles are the files `make docs` maintains and the tests read:
// README.md and every docs/*.md, as paths relative to the module root.
func docFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := []string{"README.md"}
	for _, f := range files {
		rel, err := filepath.Rel(repoRoot, f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rel)
	}
	if len(out) < 2 {
		t.Fatal("no docs/*.md: the tests below would check the README alone")
	}
	return out
}

// readDocs reads the files docFiles names, by relative path.
func readDocs(t *testing.T) map[string]string {
	t.Helper()
	docs := map[string]string{}
	for _, f := range docFiles(t) {
		b, err := os.ReadFile(filepath.Join(repoRoot, f))
		if err != nil {
			t.Fatal(err)
		}
		docs[f] = string(b)
	}
	return docs
}

// TestDocsAreUpToDate fails when a generated section of README.md or
// docs/*.md is stale, duplicated (in one file or across two) or unknown:
// the files as committed pass, and each planted defect fails with its own
// message.
func TestDocsAreUpToDate(t *testing.T) {
	docs := readDocs(t)
	// holder is the file that holds s; section is a whole generated section.
	holder := func(s string) string {
		t.Helper()
		for _, f := range slices.Sorted(maps.Keys(docs)) {
			if strings.Contains(docs[f], s) {
				return f
			}
		}
		t.Fatalf("no doc holds %q", s)
		return ""
	}
	section := func(name string) string {
		begin, end := "<!-- BEGIN GENERATED: "+name+" -->", "<!-- END GENERATED: "+name+" -->"
		text := docs[holder(begin)]
		i, j := strings.Index(text, begin), strings.Index(text, end)
		if i < 0 || j < i {
			t.Fatalf("no %s section", name)
		}
		return text[i : j+len(end)]
	}
	// replace plants a change in the file that holds old.
	replace := func(old, new string) map[string]string {
		t.Helper()
		d := maps.Clone(docs)
		f := holder(old)
		d[f] = strings.Replace(d[f], old, new, 1)
		return d
	}
	// appendTo adds text at the end of one file.
	appendTo := func(file, text string) map[string]string {
		d := maps.Clone(docs)
		d[file] += text
		return d
	}
	flags := section("flags")
	flagsFile := holder(flags)
	other := "README.md"
	if flagsFile == other {
		other = "docs/specs.md"
	}
	tests := []struct {
		name    string
		docs    map[string]string
		wantErr string // "" for up to date
	}{
		{"as committed", docs, ""},
		{"a stale row", replace("| `--timeout DURATION` |", "| `--timeout 2M` |"), "is stale"},
		{"a flag missing", replace("`--session-host HOST`", ""), "is stale"},
		{"a stale exit-code table", replace("conformant (warnings and waived results allowed)", "conformant"), "README.md is stale"},
		// The sample output is a real run of the host-only fixture: an old
		// one (issue 22: it showed a Python fix the run no longer prints) is stale.
		{"a stale sample output", replace("Set-Cookie: mf_jwt_token=<token>; Domain=.your-domain.com;", `e.g. response.set_cookie("mf_jwt_token", token, domain=".your-domain.com", …);`), "is stale"},
		{"a second copy of a section in its file, up to date", appendTo(flagsFile, "\n"+flags+"\n"), "section flags appears twice"},
		{"a second copy of a section in another file, up to date", appendTo(other, "\n"+flags+"\n"), "section flags appears twice"},
		{"a second copy of a section, stale", appendTo(other, "\n"+strings.Replace(flags, "`--mode MODE`", "`--mode ALL`", 1)+"\n"), "section flags appears twice"},
		{"an unknown section", appendTo(other, "\n<!-- BEGIN GENERATED: flag -->\n<!-- END GENERATED: flag -->\n"), `unknown generated section "flag"`},
		{"a section missing", replace(flags, ""), "missing markers for section flags"},
		{"an END without its BEGIN", replace("<!-- BEGIN GENERATED: environment -->", ""), "END of section environment, which is not open"},
		{"a BEGIN without its END", replace("<!-- END GENERATED: environment -->", ""), "section environment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, "docs"), 0o700); err != nil {
				t.Fatal(err)
			}
			var args []string
			for _, f := range slices.Sorted(maps.Keys(tt.docs)) {
				path := filepath.Join(dir, f)
				if err := os.WriteFile(path, []byte(tt.docs[f]), 0o600); err != nil {
					t.Fatal(err)
				}
				args = append(args, path)
			}
			err := docsCmd(append([]string{"--check"}, args...), io.Discard)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("docs --check: %v (run `make docs`)", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("docs --check = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestDocsRewritesEverySection: docs rewrites every generated section,
// wherever among the files it is, and the result is up to date.
func TestDocsRewritesEverySection(t *testing.T) {
	var a, b strings.Builder
	for i, name := range slices.Sorted(maps.Keys(docSections)) {
		doc := &a
		if i%2 == 1 {
			doc = &b
		}
		doc.WriteString("# " + name + "\n<!-- BEGIN GENERATED: " + name + " -->\nold text\n<!-- END GENERATED: " + name + " -->\n\n")
	}
	docs := []docFile{{"a.md", []byte(a.String())}, {"b.md", []byte(b.String())}, {"c.md", []byte("no markers\n")}}
	got, err := renderDocs(docs)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range got {
		if strings.Contains(string(d), "old text") {
			t.Errorf("renderDocs left a section of %s as it was:\n%s", docs[i].path, d)
		}
		docs[i].text = d
	}
	if string(got[2]) != "no markers\n" {
		t.Errorf("renderDocs changed a file without markers: %q", got[2])
	}
	again, err := renderDocs(docs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range again {
		if string(again[i]) != string(got[i]) {
			t.Errorf("renderDocs is not stable for %s", docs[i].path)
		}
	}
}

// TestDocsCommandLine: docs needs at least one file and refuses one given
// twice (its sections would count twice).
func TestDocsCommandLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "README.md")
	if err := os.WriteFile(path, []byte("nothing\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--check"}, {"--check", path, path}} {
		if err := docsCmd(args, io.Discard); !errors.Is(err, errUsage) {
			t.Errorf("docs %v = %v, want a usage error", args, err)
		}
	}
}

// readmeMaxLines is how long the README may grow: it gets a newcomer to a
// first verdict; the rest is in docs/ (issue 24).
const readmeMaxLines = 250

// TestReadmeIsShort: the README stays short, its first run against a
// deployment of yours shows the flags real deployments need (--ca-file for
// a private CA, --resolve for split DNS), and it links every file in docs/.
func TestReadmeIsShort(t *testing.T) {
	docs := readDocs(t)
	readme := docs["README.md"]
	if n := strings.Count(readme, "\n"); n > readmeMaxLines {
		t.Errorf("README.md has %d lines, at most %d: move the detail to docs/", n, readmeMaxLines)
	}
	var first *docCommand
	cmds := extractDocCommands(t, map[string]string{"README.md": readme})
	for _, c := range cmds {
		targetsYours := slices.ContainsFunc(c.args, func(a string) bool {
			return a == "--login-url" || a == "--app-url" || a == "--app-origin" || a == "--config"
		})
		if targetsYours && (first == nil || docLineOf(c) < docLineOf(first)) {
			first = c
		}
	}
	switch {
	case first == nil:
		t.Error("README.md shows no run against a deployment of yours")
	case !slices.Contains(first.args, "--ca-file") || !slices.Contains(first.args, "--resolve"):
		t.Errorf("README.md's first run against a deployment (%s) lacks --ca-file or --resolve: `mfconform %s`", first.where[0], first.key())
	}
	for f := range docs {
		if f != "README.md" && !strings.Contains(readme, "]("+f+")") {
			t.Errorf("README.md does not link %s", f)
		}
	}
}

// docLineOf is the first line a command is shown on.
func docLineOf(c *docCommand) int {
	_, line, _ := strings.Cut(c.where[0], ":")
	n, _ := strconv.Atoi(line)
	return n
}
