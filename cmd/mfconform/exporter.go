package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/exporter"
	"github.com/mfconform/mfconform/cmd/mfconform/internal/runner"
	"github.com/mfconform/mfconform/cmd/mfconform/internal/settings"
	"github.com/mfconform/mfconform/reports"
	"github.com/mfconform/mfconform/suites/result"
)

// exporterOptions are `mfconform exporter`'s settings: flags, and the
// keys of its configuration file, which also lists the targets and modules.
type exporterOptions struct {
	configFile    string
	listen        string
	concurrency   int
	minInterval   time.Duration
	probeTimeout  time.Duration
	timeoutOffset time.Duration
	reportDir     string
	keepReports   int
	// allowEnv and refFromEnv are passed to every target's run (pass), as
	// a batch's command line passes them: a file may not set them.
	allowEnv   []string
	refFromEnv bool
	targets    []Target
	modules    map[string]exporter.Module
}

// exporterSettings is the table of `mfconform exporter`'s settings.
var exporterSettings = &settings.Table[exporterOptions]{
	Command: "exporter",
	Settings: []settings.Setting[exporterOptions]{
		{Flag: "config", Arg: "FILE", CommandLineOnly: "it names the configuration file itself",
			Usage: "the exporter's YAML configuration: targets (entries as in a --targets file), modules, and the settings below by their keys",
			Value: settings.String(func(o *exporterOptions) *string { return &o.configFile })},
		{Flag: "listen", Key: "listen", Arg: "ADDR",
			Usage: "the address to serve /probe, /metrics, /report and / on (the default is loopback only)",
			Value: settings.String(func(o *exporterOptions) *string { return &o.listen }).Default("127.0.0.1:9841").Check(hostPort)},
		{Flag: "concurrency", Key: "concurrency", Arg: "N",
			Usage: "how many probes run at the same time (each is a full run in the shared Chromium)",
			Value: settings.Int(func(o *exporterOptions) *int { return &o.concurrency }).Default(2).Check(atLeast(1))},
		{Flag: "min-interval", Key: "min_interval", Arg: "DURATION",
			Usage: "the least time between two runs of one target and module; a scrape sooner gets the last outcome, its age in mfconform_probe_cache_age_seconds",
			Value: settings.Duration(func(o *exporterOptions) *time.Duration { return &o.minInterval }).Default(30 * time.Second).Check(notNegative)},
		{Flag: "probe-timeout", Key: "probe_timeout", Arg: "DURATION",
			Usage: "the longest a probe may run; a scrape's X-Prometheus-Scrape-Timeout-Seconds (less --timeout-offset) and a module's timeout shorten it",
			Value: settings.Duration(func(o *exporterOptions) *time.Duration { return &o.probeTimeout }).Default(2 * time.Minute).Check(positive)},
		{Flag: "timeout-offset", Key: "timeout_offset", Arg: "DURATION",
			Usage: "taken off the scrape's timeout, so the answer reaches Prometheus before it gives up",
			Value: settings.Duration(func(o *exporterOptions) *time.Duration { return &o.timeoutOffset }).Default(500 * time.Millisecond).Check(notNegative)},
		{Flag: "report-dir", Key: "report_dir", Arg: "DIR",
			Usage: "when set, each probe's reports are also written to DIR/TARGET/TIME-MODULE",
			Value: settings.String(func(o *exporterOptions) *string { return &o.reportDir })},
		{Flag: "keep-reports", Key: "keep_reports", Arg: "N",
			Usage: "how many probes' reports --report-dir keeps per target, the newest",
			Value: settings.Int(func(o *exporterOptions) *int { return &o.keepReports }).Default(10).Check(atLeast(1))},
		{Flag: "allow-env", Arg: "NAME", CommandLineOnly: "a configuration file is less trusted than the command line",
			Usage: runUsage("allow-env"),
			Value: settings.List(func(o *exporterOptions) *[]string { return &o.allowEnv }).Check(runner.CheckAllowEnv)},
		{Flag: "reference-secret-from-env", CommandLineOnly: "it lets a local server sign with your real key; a configuration file is less trusted than the command line",
			Usage: runUsage("reference-secret-from-env"),
			Value: settings.Bool(func(o *exporterOptions) *bool { return &o.refFromEnv })},
		{Key: "targets", FileOnly: "a list of entries (name, fixture, config, args), as in a --targets file",
			Usage: "the targets a probe may name",
			Value: settings.Structured(func(o *exporterOptions) *[]Target { return &o.targets })},
		{Key: "modules", FileOnly: "named mappings of label_filter, fail_on, allow_incomplete and timeout",
			Usage: "named ways to probe, chosen with &module=NAME (default: every spec, success when run would exit 0)",
			Value: settings.Structured(func(o *exporterOptions) *map[string]exporter.Module { return &o.modules })},
	},
}

