// Package judge is how a spec turns findings into a verdict: failing
// diagnostics fail the spec with the rendered diagnostic as the failure
// message; warnings and notes are attached as report entries. It is the only
// place specs touch Ginkgo's reporting.
package judge

import (
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo DSL
	"github.com/onsi/gomega"
	"github.com/onsi/gomega/types"

	"github.com/mfconform/mfconform/suites/diag"
)

// Report entry names shared with the report renderers.
const (
	EntryDiagnostic = "diagnostic"
	EntryEvidence   = "evidence"
)

// Verdict attaches every finding to the spec's report and fails the spec
// when any of them is critical or fail severity.
func Verdict(findings ...diag.Diagnostic) {
	GinkgoHelper()
	for _, d := range findings {
		AddReportEntry(EntryDiagnostic, d, ReportEntryVisibilityNever)
	}
	gomega.Expect(findings).To(conform())
}

// VerdictShowing is Verdict that also attaches the screenshots when a
// finding fails or warns (a page that did not pass is shown).
func VerdictShowing(shots []Screenshot, findings ...diag.Diagnostic) {
	GinkgoHelper()
	if w := diag.Worst(findings); w.Failing() || w == diag.Warn {
		for _, s := range shots {
			if len(s.PNG) > 0 {
				Evidence(EvidenceScreenshot, s)
			}
		}
	}
	Verdict(findings...)
}

// Evidence attaches a named piece of (already redacted) evidence.
func Evidence(name string, v any) {
	AddReportEntry(EntryEvidence, Named{Name: name, Value: v}, ReportEntryVisibilityNever)
}

// Named is an evidence entry.
type Named struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

// SkipBecause skips the spec with a reason that names what blocked it; a
// skip is reported as skipped, never as passed.
func SkipBecause(format string, args ...any) {
	GinkgoHelper()
	Skip(fmt.Sprintf(format, args...))
}

type conformMatcher struct{}

func conform() types.GomegaMatcher { return conformMatcher{} }

func (conformMatcher) Match(actual any) (bool, error) {
	ds, ok := actual.([]diag.Diagnostic)
	if !ok {
		return false, fmt.Errorf("judge: want []diag.Diagnostic, got %T", actual)
	}
	for _, d := range ds {
		if d.Severity.Failing() {
			return false, nil
		}
	}
	return true, nil
}

func (conformMatcher) FailureMessage(actual any) string {
	ds, _ := actual.([]diag.Diagnostic)
	var blocks []string
	for _, d := range ds {
		if d.Severity.Failing() {
			blocks = append(blocks, d.String())
		}
	}
	return strings.Join(blocks, "\n")
}

func (conformMatcher) NegatedFailureMessage(any) string {
	return "expected a non-conformant finding, found none"
}
