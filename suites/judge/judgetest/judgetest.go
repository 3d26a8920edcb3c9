// Package judgetest holds what the table tests of judgments share: one
// comparison of a judged spec with the state, codes and reason a row
// wants, so every mode's tables fail the same way and say the same things.
package judgetest

import (
	"slices"
	"testing"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/result"
)

// Want is what a row expects of a judged spec: its state, its non-info
// codes in order, and for a spec that did not judge the blocking spec,
// the missing input or the scope ("" checks none).
type Want struct {
	State result.State
	Codes []diag.Code
	By    string
}

// Check fails t unless got matches want, and unless a spec that did not
// judge gives a reason.
func Check(t testing.TB, got result.Spec, want Want) {
	t.Helper()
	var codes []diag.Code
	for _, d := range got.Diagnostics {
		if d.Severity != diag.Info {
			codes = append(codes, d.Code)
		}
	}
	if got.State != want.State || !slices.Equal(codes, want.Codes) {
		t.Fatalf("%s = %s %v (%s), want %s %v", got.ID, got.State, codes, got.Reason, want.State, want.Codes)
	}
	if by := string(got.BlockedBy) + got.Input + got.Scope; want.By != "" && by != want.By {
		t.Errorf("%s %s by/input/scope = %q, want %q", got.ID, got.State, by, want.By)
	}
	if !result.Judged(got.State) && got.Reason == "" {
		t.Errorf("%s did not judge and gives no reason", got.ID)
	}
}
