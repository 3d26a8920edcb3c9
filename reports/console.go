package reports

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// stateTag is the fixed-width tag printed before each spec.
var stateTag = map[string]string{
	StatePassed: "PASS", StateFailed: "FAIL", StateWarned: "WARN",
	StateSkipped: "SKIP", StateInterrupted: "INTR", StateWaived: "WAIV",
}

// PrintSpec writes one spec's line and, for anything but a pass, its
// diagnostics or reason, indented below it.
func PrintSpec(w io.Writer, s Spec) {
	fmt.Fprintf(w, "%s  %-15s %s (%s)\n", stateTag[s.State], s.ID, s.Title, ms(s.DurationMS))
	if s.State == StatePassed {
		return
	}
	if s.Reason != "" {
		fmt.Fprintf(w, "      %s\n", s.Reason)
	}
	if s.Waiver != nil {
		fmt.Fprintf(w, "      waived (was %s): %s", s.WaivedState, s.Waiver.Reason)
		if s.Waiver.Expires != "" {
			fmt.Fprintf(w, " — until %s", s.Waiver.Expires)
		}
		fmt.Fprintln(w)
		return
	}
	for _, d := range s.Diagnostics {
		if s.State == StateSkipped || (s.State == StateWarned && !(d.Severity == "warn")) {
			continue
		}
		fmt.Fprintln(w, indent(d.String(), "      "))
	}
	if s.Failure != "" {
		fmt.Fprintln(w, indent(s.Failure, "      "))
	}
}

// PrintSummary writes the closing lines of a run.
func PrintSummary(w io.Writer, r *Report) {
	c := r.Counts
	fmt.Fprintf(w, "\n%d specs: %d passed, %d failed, %d warned, %d skipped, %d waived in %s\n",
		len(r.Specs), c[StatePassed], c[StateFailed], c[StateWarned], c[StateSkipped], c[StateWaived], r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond))
	for _, p := range r.WaiverProblems {
		fmt.Fprintf(w, "waivers: %s\n", p)
	}
	if r.SetupError != "" {
		fmt.Fprintf(w, "setup failed: %s\n", r.SetupError)
	}
	fmt.Fprintf(w, "verdict: %s — %s\n", strings.ToUpper(r.Verdict), r.Target.Description)
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
