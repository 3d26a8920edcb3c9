package result

import (
	"fmt"
	"strings"
	"time"
)

// Code is a stable diagnostic identifier such as COOKIE_HOST_ONLY.
type Code string

// Severity grades a finding. Critical and fail make a spec fail; warn makes
// it "warned"; info is evidence only.
type Severity string

// Severities, from worst to mildest.
const (
	Critical Severity = "critical"
	Fail     Severity = "fail"
	Warn     Severity = "warn"
	Info     Severity = "info"
)

// Failing reports whether a finding of this severity fails its spec.
func (s Severity) Failing() bool { return s == Critical || s == Fail }

// rank orders severities from mildest (1) to worst (4); unknown is 0.
func (s Severity) rank() int {
	switch s {
	case Critical:
		return 4
	case Fail:
		return 3
	case Warn:
		return 2
	case Info:
		return 1
	}
	return 0
}

// Entry is one code of the diagnostic catalogue: what the code means in
// general. A Diagnostic makes it concrete.
//
// Its cause is split by what a finding of the code proves: Cause is what
// the evidence of every such finding shows (ProvenBy names that evidence),
// and Hypotheses are the ranked explanations the evidence does not prove,
// each with how to tell it from the others. An entry has a proven cause,
// hypotheses, or both (a proven mechanism whose origin is a guess).
type Entry struct {
	Code     Code     `json:"code"`
	Title    string   `json:"title"`
	Severity Severity `json:"severity"`
	// Environment marks codes about the run's environment (the target
	// could not be reached, the browser could not start) rather than the
	// deployment: a run with one ends in an error, not a failure.
	Environment bool `json:"environment,omitempty"`
	// Cause is the proven cause, in an operator's words; "" when the
	// evidence proves none (Hypotheses then say what may be wrong).
	Cause string `json:"cause,omitempty"`
	// ProvenBy says which evidence in the report proves Cause.
	ProvenBy string `json:"proven_by,omitempty"`
	// Claim is what Cause states about the deployment in every finding
	// of the code.
	Claim Claim `json:"claim,omitzero"`
	// Hypotheses are the causes the evidence does not prove, most
	// likely first.
	Hypotheses []Hypothesis `json:"hypotheses,omitempty"`
	Fix        string       `json:"fix"`       // what to change, concretely (the generic fix)
	Reference  string       `json:"reference"` // contract section, RFC, or browser behaviour
	// Fixes are the same fix in each recognised stack's idiom, by stack
	// (suites/stack); a stack without a row gets Fix.
	Fixes []StackFix `json:"fixes,omitempty"`
	// Specs are the specs that can report the code and Fixtures the
	// fixtures that demonstrate it (filled where a caller knows them:
	// mfconform explain).
	Specs    []SpecID `json:"specs,omitempty"`
	Fixtures []string `json:"fixtures,omitempty"`
}

// Hypothesis is one cause the evidence does not prove: what may be wrong,
// and how to tell it from the other hypotheses (what to look at, and what
// it shows when this is the cause). A hypothesis is always shown as one:
// "likely causes (not proven)".
type Hypothesis struct {
	Cause string `json:"cause"`
	Tell  string `json:"how_to_tell"`
	// Claim is what the hypothesis would say about the deployment if it
	// were proven; a hypothesis may contradict the deployment's truth.
	Claim Claim `json:"claim,omitzero"`
}

// Side names a part of the deployment a cause blames.
type Side string

// The sides a cause can blame.
const (
	SideBackend Side = "backend" // the backend that signs the token and sets the cookie
	SideApp     Side = "app"     // the Miiflow app that verifies it
)

// Claim is what a cause says about the deployment, in a form a test can
// compare with what is known of a deployment (a fixture's Truth): the
// backend server's UTC offset it names, the side it says holds another key
// than the one mfconform was given. The zero Claim says nothing checkable.
type Claim struct {
	// Zone is the backend server's UTC offset the cause names ("UTC+2",
	// "UTC−5:30"); "" for none.
	Zone string `json:"zone,omitempty"`
	// OtherKey is the side the cause says signs or verifies with another
	// key than the AUTH_SECRET_KEY given to mfconform; "" for none.
	OtherKey Side `json:"other_key,omitempty"`
	// Stack is the stack ID the cause says answered (left for stack
	// detection to fill); "" for none.
	Stack string `json:"stack,omitempty"`
}

// UTCOffset renders a UTC offset as a Claim's Zone and every finding
// writes it: "UTC+2", "UTC−5:30" (a true minus sign), "UTC+0".
func UTCOffset(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "−", -d
	}
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	if m == 0 {
		return fmt.Sprintf("UTC%s%d", sign, h)
	}
	return fmt.Sprintf("UTC%s%d:%02d", sign, h, m)
}

// Empty reports whether the claim says nothing checkable.
func (c Claim) Empty() bool { return c == Claim{} }

// StackFix is one code's fix in one stack's idiom.
type StackFix struct {
	Stack string `json:"stack"` // a stack ID such as "flask"
	Name  string `json:"name"`  // its display name, e.g. "Flask (Werkzeug)"
	Fix   string `json:"fix"`
}

