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

	"github.com/mfconform/mfconform/cmd/mfconform/internal/runner"
	"github.com/mfconform/mfconform/cmd/mfconform/internal/settings"
	"github.com/mfconform/mfconform/reports"
	"github.com/mfconform/mfconform/suites/result"
)

// Environment variables through which a batch hands its shared browser and
// CA to the runs it starts (internal to mfconform; runner.Load reads them).
const (
	envSharedBrowser = runner.EnvSharedBrowser
	envSharedCA      = runner.EnvSharedCA
)

// Target is one deployment of a --targets file: a fixture of the embedded
// reference deployment, or run flags / a config file for a real one.
type Target struct {
	Name    string   `yaml:"name"`
	Fixture string   `yaml:"fixture"`
	Config  string   `yaml:"config"`
	Args    []string `yaml:"args"`
}

// maxTargetsFile bounds the --targets file read.
const maxTargetsFile = 1 << 20

// targetsFile is the YAML shape of a --targets file.
type targetsFile struct {
	Targets []Target `yaml:"targets"`
}

// loadTargets reads a --targets file; unknown keys are errors with their
// line. allowEnv are the batch's --allow-env names.
func loadTargets(path string, allowEnv ...string) ([]Target, error) {
	b, err := runner.ReadFileLimit(path, maxTargetsFile)
	if err != nil {
		return nil, fmt.Errorf("%w: --targets: %v", runner.ErrConfig, err)
	}
	return parseTargets(path, b, allowEnv...)
}

// targetsShape is the shape of a --targets file, for errors.
const targetsShape = "targets: followed by a list of entries, each with name and one of fixture, config or args"

// parseTargets is loadTargets on the file's bytes; name is used in errors,
// which name the file, the line and column and the shape wanted, and
// never hold the file's content (result.FileError). A target's args are
// checked as a file's (runner.TargetArgsProblem): the file cannot set what
// only a command line may, nor read a secret the batch's command line
// (allowEnv) did not allow.
func parseTargets(path string, b []byte, allowEnv ...string) ([]Target, error) {
	path = result.Clean(path)
	if len(b) > maxTargetsFile {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", runner.ErrConfig, path, maxTargetsFile)
	}
	var f targetsFile
	doc, err := result.DecodeYAML(path, b, &f, targetsShape)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", runner.ErrConfig, err)
	}
	return checkTargets(path, doc, f.Targets, allowEnv)
}

// checkTargets names each target (its fixture when it has no name) and
// checks the names are usable and unique and the fixtures exist; path
// (already cleaned) names the file in errors and doc places each entry
// (the zero YAMLDoc when the list came from elsewhere: entries are then
// named by number only), and allowEnv are the names the command line
// allowed env: references to read (runner.TargetArgsProblem). A --targets
// file and the exporter's configuration list targets alike.
func checkTargets(path string, doc result.YAMLDoc, targets []Target, allowEnv []string) ([]Target, error) {
	f := targetsFile{Targets: targets}
	seen := map[string]bool{}
	for i, t := range f.Targets {
		bad := func(want, format string, args ...any) error {
			return fmt.Errorf("%w: %w", runner.ErrConfig, doc.Errorf(path, "targets", i, want, "target %d"+format, append([]any{i + 1}, args...)...))
		}
		if t.Name == "" {
			t.Name = t.Fixture
			f.Targets[i].Name = t.Name
		}
		switch {
		case !validTargetName(t.Name):
			return nil, bad("a name of letters, digits, '.', '_' and '-' (not . or ..): it names the target's report folder", ": its name is not a folder name")
		case seen[t.Name]:
			return nil, bad("a name no other target has: it names the target's report folder", " (%s): an earlier target has that name", t.Name)
		}
		seen[t.Name] = true
		for _, a := range t.Args {
			if f := ownedFlag(a); f != "" {
				return nil, bad("each target's reports in its own folder inside the batch's --report-dir", " (%s): args may not set --%s", t.Name, f)
			}
		}
		if why := runner.TargetArgsProblem(t.Args, allowEnv); why != "" {
			return nil, bad("run flags a file may set; secrets are allowed on the batch's command line (--allow-env NAME)", " (%s): %s", t.Name, why)
		}
		if t.Fixture != "" {
			if _, err := runner.Fixture(t.Fixture); err != nil {
				// The suggestion names mfconform's fixtures, never the file's text.
				return nil, bad("a fixture `mfconform fixtures` lists"+runner.FixtureSuggestion(t.Fixture), " (%s): fixture is not one mfconform has", t.Name)
			}
		}
	}
	if len(f.Targets) == 0 {
		return nil, fmt.Errorf("%w: %s lists no targets; want %s", runner.ErrConfig, path, targetsShape)
	}
	return f.Targets, nil
}

