package result_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/mfconform/mfconform/suites/diag"
	. "github.com/mfconform/mfconform/suites/result"
)

func TestSplitText(t *testing.T) {
	tests := []struct {
		name      string
		text      string
		wantID    SpecID
		wantTitle string
	}{
		{name: "two-part ID", text: "JWT-COOKIE-001: cookie is set", wantID: JWTCookie001, wantTitle: "cookie is set"},
		{name: "one-part ID", text: "SETUP-001: environment", wantID: "SETUP-001", wantTitle: "environment"},
		{name: "three-part ID", text: "SB-KEY-ANON-010: anon key", wantID: "SB-KEY-ANON-010", wantTitle: "anon key"},
		{name: "no space after colon", text: "JWT-APP-002:title", wantID: JWTApp002, wantTitle: "title"},
		{name: "extra spaces after colon", text: "JWT-APP-002:   title", wantID: JWTApp002, wantTitle: "title"},
		{name: "empty title", text: "JWT-APP-002:", wantID: JWTApp002, wantTitle: ""},
		{name: "colon in the title", text: "JWT-APP-003: a: b", wantID: JWTApp003, wantTitle: "a: b"},
		{name: "no ID", text: "cookie is set", wantID: "", wantTitle: "cookie is set"},
		{name: "lower-case ID", text: "jwt-cookie-001: cookie", wantID: "", wantTitle: "jwt-cookie-001: cookie"},
		{name: "two digits", text: "JWT-COOKIE-01: cookie", wantID: "", wantTitle: "JWT-COOKIE-01: cookie"},
		{name: "four digits", text: "JWT-COOKIE-0001: cookie", wantID: "", wantTitle: "JWT-COOKIE-0001: cookie"},
		{name: "no colon", text: "JWT-COOKIE-001 cookie", wantID: "", wantTitle: "JWT-COOKIE-001 cookie"},
		{name: "leading space", text: " JWT-COOKIE-001: cookie", wantID: "", wantTitle: " JWT-COOKIE-001: cookie"},
		{name: "empty", text: "", wantID: "", wantTitle: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, title := SplitText(tt.text)
			if id != tt.wantID || title != tt.wantTitle {
				t.Errorf("SplitText(%q) = %q, %q, want %q, %q", tt.text, id, title, tt.wantID, tt.wantTitle)
			}
		})
	}
}

func TestSpecCodes(t *testing.T) {
	s := Spec{Diagnostics: []diag.Diagnostic{
		diag.New(diag.CookieHostOnly, "exp", "obs"),
		diag.New(diag.CookieThirdPartyBlocked, "exp", "obs").WithSeverity(diag.Info),
		diag.New(diag.TokenLifetimeLong, "exp", "obs"),
		diag.New(diag.AppAcceptsAlgNone, "exp", "obs"),
		diag.New(diag.CookieHostOnly, "exp", "another observation"),
	}}
	want := []string{"APP_ACCEPTS_ALG_NONE", "COOKIE_HOST_ONLY", "TOKEN_LIFETIME_LONG"} // distinct, sorted
	if got := s.Codes(); !slices.Equal(got, want) {
		t.Errorf("Codes() = %q, want %q", got, want)
	}
	if got := (Spec{}).Codes(); len(got) != 0 {
		t.Errorf("Codes() of a spec without diagnostics = %q, want none", got)
	}
}

