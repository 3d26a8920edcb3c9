package judge

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/result"
)

// InputFix is the "input" of a spec that could not judge because
// mfconform's own judgments disagree: only a fix in mfconform judges it.
const InputFix = "a fix in mfconform"

// Verdict is one spec's settled outcome and the time its judgment took.
type Verdict struct {
	Outcome
	Took time.Duration
}

// Verdicts are the settled outcomes of one run, by spec: the specs the run
// selected, nothing else.
type Verdicts map[result.SpecID]Verdict

// Spec is spec id's settled outcome as the result model records it;
// a spec without a verdict is reported as not judged, never as a pass.
func (v Verdicts) Spec(id result.SpecID) result.Spec {
	o, ok := v[id]
	if !ok {
		return NotJudged(InputFix, "%s has no verdict in this run", id).Spec(id)
	}
	return o.Spec(id)
}

// Resolve judges run with every check that selected names (nil: every
// check), in the order of checks — the order the report prints — and
// settles each Unmet outcome against the outcomes before it:
//
//   - blocked by the first of the check's After specs (of By's, when
//     given) that failed (with one of For's codes, when given), or by the
//     root that spec was blocked by (the reason then says through which);
//   - otherwise, when one of them is not in the run, not judged: the
//     filter left out the spec that would tell why, so it is named as
//     what to add to the run;
//   - otherwise the Else outcome, when the judgment gave one;
//   - otherwise, when one of them did not judge either, the same state
//     for the same reason (a missing input, a run shape);
//   - otherwise every prerequisite passed, yet the input is missing: not
//     judged, a fault in mfconform (the fixture matrix fails on it).
//
// A spec is therefore only ever blocked by a spec of the same run that
// failed and prints before it.
func Resolve[R any](checks []Check[R], run R, selected []result.SpecID) Verdicts {
	out := Verdicts{}
	via := map[result.SpecID][]result.SpecID{}
	inRun := func(id result.SpecID) bool { return selected == nil || slices.Contains(selected, id) }
	for _, c := range checks {
		if !inRun(c.ID) {
			continue
		}
		start := time.Now()
		o := c.Judge(run)
		took := time.Since(start)
		// An Else outcome may itself be Unmet (a judgment with two
		// questions for two prerequisites): settle until it is not.
		for o.unmet != nil {
			o, via[c.ID] = settle(c, *o.unmet, out, via, inRun)
		}
		out[c.ID] = Verdict{Outcome: o, Took: took}
	}
	return out
}

// settle is Resolve's rule for one Unmet outcome u of check c, given the
// verdicts settled so far; it also returns the chain a block goes through.
func settle[R any](c Check[R], u unmet, settled Verdicts, via map[result.SpecID][]result.SpecID, inRun func(result.SpecID) bool) (Outcome, []result.SpecID) {
	cands := c.After
	if len(u.by) > 0 {
		for _, p := range u.by {
			if !slices.Contains(c.After, p) {
				return NotJudged(InputFix, "%s; %s names %s as the explanation, which it does not declare", u.why, c.ID, p), nil
			}
		}
		cands = u.by
	}
	for _, p := range cands {
		v, ok := settled[p]
		switch {
		case !ok:
		case v.Failing() && explains(v.Outcome, u.codes):
			return blocked(p, nil, u.why), nil
		case v.Failing():
			// It failed, but not for the reason this spec is missing.
			continue
		case v.Unjudged != nil && v.Unjudged.Kind == result.StateBlocked && v.Unjudged.BlockedBy != "":
			chain := append([]result.SpecID{p}, via[p]...)
			return blocked(v.Unjudged.BlockedBy, chain, u.why), chain
		}
	}
	for _, p := range cands {
		if !inRun(p) {
			return NotJudged(string(p)+" in the run",
				"%s; %s, which would tell why, is not in this run (the label filter or focus left it out): run it too", u.why, p), nil
		}
	}
	if u.orElse != nil {
		return *u.orElse, nil
	}
	for _, p := range cands {
		if v, ok := settled[p]; ok && v.Unjudged != nil && !v.Failing() {
			w := *v.Unjudged
			w.BlockedBy = ""
			w.Reason = u.why + "; " + string(p) + " could not judge either: " + w.Reason
			if w.Kind == result.StateBlocked {
				// Blocked without a blocker is a fault, never a block.
				w.Kind, w.Input = result.StateNotJudged, InputFix
			}
			return unjudged(w), nil
		}
	}
	if len(cands) == 0 {
		return NotJudged(InputFix, "%s; %s declares no spec that explains it", u.why, c.ID), nil
	}
	return NotJudged(InputFix, "%s, yet %s, which should explain it, did not fail for it: mfconform's judgments disagree (please report it)", u.why, joinIDs(cands)), nil
}

