package reports

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/result"
)

// TestHTMLLive opens a written report.html in a real headless Chromium: the
// verdict banner reads right, the failed card and its fix are visible, the
// state filter hides the card, and the page is captured as a screenshot.
func TestHTMLLive(t *testing.T) {
	dir := t.TempDir()

	r := &result.Report{
		SchemaVersion: result.SchemaVersion, Tool: "mfconform", Version: "v0.0.0-live",
		StartedAt: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC), FinishedAt: time.Date(2026, 3, 4, 5, 6, 9, 0, time.UTC),
		Modes: []string{"jwt"}, Target: result.Target{Description: "live render check", Fixture: "host-only"}, Chromium: "Chrome/156",
		Specs: []result.Spec{
			{
				ID: result.JWTCookie002, Title: "the cookie is shared with the app", Labels: []string{"mode:jwt", "area:cookie"}, State: result.StateFailed, JudgeMS: 41,
				Diagnostics: []diag.Diagnostic{diag.New(diag.CookieHostOnly, "Domain=.acme.test", "no Domain attribute").WithFix(testFix)},
			},
			{ID: result.JWTCookie001, Title: "the cookie is set", Labels: []string{"mode:jwt", "area:cookie"}, State: result.StatePassed, JudgeMS: 3},
		},
	}
	r.Summarize()
	page := filepath.Join(dir, HTMLFile)
	if err := WriteHTML(page, r); err != nil {
		t.Fatalf("WriteHTML() error = %v", err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	s, err := shared.Browser(t).NewSession(ctx, browser.SessionOptions{})
	if err != nil {
		t.Fatalf("NewSession() error = %v", err)
	}
	defer s.Close()
	eval := func(expr string) any {
		t.Helper()
		v, err := browser.Evaluate[any](ctx, s, expr)
		if err != nil {
			t.Fatalf("Evaluate(%s) error = %v", expr, err)
		}
		return v
	}
	// Navigate loads the page, then waits for Chromium's network cookie
	// events, which a file:// load never has; so it is bounded briefly and
	// the load is confirmed from the page itself.
	url := "file://" + page
	navCtx, navCancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	_, navErr := s.Navigate(navCtx, url)
	navCancel()
	for eval(`document.readyState === "complete" && location.href === `+strconv.Quote(url)) != true {
		if ctx.Err() != nil {
			t.Fatalf("Navigate(%s) error = %v; the page never finished loading", url, navErr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	const card = `document.getElementById("spec-JWT-COOKIE-002")`
	if got := eval(`document.getElementById("verdict").innerText`).(string); !strings.Contains(strings.ToLower(got), result.VerdictNonConformant) {
		t.Errorf("#verdict innerText = %q, want it to contain %q", got, result.VerdictNonConformant)
	}
	if got := eval(card + `.offsetParent !== null`); got != true {
		t.Errorf("failed card visible = %v, want true", got)
	}
	if got := eval(card + `.querySelector(".fix").offsetParent !== null`); got != true {
		t.Errorf("failed card .fix visible = %v, want true", got)
	}
	if got := eval(card + `.querySelector(".fix").innerText`); got != testFix {
		t.Errorf("failed card .fix innerText = %q, want %q", got, testFix)
	}
	if got := eval(`document.getElementById("filters").offsetParent !== null`); got != true {
		t.Errorf("filter bar visible = %v, want true once the script ran", got)
	}

	shot, err := s.Screenshot(ctx)
	if err != nil {
		t.Fatalf("Screenshot() error = %v", err)
	}
	out := os.Getenv("MFCONFORM_TEST_ARTIFACTS")
	if out == "" {
		out = t.TempDir()
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatalf("MkdirAll(%s) error = %v", out, err)
	}
	shotPath := filepath.Join(out, "report-html-live.png")
	if err := os.WriteFile(shotPath, shot, 0o644); err != nil {
		t.Fatalf("WriteFile(%s) error = %v", shotPath, err)
	}
	t.Logf("screenshot of the rendered report: %s", shotPath)

	eval(`document.querySelector('input[data-filter-state="failed"]').click()`)
	if got := eval(card + `.offsetParent === null`); got != true {
		t.Errorf("failed card hidden after unchecking the failed filter = %v, want true", got)
	}
	if got := eval(`document.getElementById("spec-JWT-COOKIE-001").hidden`); got != false {
		t.Errorf("passed card hidden = %v, want false (its state is still shown)", got)
	}
	eval(`(() => { const f = document.getElementById("filter-text"); f.value = "host_only"; f.dispatchEvent(new Event("input")); })()`)
	if got := eval(`document.getElementById("spec-JWT-COOKIE-001").hidden`); got != true {
		t.Errorf("passed card hidden by a text filter on a code it lacks = %v, want true", got)
	}
}
