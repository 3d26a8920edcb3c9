package reports

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/mfconform/mfconform/suites/result"
)

// HTMLFile is the name of the self-contained HTML report in the report
// directory.
const HTMLFile = "report.html"

//go:embed assets/report.html.tmpl assets/report.css assets/report.js
var assets embed.FS

// htmlTemplate is parsed once; the CSS and JavaScript it inlines are
// trusted constants read from the same embedded files.
var (
	htmlTemplate = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
		"upper":   strings.ToUpper,
		"join":    strings.Join,
		"joinIDs": result.JoinIDs,
		// The labels of a proven cause and of hypotheses, as every
		// rendering words them.
		"provenBy": func() string { return result.LabelProvenBy },
		"likely":   result.LikelyLabel,
		"tell":     func() string { return result.LabelTell },
	}).ParseFS(assets, "assets/report.html.tmpl"))
	htmlCSS = template.CSS(mustAsset("assets/report.css"))
	htmlJS  = template.JS(mustAsset("assets/report.js"))
	// htmlCSP is the page's Content-Security-Policy: nothing loads from
	// anywhere, and only the inlined style and script (by their SHA-256,
	// CSP Level 2 hash sources) and data: images (screenshots) are allowed.
	// A target's text that slipped past escaping still could not run.
	htmlCSP = "default-src 'none'; style-src " + cspHash(string(htmlCSS)) + "; script-src " + cspHash(string(htmlJS)) +
		"; img-src data:; base-uri 'none'; form-action 'none'"
)

// cspHash is a CSP hash source for an inline element's exact text.
func cspHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

func mustAsset(name string) string {
	b, err := assets.ReadFile(name)
	if err != nil {
		panic("reports: missing embedded asset " + name)
	}
	return string(b)
}

// WriteHTML writes the report as one self-contained HTML file.
func WriteHTML(path string, r *result.Report) error {
	var b bytes.Buffer
	if err := RenderHTML(&b, r); err != nil {
		return fmt.Errorf("reports: render %s: %w", path, err)
	}
	return WriteFile(path, b.Bytes())
}

// RenderHTML renders the report as one self-contained HTML page: styles,
// script and screenshots are inlined, so it reads offline and prints.
func RenderHTML(w io.Writer, r *result.Report) error {
	return htmlTemplate.Execute(w, newHTMLPage(r))
}

// stateRank orders states from worst to mildest for colouring a grid cell
// and ordering the cards that need attention.
var stateRank = map[result.State]int{
	result.StateFailed: 8, result.StateInterrupted: 7, result.StateBlocked: 6, result.StateNotJudged: 5,
	result.StateWarned: 4, result.StateWaived: 3, result.StateOutOfScope: 2, result.StatePassed: 1,
}

// bannerOrder is the order of the banner's counts: what needs action
// first, failed before everything.
var bannerOrder = []result.State{result.StateFailed, result.StateInterrupted, result.StateWarned, result.StateBlocked,
	result.StateNotJudged, result.StateWaived, result.StatePassed, result.StateOutOfScope}

// verdictClass maps a verdict to the banner's colour class; an incomplete
// run has its own colour, never the conformant one.
var verdictClass = map[string]string{
	result.VerdictConformant:    "v-ok",
	result.VerdictWarnings:      "v-warn",
	result.VerdictIncomplete:    "v-incomplete",
	result.VerdictNonConformant: "v-fail",
	result.VerdictError:         "v-error",
	result.VerdictInterrupted:   "v-error",
}

// htmlPage is what the template renders: the report plus derived views.
type htmlPage struct {
	R            *result.Report
	VerdictText  string
	CSS          template.CSS
	JS           template.JS
	CSP          string
	VerdictClass string
	Started      string
	Duration     string
	Total        int
	Counts       []stateCount
	Grid         []gridRow
	GridWidth    int
	Phases       []phase
	Filters      []result.State
	Bundles      []phase
	Attention    []specView
	// Causes are the root causes in the order to fix them, and Blocked
	// one line per spec that blocked others.
	Causes     []causeView
	Blocked    []blockedView
	Unjudged   []specView
	OutOfScope []specView
	Passed     []specView
	// Catalogue is the catalogue entry of every code the report shows,
	// sorted, each diagnostic's code linking to its entry.
	Catalogue []catalogueView
}

