package result

import (
	"fmt"
	"strings"
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
type Entry struct {
	Code     Code     `json:"code"`
	Title    string   `json:"title"`
	Severity Severity `json:"severity"`
	// Environment marks codes about the run's environment (the target
	// could not be reached, the browser could not start) rather than the
	// deployment: a run with one ends in an error, not a failure.
	Environment bool   `json:"environment,omitempty"`
	Cause       string `json:"cause"`     // the likely cause, in an operator's words
	Fix         string `json:"fix"`       // what to change, concretely (the generic fix)
	Reference   string `json:"reference"` // contract section, RFC, or browser behaviour
	// Fixes are the same fix in each recognised stack's idiom, by stack
	// (suites/stack); a stack without a row gets Fix.
	Fixes []StackFix `json:"fixes,omitempty"`
	// Specs are the specs that can report the code and Fixtures the
	// fixtures that demonstrate it (filled where a caller knows them:
	// mfconform explain).
	Specs    []SpecID `json:"specs,omitempty"`
	Fixtures []string `json:"fixtures,omitempty"`
}

// StackFix is one code's fix in one stack's idiom.
type StackFix struct {
	Stack string `json:"stack"` // a stack ID such as "flask"
	Name  string `json:"name"`  // its display name, e.g. "Flask (Werkzeug)"
	Fix   string `json:"fix"`
}

// Diagnostic is one finding: a catalogue entry made concrete by what was
// expected and what was observed. It never holds a secret or a whole token.
type Diagnostic struct {
	Code        Code     `json:"code"`
	Severity    Severity `json:"severity"`
	Title       string   `json:"title"`
	Environment bool     `json:"environment,omitempty"`
	Expected    string   `json:"expected"`
	Observed    string   `json:"observed"`
	Cause       string   `json:"cause"`
	Fix         string   `json:"fix"`
	// FixFor names the stack whose idiom Fix is written in (a display
	// name such as "Flask (Werkzeug)"); empty for the generic fix.
	FixFor    string `json:"fix_for,omitempty"`
	Reference string `json:"reference"`
}

// WithCause replaces the catalogue's generic cause with a specific one.
func (d Diagnostic) WithCause(cause string) Diagnostic { d.Cause = cause; return d }

// WithFix replaces the catalogue's generic fix with a specific one.
func (d Diagnostic) WithFix(fix string) Diagnostic { d.Fix = fix; return d }

// WithSeverity overrides the catalogue severity (for example a check that is
// only a warning in one context).
func (d Diagnostic) WithSeverity(s Severity) Diagnostic { d.Severity = s; return d }

// String renders the diagnostic as the block printed in the terminal and used
// as the failure message in JUnit:
//
//	COOKIE_HOST_ONLY (fail) mf_jwt_token is host-only
//	  expected: Domain=.acme.test so app.acme.test receives the cookie
//	  observed: ...
//	  cause:    ...
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
	line("cause", d.Cause)
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
