package reports

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"html"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfconform/mfconform/suites/result"
)

// Texts of the findings the cause tests render; each is plain, so it
// reads the same in every format.
const (
	provenCause = "The Set-Cookie line has no Domain attribute"
	provenBy    = "the observed Set-Cookie line"
	guess1      = "The backend server runs at UTC plus 2 and computes exp from a naive datetime"
	tell1       = "run date on the backend server"
	guess2      = "The backend returns a token it issued earlier"
	tell2       = "log in twice a minute apart"
)

// causeReport is a run with one finding whose cause is proven and one
// whose causes are only hypotheses.
func causeReport() *result.Report {
	fact := result.Diagnostic{Code: "COOKIE_HOST_ONLY", Severity: result.Fail, Title: "host-only", Observed: "no Domain",
		Cause: provenCause, ProvenBy: provenBy, Fix: "Set Domain", Reference: "RFC 6265"}
	guess := result.Diagnostic{Code: "TOKEN_EXPIRED", Severity: result.Fail, Title: "expired", Observed: "expired 1h ago",
		Hypotheses: []result.Hypothesis{{Cause: guess1, Tell: tell1, Claim: result.Claim{Zone: "UTC+2"}}, {Cause: guess2, Tell: tell2}},
		Fix:        "Issue a fresh token", Reference: "RFC 7519"}
	r := &result.Report{Tool: "mfconform", Modes: []string{"jwt"}, Target: result.Target{Description: "cause test"},
		Specs: []result.Spec{
			{ID: result.JWTCookie002, Title: "domain", Labels: []string{"mode:jwt", "area:cookie"}, State: result.StateFailed, Diagnostics: []result.Diagnostic{fact}},
			{ID: result.JWTToken006, Title: "exp", Labels: []string{"mode:jwt", "area:token"}, State: result.StateFailed, Diagnostics: []result.Diagnostic{guess}},
		},
		Catalogue: map[result.Code]result.Entry{"TOKEN_EXPIRED": {Code: "TOKEN_EXPIRED", Title: "expired", Severity: result.Fail,
			Cause: "exp is in the past", ProvenBy: "exp in the token", Hypotheses: []result.Hypothesis{{Cause: guess2, Tell: tell2}}, Fix: "x", Reference: "y"}},
	}
	r.Summarize()
	return r
}

// after reports whether, in text, want follows mark, and no other mark of
// others comes between them.
func after(text, mark, want string, others ...string) bool {
	i := strings.Index(text, want)
	if i < 0 {
		return false
	}
	m := strings.LastIndex(text[:i], mark)
	if m < 0 {
		return false
	}
	for _, o := range others {
		if strings.LastIndex(text[:i], o) > m {
			return false
		}
	}
	return true
}

// TestCausesRenderedAsFactsOrGuesses: in every format a person reads, a
// proven cause is shown with what proves it, and each hypothesis is shown
// numbered under "likely causes (not proven)" with how to tell it — never
// where the proven cause goes.
func TestCausesRenderedAsFactsOrGuesses(t *testing.T) {
	r := causeReport()
	var console bytes.Buffer
	causes, _ := r.Causes()
	for _, s := range r.Specs {
		PrintSpec(&console, s, causes)
	}
	PrintFixes(&console, r)
	junit, err := RenderJUnit(r)
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	var doc struct {
		Suites []struct {
			Cases []struct {
				Failure struct {
					Body string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(junit, &doc); err != nil {
		t.Fatal(err)
	}
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			bodies = append(bodies, c.Failure.Body)
		}
	}
	md := renderMD(t, r)
	page := html.UnescapeString(renderHTML(t, r))

	text := map[string]string{"console": console.String(), "junit": strings.Join(bodies, "\n"), "markdown": md}
	for format, out := range text {
		t.Run(format, func(t *testing.T) {
			checks := []struct{ mark, want string }{
				{"cause:", provenCause},
				{provenCause, "proven by: " + provenBy},
				{result.LabelLikely + ":", "1. " + guess1},
				{"1. " + guess1, "to tell: " + tell1},
				{result.LabelLikely + ":", "2. " + guess2},
				{"2. " + guess2, "to tell: " + tell2},
			}
			for _, c := range checks {
				if !after(out, c.mark, c.want, "cause:") {
					t.Errorf("%s: %q does not follow %q:\n%s", format, c.want, c.mark, out)
				}
			}
			if strings.Contains(out, "cause:    "+guess1) || strings.Contains(out, "cause: "+guess1) {
				t.Errorf("%s shows a hypothesis as the cause:\n%s", format, out)
			}
		})
	}
	t.Run("html", func(t *testing.T) {
		for _, c := range []struct{ mark, want string }{
			{`<dd class="cause">`, provenCause},
			{`<div class="proof">`, "proven by: " + provenBy},
			{`<dd class="hypotheses">`, guess1},
			{`<span class="h-tell">`, tell1},
			{`<dd class="hypotheses">`, guess2},
			{`not proven`, result.LabelLikely + ":"},
		} {
			if !after(page, c.mark, c.want, `<dd class="cause">`) && !(c.mark == `<dd class="cause">` && after(page, c.mark, c.want)) {
				t.Errorf("html: %q does not follow %q", c.want, c.mark)
			}
		}
		// The catalogue section draws the entry the same way.
		entry := page[strings.Index(page, `id="code-TOKEN_EXPIRED"`):]
		if !after(entry, `<dd class="cause">`, "proven by: exp in the token") || !after(entry, `<dd class="hypotheses">`, guess2) {
			t.Error("html catalogue entry lacks its proven cause or its hypotheses")
		}
		for _, seg := range strings.Split(page, `<dd class="cause">`)[1:] {
			seg, _, _ = strings.Cut(seg, "</dd>")
			if strings.Contains(seg, guess1) || strings.Contains(seg, guess2) {
				t.Errorf("html shows a hypothesis inside a proven cause: %q", seg)
			}
		}
	})
}

// TestCausesInReportJSON: report.json keeps the proven cause, its proof,
// each hypothesis with how to tell it, and the claims, so every consumer
// can tell a fact from a guess.
func TestCausesInReportJSON(t *testing.T) {
	dir := t.TempDir()
	r := causeReport()
	if err := WriteAll(dir, r); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJSON(filepath.Join(dir, JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	fact, guess := back.Specs[0].Diagnostics[0], back.Specs[1].Diagnostics[0]
	if fact.Cause != provenCause || fact.ProvenBy != provenBy || len(fact.Hypotheses) != 0 {
		t.Errorf("proven finding read back = %+v", fact)
	}
	if guess.Cause != "" || len(guess.Hypotheses) != 2 || guess.Hypotheses[0].Tell != tell1 || guess.Hypotheses[0].Claim.Zone != "UTC+2" {
		t.Errorf("guessed finding read back = %+v", guess)
	}
	raw, err := json.Marshal(r.Specs[1].Diagnostics[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`"hypotheses":[`, `"how_to_tell":"` + tell1, `"claim":{"zone":"UTC+2"}`} {
		if !strings.Contains(string(raw), w) {
			t.Errorf("JSON %s lacks %s", raw, w)
		}
	}
	if strings.Contains(string(raw), `"cause":""`) || strings.Contains(string(raw), `"proven_by"`) {
		t.Errorf("JSON of a guessed finding names an empty proven cause: %s", raw)
	}
	if raw, _ := json.Marshal(r.Specs[0].Diagnostics[0]); strings.Contains(string(raw), `"claim"`) {
		t.Errorf("JSON of a finding that claims nothing has a claim: %s", raw)
	}
}
