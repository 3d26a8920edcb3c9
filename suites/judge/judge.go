// Package judge is how a mode's specs turn gathered evidence into
// verdicts. A judgment is a pure function from a run's evidence to an
// Outcome — findings, the evidence shown with them, or why the spec could
// not judge — so it can be tested without a browser.
//
// Which spec blocks which is declared, not coded. A Check lists in After
// the earlier specs that explain what its judgment may find missing (the
// cookie the backend never set, an app that does not answer), and a
// judgment that finds its input missing says only that: Unmet. Resolve
// judges every check of a run once, in the order the report prints them,
// and settles each Unmet outcome against the outcomes settled before it:
// blocked by the first of its After specs that failed — or by the spec at
// the root of that one's chain when it was itself blocked — and never by a
// spec that passed, that prints later or that is not in the run. When no
// prerequisite failed, the outcome says why the spec could not judge (a
// prerequisite the run's filter left out, or one that could not judge
// either) or becomes the verdict the judgment gave for that case (Else).
//
// Judging everything before Ginkgo runs a spec is what makes this one
// place: the evidence is complete when gathering ends and judgments are
// pure, so every outcome — blocking included — is known up front, in the
// printed order, whatever order Ginkgo runs its tables in. The runner
// posts them on the Board; Table then hands each spec's settled
// outcome to Ginkgo (Give), the only place specs touch Ginkgo's reporting,
// scrubbed with the run's redaction set (Scrubbed: the redaction boundary).
package judge

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo DSL
	"github.com/onsi/gomega"
	"github.com/onsi/gomega/types"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/redact"
	"github.com/mfconform/mfconform/suites/result"
)

// Report entry names the runner reads back.
const (
	EntryDiagnostic = "diagnostic" // a result.Diagnostic
	EntryEvidence   = "evidence"   // a result.Named
	EntryUnjudged   = "unjudged"   // a result.Unjudged
	EntryBundles    = "bundles"    // []string: the evidence bundles judged
	EntryJudgeTime  = "judge-time" // time.Duration spent judging
)

// Outcome is one spec's judgment.
type Outcome struct {
	// Findings are the diagnostics; any critical or fail one fails the
	// spec, a warn one makes it warned, info ones are evidence.
	Findings []diag.Diagnostic
	// Evidence is shown with the spec in every report.
	Evidence []result.Named
	// Shots are screenshots shown when a finding fails or warns.
	Shots []result.Screenshot
	// Unjudged, when set, says why the spec did not judge (and there is
	// no failing finding).
	Unjudged *result.Unjudged
	// unmet, when set, marks an outcome Resolve still has to settle
	// against the spec's prerequisites (Unmet).
	unmet *unmet
}

// unmet is what an Unmet outcome leaves for Resolve to settle.
type unmet struct {
	why string
	// by, when set, are the prerequisites that may explain it (By).
	by []result.SpecID
	// codes, when set, are the findings a prerequisite must have failed
	// with to explain it (For).
	codes []diag.Code
	// orElse is the outcome when no prerequisite failed and every one is
	// in the run (Else).
	orElse *Outcome
}

// Show adds a named piece of (already redacted) evidence.
func (o *Outcome) Show(name string, v any) {
	o.Evidence = append(o.Evidence, result.Named{Name: name, Value: v})
}

// Add adds findings and returns the outcome, for `return o.Add(d)`.
func (o Outcome) Add(ds ...diag.Diagnostic) Outcome {
	o.Findings = append(o.Findings, ds...)
	return o
}

// Failing reports whether the outcome fails its spec.
func (o Outcome) Failing() bool { return diag.Worst(o.Findings).Failing() }

// Codes lists the codes of the outcome's findings at or above warn.
func (o Outcome) Codes() []diag.Code {
	var out []diag.Code
	for _, d := range o.Findings {
		if d.Severity != diag.Info {
			out = append(out, d.Code)
		}
	}
	return out
}

