package reports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/result"
)

// ghUnescape undoes the escaping as GitHub's runner does
// (actions/runner's ActionCommand.Unescape: %0D, %0A, %3A, %2C, then %25).
func ghUnescape(s string) string {
	return strings.NewReplacer("%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",", "%25", "%").Replace(s)
}

// ghCommand is one workflow command line as GitHub's runner parses it:
// "::NAME key=value,key=value::MESSAGE".
type ghCommand struct {
	name  string
	props map[string]string
	data  string
}

func parseGHCommands(t *testing.T, out string) []ghCommand {
	t.Helper()
	var cmds []ghCommand
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		rest, ok := strings.CutPrefix(line, "::")
		head, data, ok2 := strings.Cut(rest, "::")
		if !ok || !ok2 {
			t.Fatalf("line %q is not a workflow command", line)
		}
		name, propText, _ := strings.Cut(head, " ")
		c := ghCommand{name: name, props: map[string]string{}, data: ghUnescape(data)}
		for _, p := range strings.Split(propText, ",") {
			if k, v, ok := strings.Cut(p, "="); ok {
				c.props[k] = ghUnescape(v)
			}
		}
		cmds = append(cmds, c)
	}
	return cmds
}

// TestRenderGitHubOneAnnotationPerCause: each root cause is exactly one
// ::error (a failure) or ::warning (a warning), titled with its code; the
// target's text — line breaks, workflow commands, percent escapes — stays
// inside its message, and reads back as it was.
func TestRenderGitHubOneAnnotationPerCause(t *testing.T) {
	evil := "x\n::error title=injected::y\r\n::stop-commands::z %0A::warning::w, a: b"
	r := renderReport(t, 2)
	r.Specs[0].Diagnostics[0].Observed = evil
	r.Specs[1].Diagnostics[0].Observed = evil // the same cause, seen by two specs
	r.Summarize()
	var b bytes.Buffer
	if err := RenderGitHub(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	cmds := parseGHCommands(t, out)
	causes, _ := r.Causes()
	if len(cmds) != len(causes) {
		t.Fatalf("%d workflow commands, want one per root cause (%d):\n%s", len(cmds), len(causes), out)
	}
	want := []struct{ name, title string }{{"error", "COOKIE_HOST_ONLY"}, {"warning", "TOKEN_LIFETIME_LONG"}}
	for i, c := range cmds {
		if c.name != want[i].name || c.props["title"] != want[i].title || len(c.props) != 1 {
			t.Errorf("command %d = ::%s %v, want ::%s title=%s", i, c.name, c.props, want[i].name, want[i].title)
		}
	}
	if !strings.Contains(cmds[0].data, result.CleanLine(evil)) {
		t.Errorf("the first annotation's message %q lacks the observation as the report holds it", cmds[0].data)
	}
	if strings.Count(out, "\n") != len(causes) {
		t.Errorf("the output has %d lines, want %d", strings.Count(out, "\n"), len(causes))
	}
}

// TestRenderGitHubSetupAndIncomplete: a setup failure is one ::error, an
// incomplete run one ::warning saying what is missing.
func TestRenderGitHubSetupAndIncomplete(t *testing.T) {
	setup := &result.Report{SetupError: "port in use:\nsecond line"}
	setup.Summarize()
	incomplete := &result.Report{Specs: []result.Spec{{ID: result.JWTApp001, State: result.StatePassed},
		{ID: result.JWTApp004, State: result.StateNotJudged, Input: "AUTH_SECRET_KEY"}}}
	incomplete.Summarize()
	warned := &result.Report{Specs: []result.Spec{{ID: result.JWTToken007, State: result.StateWarned,
		Diagnostics: []diag.Diagnostic{diag.New(diag.TokenLifetimeLong, "e", "o")}}}}
	warned.Summarize()
	tests := []struct {
		name string
		r    *result.Report
		want []string // name and title of each command
	}{
		{"setup error", setup, []string{"error mfconform: setup failed"}},
		{"incomplete", incomplete, []string{"warning mfconform: incomplete"}},
		{"warned", warned, []string{"warning TOKEN_LIFETIME_LONG"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := RenderGitHub(&b, tt.r); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range parseGHCommands(t, b.String()) {
				got = append(got, c.name+" "+c.props["title"])
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("commands = %q, want %q\n%s", got, tt.want, b.String())
			}
		})
	}
}

func TestGHEscape(t *testing.T) {
	tests := []struct{ in, data, prop string }{
		{"plain", "plain", "plain"},
		{"100%", "100%25", "100%25"},
		{"a\r\nb", "a%0D%0Ab", "a%0D%0Ab"},
		{"k: v, w", "k: v, w", "k%3A v%2C w"},
		{"%0A", "%250A", "%250A"},
	}
	for _, tt := range tests {
		if got := ghData(tt.in); got != tt.data {
			t.Errorf("ghData(%q) = %q, want %q", tt.in, got, tt.data)
		}
		if got := ghProperty(tt.in); got != tt.prop {
			t.Errorf("ghProperty(%q) = %q, want %q", tt.in, got, tt.prop)
		}
		if got := ghUnescape(ghProperty(tt.in)); got != tt.in {
			t.Errorf("unescape(ghProperty(%q)) = %q", tt.in, got)
		}
	}
}
