package reports

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/judge"
)

// sampleReport has one spec in every state, across two mode:area suites
// and one spec without labels.
func sampleReport() *Report {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r := &Report{
		SchemaVersion: SchemaVersion,
		Tool:          "mfconform",
		Version:       "v0.0.0-test",
		StartedAt:     start,
		FinishedAt:    start.Add(2500 * time.Millisecond),
		Modes:         []string{"jwt"},
		Target: Target{
			Description:       "embedded reference deployment",
			Fixture:           "reference",
			LoginURL:          "https://login.acme.test:8443/login",
			AppURL:            "https://app.acme.test:8443/",
			SecretFingerprint: "sha256:ba7816bf",
		},
		Chromium: "Chrome/156.0.8078.108",
		PhasesMS: map[string]float64{"setup": 812.5, "specs": 1500},
		Specs: []Spec{
			{
				ID: "JWT-COOKIE-001", Title: "cookie is set", Labels: []string{"mode:jwt", "area:cookie"},
				State: StatePassed, DurationMS: 12.5,
				Evidence: []judge.Named{{Name: "set-cookie", Value: "mf_jwt_token=eyJhbGciOiJI…(231 bytes); Path=/"}},
			},
			{
				ID: "JWT-COOKIE-002", Title: "cookie domain", Labels: []string{"mode:jwt", "area:cookie"},
				State: StateFailed, DurationMS: 30,
				Diagnostics: []diag.Diagnostic{
					diag.New(diag.CookieHostOnly, "Domain=.acme.test", "no Domain attribute"),
					diag.New(diag.CookieNotSecure, "Secure", "no Secure attribute"),
					diag.New(diag.CookieThirdPartyBlocked, "information only", "blocked in a cross-site frame").WithSeverity(diag.Info),
				},
			},
			{
				ID: "JWT-COOKIE-003", Title: "cookie size", Labels: []string{"mode:jwt", "area:cookie"},
				State: StateFailed, DurationMS: 5000, Failure: "timed out: waiting for the login page\nmore detail",
			},
			{
				ID: "JWT-TOKEN-001", Title: "token lifetime", Labels: []string{"mode:jwt", "area:token"},
				State: StateWarned, DurationMS: 3,
				Diagnostics: []diag.Diagnostic{diag.New(diag.TokenLifetimeLong, "at most 24 h", "30 days")},
			},
			{
				ID: "JWT-TOKEN-002", Title: "embed", Labels: []string{"mode:jwt", "area:token"},
				State: StateSkipped, Reason: "not selected by the label filter",
			},
			{
				ID: "JWT-TOKEN-003", Title: "interrupted one", Labels: []string{"mode:jwt", "area:token"},
				State: StateInterrupted, Reason: "interrupted by signal\nsecond line",
			},
			{ID: "MISC-001", Title: "unlabelled", State: StatePassed},
		},
	}
	r.Summarize()
	return r
}

func TestWriteAllJSONRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "out")
	want := sampleReport()
	if err := WriteAll(dir, want); err != nil {
		t.Fatalf("WriteAll(%q) error = %v", dir, err)
	}
	got, err := ReadJSON(filepath.Join(dir, JSONFile))
	if err != nil {
		t.Fatalf("ReadJSON() error = %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReadJSON(WriteAll(r)) = %+v\nwant %+v", got, want)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("ReadDir(%q) error = %v", dir, err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{JUnitFile, HTMLFile, JSONFile, MarkdownFile}; !reflect.DeepEqual(names, want) {
		t.Errorf("files in the report directory = %q, want %q (no temporary files left)", names, want)
	}
}

func TestWriteJSONRoundTripEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), JSONFile)
	want := &Report{SchemaVersion: SchemaVersion, SetupError: "browser: chromium not found"}
	want.Summarize()
	if err := WriteJSON(path, want); err != nil {
		t.Fatalf("WriteJSON() error = %v", err)
	}
	got, err := ReadJSON(path)
	if err != nil {
		t.Fatalf("ReadJSON() error = %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReadJSON(WriteJSON(r)) = %+v, want %+v", got, want)
	}
}

func TestReadJSONErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("<html>not json</html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		path    string
		wantErr string
	}{
		{name: "missing file", path: filepath.Join(dir, "missing.json"), wantErr: "reports: read"},
		{name: "not JSON", path: bad, wantErr: "is not a report.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ReadJSON(tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ReadJSON(%q) = %v, %v, want an error containing %q", tt.path, r, err, tt.wantErr)
			}
		})
	}
}

func TestWriteAllUnwritableDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteAll(filepath.Join(file, "sub"), sampleReport()); err == nil {
		t.Error("WriteAll(under a regular file) error = nil, want an error")
	}
}

