package reports

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/result"
)

// testFix is the fix text of the failing diagnostic in renderReport.
const testFix = "Set Domain=.acme.test on mf_jwt_token so app.acme.test receives it."

// tinyPNG is a real 2×2 PNG.
func tinyPNG(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{R: 255, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatalf("png.Encode() error = %v", err)
	}
	return b.Bytes()
}

// renderReport is a summarized synthetic report: failures failed specs
// (the first with cookie, token, screenshot and free-form evidence), a
// warned, a waived, a skipped and a passed spec with evidence, across two
// modes.
func renderReport(t testing.TB, failures int) *result.Report {
	t.Helper()
	start := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	r := &result.Report{
		SchemaVersion: result.SchemaVersion, Tool: "mfconform", Version: "v1.2.3",
		StartedAt: start, FinishedAt: start.Add(4200 * time.Millisecond),
		Modes:             []string{"jwt", "supabase"},
		Target:            result.Target{Description: "staging at acme.test", Fixture: "host-only", LoginURL: "https://login.acme.test/login", AppURL: "https://app.acme.test/"},
		Chromium:          "Chrome/156.0.8078.108",
		ConfigFingerprint: "cfg-5eed1234",
		PhasesMS:          map[string]float64{"specs": 3000},
	}
	cookies := []result.CookieRow{
		{Where: "Set-Cookie on login.acme.test/login", Name: "mf_jwt_token", Path: "/", Secure: true, HttpOnly: true, SameSite: "None", Size: 245, Stored: true},
		{Where: "top-level navigation to app.acme.test", Name: "mf_jwt_token", Path: "/", Secure: true, HttpOnly: true, SameSite: "None", Size: 245, Stored: true, Sent: "withheld", Reason: "DomainMismatch"},
	}
	token := result.TokenView{
		Redacted: "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoidTEifQ.<signature dropped>",
		Header:   map[string]any{"alg": "HS256", "typ": "JWT"},
		Claims:   map[string]any{"user_id": "user123", "exp": 1795673490.451601, "roles": []string{"admin"}},
		Notes:    map[string]string{"exp": "2026-11-26T06:11:30Z (in 1h)"},
	}
	for i := range failures {
		s := result.Spec{
			ID: result.SpecID(fmt.Sprintf("JWT-COOKIE-%03d", i+1)), Title: "the cookie reaches the app", Labels: []string{"mode:jwt", "area:cookie"},
			State: result.StateFailed, JudgeMS: 812,
			Diagnostics: []diag.Diagnostic{diag.New(diag.CookieHostOnly, "Domain=.acme.test", "no Domain attribute: host-only on login.acme.test").WithFix(testFix)},
		}
		if i == 0 {
			s.Evidence = []result.Named{
				{Name: result.EvidenceCookies, Value: cookies},
				{Name: result.EvidenceToken, Value: token},
				{Name: result.EvidenceScreenshot, Value: result.Screenshot{Caption: "the app after login", PNG: tinyPNG(t)}},
				{Name: "cross-site", Value: map[string]string{"iframe": "withheld (SchemefulSameSiteLax)"}},
			}
		}
		r.Specs = append(r.Specs, s)
	}
	r.Specs = append(r.Specs,
		result.Spec{
			ID: result.JWTToken001, Title: "token lifetime", Labels: []string{"mode:jwt", "area:token"}, State: result.StateWarned, JudgeMS: 2,
			Diagnostics: []diag.Diagnostic{diag.New(diag.TokenLifetimeLong, "at most 24 h", "30 days")},
		},
		result.Spec{
			ID: result.JWTToken002, Title: "token is HS256", Labels: []string{"mode:jwt", "area:token"}, State: result.StateWaived, WaivedState: result.StateFailed,
			Waiver:      &result.Waiver{Code: string(diag.TokenClockSkew), Reason: "clock skew accepted until NTP fix", Expires: "2099-12-31"},
			Diagnostics: []diag.Diagnostic{diag.New(diag.TokenClockSkew, "iat in the past", "iat 90 s ahead")},
		},
		result.Spec{ID: result.SBBrowser002, Title: "supabase-js signs in", Labels: []string{"mode:supabase", "area:browser"}, State: result.StateNotJudged,
			Input: "SUPABASE_TEST_EMAIL and SUPABASE_TEST_PASSWORD", Reason: "no test user given"},
		result.Spec{
			ID: result.SBKey001, Title: "the key is public", Labels: []string{"mode:supabase", "area:key"}, State: result.StatePassed, JudgeMS: 0.4,
			Evidence: []result.Named{{Name: "key", Value: "sb_publishable_…(46 chars)"}},
		},
	)
	r.Summarize()
	return r
}