// State is the spec state this outcome gives (before waivers).
func (o Outcome) State() result.State {
	switch w := diag.Worst(o.Findings); {
	case w.Failing():
		return result.StateFailed
	case o.Unjudged != nil:
		return o.Unjudged.Kind
	case w == diag.Warn:
		return result.StateWarned
	}
	return result.StatePassed
}

// Spec is the outcome as the result model records spec id: its state, its
// findings and, when it did not judge, why (before waivers and without
// the Ginkgo run's timings). Table tests of judgments compare it.
func (o Outcome) Spec(id result.SpecID) result.Spec {
	s := result.Spec{ID: id, State: o.State(), Diagnostics: o.Findings}
	if o.Unjudged != nil && !o.Failing() {
		s.SetUnjudged(*o.Unjudged)
	}
	return s
}

// Pass is the outcome of a spec that judged and found nothing wrong; add
// evidence with Show.
func Pass() Outcome { return Outcome{} }

// Findings is the outcome of a spec that judged; with no failing or
// warning finding it passes.
func Findings(ds ...diag.Diagnostic) Outcome { return Outcome{Findings: ds} }

// Unmet is the outcome of a judgment whose input is missing for a reason
// an earlier spec judges — the backend set no cookie, the app did not
// answer: why says what is missing. Resolve settles it against the
// check's After specs: blocked by the first of them that failed.
func Unmet(format string, args ...any) Outcome {
	why := result.Clean(fmt.Sprintf(format, args...))
	return Outcome{Unjudged: &result.Unjudged{Kind: result.StateBlocked, Reason: why}, unmet: &unmet{why: why}}
}

// By narrows an Unmet outcome to the prerequisites that explain it, in
// that order, for when the evidence decides which (Chromium's reason for
// withholding a cookie names the attribute, and so the spec that judges
// it): only they — or what blocked them — may block the spec. Each must be
// one of the check's After specs.
func (o Outcome) By(by ...result.SpecID) Outcome {
	if o.unmet != nil {
		u := *o.unmet
		u.by = by
		o.unmet = &u
	}
	return o
}

// For narrows an Unmet outcome further to a prerequisite that failed with
// one of codes: the finding that explains the missing input (a session
// refused for the claims its token lacks is explained by
// SUPABASE_SESSION_CLAIMS, not by any failure of that spec).
func (o Outcome) For(codes ...diag.Code) Outcome {
	if o.unmet != nil {
		u := *o.unmet
		u.codes = codes
		o.unmet = &u
	}
	return o
}

// Else gives an Unmet outcome what it becomes when none of its
// prerequisites failed and all of them are in the run: the judgment's own
// verdict for the case no earlier spec explains (the app refuses the
// backend's token, and no token spec found the token at fault).
func (o Outcome) Else(e Outcome) Outcome {
	if o.unmet != nil {
		u := *o.unmet
		u.orElse = &e
		o.unmet = &u
	}
	return o
}

// Unsettled reports whether the outcome is Unmet and not yet settled by
// Resolve.
func (o Outcome) Unsettled() bool { return o.unmet != nil }

// NotJudged is the outcome of a spec that needs an input the operator did
// not give, e.g. input "AUTH_SECRET_KEY".
func NotJudged(input, format string, args ...any) Outcome {
	return unjudged(result.Unjudged{Kind: result.StateNotJudged, Input: input, Reason: fmt.Sprintf(format, args...)})
}

// OutOfScope is the outcome of a spec the run's shape excludes, e.g. scope
// "app-only run".
func OutOfScope(scope, reason string) Outcome {
	return unjudged(result.Unjudged{Kind: result.StateOutOfScope, Scope: scope, Reason: reason})
}

func unjudged(u result.Unjudged) Outcome {
	u.Reason = result.Clean(u.Reason)
	return Outcome{Unjudged: &u}
}

