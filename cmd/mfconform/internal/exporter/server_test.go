package exporter

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/reports"
)

// testServer serves two targets whose runs return at once: documented
// conformant, host-only not.
func testServer(t *testing.T) (*httptest.Server, *Scheduler) {
	t.Helper()
	s := NewScheduler(t.Context(), 2)
	s.Success = success
	s.Run = func(_ context.Context, k Key) Run {
		if k.Target == "documented" {
			return Run{Report: conformant, HTML: []byte("<!doctype html><title>report</title>")}
		}
		return Run{Report: nonConformant}
	}
	s.Metrics = NewMetrics("v1", nil)
	srv := &Server{Targets: []string{"documented", "host-only"}, Modules: map[string]Module{DefaultModule: {}, "strict": {FailOn: "warn"}},
		Scheduler: s, Metrics: s.Metrics, Version: "v1", DefaultTimeout: time.Minute, TimeoutOffset: 500 * time.Millisecond}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts, s
}

func get(t *testing.T, u string) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// TestServerRefuses: only a configured target (and module) can be probed;
// a URL, an unknown name, a second target or an unknown parameter is
// refused with 400 and a reason, and nothing runs.
func TestServerRefuses(t *testing.T) {
	ts, s := testServer(t)
	tests := []struct {
		name, query, want string
	}{
		{"a URL", "target=" + url.QueryEscape("https://169.254.169.254/latest/meta-data"), "a URL is never probed"},
		{"a host and port", "target=127.0.0.1:22", "a URL is never probed"},
		{"an unknown name", "target=staging", `"staging" is not a configured target`},
		{"no target", "", "want exactly one target"},
		{"two targets", "target=documented&target=host-only", "want exactly one target"},
		{"an unknown module", "target=documented&module=http_2xx", `module "http_2xx" is not configured`},
		{"an unknown parameter", "target=documented&debug=true", `unknown query parameter "debug"`},
		{"control characters", "target=%1b%5b31mred%0a%e2%80%ae", `"\x1b[31mred\n\u202e" is not a configured target`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"/probe", "/report"} {
				res, body := get(t, ts.URL+path+"?"+tt.query)
				if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, tt.want) {
					t.Errorf("GET %s?%s = %d %q, want 400 saying %q", path, tt.query, res.StatusCode, body, tt.want)
				}
				if strings.ContainsAny(body, "\x1b\u202e") {
					t.Errorf("GET %s?%s echoed a control character: %q", path, tt.query, body)
				}
			}
		})
	}
	if got := s.Last(); len(got) != 0 {
		t.Errorf("refused probes ran: %v", got)
	}
}

// TestServerProbe: a probe answers the text exposition format with the
// run's outcome; /report serves its HTML with the report's own CSP; the
// index lists every target.
func TestServerProbe(t *testing.T) {
	ts, _ := testServer(t)
	res, body := get(t, ts.URL+"/report?target=documented")
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /report before a probe = %d, want 404", res.StatusCode)
	}
	res, body = get(t, ts.URL+"/probe?target=documented")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain; version=0.0.4") ||
		!strings.Contains(body, "\nmfconform_probe_success 1\n") || !strings.Contains(body, `mfconform_verdict{verdict="conformant"} 1`) {
		t.Errorf("GET /probe?target=documented = %d %s\n%s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	_, body = get(t, ts.URL+"/probe?target=host-only&module=strict")
	if !strings.Contains(body, "\nmfconform_probe_success 0\n") {
		t.Errorf("GET /probe?target=host-only = %s, want success 0", body)
	}
	res, body = get(t, ts.URL+"/report?target=documented")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Security-Policy") != reports.HTMLCSP() || !strings.Contains(body, "<title>report</title>") {
		t.Errorf("GET /report = %d, CSP %q, %q", res.StatusCode, res.Header.Get("Content-Security-Policy"), body)
	}
	res, body = get(t, ts.URL+"/report?target=host-only&module=strict")
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /report of a run without HTML = %d, want 404", res.StatusCode)
	}
	res, body = get(t, ts.URL+"/")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Security-Policy") != indexCSP {
		t.Errorf("GET / = %d, CSP %q", res.StatusCode, res.Header.Get("Content-Security-Policy"))
	}
	for _, want := range []string{"<td>documented</td><td>default</td><td>conformant</td><td>yes</td>", "<td>host-only</td><td>strict</td><td>not conformant</td><td>no</td>", `href="report?target=documented&amp;module=default"`} {
		if !strings.Contains(body, want) {
			t.Errorf("GET / lacks %q:\n%s", want, body)
		}
	}
	res, body = get(t, ts.URL+"/metrics")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `mfconform_exporter_probes_total{result="success"} 1`) || !strings.Contains(body, "go_goroutines") {
		t.Errorf("GET /metrics = %d\n%s", res.StatusCode, body)
	}
	if res, _ := get(t, ts.URL+"/elsewhere"); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /elsewhere = %d, want 404", res.StatusCode)
	}
}

func TestServerTimeout(t *testing.T) {
	s := &Server{DefaultTimeout: 2 * time.Minute, TimeoutOffset: 500 * time.Millisecond}
	tests := []struct {
		header string
		module Module
		want   time.Duration
	}{
		{"", Module{}, 2 * time.Minute},
		{"10", Module{}, 9500 * time.Millisecond},
		{"0.8", Module{}, 400 * time.Millisecond},
		{"10", Module{Timeout: 5 * time.Second}, 5 * time.Second},
		{"3", Module{Timeout: 5 * time.Second}, 2500 * time.Millisecond},
		{"-1", Module{}, 2 * time.Minute},
		{"86000", Module{}, 2 * time.Minute},
		{"NaN", Module{}, 2 * time.Minute},
		{"ten", Module{}, 2 * time.Minute},
	}
	for _, tt := range tests {
		if got := s.Timeout(tt.header, tt.module); got != tt.want {
			t.Errorf("Timeout(%q, %+v) = %v, want %v", tt.header, tt.module, got, tt.want)
		}
	}
}

func TestModuleCheck(t *testing.T) {
	for _, m := range []Module{{FailOn: "never"}, {Timeout: -time.Second}} {
		if m.Check() == nil {
			t.Errorf("Module%+v.Check() = nil, want an error", m)
		}
	}
	if err := (Module{FailOn: "warn", AllowIncomplete: true, LabelFilter: "area:cookie"}).Check(); err != nil {
		t.Errorf("Check() = %v", err)
	}
	if got := (Module{LabelFilter: "area:cookie"}).RunArgs(); len(got) != 2 || got[1] != "area:cookie" {
		t.Errorf("RunArgs() = %v", got)
	}
}
