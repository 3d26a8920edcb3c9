package judge

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo DSL
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/redact"
	"github.com/mfconform/mfconform/suites/result"
)

// The secrets of the boundary tests, as a run registers them: a key, the
// password of a URL the run was given, a whole signed token.
const (
	boundaryKey  = "AUTH-key-Zq81xLmW4k"
	boundaryPW   = "url-Pw5Hd9Lk2Qa"
	boundaryUser = "ops"
	boundarySig  = "c2lnLVNnN0hrMkxxOVdtNFhuOA"
	boundaryTok  = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoidS0xIn0." + boundarySig
	boundaryURL  = "https://" + boundaryUser + ":" + boundaryPW + "@login.acme.test/login"
)

// boundarySet is a run's redaction set holding the boundary secrets.
func boundarySet() *redact.Set {
	known := &redact.Set{}
	known.AddSecret(boundaryKey)
	known.AddURL(boundaryURL)
	known.AddToken(boundaryTok)
	return known
}

// secretForms are what must never come out of the boundary: each secret
// whole, and the parts of them that are secret on their own (the
// password without its URL, the token's signature).
var secretForms = []string{boundaryKey, boundaryPW, boundaryTok, boundarySig, boundaryURL}

// leaks returns the secret forms found in text.
func leaks(text string) []string {
	var out []string
	for _, s := range secretForms {
		if strings.Contains(text, s) {
			out = append(out, s)
		}
	}
	return out
}

// rawControl reports whether s holds a control character or line break a
// terminal or CI log would act on (tab is allowed).
func rawControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool {
		return r < 0x20 && r != '\t' || r == 0x7f || r >= 0x80 && r <= 0x9f || r == '\u2028' || r == '\u2029' || r == 0x1b
	})
}

// quoting is target text quoting every secret, with a control sequence
// and a line a CI runner would obey.
const quoting = "token " + boundaryTok + " key " + boundaryKey + " from " + boundaryURL +
	" pw " + boundaryPW + " \x1b[31mred\x1b[0m\n::add-mask::x\r\u2028next"

// TestScrubText: target text comes out without any secret, on one line
// with its control characters escaped, and cut to result.MaxText — the
// secrets replaced before the cut, so a secret across the cut leaves no
// part of itself behind.
func TestScrubText(t *testing.T) {
	known := boundarySet()
	// pad puts the start of a secret just before the cut.
	pad := func(secret string, before int) string {
		return strings.Repeat("a", result.MaxText-before) + secret + " tail"
	}
	tests := []struct {
		name string
		in   string
		// keep is text that must survive (what the redaction shows
		// instead), "" for none.
		keep string
	}{
		{"plain", "nothing secret here", "nothing secret here"},
		{"key", "key=" + boundaryKey, "<redacted sha256:"},
		{"URL password", "GET " + boundaryURL + ": refused", boundaryUser + ":xxxxx@login.acme.test"},
		{"password alone", "login failed for " + boundaryPW, "<redacted sha256:"},
		{"whole token", "user_id echoed " + boundaryTok, "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoidS0xIn0.<signature dropped>"},
		{"everything with controls", quoting, `\u001b[31mred`},
		// Cut first, each would leave the first 6 bytes of a secret.
		{"key across the cut", pad(boundaryKey, 6), ""},
		{"token across the cut", pad(boundaryTok, len(boundaryTok)-len(boundarySig)+6), ""},
		{"URL across the cut", pad(boundaryURL, len("https://"+boundaryUser+":")+6), ""},
		{"long text with control characters", strings.Repeat("\x1b\n", result.MaxText), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scrubText(tt.in, known)
			if l := leaks(got); len(l) > 0 {
				t.Errorf("scrubText() shows %q: %.200q", l, got)
			}
			for _, s := range []string{boundaryKey, boundaryPW, boundarySig} {
				// No part of a secret cut off at the end: the last
				// bytes before "…(N bytes)" are never a secret's start.
				if i := strings.LastIndex(got, "…("); i >= 0 {
					for n := 4; n < len(s); n++ {
						if strings.HasSuffix(got[:i], s[:n]) {
							t.Errorf("scrubText() ends in %q, the start of a secret", s[:n])
						}
					}
				}
			}
			if rawControl(got) {
				t.Errorf("scrubText() = %.200q holds a raw control character or line break", got)
			}
			if !utf8.ValidString(got) {
				t.Errorf("scrubText() = %.200q is not valid UTF-8", got)
			}
			if len(tt.in) > result.MaxText && !strings.Contains(got, "…(") {
				t.Errorf("scrubText() of %d bytes = %d bytes, want it cut to result.MaxText", len(tt.in), len(got))
			}
			if tt.keep != "" && !strings.Contains(got, tt.keep) {
				t.Errorf("scrubText() = %.300q, want it to keep %q", got, tt.keep)
			}
		})
	}
}

