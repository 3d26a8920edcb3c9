// Package diag holds mfconform's diagnostic catalogue: every stable code a
// spec can report, with its title, severity, likely cause, fix and reference,
// and the Diagnostic type that carries one finding into the terminal and the
// reports. Codes are never renamed; add new ones freely.
package diag

import (
	"fmt"
	"sort"
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

// Entry is one code of the catalogue.
type Entry struct {
	Code      Code
	Title     string
	Severity  Severity
	Cause     string // the likely cause, in an operator's words
	Fix       string // what to change, concretely
	Reference string // contract section, RFC, or browser behaviour
}

var catalogue = map[Code]Entry{}

// register adds entries to the catalogue; it panics on a duplicate code,
// which is a programming error caught by the package tests.
func register(entries ...Entry) {
	for _, e := range entries {
		if _, dup := catalogue[e.Code]; dup {
			panic("diag: duplicate code " + string(e.Code))
		}
		catalogue[e.Code] = e
	}
}

// Lookup returns the catalogue entry for code.
func Lookup(code Code) (Entry, bool) {
	e, ok := catalogue[code]
	return e, ok
}

// All returns every catalogue entry, sorted by code.
func All() []Entry {
	out := make([]Entry, 0, len(catalogue))
	for _, e := range catalogue {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// Diagnostic is one finding: a catalogue entry made concrete by what was
// expected and what was observed. It never holds a secret or a whole token.
type Diagnostic struct {
	Code      Code     `json:"code"`
	Severity  Severity `json:"severity"`
	Title     string   `json:"title"`
	Expected  string   `json:"expected"`
	Observed  string   `json:"observed"`
	Cause     string   `json:"cause"`
	Fix       string   `json:"fix"`
	Reference string   `json:"reference"`
}

// New builds a Diagnostic for code from the catalogue. An unknown code yields
// a fail-severity diagnostic whose title says so, so a typo is visible rather
// than silent; the package tests keep every code used by specs registered.
func New(code Code, expected, observed string) Diagnostic {
	e, ok := catalogue[code]
	if !ok {
		e = Entry{Code: code, Title: "unknown diagnostic code " + string(code), Severity: Fail}
	}
	return Diagnostic{
		Code: code, Severity: e.Severity, Title: e.Title,
		Expected: expected, Observed: observed,
		Cause: e.Cause, Fix: e.Fix, Reference: e.Reference,
	}
}

// Newf is New with a formatted observation.
func Newf(code Code, expected, observedFormat string, args ...any) Diagnostic {
	return New(code, expected, fmt.Sprintf(observedFormat, args...))
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
func (d Diagnostic) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s) %s", d.Code, d.Severity, d.Title)
	line := func(label, v string) {
		if v == "" {
			return
		}
		v = strings.ReplaceAll(strings.TrimSpace(v), "\n", "\n            ")
		fmt.Fprintf(&b, "\n  %-9s %s", label+":", v)
	}
	line("expected", d.Expected)
	line("observed", d.Observed)
	line("cause", d.Cause)
	line("fix", d.Fix)
	line("see", d.Reference)
	return b.String()
}

// Worst returns the most severe severity among ds, or "" for none.
func Worst(ds []Diagnostic) Severity {
	rank := map[Severity]int{Critical: 4, Fail: 3, Warn: 2, Info: 1}
	var w Severity
	for _, d := range ds {
		if rank[d.Severity] > rank[w] {
			w = d.Severity
		}
	}
	return w
}
