package result

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// RootCause is one cause of a run's failures or warnings: the findings
// that share a code, a cause and a fix, wherever they showed — the probes
// of one spec, or several specs — said once, with the fix once, and the
// specs that could not judge because a spec it failed came first. A
// report lists its causes in the order to fix them (Report.RootCauses).
type RootCause struct {
	// Diagnostic is the cause's first finding (its code, title, expected,
	// cause, fix and reference), with the worst severity among its
	// findings; Observed is the first observation (Seen has them all).
	Diagnostic
	// Specs are the specs that showed it, in the report's order.
	Specs []SpecID `json:"specs"`
	// Seen is every observation of it, in the report's order: one per
	// finding (a probe, a request), an observation that several specs
	// made word for word listed once with all of them.
	Seen []Sighting `json:"seen"`
	// Findings counts the findings it stands for (probes and specs).
	Findings int `json:"findings"`
	// Blocked are the specs blocked by a spec that failed with this cause
	// as its first (BlockedGroup).
	Blocked []SpecID `json:"blocked,omitempty"`
}

// Sighting is one observation of a root cause and the specs that made it.
type Sighting struct {
	Specs    []SpecID `json:"specs"`
	Observed string   `json:"observed"`
}

// BlockedGroup is the specs one failed spec blocked: what the reports
// show as one line ("13 specs blocked by JWT-APP-001 (APP_UNREACHABLE
// …)") instead of a line per blocked spec.
type BlockedGroup struct {
	// By is the spec that blocked them (the root of every chain), and
	// Code and Title its first finding's (empty when it has none).
	By    SpecID `json:"by"`
	Code  Code   `json:"code,omitempty"`
	Title string `json:"title,omitempty"`
	// Specs are the blocked specs, in the report's order.
	Specs []SpecID `json:"specs"`
}

// String renders the cause as Diagnostic.String renders one finding, with
// every observation under "observed" (one a line, the specs that made it
// first when more than one spec showed the cause).
func (c RootCause) String() string { return c.Merged().String() }

// Merged is the cause as one diagnostic: Observed lists every sighting,
// one a line. Each observation is one line already (target text never
// holds a line break: CleanLine), so the lines are the sightings.
func (c RootCause) Merged() Diagnostic {
	d := c.Diagnostic
	if len(c.Seen) == 0 {
		return d
	}
	lines := make([]string, len(c.Seen))
	for i, s := range c.Seen {
		lines[i] = c.SightingText(s)
	}
	d.Observed = strings.Join(lines, "\n")
	return d
}

// SightingText is one observation as a line: prefixed by the specs that
// made it when the cause showed in more than one spec.
func (c RootCause) SightingText(s Sighting) string {
	if len(c.Specs) < 2 {
		return s.Observed
	}
	return JoinIDs(s.Specs, ", ") + ": " + s.Observed
}

// ShownBy says where the cause showed, briefly: "JWT-APP-005 (5
// findings)", "JWT-COOKIE-001, JWT-COOKIE-006".
func (c RootCause) ShownBy() string {
	s := JoinIDs(c.Specs, ", ")
	if c.Findings > len(c.Specs) {
		s += fmt.Sprintf(" (%d findings)", c.Findings)
	}
	return s
}

// Label names the cause: its code, or for a spec that failed without a
// diagnostic, that spec.
func (c RootCause) Label() string {
	if c.Code != "" {
		return string(c.Code)
	}
	return JoinIDs(c.Specs, ", ")
}

// Causes returns the report's root causes and blocked groups: those
// Summarize recorded, or — for a report that was not summarized, or that
// an older mfconform wrote — derived from its specs now. The report is not
// changed.
func (r *Report) Causes() ([]RootCause, []BlockedGroup) {
	if r.RootCauses != nil || r.BlockedGroups != nil {
		return r.RootCauses, r.BlockedGroups
	}
	return RootCauses(r.Specs)
}

