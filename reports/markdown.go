package reports

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/mfconform/mfconform/suites/result"
)

// MarkdownFile is the name of the short Markdown summary in the report
// directory, sized for a CI job summary.
const MarkdownFile = "summary.md"

// observedLimit and fixLimit bound the text quoted per diagnostic, in
// runes; the HTML report has the rest.
const (
	observedLimit = 200
	fixLimit      = 400
)

// WriteMarkdown writes the report's Markdown summary.
func WriteMarkdown(path string, r *result.Report) error {
	var b bytes.Buffer
	if err := RenderMarkdown(&b, r); err != nil {
		return fmt.Errorf("reports: render %s: %w", path, err)
	}
	return WriteFile(path, b.Bytes())
}

// RenderMarkdown writes a summary short enough for a GitHub or GitLab job
// summary, leading with what to fix: the verdict and the setup error;
// what to fix, one item per root cause in the order to fix them, with its
// fix once; then the failures and warnings in detail (one bullet per
// spec, naming its causes by number with what it observed); the blocked
// specs, one line per spec that blocked them; the inputs that would judge
// the not-judged ones; the out-of-scope groups and the waivers; and last,
// collapsed, the counts and areas, the run's details, the stacks and
// where the time went. Passed specs are only counted.
func RenderMarkdown(w io.Writer, r *result.Report) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format+"\n", args...) }
	causes, groups := r.Causes()

	p("## %s", mdEscape(cmp.Or(r.Tool, "mfconform")))
	p("")
	p("**Verdict: %s** — %s", mdEscape(VerdictLine(r)), mdEscape(cmp.Or(r.Target.Description, "unknown target")))
	p("")
	if r.SetupError != "" {
		p("**Setup failed:** %s", mdInline(r.SetupError, 400))
		p("")
	}
	if len(causes) > 0 {
		p("### What to fix")
		p("")
		for i, c := range causes {
			p("%d. %s", i+1, mdCauseItem(c))
			p("")
		}
	}

	section := func(title string, states ...result.State) {
		var lines []string
		for _, s := range r.Specs {
			if slices.Contains(states, s.State) {
				lines = append(lines, mdSpecBullet(s, causes))
			}
		}
		if len(lines) == 0 {
			return
		}
		p("### %s", title)
		p("")
		for _, l := range lines {
			p("%s", l)
		}
		p("")
	}
	section("Failures", result.StateFailed, result.StateInterrupted)
	section("Warnings", result.StateWarned)
	if len(groups) > 0 {
		p("### Blocked")
		p("")
		for _, g := range groups {
			p("- %s", mdEscape(BlockedLine(g)))
		}
		p("")
	}
	if len(r.MissingInputs) > 0 {
		p("### Not judged: give these to judge them")
		p("")
		for _, m := range r.MissingInputs {
			p("- **%s**: %s", mdEscape(m.Input), mdEscape(result.JoinIDs(m.Specs, ", ")))
		}
		p("")
	}
	if len(r.OutOfScope) > 0 {
		p("### Out of scope")
		p("")
		for _, g := range r.OutOfScope {
			p("- %d %s: %s", len(g.Specs), plural(len(g.Specs), "spec", "specs"), mdInline(g.Reason, observedLimit))
		}
		p("")
	}
	section("Waivers applied", result.StateWaived)
	if len(r.WaiverProblems) > 0 {
		p("### Waiver problems")
		p("")
		for _, wp := range r.WaiverProblems {
			p("- %s", mdInline(wp, observedLimit))
		}
		p("")
	}

	counts, areas := tally(r)
	// The counts, collapsed: their one-line total is the summary.
	var total []string
	for _, s := range []result.State{result.StateFailed, result.StateWarned, result.StateBlocked, result.StateNotJudged, result.StateWaived, result.StatePassed, result.StateOutOfScope, result.StateInterrupted} {
		if counts[s] > 0 {
			total = append(total, fmt.Sprintf("%d %s", counts[s], KindText(s)))
		}
	}
	p("<details><summary>%s of %d specs</summary>", mdEscape(cmp.Or(strings.Join(total, ", "), "none")), len(r.Specs))
	p("")
	p("| State | Count |")
	p("|---|---:|")
	for _, s := range result.States {
		if s != result.StateInterrupted || counts[s] > 0 {
			p("| %s | %d |", KindText(s), counts[s])
		}
	}
	p("| **total** | **%d** |", len(r.Specs))
	p("")
	if len(areas) > 0 {
		p("| Area | passed | failed | warned | waived | blocked | not judged | out of scope |")
		p("|---|---:|---:|---:|---:|---:|---:|---:|")
		for _, a := range areaOrder(r.Modes, areas) {
			c := areas[a]
			p("| %s | %d | %d | %d | %d | %d | %d | %d |", mdEscape(a), c[result.StatePassed], c[result.StateFailed], c[result.StateWarned],
				c[result.StateWaived], c[result.StateBlocked], c[result.StateNotJudged], c[result.StateOutOfScope])
		}
		p("")
	}
	p("</details>")
	p("")

	var meta []string
	if r.Target.Fixture != "" && !strings.Contains(r.Target.Description, r.Target.Fixture) {
		meta = append(meta, "fixture "+mdEscape(r.Target.Fixture))
	}
	if r.Version != "" {
		meta = append(meta, mdEscape(cmp.Or(r.Tool, "mfconform")+" "+r.Version))
	}
	if r.Chromium != "" {
		meta = append(meta, mdEscape(r.Chromium))
	}
	if !r.StartedAt.IsZero() {
		meta = append(meta, r.StartedAt.UTC().Format("2006-01-02 15:04 MST"))
		if r.FinishedAt.After(r.StartedAt) {
			meta = append(meta, r.FinishedAt.Sub(r.StartedAt).Round(100*time.Millisecond).String())
		}
	}
	if r.ConfigFingerprint != "" {
		meta = append(meta, "config "+mdEscape(r.ConfigFingerprint))
	}
	if len(meta) > 0 {
		p("Run: %s", strings.Join(meta, " · "))
		p("")
	}
	for _, g := range r.Target.Stacks {
		p("Stack (%s): %s", mdEscape(g.Role), mdEscape(StackLine(g)))
		p("")
	}
	if t := Timings(r); t != "" {
		p("Time: %s", mdEscape(t))
		p("")
	}
	if len(r.Refused) > 0 {
		p("### Connections mfconform refused")
		p("")
		p("%s", mdEscape("mfconform let the browser reach only the deployment; it refused "+RefusedCount(r)+" (--allow-host adds a host):"))
		p("")
		for _, x := range r.Refused {
			p("- %s", mdInline(x.String(), observedLimit))
		}
		p("")
	}
	return bw.Flush()
}