// evidenceValue is evidence as the gathers store it: a struct with nested
// maps and lists whose strings and keys quote the secrets.
type evidenceValue struct {
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Chain   []map[string]any  `json:"chain"`
	Bytes   []byte            `json:"bytes"`
}

// TestScrubbed: no secret survives in any part of an outcome — a
// finding's expected, observed, cause, its proof, hypotheses and fix, evidence (nested maps,
// lists, keys, a struct), a screenshot's caption, the reason a spec did
// not judge — and the target text among them comes out on one line.
func TestScrubbed(t *testing.T) {
	known := boundarySet()
	finding := diag.New(diag.CookieNotSet, "a cookie for "+boundaryURL, quoting).
		Proven("the backend answered "+boundaryTok, "the response quoting "+quoting).
		Likely(diag.Hypothesis{Cause: "a proxy replays " + boundaryKey, Tell: "compare " + quoting}).
		WithFix("sign with a key other than " + boundaryKey)
	nested := evidenceValue{
		URL:     boundaryURL,
		Headers: map[string]string{"Set-Cookie": "mf_jwt_token=" + boundaryTok, boundaryKey: "as a key"},
		Chain:   []map[string]any{{"location": boundaryURL, "body": []any{quoting, 42, map[string]any{"deep": boundaryPW}}}},
		Bytes:   []byte(boundaryKey),
	}
	tests := []struct {
		name string
		o    Outcome
		// part is the outcome's text the row looks at after Scrubbed.
		part func(Outcome) string
		// oneLine says the part is target text, escaped to one line.
		oneLine bool
	}{
		{"expected", Findings(finding), func(o Outcome) string { return o.Findings[0].Expected }, true},
		{"observed", Findings(finding), func(o Outcome) string { return o.Findings[0].Observed }, true},
		{"cause", Findings(finding), func(o Outcome) string { return o.Findings[0].Cause }, true},
		{"proven by", Findings(finding), func(o Outcome) string { return o.Findings[0].ProvenBy }, true},
		{"hypothesis", Findings(finding), func(o Outcome) string { h := o.Findings[0].Hypotheses[0]; return h.Cause + " " + h.Tell }, true},
		{"fix", Findings(finding), func(o Outcome) string { return o.Findings[0].Fix }, false},
		{"nested evidence", func() Outcome { o := Pass(); o.Show("exchange", nested); return o }(),
			func(o Outcome) string { return jsonOf(t, o.Evidence) }, true},
		{"evidence string", func() Outcome { o := Pass(); o.Show("login", quoting); return o }(),
			func(o Outcome) string { return o.Evidence[0].Value.(string) }, true},
		{"caption", Outcome{Findings: []diag.Diagnostic{finding}, Shots: []result.Screenshot{{Caption: quoting, PNG: []byte{1}}}},
			func(o Outcome) string { return o.Shots[0].Caption }, true},
		{"not judged reason", NotJudged("AUTH_SECRET_KEY", "%s", quoting), func(o Outcome) string { return o.Unjudged.Reason }, true},
		{"out of scope reason", OutOfScope("app-only run", quoting), func(o Outcome) string { return o.Unjudged.Reason }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.part(tt.o)
			if len(leaks(before)) == 0 {
				t.Fatalf("the row's outcome quotes no secret before Scrubbed: the row proves nothing")
			}
			got := tt.part(Scrubbed(tt.o, known))
			if l := leaks(got); len(l) > 0 {
				t.Errorf("Scrubbed() %s shows %q: %.300q", tt.name, l, got)
			}
			if tt.oneLine && rawControl(got) {
				t.Errorf("Scrubbed() %s = %.300q holds a raw control character or line break", tt.name, got)
			}
			if tt.part(tt.o) != before {
				t.Errorf("Scrubbed() changed the outcome it was given")
			}
		})
	}
}

// TestScrubbedKeepsTheVerdict: scrubbing changes text, never what the
// outcome says — its state, codes, severities and unjudged kind.
func TestScrubbedKeepsTheVerdict(t *testing.T) {
	known := boundarySet()
	for _, o := range []Outcome{
		Pass(), Findings(diag.New(diag.CookieNotSet, boundaryURL, quoting)),
		NotJudged("AUTH_SECRET_KEY", "%s", quoting), OutOfScope("app-only run", quoting),
	} {
		got := Scrubbed(o, known)
		if got.State() != o.State() || !equalCodes(got.Codes(), o.Codes()) {
			t.Errorf("Scrubbed() state %s codes %v, want %s %v", got.State(), got.Codes(), o.State(), o.Codes())
		}
	}
}

func equalCodes(a, b []diag.Code) bool {
	return strings.Join(codeStrings(a), ",") == strings.Join(codeStrings(b), ",")
}

func codeStrings(cs []diag.Code) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return out
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The specs of the Ginkgo boundary run: one failing, one not judged, one
// passing with evidence, each quoting every secret.
const (
	boundaryFail     result.SpecID = "T-BOUNDARY-001"
	boundaryUnjudged result.SpecID = "T-BOUNDARY-002"
	boundaryPass     result.SpecID = "T-BOUNDARY-003"
)

