package exporter

import (
	"math"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/runner"
	"github.com/mfconform/mfconform/suites/cookieattr"
	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/result"
)

// Verdicts lists every verdict of a run, mfconform_verdict's one-hot
// values (with "none" for a probe whose run left no report).
var Verdicts = []string{result.VerdictConformant, result.VerdictWarnings, result.VerdictIncomplete,
	result.VerdictNonConformant, result.VerdictError, result.VerdictInterrupted}

// verdictNone is mfconform_verdict's value for a probe without a report.
const verdictNone = "none"

// Probe metric names, per Prometheus's naming conventions (base units,
// _seconds, _timestamp_seconds, _info with value 1).
const (
	MetricSuccess          = "mfconform_probe_success"
	MetricVerdict          = "mfconform_verdict"
	MetricSpecState        = "mfconform_spec_state"
	MetricFinding          = "mfconform_finding"
	MetricDuration         = "mfconform_probe_duration_seconds"
	MetricCacheAge         = "mfconform_probe_cache_age_seconds"
	MetricErrorInfo        = "mfconform_probe_error_info"
	MetricProbeInfo        = "mfconform_probe_info"
	MetricTokenExpiresIn   = "mfconform_token_expires_in_seconds"
	MetricCookieExpiresIn  = "mfconform_cookie_expires_in_seconds"
	MetricCertificateUntil = "mfconform_certificate_expiry_timestamp_seconds"
)

// knownSpecs are the IDs of every spec mfconform has: a spec label takes
// no other value, so its cardinality stays that of the suite.
var knownSpecs = sync.OnceValue(func() map[string]bool {
	out := map[string]bool{}
	for _, s := range runner.List() {
		out[string(s.ID)] = true
	}
	return out
})

// knownCode reports whether code is in the diagnostic catalogue.
func knownCode(code result.Code) bool {
	_, ok := diag.Lookup(code)
	return ok
}