func hostPort(s string) error {
	if _, _, err := net.SplitHostPort(s); err != nil {
		return fmt.Errorf("%q: want HOST:PORT (127.0.0.1:9841, or :9841 for every address)", s)
	}
	return nil
}

func atLeast(n int) func(int) error {
	return func(v int) error {
		if v < n {
			return fmt.Errorf("%d: want at least %d", v, n)
		}
		return nil
	}
}

func positive(d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("%q: want a positive duration", d.String())
	}
	return nil
}

func notNegative(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("%q: want a duration of 0 or more", d.String())
	}
	return nil
}

// maxExporterConfig bounds the configuration file read.
const maxExporterConfig = 1 << 20

// moduleName is what a module may be called: it names report folders.
var moduleName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// loadExporter reads the exporter's settings: defaults < the configuration
// file < flags that were set. The targets are checked as a --targets file's
// are, the modules by themselves, and every target with every module as its
// run would load it, so a mistake stops the exporter before it serves.
func loadExporter(args []string, getenv func(string) string) (*exporterOptions, error) {
	cl, err := exporterSettings.Parse(args)
	if err != nil {
		return nil, fmt.Errorf("%w: exporter: %v", errUsage, err)
	}
	if len(cl.Args()) > 0 {
		return nil, fmt.Errorf("%w: exporter %s", errUsage, exporterSettings.Synopsis("config"))
	}
	o := &exporterOptions{}
	exporterSettings.SetDefaults(o)
	src := settings.Sources{}
	file := cl.Values().configFile
	if file == "" {
		return nil, fmt.Errorf("%w: exporter needs --config FILE: the targets it may probe", errUsage)
	}
	b, err := runner.ReadFileLimit(file, maxExporterConfig)
	if err != nil {
		return nil, fmt.Errorf("%w: --config: %v", runner.ErrConfig, err)
	}
	name := result.Clean(file)
	if err := exporterSettings.ParseFile(o, name, b, src); err != nil {
		return nil, fmt.Errorf("%w: %s", runner.ErrConfig, result.Clean(result.Cut(err.Error(), result.MaxText)))
	}
	cl.Apply(o, src)
	if err := exporterSettings.Validate(o, src); err != nil {
		return nil, fmt.Errorf("%w: %s", runner.ErrConfig, result.Clean(err.Error()))
	}
	if len(o.targets) == 0 {
		return nil, fmt.Errorf("%w: %s lists no targets", runner.ErrConfig, name)
	}
	if o.targets, err = checkTargets(name, result.YAMLDoc{}, o.targets, o.allowEnv); err != nil {
		return nil, err
	}
	if o.modules == nil {
		o.modules = map[string]exporter.Module{}
	}
	if _, ok := o.modules[exporter.DefaultModule]; !ok {
		o.modules[exporter.DefaultModule] = exporter.Module{}
	}
	for n, m := range o.modules {
		if !moduleName.MatchString(n) {
			return nil, fmt.Errorf("%w: %s: module %q: want lower-case letters, digits, '_' and '-' (it names report folders)", runner.ErrConfig, name, result.Clean(n))
		}
		if err := m.Check(); err != nil {
			return nil, fmt.Errorf("%w: %s: module %s: %v", runner.ErrConfig, name, n, err)
		}
	}
	for _, t := range o.targets {
		for _, n := range slices.Sorted(maps.Keys(o.modules)) {
			cfg, err := runner.Load(append(t.runArgs("x", o.pass()...)[1:], o.modules[n].RunArgs()...), getenv)
			if err == nil {
				err = cfg.Validate()
			}
			if err != nil {
				return nil, fmt.Errorf("%w: %s: target %s with module %s: %s", runner.ErrConfig, name, t.Name, n, result.Clean(result.Cut(err.Error(), result.MaxText)))
			}
		}
	}
	return o, nil
}

// pass is what the exporter's command line gives every target's run: the
// run settings its configuration file may not set itself.
func (o *exporterOptions) pass() []string { return passArgs(o.allowEnv, o.refFromEnv) }

// exporterBrowser is one start of the exporter's shared Chromiums: a
// batch's browsers (batchBrowsers: one per set of private CAs the targets
// trust), all launched at once, in a folder of their own.
type exporterBrowser struct {
	*batchBrowsers
	done chan struct{}
}

