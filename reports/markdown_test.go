package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mfconform/mfconform/suites/result"
)

func renderMD(t *testing.T, r *result.Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := RenderMarkdown(&b, r); err != nil {
		t.Fatalf("RenderMarkdown() error = %v", err)
	}
	return b.String()
}

func TestRenderMarkdown(t *testing.T) {
	setup := &result.Report{Tool: "mfconform", Target: result.Target{Description: "unreachable"}, SetupError: "start reference verifier: address in use",
		WaiverProblems: []string{"waiver for JWT-NOPE-001 matched no spec"}}
	setup.Summarize()

	tests := []struct {
		name    string
		r       *result.Report
		want    []string
		wantNot []string
	}{
		{
			name: "failures, warnings and waivers", r: renderReport(t, 1),
			want: []string{
				"**Verdict: NOT CONFORMANT** — staging at acme.test\n",
				"| passed | 1 |", "| failed | 1 |", "| warned | 1 |", "| not judged | 1 |", "| waived | 1 |", "| **total** | **5** |",
				"| jwt:cookie | 0 | 1 | 0 | 0 | 0 | 0 | 0 |", "| supabase:key | 1 | 0 | 0 | 0 | 0 | 0 | 0 |",
				"### Not judged: give these to judge them\n\n- **SUPABASE_TEST_EMAIL and SUPABASE_TEST_PASSWORD**: SB-BROWSER-002\n",
				"### What to fix\n\n1. `COOKIE_HOST_ONLY` **mf_jwt_token is host-only** — JWT-COOKIE-001 — cause: The Set-Cookie line has no Domain",
				"(proven by: the observed Set-Cookie line", "  \n   Fix: " + testFix + "\n\n2. `TOKEN_LIFETIME_LONG`",
				"— cause: exp lies further ahead",
				"### Failures\n\n- **JWT-COOKIE-001** the cookie reaches the app — `COOKIE_HOST_ONLY` (fix 1): no Domain attribute: host-only on login.acme.test\n",
				"### Warnings\n\n- **JWT-TOKEN-001** token lifetime — `TOKEN_LIFETIME_LONG` (fix 2): 30 days\n",
				"### Waivers applied\n\n- **JWT-TOKEN-002** token is HS256 (was failed) — waived: clock skew accepted until NTP fix (expires 2099-12-31) — `TOKEN_CLOCK_SKEW`: iat 90 s ahead\n",
				"fixture host-only", "Chrome/156.0.8078.108", "config cfg-5eed1234",
			},
			wantNot: []string{string(result.SBKey001), "Waiver problems", "Setup failed", "cross-site", "DomainMismatch"},
		},
		{
			name: "setup error and waiver problems", r: setup,
			want:    []string{"**Verdict: ERROR**", "**Setup failed:** start reference verifier: address in use", "### Waiver problems\n\n- waiver for JWT-NOPE-001 matched no spec"},
			wantNot: []string{"### Failures", "| Area |"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md := renderMD(t, tt.r)
			for _, w := range tt.want {
				if !strings.Contains(md, w) {
					t.Errorf("RenderMarkdown() does not contain %q:\n%s", w, md)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(md, w) {
					t.Errorf("RenderMarkdown() contains %q, want it absent:\n%s", w, md)
				}
			}
		})
	}
}

func TestRenderMarkdownShort(t *testing.T) {
	r := renderReport(t, 3)
	long := strings.Repeat("observed detail ", 60)
	r.Specs[1].Diagnostics[0].Observed = long
	r.Summarize()
	md := renderMD(t, r)
	if n := strings.Count(md, "\n"); n >= 80 {
		t.Errorf("RenderMarkdown() of a run with 3 failures has %d lines, want < 80:\n%s", n, md)
	}
	if bullets := strings.Count(md, "\n- **JWT-COOKIE-"); bullets != 3 {
		t.Errorf("RenderMarkdown() has %d failure bullets, want 3", bullets)
	}
	_, rest, _ := strings.Cut(md, "**JWT-COOKIE-002** the cookie reaches the app — `COOKIE_HOST_ONLY` (fix 1): ")
	observed, _, _ := strings.Cut(rest, "\n")
	if n := len([]rune(observed)); n > observedLimit || n < observedLimit-40 || !strings.HasSuffix(observed, "detail…") {
		t.Errorf("RenderMarkdown() observation = %q (%d characters), want it cut between words to at most %d", observed, n, observedLimit)
	}
}

// unescapedPipe is a pipe not preceded by a backslash.
var unescapedPipe = regexp.MustCompile(`(^|[^\\])\|`)

func TestRenderMarkdownEscapes(t *testing.T) {
	r := renderReport(t, 1)
	r.Specs[0].Diagnostics[0].Observed = "Set-Cookie: a=1 | b=2; `rm -rf` *bold* <b>x</b>"
	r.Specs[0].Title = "title | with pipe"
	r.Specs[0].Labels = []string{"mode:jwt", "area:co|okie"}
	r.Summarize()
	md := renderMD(t, r)

	if want := "`COOKIE_HOST_ONLY` (fix 1): Set-Cookie: a=1 \\| b=2; \\`rm -rf\\` \\*bold\\* \\<b\\>x\\</b\\>"; !strings.Contains(md, want) {
		t.Errorf("RenderMarkdown() does not contain the escaped observation %q:\n%s", want, md)
	}
	if want := "**JWT-COOKIE-001** title \\| with pipe"; !strings.Contains(md, want) {
		t.Errorf("RenderMarkdown() does not contain the escaped title %q:\n%s", want, md)
	}
	// Every row of a table has as many cells as its header.
	cols := -1
	for line := range strings.Lines(md) {
		line = strings.TrimRight(line, "\n")
		if !strings.HasPrefix(line, "|") {
			cols = -1
			continue
		}
		n := len(unescapedPipe.FindAllString(line, -1))
		if cols < 0 {
			cols = n
		} else if n != cols {
			t.Errorf("table row %q has %d cell separators, want %d as in its header", line, n, cols)
		}
	}
	if !strings.Contains(md, "| jwt:co\\|okie | 0 | 1 |") {
		t.Errorf("RenderMarkdown() area row with a pipe is not escaped:\n%s", md)
	}
}

func TestMDEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"mf_jwt_token", "mf_jwt_token"},
		{"_lead and trail_", `\_lead and trail\_`},
		{"sb_secret_ key", `sb_secret\_ key`},
		{"a|b", `a\|b`},
		{"`x`", "\\`x\\`"},
		{`back\slash`, `back\\slash`},
		{"two\nlines\r\n", "two lines "},
		{"# not a heading", `\# not a heading`},
		{"[link](x)", `\[link\](x)`},
	}
	for _, tt := range tests {
		if got := mdEscape(tt.in); got != tt.want {
			t.Errorf("mdEscape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWriteMarkdown(t *testing.T) {
	path := filepath.Join(t.TempDir(), MarkdownFile)
	r := &result.Report{Tool: "mfconform", Target: result.Target{Description: "x"}}
	r.Summarize()
	if err := WriteMarkdown(path, r); err != nil {
		t.Fatalf("WriteMarkdown() error = %v", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("ReadFile() error = %v", err)
	}
	if !strings.Contains(string(b), "**Verdict: INCOMPLETE (no spec judged anything)** — x") {
		t.Errorf("WriteMarkdown() wrote %q, want the verdict line of a run that judged nothing", b)
	}
}
