package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadmeIsUpToDate fails when a generated README section is stale,
// duplicated or unknown: the README as committed passes, and each planted
// defect fails with its own message.
func TestReadmeIsUpToDate(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	section := func(name string) string {
		begin, end := "<!-- BEGIN GENERATED: "+name+" -->", "<!-- END GENERATED: "+name+" -->"
		i, j := strings.Index(text, begin), strings.Index(text, end)
		if i < 0 || j < i {
			t.Fatalf("README has no %s section", name)
		}
		return text[i : j+len(end)]
	}
	flags := section("flags")
	tests := []struct {
		name    string
		doc     string
		wantErr string // "" for up to date
	}{
		{"as committed", text, ""},
		{"a stale row", strings.Replace(text, "| `--timeout DURATION` |", "| `--timeout 2M` |", 1), "is stale"},
		{"a flag missing", strings.Replace(text, "`--session-host HOST`", "", 1), "is stale"},
		// The sample output is a real run of the host-only fixture: an old
		// one (issue 22: it showed a Python fix the run no longer prints) is stale.
		{"a stale sample output", strings.Replace(text, "Set-Cookie: mf_jwt_token=<token>; Domain=.your-domain.com;", `e.g. response.set_cookie("mf_jwt_token", token, domain=".your-domain.com", …);`, 1), "is stale"},
		{"a second copy of a section, up to date", strings.Replace(text, "## Specs", flags+"\n\n## Specs", 1), "section flags appears twice"},
		{"a second copy of a section, stale", strings.Replace(text, "## Specs", strings.Replace(flags, "`--mode MODE`", "`--mode ALL`", 1)+"\n\n## Specs", 1), "section flags appears twice"},
		{"an unknown section", strings.Replace(text, "## Specs", "<!-- BEGIN GENERATED: flag -->\n<!-- END GENERATED: flag -->\n\n## Specs", 1), `unknown generated section "flag"`},
		{"a section missing", strings.Replace(text, flags, "", 1), "missing markers for section flags"},
		{"an END without its BEGIN", strings.Replace(text, "<!-- BEGIN GENERATED: environment -->", "", 1), "END of section environment, which is not open"},
		{"a BEGIN without its END", strings.Replace(text, "<!-- END GENERATED: environment -->", "", 1), "begins inside section environment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "README.md")
			if err := os.WriteFile(path, []byte(tt.doc), 0o600); err != nil {
				t.Fatal(err)
			}
			err := docsCmd([]string{"--check", path}, io.Discard)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("docs --check: %v (run `make docs`)", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("docs --check = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestDocsRewritesEverySection: docs rewrites every generated section, and
// the result is up to date.
func TestDocsRewritesEverySection(t *testing.T) {
	var doc strings.Builder
	for name := range docSections {
		doc.WriteString("# " + name + "\n<!-- BEGIN GENERATED: " + name + " -->\nold text\n<!-- END GENERATED: " + name + " -->\n\n")
	}
	got, err := renderDocs([]byte(doc.String()))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(got), "old text") {
		t.Errorf("renderDocs left a section as it was:\n%s", got)
	}
	again, err := renderDocs(got)
	if err != nil || string(again) != string(got) {
		t.Errorf("renderDocs is not stable: %v", err)
	}
}