// Decoding types of the JUnit file, independent of the writer's own.
type xSuites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Name     string   `xml:"name,attr"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Time     float64  `xml:"time,attr"`
	Suites   []xSuite `xml:"testsuite"`
}

type xSuite struct {
	Name     string  `xml:"name,attr"`
	Tests    int     `xml:"tests,attr"`
	Failures int     `xml:"failures,attr"`
	Skipped  int     `xml:"skipped,attr"`
	Cases    []xCase `xml:"testcase"`
}

type xCase struct {
	Name      string  `xml:"name,attr"`
	ClassName string  `xml:"classname,attr"`
	Time      float64 `xml:"time,attr"`
	Failure   *struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Body    string `xml:",chardata"`
	} `xml:"failure"`
	Skipped *struct {
		Message string `xml:"message,attr"`
	} `xml:"skipped"`
	SystemOut string `xml:"system-out"`
}

func TestWriteAllJUnit(t *testing.T) {
	dir := t.TempDir()
	if err := WriteAll(dir, sampleReport()); err != nil {
		t.Fatalf("WriteAll() error = %v", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, JUnitFile))
	if err != nil {
		t.Fatalf("ReadFile(junit.xml) error = %v", err)
	}
	if !strings.HasPrefix(string(b), xml.Header) {
		t.Errorf("junit.xml starts %q, want the XML header", b[:min(len(b), 40)])
	}
	var got xSuites
	if err := xml.Unmarshal(b, &got); err != nil {
		t.Fatalf("xml.Unmarshal(junit.xml) error = %v\n%s", err, b)
	}

	if got.Name != "mfconform" || got.Tests != 7 || got.Failures != 3 || got.Skipped != 1 {
		t.Errorf("testsuites name/tests/failures/skipped = %q/%d/%d/%d, want mfconform/7/3/1", got.Name, got.Tests, got.Failures, got.Skipped)
	}
	if got.Time != 2.5 {
		t.Errorf("testsuites time = %v, want 2.5", got.Time)
	}

	wantSuites := []struct {
		name                     string
		tests, failures, skipped int
	}{
		{"jwt.cookie", 3, 2, 0},
		{"jwt.token", 3, 1, 1},
		{"mfconform", 1, 0, 0},
	}
	if len(got.Suites) != len(wantSuites) {
		t.Fatalf("len(testsuite) = %d, want %d", len(got.Suites), len(wantSuites))
	}
	cases := map[string]xCase{}
	for i, w := range wantSuites {
		s := got.Suites[i]
		if s.Name != w.name || s.Tests != w.tests || s.Failures != w.failures || s.Skipped != w.skipped {
			t.Errorf("testsuite %d = %q tests=%d failures=%d skipped=%d, want %q tests=%d failures=%d skipped=%d",
				i, s.Name, s.Tests, s.Failures, s.Skipped, w.name, w.tests, w.failures, w.skipped)
		}
		for _, c := range s.Cases {
			if c.ClassName != s.Name {
				t.Errorf("testcase %q classname = %q, want %q", c.Name, c.ClassName, s.Name)
			}
			cases[c.Name] = c
		}
	}

	tests := []struct {
		name        string
		caseName    string
		wantFailure string // message; "" for no failure element
		wantType    string
		wantBody    []string // substrings of the failure body
		wantSkipped string
		wantOut     []string // substrings of system-out
	}{
		{name: "passed", caseName: "JWT-COOKIE-001: cookie is set"},
		{
			name: "failed with diagnostics lists the failing codes", caseName: "JWT-COOKIE-002: cookie domain",
			wantFailure: "COOKIE_HOST_ONLY, COOKIE_NOT_SECURE", wantType: StateFailed,
			wantBody: []string{"COOKIE_HOST_ONLY (fail)", "fix:", "COOKIE_NOT_SECURE (fail)", "observed: no Domain attribute"},
		},
		{
			name: "failed without diagnostics uses the first failure line", caseName: "JWT-COOKIE-003: cookie size",
			wantFailure: "timed out: waiting for the login page", wantType: StateFailed,
			wantBody: []string{"more detail"},
		},
		{
			name: "warned is no failure", caseName: "JWT-TOKEN-001: token lifetime",
			wantOut: []string{"TOKEN_LIFETIME_LONG (warn)", "fix:"},
		},
		{name: "skipped", caseName: "JWT-TOKEN-002: embed", wantSkipped: "not selected by the label filter"},
		{
			name: "interrupted counts as a failure", caseName: "JWT-TOKEN-003: interrupted one",
			wantFailure: "interrupted by signal", wantType: StateInterrupted,
		},
		{name: "unlabelled", caseName: "MISC-001: unlabelled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := cases[tt.caseName]
			if !ok {
				t.Fatalf("no testcase %q in junit.xml", tt.caseName)
			}
			switch {
			case tt.wantFailure == "" && c.Failure != nil:
				t.Errorf("testcase %q failure = %+v, want none", tt.caseName, c.Failure)
			case tt.wantFailure != "" && c.Failure == nil:
				t.Errorf("testcase %q has no failure, want message %q", tt.caseName, tt.wantFailure)
			case c.Failure != nil:
				if c.Failure.Message != tt.wantFailure || c.Failure.Type != tt.wantType {
					t.Errorf("testcase %q failure message/type = %q/%q, want %q/%q", tt.caseName, c.Failure.Message, c.Failure.Type, tt.wantFailure, tt.wantType)
				}
				for _, sub := range tt.wantBody {
					if !strings.Contains(c.Failure.Body, sub) {
						t.Errorf("testcase %q failure body does not contain %q:\n%s", tt.caseName, sub, c.Failure.Body)
					}
				}
			}
			if tt.wantFailure != "" && strings.Contains(tt.wantFailure, "COOKIE") && strings.Contains(c.Failure.Message, "COOKIE_THIRD_PARTY_BLOCKED") {
				t.Errorf("testcase %q failure message = %q, want info diagnostics left out", tt.caseName, c.Failure.Message)
			}
			gotSkipped := ""
			if c.Skipped != nil {
				gotSkipped = c.Skipped.Message
			}
			if gotSkipped != tt.wantSkipped || (tt.wantSkipped != "") != (c.Skipped != nil) {
				t.Errorf("testcase %q skipped = %q, want %q", tt.caseName, gotSkipped, tt.wantSkipped)
			}
			for _, sub := range tt.wantOut {
				if !strings.Contains(c.SystemOut, sub) {
					t.Errorf("testcase %q system-out does not contain %q:\n%s", tt.caseName, sub, c.SystemOut)
				}
			}
			if len(tt.wantOut) == 0 && c.SystemOut != "" {
				t.Errorf("testcase %q system-out = %q, want none", tt.caseName, c.SystemOut)
			}
		})
	}
}