func renderHTML(t *testing.T, r *result.Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := RenderHTML(&b, r); err != nil {
		t.Fatalf("RenderHTML() error = %v", err)
	}
	return b.String()
}

// roundTrip is r as ReadJSON would return it: evidence values become
// generic JSON (map[string]any, []any, base64 strings).
func roundTrip(t *testing.T, r *result.Report) *result.Report {
	t.Helper()
	path := filepath.Join(t.TempDir(), JSONFile)
	if err := WriteJSON(path, r); err != nil {
		t.Fatalf("WriteJSON() error = %v", err)
	}
	got, err := ReadJSON(path)
	if err != nil {
		t.Fatalf("ReadJSON() error = %v", err)
	}
	return got
}

func TestRenderHTML(t *testing.T) {
	hostile := renderReport(t, 1)
	hostile.Specs[0].Diagnostics[0].Observed = `Set-Cookie: x=<script>alert("pwned")</script>`
	hostile.Target.Description = `<img src=x onerror=alert(1)>`
	hostile.Summarize()

	conformant := &result.Report{Tool: "mfconform", Version: "dev", Modes: []string{"jwt"}, Target: result.Target{Description: "all good"},
		Specs: []result.Spec{{ID: result.JWTApp001, Title: "reachable", Labels: []string{"mode:jwt", "area:app"}, State: result.StatePassed}}}
	conformant.Summarize()

	setup := &result.Report{Tool: "mfconform", Version: "dev", Target: result.Target{Description: "unreachable"}, SetupError: "start reference verifier: address in use",
		WaiverProblems: []string{"waiver for JWT-NOPE-001 matched no spec"}}
	setup.Summarize()

	tests := []struct {
		name    string
		r       *result.Report
		verdict string
		want    []string // substrings of the page
		wantNot []string
	}{
		{
			name: "failures with evidence", r: renderReport(t, 1), verdict: result.VerdictNonConformant,
			want: []string{
				`id="spec-JWT-COOKIE-001"`, `data-state="failed"`, `data-codes="COOKIE_HOST_ONLY"`, `data-labels="mode:jwt area:cookie"`,
				`class="fix"`, "Set Domain=.acme.test on mf_jwt_token so app.acme.test receives it.", `id="cause-1"`, `href="#cause-1"`,
				"<th>Where</th>", "<th>Name</th>", "<th>Domain</th>", "<th>Path</th>", "<th>Secure</th>", "<th>HttpOnly</th>",
				"<th>SameSite</th>", "<th>Size</th>", "<th>Stored?</th>", "<th>Sent?</th>", "<th>Chromium's reason</th>",
				"DomainMismatch", "(host-only)",
				`<th scope="row">user_id</th>`, "<code>user123</code>", "<code>1795673490.451601</code>", "2026-11-26T06:11:30Z (in 1h)",
				`<th scope="row">alg</th>`, `<code>[&#34;admin&#34;]</code>`,
				`<img src="data:image/png;base64,iVBORw0KGgo`, "the app after login",
				"&#34;iframe&#34;: &#34;withheld (SchemefulSameSiteLax)&#34;",
				"clock skew accepted until NTP fix", "expires 2099-12-31", "waived (was failed)",
				"no test user given", "sb_publishable_…(46 chars)", `id="missing-inputs"`, "SUPABASE_TEST_EMAIL and SUPABASE_TEST_PASSWORD",
				"judged in 812 ms",
				"Failures and warnings", "Chrome/156.0.8078.108", "cfg-5eed1234", "2026-03-04 05:06:07 UTC", "4.2s",
				`class="cell s-failed"`, `class="cell s-warned"`, `class="cell s-not_judged"`, `class="cell s-passed"`,
				`data-filter-state="failed"`, `id="filter-text"`, "@media print",
			},
		},
		{
			name: "conformant", r: conformant, verdict: result.VerdictConformant,
			want:    []string{"v-ok", "No failures, warnings or waivers.", `id="spec-JWT-APP-001"`},
			wantNot: []string{`id="setup-error"`, `id="waiver-problems"`, `id="unjudged"`, `id="missing-inputs"`},
		},
		{
			name: "setup error", r: setup, verdict: result.VerdictError,
			want: []string{"v-error", `id="setup-error"`, "address in use", `id="waiver-problems"`, "matched no spec"},
		},
		{
			name: "hostile text is escaped", r: hostile, verdict: result.VerdictNonConformant,
			want:    []string{"x=&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;"},
			wantNot: []string{`<script>alert`, `<img src=x`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := renderHTML(t, tt.r)
			doc, err := html.Parse(strings.NewReader(page))
			if err != nil {
				t.Fatalf("html.Parse() error = %v", err)
			}
			banner := byID(doc, "verdict")
			if banner == nil {
				t.Fatal(`no element with id="verdict"`)
			}
			if got := strings.ToLower(textOf(banner)); !strings.Contains(got, tt.verdict) {
				t.Errorf("#verdict text = %q, want it to contain %q", got, tt.verdict)
			}
			for _, w := range tt.want {
				if !strings.Contains(page, w) {
					t.Errorf("page does not contain %q", w)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(page, w) {
					t.Errorf("page contains %q, want it absent", w)
				}
			}
			assertSelfContained(t, doc)
		})
	}
}

// assertSelfContained fails when the page would load anything: one inline
// script, no external scripts, stylesheets or images.
func assertSelfContained(t *testing.T, doc *html.Node) {
	t.Helper()
	scripts := 0
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		switch n.Data {
		case "script":
			scripts++
			if v, ok := attr(n, "src"); ok {
				t.Errorf("<script src=%q>, want inline scripts only", v)
			}
		case "link":
			if v, _ := attr(n, "href"); v != "" {
				t.Errorf("<link href=%q>, want no linked assets", v)
			}
		case "img":
			if v, _ := attr(n, "src"); !strings.HasPrefix(v, "data:image/png;base64,") {
				t.Errorf("<img src=%.40q>, want a data: URI", v)
			}
		}
	})
	if scripts != 1 {
		t.Errorf("page has %d <script> elements, want 1 (the inline filter script)", scripts)
	}
	assertCSPAllowsOnlyItsOwn(t, doc)
}

