package exporter

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/mfconform/mfconform/reports"
	"github.com/mfconform/mfconform/suites/result"
)

// Server answers the exporter's HTTP endpoints: /probe, /metrics, /report
// and the index page.
type Server struct {
	// Targets are the configured targets' names, the only ones a probe
	// may name.
	Targets []string
	// Modules are the configured modules, DefaultModule among them.
	Modules   map[string]Module
	Scheduler *Scheduler
	Metrics   *Metrics
	Version   string
	// DefaultTimeout is the longest a probe may run; the scrape's
	// X-Prometheus-Scrape-Timeout-Seconds and the module's timeout can
	// only shorten it.
	DefaultTimeout time.Duration
	// TimeoutOffset is taken off the scrape's timeout, so the answer
	// reaches Prometheus before it gives up (blackbox_exporter's
	// --timeout-offset, 0.5 s there too).
	TimeoutOffset time.Duration
}

// ScrapeTimeoutHeader is the header in which Prometheus sends a scrape's
// timeout in seconds.
const ScrapeTimeoutHeader = "X-Prometheus-Scrape-Timeout-Seconds"

// Handler routes the exporter's endpoints.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /probe", s.probe)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.Metrics.Registry, promhttp.HandlerOpts{Registry: s.Metrics.Registry}))
	mux.HandleFunc("GET /report", s.report)
	mux.HandleFunc("GET /{$}", s.index)
	return headers(mux)
}

// headers sets what every answer carries.
func headers(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}

// refuse answers 400 with a plain-text reason.
func refuse(w http.ResponseWriter, format string, args ...any) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(w, format+"\n", args...)
}

// quoted shows a value from a query in an answer: cut and quoted, control
// and format characters escaped.
func quoted(v string) string { return strconv.Quote(result.Cut(v, 80)) }

// key reads target= and module= from the query: exactly one target, one
// of the configured ones (never a URL: the exporter probes only what its
// configuration names), and at most one module, a configured one.
func (s *Server) key(r *http.Request, w http.ResponseWriter) (Key, bool) {
	q := r.URL.Query()
	for name := range q {
		if name != "target" && name != "module" {
			refuse(w, "unknown query parameter %s: a probe takes target=NAME and optionally module=NAME", quoted(name))
			return Key{}, false
		}
	}
	ts, ms := q["target"], q["module"]
	if len(ts) != 1 || len(ms) > 1 {
		refuse(w, "want exactly one target=NAME (and at most one module=NAME); configured targets: %s", strings.Join(s.Targets, ", "))
		return Key{}, false
	}
	k := Key{Target: ts[0], Module: DefaultModule}
	if len(ms) == 1 && ms[0] != "" {
		k.Module = ms[0]
	}
	if !slices.Contains(s.Targets, k.Target) {
		what := "is not a configured target"
		if strings.Contains(k.Target, "/") || strings.Contains(k.Target, ":") {
			what = "is not a configured target (a URL is never probed: name a target of the exporter's configuration)"
		}
		refuse(w, "target %s %s; configured targets: %s", quoted(k.Target), what, strings.Join(s.Targets, ", "))
		return Key{}, false
	}
	if _, ok := s.Modules[k.Module]; !ok {
		refuse(w, "module %s is not configured; modules: %s", quoted(k.Module), strings.Join(s.moduleNames(), ", "))
		return Key{}, false
	}
	return k, true
}

func (s *Server) moduleNames() []string {
	var out []string
	for n := range s.Modules {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Timeout is how long a probe of module m may take for a scrape whose
// timeout header is header (empty when absent): the scrape's timeout less
// the offset (at least half of it), the module's timeout, DefaultTimeout,
// whichever is shortest.
func (s *Server) Timeout(header string, m Module) time.Duration {
	t := s.DefaultTimeout
	if v, err := strconv.ParseFloat(header, 64); err == nil && v > 0 && v < 24*3600 {
		scrape := time.Duration(v * float64(time.Second))
		t = min(t, max(scrape-s.TimeoutOffset, scrape/2))
	}
	if m.Timeout > 0 && m.Timeout < t {
		t = m.Timeout
	}
	return t
}

// probe is GET /probe?target=NAME[&module=M].
func (s *Server) probe(w http.ResponseWriter, r *http.Request) {
	k, ok := s.key(r, w)
	if !ok {
		return
	}
	deadline := time.Now().Add(s.Timeout(r.Header.Get(ScrapeTimeoutHeader), s.Modules[k.Module]))
	out, age, _ := s.Scheduler.Probe(r.Context(), k, deadline)
	reg := ProbeRegistry(out, age, s.Version)
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(w, r)
}

// report is GET /report?target=NAME[&module=M]: the last HTML report of
// that probe, with the policy its meta element carries as a header too.
func (s *Server) report(w http.ResponseWriter, r *http.Request) {
	k, ok := s.key(r, w)
	if !ok {
		return
	}
	o, ok := s.Scheduler.LastOf(k)
	if !ok || len(o.HTML) == 0 {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, "no report of target %s with module %s yet: it has not been probed, or its last run left none\n", quoted(k.Target), quoted(k.Module))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", reports.HTMLCSP())
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(o.HTML)
}

// indexCSP is the index page's policy: it loads nothing and runs nothing.
const indexCSP = "default-src 'none'; base-uri 'none'; form-action 'none'"

var indexPage = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mfconform exporter</title></head>
<body><h1>mfconform exporter</h1>
<p>{{len .Targets}} configured targets. Prometheus scrapes <code>/probe?target=NAME</code>; the exporter's own metrics are at <a href="metrics">/metrics</a>.</p>
<table border="1" cellpadding="4"><tr><th>target</th><th>module</th><th>verdict</th><th>success</th><th>finished (UTC)</th><th>took</th><th>note</th><th>report</th></tr>
{{range .Rows}}<tr><td>{{.Target}}</td><td>{{.Module}}</td><td>{{.Verdict}}</td><td>{{.Success}}</td><td>{{.Finished}}</td><td>{{.Took}}</td><td>{{.Note}}</td>
<td>{{if .HasReport}}<a href="{{.ReportURL}}">report</a>{{end}}</td></tr>
{{end}}</table></body></html>
`))

// indexRow is one line of the index page.
type indexRow struct {
	Target, Module, Verdict, Success, Finished, Took, Note string
	HasReport                                              bool
	ReportURL                                              string
}

// index is GET /: every configured target with its last verdict and time.
func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	last := s.Scheduler.Last()
	var rows []indexRow
	for _, t := range s.Targets {
		probed := false
		for _, o := range last {
			if o.Key.Target != t {
				continue
			}
			probed = true
			row := indexRow{Target: t, Module: o.Key.Module, Verdict: verdictNone, Success: "no",
				Finished: o.Finished.UTC().Format(time.RFC3339), Took: o.Duration.Round(time.Millisecond).String(),
				Note: string(o.Reason), HasReport: len(o.HTML) > 0}
			if o.Report != nil {
				row.Verdict = o.Report.Verdict
			}
			if o.Success {
				row.Success = "yes"
			}
			row.ReportURL = "report?target=" + urlQuery(t) + "&module=" + urlQuery(o.Key.Module)
			rows = append(rows, row)
		}
		if !probed {
			rows = append(rows, indexRow{Target: t, Verdict: "not probed yet"})
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", indexCSP)
	w.Header().Set("Cache-Control", "no-store")
	_ = indexPage.Execute(w, map[string]any{"Targets": s.Targets, "Rows": rows})
}

// urlQuery escapes a value for a query string.
func urlQuery(v string) string { return url.QueryEscape(v) }
