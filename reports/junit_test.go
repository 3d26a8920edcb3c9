package reports

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/result"
)

// junitReport has one spec in every state, and hostile text in places a
// target can reach.
func junitReport() *result.Report {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	hostile := "body \x1b[31mred\x1b[0m \x00 ]]> <script>alert(1)</script> \x08"
	r := &result.Report{
		SchemaVersion: result.SchemaVersion, Tool: "mfconform", StartedAt: start, FinishedAt: start.Add(2500 * time.Millisecond),
		Target: result.Target{Description: "junit sample"},
		Specs: []result.Spec{
			{ID: result.JWTCookie001, Title: "passed", Labels: []string{"mode:jwt", "area:cookie"}, State: result.StatePassed, JudgeMS: 1.5},
			{ID: result.JWTCookie002, Title: "failed", Labels: []string{"mode:jwt", "area:cookie"}, State: result.StateFailed, JudgeMS: 30,
				Diagnostics: []diag.Diagnostic{diag.New(diag.CookieHostOnly, "Domain=.acme.test", hostile)}},
			{ID: result.JWTCookie003, Title: "warned", Labels: []string{"mode:jwt", "area:cookie"}, State: result.StateWarned,
				Diagnostics: []diag.Diagnostic{diag.New(diag.TokenLifetimeLong, "at most 24 h", "30 days")}},
			{ID: result.JWTCookie004, Title: "waived", Labels: []string{"mode:jwt", "area:cookie"}, State: result.StateWaived, WaivedState: result.StateFailed,
				Waiver:      &result.Waiver{Spec: result.JWTCookie004, Reason: "never embedded", Expires: "2099-12-31"},
				Diagnostics: []diag.Diagnostic{diag.New(diag.CookieSameSiteNotNone, "None", "Lax")}},
			{ID: result.JWTApp001, Title: "not judged", Labels: []string{"mode:jwt", "area:app"}, State: result.StateNotJudged, Input: "AUTH_SECRET_KEY", Reason: "AUTH_SECRET_KEY was not given"},
			{ID: result.JWTApp002, Title: "blocked", Labels: []string{"mode:jwt", "area:app"}, State: result.StateBlocked, BlockedBy: result.JWTCookie002, Reason: "blocked by JWT-COOKIE-002: no cookie"},
			{ID: result.JWTToken001, Title: "out of scope", Labels: []string{"mode:jwt", "area:token"}, State: result.StateOutOfScope, Scope: "app-only run", Reason: "app-only run"},
			{ID: result.JWTApp003, Title: "unreachable", Labels: []string{"mode:jwt", "area:app"}, State: result.StateFailed,
				Diagnostics: []diag.Diagnostic{diag.New(diag.AppUnreachable, "an answer", "connection refused")}},
			{ID: result.JWTApp004, Title: "interrupted", Labels: []string{"mode:jwt", "area:app"}, State: result.StateInterrupted, Reason: "Ctrl-C"},
		},
	}
	r.Summarize()
	return r
}

// jcase is one testcase as a JUnit consumer reads it.
type jcase struct {
	Suite, Name, Class string
	Time               float64
	Results            [][2]string // tag, message
	Out                string
}

