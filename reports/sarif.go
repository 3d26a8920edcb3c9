package reports

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"

	"github.com/mfconform/mfconform/suites/result"
)

// SARIFFile is the name of the SARIF 2.1.0 log in the report directory,
// for GitHub code scanning (github/codeql-action/upload-sarif) and other
// SARIF readers.
const SARIFFile = "report.sarif"

// The SARIF 2.1.0 shape mfconform writes (OASIS SARIF 2.1.0 Errata 01:
// sarifLog §3.13, run §3.14, toolComponent §3.19, reportingDescriptor
// §3.49, result §3.27, location §3.28); reports/testdata holds the schema
// it is validated against.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool              sarifTool         `json:"tool"`
	AutomationDetails *sarifAutomation  `json:"automationDetails,omitempty"`
	Invocations       []sarifInvocation `json:"invocations"`
	Results           []sarifResult     `json:"results"`
	Properties        map[string]any    `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name,omitempty"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifMultiText `json:"help"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties,omitempty"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifMultiText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifAutomation struct {
	ID string `json:"id"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
	StartTimeUTC               string              `json:"startTimeUtc,omitempty"`
	EndTimeUTC                 string              `json:"endTimeUtc,omitempty"`
}

type sarifNotification struct {
	Level   string    `json:"level"`
	Message sarifText `json:"message"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]any    `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtLoc `json:"artifactLocation"`
}

type sarifArtLoc struct {
	URI string `json:"uri"`
}

// sarifSchema is the schema URI a SARIF 2.1.0 log names.
const sarifSchema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

// codelessRule is the rule of a spec that failed without a diagnostic.
const codelessRule = "SPEC_FAILED"

// WriteSARIF writes report.sarif.
func WriteSARIF(path string, r *result.Report) error {
	var b bytes.Buffer
	if err := RenderSARIF(&b, r); err != nil {
		return fmt.Errorf("reports: render %s: %w", path, err)
	}
	return WriteFile(path, b.Bytes())
}

// RenderSARIF writes the report as a SARIF 2.1.0 log of one run: a rule
// per diagnostic code the run reports (its title, what it means, its fix
// and reference as help), a result per root cause (its level from the
// severity, one line of message, its locations the deployment URLs that
// showed it — scheme, host, port and path only: no user, password, query
// or fragment), and a setup error as a failed invocation. The log names
// no secret: it is made from the report, which holds none.
func RenderSARIF(w io.Writer, r *result.Report) error {
	causes, _ := r.Causes()
	run := sarifRun{
		Tool:        sarifTool{Driver: sarifDriver{Name: cmp.Or(r.Tool, "mfconform"), Version: r.Version, InformationURI: "https://github.com/mfconform/mfconform", Rules: []sarifRule{}}},
		Invocations: []sarifInvocation{{ExecutionSuccessful: r.SetupError == "" && !r.Interrupted}},
		Results:     []sarifResult{},
		Properties:  map[string]any{"verdict": r.Verdict, "target": result.CleanLine(r.Target.Description)},
	}
	if id := sarifCategory(r); id != "" {
		run.AutomationDetails = &sarifAutomation{ID: id}
	}
	inv := &run.Invocations[0]
	if !r.StartedAt.IsZero() {
		inv.StartTimeUTC = r.StartedAt.UTC().Format("2006-01-02T15:04:05.000Z")
		if !r.FinishedAt.IsZero() {
			inv.EndTimeUTC = r.FinishedAt.UTC().Format("2006-01-02T15:04:05.000Z")
		}
	}
	if r.SetupError != "" {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications,
			sarifNotification{Level: "error", Message: sarifText{Text: "setup failed: " + result.CleanLine(r.SetupError)}})
	}
	ruleIndex := map[string]int{}
	specs := map[result.SpecID]result.Spec{}
	for _, s := range r.Specs {
		specs[s.ID] = s
	}
	for _, c := range causes {
		id := cmp.Or(string(c.Code), codelessRule)
		i, ok := ruleIndex[id]
		if !ok {
			i = len(run.Tool.Driver.Rules)
			ruleIndex[id] = i
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleFor(r, c, id))
		}
		var locs []sarifLocation
		var uris []string
		for _, sid := range c.Specs {
			if u := specURL(r.Target, specs[sid]); u != "" && !slices.Contains(uris, u) {
				uris = append(uris, u)
				locs = append(locs, sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtLoc{URI: u}}})
			}
		}
		if len(locs) == 0 {
			// A result needs a location (GitHub code scanning drops one
			// without): the report itself.
			locs = []sarifLocation{{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtLoc{URI: JSONFile}}}}
			uris = []string{JSONFile}
		}
		sum := sha256.Sum256([]byte(id + "\x00" + strings.Join(uris, "\x00") + "\x00" + c.Title))
		run.Results = append(run.Results, sarifResult{
			RuleID: id, RuleIndex: i, Level: sarifLevel(c.Severity), Message: sarifText{Text: causeMessage(c)},
			Locations:           locs,
			PartialFingerprints: map[string]string{"mfconformCause/v1": hex.EncodeToString(sum[:16])},
			Properties:          map[string]any{"specs": c.Specs, "findings": c.Findings, "blocked": len(c.Blocked), "severity": string(c.Severity)},
		})
	}
	b, err := json.MarshalIndent(sarifLog{Schema: sarifSchema, Version: "2.1.0", Runs: []sarifRun{run}}, "", "  ")
	if err != nil {
		return fmt.Errorf("reports: encode report.sarif: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// sarifRuleFor is a code's rule: from the report's catalogue entry when it
// has one (the code's general meaning and fix), else from the cause.
func sarifRuleFor(r *result.Report, c result.RootCause, id string) sarifRule {
	e, ok := r.Catalogue[c.Code]
	if !ok || c.Code == "" {
		e = result.Entry{Code: c.Code, Title: c.Title, Severity: c.Severity, Cause: c.Cause, Fix: c.Fix, Reference: c.Reference}
	}
	if id == codelessRule {
		e.Title, e.Cause = "a spec failed without a diagnostic", "The spec failed for a reason that is not a finding about the deployment (a timeout or a fault in mfconform): its message says which."
		e.Fix, e.Reference = "Read the spec's failure in report.html; run again, and report it if it repeats.", "mfconform"
	}
	text := result.Clean(e.Cause)
	md := mdEscape(e.Cause)
	if e.Fix != "" {
		text += "\n\nFix: " + result.Clean(e.Fix)
		md += "\n\n**Fix:** " + mdEscape(firstLine(e.Fix))
		if _, rest, ok := strings.Cut(strings.TrimSpace(e.Fix), "\n"); ok {
			md += "\n" + mdCodeBlock(rest, "")
		}
	}
	for _, f := range e.Fixes {
		text += "\n\nFix in " + result.Clean(f.Name) + ": " + result.Clean(f.Fix)
		md += "\n\n**Fix in " + mdEscape(f.Name) + ":**\n" + mdCodeBlock(f.Fix, "")
	}
	if e.Reference != "" {
		text += "\n\nSee: " + result.Clean(e.Reference)
		md += "\n\nSee: " + mdEscape(e.Reference)
	}
	level := sarifLevel(cmp.Or(e.Severity, c.Severity))
	props := map[string]any{"tags": []string{"mfconform", "authentication"}, "problem.severity": level}
	if sev, ok := securitySeverity[cmp.Or(e.Severity, c.Severity)]; ok && !e.Environment && !c.Environment {
		props["security-severity"] = sev
		props["tags"] = []string{"mfconform", "authentication", "security"}
	}
	return sarifRule{
		ID: id, Name: ruleName(id),
		ShortDescription:     sarifText{Text: result.CleanLine(cmp.Or(e.Title, id))},
		FullDescription:      sarifText{Text: result.Clean(cmp.Or(e.Cause, e.Title, id))},
		Help:                 sarifMultiText{Text: text, Markdown: md},
		DefaultConfiguration: sarifConfig{Level: level},
		Properties:           props,
	}
}

// securitySeverity grades a deployment's code for GitHub code scanning's
// security severity (a CVSS-like score: 9.0 and above critical, 7.0 high,
// 4.0 medium): a critical finding lets anyone sign in as anyone. A code
// about the run's environment (the app could not be reached) has none.
var securitySeverity = map[result.Severity]string{result.Critical: "9.5", result.Fail: "7.0", result.Warn: "4.0"}

// sarifLevel is a severity as a SARIF level.
func sarifLevel(s result.Severity) string {
	switch s {
	case result.Critical, result.Fail:
		return "error"
	case result.Warn:
		return "warning"
	}
	return "note"
}

// ruleName is a code in SARIF's PascalCase name style: COOKIE_HOST_ONLY →
// CookieHostOnly.
func ruleName(code string) string {
	var b strings.Builder
	for _, part := range strings.Split(strings.ToLower(code), "_") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// causeMessage is a root cause in one line: its title, the first
// observation, where it showed and what it blocked, and the first line of
// its fix. Target text in it is one line already (CleanLine) and cut.
func causeMessage(c result.RootCause) string {
	var b strings.Builder
	b.WriteString(result.CleanLine(c.Title))
	if c.Observed != "" {
		b.WriteString(": " + result.CleanLine(result.Cut(c.Observed, 300)))
	}
	fmt.Fprintf(&b, " (%s", result.CleanLine(c.ShownBy()))
	if n := len(c.Blocked); n > 0 {
		fmt.Fprintf(&b, "; blocks %d %s", n, plural(n, "spec", "specs"))
	}
	b.WriteString(")")
	if f := firstLine(c.Fix); f != "" {
		b.WriteString(" — fix: " + result.CleanLine(result.Cut(f, 300)))
	}
	return b.String()
}

// specURL is the deployment URL a spec judged: the backend's login URL
// for the cookie and the token, the app's URL for the app's verifier,
// the Supabase project for the Supabase specs (the app's for its cookies,
// when the run knows it) — as SafeURL shows it.
func specURL(t result.Target, s result.Spec) string {
	mode, area := result.ModeArea(s.Labels)
	var u string
	switch {
	case mode == "jwt" && area == "app":
		u = t.AppURL
	case mode == "jwt":
		u = t.LoginURL
	case area == "cookie":
		u = cmp.Or(t.AppURL, t.SupabaseURL)
	default:
		u = t.SupabaseURL
	}
	return SafeURL(u)
}

// SafeURL is a URL without what may be secret or noisy: its user and
// password, query and fragment go; "" for one that does not parse or is
// not absolute.
func SafeURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	clean := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	return clean.String()
}

// sarifCategory is the run's automationDetails.id, which GitHub code
// scanning uses as its category: one per deployment, so the runs of a
// batch upload side by side without replacing each other.
func sarifCategory(r *result.Report) string {
	name := cmp.Or(r.Target.Fixture, r.Target.Description)
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(name) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteRune(c)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	slug := strings.Trim(b.String(), "-")
	if slug == "" {
		return ""
	}
	return "mfconform/" + slug + "/"
}