// assertCSPAllowsOnlyItsOwn fails unless the page carries a
// Content-Security-Policy that loads nothing from anywhere and whose hash
// sources are exactly those of its inline <style> and <script>, so the
// filter script runs and nothing injected would.
func assertCSPAllowsOnlyItsOwn(t *testing.T, doc *html.Node) {
	t.Helper()
	var csp string
	var inline []string
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		switch n.Data {
		case "meta":
			if v, _ := attr(n, "http-equiv"); strings.EqualFold(v, "Content-Security-Policy") {
				csp, _ = attr(n, "content")
			}
		case "style", "script":
			text := ""
			if n.FirstChild != nil {
				text = n.FirstChild.Data
			}
			sum := sha256.Sum256([]byte(text))
			inline = append(inline, n.Data+"-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
		}
	})
	if !strings.HasPrefix(csp, "default-src 'none';") {
		t.Fatalf("Content-Security-Policy = %q, want one starting default-src 'none'", csp)
	}
	for _, src := range inline {
		if !strings.Contains(csp, src) {
			t.Errorf("Content-Security-Policy %q lacks %s: the browser would block the page's own element", csp, src)
		}
	}
	if n := strings.Count(csp, "'sha256-"); n != len(inline) {
		t.Errorf("Content-Security-Policy allows %d hashes, want %d (the inline style and script)", n, len(inline))
	}
}