// validTargetName accepts [A-Za-z0-9._-]+ except "." and "..": a target's
// name becomes a folder inside --report-dir and must stay there.
func validTargetName(n string) bool {
	if n == "" || n == "." || n == ".." || len(n) > 128 {
		return false
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// runArgs is the `mfconform run` command line of one target: its own
// args, then what the batch's command line passes to every target (pass:
// --allow-env, --reference-secret-from-env, which a targets file may not
// set), then the batch's --report-dir last, so it is the one the run uses
// even if the target's args named another (parseTargets refuses that too).
func (t Target) runArgs(reportDir string, pass ...string) []string {
	args := []string{"run"}
	if t.Fixture != "" {
		args = append(args, "--fixture", t.Fixture)
	}
	if t.Config != "" {
		args = append(args, "--config", t.Config)
	}
	args = append(args, t.Args...)
	args = append(args, pass...)
	return append(args, "--report-dir", reportDir)
}

// batchOwnedFlags are the run flags a target's args may not set: the batch
// decides where each target's reports go (one folder per target inside
// the batch's --report-dir), and a targets file — often editable by
// people who may not choose where mfconform writes — cannot move them.
var batchOwnedFlags = []string{"report-dir", "targets"}

// ownedFlag returns the batch-owned flag arg sets ("--report-dir",
// "-report-dir=x" …), or "".
func ownedFlag(arg string) string {
	name, ok := strings.CutPrefix(arg, "-")
	if !ok {
		return ""
	}
	name = strings.TrimPrefix(name, "-")
	name, _, _ = strings.Cut(name, "=")
	if slices.Contains(batchOwnedFlags, name) {
		return name
	}
	return ""
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

// batchOptions are the flags of `mfconform run --targets`.
type batchOptions struct {
	file, shard, reportDir string
	concurrency            int
	dry                    bool
	// allowEnv and refFromEnv are passed to every target's run (pass).
	allowEnv   []string
	refFromEnv bool
	// caFile is the batch's --ca-file, and caPEM its certificates:
	// trusted by every target's run and browser (batchBrowsers).
	caFile string
	caPEM  []byte
}

// pass is what the batch's command line gives every target's run: the
// run settings a targets file may not set itself.
func (o *batchOptions) pass() []string { return passArgs(o.allowEnv, o.refFromEnv) }

// passArgs are the run flags a command line that starts runs (a batch,
// the exporter) gives each of them: --allow-env NAME for each of
// allowEnv, and --reference-secret-from-env when refFromEnv.
func passArgs(allowEnv []string, refFromEnv bool) []string {
	var out []string
	for _, n := range allowEnv {
		out = append(out, "--allow-env", n)
	}
	if refFromEnv {
		out = append(out, "--reference-secret-from-env")
	}
	return out
}

// runUsage is the usage of the run flag of that name, which a batch flag
// passes on.
func runUsage(flag string) string {
	s, _ := runner.Settings.Lookup(flag)
	return s.Usage + "; passed to every target's run"
}

// batchSettings is the table of `mfconform run --targets`' flags.
var batchSettings = &settings.Table[batchOptions]{
	Command: "run --targets",
	Settings: []settings.Setting[batchOptions]{
		{Flag: "targets", Arg: "FILE", Usage: "YAML file listing the targets (name, and fixture, config or args)",
			Value: settings.String(func(o *batchOptions) *string { return &o.file })},
		{Flag: "concurrency", Arg: "N", Usage: "how many targets are checked at the same time",
			Value: settings.Int(func(o *batchOptions) *int { return &o.concurrency }).Default(2)},
		{Flag: "shard", Arg: "I/N", Usage: "check shard I of N only (stable by target name)",
			Value: settings.String(func(o *batchOptions) *string { return &o.shard }).Default("1/1")},
		{Flag: "report-dir", Arg: "DIR", Usage: "the folder for the index and one folder per target",
			Value: settings.String(func(o *batchOptions) *string { return &o.reportDir }).Default(runner.Defaults().ReportDir)},
		{Flag: "dry-run", Usage: "print the targets this shard would check (one behind a private CA with its browser group), and stop",
			Value: settings.Bool(func(o *batchOptions) *bool { return &o.dry })},
		{Flag: "allow-env", Arg: "NAME", Usage: runUsage("allow-env"),
			Value: settings.List(func(o *batchOptions) *[]string { return &o.allowEnv }).Check(runner.CheckAllowEnv)},
		{Flag: "reference-secret-from-env", Usage: runUsage("reference-secret-from-env"),
			Value: settings.Bool(func(o *batchOptions) *bool { return &o.refFromEnv })},
		{Flag: "ca-file", Arg: "FILE", Usage: "PEM file of a private CA every target's run trusts, in its Go client and its browser, besides the target's own --ca-file",
			Value: settings.String(func(o *batchOptions) *string { return &o.caFile }).Check(runner.CheckCAFile)},
	},
}

// targetsFlagSet declares the batch flags, for parsing.
func targetsFlagSet() (*flag.FlagSet, *batchOptions) {
	o := &batchOptions{}
	batchSettings.SetDefaults(o)
	return batchSettings.FlagSet(o), o
}

// targetsCmd runs a batch: one shared Chromium per set of private CAs
// (batchBrowsers), up to concurrency runs at a time, one report directory
// per target plus index.html and index.json.
func targetsCmd(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	o, targets, err := parseBatch(args)
	if err != nil {
		return exitToolError, err
	}
	if o.dry {
		return dryRun(o, targets, stdout)
	}
	if len(targets) == 0 {
		fmt.Fprintf(stdout, "shard %s has no targets\n", o.shard)
		return exitOK, nil
	}
	if err := checkReportFolders(o.reportDir, targets); err != nil {
		return exitToolError, err
	}
	dir, err := runner.TempDir(runner.BatchDirPrefix)
	if err != nil {
		return exitToolError, err
	}
	defer os.RemoveAll(dir)
	shared, err := planBrowsers(dir, targets, o.caPEM, o.pass(), os.Getenv)
	if err != nil {
		return exitToolError, err
	}
	defer shared.close()

	start := time.Now()
	entries, err := runBatch(ctx, o, targets, shared, newBatchProgress(stdout, len(targets)))
	if err != nil {
		return exitToolError, err
	}
	if err := writeIndex(o.reportDir, entries, time.Since(start)); err != nil {
		return exitToolError, err
	}
	fmt.Fprintf(stdout, "\n%d targets in %s; index: %s\n", len(entries), time.Since(start).Round(time.Millisecond), filepath.Join(o.reportDir, "index.html"))
	if ctx.Err() != nil {
		return exitInterrupted, nil
	}
	if err := shared.launchErrors(); err != nil {
		return exitToolError, err
	}
	worst := exitOK
	for _, e := range entries {
		worst = max(worst, rank(e.Exit))
	}
	return unrank(worst), nil
}

// dryRun prints the targets of this shard, one a line; a target whose
// browser trusts private CAs has its browser group after its name
// (batchBrowsers), so targets on one line each with the same group share
// one Chromium.
func dryRun(o *batchOptions, targets []Target, stdout io.Writer) (int, error) {
	shared, err := planBrowsers("", targets, o.caPEM, o.pass(), os.Getenv)
	if err != nil {
		return exitToolError, err
	}
	for _, t := range targets {
		if g := shared.of[t.Name]; len(g.certs) > 0 {
			fmt.Fprintf(stdout, "%s\t%s\n", t.Name, g.label())
			continue
		}
		fmt.Fprintln(stdout, t.Name)
	}
	return exitOK, nil
}

// parseBatch reads the batch flags and the targets of this shard.
func parseBatch(args []string) (*batchOptions, []Target, error) {
	fs, o := targetsFlagSet()
	if err := batchSettings.ParseFlags(fs, args); err != nil {
		return nil, nil, fmt.Errorf("%w: run --targets: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return nil, nil, fmt.Errorf("%w: run %s", errUsage, batchSettings.Synopsis("targets"))
	}
	if err := batchSettings.Validate(o, nil); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", runner.ErrConfig, err)
	}
	if o.caFile != "" {
		b, err := runner.LoadCAFile(o.caFile)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: --ca-file %w", runner.ErrConfig, err)
		}
		o.caPEM = b
	}
	all, err := loadTargets(o.file, o.allowEnv...)
	if err != nil {
		return nil, nil, err
	}
	i, n, err := parseShard(o.shard)
	if err != nil {
		return nil, nil, err
	}
	if o.concurrency < 1 {
		return nil, nil, fmt.Errorf("%w: --concurrency must be at least 1", runner.ErrConfig)
	}
	return o, shard(all, i, n), nil
}

// runBatch runs every target as its own mfconform process attached to its
// group's shared browser (batchBrowsers), at most o.concurrency at a time,
// telling progress as each finishes. Targets run group by group, so a
// group's browser runs only while its targets do (at most about
// o.concurrency browsers at once).
func runBatch(ctx context.Context, o *batchOptions, targets []Target, shared *batchBrowsers, progress *batchProgress) ([]IndexEntry, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	entries := make([]IndexEntry, len(targets))
	jobs := make(chan int)
	var wg sync.WaitGroup
	defer progress.stop()
	for range min(o.concurrency, len(targets)) {
		wg.Go(func() {
			for k := range jobs {
				t := targets[k]
				g := shared.of[t.Name]
				var (
					e   IndexEntry
					b   *batchBrowser
					err error
				)
				if ctx.Err() == nil {
					b, err = g.open(ctx, shared.dir)
				}
				if err != nil && ctx.Err() == nil {
					e = IndexEntry{Name: t.Name, Exit: exitToolError, Verdict: result.VerdictError, Error: err.Error()}
				} else {
					var socket, caDir string
					if b != nil {
						socket, caDir = b.socket, b.caDir
					}
					e = runBatchTarget(ctx, self, t, o.pass(), filepath.Join(o.reportDir, t.Name), socket, caDir)
				}
				g.finished()
				entries[k] = e
				progress.finished(e)
			}
		})
	}
	for _, k := range shared.order(targets) {
		jobs <- k
	}
	close(jobs)
	wg.Wait()
	return entries, nil
}

// rank orders exit codes as a single run does (130 > 3 > 1 > 4 > 2 > 0),
// for a batch's worst target.
func rank(code int) int {
	return map[int]int{exitOK: 0, exitWarned: 1, exitIncomplete: 2, exitFailed: 3, exitToolError: 4, exitInterrupted: 5}[code]
}

func unrank(r int) int {
	return []int{exitOK, exitWarned, exitIncomplete, exitFailed, exitToolError, exitInterrupted}[r]
}

// runBatchTarget runs one target's mfconform in its own process attached to the
// shared browser.
func runBatchTarget(ctx context.Context, self string, t Target, pass []string, reportDir, socket, caDir string) IndexEntry {
	e := IndexEntry{Name: t.Name, Report: filepath.Join(t.Name, reports.HTMLFile)}
	if ctx.Err() != nil {
		e.Exit, e.Verdict, e.Error = exitInterrupted, result.VerdictInterrupted, "not started"
		return e
	}
	start := time.Now()
	code, err := runChild(ctx, self, t.runArgs(reportDir, pass...), append(os.Environ(), envSharedBrowser+"="+socket, envSharedCA+"="+caDir))
	e.Duration = float64(time.Since(start).Microseconds()) / 1000
	e.Exit = code
	if err != nil {
		e.Exit, e.Error = exitToolError, err.Error()
	}
	if r, err := reports.ReadJSON(filepath.Join(reportDir, reports.JSONFile)); err == nil {
		e.Verdict, e.Counts = r.Verdict, map[string]int{}
		for state, n := range r.Counts {
			e.Counts[string(state)] = n
		}
	} else if e.Error == "" {
		e.Error = err.Error()
	}
	return e
}

// runChild runs mfconform with args as its own process with env, its
// output discarded, and returns its exit code, or the error that kept it
// from running. When ctx ends the run gets SIGINT, so it writes its report
// and cleans up like a run started by hand; it is killed only if it does
// not stop within 10 s.
func runChild(ctx context.Context, self string, args, env []string) (int, error) {
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Env = env
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) }
	cmd.WaitDelay = 10 * time.Second
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), nil
	}
	return 0, err
}