// Check is one spec of a mode: a stable ID, a title, its area, the
// evidence bundles it judges, the earlier specs that explain what its
// judgment may find missing, and the judgment over a mode's run R.
type Check[R any] struct {
	ID      result.SpecID
	Title   string
	Area    string
	Bundles []string
	// After are specs printed before this one whose failure explains an
	// Unmet judgment, in the order they explain it: the first of them
	// that failed (or what blocked it) blocks this spec. Validate keeps
	// every one known and earlier.
	After []result.SpecID
	Judge func(R) Outcome
}

// InArea sets the area of every check and, for those that do not name
// their own (nil), the evidence bundles they judge; a check that needs no
// bundle says so with an empty, non-nil list.
func InArea[R any](area string, bundles []string, checks ...Check[R]) []Check[R] {
	for i := range checks {
		checks[i].Area = area
		if checks[i].Bundles == nil {
			checks[i].Bundles = bundles
		}
	}
	return checks
}

// none is the bundle list of a check that judges no gathered evidence.
var none = []string{}

// NoBundle marks a check that judges no gathered evidence.
func NoBundle() []string { return none }

// Text is the spec's Ginkgo text, "ID: title".
func (c Check[R]) Text() string { return string(c.ID) + ": " + c.Title }

// Board is where a run's settled verdicts wait for the specs of the
// tables registered with it (Table). It lives as long as Ginkgo's spec
// tree, whose specs read it; it holds nothing until the run posts its
// verdicts with its redaction set (Post), once the evidence is judged and
// before Ginkgo runs a spec. Each spec then takes its own verdict and
// hands it to Ginkgo scrubbed with that set (Give). The zero Board is
// empty and ready to use.
type Board struct {
	mu       sync.Mutex
	verdicts Verdicts
	known    *redact.Set
}

// Post puts a run's settled verdicts on the board, with the run's
// redaction set known, which every outcome is scrubbed with on its way to
// Ginkgo.
func (b *Board) Post(v Verdicts, known *redact.Set) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.verdicts == nil {
		b.verdicts = Verdicts{}
	}
	maps.Copy(b.verdicts, v)
	b.known = known
}

// Verdict returns spec id's verdict, if one was posted, and the redaction
// set of the run that posted it.
func (b *Board) Verdict(id result.SpecID) (Verdict, *redact.Set, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	v, ok := b.verdicts[id]
	return v, b.known, ok
}

// Table registers a mode's checks as one Ginkgo table per area, labelled
// mode:<mode> and area:<area> (Labels); each entry hands Ginkgo its
// check's settled outcome from the board (posted by the runner, which
// judged the run with Resolve, before the specs run). The checks must be
// valid (Validate): an invalid declaration is a programming error, which
// the modes' tests catch before a binary is built.
func Table[R any](mode string, checks []Check[R], board *Board) {
	if err := Validate(checks); err != nil {
		panic("judge: " + mode + ": " + err.Error())
	}
	var areas []string
	for _, c := range checks {
		if !slices.Contains(areas, c.Area) {
			areas = append(areas, c.Area)
		}
	}
	for _, area := range areas {
		var entries []TableEntry
		for _, c := range checks {
			if c.Area == area {
				entries = append(entries, Entry(c.Text(), c, Label(areaLabel(area))))
			}
		}
		DescribeTable(mode+" "+area, Label(modeLabel(mode)), func(c Check[R]) {
			v, known, ok := board.Verdict(c.ID)
			if !ok {
				Fail(string(c.ID) + " has no verdict: the run's evidence was not judged for it (a fault in mfconform)")
			}
			AddReportEntry(EntryJudgeTime, v.Took, ReportEntryVisibilityNever)
			AddReportEntry(EntryBundles, c.Bundles, ReportEntryVisibilityNever)
			Give(v.Outcome, known)
		}, entries)
	}
}

// modeLabel and areaLabel are the Ginkgo labels of a mode's and an
// area's specs (a label filter selects on them).
func modeLabel(mode string) string { return "mode:" + mode }
func areaLabel(area string) string { return "area:" + area }