// ProbeRegistry is a fresh registry holding one probe's metrics, as
// blackbox_exporter makes one per probe: success, the verdict, every
// spec's state and finding, timings, the lifetimes observed and the
// deployment's certificates. age is how old a cached outcome is (0 for a
// fresh one). Labels take only values from fixed sets — spec IDs, codes,
// severities, states, verdicts, modes, the deployment's host names — never
// user ids, URLs with queries or token data.
func ProbeRegistry(o Outcome, age time.Duration, version string) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	gauge := func(name, help string) prometheus.Gauge {
		g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
		reg.MustRegister(g)
		return g
	}
	vec := func(name, help string, labels ...string) *prometheus.GaugeVec {
		g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
		reg.MustRegister(g)
		return g
	}
	gauge(MetricSuccess, "1 when the run succeeded by the module's thresholds (by default: mfconform run would exit 0), else 0.").Set(b2f(o.Success))
	gauge(MetricCacheAge, "How old the outcome is: 0 for a probe that ran for this scrape, more when a scrape inside the minimum interval got the last one.").Set(age.Seconds())
	duration := vec(MetricDuration, "Where the probe's time went: each evidence bundle and setup phase of the run, and the total.", "phase")
	duration.WithLabelValues("total").Set(o.Duration.Seconds())
	errInfo := vec(MetricErrorInfo, "1 for the reason a probe has no verdict of its run's own (timeout, concurrency_limit, browser_unavailable, run_failed, shutting_down).", "reason")
	if o.Reason != "" {
		errInfo.WithLabelValues(string(o.Reason)).Set(1)
	}
	verdict := vec(MetricVerdict, "1 for the run's verdict, 0 for the others (none: the run left no report).", "verdict")
	got := verdictNone
	if o.Report != nil {
		got = o.Report.Verdict
	}
	for _, v := range append(slices.Clone(Verdicts), verdictNone) {
		verdict.WithLabelValues(v).Set(b2f(v == got))
	}
	r := o.Report
	if r == nil {
		return reg
	}
	vec(MetricProbeInfo, "The versions that ran the probe (value 1).", "version", "chromium").
		WithLabelValues(version, result.Clean(result.Cut(r.Chromium, 64))).Set(1)
	for _, b := range r.Bundles {
		if phaseName(b.Name) {
			duration.WithLabelValues(b.Name).Set(b.MS / 1000)
		}
	}
	for name, ms := range r.PhasesMS {
		if phaseName(name) {
			duration.WithLabelValues(name).Set(ms / 1000)
		}
	}
	states := vec(MetricSpecState, "1 for each spec's state, 0 for its other states.", "spec", "state")
	findings := vec(MetricFinding, "1 for each diagnostic code at warn or worse of a spec that failed or warned.", "spec", "code", "severity")
	for _, s := range r.Specs {
		id := string(s.ID)
		if !knownSpecs()[id] {
			continue
		}
		for _, st := range result.States {
			states.WithLabelValues(id, string(st)).Set(b2f(st == s.State))
		}
		if s.State != result.StateFailed && s.State != result.StateWarned {
			continue
		}
		for _, d := range s.Diagnostics {
			if d.Severity == result.Info || !knownCode(d.Code) || !knownSeverity(d.Severity) {
				continue
			}
			findings.WithLabelValues(id, string(d.Code), string(d.Severity)).Set(1)
		}
	}
	observed := r.FinishedAt
	if observed.IsZero() {
		observed = o.Finished
	}
	tokens := vec(MetricTokenExpiresIn, "Seconds from the run to the exp of the token it was given (the lifetime left when it was seen), by mode.", "mode")
	for mode, exp := range tokenExpiries(r) {
		tokens.WithLabelValues(mode).Set(exp.Sub(observed).Seconds())
	}
	cookies := vec(MetricCookieExpiresIn, "Seconds the session cookie was set to live (Max-Age, else Expires less the time of the run), by mode; absent for a session cookie.", "mode")
	for mode, s := range cookieLifetimes(r, observed) {
		cookies.WithLabelValues(mode).Set(s)
	}
	certs := vec(MetricCertificateUntil, "When the leaf certificate each of the deployment's hosts showed Chromium expires (notAfter, Unix time).", "host")
	for _, c := range r.Target.Certificates {
		if validHost(c.Host) {
			certs.WithLabelValues(c.Host).Set(float64(c.NotAfter.Unix()))
		}
	}
	return reg
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// phaseName accepts the names mfconform gives its bundles and phases
// (lower-case words joined by _), so a phase label has no other value.
func phaseName(n string) bool {
	if n == "" || n == "total" || len(n) > 64 {
		return false
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r == '_' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func knownSeverity(s result.Severity) bool {
	return s == result.Critical || s == result.Fail || s == result.Warn
}

// modeOf is a spec's mode (jwt or supabase) from its labels.
func modeOf(s result.Spec) string {
	mode, _ := result.ModeArea(s.Labels)
	if mode != "jwt" && mode != "supabase" {
		return ""
	}
	return mode
}

// tokenExpiries finds, per mode, the exp claim of the first token a spec
// showed (result.EvidenceToken: the signature already dropped).
func tokenExpiries(r *result.Report) map[string]time.Time {
	out := map[string]time.Time{}
	for _, s := range r.Specs {
		mode := modeOf(s)
		if _, done := out[mode]; done || mode == "" {
			continue
		}
		for _, e := range s.Evidence {
			if e.Name != result.EvidenceToken {
				continue
			}
			if exp, ok := expClaim(e.Value); ok {
				out[mode] = exp
				break
			}
		}
	}
	return out
}

// expClaim reads claims.exp of a token view (a result.TokenView in the
// process that made it, a JSON object once read back from report.json).
func expClaim(v any) (time.Time, bool) {
	var claims map[string]any
	switch t := v.(type) {
	case result.TokenView:
		claims = t.Claims
	case map[string]any:
		claims, _ = t["claims"].(map[string]any)
	}
	exp, ok := claims["exp"].(float64)
	if !ok || math.IsNaN(exp) || math.IsInf(exp, 0) || exp <= 0 || exp > 1e11 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(exp)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}

// cookieLifetimes reads, per mode, the lifetime the first Set-Cookie line
// a spec showed (result.EvidenceSetCookie, its value redacted) gives the
// cookie: Max-Age, which wins over Expires (RFC 6265 §5.3 step 3), or
// Expires less the time of the run. A session cookie has none.
func cookieLifetimes(r *result.Report, observed time.Time) map[string]float64 {
	out := map[string]float64{}
	seen := map[string]bool{}
	for _, s := range r.Specs {
		mode := modeOf(s)
		if seen[mode] || mode == "" {
			continue
		}
		for _, e := range s.Evidence {
			line, ok := e.Value.(string)
			if e.Name != result.EvidenceSetCookie || !ok {
				continue
			}
			seen[mode] = true
			a := cookieattr.Parse(line)
			switch {
			case a.MaxAge != nil:
				out[mode] = float64(*a.MaxAge)
			case a.Expires != nil:
				out[mode] = a.Expires.Sub(observed).Seconds()
			}
			break
		}
	}
	return out
}

// validHost accepts a DNS name or an IP address as a label value.
func validHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == ':') {
			return false
		}
	}
	return true
}

