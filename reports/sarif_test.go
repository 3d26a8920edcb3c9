package reports

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/result"
)

// sarifSchemaOnce compiles the official SARIF 2.1.0 schema
// (testdata/sarif-schema-2.1.0.json, its source in the README beside it)
// once, asserting formats (uri, date-time) too.
var sarifSchemaOnce = sync.OnceValues(func() (*jsonschema.Schema, error) {
	f, err := os.Open(filepath.Join("testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("sarif-schema-2.1.0.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("sarif-schema-2.1.0.json")
})

// validateSARIF fails unless b is a SARIF 2.1.0 log by the official schema.
func validateSARIF(t *testing.T, b []byte) {
	t.Helper()
	sch, err := sarifSchemaOnce()
	if err != nil {
		t.Fatalf("compile the SARIF schema: %v", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("report.sarif is not JSON: %v", err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("report.sarif does not validate against the SARIF 2.1.0 schema: %v", err)
	}
}

func renderSARIF(t *testing.T, r *result.Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := RenderSARIF(&b, r); err != nil {
		t.Fatalf("RenderSARIF() error = %v", err)
	}
	return b.Bytes()
}

// TestSARIFValidatesAgainstTheSchema renders every shape of report —
// failures, warnings and waivers with every kind of evidence, a setup
// error, a clean run, target text with markup, control characters and
// line breaks, a cause without a code — and validates each against the
// official schema; then checks what the schema cannot: one rule per code,
// one result per root cause, locations that are the deployment's URLs
// without user, password, query or fragment.
func TestSARIFValidatesAgainstTheSchema(t *testing.T) {
	hostile := renderReport(t, 2)
	hostile.Specs[0].Diagnostics[0].Observed = "x=<script>\x1b[31m\n::error title=injected::line2\r\n%0A"
	hostile.Target.Description = "staging \"quoted\" <b>"
	hostile.Target.LoginURL = "https://alice:hunter2@login.acme.test:8443/auth/login?next=/x&token=abc#frag"
	hostile.Summarize()

	setup := &result.Report{Tool: "mfconform", Target: result.Target{Description: "unreachable"}, SetupError: "start reference verifier: address in use"}
	setup.Summarize()

	clean := &result.Report{Tool: "mfconform", Version: "dev", Target: result.Target{Description: "all good"},
		Specs: []result.Spec{{ID: result.JWTApp001, Title: "reachable", Labels: []string{"mode:jwt", "area:app"}, State: result.StatePassed}}}
	clean.Summarize()

	codeless := &result.Report{Tool: "mfconform", Target: result.Target{Description: "t"},
		Specs: []result.Spec{{ID: result.JWTApp001, Title: "reachable", State: result.StateFailed, Failure: "timed out"}}}
	codeless.Summarize()

	tests := []struct {
		name        string
		r           *result.Report
		wantRules   []string
		wantResults int
	}{
		{"failures, warnings and waivers", renderReport(t, 2), []string{"COOKIE_HOST_ONLY", "TOKEN_LIFETIME_LONG"}, 2},
		{"hostile target text", hostile, []string{"COOKIE_HOST_ONLY", "TOKEN_LIFETIME_LONG"}, 2},
		{"setup error", setup, nil, 0},
		{"conformant", clean, nil, 0},
		{"a failure without a diagnostic", codeless, []string{codelessRule}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := renderSARIF(t, tt.r)
			validateSARIF(t, b)
			var log sarifLog
			if err := json.Unmarshal(b, &log); err != nil {
				t.Fatal(err)
			}
			run := log.Runs[0]
			var rules []string
			for _, r := range run.Tool.Driver.Rules {
				rules = append(rules, r.ID)
				if r.Help.Text == "" || !strings.Contains(r.Help.Text, "Fix") {
					t.Errorf("rule %s has no help with its fix: %q", r.ID, r.Help.Text)
				}
			}
			if strings.Join(rules, ",") != strings.Join(tt.wantRules, ",") {
				t.Errorf("rules = %v, want %v", rules, tt.wantRules)
			}
			causes, _ := tt.r.Causes()
			if len(run.Results) != tt.wantResults || len(run.Results) != len(causes) {
				t.Errorf("%d results, want %d (one per root cause: %d)", len(run.Results), tt.wantResults, len(causes))
			}
			for _, res := range run.Results {
				if run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
					t.Errorf("result %s points at rule %d (%s)", res.RuleID, res.RuleIndex, run.Tool.Driver.Rules[res.RuleIndex].ID)
				}
				if strings.ContainsAny(res.Message.Text, "\n\r\x1b") {
					t.Errorf("result %s message is not one clean line: %q", res.RuleID, res.Message.Text)
				}
				for _, l := range res.Locations {
					raw := l.PhysicalLocation.ArtifactLocation.URI
					u, err := url.Parse(raw)
					if err != nil || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
						t.Errorf("location %q: want a URL without user, query or fragment", raw)
					}
				}
			}
			for _, secret := range []string{"hunter2", "alice", "token=abc", "frag"} {
				if bytes.Contains(b, []byte(secret)) {
					t.Errorf("report.sarif shows %q", secret)
				}
			}
			if tt.r.SetupError != "" && (run.Invocations[0].ExecutionSuccessful || len(run.Invocations[0].ToolExecutionNotifications) != 1) {
				t.Errorf("a setup error is not a failed invocation: %+v", run.Invocations[0])
			}
		})
	}
}

// TestSARIFLocations: a cause's locations are the deployment URLs the
// specs that showed it judged.
func TestSARIFLocations(t *testing.T) {
	r := &result.Report{Tool: "mfconform", Target: result.Target{LoginURL: "https://login.acme.test/login", AppURL: "https://app.acme.test",
		SupabaseURL: "https://abc.supabase.co"}, Specs: []result.Spec{
		{ID: result.JWTCookie002, Labels: []string{"mode:jwt", "area:cookie"}, State: result.StateFailed, Diagnostics: []diag.Diagnostic{diag.New(diag.CookieHostOnly, "e", "o")}},
		{ID: result.JWTApp006, Labels: []string{"mode:jwt", "area:app"}, State: result.StateFailed, Diagnostics: []diag.Diagnostic{diag.New(diag.AppAcceptsAlgNone, "e", "o")}},
		{ID: result.SBKey002, Labels: []string{"mode:supabase", "area:key"}, State: result.StateFailed, Diagnostics: []diag.Diagnostic{diag.New(diag.SupabaseKeyServiceRole, "e", "o")}},
	}}
	r.Summarize()
	var log sarifLog
	if err := json.Unmarshal(renderSARIF(t, r), &log); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"COOKIE_HOST_ONLY": "https://login.acme.test/login", "APP_ACCEPTS_ALG_NONE": "https://app.acme.test",
		string(diag.SupabaseKeyServiceRole): "https://abc.supabase.co"}
	for _, res := range log.Runs[0].Results {
		if got := res.Locations[0].PhysicalLocation.ArtifactLocation.URI; got != want[res.RuleID] {
			t.Errorf("%s location = %q, want %q", res.RuleID, got, want[res.RuleID])
		}
	}
}
