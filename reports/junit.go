package reports

import (
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/mfconform/mfconform/suites/result"
)

// The JUnit XML shape: the de-facto schema CI systems read (Jenkins'
// junit plugin, GitLab's and GitHub's test reporters): testsuites →
// testsuite → testcase with at most one failure or skipped child,
// properties and system-out.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     float64      `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string            `xml:"name,attr"`
	Tests      int               `xml:"tests,attr"`
	Failures   int               `xml:"failures,attr"`
	Errors     int               `xml:"errors,attr"`
	Skipped    int               `xml:"skipped,attr"`
	Time       float64           `xml:"time,attr"`
	Timestamp  string            `xml:"timestamp,attr,omitempty"`
	Properties *junitPropertySet `xml:"properties,omitempty"`
	Cases      []junitCase       `xml:"testcase"`
}

type junitPropertySet struct {
	Properties []junitProperty `xml:"property"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name       string            `xml:"name,attr"`
	ClassName  string            `xml:"classname,attr"`
	Time       float64           `xml:"time,attr"`
	Properties *junitPropertySet `xml:"properties,omitempty"`
	Failure    *junitFailure     `xml:"failure,omitempty"`
	Error      *junitFailure     `xml:"error,omitempty"`
	Skipped    *junitSkipped     `xml:"skipped,omitempty"`
	SystemOut  string            `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// WriteJUnit writes junit.xml: one testsuite per mode and area, one
// testcase per spec, each with a time that is the spec's judging time. A
// failed spec is a <failure> whose message is its codes and whose body
// its diagnostics (an environment failure is an <error>); a spec that did
// not judge — waived, out of scope, not judged, blocked — is <skipped>
// with its kind and reason, never a plain pass; a warned spec passes and
// carries its warnings in <system-out> and a "warning" property.
func WriteJUnit(path string, r *result.Report) error {
	b, err := RenderJUnit(r)
	if err != nil {
		return fmt.Errorf("reports: encode %s: %w", path, err)
	}
	return WriteFile(path, b)
}

// RenderJUnit renders the report as JUnit XML.
func RenderJUnit(r *result.Report) ([]byte, error) {
	suites := map[string]*junitSuite{}
	var order []string
	ts := ""
	if !r.StartedAt.IsZero() {
		ts = r.StartedAt.UTC().Format("2006-01-02T15:04:05")
	}
	_, groups := r.Causes()
	for _, s := range r.Specs {
		name := suiteName(s.Labels)
		js, ok := suites[name]
		if !ok {
			js = &junitSuite{Name: name, Timestamp: ts}
			suites[name] = js
			order = append(order, name)
		}
		c := junitCase{Name: x(string(s.ID) + ": " + s.Title), ClassName: name, Time: s.JudgeMS / 1000}
		// The spec's findings grouped by cause: a code its probes showed
		// five times is one block with five observations and one fix.
		own, _ := result.RootCauses([]result.Spec{s})
		var blocks, msgs []string
		for _, oc := range own {
			if oc.Code == "" {
				continue
			}
			blocks = append(blocks, oc.String())
			msg := string(oc.Code)
			if oc.Findings > 1 {
				msg += fmt.Sprintf(" (%d findings)", oc.Findings)
			}
			msgs = append(msgs, msg)
		}
		if s.State == result.StateWaived {
			blocks = nil
			for _, d := range s.Diagnostics {
				blocks = append(blocks, d.String())
			}
		}
		var props []junitProperty
		for _, code := range s.Codes() {
			props = append(props, junitProperty{Name: "code", Value: x(code)})
		}
		switch s.State {
		case result.StateFailed:
			msg := strings.Join(msgs, ", ")
			if msg == "" {
				msg = firstLine(s.Failure + s.Reason)
			}
			f := &junitFailure{Message: x(msg), Type: string(s.State), Body: x(strings.Join(append(blocks, s.Failure), "\n\n"))}
			if environmental(s) {
				f.Type = "environment"
				c.Error = f
				js.Errors++
			} else {
				c.Failure = f
				js.Failures++
			}
		case result.StateInterrupted:
			c.Error = &junitFailure{Message: x("interrupted: " + firstLine(s.Reason)), Type: string(s.State), Body: x(s.Reason)}
			js.Errors++
		case result.StateWaived:
			msg := "waived"
			if w := s.Waiver; w != nil {
				msg += ": " + w.Reason
				if w.Expires != "" {
					msg += " (until " + w.Expires + ")"
				}
			}
			c.Skipped = &junitSkipped{Message: x(msg)}
			c.SystemOut = x(strings.Join(blocks, "\n\n"))
			props = append(props, junitProperty{Name: "waived-state", Value: string(s.WaivedState)})
			js.Skipped++
		case result.StateBlocked:
			c.Skipped = &junitSkipped{Message: x(blockedMessage(s, groups))}
			js.Skipped++
		case result.StateOutOfScope, result.StateNotJudged:
			c.Skipped = &junitSkipped{Message: x(KindText(s.State) + ": " + s.Reason)}
			js.Skipped++
		case result.StateWarned:
			c.SystemOut = x(strings.Join(blocks, "\n\n"))
			for _, code := range s.Codes() {
				props = append(props, junitProperty{Name: "warning", Value: x(code)})
			}
		}
		if len(props) > 0 {
			c.Properties = &junitPropertySet{Properties: props}
		}
		js.Tests++
		js.Time += c.Time
		js.Cases = append(js.Cases, c)
	}
	out := junitSuites{Name: "mfconform", Time: r.FinishedAt.Sub(r.StartedAt).Seconds()}
	if out.Time < 0 {
		out.Time = 0
	}
	for _, n := range order {
		js := suites[n]
		js.Properties = &junitPropertySet{Properties: []junitProperty{{Name: "verdict", Value: x(r.Verdict)}, {Name: "target", Value: x(r.Target.Description)}}}
		out.Tests += js.Tests
		out.Failures += js.Failures
		out.Errors += js.Errors
		out.Skipped += js.Skipped
		out.Suites = append(out.Suites, *js)
	}
	b, err := xml.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(b, '\n')...), nil
}

// blockedMessage is a blocked testcase's message: the spec and the cause
// that blocked it first, then its own reason.
func blockedMessage(s result.Spec, groups []result.BlockedGroup) string {
	for _, g := range groups {
		if g.By == s.BlockedBy && g.Code != "" {
			return fmt.Sprintf("blocked by %s (%s %s): %s", g.By, g.Code, g.Title, s.Reason)
		}
	}
	return KindText(s.State) + ": " + s.Reason
}

// environmental reports whether a failed spec failed for the environment
// (the target could not be reached) rather than the deployment.
func environmental(s result.Spec) bool {
	for _, d := range s.Diagnostics {
		if d.Environment && d.Severity.Failing() {
			return true
		}
	}
	return false
}

// x makes text safe for XML 1.0: control characters a target sent become
// visible escapes (XML cannot carry most of them even escaped).
func x(s string) string { return result.Clean(s) }

func suiteName(labels []string) string {
	mode, area := result.ModeArea(labels)
	if mode == "" {
		return "mfconform"
	}
	return mode + "." + area
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

// KindText is how a state that did not judge is named for people.
func KindText(state result.State) string {
	switch state {
	case result.StateOutOfScope:
		return "out of scope"
	case result.StateNotJudged:
		return "not judged"
	case result.StateBlocked:
		return "blocked"
	}
	return strings.ReplaceAll(string(state), "_", " ")
}
