package reports

import (
	"context"
	"encoding/json"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/suites/result"
)

// TestHTMLLive opens a written report.html in a real headless Chromium: at
// 1366×900 the verdict and the first fix are on screen without scrolling;
// at 390×844 (a phone) nothing is wider than the screen, every <details>
// opened; the banner's counts are legible on every verdict's colour; the
// state filter hides a card; and the page is captured as a screenshot.
func TestHTMLLive(t *testing.T) {
	dir := t.TempDir()

	// The widest report the renderers know: every kind of evidence, a
	// stack's multi-line fix, a waiver, blocked and not-judged specs, and
	// an observation with no place to break a line.
	r := renderReport(t, 2)
	r.Specs[0].Diagnostics[0] = r.Specs[0].Diagnostics[0].WithFix(testFix)
	r.Specs[1].Diagnostics[0].Observed = "Set-Cookie: mf_jwt_token=" + strings.Repeat("eyJhbGciOiJIUzI1NiJ9", 20) + "; Path=/"
	r.Specs = append(r.Specs,
		result.Spec{ID: result.JWTCookie006, Title: "SameSite=None, proven in a cross-site iframe", Labels: []string{"mode:jwt", "area:cookie"},
			State: result.StateBlocked, BlockedBy: result.JWTCookie001, Reason: "blocked by JWT-COOKIE-001: the cookie does not reach the app"},
		result.Spec{ID: result.JWTCookie010, Title: "exactly one mf_jwt_token reaches the app", Labels: []string{"mode:jwt", "area:cookie"},
			State: result.StateBlocked, BlockedBy: result.JWTCookie001, Reason: "blocked by JWT-COOKIE-001: the cookie does not reach the app"})
	r.Target.Stacks = []result.StackGuess{{Role: "backend", ID: "unknown", Name: "unknown", Confidence: result.ConfidenceUnknown, Evidence: []string{"no Server header"}}}
	r.Summarize()
	page := filepath.Join(dir, HTMLFile)
	if err := WriteHTML(page, r); err != nil {
		t.Fatalf("WriteHTML() error = %v", err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
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
	// load opens the report at a viewport size. Navigate loads the page,
	// then waits for Chromium's network cookie events, which a file://
	// load never has; so it is bounded briefly and the load is confirmed
	// from the page itself.
	load := func(width, height int, mobile bool) {
		t.Helper()
		if err := s.SetViewport(ctx, width, height, mobile); err != nil {
			t.Fatal(err)
		}
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
	}
	// inView reports whether the first element a selector finds lies
	// wholly within the viewport, unscrolled.
	inView := func(selector string) (bool, string) {
		t.Helper()
		got := eval(`(() => { const e = document.querySelector(` + strconv.Quote(selector) + `); if (!e) return "missing";
			const r = e.getBoundingClientRect();
			return JSON.stringify({top: r.top, bottom: r.bottom, left: r.left, right: r.right, w: innerWidth, h: innerHeight}); })()`).(string)
		var box struct{ Top, Bottom, Left, Right, W, H float64 }
		if got == "missing" || json.Unmarshal([]byte(got), &box) != nil {
			return false, got
		}
		return box.Top >= 0 && box.Left >= 0 && box.Bottom <= box.H && box.Right <= box.W, got
	}

	t.Run("desktop 1366x900: the verdict and the first fix without scrolling", func(t *testing.T) {
		load(1366, 900, false)
		if got := eval(`document.getElementById("verdict").innerText`).(string); !strings.Contains(strings.ToLower(got), result.VerdictNonConformant) {
			t.Errorf("#verdict innerText = %q, want it to contain %q", got, result.VerdictNonConformant)
		}
		for _, sel := range []string{"#verdict .verdict-word", "#fix .cause .fix"} {
			if ok, box := inView(sel); !ok {
				t.Errorf("%s is not wholly on screen at 1366x900: %s", sel, box)
			}
		}
		if got := eval(`document.querySelector("#fix .cause .fix").innerText`).(string); !strings.HasSuffix(got, testFix) {
			t.Errorf("first fix = %q, want it to end in %q", got, testFix)
		}
		shot(t, s, ctx, "report-html-live.png")
	})

	t.Run("phone 390x844: no horizontal scroll, every details open", func(t *testing.T) {
		load(390, 844, true)
		const overflow = `(() => { const w = document.scrollingElement.scrollWidth, v = innerWidth;
			const wide = [...document.querySelectorAll("body *")].filter(e => e.closest("pre") === null && e.getBoundingClientRect().right > v + 0.5)
				.slice(0, 5).map(e => e.tagName + "." + e.className);
			return JSON.stringify({scrollWidth: w, innerWidth: v, wide: wide}); })()`
		check := func(when string) {
			got := eval(overflow).(string)
			var o struct {
				ScrollWidth, InnerWidth float64
				Wide                    []string
			}
			if err := json.Unmarshal([]byte(got), &o); err != nil {
				t.Fatalf("overflow check: %v (%s)", err, got)
			}
			if o.InnerWidth != 390 || o.ScrollWidth > o.InnerWidth {
				t.Errorf("%s: scrollWidth %v, viewport %v: the page scrolls sideways at 390 px (wider than the screen: %v)", when, o.ScrollWidth, o.InnerWidth, o.Wide)
			}
		}
		check("as opened")
		eval(`document.querySelectorAll("details").forEach(d => d.open = true)`)
		check("every <details> open")
		if ok, box := inView("#verdict .verdict-word"); !ok {
			t.Errorf("the verdict is not on screen at 390x844: %s", box)
		}
		shot(t, s, ctx, "report-html-live-390.png")
	})

	t.Run("the banner's counts are legible on every verdict's colour", func(t *testing.T) {
		load(1366, 900, false)
		for _, class := range slices.Sorted(maps.Values(verdictClass)) {
			got := eval(`(() => { const b = document.getElementById("verdict"); b.className = "banner ` + class + `";
				const cs = e => getComputedStyle(e), out = {banner: cs(b).backgroundColor, text: cs(b).color, counts: []};
				b.querySelectorAll(".count").forEach(c => out.counts.push({cls: c.className, bg: cs(c).backgroundColor, fg: cs(c).color,
					n: cs(c.querySelector(".n")).color, mark: cs(c, "::before").backgroundColor}));
				document.querySelectorAll(".badge").forEach(c => out.counts.push({cls: c.className, bg: cs(c).backgroundColor, fg: cs(c).color, n: cs(c).color, mark: ""}));
				return JSON.stringify(out); })()`).(string)
			var c struct {
				Banner, Text string
				Counts       []struct{ Cls, Bg, Fg, N, Mark string }
			}
			if err := json.Unmarshal([]byte(got), &c); err != nil {
				t.Fatalf("colours: %v (%s)", err, got)
			}
			if cr := contrast(t, c.Text, c.Banner); cr < 4.5 {
				t.Errorf("%s: the verdict's text %s on %s has contrast %.2f, want at least 4.5", class, c.Text, c.Banner, cr)
			}
			for _, k := range c.Counts {
				for what, fg := range map[string]string{"text": k.Fg, "number": k.N} {
					if cr := contrast(t, fg, k.Bg); cr < 4.5 {
						t.Errorf("%s: %q's %s %s on %s has contrast %.2f, want at least 4.5", class, k.Cls, what, fg, k.Bg, cr)
					}
				}
				if strings.HasPrefix(k.Cls, "count") {
					if cr := contrast(t, k.Bg, c.Banner); cr < 3 {
						t.Errorf("%s: the chip %q (%s) stands out from the banner (%s) by %.2f, want at least 3", class, k.Cls, k.Bg, c.Banner, cr)
					}
				}
			}
			first := c.Counts[0].Cls
			if !strings.Contains(first, "s-failed") {
				t.Errorf("%s: the first count is %q, want failed", class, first)
			}
		}
	})

	t.Run("the state and text filters", func(t *testing.T) {
		load(1366, 900, false)
		const card = `document.getElementById("spec-JWT-COOKIE-002")`
		if got := eval(card + `.offsetParent !== null`); got != true {
			t.Errorf("failed card visible = %v, want true", got)
		}
		if got := eval(`document.getElementById("filters").offsetParent !== null`); got != true {
			t.Errorf("filter bar visible = %v, want true once the script ran", got)
		}
		eval(`document.querySelector('input[data-filter-state="failed"]').click()`)
		if got := eval(card + `.offsetParent === null`); got != true {
			t.Errorf("failed card hidden after unchecking the failed filter = %v, want true", got)
		}
		if got := eval(`document.getElementById("spec-SB-KEY-001").hidden`); got != false {
			t.Errorf("passed card hidden = %v, want false (its state is still shown)", got)
		}
		eval(`(() => { const f = document.getElementById("filter-text"); f.value = "host_only"; f.dispatchEvent(new Event("input")); })()`)
		if got := eval(`document.getElementById("spec-SB-KEY-001").hidden`); got != true {
			t.Errorf("passed card hidden by a text filter on a code it lacks = %v, want true", got)
		}
	})
}

// shot saves a screenshot of the page for a person to look at: in
// MFCONFORM_TEST_ARTIFACTS when set.
func shot(t *testing.T, s *browser.Session, ctx context.Context, name string) {
	t.Helper()
	png, err := s.Screenshot(ctx)
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
	path := filepath.Join(out, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("WriteFile(%s) error = %v", path, err)
	}
	t.Logf("screenshot of the rendered report: %s", path)
}

// contrast is the WCAG 2 contrast ratio of two computed CSS colours
// ("rgb(r, g, b)"; an "rgba" colour must be opaque).
func contrast(t *testing.T, a, b string) float64 {
	t.Helper()
	la, lb := luminance(t, a), luminance(t, b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// luminance is a colour's relative luminance (WCAG 2, sRGB).
func luminance(t *testing.T, css string) float64 {
	t.Helper()
	inner, ok := strings.CutSuffix(strings.TrimPrefix(strings.TrimPrefix(css, "rgba("), "rgb("), ")")
	parts := strings.Split(inner, ",")
	if !ok || len(parts) < 3 || len(parts) == 4 && strings.TrimSpace(parts[3]) != "1" {
		t.Fatalf("colour %q: want an opaque rgb()", css)
	}
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, err := strconv.ParseFloat(strings.TrimSpace(parts[i]), 64)
		if err != nil {
			t.Fatalf("colour %q: %v", css, err)
		}
		c := v / 255
		if c <= 0.03928 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += w * c
	}
	return l
}
