package runner

import (
	"slices"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/mfconform/mfconform/harness/egress"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/jwt"
	"github.com/mfconform/mfconform/suites/redact"
	"github.com/mfconform/mfconform/suites/result"
	"github.com/mfconform/mfconform/suites/supabase"
)

// order lists every spec ID in the order the modes declare them: a run's
// report and console follow it (and a spec is only ever blocked by one
// before it in this order).
func order() []result.SpecID {
	var ids []result.SpecID
	for _, c := range jwt.Checks() {
		ids = append(ids, c.ID)
	}
	for _, c := range supabase.Checks() {
		ids = append(ids, c.ID)
	}
	return ids
}

// prerequisites are every spec's declared After specs.
func prerequisites() map[result.SpecID][]result.SpecID {
	after := map[result.SpecID][]result.SpecID{}
	for _, c := range jwt.Checks() {
		after[c.ID] = c.After
	}
	for _, c := range supabase.Checks() {
		after[c.ID] = c.After
	}
	return after
}

// specsOf builds the report's specs from Ginkgo's report: the chosen ones,
// in declaration order. interrupted says the run was stopped, so a spec
// that did not judge was interrupted rather than anything else.
func specsOf(gr types.Report, chosen []result.SpecID, interrupted bool) []result.Spec {
	var specs []result.Spec
	for _, r := range gr.SpecReports {
		if r.LeafNodeType != types.NodeTypeIt {
			continue
		}
		s := fromSpecReport(r)
		if !slices.Contains(chosen, s.ID) {
			continue
		}
		if interrupted && !result.Judged(s.State) {
			s.State, s.Reason = result.StateInterrupted, "the run was interrupted before this spec judged"
		}
		specs = append(specs, s)
	}
	ids := order()
	slices.SortStableFunc(specs, func(a, b result.Spec) int { return slices.Index(ids, a.ID) - slices.Index(ids, b.ID) })
	return specs
}

// fromSpecReport converts one Ginkgo spec report. Entries are read as the
// Go values the specs attached (the report is built in the same process).
func fromSpecReport(r types.SpecReport) result.Spec {
	id, title := result.SplitText(r.LeafNodeText)
	s := result.Spec{ID: id, Title: title, Labels: r.Labels(), JudgeMS: float64(r.RunTime.Microseconds()) / 1000}
	var unjudged *result.Unjudged
	for _, e := range r.ReportEntries {
		switch v := e.Value.GetRawValue().(type) {
		case result.Diagnostic:
			s.Diagnostics = append(s.Diagnostics, v)
		case result.Named:
			s.Evidence = append(s.Evidence, v)
		case result.Unjudged:
			unjudged = &v
		case time.Duration:
			if e.Name == judge.EntryJudgeTime {
				s.JudgeMS = float64(v.Microseconds()) / 1000
			}
		case []string:
			if e.Name == judge.EntryBundles {
				s.Bundles = v
			}
		}
	}
	switch r.State {
	case types.SpecStatePassed:
		s.State = result.StatePassed
		if result.Worst(s.Diagnostics) == result.Warn {
			s.State = result.StateWarned
		}
	case types.SpecStateSkipped, types.SpecStatePending:
		if unjudged != nil {
			s.SetUnjudged(*unjudged)
			break
		}
		// Every judgment says why it did not judge; a bare skip is a bug,
		// and never a pass.
		s.State = result.StateNotJudged
		s.Input = "a fix in mfconform"
		s.Reason = "skipped without saying why: " + strings.TrimSpace(r.Failure.Message)
	case types.SpecStateInterrupted, types.SpecStateAborted:
		s.State = result.StateInterrupted
		s.Reason = r.Failure.Message
	default: // failed, panicked, timedout
		s.State = result.StateFailed
		if !slices.ContainsFunc(s.Diagnostics, func(d result.Diagnostic) bool { return d.Severity.Failing() }) {
			s.Failure = result.Clean(strings.TrimSpace(r.Failure.Message))
			if r.State == types.SpecStateTimedout {
				s.Failure = "timed out: " + s.Failure
			}
		}
	}
	return s
}

// EvidenceRefused names the evidence that lists what the egress guard
// refused while a spec's evidence was gathered.
const EvidenceRefused = "connections mfconform refused"

// refusals are what the run's egress guard refused, as the report keeps
// them: through the run's redactor, one line each (a host name came from
// a target's page; known is the run's redaction set).
func refusals(g *egress.Guard, known *redact.Set) ([]result.Refusal, int) {
	rs, dropped := g.Refused()
	var out []result.Refusal
	for _, r := range rs {
		out = append(out, result.Refusal{
			Host: result.CleanLine(known.Clean(r.Host)), Port: r.Port, During: result.CleanLine(r.Tag),
			Why: result.CleanLine(known.Clean(r.Why)), Count: r.Count,
		})
	}
	return out, dropped
}

// showRefusals adds to every spec that did not pass the connections the
// egress guard refused while its evidence bundles were gathered: a
// request the deployment needed and mfconform refused is then in the
// evidence of the spec it broke (the report lists them all too).
func showRefusals(rep *result.Report) {
	if len(rep.Refused) == 0 {
		return
	}
	for i := range rep.Specs {
		s := &rep.Specs[i]
		if s.State == result.StatePassed || s.State == result.StateOutOfScope {
			continue
		}
		var lines []string
		for _, r := range rep.Refused {
			if r.During != "" && slices.Contains(s.Bundles, r.During) {
				lines = append(lines, r.String())
			}
		}
		if len(lines) > 0 {
			s.Evidence = append(s.Evidence, result.Named{Name: EvidenceRefused, Value: lines})
		}
	}
}
