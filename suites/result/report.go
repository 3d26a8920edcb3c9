package result

import (
	"cmp"
	"fmt"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SchemaVersion is the version of report.json's shape. Version 2 replaced
// the single "skipped" state with out_of_scope, not_judged and blocked,
// added the "incomplete" verdict, per-bundle timings and per-spec judging
// time. Version 3 split a diagnostic's (and a catalogue entry's) cause:
// "cause" holds only a proven cause, with "proven_by"; what is not proven
// is in "hypotheses" ({cause, how_to_tell, claim}), most likely first. It
// also added root_causes and blocked_groups (the findings grouped by
// cause, in the order to fix them; the blocked specs by what blocked
// them).
const SchemaVersion = 3

// Verdicts of a run, from best to worst.
const (
	VerdictConformant    = "conformant"
	VerdictWarnings      = "conformant with warnings"
	VerdictIncomplete    = "incomplete"
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
	Counts        map[State]int      `json:"counts"`
	PhasesMS      map[string]float64 `json:"phases_ms,omitempty"`
	// Bundles are the evidence bundles the run gathered, each timed: where
	// the run's time went.
	Bundles    []Bundle `json:"bundles,omitempty"`
	SetupError string   `json:"setup_error,omitempty"`
	// Interrupted records that the run was stopped (Ctrl-C, SIGTERM).
	Interrupted bool `json:"interrupted,omitempty"`
	// MissingInputs lists, per input the operator can give, the specs it
	// would judge (derived from the not-judged specs).
	MissingInputs []MissingInput `json:"missing_inputs,omitempty"`
	// OutOfScope groups the out-of-scope specs by the run shape that
	// excludes them.
	OutOfScope []ScopeGroup `json:"out_of_scope,omitempty"`
	// ConfigFingerprint identifies the configuration (URLs, modes, filters,
	// thresholds, secret fingerprints), so two reports can be compared.
	ConfigFingerprint string `json:"config_fingerprint,omitempty"`
	// Areas counts states per "mode:area" (e.g. "jwt:cookie").
	Areas map[string]map[State]int `json:"areas"`
	// WaiverProblems lists waivers that matched nothing or have expired.
	WaiverProblems []string `json:"waiver_problems,omitempty"`
	// Refused lists the connections the browser asked for that mfconform
	// did not make, the host not being the deployment's (an observation:
	// --allow-host admits one); RefusedDropped counts those not listed.
	Refused        []Refusal `json:"refused_connections,omitempty"`
	RefusedDropped int       `json:"refused_connections_dropped,omitempty"`
	// RootCauses are the run's failures and warnings grouped by cause, in
	// the order to fix them, and BlockedGroups the blocked specs grouped
	// by the spec that blocked them (RootCauses derives both).
	RootCauses    []RootCause    `json:"root_causes,omitempty"`
	BlockedGroups []BlockedGroup `json:"blocked_groups,omitempty"`
	// Catalogue holds the catalogue entry of every code the run reports,
	// so a report explains itself without the binary that wrote it.
	Catalogue map[Code]Entry `json:"catalogue,omitempty"`
	Specs     []Spec         `json:"specs"`
}

// Refusal is a connection the browser asked for that mfconform refused
// (harness/egress): where to, how often, during which evidence bundle,
// and why.
type Refusal struct {
	Host   string `json:"host"`
	Port   int    `json:"port"`
	During string `json:"during,omitempty"`
	Why    string `json:"why"`
	Count  int    `json:"count"`
}

// String is the refusal on one line: "127.0.0.2:4444 (2×, during
// jwt_login_flow): why".
func (r Refusal) String() string {
	var b strings.Builder
	b.WriteString(CleanLine(net.JoinHostPort(r.Host, strconv.Itoa(r.Port))))
	var notes []string
	if r.Count > 1 {
		notes = append(notes, strconv.Itoa(r.Count)+"×")
	}
	if r.During != "" {
		notes = append(notes, "during "+CleanLine(r.During))
	}
	if len(notes) > 0 {
		b.WriteString(" (" + strings.Join(notes, ", ") + ")")
	}
	b.WriteString(": " + CleanLine(r.Why))
	return b.String()
}

// Target describes what was checked, without secrets.
type Target struct {
	Description string `json:"description"`
	Fixture     string `json:"fixture,omitempty"`
	// Shape is the run's shape for JWT mode: "full", "app-only" or
	// "backend-only".
	Shape             string `json:"shape,omitempty"`
	LoginURL          string `json:"login_url,omitempty"`
	AppURL            string `json:"app_url,omitempty"`
	EmbedURL          string `json:"embed_url,omitempty"`
	SecretFingerprint string `json:"auth_secret_key,omitempty"`
	SupabaseURL       string `json:"supabase_url,omitempty"`
	SupabaseKey       string `json:"supabase_key,omitempty"` // a fingerprint
	// Stacks are mfconform's guesses at the software that answered: the
	// backend (from the login response) and the app (from its answers to
	// the probes), each with its evidence and confidence.
	Stacks []StackGuess `json:"stacks,omitempty"`
	// Certificates are the leaf certificates the deployment's hosts (those
	// the run serves or reaches) showed Chromium, one per host name: when
	// each stops being valid.
	Certificates []Certificate `json:"certificates,omitempty"`
}

// Certificate is a leaf certificate a host showed the browser: the host
// name (without port) and its expiry (notAfter).
type Certificate struct {
	Host     string    `json:"host"`
	NotAfter time.Time `json:"not_after"`
}

// Confidences of a StackGuess.
const (
	// ConfidenceGiven: the operator named the stack (--backend-stack,
	// --app-stack); mfconform states it as given and did not guess.
	ConfidenceGiven = "given"
	// ConfidenceHeader: a response header or a framework's own cookie
	// named the stack, and it clearly wins the scoring (suites/stack).
	ConfidenceHeader = "header"
	// ConfidenceClues: no one clue named the stack, but independent clues
	// (a server family, the token's library, the Set-Cookie line's shape)
	// add up to a clear win.
	ConfidenceClues = "clues"
	// ConfidenceUnknown: no stack clearly wins; fixes are generic, with one
	// line per candidate when some fit.
	ConfidenceUnknown = "unknown"
)

// StackGuess is what answered in one role ("backend" or "app"): a stack
// ID ("flask", … or "unknown"), its name, how sure the guess is, and the
// evidence it rests on. A guess is never silent: unknown says what was
// seen. When no stack clearly wins, Candidates are the stacks the clues
// fit, best first, and Decide says what would tell them apart.
type StackGuess struct {
	Role       string           `json:"role"`
	ID         string           `json:"id"`
	Name       string           `json:"name"`
	Confidence string           `json:"confidence"`
	Evidence   []string         `json:"evidence,omitempty"`
	Candidates []StackCandidate `json:"candidates,omitempty"`
	Decide     string           `json:"decide,omitempty"`
}

// StackCandidate is one stack the clues fit, with its score (the sum of
// its clues' weights, suites/stack's scoring table) and those clues.
type StackCandidate struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Score int      `json:"score"`
	Clues []string `json:"clues,omitempty"`
}

