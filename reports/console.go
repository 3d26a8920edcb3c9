package reports

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/mfconform/mfconform/suites/result"
)

// stateTag is the fixed-width tag printed before each spec that judged or
// was blocked; out-of-scope and not-judged specs are grouped in the summary.
var stateTag = map[result.State]string{
	result.StatePassed: "PASS", result.StateFailed: "FAIL", result.StateWarned: "WARN",
	result.StateWaived: "WAIV", result.StateBlocked: "BLKD", result.StateInterrupted: "INTR",
	result.StateNotJudged: "NJDG", result.StateOutOfScope: "SCOP",
}

// Listed reports whether PrintSpec prints a line for a spec in state: a
// spec that judged, or was interrupted. The others are grouped by
// PrintSummary: out of scope by run shape, not judged by the input that
// would judge them, blocked by the spec that blocked them — one line each.
func Listed(state result.State) bool {
	return state != result.StateOutOfScope && state != result.StateNotJudged && state != result.StateBlocked
}

// PrintSpec writes one spec's line and, for anything but a pass, what
// explains it, indented below: a failed or warned spec names each of its
// root causes (causes: the report's, in the order to fix them) by code,
// title and number, whose fix PrintFixes prints once; a waived spec its
// waiver; an interrupted one its reason. Every target-derived text is
// cleaned of control characters.
func PrintSpec(w io.Writer, s result.Spec, causes []result.RootCause) {
	fmt.Fprintf(w, "%s  %-15s %s (judged in %s)\n", stateTag[s.State], result.Clean(string(s.ID)), result.Clean(s.Title), ms(s.JudgeMS))
	if s.State == result.StatePassed {
		return
	}
	if s.Waiver != nil {
		fmt.Fprintf(w, "      waived (was %s): %s", KindText(s.WaivedState), result.Clean(s.Waiver.Reason))
		if s.Waiver.Expires != "" {
			fmt.Fprintf(w, " — until %s", result.Clean(s.Waiver.Expires))
		}
		fmt.Fprintln(w)
		return
	}
	if s.Reason != "" {
		fmt.Fprintf(w, "      %s\n", result.CleanLine(s.Reason))
	}
	for i, c := range causes {
		if c.Code != "" && slices.Contains(c.Specs, s.ID) {
			fmt.Fprintf(w, "      %s (%s) %s%s — fix #%d below\n", result.Clean(string(c.Code)), result.Clean(string(c.Severity)),
				result.Clean(c.Title), findingsIn(c, s.ID), i+1)
		}
	}
	if s.Failure != "" {
		fmt.Fprintln(w, indent(result.Clean(s.Failure), "      "))
	}
}

// findingsIn says how many findings of the cause the spec made, when more
// than one: " (5 findings)".
func findingsIn(c result.RootCause, id result.SpecID) string {
	n := 0
	for _, seen := range c.Seen {
		if slices.Contains(seen.Specs, id) {
			n++
		}
	}
	if n < 2 {
		return ""
	}
	return fmt.Sprintf(" (%d findings)", n)
}

// PrintSummary writes the closing lines of a run: the counts, what was
// blocked (one line per spec that blocked others), what was not judged
// and why (grouped by the input that would judge it), what was out of
// scope (grouped by run shape), the stacks, where the time went, and —
// last, beside the verdict, where an operator's eye lands — what to fix
// (PrintFixes) and PrintVerdict's lines.
func PrintSummary(w io.Writer, r *result.Report) {
	c := r.Counts
	fmt.Fprintf(w, "\n%d specs: %d passed, %d failed, %d warned, %d waived, %d blocked, %d not judged, %d out of scope in %s\n",
		len(r.Specs), c[result.StatePassed], c[result.StateFailed], c[result.StateWarned], c[result.StateWaived],
		c[result.StateBlocked], c[result.StateNotJudged], c[result.StateOutOfScope], r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond))
	PrintBlocked(w, r)
	if len(r.MissingInputs) > 0 {
		fmt.Fprintln(w, "not judged — give these to judge them:")
		for _, m := range r.MissingInputs {
			fmt.Fprintf(w, "  %s: %s\n", result.Clean(m.Input), result.JoinIDs(m.Specs, ", "))
		}
	}
	for _, g := range r.OutOfScope {
		fmt.Fprintf(w, "%d %s out of scope: %s\n", len(g.Specs), plural(len(g.Specs), "spec", "specs"), result.Clean(g.Reason))
	}
	for _, g := range r.Target.Stacks {
		fmt.Fprintf(w, "%s stack: %s\n", result.Clean(g.Role), StackLine(g))
	}
	if t := Timings(r); t != "" {
		fmt.Fprintf(w, "time: %s\n", t)
	}
	PrintFixes(w, r)
	PrintVerdict(w, r)
}

// PrintBlocked writes one line per spec that blocked others: how many,
// by which spec and cause, and which.
func PrintBlocked(w io.Writer, r *result.Report) {
	_, groups := r.Causes()
	if len(groups) == 0 {
		return
	}
	fmt.Fprintln(w, "blocked — fix what blocked them to judge them:")
	for _, g := range groups {
		fmt.Fprintf(w, "  %s\n", BlockedLine(g))
	}
}

