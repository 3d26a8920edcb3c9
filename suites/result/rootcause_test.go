package result_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/mfconform/mfconform/suites/diag"
	. "github.com/mfconform/mfconform/suites/result"
)

// probe is one probe's finding of code, observed as obs.
func probe(code diag.Code, obs string) diag.Diagnostic { return diag.New(code, "a refusal", obs) }

func TestRootCauses(t *testing.T) {
	badSig := func(p string) diag.Diagnostic { return probe(diag.AppAcceptsBadSignature, "probe "+p+" was accepted") }
	none := func(p string) diag.Diagnostic { return probe(diag.AppAcceptsAlgNone, "probe "+p+" was accepted") }
	lifetime := diag.New(diag.TokenLifetimeLong, "at most 24 h", "30 days")
	unreachable := diag.New(diag.AppUnreachable, "an answer", "connection refused")
	hostOnly := diag.New(diag.CookieHostOnly, "Domain=.acme.test", "no Domain attribute")
	note := diag.New(diag.CookieThirdPartyBlocked, "information", "blocked").WithSeverity(diag.Info)

	type want struct {
		label    string
		specs    []SpecID
		findings int
		seen     int
		blocked  []SpecID
	}
	tests := []struct {
		name       string
		specs      []Spec
		want       []want
		wantGroups []BlockedGroup
	}{
		{
			name: "one cause in many probes is one cause, each code its own",
			specs: []Spec{
				{ID: JWTApp005, State: StateFailed, Diagnostics: []diag.Diagnostic{badSig("a"), badSig("b"), badSig("c"), badSig("d"), badSig("e")}},
				{ID: JWTApp006, State: StateFailed, Diagnostics: []diag.Diagnostic{none("none"), none("None"), none("NONE"), none("nOnE")}},
			},
			want: []want{{"APP_ACCEPTS_BAD_SIGNATURE", []SpecID{JWTApp005}, 5, 5, nil}, {"APP_ACCEPTS_ALG_NONE", []SpecID{JWTApp006}, 4, 4, nil}},
		},
		{
			name: "one code in two specs, an observation both made listed once",
			specs: []Spec{
				{ID: JWTCookie001, State: StateFailed, Diagnostics: []diag.Diagnostic{hostOnly}},
				{ID: JWTCookie006, State: StateFailed, Diagnostics: []diag.Diagnostic{hostOnly, note}},
			},
			want: []want{{"COOKIE_HOST_ONLY", []SpecID{JWTCookie001, JWTCookie006}, 2, 1, nil}},
		},
		{
			name: "blocked specs are one group per blocker, on its first cause",
			specs: []Spec{
				{ID: JWTApp001, State: StateFailed, Diagnostics: []diag.Diagnostic{unreachable}},
				{ID: JWTCookie002, State: StateBlocked, BlockedBy: JWTApp001, Reason: "long error"},
				{ID: JWTApp002, State: StateBlocked, BlockedBy: JWTApp001, Reason: "another long error"},
			},
			want:       []want{{"APP_UNREACHABLE", []SpecID{JWTApp001}, 1, 1, []SpecID{JWTCookie002, JWTApp002}}},
			wantGroups: []BlockedGroup{{By: JWTApp001, Code: diag.AppUnreachable, Title: unreachable.Title, Specs: []SpecID{JWTCookie002, JWTApp002}}},
		},
		{
			name: "environment first, then failures, then warnings, each in report order",
			specs: []Spec{
				{ID: JWTToken007, State: StateWarned, Diagnostics: []diag.Diagnostic{lifetime}},
				{ID: JWTCookie002, State: StateFailed, Diagnostics: []diag.Diagnostic{hostOnly}},
				{ID: JWTApp001, State: StateFailed, Diagnostics: []diag.Diagnostic{unreachable}},
				{ID: JWTApp006, State: StateFailed, Diagnostics: []diag.Diagnostic{none("x")}},
			},
			want: []want{{"APP_UNREACHABLE", []SpecID{JWTApp001}, 1, 1, nil}, {"COOKIE_HOST_ONLY", []SpecID{JWTCookie002}, 1, 1, nil},
				{"APP_ACCEPTS_ALG_NONE", []SpecID{JWTApp006}, 1, 1, nil}, {"TOKEN_LIFETIME_LONG", []SpecID{JWTToken007}, 1, 1, nil}},
		},
		{
			name: "findings of one code with different fixes stay apart",
			specs: []Spec{
				{ID: JWTCookie002, State: StateFailed, Diagnostics: []diag.Diagnostic{hostOnly, hostOnly.WithFix("another fix")}},
			},
			want: []want{{"COOKIE_HOST_ONLY", []SpecID{JWTCookie002}, 1, 1, nil}, {"COOKIE_HOST_ONLY", []SpecID{JWTCookie002}, 1, 1, nil}},
		},
		{
			name: "waived, passed and info findings are no cause; a failure without a diagnostic is one",
			specs: []Spec{
				{ID: JWTCookie001, State: StateWaived, WaivedState: StateFailed, Diagnostics: []diag.Diagnostic{hostOnly}},
				{ID: JWTCookie006, State: StatePassed, Diagnostics: []diag.Diagnostic{note}},
				{ID: JWTCookie009, State: StateFailed, Failure: "timed out\nstack"},
			},
			want: []want{{string(JWTCookie009), []SpecID{JWTCookie009}, 1, 1, nil}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			causes, groups := RootCauses(tt.specs)
			if len(causes) != len(tt.want) {
				t.Fatalf("RootCauses() = %d causes, want %d: %+v", len(causes), len(tt.want), causes)
			}
			for i, w := range tt.want {
				c := causes[i]
				if c.Label() != w.label || !slices.Equal(c.Specs, w.specs) || c.Findings != w.findings || len(c.Seen) != w.seen || !slices.Equal(c.Blocked, w.blocked) {
					t.Errorf("cause %d = %s %v findings %d seen %d blocked %v, want %s %v %d %d %v",
						i, c.Label(), c.Specs, c.Findings, len(c.Seen), c.Blocked, w.label, w.specs, w.findings, w.seen, w.blocked)
				}
				if c.Fix == "" && c.Code != "" {
					t.Errorf("cause %s has no fix", c.Label())
				}
			}
			if len(groups) != len(tt.wantGroups) {
				t.Fatalf("RootCauses() groups = %+v, want %+v", groups, tt.wantGroups)
			}
			for i, g := range tt.wantGroups {
				if groups[i].By != g.By || groups[i].Code != g.Code || groups[i].Title != g.Title || !slices.Equal(groups[i].Specs, g.Specs) {
					t.Errorf("group %d = %+v, want %+v", i, groups[i], g)
				}
			}
		})
	}
}

