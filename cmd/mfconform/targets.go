package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"html/template"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/mfconform/mfconform/fixtures"
	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/harness/hostmap"
	"github.com/mfconform/mfconform/harness/pki"
	"github.com/mfconform/mfconform/reports"
	"github.com/mfconform/mfconform/suites/runner"
)

// Environment variables through which a batch hands its shared browser and
// CA to the runs it starts (internal to mfconform).
const (
	envSharedBrowser = "MFCONFORM_SHARED_BROWSER"
	envSharedCA      = "MFCONFORM_SHARED_CA_DIR"
)

// sharedFromEnv attaches a run started by a batch to the batch's browser
// and CA.
func sharedFromEnv(cfg *runner.Config, getenv func(string) string) error {
	cfg.SharedBrowser = getenv(envSharedBrowser)
	dir := getenv(envSharedCA)
	if dir == "" {
		return nil
	}
	cert, err1 := os.ReadFile(filepath.Join(dir, "ca.pem"))
	key, err2 := os.ReadFile(filepath.Join(dir, "ca-key.pem"))
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("shared CA: %w", err)
	}
	ca, err := pki.ParseCA(cert, key)
	if err != nil {
		return err
	}
	cfg.SharedCA = ca
	return nil
}

// Target is one deployment of a --targets file: a fixture of the embedded
// reference deployment, or run flags / a config file for a real one.
type Target struct {
	Name    string   `yaml:"name"`
	Fixture string   `yaml:"fixture"`
	Config  string   `yaml:"config"`
	Args    []string `yaml:"args"`
}