// catalogueView is one code's entry with its fix in every stack; Used
// marks the stack fixes a diagnostic of this run carried.
type catalogueView struct {
	result.Entry
	Fixes []stackFixView
}

type stackFixView struct {
	result.StackFix
	Used bool
}

// catalogue lists the report's catalogue entries by code.
func catalogue(r *result.Report) []catalogueView {
	used := map[result.Code]map[string]bool{}
	for _, s := range r.Specs {
		for _, d := range s.Diagnostics {
			if d.FixFor != "" {
				if used[d.Code] == nil {
					used[d.Code] = map[string]bool{}
				}
				used[d.Code][d.FixFor] = true
			}
		}
	}
	var out []catalogueView
	for _, code := range slices.Sorted(maps.Keys(r.Catalogue)) {
		e := r.Catalogue[code]
		v := catalogueView{Entry: e}
		for _, f := range e.Fixes {
			v.Fixes = append(v.Fixes, stackFixView{StackFix: f, Used: used[code][f.Name]})
		}
		out = append(out, v)
	}
	return out
}

type stateCount struct {
	State result.State
	Label string
	N     int
}

type gridRow struct {
	Mode  string
	Cells []gridCell
	Pad   []struct{} // empty cells that square the table
}

type gridCell struct {
	Area   string
	State  result.State // the worst state in the cell
	Counts []stateCount
}

type phase struct {
	Name     string
	Duration string
}

// specView is one spec card.
type specView struct {
	result.Spec
	Anchor   string
	Kind     string
	Duration string
	Codes    []string
	Evidence []evidenceView
	// Refs are the root causes the spec showed, with what it observed of
	// each (the cause's fix is in "what to fix", once); Shown are the
	// findings a card shows whole (a waived spec's, which no cause holds).
	Refs  []causeRef
	Shown []result.Diagnostic
}

// causeView is one root cause in "what to fix": N is its place in the
// order, Anchor its id, Specs and Blocked link to the spec cards.
type causeView struct {
	result.RootCause
	N       int
	Anchor  string
	Merged  result.Diagnostic
	Specs   []specRef
	Blocked []specRef
}

// specRef links to a spec's card.
type specRef struct {
	ID     result.SpecID
	Anchor string
}

// causeRef is a root cause as one spec's card names it: code, title,
// number and link, and the spec's own observations of it.
type causeRef struct {
	Code     result.Code
	Severity result.Severity
	Title    string
	N        int
	Anchor   string
	Seen     []string
}

// blockedView is one blocked group's line and the cause to fix first.
type blockedView struct {
	Line  string
	Cause string // the anchor of the blocker's cause, "" for none
}

// evidenceView is one piece of evidence, decoded by its name into the
// shape the template draws; Kind says which.
type evidenceView struct {
	Name    string
	Kind    string // "cookies", "token", "screenshot", "shot-ref" or "text"
	Cookies []cookieRowView
	Token   *tokenView
	Shot    template.URL
	Caption string
	Text    string
	// ShotID is a screenshot's id; a "shot-ref" names the screenshot
	// shown once already (ShotWith: with which spec) instead of repeating
	// it.
	ShotID   string
	ShotWith result.SpecID
	png      []byte
}

// cookieRowView is a cookie row as the table draws it: a cookie that was
// never stored has no attributes to show (NotStored), and Refusal is
// Chromium's reason for refusing it.
type cookieRowView struct {
	result.CookieRow
	NotStored bool
	Refusal   string
}