// mdCauseItem is one root cause as a "what to fix" item: its code and
// title, where it showed and what it blocked, its cause (proven, or the
// ranked hypotheses), then its fix — the first
// line inline, the rest (a stack's snippet) in a code block.
func mdCauseItem(c result.RootCause) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s **%s** — %s", mdCode(c.Label()), mdEscape(c.Title), mdEscape(c.ShownBy()))
	if c.Code == "" {
		fmt.Fprintf(&b, ": %s", mdInline(c.Observed, observedLimit))
	}
	if n := len(c.Blocked); n > 0 {
		fmt.Fprintf(&b, "; blocks %d %s", n, plural(n, "spec", "specs"))
	}
	b.WriteString(mdCause(c.Diagnostic))
	if c.Fix == "" {
		return b.String()
	}
	label := "Fix"
	if c.FixFor != "" {
		label = "Fix (" + mdEscape(c.FixFor) + ")"
	}
	first, rest, _ := strings.Cut(strings.TrimSpace(c.Fix), "\n")
	fmt.Fprintf(&b, "  \n   %s: %s", label, mdInline(first, fixLimit))
	if rest = strings.TrimSpace(rest); rest != "" {
		b.WriteString("\n")
		b.WriteString(mdCodeBlock(rest, "   "))
	}
	return b.String()
}

// mdCodeBlock fences text as a code block indented by prefix (inside a
// list item), with a fence longer than any run of backticks in it so it
// cannot end early, control characters dropped and at most mdBlockLines
// lines.
func mdCodeBlock(text, prefix string) string {
	lines := strings.Split(strings.Map(dropControl, text), "\n")
	if len(lines) > mdBlockLines {
		lines = append(lines[:mdBlockLines], "…")
	}
	fence := "```"
	for strings.Contains(text, fence) {
		fence += "`"
	}
	var b strings.Builder
	b.WriteString("\n" + prefix + fence + "\n")
	for _, l := range lines {
		b.WriteString(prefix + strings.TrimRight(l, " \t\r") + "\n")
	}
	b.WriteString(prefix + fence)
	return b.String()
}

// mdBlockLines bounds a code block of the summary.
const mdBlockLines = 30

// areaOrder lists "mode:area" keys with the run's modes first, in order.
func areaOrder(modes []string, areas map[string]map[result.State]int) []string {
	keys := slices.Sorted(maps.Keys(areas))
	rank := func(k string) int {
		mode, _, _ := strings.Cut(k, ":")
		if i := slices.Index(modes, mode); i >= 0 {
			return i
		}
		return len(modes)
	}
	slices.SortStableFunc(keys, func(a, b string) int { return rank(a) - rank(b) })
	return keys
}

