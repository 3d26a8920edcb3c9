package main

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mfconform/mfconform/reports"
)

// exporterProc is a running `mfconform exporter` started by a test.
type exporterProc struct {
	cmd            *exec.Cmd
	url            string
	tmpDir         string
	stdout, stderr *lockedBuffer
	exited         chan struct{}
	exitErr        error

	mu        sync.Mutex
	responses map[string]string // every answer, by request, for the secrets check
}

// lockedBuffer is a bytes.Buffer two goroutines may use.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// listening matches the exporter's first line.
var listening = regexp.MustCompile(`listening on (http://\S+)`)

// startExporter runs the binary's exporter with the configuration text on
// a free loopback port, its own short TMPDIR and the known secrets in its
// environment; the cleanup stops it (SIGINT) if the test has not.
func startExporter(t *testing.T, config string) *exporterProc {
	t.Helper()
	file := writeFile(t, "exporter.yaml", config)
	x := &exporterProc{tmpDir: shortTempDir(t), stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, exited: make(chan struct{}), responses: map[string]string{}}
	// The documented reference signs with the known keys, given on the
	// exporter's command line (a file may not): the secrets checks then
	// look for keys that were really used.
	x.cmd = exec.Command(binary, "exporter", "--config", file, "--listen", "127.0.0.1:0", "--reference-secret-from-env")
	x.cmd.Env = append(os.Environ(), "TMPDIR="+x.tmpDir, "AUTH_SECRET_KEY="+knownSecret, "SUPABASE_JWT_SECRET="+knownJWTSecret)
	x.cmd.Stdout, x.cmd.Stderr = x.stdout, x.stderr
	if err := x.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		x.exitErr = x.cmd.Wait()
		close(x.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-x.exited:
		default:
			_ = x.cmd.Process.Signal(syscall.SIGINT)
			select {
			case <-x.exited:
			case <-time.After(90 * time.Second):
				_ = x.cmd.Process.Kill()
				<-x.exited
			}
		}
	})
	deadline := time.After(3 * time.Minute)
	for {
		if m := listening.FindStringSubmatch(x.stdout.String()); m != nil {
			x.url = m[1]
			return x
		}
		select {
		case <-x.exited:
			t.Fatalf("the exporter ended before it listened: %v\nstdout:\n%s\nstderr:\n%s", x.exitErr, x.stdout, x.stderr)
		case <-deadline:
			t.Fatalf("the exporter did not listen within 3 minutes\nstdout:\n%s\nstderr:\n%s", x.stdout, x.stderr)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// get asks the exporter for path, with the scrape timeout header when
// timeout is set, and keeps the answer for the secrets check.
func (x *exporterProc) get(t *testing.T, path string, timeout string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, x.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if timeout != "" {
		req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", timeout)
	}
	c := &http.Client{Timeout: 3 * time.Minute}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v\nstderr:\n%s", path, err, x.stderr)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	x.mu.Lock()
	x.responses[fmt.Sprintf("GET %s #%d", path, len(x.responses))] = string(b)
	x.mu.Unlock()
	return res, string(b)
}

// probe scrapes /probe?target=…, as Prometheus would with a 60 s timeout.
func (x *exporterProc) probe(t *testing.T, query string) string {
	t.Helper()
	res, body := x.get(t, "/probe?"+query, "60")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /probe?%s = %d\n%s", query, res.StatusCode, body)
	}
	return body
}

// stop sends SIGINT and returns the exit code, bounded.
func (x *exporterProc) stop(t *testing.T) int {
	t.Helper()
	_ = x.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-x.exited:
	case <-time.After(90 * time.Second):
		t.Fatalf("the exporter did not stop within 90 s of SIGINT\nstderr:\n%s", x.stderr)
	}
	var ee *exec.ExitError
	if errors.As(x.exitErr, &ee) {
		return ee.ExitCode()
	}
	return 0
}

// sample reads one series of an exposition ("name" or `name{k="v",…}`, its
// labels in the exporter's order: sorted), false when absent.
func sample(body, series string) (float64, bool) {
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return f, err == nil
		}
	}
	return 0, false
}