// cookieRowViews marks the rows of a cookie that was never stored: not in
// the jar, and no attribute known (a request on which the cookie could
// not be considered, a write the store refused). Their refusal is their
// own reason, or that of the row that set the cookie of that name and
// was refused. A refused Set-Cookie row keeps the attributes its line
// had: they are what was refused.
func cookieRowViews(rows []result.CookieRow) []cookieRowView {
	refused := map[string]string{}
	for _, r := range rows {
		if !r.Stored && r.Sent == "" && r.Reason != "" {
			if _, ok := refused[r.Name]; !ok {
				refused[r.Name] = r.Reason
			}
		}
	}
	out := make([]cookieRowView, len(rows))
	for i, r := range rows {
		v := cookieRowView{CookieRow: r}
		if !r.Stored && r.Domain == "" && r.Path == "" {
			v.NotStored = true
			v.Refusal = cmp.Or(r.Reason, refused[r.Name])
			if r.Sent != "" {
				// The row's reason is about the request, the refusal about
				// the store: say each once.
				v.Refusal = refused[r.Name]
			}
		}
		out[i] = v
	}
	return out
}

type tokenView struct {
	Redacted string
	Header   []claim
	Claims   []claim
}

type claim struct {
	Key, Value, Note string
}

func newHTMLPage(r *result.Report) htmlPage {
	p := htmlPage{
		R: r, CSS: htmlCSS, JS: htmlJS, CSP: htmlCSP, VerdictText: VerdictLine(r),
		VerdictClass: cmp.Or(verdictClass[r.Verdict], "v-error"),
		Total:        len(r.Specs),
	}
	if !r.StartedAt.IsZero() {
		p.Started = r.StartedAt.UTC().Format("2006-01-02 15:04:05 MST")
		if r.FinishedAt.After(r.StartedAt) {
			p.Duration = r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond).String()
		}
	}
	counts, areas := tally(r)
	for _, s := range bannerOrder {
		if s != result.StateInterrupted || counts[s] > 0 {
			p.Counts = append(p.Counts, stateCount{s, KindText(s), counts[s]})
			p.Filters = append(p.Filters, s)
		}
	}
	p.Grid, p.GridWidth = grid(r.Modes, areas)
	for _, k := range slices.Sorted(maps.Keys(r.PhasesMS)) {
		p.Phases = append(p.Phases, phase{k, ms(r.PhasesMS[k])})
	}
	for _, b := range r.Bundles {
		d := seconds(b.MS)
		if b.Error != "" {
			d += " — " + b.Error
		}
		p.Bundles = append(p.Bundles, phase{b.Name, d})
	}
	for i, s := range r.Specs {
		v := newSpecView(i, s)
		switch s.State {
		case result.StatePassed:
			p.Passed = append(p.Passed, v)
		case result.StateNotJudged, result.StateBlocked:
			p.Unjudged = append(p.Unjudged, v)
		case result.StateOutOfScope:
			p.OutOfScope = append(p.OutOfScope, v)
		default:
			p.Attention = append(p.Attention, v)
		}
	}
	slices.SortStableFunc(p.Attention, func(a, b specView) int { return stateRank[b.State] - stateRank[a.State] })
	p.Causes, p.Blocked = causeViews(r)
	for _, list := range [][]specView{p.Attention, p.Unjudged, p.OutOfScope, p.Passed} {
		for i := range list {
			list[i].Refs = causeRefs(list[i].Spec, p.Causes)
			if list[i].State == result.StateWaived || list[i].State == result.StateInterrupted {
				list[i].Shown = list[i].Diagnostics
			}
		}
	}
	dedupeShots(p.Attention, p.Unjudged, p.OutOfScope, p.Passed)
	p.Catalogue = catalogue(r)
	return p
}