// explains reports whether a failed prerequisite's outcome explains an
// Unmet one: any failure does, unless the Unmet names the codes (For).
func explains(o Outcome, codes []diag.Code) bool {
	if len(codes) == 0 {
		return true
	}
	for _, d := range o.Findings {
		if d.Severity.Failing() && slices.Contains(codes, d.Code) {
			return true
		}
	}
	return false
}

// blocked is the outcome of a spec blocked by root, through the chain of
// blocked specs between them.
func blocked(root result.SpecID, chain []result.SpecID, why string) Outcome {
	head := "blocked by " + string(root)
	if len(chain) > 0 {
		head += " (through " + joinIDs(chain) + ")"
	}
	return unjudged(result.Unjudged{Kind: result.StateBlocked, BlockedBy: root, Reason: head + ": " + why})
}

func joinIDs(ids []result.SpecID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = string(id)
	}
	return strings.Join(s, ", ")
}

// Validate checks a mode's declarations: every ID is set and unique, and
// every prerequisite in After is a check of the mode that comes before
// its dependent (so the graph has no cycle and a cause always prints
// before what it blocks).
func Validate[R any](checks []Check[R]) error {
	at := map[result.SpecID]int{}
	for i, c := range checks {
		if c.ID == "" {
			return fmt.Errorf("check %d (%q) has no ID", i, c.Title)
		}
		if _, dup := at[c.ID]; dup {
			return fmt.Errorf("%s is declared twice", c.ID)
		}
		at[c.ID] = i
	}
	if cyc := cycle(checks); len(cyc) > 0 {
		return fmt.Errorf("prerequisites form a cycle: %s", joinIDs(cyc))
	}
	for i, c := range checks {
		for _, p := range c.After {
			j, ok := at[p]
			switch {
			case !ok:
				return fmt.Errorf("%s names an unknown prerequisite %q", c.ID, p)
			case p == c.ID:
				return fmt.Errorf("%s names itself as a prerequisite", c.ID)
			case j > i:
				return fmt.Errorf("%s's prerequisite %s comes after it: a cause must print before what it blocks", c.ID, p)
			}
		}
	}
	return nil
}

// cycle returns a cycle of the After graph (its IDs, the first repeated at
// the end), nil when there is none.
func cycle[R any](checks []Check[R]) []result.SpecID {
	after := map[result.SpecID][]result.SpecID{}
	for _, c := range checks {
		after[c.ID] = c.After
	}
	const (
		unseen = iota
		open
		done
	)
	state := map[result.SpecID]int{}
	var path []result.SpecID
	var visit func(id result.SpecID) []result.SpecID
	visit = func(id result.SpecID) []result.SpecID {
		switch state[id] {
		case open:
			i := slices.Index(path, id)
			return append(slices.Clone(path[i:]), id)
		case done:
			return nil
		}
		state[id] = open
		path = append(path, id)
		for _, p := range after[id] {
			if cyc := visit(p); cyc != nil {
				return cyc
			}
		}
		path = path[:len(path)-1]
		state[id] = done
		return nil
	}
	for _, c := range checks {
		if cyc := visit(c.ID); cyc != nil {
			return cyc
		}
	}
	return nil
}