func TestRenderHTMLFailedCard(t *testing.T) {
	doc, err := html.Parse(strings.NewReader(renderHTML(t, renderReport(t, 2))))
	if err != nil {
		t.Fatalf("html.Parse() error = %v", err)
	}
	for _, id := range []string{"spec-JWT-COOKIE-001", "spec-JWT-COOKIE-002"} {
		card := byID(doc, id)
		if card == nil {
			t.Fatalf("no card %q", id)
		}
		if got, _ := attr(card, "data-state"); got != string(result.StateFailed) {
			t.Errorf("%s data-state = %q, want %q", id, got, result.StateFailed)
		}
		link := first(card, func(n *html.Node) bool { v, _ := attr(n, "class"); return v == "fix-link" })
		if link == nil {
			t.Errorf("%s has no link to its fix", id)
		} else if href, _ := attr(link, "href"); href != "#cause-1" {
			t.Errorf("%s links to its fix at %q, want #cause-1", id, href)
		}
		if strings.Contains(textOf(card), testFix) {
			t.Errorf("%s repeats the fix; it is in what to fix, once", id)
		}
	}
	// One cause shown by both failed specs, with its fix once on the page,
	// before the warning's.
	fixes := byID(doc, "fix")
	var causes []*html.Node
	walk(fixes, func(n *html.Node) {
		if v, _ := attr(n, "class"); n.Data == "li" && strings.HasPrefix(v, "cause ") {
			causes = append(causes, n)
		}
	})
	if len(causes) != 2 {
		t.Fatalf("what to fix has %d causes, want 2 (the failure, then the warning)", len(causes))
	}
	fix := first(causes[0], func(n *html.Node) bool { v, _ := attr(n, "class"); return v == "fix" })
	if fix == nil || !strings.HasSuffix(textOf(fix), testFix) {
		t.Errorf("cause .fix = %q, want it to end in %q", textOf(fix), testFix)
	}
	if shown := first(causes[0], func(n *html.Node) bool { v, _ := attr(n, "class"); return v == "shown" }); shown == nil || !strings.Contains(textOf(shown), string(result.JWTCookie001)) || !strings.Contains(textOf(shown), string(result.JWTCookie002)) {
		t.Errorf("cause shown by %q, want both specs", textOf(shown))
	}
	// The verdict, then what to fix, then what is missing, the failures,
	// what did not judge, passed inside a <details>; run details last.
	order := []string{"fix", "missing-inputs", "attention", "unjudged", "passed", "run"}
	var seen []string
	walk(doc, func(n *html.Node) {
		if v, _ := attr(n, "id"); n.Data == "section" && v != "" && v != "areas" && v != "catalogue" {
			seen = append(seen, v)
		}
	})
	if strings.Join(seen, ",") != strings.Join(order, ",") {
		t.Errorf("sections = %q, want %q", seen, order)
	}
	passed := byID(doc, "spec-SB-KEY-001")
	if passed == nil || passed.Data != "details" || passed.Parent == nil {
		t.Fatalf("passed card = %v, want a <details>", passed)
	}
}

func TestRenderHTMLEvidenceRoundTrip(t *testing.T) {
	live := renderReport(t, 1)
	if got, want := renderHTML(t, roundTrip(t, live)), renderHTML(t, live); got != want {
		t.Errorf("RenderHTML(report read back from JSON) differs from RenderHTML(live report)\n%s", firstDiff(got, want))
	}
}

