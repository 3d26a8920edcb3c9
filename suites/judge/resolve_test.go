package judge

import (
	"strings"
	"testing"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/result"
)

// The specs of a toy mode, A before B before C before D: the judgments
// below read their outcome from a run map, so each row sets them.
const (
	specA result.SpecID = "T-A-001"
	specB result.SpecID = "T-B-001"
	specC result.SpecID = "T-C-001"
	specD result.SpecID = "T-D-001"
)

// toyRun maps a spec to the outcome its judgment returns.
type toyRun map[result.SpecID]Outcome

func toy(id result.SpecID, after ...result.SpecID) Check[toyRun] {
	return Check[toyRun]{ID: id, Title: "toy " + string(id), After: after, Judge: func(r toyRun) Outcome { return r[id] }}
}

var (
	failing   = Findings(diag.New(diag.CookieNotSet, "a cookie", "none"))
	noKey     = NotJudged("AUTH_SECRET_KEY", "no key")
	ownFinder = Findings(diag.New(diag.CookieNotSent, "sent", "withheld"))
)

func TestResolve(t *testing.T) {
	checks := []Check[toyRun]{toy(specA), toy(specB, specA), toy(specC, specA, specB), toy(specD, specB, specC)}
	tests := []struct {
		name     string
		run      toyRun
		selected []result.SpecID
		id       result.SpecID
		want     result.State
		by       result.SpecID // BlockedBy, or "" for none
		input    string        // the not-judged input, "" for any
		reason   string        // a part of the reason, "" for any
	}{
		{"a failed prerequisite blocks", toyRun{specA: failing, specB: Unmet("no cookie")}, nil, specB, result.StateBlocked, specA, "", "blocked by T-A-001: no cookie"},
		{"the first failed prerequisite blocks", toyRun{specA: failing, specB: failing, specC: Unmet("x")}, nil, specC, result.StateBlocked, specA, "", ""},
		{"a chain names its root and the way", toyRun{specA: failing, specB: Unmet("b"), specC: Unmet("c").By(specB)}, nil, specC, result.StateBlocked, specA, "", "blocked by T-A-001 (through T-B-001): c"},
		{"a longer chain names every step", toyRun{specA: failing, specB: Unmet("b"), specC: Unmet("c").By(specB), specD: Unmet("d").By(specC)}, nil, specD, result.StateBlocked, specA, "", "(through T-C-001, T-B-001)"},
		{"By narrows: a failure it does not name does not block", toyRun{specA: failing, specC: Unmet("c").By(specB)}, nil, specC, result.StateNotJudged, "", InputFix, "did not fail for it"},
		{"a passing prerequisite never blocks: a fault in mfconform", toyRun{specB: Unmet("b")}, nil, specB, result.StateNotJudged, "", InputFix, "did not fail for it"},
		{"a passing prerequisite gives the Else verdict", toyRun{specB: Unmet("b").Else(ownFinder)}, nil, specB, result.StateFailed, "", "", ""},
		{"a failed prerequisite wins over Else", toyRun{specA: failing, specB: Unmet("b").Else(ownFinder)}, nil, specB, result.StateBlocked, specA, "", ""},
		{"a nested Unmet in Else settles too", toyRun{specA: failing, specC: Unmet("c").By(specB).Else(Unmet("c2").By(specA))}, nil, specC, result.StateBlocked, specA, "", "c2"},
		{"a prerequisite not in the run is named, never blamed", toyRun{specA: failing, specB: Unmet("b")}, []result.SpecID{specB}, specB, result.StateNotJudged, "", "T-A-001 in the run", "not in this run"},
		{"a prerequisite not in the run wins over Else", toyRun{specB: Unmet("b").Else(ownFinder)}, []result.SpecID{specB}, specB, result.StateNotJudged, "", "T-A-001 in the run", ""},
		{"a prerequisite that could not judge passes its input on", toyRun{specA: noKey, specB: Unmet("b")}, nil, specB, result.StateNotJudged, "", "AUTH_SECRET_KEY", "T-A-001 could not judge either: no key"},
		{"For: a failure with the named code blocks", toyRun{specA: failing, specB: Unmet("b").For(diag.CookieNotSet).Else(ownFinder)}, nil, specB, result.StateBlocked, specA, "", ""},
		{"For: a failure for another reason does not block", toyRun{specA: failing, specB: Unmet("b").For(diag.CookieHostOnly).Else(ownFinder)}, nil, specB, result.StateFailed, "", "", ""},
		{"an undeclared By is a fault", toyRun{specB: Unmet("b").By(specC)}, nil, specB, result.StateNotJudged, "", InputFix, "does not declare"},
		{"no declared prerequisite is a fault", toyRun{specA: Unmet("a")}, nil, specA, result.StateNotJudged, "", InputFix, "declares no spec"},
		{"a judgment that is not Unmet is left alone", toyRun{specA: failing, specB: noKey}, nil, specB, result.StateNotJudged, "", "AUTH_SECRET_KEY", "no key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Resolve(checks, tt.run, tt.selected)
			got := v.Spec(tt.id)
			if got.State != tt.want || got.BlockedBy != tt.by {
				t.Fatalf("Resolve()[%s] = %s by %q (%s), want %s by %q", tt.id, got.State, got.BlockedBy, got.Reason, tt.want, tt.by)
			}
			if tt.input != "" && got.Input != tt.input {
				t.Errorf("Resolve()[%s] input = %q, want %q", tt.id, got.Input, tt.input)
			}
			if !strings.Contains(got.Reason, tt.reason) {
				t.Errorf("Resolve()[%s] reason = %q, want it to contain %q", tt.id, got.Reason, tt.reason)
			}
			if v[tt.id].Unsettled() {
				t.Errorf("Resolve()[%s] left an Unmet outcome unsettled", tt.id)
			}
		})
	}
}

// TestResolveJudgesOnlyTheRun: a spec the run did not select is neither
// judged nor given a verdict.
func TestResolveJudgesOnlyTheRun(t *testing.T) {
	judged := 0
	c := Check[toyRun]{ID: specA, Judge: func(toyRun) Outcome { judged++; return Pass() }}
	v := Resolve([]Check[toyRun]{c}, toyRun{}, []result.SpecID{specB})
	if judged != 0 || len(v) != 0 {
		t.Errorf("Resolve() judged %d checks and gave %d verdicts, want none", judged, len(v))
	}
	if s := v.Spec(specA); s.State != result.StateNotJudged || s.Input != InputFix {
		t.Errorf("Spec() of a spec without a verdict = %s (%s), want not judged", s.State, s.Input)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		checks  []Check[toyRun]
		wantErr string // "" for valid
	}{
		{"a declared graph", []Check[toyRun]{toy(specA), toy(specB, specA), toy(specC, specA, specB)}, ""},
		{"an unknown prerequisite", []Check[toyRun]{toy(specA), toy(specB, "T-Z-001")}, `unknown prerequisite "T-Z-001"`},
		{"a prerequisite printed later", []Check[toyRun]{toy(specA, specB), toy(specB)}, "comes after it"},
		{"a cycle", []Check[toyRun]{toy(specA, specC), toy(specB, specA), toy(specC, specB)}, "cycle: T-A-001, T-C-001, T-B-001, T-A-001"},
		{"a spec that needs itself", []Check[toyRun]{toy(specA, specA)}, "cycle"},
		{"a duplicate ID", []Check[toyRun]{toy(specA), toy(specA)}, "declared twice"},
		{"no ID", []Check[toyRun]{{Title: "nameless"}}, "has no ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.checks)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Validate() = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Validate() = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}