var indexPage = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mfconform — {{len .Entries}} targets</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}
.conformant{background:#dfd}.warnings{background:#ffd}.bad{background:#fdd}</style></head>
<body><h1>mfconform: {{len .Entries}} targets</h1><p>{{.Duration}} wall</p>
<table><tr><th>target</th><th>verdict</th><th>passed</th><th>failed</th><th>warned</th><th>waived</th><th>not judged</th><th>blocked</th><th>out of scope</th><th>exit</th><th>time</th></tr>
{{range .Entries}}<tr class="{{if eq .Verdict "conformant"}}conformant{{else if eq .Verdict "conformant with warnings"}}warnings{{else}}bad{{end}}">
<td><a href="{{.Report}}">{{.Name}}</a></td><td>{{.Verdict}}{{if .Error}} ({{.Error}}){{end}}</td>
<td>{{index .Counts "passed"}}</td><td>{{index .Counts "failed"}}</td><td>{{index .Counts "warned"}}</td><td>{{index .Counts "waived"}}</td><td>{{index .Counts "not_judged"}}</td><td>{{index .Counts "blocked"}}</td><td>{{index .Counts "out_of_scope"}}</td>
<td>{{.Exit}}</td><td>{{printf "%.0f" .Duration}} ms</td></tr>
{{end}}</table></body></html>
`))

// checkReportFolders refuses, before anything runs, a batch report folder
// or a target's folder inside it that is a symbolic link or another
// user's (reports.CheckFolder): each run would refuse its own at the end,
// after all its work. The batch's folder is created here.
func checkReportFolders(dir string, targets []Target) error {
	if err := reports.MakeFolder(dir); err != nil {
		return fmt.Errorf("%w: --report-dir: %w", runner.ErrConfig, err)
	}
	for _, t := range targets {
		if err := reports.CheckFolder(filepath.Join(dir, t.Name)); err != nil {
			return fmt.Errorf("%w: target %s: %w", runner.ErrConfig, t.Name, err)
		}
	}
	return nil
}

// writeIndex writes index.html and index.json for a batch, through the
// reports' one safe writer (reports.WriteFile).
func writeIndex(dir string, entries []IndexEntry, took time.Duration) error {
	if err := reports.MakeFolder(dir); err != nil {
		return err
	}
	slices.SortFunc(entries, func(a, b IndexEntry) int { return strings.Compare(a.Name, b.Name) })
	b, _ := json.MarshalIndent(map[string]any{"targets": entries, "duration_ms": took.Milliseconds()}, "", "  ")
	if err := reports.WriteFile(filepath.Join(dir, "index.json"), append(b, '\n')); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := indexPage.Execute(&buf, map[string]any{"Entries": entries, "Duration": took.Round(time.Millisecond)}); err != nil {
		return err
	}
	return reports.WriteFile(filepath.Join(dir, "index.html"), buf.Bytes())
}