// mdSpecBullet is one line: **ID** title, then per root cause of the spec
// its code and number in "what to fix" with the spec's first observation
// of it — the fix is in "what to fix", once. A waived spec shows its
// waiver and its codes; a spec without a cause its failure or reason.
func mdSpecBullet(s result.Spec, causes []result.RootCause) string {
	var b strings.Builder
	fmt.Fprintf(&b, "- **%s** %s", mdEscape(cmp.Or(string(s.ID), "(no ID)")), mdEscape(s.Title))
	if s.State == result.StateInterrupted {
		b.WriteString(" (interrupted)")
	}
	shown := 0
	if s.State == result.StateWaived {
		if s.WaivedState != "" {
			fmt.Fprintf(&b, " (was %s)", KindText(s.WaivedState))
		}
		if w := s.Waiver; w != nil {
			fmt.Fprintf(&b, " — waived: %s", mdInline(w.Reason, observedLimit))
			if w.Expires != "" {
				fmt.Fprintf(&b, " (expires %s)", mdEscape(w.Expires))
			}
		}
		for _, d := range s.Diagnostics {
			if d.Severity != result.Info {
				shown++
				fmt.Fprintf(&b, " — %s: %s", mdCode(string(d.Code)), mdInline(d.Observed, observedLimit))
			}
		}
	}
	for i, c := range causes {
		if c.Code == "" || !slices.Contains(c.Specs, s.ID) {
			continue
		}
		var seen []string
		for _, x := range c.Seen {
			if slices.Contains(x.Specs, s.ID) {
				seen = append(seen, x.Observed)
			}
		}
		shown++
		fmt.Fprintf(&b, " — %s (fix %d)", mdCode(string(c.Code)), i+1)
		if len(seen) > 0 && seen[0] != "" {
			fmt.Fprintf(&b, ": %s", mdInline(seen[0], observedLimit))
		}
		if len(seen) > 1 {
			fmt.Fprintf(&b, " (and %d more)", len(seen)-1)
		}
	}
	if shown == 0 {
		if t := firstLine(s.Failure + "\n" + s.Reason); t != "" {
			fmt.Fprintf(&b, " — %s", mdInline(t, observedLimit))
		}
	}
	return b.String()
}

// mdCause is a diagnostic's cause on the bullet's line: the proven cause
// with what proves it, then the hypotheses under their label, each with
// how to tell — a guess never reads as a fact.
func mdCause(d result.Diagnostic) string {
	var b strings.Builder
	if d.Cause != "" {
		fmt.Fprintf(&b, " — cause: %s (%s: %s)", mdInline(d.Cause, observedLimit), result.LabelProvenBy, mdInline(d.ProvenBy, observedLimit))
	}
	if len(d.Hypotheses) > 0 {
		fmt.Fprintf(&b, " — %s:", mdEscape(result.LikelyLabel(len(d.Hypotheses))))
		for i, h := range d.Hypotheses {
			sep := ";"
			if i == 0 {
				sep = ""
			}
			fmt.Fprintf(&b, "%s %d. %s", sep, i+1, mdInline(h.Cause, observedLimit))
			if h.Tell != "" {
				fmt.Fprintf(&b, " (%s: %s)", result.LabelTell, mdInline(h.Tell, observedLimit))
			}
		}
	}
	return b.String()
}

// mdInline makes text one escaped line of at most limit runes.
func mdInline(s string, limit int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > limit {
		s = string(r[:limit-1])
		// Prefer to cut between words when one ends near the limit.
		if i := strings.LastIndexByte(s, ' '); i > len(s)-40 {
			s = s[:i]
		}
		s = strings.TrimRight(s, " ") + "…"
	}
	return mdEscape(s)
}

// mdEscape backslash-escapes what Markdown (CommonMark and GitHub's
// tables) would read as syntax: pipes, backticks, emphasis, links, HTML and
// headings. An underscore between two letters or digits cannot start or end
// emphasis and stays as it is, so snake_case names remain readable. Control
// characters (and bidirectional overrides) are dropped: a job summary shows
// text, never a terminal sequence.
func mdEscape(s string) string {
	rs := []rune(strings.Map(dropControl, s))
	var b strings.Builder
	for i, r := range rs {
		switch r {
		case '\\', '`', '|', '*', '[', ']', '<', '>', '#', '~':
			b.WriteByte('\\')
		case '_':
			if i == 0 || i == len(rs)-1 || !isWordRune(rs[i-1]) || !isWordRune(rs[i+1]) {
				b.WriteByte('\\')
			}
		case '\n':
			r = ' '
		case '\r':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// dropControl removes what result.Clean would escape, keeping newlines
// (turned into spaces below) and tabs.
func dropControl(r rune) rune {
	if r == '\n' || r == '\t' {
		return r
	}
	if result.Clean(string(r)) != string(r) {
		return -1
	}
	return r
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// mdCode wraps a diagnostic code in a code span; a code never holds a
// backtick, and one that did would lose it rather than break the line.
func mdCode(s string) string { return "`" + strings.ReplaceAll(s, "`", "") + "`" }