func TestNewEvidenceView(t *testing.T) {
	tests := []struct {
		name     string
		in       result.Named
		wantKind string
		wantText string
	}{
		{"cookies", result.Named{Name: result.EvidenceCookies, Value: []result.CookieRow{{Name: "a"}}}, "cookies", ""},
		{"cookies as JSON", result.Named{Name: result.EvidenceCookies, Value: []any{map[string]any{"name": "a", "secure": true}}}, "cookies", ""},
		{"token", result.Named{Name: result.EvidenceToken, Value: result.TokenView{Claims: map[string]any{"sub": "x"}}}, "token", ""},
		{"token as a string falls back", result.Named{Name: result.EvidenceToken, Value: "eyJ.eyJ.<dropped>"}, "text", "eyJ.eyJ.<dropped>"},
		{"cookies of the wrong shape fall back", result.Named{Name: result.EvidenceCookies, Value: map[string]int{"n": 1}}, "text", "{\n  \"n\": 1\n}"},
		{"empty screenshot falls back", result.Named{Name: result.EvidenceScreenshot, Value: result.Screenshot{Caption: "c"}}, "text", "{\n  \"caption\": \"c\",\n  \"png\": null\n}"},
		{"other as JSON", result.Named{Name: "cors", Value: map[string]any{"allow": "<https://app>"}}, "text", "{\n  \"allow\": \"<https://app>\"\n}"},
		{"null", result.Named{Name: "chromium-verdict", Value: nil}, "text", "null"},
		{"string as itself", result.Named{Name: "probe", Value: "HTTP 401 \"denied\""}, "text", `HTTP 401 "denied"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := newEvidenceView(tt.in)
			if got.Kind != tt.wantKind || got.Text != tt.wantText {
				t.Errorf("newEvidenceView(%+v) = kind %q text %q, want kind %q text %q", tt.in, got.Kind, got.Text, tt.wantKind, tt.wantText)
			}
		})
	}
}

func TestWriteHTML(t *testing.T) {
	path := filepath.Join(t.TempDir(), HTMLFile)
	if err := WriteHTML(path, renderReport(t, 1)); err != nil {
		t.Fatalf("WriteHTML() error = %v", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("ReadFile() error = %v", err)
	}
	if !bytes.HasPrefix(b, []byte("<!DOCTYPE html>")) {
		t.Errorf("WriteHTML() wrote %.40q…, want an HTML document", b)
	}
	if err := WriteHTML(filepath.Join(path, "under-a-file.html"), renderReport(t, 1)); err == nil {
		t.Error("WriteHTML(under a regular file) error = nil, want an error")
	}
}

func TestGridWorstState(t *testing.T) {
	areas := map[string]map[result.State]int{
		"jwt:cookie":      {result.StatePassed: 3, result.StateNotJudged: 1, result.StateWaived: 1},
		"jwt:token":       {result.StatePassed: 1, result.StateWarned: 1, result.StateFailed: 1},
		"supabase:key":    {result.StateNotJudged: 2},
		"supabase:config": {result.StatePassed: 2},
		"extra:thing":     {result.StateWarned: 1, result.StateWaived: 1},
	}
	rows, width := grid([]string{"supabase", "jwt"}, areas)
	var got []string
	for _, r := range rows {
		for _, c := range r.Cells {
			got = append(got, r.Mode+":"+c.Area+"="+string(c.State))
		}
	}
	want := "supabase:config=passed supabase:key=not_judged jwt:cookie=not_judged jwt:token=failed extra:thing=warned"
	if strings.Join(got, " ") != want || width != 2 {
		t.Errorf("grid() = %q width %d, want %q width 2", strings.Join(got, " "), width, want)
	}
	if len(rows[2].Pad) != 1 {
		t.Errorf("grid() row extra pads %d cells, want 1", len(rows[2].Pad))
	}
}

func walk(n *html.Node, f func(*html.Node)) {
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

func first(n *html.Node, match func(*html.Node) bool) *html.Node {
	var found *html.Node
	walk(n, func(c *html.Node) {
		if found == nil && c.Type == html.ElementNode && match(c) {
			found = c
		}
	})
	return found
}

func byID(n *html.Node, id string) *html.Node {
	return first(n, func(c *html.Node) bool { v, _ := attr(c, "id"); return v == id })
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// textOf is the node's text with whitespace runs collapsed.
func textOf(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
			b.WriteByte(' ')
		}
	})
	return strings.Join(strings.Fields(b.String()), " ")
}

// firstDiff shows where two long strings part.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-80)
	return "got:  …" + a[lo:min(len(a), i+80)] + "\nwant: …" + b[lo:min(len(b), i+80)]
}