// Stack returns the guess for role ("backend" or "app"), false when the
// run made none.
func (t Target) Stack(role string) (StackGuess, bool) {
	for _, g := range t.Stacks {
		if g.Role == role {
			return g, true
		}
	}
	return StackGuess{}, false
}

// Bundle is one evidence bundle's gathering: a login flow, the app probes,
// the Supabase browser run…
type Bundle struct {
	Name  string  `json:"name"`
	MS    float64 `json:"ms"`
	Error string  `json:"error,omitempty"`
}

// MissingInput is one input the operator did not give and the specs it
// would judge.
type MissingInput struct {
	Input string   `json:"input"`
	Specs []SpecID `json:"specs"`
}

// ScopeGroup is the out-of-scope specs of one run shape.
type ScopeGroup struct {
	Scope  string   `json:"scope"`
	Reason string   `json:"reason"`
	Specs  []SpecID `json:"specs"`
}

// SortSpecs orders the specs by ID.
func (r *Report) SortSpecs() {
	slices.SortStableFunc(r.Specs, func(a, b Spec) int { return cmp.Compare(a.ID, b.ID) })
}

// Summarize derives Counts, Areas, MissingInputs, OutOfScope,
// RootCauses, BlockedGroups and Verdict from Specs and SetupError. Which spec blocked which is the judgments'
// business (suites/judge resolves it once, in the printed order); the
// report only counts. The verdict is, from worst to best:
// interrupted; error (setup failed, or a spec could not reach its target);
// not conformant (a spec failed); incomplete (an in-scope spec did not
// judge, or nothing was judged at all); conformant with warnings;
// conformant.
func (r *Report) Summarize() {
	r.Counts = map[State]int{}
	for _, s := range States {
		if s != StateInterrupted {
			r.Counts[s] = 0
		}
	}
	r.Areas = map[string]map[State]int{}
	inputs := map[string][]SpecID{}
	scopes := map[string]*ScopeGroup{}
	judged := 0
	for _, s := range r.Specs {
		r.Counts[s.State]++
		a := s.Area()
		if r.Areas[a] == nil {
			r.Areas[a] = map[State]int{}
		}
		r.Areas[a][s.State]++
		if Judged(s.State) {
			judged++
		}
		switch s.State {
		case StateNotJudged:
			in := cmp.Or(s.Input, "an input")
			inputs[in] = append(inputs[in], s.ID)
		case StateOutOfScope:
			g := scopes[s.Scope]
			if g == nil {
				g = &ScopeGroup{Scope: s.Scope, Reason: s.Reason}
				scopes[s.Scope] = g
			}
			g.Specs = append(g.Specs, s.ID)
		}
	}
	r.MissingInputs = nil
	for _, in := range slices.Sorted(maps.Keys(inputs)) {
		r.MissingInputs = append(r.MissingInputs, MissingInput{Input: in, Specs: inputs[in]})
	}
	r.RootCauses, r.BlockedGroups = RootCauses(r.Specs)
	r.OutOfScope = nil
	for _, sc := range slices.Sorted(maps.Keys(scopes)) {
		r.OutOfScope = append(r.OutOfScope, *scopes[sc])
	}
	switch {
	case r.Interrupted || r.Counts[StateInterrupted] > 0:
		r.Verdict = VerdictInterrupted
	case r.SetupError != "" || r.EnvironmentError():
		r.Verdict = VerdictError
	case r.Counts[StateFailed] > 0:
		r.Verdict = VerdictNonConformant
	case r.Counts[StateNotJudged] > 0 || r.Counts[StateBlocked] > 0 || judged == 0:
		r.Verdict = VerdictIncomplete
	case r.Counts[StateWarned] > 0:
		r.Verdict = VerdictWarnings
	default:
		r.Verdict = VerdictConformant
	}
}

// EnvironmentError reports whether a spec failed because the target could
// not be reached or the environment could not be prepared.
func (r *Report) EnvironmentError() bool {
	for _, s := range r.Specs {
		if s.State != StateFailed {
			continue
		}
		for _, d := range s.Diagnostics {
			if d.Environment {
				return true
			}
		}
	}
	return false
}

// IncompleteText says why a run is incomplete: which inputs are missing
// and which specs could not judge, in one line.
func (r *Report) IncompleteText() string {
	var parts []string
	for _, m := range r.MissingInputs {
		parts = append(parts, fmt.Sprintf("%d %s not judged without %s", len(m.Specs), plural(len(m.Specs), "spec", "specs"), m.Input))
	}
	if n := r.Counts[StateBlocked]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d blocked", n))
	}
	judged := 0
	for _, s := range r.Specs {
		if Judged(s.State) {
			judged++
		}
	}
	if judged == 0 {
		parts = append(parts, "no spec judged anything")
	}
	return strings.Join(parts, "; ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