// TestRootCauseString: the merged diagnostic prints the fix once and
// every observation, one a line, naming the specs when several showed it.
func TestRootCauseString(t *testing.T) {
	hostOnly := diag.New(diag.CookieHostOnly, "Domain=.acme.test", "no Domain attribute")
	other := hostOnly
	other.Observed = "withheld on the iframe"
	causes, _ := RootCauses([]Spec{
		{ID: JWTCookie002, State: StateFailed, Diagnostics: []diag.Diagnostic{hostOnly}},
		{ID: JWTCookie006, State: StateFailed, Diagnostics: []diag.Diagnostic{other}},
	})
	out := causes[0].String()
	if n := strings.Count(out, "fix:"); n != 1 {
		t.Errorf("String() has %d fix lines, want 1:\n%s", n, out)
	}
	for _, want := range []string{"observed: JWT-COOKIE-002: no Domain attribute\n", "            JWT-COOKIE-006: withheld on the iframe\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("String() lacks %q:\n%s", want, out)
		}
	}
	if got := causes[0].ShownBy(); got != "JWT-COOKIE-002, JWT-COOKIE-006" {
		t.Errorf("ShownBy() = %q", got)
	}
}

// TestSummarizeRecordsRootCauses: Summarize records what Causes derives,
// and Causes derives it for a report that was never summarized.
func TestSummarizeRecordsRootCauses(t *testing.T) {
	specs := []Spec{{ID: JWTCookie002, State: StateFailed, Diagnostics: []diag.Diagnostic{diag.New(diag.CookieHostOnly, "e", "o")}},
		{ID: JWTCookie006, State: StateBlocked, BlockedBy: JWTCookie002}}
	raw := &Report{Specs: specs}
	causes, groups := raw.Causes()
	if len(causes) != 1 || len(groups) != 1 || raw.RootCauses != nil {
		t.Fatalf("Causes() of an unsummarized report = %v, %v (recorded %v)", causes, groups, raw.RootCauses)
	}
	r := &Report{Specs: specs}
	r.Summarize()
	if len(r.RootCauses) != 1 || len(r.BlockedGroups) != 1 || r.RootCauses[0].Code != diag.CookieHostOnly {
		t.Errorf("Summarize() RootCauses = %+v, BlockedGroups = %+v", r.RootCauses, r.BlockedGroups)
	}
}
