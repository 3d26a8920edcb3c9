// Package reports renders a run: the versioned report model built from
// Ginkgo's report, the console lines, report.json and junit.xml. It holds no
// judgment; specs decide, reports show.
package reports

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/judge"
)

// SchemaVersion is the version of report.json's shape.
const SchemaVersion = 1

// Spec states.
const (
	StatePassed      = "passed"
	StateFailed      = "failed"
	StateWarned      = "warned"
	StateSkipped     = "skipped"
	StateWaived      = "waived"
	StateInterrupted = "interrupted"
)

// Verdicts of a run.
const (
	VerdictConformant    = "conformant"
	VerdictWarnings      = "conformant with warnings"
	VerdictNonConformant = "not conformant"
	VerdictError         = "error"
	VerdictInterrupted   = "interrupted"
)

// Report is one run, the single source every rendering is made from.
type Report struct {
	SchemaVersion int                `json:"schema_version"`
	Tool          string             `json:"tool"`
	Version       string             `json:"version"`
	StartedAt     time.Time          `json:"started_at"`
	FinishedAt    time.Time          `json:"finished_at"`
	Modes         []string           `json:"modes"`
	Target        Target             `json:"target"`
	Chromium      string             `json:"chromium,omitempty"`
	Verdict       string             `json:"verdict"`
	Counts        map[string]int     `json:"counts"`
	PhasesMS      map[string]float64 `json:"phases_ms,omitempty"`
	SetupError    string             `json:"setup_error,omitempty"`
	// ConfigFingerprint identifies the configuration (URLs, modes, filters,
	// thresholds, secret fingerprints), so two reports can be compared.
	ConfigFingerprint string `json:"config_fingerprint,omitempty"`
	// Areas counts states per "mode:area" (e.g. "jwt:cookie").
	Areas map[string]map[string]int `json:"areas"`
	// WaiverProblems lists waivers that matched nothing or have expired.
	WaiverProblems []string `json:"waiver_problems,omitempty"`
	Specs          []Spec   `json:"specs"`
}

// Target describes what was checked, without secrets.
type Target struct {
	Description       string `json:"description"`
	Fixture           string `json:"fixture,omitempty"`
	LoginURL          string `json:"login_url,omitempty"`
	AppURL            string `json:"app_url,omitempty"`
	EmbedURL          string `json:"embed_url,omitempty"`
	SecretFingerprint string `json:"auth_secret_key,omitempty"`
	SupabaseURL       string `json:"supabase_url,omitempty"`
	SupabaseKey       string `json:"supabase_key,omitempty"` // a fingerprint
}

// Spec is one spec's result.
type Spec struct {
	ID          string            `json:"id"`
	Title       string            `json:"title"`
	Labels      []string          `json:"labels"`
	State       string            `json:"state"`
	Reason      string            `json:"reason,omitempty"` // why it was skipped or interrupted
	DurationMS  float64           `json:"duration_ms"`
	Diagnostics []diag.Diagnostic `json:"diagnostics,omitempty"`
	Evidence    []judge.Named     `json:"evidence,omitempty"`
	Failure     string            `json:"failure,omitempty"` // a failure that is not a diagnostic (a bug or a timeout)
	// Waiver is the waiver that turned a failed or warned spec into a
	// waived one; WaivedState is the state it had.
	Waiver      *Waiver `json:"waiver,omitempty"`
	WaivedState string  `json:"waived_state,omitempty"`
}

// Waiver is an operator's accepted exception: a spec ID or a diagnostic
// code, a required reason, an optional expiry date (YYYY-MM-DD, inclusive).
type Waiver struct {
	Spec    string `json:"spec,omitempty" yaml:"spec"`
	Code    string `json:"code,omitempty" yaml:"code"`
	Reason  string `json:"reason" yaml:"reason"`
	Expires string `json:"expires,omitempty" yaml:"expires"`
}

// Area returns the spec's "mode:area", e.g. "jwt:cookie".
func (s Spec) Area() string {
	mode, area := modeArea(s.Labels)
	return mode + ":" + area
}

// modeArea reads the mode: and area: labels.
func modeArea(labels []string) (mode, area string) {
	for _, l := range labels {
		if v, ok := strings.CutPrefix(l, "mode:"); ok {
			mode = v
		}
		if v, ok := strings.CutPrefix(l, "area:"); ok {
			area = v
		}
	}
	return mode, area
}