// Metrics are the exporter's own metrics, on its /metrics with the Go
// runtime's and the process's.
type Metrics struct {
	Registry *prometheus.Registry
	Probes   *prometheus.CounterVec
	Errors   *prometheus.CounterVec
	Duration prometheus.Histogram
	// CacheHits counts scrapes answered with the last outcome.
	CacheHits prometheus.Counter
	// InFlight is how many runs hold a slot; Limit how many may.
	InFlight prometheus.Gauge
	Limit    prometheus.Gauge
	// BrowserRestarts counts starts of the shared Chromium after the first
	// (it died, or could not be reached); BrowserUp is 1 while it runs.
	BrowserRestarts prometheus.Counter
	BrowserUp       prometheus.Gauge
}

// NewMetrics registers the exporter's metrics, the Go collector and the
// process collector on a new registry. contexts, when set, reports how many
// isolated browser contexts the shared Chromium holds.
func NewMetrics(version string, contexts func() float64) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		Probes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mfconform_exporter_probes_total",
			Help: "Probes that ran (cache hits not counted), by result: success or failure."}, []string{"result"}),
		Errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mfconform_exporter_probe_errors_total",
			Help: "Probes that ended without a verdict of their run's own, by reason."}, []string{"reason"}),
		Duration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "mfconform_exporter_probe_duration_seconds",
			Help: "How long probes that got a run slot took.", Buckets: []float64{1, 2, 3, 5, 7.5, 10, 15, 20, 30, 60, 120}}),
		CacheHits: prometheus.NewCounter(prometheus.CounterOpts{Name: "mfconform_exporter_cache_hits_total",
			Help: "Scrapes answered with the last outcome because it was younger than the minimum interval."}),
		InFlight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "mfconform_exporter_probes_in_flight",
			Help: "Runs holding one of the concurrency slots."}),
		Limit: prometheus.NewGauge(prometheus.GaugeOpts{Name: "mfconform_exporter_concurrency_limit",
			Help: "How many runs may hold a slot at once."}),
		BrowserRestarts: prometheus.NewCounter(prometheus.CounterOpts{Name: "mfconform_exporter_browser_restarts_total",
			Help: "Starts of the shared Chromium after the first: it had died."}),
		BrowserUp: prometheus.NewGauge(prometheus.GaugeOpts{Name: "mfconform_exporter_browser_up",
			Help: "1 while the shared Chromium runs."}),
	}
	reg.MustRegister(m.Probes, m.Errors, m.Duration, m.CacheHits, m.InFlight, m.Limit, m.BrowserRestarts, m.BrowserUp,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "mfconform_exporter_build_info", Help: "The exporter's version (value 1)."}, []string{"version"})
	build.WithLabelValues(version).Set(1)
	reg.MustRegister(build)
	if contexts != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "mfconform_exporter_browser_contexts",
			Help: "Isolated browser contexts open in the shared Chromium (one or more per run in flight; 0 when idle)."}, contexts))
	}
	for _, r := range []string{"success", "failure"} {
		m.Probes.WithLabelValues(r)
	}
	for _, r := range Reasons {
		m.Errors.WithLabelValues(string(r))
	}
	return m
}

// count records a finished probe.
func (m *Metrics) count(o Outcome) {
	if o.Success {
		m.Probes.WithLabelValues("success").Inc()
	} else {
		m.Probes.WithLabelValues("failure").Inc()
	}
	if o.Reason != "" {
		m.Errors.WithLabelValues(string(o.Reason)).Inc()
	}
}
