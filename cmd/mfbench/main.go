// Command mfbench measures what a conformance run costs against what merely
// starting and stopping headless Chromium costs on the same machine: it runs
// the default `mfconform run` (both modes) and a bare Chromium start → blank
// page → quit, interleaved, and reports min / median / max of each, their
// ratio, and per-phase medians. `make bench` runs it. No test asserts on
// time; this is where speed goals are checked.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"syscall"
	"time"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/reports"
	"github.com/mfconform/mfconform/suites/result"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "mfbench:", err)
		os.Exit(3)
	}
}

// Stats summarises samples in milliseconds.
type Stats struct {
	N      int       `json:"n"`
	Min    float64   `json:"min_ms"`
	Median float64   `json:"median_ms"`
	Max    float64   `json:"max_ms"`
	All    []float64 `json:"samples_ms"`
}

func stats(ms []float64) Stats {
	s := slices.Clone(ms)
	sort.Float64s(s)
	if len(s) == 0 {
		return Stats{}
	}
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Stats{N: len(s), Min: s[0], Median: med, Max: s[len(s)-1], All: ms}
}

// Result is what make bench writes to reports/out/bench/.
type Result struct {
	When        time.Time          `json:"when"`
	Args        []string           `json:"run_args"`
	Run         Stats              `json:"run"`
	BareChrome  Stats              `json:"bare_chromium"`
	Ratio       float64            `json:"ratio_median"`
	PhaseMedian map[string]float64 `json:"phase_median_ms"`
	AreaMedian  map[string]float64 `json:"area_median_ms"`
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("mfbench", flag.ContinueOnError)
	bin := fs.String("bin", "bin/mfconform", "the mfconform binary to run")
	n := fs.Int("n", 7, "samples of each")
	out := fs.String("out", "reports/out/bench", "where to write bench.json")
	mode := fs.String("mode", "all", "the mode of the measured run")
	scale := fs.String("scale", "", "instead: batches of this many fixture targets, e.g. 1,5,10,20 (wall time, peak RSS)")
	conc := fs.Int("concurrency", 2, "with --scale: targets at a time")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *scale != "" {
		return scaleBench(ctx, *bin, *scale, *conc, *out, stdout)
	}
	if _, err := os.Stat(*bin); err != nil {
		return fmt.Errorf("%s: %w (run make build first)", *bin, err)
	}
	res := Result{When: time.Now(), Args: []string{"run", "--mode", *mode}, PhaseMedian: map[string]float64{}, AreaMedian: map[string]float64{}}
	var runs, bare []float64
	phases := map[string][]float64{}
	areas := map[string][]float64{}
	for i := 0; i < *n; i++ {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		ms, err := bareChromium(ctx)
		if err != nil {
			return fmt.Errorf("bare Chromium: %w", err)
		}
		bare = append(bare, ms)
		ms, rep, err := mfconform(ctx, *bin, *mode)
		if err != nil {
			return err
		}
		runs = append(runs, ms)
		for k, v := range rep.PhasesMS {
			phases[k] = append(phases[k], v)
		}
		for _, b := range rep.Bundles {
			phases["evidence: "+b.Name] = append(phases["evidence: "+b.Name], b.MS)
		}
		perArea := map[string]float64{}
		for _, s := range rep.Specs {
			perArea[s.Area()] += s.JudgeMS
		}
		for k, v := range perArea {
			areas[k] = append(areas[k], v)
		}
		fmt.Fprintf(stdout, "sample %d/%d: run %6.0f ms   bare Chromium %5.0f ms\n", i+1, *n, runs[i], bare[i])
	}
	res.Run, res.BareChrome = stats(runs), stats(bare)
	res.Ratio = res.Run.Median / res.BareChrome.Median
	for k, v := range phases {
		res.PhaseMedian[k] = stats(v).Median
	}
	for k, v := range areas {
		res.AreaMedian[k] = stats(v).Median
	}
	fmt.Fprintf(stdout, "\n%-22s %8s %8s %8s\n", "", "min", "median", "max")
	for _, r := range []struct {
		name string
		s    Stats
	}{{"mfconform run --mode " + *mode, res.Run}, {"bare Chromium", res.BareChrome}} {
		fmt.Fprintf(stdout, "%-22s %6.0fms %6.0fms %6.0fms\n", r.name, r.s.Min, r.s.Median, r.s.Max)
	}
	fmt.Fprintf(stdout, "ratio (median run / median bare Chromium): %.2f (goal ≤ 4)\n\nphase and evidence-bundle medians (ms; bundles are gathered concurrently):\n", res.Ratio)
	for _, k := range sortedKeys(res.PhaseMedian) {
		fmt.Fprintf(stdout, "  %-26s %7.0f\n", k, res.PhaseMedian[k])
	}
	fmt.Fprintln(stdout, "judging time per area (ms; the evidence is timed per bundle above):")
	for _, k := range sortedKeys(res.AreaMedian) {
		fmt.Fprintf(stdout, "  %-26s %7.0f\n", k, res.AreaMedian[k])
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(res, "", "  ")
	path := filepath.Join(*out, "bench.json")
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", path)
	return nil
}

func sortedKeys(m map[string]float64) []string {
	var k []string
	for x := range m {
		k = append(k, x)
	}
	sort.Strings(k)
	return k
}

// bareChromium starts headless Chromium with the flags mfconform uses,
// opens its first (blank) page, and quits.
func bareChromium(ctx context.Context) (float64, error) {
	dir, err := os.MkdirTemp("/tmp", "mfb-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	t := time.Now()
	b, err := browser.Launch(ctx, browser.Options{Dir: dir, StartTimeout: 60 * time.Second})
	if err != nil {
		return 0, err
	}
	if err := b.Close(); err != nil {
		return 0, err
	}
	return float64(time.Since(t).Microseconds()) / 1000, nil
}

// mfconform runs the binary once and reads its report.
func mfconform(ctx context.Context, bin, mode string) (float64, *result.Report, error) {
	dir, err := os.MkdirTemp("/tmp", "mfb-r-")
	if err != nil {
		return 0, nil, err
	}
	defer os.RemoveAll(dir)
	cmd := exec.CommandContext(ctx, bin, "run", "--mode", mode, "--report-dir", dir)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	t := time.Now()
	err = cmd.Run()
	ms := float64(time.Since(t).Microseconds()) / 1000
	if err != nil {
		return 0, nil, fmt.Errorf("mfconform run: %w", err)
	}
	rep, err := reports.ReadJSON(filepath.Join(dir, reports.JSONFile))
	return ms, rep, err
}