// causeViews are the report's root causes and blocked groups as the page
// links them.
func causeViews(r *result.Report) ([]causeView, []blockedView) {
	causes, groups := r.Causes()
	ref := func(ids []result.SpecID) []specRef {
		var out []specRef
		for _, id := range ids {
			out = append(out, specRef{ID: id, Anchor: "spec-" + string(id)})
		}
		return out
	}
	var views []causeView
	byBlocker := map[result.SpecID]string{}
	for i, c := range causes {
		v := causeView{RootCause: c, N: i + 1, Anchor: fmt.Sprintf("cause-%d", i+1), Merged: c.Merged(), Specs: ref(c.Specs), Blocked: ref(c.Blocked)}
		views = append(views, v)
		for _, id := range c.Specs {
			if _, ok := byBlocker[id]; !ok {
				byBlocker[id] = v.Anchor
			}
		}
	}
	var blocked []blockedView
	for _, g := range groups {
		blocked = append(blocked, blockedView{Line: BlockedLine(g), Cause: byBlocker[g.By]})
	}
	return views, blocked
}

// causeRefs are the causes a spec showed, each with the spec's own
// observations of it.
func causeRefs(s result.Spec, causes []causeView) []causeRef {
	var out []causeRef
	for _, c := range causes {
		if c.Code == "" || !slices.Contains(c.Specs, specRef{ID: s.ID, Anchor: "spec-" + string(s.ID)}) {
			continue
		}
		r := causeRef{Code: c.Code, Severity: c.Severity, Title: c.Title, N: c.N, Anchor: c.Anchor}
		for _, seen := range c.Seen {
			if slices.Contains(seen.Specs, s.ID) && seen.Observed != "" {
				r.Seen = append(r.Seen, seen.Observed)
			}
		}
		out = append(out, r)
	}
	return out
}

// dedupeShots shows each screenshot once, with the first card (in page
// order) that carries it: the specs that judge one page share its
// screenshot, and a later card links to it instead of repeating it.
func dedupeShots(lists ...[]specView) {
	first := map[[sha256.Size]byte]evidenceView{}
	n := 0
	for _, list := range lists {
		for _, v := range list {
			for i, e := range v.Evidence {
				if e.Kind != "screenshot" {
					continue
				}
				sum := sha256.Sum256(e.png)
				if f, ok := first[sum]; ok {
					v.Evidence[i] = evidenceView{Name: e.Name, Kind: "shot-ref", Caption: e.Caption, ShotID: f.ShotID, ShotWith: f.ShotWith}
					continue
				}
				n++
				v.Evidence[i].ShotID = fmt.Sprintf("shot-%d", n)
				v.Evidence[i].ShotWith = v.ID
				first[sum] = v.Evidence[i]
			}
		}
	}
}

// tally returns the report's counts and areas, computed from the specs when
// the report was not summarized; the report itself is never changed.
func tally(r *result.Report) (map[result.State]int, map[string]map[result.State]int) {
	if r.Counts != nil && r.Areas != nil {
		return r.Counts, r.Areas
	}
	counts := map[result.State]int{}
	areas := map[string]map[result.State]int{}
	for _, s := range r.Specs {
		counts[s.State]++
		a := s.Area()
		if areas[a] == nil {
			areas[a] = map[result.State]int{}
		}
		areas[a][s.State]++
	}
	return counts, areas
}

// grid lays areas out as one row per mode (the run's modes first, in
// order), one cell per area, and returns the widest row's cell count.
func grid(modes []string, areas map[string]map[result.State]int) ([]gridRow, int) {
	byMode := map[string][]string{}
	for _, k := range slices.Sorted(maps.Keys(areas)) {
		mode, area, _ := strings.Cut(k, ":")
		byMode[mode] = append(byMode[mode], area)
	}
	order := slices.Clone(modes)
	for _, m := range slices.Sorted(maps.Keys(byMode)) {
		if !slices.Contains(order, m) {
			order = append(order, m)
		}
	}
	var rows []gridRow
	width := 0
	for _, m := range order {
		if len(byMode[m]) == 0 {
			continue
		}
		row := gridRow{Mode: cmp.Or(m, "(no mode)")}
		for _, a := range byMode[m] {
			c := gridCell{Area: cmp.Or(a, "(no area)")}
			for _, s := range result.States {
				n := areas[m+":"+a][s]
				if n == 0 {
					continue
				}
				c.Counts = append(c.Counts, stateCount{s, KindText(s), n})
				if stateRank[s] > stateRank[c.State] {
					c.State = s
				}
			}
			row.Cells = append(row.Cells, c)
		}
		width = max(width, len(row.Cells))
		rows = append(rows, row)
	}
	for i := range rows {
		rows[i].Pad = make([]struct{}, width-len(rows[i].Cells))
	}
	return rows, width
}

