package reports

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// File names written to the report directory.
const (
	JSONFile  = "report.json"
	JUnitFile = "junit.xml"
)

// Files are the report files WriteAll writes, in order.
var Files = []string{JSONFile, HTMLFile, JUnitFile, MarkdownFile}

// WriteAll writes report.json, report.html, junit.xml and summary.md into
// dir, creating it.
func WriteAll(dir string, r *Report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("reports: create %s: %w", dir, err)
	}
	if err := WriteJSON(filepath.Join(dir, JSONFile), r); err != nil {
		return err
	}
	if err := WriteJUnit(filepath.Join(dir, JUnitFile), r); err != nil {
		return err
	}
	if err := WriteHTML(filepath.Join(dir, HTMLFile), r); err != nil {
		return err
	}
	return WriteMarkdown(filepath.Join(dir, MarkdownFile), r)
}

// WriteJSON writes the report model as indented JSON.
func WriteJSON(path string, r *Report) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("reports: encode %s: %w", path, err)
	}
	return writeFile(path, append(b, '\n'))
}

// ReadJSON reads a report.json.
func ReadJSON(path string) (*Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reports: read %s: %w", path, err)
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("reports: %s is not a report.json: %w", path, err)
	}
	return &r, nil
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     float64      `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Time      float64       `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// WriteJUnit writes one testsuite per mode:area, one testcase per spec; the
// failure message is the diagnostic codes and the body the diagnostics.
func WriteJUnit(path string, r *Report) error {
	suites := map[string]*junitSuite{}
	var order []string
	for _, s := range r.Specs {
		name := suiteName(s.Labels)
		js, ok := suites[name]
		if !ok {
			js = &junitSuite{Name: name}
			suites[name] = js
			order = append(order, name)
		}
		c := junitCase{Name: s.ID + ": " + s.Title, ClassName: name, Time: s.DurationMS / 1000}
		var blocks []string
		for _, d := range s.Diagnostics {
			blocks = append(blocks, d.String())
		}
		switch s.State {
		case StateFailed, StateInterrupted:
			msg := strings.Join(s.Codes(), ", ")
			if msg == "" {
				msg = firstLine(s.Failure + s.Reason)
			}
			c.Failure = &junitFailure{Message: msg, Type: s.State, Body: strings.Join(append(blocks, s.Failure), "\n\n")}
			js.Failures++
		case StateSkipped:
			c.Skipped = &junitSkipped{Message: s.Reason}
			js.Skipped++
		case StateWarned:
			c.SystemOut = strings.Join(blocks, "\n\n")
		}
		js.Tests++
		js.Cases = append(js.Cases, c)
	}
	out := junitSuites{Name: "mfconform", Time: r.FinishedAt.Sub(r.StartedAt).Seconds()}
	for _, n := range order {
		js := suites[n]
		out.Tests += js.Tests
		out.Failures += js.Failures
		out.Skipped += js.Skipped
		out.Suites = append(out.Suites, *js)
	}
	b, err := xml.MarshalIndent(out, "", "  ")
	if err != nil {
		return fmt.Errorf("reports: encode %s: %w", path, err)
	}
	return writeFile(path, append([]byte(xml.Header), append(b, '\n')...))
}

func suiteName(labels []string) string {
	mode, area := modeArea(labels)
	if mode == "" {
		return "mfconform"
	}
	return mode + "." + area
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

// writeFile writes atomically: a temporary file renamed into place.
func writeFile(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("reports: write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("reports: write %s: %w", path, err)
	}
	return nil
}
