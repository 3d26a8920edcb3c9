package result

import (
	"regexp"
	"slices"
	"strings"
)

// State is how a spec ended. A spec either judged (passed, warned, failed —
// or waived, an accepted failure) or says why it could not, in one of three
// kinds. The constants are the only states; report.json writes them as
// these strings.
type State string

// Spec states.
const (
	StatePassed State = "passed"
	StateFailed State = "failed"
	StateWarned State = "warned"
	StateWaived State = "waived"
	// StateOutOfScope: the run's shape excludes the spec (an app-only run
	// has no backend cookie to judge).
	StateOutOfScope State = "out_of_scope"
	// StateNotJudged: an input the operator can give is missing (no
	// AUTH_SECRET_KEY, no Supabase test user); Spec.Input names it.
	StateNotJudged State = "not_judged"
	// StateBlocked: an earlier spec's finding makes this one meaningless;
	// Spec.BlockedBy names it.
	StateBlocked State = "blocked"
	// StateInterrupted: the run was stopped before the spec judged.
	StateInterrupted State = "interrupted"
)

// States lists every state from best to worst, the order counts and
// filters show them in.
var States = []State{StatePassed, StateWarned, StateWaived, StateOutOfScope, StateNotJudged, StateBlocked, StateFailed, StateInterrupted}

// Judged reports whether a spec in this state reached a verdict of its own
// (passed, warned or waived — or failed).
func Judged(state State) bool {
	switch state {
	case StatePassed, StateWarned, StateWaived, StateFailed:
		return true
	}
	return false
}

// Unjudged says why a spec did not judge: one of the three kinds, a reason
// for the operator, and what would let it judge.
type Unjudged struct {
	// Kind is StateOutOfScope, StateNotJudged or StateBlocked.
	Kind   State  `json:"kind"`
	Reason string `json:"reason"`
	// Input names what the operator can give to judge a not-judged spec,
	// e.g. "AUTH_SECRET_KEY".
	Input string `json:"input,omitempty"`
	// BlockedBy is the spec whose finding blocked this one.
	BlockedBy SpecID `json:"blocked_by,omitempty"`
	// Scope names the run shape that puts a spec out of scope, e.g.
	// "app-only run".
	Scope string `json:"scope,omitempty"`
}

// Spec is one spec's result.
type Spec struct {
	ID     SpecID   `json:"id"`
	Title  string   `json:"title"`
	Labels []string `json:"labels"`
	State  State    `json:"state"`
	// Reason says why the spec did not judge (or was interrupted); Input,
	// BlockedBy and Scope are the details of Unjudged.
	Reason    string `json:"reason,omitempty"`
	Input     string `json:"input,omitempty"`
	BlockedBy SpecID `json:"blocked_by,omitempty"`
	Scope     string `json:"scope,omitempty"`
	// JudgeMS is the time the spec spent judging its evidence; gathering
	// the evidence is timed per bundle in Report.Bundles.
	JudgeMS float64 `json:"judge_ms"`
	// Bundles names the evidence bundles the spec judges.
	Bundles     []string     `json:"bundles,omitempty"`
	Diagnostics []Diagnostic `json:"diagnostics,omitempty"`
	Evidence    []Named      `json:"evidence,omitempty"`
	Failure     string       `json:"failure,omitempty"` // a failure that is not a diagnostic (a bug or a timeout)
	// Waiver is the waiver that turned the spec into a waived one;
	// WaivedState is the state it had.
	Waiver      *Waiver `json:"waiver,omitempty"`
	WaivedState State   `json:"waived_state,omitempty"`
}

// SetUnjudged records why the spec did not judge.
func (s *Spec) SetUnjudged(u Unjudged) {
	s.State, s.Reason, s.Input, s.BlockedBy, s.Scope = u.Kind, u.Reason, u.Input, u.BlockedBy, u.Scope
}

// Area returns the spec's "mode:area", e.g. "jwt:cookie".
func (s Spec) Area() string {
	mode, area := ModeArea(s.Labels)
	return mode + ":" + area
}

// ModeArea reads the mode: and area: labels.
func ModeArea(labels []string) (mode, area string) {
	for _, l := range labels {
		if v, ok := strings.CutPrefix(l, "mode:"); ok {
			mode = v
		}
		if v, ok := strings.CutPrefix(l, "area:"); ok {
			area = v
		}
	}
	return mode, area
}

// Codes returns the distinct diagnostic codes of the spec at or above
// warn, sorted.
func (s Spec) Codes() []string {
	var out []string
	for _, d := range s.Diagnostics {
		if d.Severity != Info && !slices.Contains(out, string(d.Code)) {
			out = append(out, string(d.Code))
		}
	}
	slices.Sort(out)
	return out
}

var idPattern = regexp.MustCompile(`^([A-Z]+(?:-[A-Z]+)*-\d{3}):\s*(.*)$`)

// SplitText splits a spec text "JWT-COOKIE-001: title" into ID and title.
func SplitText(text string) (id SpecID, title string) {
	if m := idPattern.FindStringSubmatch(text); m != nil {
		return SpecID(m[1]), m[2]
	}
	return "", text
}