// RootCauses groups the findings of specs into root causes, in the order
// to fix them, and the blocked specs by the spec that blocked them. It is
// the one place findings are grouped: every report renders its result.
//
// Grouped are the findings that explain a spec's state — a failed spec's
// failing and warning findings, a warned spec's warnings (a waived spec's
// were accepted, info findings are evidence) — by everything but the
// observation and the severity: findings of one code that name different
// causes or fixes stay apart, so no fix is ever dropped. A failed spec
// without such a finding is a cause of its own. The order: causes about
// the run's environment first (nothing else can be judged until the
// target is reached), then failures, then warnings, each in the report's
// order of the first spec that showed it — the order specs print in,
// where a prerequisite comes before what it blocks.
func RootCauses(specs []Spec) ([]RootCause, []BlockedGroup) {
	var causes []RootCause
	index := map[string]int{} // group key → causes index
	first := map[SpecID]int{} // spec → the index of its first cause
	order := map[SpecID]int{} // spec → its place in the report
	for i, s := range specs {
		order[s.ID] = i
		if s.State != StateFailed && s.State != StateWarned {
			continue
		}
		found := false
		for _, d := range s.Diagnostics {
			if !explainsState(s.State, d) {
				continue
			}
			found = true
			k := groupKey(d)
			ci, ok := index[k]
			if !ok {
				ci = len(causes)
				index[k] = ci
				c := RootCause{Diagnostic: d}
				c.Observed = ""
				causes = append(causes, c)
			}
			causes[ci].add(s.ID, d)
			if _, ok := first[s.ID]; !ok {
				first[s.ID] = ci
			}
		}
		if !found && s.State == StateFailed {
			first[s.ID] = len(causes)
			c := RootCause{Diagnostic: Diagnostic{Severity: Fail, Title: string(s.ID) + " failed without a diagnostic"}}
			c.add(s.ID, Diagnostic{Severity: Fail, Observed: CleanLine(cmp.Or(firstLine(s.Failure), firstLine(s.Reason), "no reason recorded"))})
			causes = append(causes, c)
		}
	}

	var groups []BlockedGroup
	byBlocker := map[SpecID]int{}
	for _, s := range specs {
		if s.State != StateBlocked || s.BlockedBy == "" {
			continue
		}
		gi, ok := byBlocker[s.BlockedBy]
		if !ok {
			gi = len(groups)
			byBlocker[s.BlockedBy] = gi
			g := BlockedGroup{By: s.BlockedBy}
			if ci, ok := first[s.BlockedBy]; ok {
				g.Code, g.Title = causes[ci].Code, causes[ci].Title
			} else if d, ok := firstFinding(specs, s.BlockedBy); ok {
				g.Code, g.Title = d.Code, d.Title
			}
			groups = append(groups, g)
		}
		groups[gi].Specs = append(groups[gi].Specs, s.ID)
		if ci, ok := first[s.BlockedBy]; ok {
			causes[ci].Blocked = append(causes[ci].Blocked, s.ID)
		}
	}
	// A group's order is its blocker's place in the report.
	slices.SortStableFunc(groups, func(a, b BlockedGroup) int { return cmp.Compare(order[a.By], order[b.By]) })

	rank := func(c RootCause) int {
		switch {
		case c.Environment && c.Severity.Failing():
			return 0
		case c.Severity.Failing():
			return 1
		}
		return 2
	}
	slices.SortStableFunc(causes, func(a, b RootCause) int { return cmp.Compare(rank(a), rank(b)) })
	return causes, groups
}

// add records one finding of the cause made by spec.
func (c *RootCause) add(spec SpecID, d Diagnostic) {
	c.Findings++
	if !slices.Contains(c.Specs, spec) {
		c.Specs = append(c.Specs, spec)
	}
	if d.Severity.rank() > c.Severity.rank() {
		c.Severity = d.Severity
	}
	if c.Observed == "" {
		c.Observed = d.Observed
	}
	for i := range c.Seen {
		if c.Seen[i].Observed == d.Observed {
			if !slices.Contains(c.Seen[i].Specs, spec) {
				c.Seen[i].Specs = append(c.Seen[i].Specs, spec)
			}
			return
		}
	}
	c.Seen = append(c.Seen, Sighting{Specs: []SpecID{spec}, Observed: d.Observed})
}

// explainsState reports whether a finding explains a spec's state: a
// failed spec's failing and warning findings, a warned spec's warnings.
func explainsState(state State, d Diagnostic) bool {
	switch state {
	case StateFailed:
		return d.Severity.Failing() || d.Severity == Warn
	case StateWarned:
		return d.Severity == Warn
	}
	return false
}

// groupKey is what findings of one cause share: the whole diagnostic but
// its observation and severity, encoded (so a field added to Diagnostic
// takes part without this changing).
func groupKey(d Diagnostic) string {
	d.Observed, d.Severity = "", ""
	b, err := json.Marshal(d)
	if err != nil {
		return string(d.Code) + "\x00" + d.Cause + "\x00" + d.Fix
	}
	return string(b)
}

// firstFinding is the first finding at or above warn of the spec id.
func firstFinding(specs []Spec, id SpecID) (Diagnostic, bool) {
	for _, s := range specs {
		if s.ID != id {
			continue
		}
		for _, d := range s.Diagnostics {
			if d.Severity != Info {
				return d, true
			}
		}
	}
	return Diagnostic{}, false
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}
