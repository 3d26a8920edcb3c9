package result_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/suites/diag"
	. "github.com/mfconform/mfconform/suites/result"
)

func TestLoadWaivers(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		want    int
		wantErr string
	}{
		{"spec and code", "waivers:\n  - spec: JWT-COOKIE-006\n    reason: never embedded\n    expires: 2030-01-31\n  - code: TOKEN_LIFETIME_LONG\n    reason: policy\n", 2, ""},
		{"unknown key with its line", "waivers:\n  - spec: JWT-COOKIE-006\n    reason: r\n    because: x\n", 0, "w.yaml:4:5: unknown key; want one of code, expires, reason, spec"},
		{"no reason", "waivers:\n  - spec: JWT-COOKIE-006\n", 0, "w.yaml:2:5: waiver 1: has no reason"},
		{"both spec and code", "waivers:\n  - spec: A-B-001\n    code: X\n    reason: r\n", 0, "exactly one"},
		{"neither", "waivers:\n  - reason: r\n", 0, "exactly one"},
		{"bad date", "waivers:\n  - code: X\n    reason: r\n    expires: 31/01/2030\n", 0, "YYYY-MM-DD"},
		{"not yaml", "waivers: [", 0, "invalid waivers file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "w.yaml")
			if err := os.WriteFile(p, []byte(tt.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			ws, err := LoadWaivers(p)
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, ErrWaivers) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("LoadWaivers() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(ws) != tt.want {
				t.Fatalf("LoadWaivers() = %d waivers, %v; want %d, nil", len(ws), err, tt.want)
			}
		})
	}
	if _, err := LoadWaivers(filepath.Join(t.TempDir(), "missing.yaml")); !errors.Is(err, ErrWaivers) {
		t.Errorf("LoadWaivers(missing) error = %v, want ErrWaivers", err)
	}
}

func TestApplyWaivers(t *testing.T) {
	today := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	failed := func(id SpecID, codes ...diag.Code) Spec {
		s := Spec{ID: id, State: StateFailed}
		for _, c := range codes {
			s.Diagnostics = append(s.Diagnostics, diag.New(c, "e", "o"))
		}
		return s
	}
	tests := []struct {
		name         string
		specs        []Spec
		waivers      []Waiver
		wantStates   []State
		wantProblems []string
	}{
		{"spec waiver", []Spec{failed("A-X-001", diag.CookieHostOnly)}, []Waiver{{Spec: "A-X-001", Reason: "r"}}, []State{StateWaived}, nil},
		{"code waiver covers all codes", []Spec{failed("A-X-001", diag.CookieHostOnly)}, []Waiver{{Code: "COOKIE_HOST_ONLY", Reason: "r"}}, []State{StateWaived}, nil},
		{"code waiver covers only some codes", []Spec{failed("A-X-001", diag.CookieHostOnly, diag.CookieNotSecure)}, []Waiver{{Code: "COOKIE_HOST_ONLY", Reason: "r"}}, []State{StateFailed}, []string{"matched nothing"}},
		{"expired waiver is not applied", []Spec{failed("A-X-001", diag.CookieHostOnly)}, []Waiver{{Spec: "A-X-001", Reason: "r", Expires: "2026-11-25"}}, []State{StateFailed}, []string{"expired on 2026-11-25"}},
		{"waiver expiring today still applies", []Spec{failed("A-X-001", diag.CookieHostOnly)}, []Waiver{{Spec: "A-X-001", Reason: "r", Expires: "2026-11-26"}}, []State{StateWaived}, nil},
		{"unmatched waiver reported", []Spec{{ID: "A-X-001", State: StatePassed}}, []Waiver{{Spec: "A-X-001", Reason: "r"}}, []State{StatePassed}, []string{"matched nothing"}},
		{"not-judged spec waived by spec ID", []Spec{{ID: "A-X-003", State: StateNotJudged, Input: "AUTH_SECRET_KEY"}}, []Waiver{{Spec: "A-X-003", Reason: "no key in CI"}}, []State{StateWaived}, nil},
		{"not-judged spec is not waived by a code", []Spec{{ID: "A-X-003", State: StateNotJudged}}, []Waiver{{Code: "COOKIE_HOST_ONLY", Reason: "r"}}, []State{StateNotJudged}, []string{"matched nothing"}},
		{"a spec blocked by a waived one is waived with it", []Spec{failed("A-X-001", diag.CookieHostOnly), {ID: "A-X-004", State: StateBlocked, BlockedBy: "A-X-001"}, {ID: "A-X-005", State: StateBlocked, BlockedBy: "A-X-004"}},
			[]Waiver{{Spec: "A-X-001", Reason: "r"}}, []State{StateWaived, StateWaived, StateWaived}, nil},
		{"a spec blocked by an unwaived one stays blocked", []Spec{failed("A-X-001", diag.CookieHostOnly), {ID: "A-X-004", State: StateBlocked, BlockedBy: "A-X-001"}},
			nil, []State{StateFailed, StateBlocked}, nil},
		{"warned spec waived", []Spec{{ID: "A-X-002", State: StateWarned, Diagnostics: []diag.Diagnostic{diag.New(diag.TokenLifetimeLong, "e", "o")}}}, []Waiver{{Code: "TOKEN_LIFETIME_LONG", Reason: "r"}}, []State{StateWaived}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Report{Specs: tt.specs}
			ApplyWaivers(r, tt.waivers, today)
			var states []State
			for _, s := range r.Specs {
				states = append(states, s.State)
				if s.State == StateWaived && (s.Waiver == nil || s.WaivedState == "") {
					t.Errorf("%s waived without its waiver or former state", s.ID)
				}
			}
			if !slices.Equal(states, tt.wantStates) {
				t.Errorf("states = %v, want %v", states, tt.wantStates)
			}
			for _, w := range tt.wantProblems {
				if !slices.ContainsFunc(r.WaiverProblems, func(p string) bool { return strings.Contains(p, w) }) {
					t.Errorf("WaiverProblems = %q, want one containing %q", r.WaiverProblems, w)
				}
			}
			if len(tt.wantProblems) == 0 && len(r.WaiverProblems) > 0 {
				t.Errorf("WaiverProblems = %q, want none", r.WaiverProblems)
			}
			r.Summarize()
			if r.Counts[StateWaived] > 0 && r.Counts[StateFailed] == 0 && r.Verdict == VerdictNonConformant {
				t.Errorf("a waived failure still makes the run non-conformant")
			}
		})
	}
}