// waitFor polls cond every 100 ms until it holds or limit passes; it
// returns the last description of what is still wrong.
func waitFor(limit time.Duration, cond func() (bool, string)) (bool, string) {
	end := time.Now().Add(limit)
	for {
		ok, why := cond()
		if ok || time.Now().After(end) {
			return ok, why
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// exporterChildren splits the exporter's descendants into Chromium's
// processes and runs (mfconform processes).
func exporterChildren(pid int) (chromium, runs []int) {
	procs := procTable()
	for _, p := range descendants(procs, pid) {
		switch {
		case procs[p].exe == binary:
			runs = append(runs, p)
		case strings.Contains(filepath.Base(procs[p].exe), "chrom"):
			chromium = append(chromium, p)
		}
	}
	return chromium, runs
}

// idle waits until the exporter runs nothing: no run process, no browser
// context left in its Chromium, no probe folder; it returns Chromium's
// process count then.
func (x *exporterProc) idle(t *testing.T, limit time.Duration) int {
	t.Helper()
	var chromium int
	ok, why := waitFor(limit, func() (bool, string) {
		c, runs := exporterChildren(x.cmd.Process.Pid)
		chromium = len(c)
		_, body := x.get(t, "/metrics", "")
		contexts, _ := sample(body, "mfconform_exporter_browser_contexts")
		probes, _ := filepath.Glob(filepath.Join(x.tmpDir, "mfx*", "p*"))
		if len(runs) > 0 || contexts != 0 || len(probes) > 0 {
			return false, fmt.Sprintf("%d run processes, %v browser contexts, probe folders %v", len(runs), contexts, probes)
		}
		return true, ""
	})
	if !ok {
		t.Fatalf("the exporter is not idle after %s: %s", limit, why)
	}
	return chromium
}

// blackhole accepts connections on loopback and never answers: a
// deployment that hangs.
func blackhole(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().(*net.TCPAddr).Port
}

// exporterConfig is the exporter's configuration for the tests: the
// documented reference (signing with the known key startExporter allows),
// a broken fixture, and a deployment that hangs.
func exporterConfig(hangPort int, reportDir string) string {
	return fmt.Sprintf(`targets:
  - name: documented
    fixture: documented
  - fixture: host-only
  - fixture: sb-publishable-key
  - name: hangs
    args: [--login-url, "https://login.hang.test:%[1]d/login", --app-url, "https://app.hang.test:%[1]d/",
           --resolve, login.hang.test=127.0.0.1, --resolve, app.hang.test=127.0.0.1]
modules:
  cookies:
    label_filter: "area:cookie"
min_interval: 0s
concurrency: 2
report_dir: %[2]s
keep_reports: 2
`, hangPort, reportDir)
}

// metaCSP reads a report's meta Content-Security-Policy.
var metaCSP = regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]+)">`)

// TestExporter runs the exporter against the embedded reference, a broken
// fixture and a deployment that hangs: only configured targets can be
// probed; a probe's metrics say what the run found (success, verdict,
// findings, states, lifetimes, certificates); repeated probes leave no
// run, browser context or probe folder behind and no extra Chromium
// process; a probe past the scrape's timeout ends with reason timeout and
// its run stopped cleanly; a killed Chromium is restarted and counted;
// /report carries the report's own CSP; no answer, report or log holds a
// secret or a whole token; SIGINT stops it all (exit 130, TMPDIR empty).
func TestExporter(t *testing.T) {
	reportDir := filepath.Join(t.TempDir(), "reports")
	x := startExporter(t, exporterConfig(blackhole(t), reportDir))

	t.Run("only configured targets", func(t *testing.T) {
		for _, q := range []string{"target=" + url.QueryEscape("https://login.acme.test/"), "target=staging", "target=documented&module=http_2xx"} {
			res, body := x.get(t, "/probe?"+q, "")
			if res.StatusCode != http.StatusBadRequest {
				t.Errorf("GET /probe?%s = %d %q, want 400", q, res.StatusCode, body)
			}
		}
	})

	// Five rounds of both targets at once: ten probes.
	var baseline int
	for round := range 5 {
		var wg sync.WaitGroup
		bodies := map[string]string{}
		var mu sync.Mutex
		for _, target := range []string{"documented", "host-only"} {
			wg.Go(func() {
				b := x.probe(t, "target="+target)
				mu.Lock()
				bodies[target] = b
				mu.Unlock()
			})
		}
		wg.Wait()
		checks := []struct {
			target, series string
			want           float64
		}{
			{"documented", "mfconform_probe_success", 1},
			{"documented", `mfconform_verdict{verdict="conformant"}`, 1},
			{"documented", `mfconform_spec_state{spec="JWT-COOKIE-002",state="passed"}`, 1},
			{"documented", "mfconform_probe_cache_age_seconds", 0},
			{"host-only", "mfconform_probe_success", 0},
			{"host-only", `mfconform_verdict{verdict="not conformant"}`, 1},
			{"host-only", `mfconform_finding{code="COOKIE_HOST_ONLY",severity="fail",spec="JWT-COOKIE-002"}`, 1},
			{"host-only", `mfconform_spec_state{spec="JWT-COOKIE-002",state="failed"}`, 1},
		}
		for _, c := range checks {
			if got, ok := sample(bodies[c.target], c.series); !ok || got != c.want {
				t.Fatalf("round %d: %s: %s = %v (present %v), want %v\n%s", round, c.target, c.series, got, ok, c.want, bodies[c.target])
			}
		}
		if round == 0 {
			doc := bodies["documented"]
			if v, ok := sample(doc, `mfconform_token_expires_in_seconds{mode="jwt"}`); !ok || v < 3000 || v > 3600 {
				t.Errorf("token lifetime = %v (present %v), want about an hour (the documented token)", v, ok)
			}
			for _, host := range []string{"login.acme.test", "app.acme.test"} {
				v, ok := sample(doc, `mfconform_certificate_expiry_timestamp_seconds{host="`+host+`"}`)
				if until := time.Until(time.Unix(int64(v), 0)); !ok || until < time.Hour || until > 48*time.Hour {
					t.Errorf("%s certificate expiry = %v (present %v), want the run's leaf (about a day ahead)", host, v, ok)
				}
			}
			if v, ok := sample(doc, `mfconform_probe_duration_seconds{phase="jwt_login_flow"}`); !ok || v <= 0 {
				t.Errorf("jwt_login_flow duration = %v (present %v), want the bundle's time", v, ok)
			}
			baseline = x.idle(t, 2*time.Minute)
			t.Logf("idle after the first round: %d Chromium processes", baseline)
		}
	}
	if n := x.idle(t, 2*time.Minute); n > baseline {
		// A renderer may linger a moment after its context is disposed.
		if ok, why := waitFor(time.Minute, func() (bool, string) {
			c, _ := exporterChildren(x.cmd.Process.Pid)
			return len(c) <= baseline, fmt.Sprintf("%d Chromium processes, %d after the first round", len(c), baseline)
		}); !ok {
			t.Errorf("Chromium processes grew over ten probes: %s", why)
		}
	}

	t.Run("module", func(t *testing.T) {
		body := x.probe(t, "target=documented&module=cookies")
		if v, _ := sample(body, "mfconform_probe_success"); v != 1 {
			t.Errorf("success = %v, want 1\n%s", v, body)
		}
		if _, ok := sample(body, `mfconform_spec_state{spec="JWT-COOKIE-001",state="passed"}`); !ok {
			t.Errorf("no cookie spec in the cookies module's probe\n%s", body)
		}
		if strings.Contains(body, `spec="JWT-TOKEN-001"`) {
			t.Errorf("the cookies module ran a token spec\n%s", body)
		}
	})

	t.Run("supabase", func(t *testing.T) {
		body := x.probe(t, "target=sb-publishable-key")
		for _, series := range []string{"mfconform_probe_success", `mfconform_verdict{verdict="conformant"}`} {
			if v, ok := sample(body, series); !ok || v != 1 {
				t.Errorf("%s = %v (present %v), want 1\n%s", series, v, ok, body)
			}
		}
		if v, ok := sample(body, `mfconform_token_expires_in_seconds{mode="supabase"}`); !ok || v < 600 {
			t.Errorf("Supabase access token lifetime = %v (present %v), want the project's (an hour)", v, ok)
		}
		if !strings.Contains(body, `mfconform_certificate_expiry_timestamp_seconds{host="`) || !strings.Contains(body, `.supabase.test"}`) {
			t.Errorf("no certificate expiry for the Supabase project's host\n%s", body)
		}
	})

	t.Run("report and index", func(t *testing.T) {
		res, body := x.get(t, "/report?target=documented", "")
		m := metaCSP.FindStringSubmatch(body)
		if res.StatusCode != http.StatusOK || m == nil || res.Header.Get("Content-Security-Policy") != html.UnescapeString(m[1]) {
			t.Errorf("GET /report = %d, header CSP %q, meta CSP %q", res.StatusCode, res.Header.Get("Content-Security-Policy"), m)
		}
		if res.Header.Get("Content-Security-Policy") != reports.HTMLCSP() {
			t.Errorf("GET /report CSP = %q, want the report's %q", res.Header.Get("Content-Security-Policy"), reports.HTMLCSP())
		}
		_, body = x.get(t, "/", "")
		for _, want := range []string{"<td>documented</td><td>default</td><td>conformant</td>", "<td>host-only</td><td>default</td><td>not conformant</td>", "<td>hangs</td>"} {
			if !strings.Contains(body, want) {
				t.Errorf("GET / lacks %q\n%s", want, body)
			}
		}
	})

	t.Run("scrape timeout", func(t *testing.T) {
		res, body := x.get(t, "/probe?target=hangs", "6")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /probe?target=hangs = %d\n%s", res.StatusCode, body)
		}
		if v, _ := sample(body, "mfconform_probe_success"); v != 0 {
			t.Errorf("success = %v, want 0", v)
		}
		if v, ok := sample(body, `mfconform_probe_error_info{reason="timeout"}`); !ok || v != 1 {
			t.Errorf("no timeout reason\n%s", body)
		}
		// The run was stopped with SIGINT: it ends, writes its report
		// (interrupted) and leaves no process, context or folder.
		x.idle(t, 2*time.Minute)
		_, index := x.get(t, "/", "")
		if !strings.Contains(index, "<td>hangs</td><td>default</td><td>interrupted</td><td>no</td>") || !strings.Contains(index, "<td>timeout</td>") {
			t.Errorf("the stopped run's outcome is not an interrupted report with reason timeout:\n%s", index)
		}
	})

	t.Run("browser restart", func(t *testing.T) {
		procs := procTable()
		var browser int
		for _, p := range descendants(procs, x.cmd.Process.Pid) {
			if procs[p].ppid == x.cmd.Process.Pid && strings.Contains(filepath.Base(procs[p].exe), "chrom") {
				browser = p
			}
		}
		if browser == 0 {
			t.Fatal("no Chromium below the exporter")
		}
		if err := syscall.Kill(browser, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		ok, why := waitFor(2*time.Minute, func() (bool, string) {
			_, body := x.get(t, "/metrics", "")
			restarts, _ := sample(body, "mfconform_exporter_browser_restarts_total")
			up, _ := sample(body, "mfconform_exporter_browser_up")
			return restarts == 1 && up == 1, fmt.Sprintf("restarts %v, up %v", restarts, up)
		})
		if !ok {
			t.Fatalf("the killed Chromium was not restarted: %s\nstderr:\n%s", why, x.stderr)
		}
		if v, _ := sample(x.probe(t, "target=documented"), "mfconform_probe_success"); v != 1 {
			t.Errorf("a probe after the restart: success %v, want 1", v)
		}
		if ok, why := waitFor(time.Minute, func() (bool, string) {
			old := chromiumUsing(filepath.Join(x.tmpDir, "mfx")) // every generation's folder starts there
			var first []string
			for _, pid := range old {
				if b, _ := os.ReadFile("/proc/" + pid + "/cmdline"); bytes.Contains(b, []byte("/b0/")) {
					first = append(first, pid)
				}
			}
			return len(first) == 0, fmt.Sprintf("processes of the killed browser still run: %v", first)
		}); !ok {
			t.Error(why)
		}
	})

	t.Run("report_dir keeps the newest", func(t *testing.T) {
		entries, err := os.ReadDir(filepath.Join(reportDir, "documented"))
		if err != nil || len(entries) != 2 {
			t.Errorf("report_dir/documented holds %d folders (%v), want keep_reports: 2", len(entries), err)
		}
	})

	_, _ = x.get(t, "/metrics", "")
	if code := x.stop(t); code != exitInterrupted {
		t.Errorf("exit code after SIGINT = %d, want %d\nstderr:\n%s", code, exitInterrupted, x.stderr)
	}
	outputs := map[string]string{"stdout": x.stdout.String(), "stderr": x.stderr.String()}
	for k, v := range x.responses {
		outputs[k] = v
	}
	_ = filepath.WalkDir(reportDir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(path)
			outputs[path] = string(b)
		}
		return nil
	})
	if len(outputs) < 30 {
		t.Errorf("checked %d outputs for secrets, want every answer and report", len(outputs))
	}
	assertNoSecrets(t, outputs)
	left, _ := os.ReadDir(x.tmpDir)
	for _, e := range left {
		t.Errorf("temporary file left behind in TMPDIR: %s", e.Name())
	}
	if pids := chromiumUsing(x.tmpDir); len(pids) > 0 {
		t.Errorf("Chromium processes still running after the exporter stopped: %v", pids)
	}
}

