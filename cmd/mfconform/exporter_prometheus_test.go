package main

import (
	"encoding/json"
	"fmt"
	"github.com/mfconform/mfconform/suites/result"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/exporter"
)

// deployDir holds the Prometheus, Grafana and Kubernetes files.
const deployDir = "../../deploy"

// needPrometheus returns the paths of prometheus and promtool. Where
// scripts/install-prometheus.sh (make deps) could have installed them —
// Debian with apt-get, as root or with password-less sudo — their absence
// fails the test; elsewhere the test is skipped, saying so.
func needPrometheus(t *testing.T) (prom, tool string) {
	t.Helper()
	prom, err1 := exec.LookPath("prometheus")
	tool, err2 := exec.LookPath("promtool")
	if err1 == nil && err2 == nil {
		return prom, tool
	}
	_, deb := os.Stat("/etc/debian_version")
	_, apt := exec.LookPath("apt-get")
	canInstall := os.Geteuid() == 0 || exec.Command("sudo", "-n", "true").Run() == nil
	if deb == nil && apt == nil && canInstall {
		t.Fatal("prometheus and promtool are not installed: run `make deps` (scripts/install-prometheus.sh installs Debian's prometheus)")
	}
	t.Skip("prometheus and promtool are not installed and this machine cannot install them (see scripts/install-prometheus.sh): the exporter's Prometheus tests need Prometheus 2.x on PATH")
	return "", ""
}

