package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mfconform/mfconform/fixtures"
)

// ScaleRow is one batch size's cost.
type ScaleRow struct {
	Targets      int     `json:"targets"`
	WallMS       float64 `json:"wall_ms"`
	PerTargetMS  float64 `json:"per_target_ms"`
	PeakRSSMiB   float64 `json:"peak_rss_mib"`
	ExitCode     int     `json:"exit"`
	SeparateMSEq float64 `json:"separate_runs_ms_estimate"` // targets × the 1-target wall time
}

// scaleBench runs `mfconform run --targets` with 1, 5, 10, 20… fixture
// targets (distinct fixtures, cycling) and samples the peak resident
// memory of mfconform and Chromium together.
func scaleBench(ctx context.Context, bin, counts string, conc int, out string, stdout io.Writer) error {
	all := fixtures.All()
	var rows []ScaleRow
	var one float64
	for _, c := range strings.Split(counts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			return fmt.Errorf("--scale %q: want counts like 1,5,10,20", counts)
		}
		dir, err := os.MkdirTemp("/tmp", "mfb-s-")
		if err != nil {
			return err
		}
		var b strings.Builder
		b.WriteString("targets:\n")
		for i := range n {
			f := all[i%len(all)]
			fmt.Fprintf(&b, "  - name: t%02d-%s\n    fixture: %s\n", i, f.Name, f.Name)
		}
		file := filepath.Join(dir, "targets.yaml")
		if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
			return err
		}
		cmd := exec.CommandContext(ctx, bin, "run", "--targets", file, "--concurrency", strconv.Itoa(conc), "--report-dir", filepath.Join(dir, "out"))
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		var peak float64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			for {
				if rss := treeRSS(); rss > peak {
					peak = rss
				}
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
				}
			}
		})
		t := time.Now()
		err = cmd.Run()
		wall := float64(time.Since(t).Microseconds()) / 1000
		close(stop)
		wg.Wait()
		os.RemoveAll(dir)
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			return err
		}
		if n == 1 {
			one = wall
		}
		rows = append(rows, ScaleRow{Targets: n, WallMS: wall, PerTargetMS: wall / float64(n), PeakRSSMiB: peak / 1024, ExitCode: code, SeparateMSEq: one * float64(n)})
		fmt.Fprintf(stdout, "%3d targets: wall %7.0f ms, per target %6.0f ms, peak RSS %6.0f MiB (exit %d)\n", n, wall, wall/float64(n), peak/1024, code)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(rows, "", "  ")
	path := filepath.Join(out, "scale.json")
	fmt.Fprintf(stdout, "wrote %s\n", path)
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// treeRSS sums VmRSS (KiB) of mfconform processes and the Chromium they run.
func treeRSS() float64 {
	var total float64
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !(bytes.Contains(cmdline, []byte("mfconform")) || bytes.Contains(cmdline, []byte("mfc-b-"))) {
			continue
		}
		if bytes.Contains(cmdline, []byte("mfbench")) {
			continue
		}
		status, err := os.ReadFile(filepath.Join("/proc", e.Name(), "status"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				f, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
				total += f
			}
		}
	}
	return total
}
