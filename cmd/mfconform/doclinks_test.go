package main

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// docLink is a Markdown link or image outside code: [text](target).
var docLink = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)

// docCodeSpan is an inline code span, whose text is not a link.
var docCodeSpan = regexp.MustCompile("`[^`]*`")

// docHeading is an ATX heading.
var docHeading = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)

// TestDocLinks: every relative link of README.md, docs/*.md,
// CONTRIBUTING.md and SECURITY.md names a file or folder of the checkout
// and, with a #fragment into a Markdown file, one of its headings (as
// GitHub makes their anchors).
func TestDocLinks(t *testing.T) {
	files := append(docFiles(t), "CONTRIBUTING.md", "SECURITY.md")
	anchors := map[string]map[string]bool{} // file (relative to the root) → its anchors
	anchorsOf := func(file string) map[string]bool {
		if a, ok := anchors[file]; ok {
			return a
		}
		b, err := os.ReadFile(filepath.Join(repoRoot, file))
		if err != nil {
			t.Fatal(err)
		}
		anchors[file] = markdownAnchors(string(b))
		return anchors[file]
	}
	checked := 0
	for _, file := range files {
		b, err := os.ReadFile(filepath.Join(repoRoot, file))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range docLinks(string(b)) {
			target := l.target
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			checked++
			path, frag, _ := strings.Cut(target, "#")
			dest := file
			if path != "" {
				dest = filepath.Clean(filepath.Join(filepath.Dir(file), path))
				if strings.HasPrefix(dest, "..") {
					t.Errorf("%s:%d: %s leaves the checkout", file, l.line, target)
					continue
				}
				if _, err := os.Stat(filepath.Join(repoRoot, dest)); err != nil {
					t.Errorf("%s:%d: %s: no such file or folder (%s)", file, l.line, target, dest)
					continue
				}
			}
			if frag != "" {
				if !strings.HasSuffix(dest, ".md") {
					t.Errorf("%s:%d: %s: a fragment into a file that is not Markdown", file, l.line, target)
					continue
				}
				if a := anchorsOf(dest); !a[frag] {
					t.Errorf("%s:%d: %s: %s has no heading #%s (it has: %s)", file, l.line, target, dest, frag, strings.Join(slices.Sorted(maps.Keys(a)), ", "))
				}
			}
		}
	}
	if checked < 20 {
		t.Errorf("checked only %d relative links: is the extraction broken?", checked)
	}
}

// foundLink is a link target and the line it is on.
type foundLink struct {
	target string
	line   int
}

// docLinks finds the links of a Markdown text outside fenced code blocks
// and inline code.
func docLinks(text string) []foundLink {
	var links []foundLink
	fenced := false
	for i, line := range strings.Split(text, "\n") {
		if docFence.MatchString(line) {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		line = docCodeSpan.ReplaceAllString(line, "")
		for _, m := range docLink.FindAllStringSubmatch(line, -1) {
			links = append(links, foundLink{m[1], i + 1})
		}
	}
	return links
}

// markdownAnchors are the anchors GitHub gives a Markdown file's
// headings: lower case, markup and punctuation dropped, spaces as
// hyphens, a repeated one numbered (-1, -2, …).
func markdownAnchors(text string) map[string]bool {
	anchors := map[string]bool{}
	count := map[string]int{}
	fenced := false
	for _, line := range strings.Split(text, "\n") {
		if docFence.MatchString(line) {
			fenced = !fenced
			continue
		}
		m := docHeading.FindStringSubmatch(line)
		if fenced || m == nil {
			continue
		}
		heading := docLink.ReplaceAllStringFunc(m[1], func(l string) string {
			return l[strings.Index(l, "[")+1 : strings.Index(l, "]")]
		})
		var b strings.Builder
		for _, r := range strings.ToLower(heading) {
			switch {
			case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
				b.WriteRune(r)
			case r == ' ':
				b.WriteByte('-')
			}
		}
		a := b.String()
		if n := count[a]; n > 0 {
			anchors[a+"-"+strconv.Itoa(n)] = true
		} else {
			anchors[a] = true
		}
		count[a]++
	}
	return anchors
}

// TestMarkdownAnchors: anchors as GitHub makes them.
func TestMarkdownAnchors(t *testing.T) {
	got := markdownAnchors("# mfconform\n## Many deployments: a targets file\n### `mfconform explain` and [links](x.md)\n```sh\n# not a heading\n```\n## Notes\n## Notes\n")
	for _, want := range []string{"mfconform", "many-deployments-a-targets-file", "mfconform-explain-and-links", "notes", "notes-1"} {
		if !got[want] {
			t.Errorf("no anchor %q in %v", want, slices.Sorted(maps.Keys(got)))
		}
	}
	if got["not-a-heading"] {
		t.Error("a comment in a code block became a heading")
	}
}
