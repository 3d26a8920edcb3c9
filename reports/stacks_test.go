package reports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mfconform/mfconform/suites/result"
)

// withStacks is a report whose finding carries Django's fix, with the
// catalogue entry and the stack guesses a run writes.
func withStacks(t *testing.T) *result.Report {
	t.Helper()
	r := renderReport(t, 1)
	d := &r.Specs[0].Diagnostics[0]
	d.Fix, d.FixFor = `response.set_cookie("mf_jwt_token", token, domain="acme.test")`, "Django"
	r.Target.Stacks = []result.StackGuess{
		{Role: "backend", ID: "django", Name: "Django", Confidence: result.ConfidenceHeader, Evidence: []string{"the response also sets Django's csrftoken cookie"}},
		{Role: "app", ID: "unknown", Name: "unknown", Confidence: result.ConfidenceUnknown, Evidence: []string{"no Server header"}},
	}
	r.Catalogue = map[result.Code]result.Entry{d.Code: {
		Code: d.Code, Title: d.Title, Severity: d.Severity, Cause: "no Domain", Fix: "Set Domain", Reference: "RFC 6265",
		Fixes: []result.StackFix{{Stack: "flask", Name: "Flask (Werkzeug)", Fix: "flask fix"}, {Stack: "django", Name: "Django", Fix: "django fix"}},
	}}
	r.Summarize()
	return r
}

func TestRenderHTMLCatalogueAndStacks(t *testing.T) {
	for _, r := range []*result.Report{withStacks(t), roundTrip(t, withStacks(t))} {
		page := renderHTML(t, r)
		for _, want := range []string{
			`href="#code-COOKIE_HOST_ONLY"`, `id="code-COOKIE_HOST_ONLY"`, "Fix (Django)", "Fix in Django (this run's)",
			"Fix in Flask (Werkzeug)</dt>", "django fix", "<dt>backend stack</dt>", "csrftoken", "named by a header", "unknown: fixes are generic",
		} {
			if !strings.Contains(page, want) {
				t.Errorf("report.html lacks %q", want)
			}
		}
	}
}

func TestSummariesNameTheStack(t *testing.T) {
	r := withStacks(t)
	var b bytes.Buffer
	PrintSummary(&b, r)
	if !strings.Contains(b.String(), "backend stack: Django — named by a header: the response also sets Django's csrftoken cookie") {
		t.Errorf("console summary lacks the backend stack:\n%s", b.String())
	}
	var md bytes.Buffer
	if err := RenderMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "Fix (Django)") {
		t.Errorf("summary.md lacks the stack of the fix:\n%s", md.String())
	}
}