// envBoundaryReport, set, makes TestTableGivesScrubbedOutcomes the Ginkgo
// run itself, writing Ginkgo's report (JSON) to the file it names: one
// Ginkgo run per process is Ginkgo's model (and it refuses go test -count
// above 1), so the test runs it in a process of its own.
const envBoundaryReport = "MFCONFORM_TEST_JUDGE_BOUNDARY_REPORT"

// runBoundary registers the boundary checks through Table and a Board,
// as a run does, runs them with Ginkgo and writes Ginkgo's report to path.
func runBoundary(path string) error {
	checks := InArea("boundary", NoBundle(),
		Check[string]{ID: boundaryFail, Title: "fails quoting secrets", Judge: func(q string) Outcome {
			return Findings(diag.New(diag.CookieNotSet, "a cookie for "+boundaryURL, q).Proven("cause "+boundaryTok, "proof "+boundaryURL))
		}},
		Check[string]{ID: boundaryUnjudged, Title: "does not judge, quoting secrets", Judge: func(q string) Outcome {
			return NotJudged("AUTH_SECRET_KEY", "%s", q)
		}},
		Check[string]{ID: boundaryPass, Title: "passes with evidence quoting secrets", Judge: func(q string) Outcome {
			o := Pass()
			o.Show("exchange", map[string]any{"chain": []any{q, boundaryURL}})
			return o
		}},
	)
	board := &Board{}
	Table("boundary", checks, board)
	board.Post(Resolve(checks, quoting, nil), boundarySet())
	var rep types.Report
	ReportAfterSuite("boundary report", func(r Report) { rep = r })
	gomega.RegisterFailHandler(Fail)
	sc, rc := GinkgoConfiguration()
	sc.RandomSeed = 1
	rc.NoColor = true
	formatter.ColorableStdOut = io.Discard // the report is asserted, not printed
	RunSpecs(boundaryT{}, "judge boundary", sc, rc)
	b, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

// boundaryT satisfies GinkgoTestingT: the boundary run has a failing spec
// on purpose; the test reads the report.
type boundaryT struct{}

func (boundaryT) Fail() {}

// TestTableGivesScrubbedOutcomes runs checks whose outcomes quote every
// secret through Table, a Board and Ginkgo, as a run does: Ginkgo's report
// — the failure message, the skip reason, every report entry — holds
// none of them, and still says what happened (the failing spec failed
// with its code, the others skipped and passed, the redacted forms shown).
func TestTableGivesScrubbedOutcomes(t *testing.T) {
	if path := os.Getenv(envBoundaryReport); path != "" {
		if err := runBoundary(path); err != nil {
			t.Fatal(err)
		}
		return
	}
	path := filepath.Join(t.TempDir(), "report.json")
	cmd := exec.Command(os.Args[0], "-test.run=^TestTableGivesScrubbedOutcomes$", "-test.count=1")
	cmd.Env = append(os.Environ(), envBoundaryReport+"="+path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the Ginkgo run: %v\n%s", err, out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep types.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("Ginkgo's report: %v", err)
	}
	text := string(b)
	if l := leaks(text); len(l) > 0 {
		t.Errorf("Ginkgo's report shows %q", l)
	}
	states := map[result.SpecID]types.SpecState{}
	for _, r := range rep.SpecReports {
		if r.LeafNodeType != types.NodeTypeIt {
			continue
		}
		id, _ := result.SplitText(r.LeafNodeText)
		states[id] = r.State
		if rawControl(r.Failure.Message) && id != boundaryFail {
			t.Errorf("%s: failure message %q holds a raw control character", id, r.Failure.Message)
		}
		if id == boundaryFail && !strings.Contains(r.Failure.Message, string(diag.CookieNotSet)) {
			t.Errorf("%s: failure message %q, want the finding's code", id, r.Failure.Message)
		}
	}
	want := map[result.SpecID]types.SpecState{boundaryFail: types.SpecStateFailed, boundaryUnjudged: types.SpecStateSkipped, boundaryPass: types.SpecStatePassed}
	for id, st := range want {
		if states[id] != st {
			t.Errorf("%s state = %v, want %v", id, states[id], st)
		}
	}
	for _, shown := range []string{boundaryUser + ":xxxxx@login.acme.test", "<redacted sha256:", "<signature dropped>"} {
		if !strings.Contains(text, shown) && !strings.Contains(text, jsonEscaped(shown)) {
			t.Errorf("Ginkgo's report does not show %q: the leak check above may prove nothing", shown)
		}
	}
}

// jsonEscaped is s as encoding/json writes it inside a string (<, > and &
// escaped).
func jsonEscaped(s string) string {
	b, _ := json.Marshal(s)
	return strings.Trim(string(b), `"`)
}