// Labels are the labels a check of mode carries in Ginkgo's tree
// (Table): its mode's, then its area's.
func (c Check[R]) Labels(mode string) []string {
	return []string{modeLabel(mode), areaLabel(c.Area)}
}

// Give hands an outcome to Ginkgo: evidence and findings become report
// entries, screenshots are attached when a finding fails or warns, a
// failing finding fails the spec with the rendered diagnostics as the
// message, and an unjudged outcome skips it with its reason (the runner
// reads the kind back: a skip is never a pass).
func Give(o Outcome, known *redact.Set) {
	GinkgoHelper()
	o = Scrubbed(o, known)
	for _, e := range o.Evidence {
		AddReportEntry(EntryEvidence, e, ReportEntryVisibilityNever)
	}
	if w := diag.Worst(o.Findings); w.Failing() || w == diag.Warn {
		for _, s := range o.Shots {
			if len(s.PNG) > 0 {
				AddReportEntry(EntryEvidence, result.Named{Name: result.EvidenceScreenshot, Value: s}, ReportEntryVisibilityNever)
			}
		}
	}
	for _, d := range o.Findings {
		AddReportEntry(EntryDiagnostic, d, ReportEntryVisibilityNever)
	}
	if o.Unjudged != nil && !o.Failing() {
		AddReportEntry(EntryUnjudged, *o.Unjudged, ReportEntryVisibilityNever)
		Skip(o.Unjudged.Reason)
	}
	gomega.Expect(o.Findings).To(conform())
}

// scrubText makes target text safe to keep: the run's known secrets and
// tokens replaced (known, before anything is cut, so no part of a secret
// survives), cut to result.MaxText, control characters and line breaks
// escaped (result.CleanLine: target text never starts a line, where a CI
// runner would obey it as a workflow command).
func scrubText(s string, known *redact.Set) string {
	return result.CleanLine(result.Cut(known.Clean(s), result.MaxText))
}

// Scrubbed is the outcome as it may be stored: every finding, piece of
// evidence and reason passed through the run's redaction set known and
// the control character cleaner — the one boundary target text crosses on
// its way to Ginkgo, the console and the reports.
func Scrubbed(o Outcome, known *redact.Set) Outcome {
	scrub := func(s string) string { return scrubText(s, known) }
	out := Outcome{Unjudged: o.Unjudged}
	for _, d := range o.Findings {
		d.Expected, d.Observed = scrub(d.Expected), scrub(d.Observed)
		// A specific cause, its proof, a hypothesis or a fix may quote
		// what the run met (a URL the run was given, with its password, a
		// name the target sent): the run's secrets go, and none of it may
		// start a line. A fix keeps its line breaks (a code snippet).
		d.Cause, d.ProvenBy = scrub(d.Cause), scrub(d.ProvenBy)
		hs := make([]diag.Hypothesis, len(d.Hypotheses))
		for i, h := range d.Hypotheses {
			h.Cause, h.Tell = scrub(h.Cause), scrub(h.Tell)
			hs[i] = h
		}
		d.Hypotheses = hs
		d.Fix = result.Clean(known.Clean(d.Fix))
		out.Findings = append(out.Findings, d)
	}
	for _, e := range o.Evidence {
		out.Evidence = append(out.Evidence, result.Named{Name: e.Name, Value: result.Scrub(e.Value, scrub)})
	}
	for _, s := range o.Shots {
		s.Caption = scrub(s.Caption)
		out.Shots = append(out.Shots, s)
	}
	if o.Unjudged != nil {
		u := *o.Unjudged
		u.Reason = scrub(u.Reason)
		out.Unjudged = &u
	}
	return out
}

type conformMatcher struct{}

func conform() types.GomegaMatcher { return conformMatcher{} }

func (conformMatcher) Match(actual any) (bool, error) {
	ds, ok := actual.([]diag.Diagnostic)
	if !ok {
		return false, fmt.Errorf("judge: want []diag.Diagnostic, got %T", actual)
	}
	return !diag.Worst(ds).Failing(), nil
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