// TestJUnitReadByAConsumer writes junit.xml and reads it back with
// junitparser (Debian's python3-junitparser, a parser CI tooling uses),
// then holds each state to what CI systems show: failures and errors for
// failed specs, <skipped> with kind and reason for every spec that did not
// judge and for waived ones — never a plain pass — and warned specs passing
// with their warning in <system-out>. The counts the file declares must
// equal what the consumer recomputes.
func TestJUnitReadByAConsumer(t *testing.T) {
	python := "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import junitparser").Run(); err != nil {
		t.Fatalf("python3-junitparser is needed to check junit.xml like a CI system: run `make deps` (apt-get install python3-junitparser): %v", err)
	}
	path := filepath.Join(t.TempDir(), JUnitFile)
	if err := WriteJUnit(path, junitReport()); err != nil {
		t.Fatalf("WriteJUnit() error = %v", err)
	}
	script := `
import json, sys
from junitparser import JUnitXml, Failure, Error, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
out = {"declared": [xml.tests, xml.failures, xml.errors, xml.skipped], "suites": [], "cases": []}
for suite in xml:
    declared = [suite.tests, suite.failures, suite.errors, suite.skipped]
    suite.update_statistics()
    out["suites"].append({"name": suite.name, "declared": declared, "counted": [suite.tests, suite.failures, suite.errors, suite.skipped]})
    for case in suite:
        res = [[r._tag, r.message or ""] for r in case.result]
        out["cases"].append({"Suite": suite.name, "Name": case.name, "Class": case.classname, "Time": case.time or 0.0, "Results": res, "Out": case.system_out or ""})
print(json.dumps(out))
`
	b, err := exec.Command(python, "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("junitparser could not read junit.xml: %v\n%s", err, b)
	}
	var got struct {
		Declared []int `json:"declared"`
		Suites   []struct {
			Name              string
			Declared, Counted []int
		} `json:"suites"`
		Cases []jcase `json:"cases"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("junitparser output: %v\n%s", err, b)
	}
	for _, s := range got.Suites {
		if jsonText(s.Declared) != jsonText(s.Counted) {
			t.Errorf("testsuite %s declares tests/failures/errors/skipped %v, a consumer counts %v", s.Name, s.Declared, s.Counted)
		}
	}
	if want := []int{9, 1, 2, 4}; jsonText(got.Declared) != jsonText(want) {
		t.Errorf("testsuites tests/failures/errors/skipped = %v, want %v", got.Declared, want)
	}
	byName := map[string]jcase{}
	for _, c := range got.Cases {
		byName[strings.SplitN(c.Name, ":", 2)[0]] = c
	}
	tests := []struct {
		id            result.SpecID
		tag, msg, out string
	}{
		{result.JWTCookie001, "", "", ""},
		{result.JWTCookie002, "failure", "COOKIE_HOST_ONLY", ""},
		{result.JWTCookie003, "", "", "TOKEN_LIFETIME_LONG (warn)"},
		{result.JWTCookie004, "skipped", "waived: never embedded (until 2099-12-31)", "COOKIE_SAMESITE_NOT_NONE"},
		{result.JWTApp001, "skipped", "not judged: AUTH_SECRET_KEY was not given", ""},
		{result.JWTApp002, "skipped", "blocked by JWT-COOKIE-002 (COOKIE_HOST_ONLY mf_jwt_token is host-only): blocked by JWT-COOKIE-002: no cookie", ""},
		{result.JWTToken001, "skipped", "out of scope: app-only run", ""},
		{result.JWTApp003, "error", "APP_UNREACHABLE", ""},
		{result.JWTApp004, "error", "interrupted: Ctrl-C", ""},
	}
	for _, tt := range tests {
		c, ok := byName[string(tt.id)]
		if !ok {
			t.Errorf("%s: no testcase", tt.id)
			continue
		}
		switch {
		case tt.tag == "" && len(c.Results) > 0:
			t.Errorf("%s: results %v, want a plain pass", tt.id, c.Results)
		case tt.tag != "" && (len(c.Results) != 1 || c.Results[0][0] != tt.tag || c.Results[0][1] != tt.msg):
			t.Errorf("%s: results %v, want one <%s message=%q>", tt.id, c.Results, tt.tag, tt.msg)
		}
		if tt.out != "" && !strings.Contains(c.Out, tt.out) {
			t.Errorf("%s: system-out %q, want it to contain %q", tt.id, c.Out, tt.out)
		}
		if c.Class != "jwt."+strings.ToLower(strings.Split(string(tt.id), "-")[1]) {
			t.Errorf("%s: classname %q", tt.id, c.Class)
		}
	}
	if c := byName[string(result.JWTCookie001)]; c.Time != 0.0015 {
		t.Errorf("JWT-COOKIE-001 time = %v, want its judging time 0.0015 s", c.Time)
	}
	raw, _ := os.ReadFile(path)
	for _, bad := range []string{"\x1b", "\x00", "\x08", "<script>"} {
		if strings.Contains(string(raw), bad) {
			t.Errorf("junit.xml contains %q raw", bad)
		}
	}
	if err := xml.Unmarshal(raw, new(struct{})); err != nil {
		t.Errorf("junit.xml is not well-formed XML: %v", err)
	}
}

func jsonText(v any) string { b, _ := json.Marshal(v); return string(b) }

// TestJUnitGroupsFindingsByCause: a spec whose probes showed one code five
// times is still one testcase with one <failure>; its message names the
// code once with the count, its body is one block with five observations
// and the fix once.
func TestJUnitGroupsFindingsByCause(t *testing.T) {
	var ds []diag.Diagnostic
	for _, p := range []string{"a", "b", "c", "d", "e"} {
		ds = append(ds, diag.New(diag.AppAcceptsBadSignature, "a refusal", "probe "+p+" was accepted"))
	}
	r := &result.Report{Specs: []result.Spec{{ID: result.JWTApp005, Title: "signatures", Labels: []string{"mode:jwt", "area:app"},
		State: result.StateFailed, Diagnostics: ds}}}
	r.Summarize()
	b, err := RenderJUnit(r)
	if err != nil {
		t.Fatal(err)
	}
	var suites junitSuites
	if err := xml.Unmarshal(b, &suites); err != nil {
		t.Fatal(err)
	}
	c := suites.Suites[0].Cases[0]
	if len(suites.Suites[0].Cases) != 1 || c.Failure == nil {
		t.Fatalf("cases = %+v, want one failed testcase", suites.Suites[0].Cases)
	}
	if c.Failure.Message != "APP_ACCEPTS_BAD_SIGNATURE (5 findings)" {
		t.Errorf("failure message = %q, want the code once with its count", c.Failure.Message)
	}
	if n := strings.Count(c.Failure.Body, "fix:"); n != 1 {
		t.Errorf("failure body has %d fixes, want 1:\n%s", n, c.Failure.Body)
	}
	for _, p := range []string{"a", "b", "c", "d", "e"} {
		if !strings.Contains(c.Failure.Body, "probe "+p+" was accepted") {
			t.Errorf("failure body lacks probe %s:\n%s", p, c.Failure.Body)
		}
	}
}