// loadTargets reads a --targets file; unknown keys are errors with their line.
func loadTargets(path string) ([]Target, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: --targets: %v", runner.ErrConfig, err)
	}
	var f struct {
		Targets []Target `yaml:"targets"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", runner.ErrConfig, path, err)
	}
	seen := map[string]bool{}
	for i, t := range f.Targets {
		if t.Name == "" {
			t.Name = t.Fixture
			f.Targets[i].Name = t.Name
		}
		if t.Name == "" || strings.ContainsAny(t.Name, "/\\ ") || seen[t.Name] {
			return nil, fmt.Errorf("%w: %s: target %d needs a unique name without slashes or spaces", runner.ErrConfig, path, i+1)
		}
		seen[t.Name] = true
		if t.Fixture != "" {
			if _, err := fixtures.Get(t.Fixture); err != nil {
				return nil, fmt.Errorf("%w: %s: target %s: %v", runner.ErrConfig, path, t.Name, err)
			}
		}
	}
	if len(f.Targets) == 0 {
		return nil, fmt.Errorf("%w: %s lists no targets", runner.ErrConfig, path)
	}
	return f.Targets, nil
}

// runArgs is the `mfconform run` command line of one target.
func (t Target) runArgs(reportDir string) []string {
	args := []string{"run", "--report-dir", reportDir}
	if t.Fixture != "" {
		args = append(args, "--fixture", t.Fixture)
	}
	if t.Config != "" {
		args = append(args, "--config", t.Config)
	}
	return append(args, t.Args...)
}

// shard keeps the targets whose name hashes to shard i of n (1-based), so
// the split is stable however the file is reordered.
func shard(ts []Target, i, n int) []Target {
	var out []Target
	for _, t := range ts {
		h := fnv.New32a()
		h.Write([]byte(t.Name))
		if int(h.Sum32()%uint32(n)) == i-1 {
			out = append(out, t)
		}
	}
	return out
}

func parseShard(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return 0, 0, fmt.Errorf("%w: --shard %q: want I/N with 1 ≤ I ≤ N", runner.ErrConfig, s)
	}
	return i, n, nil
}

// hostsOf are the names a target's run serves locally (the shared browser
// must map them all to loopback): the reference deployment's for a
// fixture, mfconform's own for a real target.
func hostsOf(t Target, getenv func(string) string) ([]string, []string, error) {
	if t.Fixture != "" {
		f, _ := fixtures.Get(t.Fixture)
		p, sp := f.Profile(), f.SupabaseProfile()
		return []string{p.Hosts.Login, p.Hosts.App, p.Hosts.Embed, sp.Host(), runner.Defaults().AppHost}, nil, nil
	}
	cfg, _, _, err := loadConfig(t.runArgs("x")[1:], getenv)
	if err != nil {
		return nil, nil, err
	}
	hosts := []string{runner.EmbedHost, cfg.AppHost}
	if cfg.JWT.Reference() {
		if h, err := cfg.ReferenceAppHost(); err == nil {
			hosts = append(hosts, h)
		}
	}
	return hosts, cfg.Network.Resolve, nil
}

// IndexEntry is one target in index.json.
type IndexEntry struct {
	Name     string         `json:"name"`
	Exit     int            `json:"exit"`
	Verdict  string         `json:"verdict"`
	Counts   map[string]int `json:"counts"`
	Report   string         `json:"report"`
	Duration float64        `json:"duration_ms"`
	Error    string         `json:"error,omitempty"`
}

// targetsCmd runs a batch: one shared Chromium, up to concurrency runs at
// a time, one report directory per target plus index.html and index.json.
func targetsCmd(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	file := fs.String("targets", "", "YAML list of targets")
	conc := fs.Int("concurrency", 2, "targets checked at the same time")
	shardFlag := fs.String("shard", "1/1", "check shard I of N (stable by target name)")
	reportDir := fs.String("report-dir", "reports/out", "where the index and one folder per target go")
	dry := fs.Bool("dry-run", false, "print the targets this shard would check, and stop")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return exitToolError, fmt.Errorf("%w: run --targets FILE [--concurrency N] [--shard I/N] [--report-dir DIR] [--dry-run]", errUsage)
	}
	all, err := loadTargets(*file)
	if err != nil {
		return exitToolError, err
	}
	i, n, err := parseShard(*shardFlag)
	if err != nil {
		return exitToolError, err
	}
	if *conc < 1 {
		return exitToolError, fmt.Errorf("%w: --concurrency must be at least 1", runner.ErrConfig)
	}
	targets := shard(all, i, n)
	if *dry {
		for _, t := range targets {
			fmt.Fprintln(stdout, t.Name)
		}
		return exitOK, nil
	}
	if len(targets) == 0 {
		fmt.Fprintf(stdout, "shard %d/%d has no targets\n", i, n)
		return exitOK, nil
	}

	// One browser for the batch: it trusts the batch's CA and maps every
	// target's local names.
	var hm hostmap.Map
	for _, t := range targets {
		hosts, resolve, err := hostsOf(t, os.Getenv)
		if err != nil {
			return exitToolError, fmt.Errorf("target %s: %w", t.Name, err)
		}
		for _, h := range hosts {
			_ = hm.Add(h, "127.0.0.1")
		}
		for _, r := range resolve {
			h, a, _ := strings.Cut(r, "=")
			_ = hm.Add(h, a)
		}
	}
	dir, err := runner.TempDir("mfc-b-")
	if err != nil {
		return exitToolError, err
	}
	defer os.RemoveAll(dir)
	ca, err := pki.NewCA()
	if err != nil {
		return exitToolError, err
	}
	certPEM, keyPEM, err := ca.MarshalPEM()
	if err != nil {
		return exitToolError, err
	}
	caDir := filepath.Join(dir, "ca")
	if err := os.MkdirAll(caDir, 0o700); err != nil {
		return exitToolError, err
	}
	if err := errors.Join(os.WriteFile(filepath.Join(caDir, "ca.pem"), certPEM, 0o600),
		os.WriteFile(filepath.Join(caDir, "ca-key.pem"), keyPEM, 0o600)); err != nil {
		return exitToolError, err
	}
	// The runs reach the browser through a relay's Unix socket in the
	// batch's 0700 folder; the browser has no TCP port.
	sock := filepath.Join(dir, "cdp")
	lctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	br, err := browser.Launch(lctx, browser.Options{Dir: filepath.Join(dir, "c"), ResolverRules: hm.ChromiumRules(), CAPEM: certPEM, ShareSocket: sock, StartTimeout: 60 * time.Second})
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return exitInterrupted, nil
		}
		return exitToolError, fmt.Errorf("start the shared browser: %w", err)
	}
	defer br.Close()

	self, err := os.Executable()
	if err != nil {
		return exitToolError, err
	}
	start := time.Now()
	entries := make([]IndexEntry, len(targets))
	sem := make(chan struct{}, *conc)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for k, t := range targets {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			e := runBatchTarget(ctx, self, t, filepath.Join(*reportDir, t.Name), sock, caDir)
			entries[k] = e
			mu.Lock()
			fmt.Fprintf(stdout, "%-32s exit %d  %-26s %6.0f ms  %s\n", t.Name, e.Exit, strings.ToUpper(e.Verdict), e.Duration, e.Report)
			mu.Unlock()
		})
	}
	wg.Wait()
	if err := writeIndex(*reportDir, entries, time.Since(start)); err != nil {
		return exitToolError, err
	}
	fmt.Fprintf(stdout, "\n%d targets in %s; index: %s\n", len(entries), time.Since(start).Round(time.Millisecond), filepath.Join(*reportDir, "index.html"))
	if ctx.Err() != nil {
		return exitInterrupted, nil
	}
	worst := exitOK
	for _, e := range entries {
		worst = max(worst, rank(e.Exit))
	}
	return unrank(worst), nil
}

// rank orders exit codes by severity for a batch: tool errors beat
// failures beat warnings.
func rank(code int) int {
	return map[int]int{exitOK: 0, exitWarned: 1, exitFailed: 2, exitToolError: 3, exitInterrupted: 4}[code]
}

func unrank(r int) int {
	return []int{exitOK, exitWarned, exitFailed, exitToolError, exitInterrupted}[r]
}

// runBatchTarget runs one target's mfconform in its own process attached to the
// shared browser.
func runBatchTarget(ctx context.Context, self string, t Target, reportDir, socket, caDir string) IndexEntry {
	e := IndexEntry{Name: t.Name, Report: filepath.Join(t.Name, reports.HTMLFile)}
	if ctx.Err() != nil {
		e.Exit, e.Verdict, e.Error = exitInterrupted, reports.VerdictInterrupted, "not started"
		return e
	}
	cmd := exec.CommandContext(ctx, self, t.runArgs(reportDir)...)
	cmd.Env = append(os.Environ(), envSharedBrowser+"="+socket, envSharedCA+"="+caDir)
	// On Ctrl-C the run gets SIGINT, so it writes its report and cleans up
	// like a run started by hand; it is killed only if it does not stop.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) }
	cmd.WaitDelay = 10 * time.Second
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	start := time.Now()
	err := cmd.Run()
	e.Duration = float64(time.Since(start).Microseconds()) / 1000
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		e.Exit = ee.ExitCode()
	case err != nil:
		e.Exit, e.Error = exitToolError, err.Error()
	}
	if r, err := reports.ReadJSON(filepath.Join(reportDir, reports.JSONFile)); err == nil {
		e.Verdict, e.Counts = r.Verdict, r.Counts
	} else if e.Error == "" {
		e.Error = err.Error()
	}
	return e
}

var indexPage = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mfconform — {{len .Entries}} targets</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}
.conformant{background:#dfd}.warnings{background:#ffd}.bad{background:#fdd}</style></head>
<body><h1>mfconform: {{len .Entries}} targets</h1><p>{{.Duration}} wall</p>
<table><tr><th>target</th><th>verdict</th><th>passed</th><th>failed</th><th>warned</th><th>skipped</th><th>waived</th><th>exit</th><th>time</th></tr>
{{range .Entries}}<tr class="{{if eq .Verdict "conformant"}}conformant{{else if eq .Verdict "conformant with warnings"}}warnings{{else}}bad{{end}}">
<td><a href="{{.Report}}">{{.Name}}</a></td><td>{{.Verdict}}{{if .Error}} ({{.Error}}){{end}}</td>
<td>{{index .Counts "passed"}}</td><td>{{index .Counts "failed"}}</td><td>{{index .Counts "warned"}}</td><td>{{index .Counts "skipped"}}</td><td>{{index .Counts "waived"}}</td>
<td>{{.Exit}}</td><td>{{printf "%.0f" .Duration}} ms</td></tr>
{{end}}</table></body></html>
`))

// writeIndex writes index.html and index.json for a batch.
func writeIndex(dir string, entries []IndexEntry, took time.Duration) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	slices.SortFunc(entries, func(a, b IndexEntry) int { return strings.Compare(a.Name, b.Name) })
	b, _ := json.MarshalIndent(map[string]any{"targets": entries, "duration_ms": took.Milliseconds()}, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, "index.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := indexPage.Execute(&buf, map[string]any{"Entries": entries, "Duration": took.Round(time.Millisecond)}); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "index.html"), buf.Bytes(), 0o644)
}