// promtool runs promtool with args in dir and fails the test on a non-zero
// exit.
func promtool(t *testing.T, tool, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(tool, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// metricUse matches a metric name in a PromQL expression: the name and
// its selector's brace.
var metricUse = regexp.MustCompile(`\b(mfconform_[a-z_]+)\{`)

// exportedNames are every metric name the exporter answers: a probe's and
// its own (a histogram's with its series suffixes).
func exportedNames(t *testing.T) []string {
	t.Helper()
	names := []string{exporter.MetricSuccess, exporter.MetricVerdict, exporter.MetricSpecState, exporter.MetricFinding,
		exporter.MetricDuration, exporter.MetricCacheAge, exporter.MetricErrorInfo, exporter.MetricProbeInfo,
		exporter.MetricTokenExpiresIn, exporter.MetricCookieExpiresIn, exporter.MetricCertificateUntil}
	mfs, err := exporter.NewMetrics("v", func() float64 { return 0 }).Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		names = append(names, mf.GetName())
		if mf.GetType().String() == "HISTOGRAM" {
			names = append(names, mf.GetName()+"_bucket", mf.GetName()+"_sum", mf.GetName()+"_count")
		}
	}
	return names
}

// TestDeployFiles: the example Prometheus configuration and alerting rules
// pass promtool's checks and their unit tests; every mfconform metric the
// rules and the Grafana dashboard query is one the exporter answers; the
// example exporter configurations (deploy/exporter.yaml, the Kubernetes
// ConfigMap) load; the Deployment runs the exporter on the Service's port.
func TestDeployFiles(t *testing.T) {
	_, tool := needPrometheus(t)
	dir := filepath.Join(deployDir, "prometheus")
	promtool(t, tool, dir, "check", "config", "prometheus.yml")
	promtool(t, tool, dir, "check", "rules", "mfconform.rules.yml")
	promtool(t, tool, dir, "test", "rules", "mfconform.rules.test.yml")

	known := exportedNames(t)
	for _, f := range []string{"prometheus/mfconform.rules.yml", "grafana/mfconform-dashboard.json"} {
		b, err := os.ReadFile(filepath.Join(deployDir, f))
		if err != nil {
			t.Fatal(err)
		}
		uses := metricUse.FindAllStringSubmatch(string(b), -1)
		if len(uses) < 3 {
			t.Errorf("%s queries %d mfconform metrics, want its queries found", f, len(uses))
		}
		for _, m := range uses {
			if !slices.Contains(known, m[1]) {
				t.Errorf("%s queries %s, which the exporter does not answer", f, m[1])
			}
		}
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	b, err := os.ReadFile(filepath.Join(deployDir, "grafana/mfconform-dashboard.json"))
	if err != nil || json.Unmarshal(b, &dash) != nil || len(dash.Panels) < 5 {
		t.Fatalf("the dashboard is not a Grafana dashboard with panels: %v", err)
	}
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 || p.Targets[0].Expr == "" {
			t.Errorf("dashboard panel %q has no query", p.Title)
		}
	}

	if _, err := loadExporter([]string{"--config", filepath.Join(deployDir, "exporter.yaml")}, func(string) string { return "" }); err != nil {
		t.Errorf("deploy/exporter.yaml: %v", err)
	}
	kube, err := os.ReadFile(filepath.Join(deployDir, "kubernetes/mfconform-exporter.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]map[string]any{}
	dec := yaml.NewDecoder(strings.NewReader(string(kube)))
	for {
		var d map[string]any
		if err := dec.Decode(&d); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("kubernetes manifest: %v", err)
		}
		docs[fmt.Sprint(d["kind"])] = d
	}
	var cm struct {
		Data map[string]string `yaml:"data"`
	}
	var deploy struct {
		Spec struct {
			Template struct {
				Spec struct {
					Containers []struct {
						Args  []string `yaml:"args"`
						Ports []struct {
							Name          string `yaml:"name"`
							ContainerPort int    `yaml:"containerPort"`
						} `yaml:"ports"`
					} `yaml:"containers"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	var svc struct {
		Spec struct {
			Ports []struct {
				Port       int    `yaml:"port"`
				TargetPort string `yaml:"targetPort"`
			} `yaml:"ports"`
		} `yaml:"spec"`
	}
	for kind, v := range map[string]any{"ConfigMap": &cm, "Deployment": &deploy, "Service": &svc} {
		raw, _ := yaml.Marshal(docs[kind])
		if err := yaml.Unmarshal(raw, v); err != nil || docs[kind] == nil {
			t.Fatalf("kubernetes manifest: no %s (%v)", kind, err)
		}
	}
	cfg := writeFile(t, "exporter.yaml", cm.Data["exporter.yaml"])
	if _, err := loadExporter([]string{"--config", cfg}, func(string) string { return "" }); err != nil {
		t.Errorf("the ConfigMap's exporter.yaml: %v", err)
	}
	c := deploy.Spec.Template.Spec.Containers
	if len(c) != 1 || len(c[0].Args) < 3 || c[0].Args[0] != "exporter" || !slices.Contains(c[0].Args, "/etc/mfconform/exporter.yaml") ||
		!slices.Contains(c[0].Args, ":9841") || len(c[0].Ports) != 1 || c[0].Ports[0].ContainerPort != 9841 ||
		len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].TargetPort != c[0].Ports[0].Name {
		t.Errorf("the Deployment does not run `exporter --config /etc/mfconform/exporter.yaml --listen :9841` on the Service's port: %+v, %+v", c, svc.Spec.Ports)
	}
}

// freePort returns a loopback port nothing listens on (for a server that
// cannot be told port 0).
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// promResult is one series of a Prometheus instant query.
type promResult struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

// query asks Prometheus's HTTP API for an instant vector.
func query(t *testing.T, base, q string) ([]promResult, string) {
	t.Helper()
	res, err := (&http.Client{Timeout: 30 * time.Second}).Get(base + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		return nil, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var r struct {
		Status string `json:"status"`
		Data   struct {
			Result []promResult `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &r); err != nil || r.Status != "success" {
		return nil, string(b)
	}
	return r.Data.Result, string(b)
}

// valueOf is a query result's value.
func (r promResult) valueOf() float64 {
	s, _ := r.Value[1].(string)
	v, _ := strconv.ParseFloat(s, 64)
	return v
}

// TestExporterPrometheus: a real Prometheus scrapes the exporter the way
// deploy/prometheus/prometheus.yml does (the target name relabelled into
// ?target=), probing the embedded reference and a broken fixture. Its query
// API then has mfconform_probe_success 1 for the reference and 0 for the
// broken one, and the broken one's finding as a series; the alert rules,
// evaluated by promtool over exactly those series, fire
// MfconformNotConformant for the broken target alone.
func TestExporterPrometheus(t *testing.T) {
	prom, tool := needPrometheus(t)
	x := startExporter(t, `targets:
  - name: documented
    fixture: documented
  - fixture: host-only
min_interval: 0s
`)
	addr := strings.TrimPrefix(x.url, "http://")
	dir := t.TempDir()
	cfg := fmt.Sprintf(`global:
  scrape_interval: 15s
  scrape_timeout: 15s
scrape_configs:
  - job_name: mfconform
    metrics_path: /probe
    params:
      module: [default]
    static_configs:
      - targets: [documented, host-only]
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: %[1]s
  - job_name: mfconform_exporter
    static_configs:
      - targets: ['%[1]s']
`, addr)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	promtool(t, tool, dir, "check", "config", "prometheus.yml")

	var base string
	var promOut lockedBuffer
	for attempt := 0; base == ""; attempt++ {
		port := freePort(t)
		cmd := exec.Command(prom, "--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "data"),
			"--web.listen-address=127.0.0.1:"+strconv.Itoa(port), "--log.level=warn")
		cmd.Stdout, cmd.Stderr = &promOut, &promOut
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		t.Cleanup(func() {
			_ = cmd.Process.Signal(os.Interrupt)
			select {
			case <-exited:
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				<-exited
			}
		})
		u := "http://127.0.0.1:" + strconv.Itoa(port)
		ok, why := waitFor(2*time.Minute, func() (bool, string) {
			select {
			case <-exited:
				return true, "exited"
			default:
			}
			res, err := http.Get(u + "/-/ready")
			if err != nil {
				return false, err.Error()
			}
			res.Body.Close()
			return res.StatusCode == http.StatusOK, res.Status
		})
		select {
		case <-exited:
			if attempt < 3 {
				continue // the port was taken meanwhile
			}
			t.Fatalf("prometheus exited:\n%s", promOut.String())
		default:
		}
		if !ok {
			t.Fatalf("prometheus not ready within 2 minutes: %s\n%s", why, promOut.String())
		}
		base = u
	}

	// The first scrape of each target comes within one interval; allow
	// several on a slow machine.
	success := map[string]promResult{}
	ok, why := waitFor(4*time.Minute, func() (bool, string) {
		rs, raw := query(t, base, `mfconform_probe_success{job="mfconform"}`)
		for _, r := range rs {
			success[r.Metric["instance"]] = r
		}
		d, h := success["documented"], success["host-only"]
		return d.Metric != nil && h.Metric != nil && d.valueOf() == 1 && h.valueOf() == 0, raw
	})
	if !ok {
		t.Fatalf("Prometheus never had mfconform_probe_success 1 for documented and 0 for host-only: %s\nexporter stderr:\n%s\nprometheus:\n%s", why, x.stderr, promOut.String())
	}
	findings, raw := query(t, base, `mfconform_finding{job="mfconform"}`)
	var found bool
	for _, f := range findings {
		if f.Metric["instance"] == "documented" {
			t.Errorf("a finding for the conformant reference: %v", f.Metric)
		}
		found = found || f.Metric["instance"] == "host-only" && f.Metric["spec"] == string(result.JWTCookie002) && f.Metric["code"] == "COOKIE_HOST_ONLY" && f.Metric["severity"] == "fail" && f.valueOf() == 1
	}
	if !found {
		t.Errorf("no mfconform_finding{instance=\"host-only\",spec=\"JWT-COOKIE-002\",code=\"COOKIE_HOST_ONLY\"} 1 in Prometheus: %s", raw)
	}
	if rs, raw := query(t, base, `up{job="mfconform_exporter"}`); len(rs) != 1 || rs[0].valueOf() != 1 {
		// The exporter's own job is scraped too; its first scrape may
		// come later than the probes'.
		if ok, _ := waitFor(time.Minute, func() (bool, string) {
			rs, _ := query(t, base, `up{job="mfconform_exporter"}`)
			return len(rs) == 1 && rs[0].valueOf() == 1, ""
		}); !ok {
			t.Errorf("up{job=\"mfconform_exporter\"} = %s, want 1", raw)
		}
	}
	// Everything Prometheus stored of the exporter is free of secrets too.
	all, raw := query(t, base, `{__name__=~"mfconform_.+"}`)
	if len(all) < 20 {
		t.Errorf("Prometheus stored %d mfconform series, want the probes' series", len(all))
	}
	assertNoSecrets(t, map[string]string{"Prometheus's mfconform series": raw, "exporter stdout": x.stdout.String(), "exporter stderr": x.stderr.String()})

	// The alerts, over the series exactly as Prometheus stored them.
	rulesPath, err := filepath.Abs(filepath.Join(deployDir, "prometheus", "mfconform.rules.yml"))
	if err != nil {
		t.Fatal(err)
	}
	annotations := notConformantAnnotations(t, rulesPath, "host-only")
	var series strings.Builder
	for _, inst := range []string{"documented", "host-only"} {
		r := success[inst]
		fmt.Fprintf(&series, "      - series: '%s'\n        values: '%gx20'\n", promSeries("mfconform_probe_success", r.Metric), r.valueOf())
	}
	labels, _ := json.Marshal(map[string]string{"severity": "critical", "job": success["host-only"].Metric["job"], "instance": "host-only"})
	ann, _ := json.Marshal(annotations)
	test := fmt.Sprintf(`rule_files: [%q]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
%s    alert_rule_test:
      - eval_time: 9m
        alertname: MfconformNotConformant
        exp_alerts: []
      - eval_time: 11m
        alertname: MfconformNotConformant
        exp_alerts:
          - exp_labels: %s
            exp_annotations: %s
`, rulesPath, series.String(), labels, ann)
	if err := os.WriteFile(filepath.Join(dir, "live.test.yml"), []byte(test), 0o600); err != nil {
		t.Fatal(err)
	}
	out := promtool(t, tool, dir, "test", "rules", "live.test.yml")
	t.Logf("promtool test rules over the scraped series:\n%s", out)
}

// promSeries writes a series selector with every label of m but __name__.
func promSeries(name string, m map[string]string) string {
	var ls []string
	for k, v := range m {
		if k != "__name__" {
			ls = append(ls, fmt.Sprintf("%s=%q", k, v))
		}
	}
	slices.Sort(ls)
	return name + "{" + strings.Join(ls, ",") + "}"
}

// notConformantAnnotations reads MfconformNotConformant's annotations from
// the rules file, expanded for instance (they use only its label).
func notConformantAnnotations(t *testing.T, rulesPath, instance string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(rulesPath)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Groups []struct {
			Rules []struct {
				Alert       string            `yaml:"alert"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			if r.Alert != "MfconformNotConformant" {
				continue
			}
			out := map[string]string{}
			for k, v := range r.Annotations {
				v = strings.ReplaceAll(v, "{{ $labels.instance }}", instance)
				if strings.Contains(v, "{{") {
					t.Fatalf("annotation %s uses more than $labels.instance: %q", k, v)
				}
				out[k] = v
			}
			return out
		}
	}
	t.Fatal("no MfconformNotConformant rule")
	return nil
}