// newExporterBrowser launches the browsers of s and watches them: Done
// is closed once any of them is gone, so the supervisor starts them all
// again.
func newExporterBrowser(ctx context.Context, s *batchBrowsers) (*exporterBrowser, error) {
	if err := s.openAll(ctx); err != nil {
		return nil, err
	}
	b := &exporterBrowser{batchBrowsers: s, done: make(chan struct{})}
	var once sync.Once
	for _, r := range s.running() {
		go func() {
			<-r.browser.Done()
			once.Do(func() { close(b.done) })
		}()
	}
	return b, nil
}

// Done is closed once a browser is gone.
func (b *exporterBrowser) Done() <-chan struct{} { return b.done }

// Close stops the browsers and removes their folder (profiles, CAs,
// sockets).
func (b *exporterBrowser) Close() error {
	b.close()
	return os.RemoveAll(b.dir)
}

// exporterCmd is `mfconform exporter --config FILE [flags]`: it serves
// /probe, /metrics, /report and / until ctx ends (Ctrl-C, SIGTERM), then
// stops every run (SIGINT, as a batch does), the browser, and removes its
// temporary folder.
func exporterCmd(signals context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	o, err := loadExporter(args, os.Getenv)
	if err != nil {
		return exitToolError, err
	}
	self, err := os.Executable()
	if err != nil {
		return exitToolError, err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return exitToolError, fmt.Errorf("%w: --listen %s: %v", runner.ErrConfig, o.listen, err)
	}
	defer ln.Close()
	base, err := runner.TempDir("mfx")
	if err != nil {
		return exitToolError, err
	}
	defer os.RemoveAll(base)
	// ctx is the exporter's life: a signal, or a server that fails.
	ctx, stop := context.WithCancel(signals)
	defer stop()
	logf := func(format string, args ...any) {
		fmt.Fprintf(stderr, "%s mfconform exporter: %s\n", time.Now().UTC().Format(time.RFC3339), result.Clean(fmt.Sprintf(format, args...)))
	}

	var sup *exporter.Supervisor[*exporterBrowser]
	metrics := exporter.NewMetrics(toolVersion(), func() float64 { return browserContexts(sup) })
	sup = &exporter.Supervisor[*exporterBrowser]{Metrics: metrics, Logf: logf,
		Launch: func(ctx context.Context, n int) (*exporterBrowser, error) {
			dir := filepath.Join(base, "b"+strconv.Itoa(n))
			if err := os.Mkdir(dir, 0o700); err != nil {
				return nil, err
			}
			// What the exporter's command line allows every target's run
			// (pass); its file cannot allow more.
			s, err := planBrowsers(dir, o.targets, nil, o.pass(), os.Getenv)
			if err == nil {
				var b *exporterBrowser
				if b, err = newExporterBrowser(ctx, s); err == nil {
					return b, nil
				}
			}
			os.RemoveAll(dir)
			return nil, err
		}}
	if err := sup.Start(ctx); err != nil {
		if signals.Err() != nil {
			return exitInterrupted, nil
		}
		return exitToolError, err
	}

	sched := exporter.NewScheduler(ctx, o.concurrency)
	sched.MinInterval, sched.Metrics = o.minInterval, metrics
	metrics.Limit.Set(float64(o.concurrency))
	byName := map[string]Target{}
	var names []string
	for _, t := range o.targets {
		byName[t.Name], names = t, append(names, t.Name)
	}
	var seq atomic.Int64
	sched.Success = func(rep *result.Report, k exporter.Key) bool {
		m := o.modules[k.Module]
		return exitCode(context.Background(), rep, nil, m.FailOn == "warn", m.AllowIncomplete) == exitOK
	}
	sched.Run = func(pctx context.Context, k exporter.Key) exporter.Run {
		return probeTarget(pctx, ctx, probeSetup{self: self, base: base, seq: &seq, sup: sup, target: byName[k.Target],
			module: o.modules[k.Module], pass: o.pass(), key: k, reportDir: o.reportDir, keep: o.keepReports, logf: logf})
	}
	srv := &http.Server{
		Handler: (&exporter.Server{Targets: names, Modules: o.modules, Scheduler: sched, Metrics: metrics, Version: toolVersion(),
			DefaultTimeout: o.probeTimeout, TimeoutOffset: o.timeoutOffset}).Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	fmt.Fprintf(stdout, "mfconform exporter %s: %d targets, listening on http://%s\n", toolVersion(), len(names), ln.Addr())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err = <-served:
	}
	// The runs get SIGINT through ctx; handlers waiting for them answer
	// as the runs end. Then the browser closes.
	stop()
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	_ = srv.Shutdown(sctx)
	cancel()
	sched.Wait()
	sup.Wait()
	if signals.Err() != nil {
		fmt.Fprintln(stdout, "mfconform exporter: stopped")
		return exitInterrupted, nil
	}
	return exitToolError, fmt.Errorf("exporter: serve: %w", err)
}

