// Package diag holds mfconform's diagnostic catalogue: every stable code a
// spec can report, with its title, severity, cause — proven, with the
// evidence that proves it, or ranked hypotheses each with how to tell it
// — fix and reference, and the constructors that turn a code into a
// finding (a result.Diagnostic). Codes are never renamed; add new ones
// freely.
package diag

import (
	"fmt"
	"sort"

	"github.com/mfconform/mfconform/suites/result"
)

// The catalogue's types are the result model's; the names are kept here so
// specs read diag.Code, diag.Fail, diag.Diagnostic.
type (
	// Code is a stable diagnostic identifier such as COOKIE_HOST_ONLY.
	Code = result.Code
	// Severity grades a finding.
	Severity = result.Severity
	// Entry is one code of the catalogue.
	Entry = result.Entry
	// Diagnostic is one finding.
	Diagnostic = result.Diagnostic
	// Hypothesis is one cause a finding's evidence does not prove.
	Hypothesis = result.Hypothesis
)

// Maybe is a hypothesis: a cause the evidence does not prove, and how to
// tell it from the others.
func Maybe(cause, tell string) Hypothesis { return Hypothesis{Cause: cause, Tell: tell} }

// Severities, from worst to mildest.
const (
	Critical = result.Critical
	Fail     = result.Fail
	Warn     = result.Warn
	Info     = result.Info
)

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

// New builds a Diagnostic for code from the catalogue. An unknown code yields
// a fail-severity diagnostic whose title says so, so a typo is visible rather
// than silent; the package tests keep every code used by specs registered.
// expected and observed pass through result.CleanLine: observations quote
// what a target sent, which must not start a line of any output.
func New(code Code, expected, observed string) Diagnostic {
	e, ok := catalogue[code]
	if !ok {
		e = Entry{Code: code, Title: "unknown diagnostic code " + string(code), Severity: Fail}
	}
	return Diagnostic{
		Code: code, Severity: e.Severity, Title: e.Title, Environment: e.Environment,
		Expected: result.CleanLine(expected), Observed: result.CleanLine(observed),
		Cause: e.Cause, ProvenBy: e.ProvenBy, Claim: e.Claim, Hypotheses: append([]Hypothesis(nil), e.Hypotheses...),
		Fix: e.Fix, Reference: e.Reference,
	}
}

// Newf is New with a formatted observation.
func Newf(code Code, expected, observedFormat string, args ...any) Diagnostic {
	return New(code, expected, fmt.Sprintf(observedFormat, args...))
}

// Worst returns the most severe severity among ds, or "" for none.
func Worst(ds []Diagnostic) Severity { return result.Worst(ds) }

// IsEnvironment reports whether code is about the environment (the run
// could not observe what it had to judge) rather than the deployment.
func IsEnvironment(code Code) bool {
	e, ok := catalogue[code]
	return ok && e.Environment
}
