package reports

import (
	"maps"
	"slices"
	"testing"

	"github.com/mfconform/mfconform/suites/diag"
)

func TestSplitText(t *testing.T) {
	tests := []struct {
		name      string
		text      string
		wantID    string
		wantTitle string
	}{
		{name: "two-part ID", text: "JWT-COOKIE-001: cookie is set", wantID: "JWT-COOKIE-001", wantTitle: "cookie is set"},
		{name: "one-part ID", text: "SETUP-001: environment", wantID: "SETUP-001", wantTitle: "environment"},
		{name: "three-part ID", text: "SB-KEY-ANON-010: anon key", wantID: "SB-KEY-ANON-010", wantTitle: "anon key"},
		{name: "no space after colon", text: "JWT-APP-002:title", wantID: "JWT-APP-002", wantTitle: "title"},
		{name: "extra spaces after colon", text: "JWT-APP-002:   title", wantID: "JWT-APP-002", wantTitle: "title"},
		{name: "empty title", text: "JWT-APP-002:", wantID: "JWT-APP-002", wantTitle: ""},
		{name: "colon in the title", text: "JWT-APP-003: a: b", wantID: "JWT-APP-003", wantTitle: "a: b"},
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
	passed := Spec{ID: "JWT-COOKIE-001", State: StatePassed}
	warned := Spec{ID: "JWT-TOKEN-002", State: StateWarned, Diagnostics: []diag.Diagnostic{diag.New(diag.TokenLifetimeLong, "exp", "obs")}}
	failed := Spec{ID: "JWT-COOKIE-003", State: StateFailed, Diagnostics: []diag.Diagnostic{diag.New(diag.CookieHostOnly, "exp", "obs")}}
	skipped := Spec{ID: "JWT-EMBED-004", State: StateSkipped, Reason: "not selected by the label filter"}
	interrupted := Spec{ID: "JWT-APP-005", State: StateInterrupted, Reason: "interrupted by user"}
	unreachable := Spec{ID: "JWT-APP-006", State: StateFailed, Diagnostics: []diag.Diagnostic{diag.New(diag.AppUnreachable, "an answer", "connection refused")}}

	tests := []struct {
		name        string
		specs       []Spec
		setupError  string
		wantVerdict string
		wantCounts  map[string]int
	}{
		{
			name:        "no specs",
			wantVerdict: VerdictConformant,
			wantCounts:  map[string]int{StatePassed: 0, StateFailed: 0, StateWarned: 0, StateSkipped: 0, StateWaived: 0},
		},
		{
			name:        "passed only",
			specs:       []Spec{passed, passed},
			wantVerdict: VerdictConformant,
			wantCounts:  map[string]int{StatePassed: 2, StateFailed: 0, StateWarned: 0, StateSkipped: 0, StateWaived: 0},
		},
		{
			name:        "passed and skipped",
			specs:       []Spec{passed, skipped},
			wantVerdict: VerdictConformant,
			wantCounts:  map[string]int{StatePassed: 1, StateFailed: 0, StateWarned: 0, StateSkipped: 1, StateWaived: 0},
		},
		{
			name:        "warned",
			specs:       []Spec{passed, warned, skipped},
			wantVerdict: VerdictWarnings,
			wantCounts:  map[string]int{StatePassed: 1, StateFailed: 0, StateWarned: 1, StateSkipped: 1, StateWaived: 0},
		},
		{
			name:        "failed beats warned",
			specs:       []Spec{passed, warned, failed},
			wantVerdict: VerdictNonConformant,
			wantCounts:  map[string]int{StatePassed: 1, StateFailed: 1, StateWarned: 1, StateSkipped: 0, StateWaived: 0},
		},
		{
			name:        "setup error with no specs",
			setupError:  "browser: chromium not found",
			wantVerdict: VerdictError,
			wantCounts:  map[string]int{StatePassed: 0, StateFailed: 0, StateWarned: 0, StateSkipped: 0, StateWaived: 0},
		},
		{
			name:        "setup error beats failed",
			specs:       []Spec{failed},
			setupError:  "port in use",
			wantVerdict: VerdictError,
			wantCounts:  map[string]int{StatePassed: 0, StateFailed: 1, StateWarned: 0, StateSkipped: 0, StateWaived: 0},
		},
		{
			name:        "environment diagnostic APP_UNREACHABLE",
			specs:       []Spec{passed, failed, unreachable},
			wantVerdict: VerdictError,
			wantCounts:  map[string]int{StatePassed: 1, StateFailed: 2, StateWarned: 0, StateSkipped: 0, StateWaived: 0},
		},
		{
			name:        "interrupted beats everything",
			specs:       []Spec{passed, failed, unreachable, interrupted},
			setupError:  "late setup failure",
			wantVerdict: VerdictInterrupted,
			wantCounts:  map[string]int{StatePassed: 1, StateFailed: 2, StateWarned: 0, StateSkipped: 0, StateInterrupted: 1, StateWaived: 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Report{Specs: tt.specs, SetupError: tt.setupError, Verdict: "stale", Counts: map[string]int{"stale": 9}}
			r.Summarize()
			if r.Verdict != tt.wantVerdict {
				t.Errorf("Summarize() Verdict = %q, want %q", r.Verdict, tt.wantVerdict)
			}
			if !maps.Equal(r.Counts, tt.wantCounts) {
				t.Errorf("Summarize() Counts = %v, want %v", r.Counts, tt.wantCounts)
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

// TestEnvironmentCodesCatalogued keeps the codes that turn a run into an
// error registered in the diagnostic catalogue, so the diagnostic an
// operator sees for them carries a title, cause and fix.
func TestEnvironmentCodesCatalogued(t *testing.T) {
	for _, c := range environmentCodes {
		if _, ok := diag.Lookup(c); !ok {
			t.Errorf("diag.Lookup(%s) ok = false, want true (listed in environmentCodes)", c)
		}
	}
}