// Codes returns the distinct diagnostic codes of the spec at or above
// warn, sorted.
func (s Spec) Codes() []string {
	var out []string
	for _, d := range s.Diagnostics {
		if d.Severity != diag.Info && !slices.Contains(out, string(d.Code)) {
			out = append(out, string(d.Code))
		}
	}
	slices.Sort(out)
	return out
}

var idPattern = regexp.MustCompile(`^([A-Z]+(?:-[A-Z]+)*-\d{3}):\s*(.*)$`)

// SplitText splits a spec text "JWT-COOKIE-001: title" into ID and title.
func SplitText(text string) (id, title string) {
	if m := idPattern.FindStringSubmatch(text); m != nil {
		return m[1], m[2]
	}
	return "", text
}

// FromSpecReport converts one Ginkgo spec report. Entries are read as the
// Go values specs attached (the report is built in the same process).
func FromSpecReport(r types.SpecReport) Spec {
	id, title := SplitText(r.LeafNodeText)
	s := Spec{
		ID: id, Title: title,
		Labels:     r.Labels(),
		DurationMS: float64(r.RunTime.Microseconds()) / 1000,
	}
	for _, e := range r.ReportEntries {
		switch v := e.Value.GetRawValue().(type) {
		case diag.Diagnostic:
			s.Diagnostics = append(s.Diagnostics, v)
		case judge.Named:
			s.Evidence = append(s.Evidence, v)
		}
	}
	switch r.State {
	case types.SpecStatePassed:
		s.State = StatePassed
		if w := diag.Worst(s.Diagnostics); w == diag.Warn {
			s.State = StateWarned
		}
	case types.SpecStateSkipped, types.SpecStatePending:
		s.State = StateSkipped
		s.Reason = r.Failure.Message
		if s.Reason == "" {
			s.Reason = "not selected by the label filter"
		}
	case types.SpecStateInterrupted, types.SpecStateAborted:
		s.State = StateInterrupted
		s.Reason = r.Failure.Message
	default: // failed, panicked, timedout
		s.State = StateFailed
		if !slices.ContainsFunc(s.Diagnostics, func(d diag.Diagnostic) bool { return d.Severity.Failing() }) {
			s.Failure = strings.TrimSpace(r.Failure.Message)
			if r.State == types.SpecStateTimedout {
				s.Failure = "timed out: " + s.Failure
			}
		}
	}
	return s
}

// FromGinkgo builds the spec list of a report from Ginkgo's report, sorted
// by spec ID.
func FromGinkgo(gr types.Report) []Spec {
	var specs []Spec
	for _, r := range gr.SpecReports {
		if r.LeafNodeType != types.NodeTypeIt {
			continue
		}
		specs = append(specs, FromSpecReport(r))
	}
	slices.SortStableFunc(specs, func(a, b Spec) int { return cmp.Compare(a.ID, b.ID) })
	return specs
}

// Summarize fills Counts and Verdict from Specs and SetupError.
func (r *Report) Summarize() {
	r.Counts = map[string]int{StatePassed: 0, StateFailed: 0, StateWarned: 0, StateSkipped: 0, StateWaived: 0}
	r.Areas = map[string]map[string]int{}
	for _, s := range r.Specs {
		r.Counts[s.State]++
		a := s.Area()
		if r.Areas[a] == nil {
			r.Areas[a] = map[string]int{}
		}
		r.Areas[a][s.State]++
	}
	switch {
	case r.Counts[StateInterrupted] > 0:
		r.Verdict = VerdictInterrupted
	case r.SetupError != "" || r.EnvironmentError():
		r.Verdict = VerdictError
	case r.Counts[StateFailed] > 0:
		r.Verdict = VerdictNonConformant
	case r.Counts[StateWarned] > 0:
		r.Verdict = VerdictWarnings
	default:
		r.Verdict = VerdictConformant
	}
}

// environmentCodes are diagnostics about the environment rather than the
// deployment: the run could not observe what it had to judge.
var environmentCodes = []diag.Code{diag.AppUnreachable, diag.LoginUnreachable, diag.SetupFailed, diag.SupabaseURLUnreachable}

// IsEnvironmentCode reports whether code is about the environment (the
// run could not observe what it had to judge) rather than the deployment.
func IsEnvironmentCode(code diag.Code) bool { return slices.Contains(environmentCodes, code) }

// EnvironmentError reports whether a spec failed because the target could
// not be reached.
func (r *Report) EnvironmentError() bool {
	for _, s := range r.Specs {
		for _, d := range s.Diagnostics {
			if IsEnvironmentCode(d.Code) {
				return true
			}
		}
	}
	return false
}