// BlockedLine is one blocked group in words: "13 specs blocked by
// JWT-APP-001 (APP_UNREACHABLE app cannot be reached): JWT-COOKIE-002, …".
func BlockedLine(g result.BlockedGroup) string {
	by := result.Clean(string(g.By))
	if g.Code != "" {
		by += " (" + result.Clean(string(g.Code)) + " " + result.CleanLine(g.Title) + ")"
	}
	return fmt.Sprintf("%d %s blocked by %s: %s", len(g.Specs), plural(len(g.Specs), "spec", "specs"), by, result.JoinIDs(g.Specs, ", "))
}

// PrintFixes writes what to fix: each root cause once, in the order to fix
// them, numbered as PrintSpec names them — its code, severity and title,
// where it showed and what it blocked, then the diagnostic with every
// observation and the fix once.
func PrintFixes(w io.Writer, r *result.Report) {
	causes, _ := r.Causes()
	if len(causes) == 0 {
		return
	}
	fmt.Fprintf(w, "\nwhat to fix, in this order (%d %s):\n", len(causes), plural(len(causes), "cause", "causes"))
	for i, c := range causes {
		head, body, _ := strings.Cut(c.String(), "\n")
		fmt.Fprintf(w, "%2d. %s — %s%s\n", i+1, head, result.Clean(c.ShownBy()), blocksText(c))
		if body != "" {
			fmt.Fprintln(w, indent(body, "  "))
		}
	}
	fmt.Fprintln(w)
}

// blocksText says how many specs the cause blocked: "; blocks 3 specs".
func blocksText(c result.RootCause) string {
	if len(c.Blocked) == 0 {
		return ""
	}
	return fmt.Sprintf("; blocks %d %s", len(c.Blocked), plural(len(c.Blocked), "spec", "specs"))
}

// PrintVerdict writes what closes every console, a quiet one's too: the
// waivers' problems, the setup error and the verdict.
func PrintVerdict(w io.Writer, r *result.Report) {
	for _, p := range r.WaiverProblems {
		fmt.Fprintf(w, "waivers: %s\n", result.Clean(p))
	}
	if len(r.Refused) > 0 {
		fmt.Fprintf(w, "refused: mfconform let the browser reach only the deployment; it refused %s:\n", RefusedCount(r))
		for _, x := range r.Refused {
			fmt.Fprintf(w, "  %s\n", x)
		}
	}
	if r.SetupError != "" {
		fmt.Fprintf(w, "setup failed: %s\n", result.Clean(r.SetupError))
	}
	fmt.Fprintf(w, "verdict: %s — %s\n", VerdictLine(r), result.Clean(r.Target.Description))
}

// RefusedCount says how many connections the report lists as refused, and
// how many more it does not.
func RefusedCount(r *result.Report) string {
	n := fmt.Sprintf("%d %s", len(r.Refused), plural(len(r.Refused), "destination", "destinations"))
	if r.RefusedDropped > 0 {
		n += fmt.Sprintf(" (and %d more not listed)", r.RefusedDropped)
	}
	return n
}

// StackLine is a stack guess on one line: the name, how it was told and
// the first piece of evidence ("Flask (Werkzeug) — named by a header:
// Server: Werkzeug/3.1.3 Python/3.12.4 (…)"); for a hedge, the candidates
// and what would decide.
func StackLine(g result.StackGuess) string {
	line := result.Clean(g.Name)
	switch {
	case g.Confidence == result.ConfidenceGiven:
		line += " — as given"
	case g.Confidence == result.ConfidenceHeader:
		line += " — named by a header"
	case g.Confidence == result.ConfidenceClues:
		line += " — by clues that add up"
	case len(g.Candidates) > 0:
		var fits []string
		for _, c := range g.Candidates {
			fits = append(fits, fmt.Sprintf("%s %d", c.Name, c.Score))
		}
		return line + " — fixes are generic, with a line per candidate (a guess): fits " + result.Clean(strings.Join(fits, ", ")) +
			"; " + result.Clean(g.Decide)
	default:
		line += " — fixes are generic"
	}
	if len(g.Evidence) > 0 {
		line += ": " + result.Clean(g.Evidence[0])
	}
	return line
}

// VerdictLine is the verdict in capitals, followed for an incomplete run
// by what is missing.
func VerdictLine(r *result.Report) string {
	v := strings.ToUpper(r.Verdict)
	if v == "" {
		v = "NO VERDICT"
	}
	if r.Verdict == result.VerdictIncomplete {
		v += " (" + result.Clean(r.IncompleteText()) + ")"
	}
	return v
}

// Timings says where the run's time went: the setup phases that matter and
// each evidence bundle, slowest first.
func Timings(r *result.Report) string {
	type item struct {
		name string
		ms   float64
	}
	var items []item
	for _, name := range []string{"browser_start", "browser_connect"} {
		if v, ok := r.PhasesMS[name]; ok {
			items = append(items, item{strings.ReplaceAll(name, "_", " "), v})
		}
	}
	var bundles []item
	for _, b := range r.Bundles {
		bundles = append(bundles, item{b.Name, b.MS})
	}
	slices.SortStableFunc(bundles, func(a, b item) int { return int(b.ms - a.ms) })
	items = append(items, bundles...)
	var parts []string
	for _, it := range items {
		parts = append(parts, fmt.Sprintf("%s %s", it.name, seconds(it.ms)))
	}
	return strings.Join(parts, " · ")
}

func seconds(ms float64) string {
	if ms < 1000 {
		return fmt.Sprintf("%.0f ms", ms)
	}
	return fmt.Sprintf("%.2f s", ms/1000)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

func ms(v float64) string {
	if v < 1 {
		return "<1 ms"
	}
	return fmt.Sprintf("%.0f ms", v)
}