func TestSummarize(t *testing.T) {
	passed := Spec{ID: JWTCookie001, State: StatePassed}
	warned := Spec{ID: JWTToken002, State: StateWarned, Diagnostics: []diag.Diagnostic{diag.New(diag.TokenLifetimeLong, "exp", "obs")}}
	failed := Spec{ID: JWTCookie003, State: StateFailed, Diagnostics: []diag.Diagnostic{diag.New(diag.CookieHostOnly, "exp", "obs")}}
	notJudged := Spec{ID: JWTApp004, State: StateNotJudged, Input: "AUTH_SECRET_KEY", Reason: "no key"}
	blocked := Spec{ID: JWTCookie006, State: StateBlocked, BlockedBy: JWTCookie003, Reason: "blocked"}
	outOfScope := Spec{ID: JWTToken001, State: StateOutOfScope, Scope: "app-only run", Reason: "app-only run"}
	waived := Spec{ID: JWTToken003, State: StateWaived, WaivedState: StateNotJudged}
	interrupted := Spec{ID: JWTApp005, State: StateInterrupted, Reason: "interrupted by user"}
	unreachable := Spec{ID: JWTApp006, State: StateFailed, Diagnostics: []diag.Diagnostic{diag.New(diag.AppUnreachable, "an answer", "connection refused")}}

	tests := []struct {
		name        string
		specs       []Spec
		setupError  string
		interrupted bool
		wantVerdict string
		wantCounts  map[State]int // only the states named are checked
		wantInputs  []MissingInput
	}{
		{name: "no specs judged nothing", wantVerdict: VerdictIncomplete},
		{name: "passed only", specs: []Spec{passed, passed}, wantVerdict: VerdictConformant, wantCounts: map[State]int{StatePassed: 2}},
		{name: "out of scope does not make a run incomplete", specs: []Spec{passed, outOfScope}, wantVerdict: VerdictConformant, wantCounts: map[State]int{StateOutOfScope: 1}},
		{name: "only out of scope judged nothing", specs: []Spec{outOfScope}, wantVerdict: VerdictIncomplete},
		{name: "not judged is incomplete", specs: []Spec{passed, notJudged}, wantVerdict: VerdictIncomplete, wantCounts: map[State]int{StateNotJudged: 1},
			wantInputs: []MissingInput{{Input: "AUTH_SECRET_KEY", Specs: []SpecID{JWTApp004}}}},
		{name: "a waived not-judged spec counts as judged", specs: []Spec{passed, waived}, wantVerdict: VerdictConformant},
		{name: "incomplete beats warned", specs: []Spec{passed, warned, notJudged}, wantVerdict: VerdictIncomplete},
		{name: "warned", specs: []Spec{passed, warned}, wantVerdict: VerdictWarnings, wantCounts: map[State]int{StateWarned: 1}},
		{name: "failed beats incomplete", specs: []Spec{passed, warned, failed, blocked, notJudged}, wantVerdict: VerdictNonConformant,
			wantCounts: map[State]int{StateFailed: 1, StateBlocked: 1, StateNotJudged: 1}},
		{name: "blocked without a failure is incomplete", specs: []Spec{passed, blocked}, wantVerdict: VerdictIncomplete},
		{name: "setup error with no specs", setupError: "browser: chromium not found", wantVerdict: VerdictError},
		{name: "setup error beats failed", specs: []Spec{failed}, setupError: "port in use", wantVerdict: VerdictError},
		{name: "environment diagnostic APP_UNREACHABLE", specs: []Spec{passed, failed, unreachable}, wantVerdict: VerdictError, wantCounts: map[State]int{StateFailed: 2}},
		{name: "interrupted beats everything", specs: []Spec{passed, failed, unreachable, interrupted}, setupError: "late setup failure", wantVerdict: VerdictInterrupted},
		{name: "a run stopped before any spec", interrupted: true, wantVerdict: VerdictInterrupted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Report{Specs: tt.specs, SetupError: tt.setupError, Interrupted: tt.interrupted, Verdict: "stale", Counts: map[State]int{"stale": 9}}
			r.Summarize()
			if r.Verdict != tt.wantVerdict {
				t.Errorf("Summarize() Verdict = %q, want %q", r.Verdict, tt.wantVerdict)
			}
			if _, ok := r.Counts["stale"]; ok {
				t.Errorf("Summarize() kept a stale count: %v", r.Counts)
			}
			for state, n := range tt.wantCounts {
				if r.Counts[state] != n {
					t.Errorf("Summarize() Counts[%s] = %d, want %d (%v)", state, r.Counts[state], n, r.Counts)
				}
			}
			if tt.wantInputs != nil && !reflect.DeepEqual(r.MissingInputs, tt.wantInputs) {
				t.Errorf("Summarize() MissingInputs = %+v, want %+v", r.MissingInputs, tt.wantInputs)
			}
			if r.Verdict == VerdictIncomplete && r.IncompleteText() == "" {
				t.Errorf("IncompleteText() is empty for an incomplete run")
			}
		})
	}
}

func TestEnvironmentError(t *testing.T) {
	tests := []struct {
		name string
		code diag.Code
		want bool
	}{
		{name: "app unreachable", code: diag.AppUnreachable, want: true},
		{name: "login unreachable", code: diag.LoginUnreachable, want: true},
		{name: "setup failed", code: diag.SetupFailed, want: true},
		{name: "supabase unreachable", code: diag.SupabaseURLUnreachable, want: true},
		{name: "deployment finding", code: diag.CookieHostOnly, want: false},
		{name: "app server error is the deployment's", code: diag.AppServerError, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Report{Specs: []Spec{{State: StateFailed, Diagnostics: []diag.Diagnostic{diag.New(tt.code, "exp", "obs")}}}}
			if got := r.EnvironmentError(); got != tt.want {
				t.Errorf("EnvironmentError() with %s = %v, want %v", tt.code, got, tt.want)
			}
		})
	}
}

// TestEnvironmentCodesCatalogued keeps the catalogue's environment codes
// the ones that turn a run into an error.
func TestEnvironmentCodesCatalogued(t *testing.T) {
	for _, c := range []diag.Code{diag.AppUnreachable, diag.LoginUnreachable, diag.SetupFailed, diag.SupabaseURLUnreachable} {
		if !diag.IsEnvironment(c) {
			t.Errorf("diag.IsEnvironment(%s) = false, want true", c)
		}
	}
}