// TestExporterConfigErrors: a configuration the exporter cannot serve is
// refused before it starts (exit 3), saying what to fix.
func TestExporterConfigErrors(t *testing.T) {
	tests := []struct {
		name, config, want string
	}{
		{"no targets", "min_interval: 1m\n", "lists no targets"},
		{"unknown key", "targets: [{fixture: documented}]\nscrape: 1m\n", "exporter.yaml:2:1: an unknown key in the file"},
		{"unknown fixture", "targets: [{fixture: no-such}]\n", "no-such"},
		{"duplicate name", "targets: [{fixture: documented}, {fixture: documented}]\n", "an earlier target has that name"},
		{"bad module name", "targets: [{fixture: documented}]\nmodules: {Strict: {}}\n", `module "Strict"`},
		{"bad fail_on", "targets: [{fixture: documented}]\nmodules: {strict: {fail_on: never}}\n", "fail_on"},
		{"bad label filter", "targets: [{fixture: documented}]\nmodules: {cookies: {label_filter: \"area:(cookie\"}}\n", "module cookies"},
		{"bad target args", "targets: [{name: x, args: [--login-url, ftp://x]}]\n", "target x with module default"},
		{"bad concurrency", "targets: [{fixture: documented}]\nconcurrency: 0\n", "concurrency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runBinary(t, nil, "exporter", "--config", writeFile(t, "exporter.yaml", tt.config), "--listen", "127.0.0.1:0")
			if res.code != exitToolError || !strings.Contains(res.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d saying %q", res.code, res.stderr, exitToolError, tt.want)
			}
		})
	}
	if res := runBinary(t, nil, "exporter"); res.code != exitToolError || !strings.Contains(res.stderr, "--config") {
		t.Errorf("exporter without --config: exit %d, %q", res.code, res.stderr)
	}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	res := runBinary(t, nil, "exporter", "--config", writeFile(t, "exporter.yaml", "targets: [{fixture: documented}]\n"), "--listen", taken.Addr().String())
	if res.code != exitToolError || !strings.Contains(res.stderr, "--listen "+taken.Addr().String()) {
		t.Errorf("exporter on a port in use: exit %d, %q; want %d naming --listen", res.code, res.stderr, exitToolError)
	}
	if pids := chromiumUsing(res.tmpDir); len(pids) > 0 {
		t.Errorf("Chromium started for an exporter that cannot listen: %v", pids)
	}
}