// Diagnostic is one finding: a catalogue entry made concrete by what was
// expected and what was observed. It never holds a secret or a whole token.
// Its cause is either proven — Cause, with ProvenBy naming the evidence in
// the report that proves it — or a ranked list of Hypotheses, or a proven
// part and hypotheses about its origin; a hypothesis is never rendered as a
// fact.
type Diagnostic struct {
	Code        Code     `json:"code"`
	Severity    Severity `json:"severity"`
	Title       string   `json:"title"`
	Environment bool     `json:"environment,omitempty"`
	Expected    string   `json:"expected"`
	Observed    string   `json:"observed"`
	// Cause is the proven cause ("" when nothing is proven) and ProvenBy
	// the evidence that proves it; Claim is what Cause states about the
	// deployment, for the truth test.
	Cause    string `json:"cause,omitempty"`
	ProvenBy string `json:"proven_by,omitempty"`
	Claim    Claim  `json:"claim,omitzero"`
	// Hypotheses are the causes not proven, most likely first.
	Hypotheses []Hypothesis `json:"hypotheses,omitempty"`
	Fix        string       `json:"fix"`
	// FixFor names the stack whose idiom Fix is written in (a display
	// name such as "Flask (Werkzeug)"); empty for the generic fix.
	FixFor    string `json:"fix_for,omitempty"`
	Reference string `json:"reference"`
}

// Proven replaces the catalogue's cause with one this finding's evidence
// proves — provenBy says which evidence in the report — keeping the
// hypotheses about where it comes from.
func (d Diagnostic) Proven(cause, provenBy string) Diagnostic {
	d.Cause, d.ProvenBy, d.Claim = cause, provenBy, Claim{}
	return d
}

// Settled is Proven for evidence that settles the cause: the hypotheses go.
func (d Diagnostic) Settled(cause, provenBy string) Diagnostic {
	d = d.Proven(cause, provenBy)
	d.Hypotheses = nil
	return d
}

// Claiming records what the proven cause states about the deployment.
func (d Diagnostic) Claiming(c Claim) Diagnostic { d.Claim = c; return d }

// Likely replaces the hypotheses with hs, most likely first, keeping any
// proven cause.
func (d Diagnostic) Likely(hs ...Hypothesis) Diagnostic {
	d.Hypotheses = append([]Hypothesis(nil), hs...)
	return d
}

// Unproven drops the proven cause — its evidence is not in this finding —
// keeping the hypotheses.
func (d Diagnostic) Unproven() Diagnostic {
	d.Cause, d.ProvenBy, d.Claim = "", "", Claim{}
	return d
}

// WithFix replaces the catalogue's generic fix with a specific one.
func (d Diagnostic) WithFix(fix string) Diagnostic { d.Fix = fix; return d }

// WithSeverity overrides the catalogue severity (for example a check that is
// only a warning in one context).
func (d Diagnostic) WithSeverity(s Severity) Diagnostic { d.Severity = s; return d }

// Labels of the two kinds of cause, the same in every rendering.
const (
	// LabelProvenBy introduces the evidence that proves a cause.
	LabelProvenBy = "proven by"
	// LabelLikely introduces the hypotheses: never a fact.
	LabelLikely = "likely causes (not proven), most likely first"
	// LabelLikelyOne introduces a single hypothesis.
	LabelLikelyOne = "likely cause (not proven)"
	// LabelTell introduces how to tell a hypothesis from the others.
	LabelTell = "to tell"
)

// LikelyLabel is the heading of n hypotheses.
func LikelyLabel(n int) string {
	if n == 1 {
		return LabelLikelyOne
	}
	return LabelLikely
}

// String renders the diagnostic as the block printed in the terminal and used
// as the failure message in JUnit:
//
//	COOKIE_HOST_ONLY (fail) mf_jwt_token is host-only
//	  expected: ...
//	  observed: ...
//	  cause:    ... (proven by: ...)
//	  likely causes (not proven), most likely first:
//	    1. ...
//	       to tell: ...
//	  fix:      ...
//	  see:      ...
//
// Every field passes through Clean: observations quote what a target sent.
func (d Diagnostic) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s) %s", Clean(string(d.Code)), Clean(string(d.Severity)), Clean(d.Title))
	line := func(label, v string) {
		if v == "" {
			return
		}
		v = strings.ReplaceAll(strings.TrimSpace(Clean(v)), "\n", "\n            ")
		fmt.Fprintf(&b, "\n  %-9s %s", label+":", v)
	}
	line("expected", d.Expected)
	line("observed", d.Observed)
	if d.Cause != "" {
		line("cause", d.Cause+"\n("+LabelProvenBy+": "+d.ProvenBy+")")
	}
	if len(d.Hypotheses) > 0 {
		fmt.Fprintf(&b, "\n  %s:", LikelyLabel(len(d.Hypotheses)))
		for i, h := range d.Hypotheses {
			fmt.Fprintf(&b, "\n    %d. %s", i+1, strings.ReplaceAll(strings.TrimSpace(Clean(h.Cause)), "\n", "\n       "))
			if h.Tell != "" {
				fmt.Fprintf(&b, "\n       %s: %s", LabelTell, strings.ReplaceAll(strings.TrimSpace(Clean(h.Tell)), "\n", "\n       "))
			}
		}
	}
	if d.FixFor != "" {
		line("fix", "("+d.FixFor+") "+d.Fix)
	} else {
		line("fix", d.Fix)
	}
	line("see", d.Reference)
	return b.String()
}

// Worst returns the most severe severity among ds, or "" for none.
func Worst(ds []Diagnostic) Severity {
	var w Severity
	for _, d := range ds {
		if d.Severity.rank() > w.rank() {
			w = d.Severity
		}
	}
	return w
}