func newSpecView(i int, s result.Spec) specView {
	v := specView{Spec: s, Duration: "judged in " + ms(s.JudgeMS), Codes: s.Codes(), Kind: KindText(s.State)}
	v.Anchor = "spec-" + string(s.ID)
	if s.ID == "" {
		v.Anchor = fmt.Sprintf("spec-n%d", i+1)
	}
	for _, n := range s.Evidence {
		v.Evidence = append(v.Evidence, newEvidenceView(n))
	}
	return v
}

// newEvidenceView re-encodes the value to JSON and decodes it into the
// struct its name promises, so a live Go value and one read back from
// report.json render alike. A value that does not fit falls back to text.
func newEvidenceView(n result.Named) evidenceView {
	v := evidenceView{Name: n.Name, Kind: "text"}
	raw, err := json.Marshal(n.Value)
	if err != nil {
		v.Text = fmt.Sprintf("%v", n.Value)
		return v
	}
	switch n.Name {
	case result.EvidenceCookies:
		var rows []result.CookieRow
		if decode(raw, &rows) == nil {
			v.Kind, v.Cookies = "cookies", cookieRowViews(rows)
			return v
		}
	case result.EvidenceToken:
		var t result.TokenView
		if decode(raw, &t) == nil && (len(t.Header) > 0 || len(t.Claims) > 0) {
			v.Kind, v.Token = "token", newTokenView(t)
			return v
		}
	case result.EvidenceScreenshot:
		var s result.Screenshot
		if decode(raw, &s) == nil && len(s.PNG) > 0 {
			v.Kind, v.Caption, v.png = "screenshot", s.Caption, s.PNG
			// Base64 of bytes cannot leave the attribute; the template
			// would otherwise refuse a data: URL.
			v.Shot = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(s.PNG))
			return v
		}
	}
	v.Text = prettyJSON(raw)
	return v
}

// decode unmarshals keeping numbers as written (an exp stays 1764135922).
func decode(raw []byte, out any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	return d.Decode(out)
}

// prettyJSON indents raw; a plain string is shown as itself, unquoted.
func prettyJSON(raw []byte) string {
	var v any
	if decode(raw, &v) != nil {
		return string(raw)
	}
	if s, ok := v.(string); ok {
		return s
	}
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false) // the template escapes
	e.SetIndent("", "  ")
	if e.Encode(v) != nil {
		return string(raw)
	}
	return strings.TrimRight(b.String(), "\n")
}

func newTokenView(t result.TokenView) *tokenView {
	v := &tokenView{Redacted: t.Redacted}
	for _, k := range slices.Sorted(maps.Keys(t.Header)) {
		v.Header = append(v.Header, claim{Key: k, Value: scalar(t.Header[k])})
	}
	for _, k := range slices.Sorted(maps.Keys(t.Claims)) {
		v.Claims = append(v.Claims, claim{Key: k, Value: scalar(t.Claims[k]), Note: t.Notes[k]})
	}
	return v
}

// scalar shows a decoded JSON value compactly: strings as themselves,
// anything else as JSON.
func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if e.Encode(v) != nil {
		return fmt.Sprintf("%v", v)
	}
	return strings.TrimRight(b.String(), "\n")
}