// browserContexts is how many browser contexts the running shared
// Chromiums hold together (NaN when none runs or one does not answer
// within a second), for mfconform_exporter_browser_contexts.
func browserContexts(sup *exporter.Supervisor[*exporterBrowser]) float64 {
	b, ok := sup.Current()
	if !ok {
		return math.NaN()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var n int
	for _, r := range b.running() {
		k, err := r.browser.Contexts(ctx)
		if err != nil {
			return math.NaN()
		}
		n += k
	}
	return float64(n)
}

// probeSetup is what one probe needs.
type probeSetup struct {
	self, base string
	seq        *atomic.Int64
	sup        *exporter.Supervisor[*exporterBrowser]
	target     Target
	module     exporter.Module
	pass       []string
	key        exporter.Key
	reportDir  string
	keep       int
	logf       func(string, ...any)
}

// probeTarget is one probe: a `mfconform run` of the target with the
// module's flags, its own process attached to the shared browser, with its
// own TMPDIR inside the probe's folder, which is removed afterwards
// whatever the run left. ctx bounds it (the scrape's deadline); root is
// the exporter's life.
func probeTarget(ctx, root context.Context, p probeSetup) (r exporter.Run) {
	start := time.Now()
	defer func() { r.Duration = time.Since(start) }()
	reason := func(def exporter.Reason) exporter.Reason {
		switch {
		case root.Err() != nil:
			return exporter.ReasonShutdown
		case ctx.Err() != nil && def != exporter.ReasonBrowser:
			return exporter.ReasonTimeout
		}
		return def
	}
	b, release, err := p.sup.Acquire(ctx)
	if err != nil {
		r.Reason = reason(exporter.ReasonBrowser)
		return r
	}
	defer release()
	dir := filepath.Join(p.base, "p"+strconv.FormatInt(p.seq.Add(1), 10))
	tmp := filepath.Join(dir, "t")
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		p.logf("probe %s: %v", p.key.Target, err)
		r.Reason = reason(exporter.ReasonRunFailed)
		return r
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "r")
	args := append(p.target.runArgs(out, p.pass...), p.module.RunArgs()...)
	shared := b.browserOf(p.target.Name)
	if shared == nil {
		p.logf("probe %s: its browser is not running", p.key.Target)
		r.Reason = reason(exporter.ReasonBrowser)
		return r
	}
	env := append(os.Environ(), envSharedBrowser+"="+shared.socket, envSharedCA+"="+shared.caDir, "TMPDIR="+tmp)
	if _, err := runChild(ctx, p.self, args, env); err != nil {
		p.logf("probe %s: %v", p.key.Target, err)
	}
	if rep, err := reports.ReadJSON(filepath.Join(out, reports.JSONFile)); err == nil {
		r.Report = rep
		r.HTML, _ = os.ReadFile(filepath.Join(out, reports.HTMLFile))
		if p.reportDir != "" {
			if err := exporter.Keep(p.reportDir, p.key, start, out, p.keep); err != nil {
				p.logf("probe %s: %v", p.key.Target, err)
			}
		}
	}
	switch {
	case root.Err() != nil || ctx.Err() != nil:
		r.Reason = reason("")
	case r.Report == nil:
		r.Reason = exporter.ReasonRunFailed
	}
	return r
}

// exporterHelp is `mfconform exporter --help`.
func exporterHelp() string {
	return flagsHelp("Usage: mfconform exporter "+exporterSettings.Synopsis("config")+`

Serves mfconform as a Prometheus exporter, in blackbox_exporter's multi-target pattern:
  GET /probe?target=NAME[&module=M]  runs that configured target's check (a full run in the shared
                                     Chromium) and answers mfconform_probe_success, mfconform_verdict,
                                     mfconform_spec_state, mfconform_finding, … in the text format
  GET /metrics                       the exporter's own metrics
  GET /report?target=NAME            the target's last HTML report
  GET /                              every target with its last verdict
Only the targets of the configuration can be probed; a URL or another name is refused (400).
The scrape's X-Prometheus-Scrape-Timeout-Seconds bounds a probe. See docs/watch-production.md.
`, exporterSettings)
}
