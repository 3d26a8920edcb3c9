package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// EnvSoak, set to 1, runs TestExporterSoak (make soak); the number of
// probes is MFCONFORM_SOAK_PROBES (default 500).
const EnvSoak = "MFCONFORM_SOAK"

// rssKiB is a process's resident set size (VmRSS) in KiB.
func rssKiB(pid int) int {
	b, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return 0
}

// soakSample is the exporter's footprint at one moment, idle.
type soakSample struct {
	probes      int
	exporterRSS int // KiB
	chromium    int // processes
	chromiumRSS int // KiB, all of them
	contexts    float64
	heapInuse   float64
	goroutines  float64
	openFDs     float64
}

func (s soakSample) String() string {
	return fmt.Sprintf("after %d probes: exporter RSS %.1f MiB (Go heap in use %.1f MiB, %v goroutines, %v open fds), %d Chromium processes (%.1f MiB), %v browser contexts",
		s.probes, float64(s.exporterRSS)/1024, s.heapInuse/(1<<20), s.goroutines, s.openFDs, s.chromium, float64(s.chromiumRSS)/1024, s.contexts)
}

// TestExporterSoak probes the embedded reference and a broken fixture N
// times (MFCONFORM_SOAK_PROBES, default 500), two at a time, and compares
// the exporter's footprint when idle after a warm-up with its footprint
// at the end: the exporter's RSS, its goroutines and open files, and
// Chromium's process count must not grow. It takes minutes; `make soak`
// runs it (MFCONFORM_SOAK=1).
func TestExporterSoak(t *testing.T) {
	if os.Getenv(EnvSoak) != "1" {
		t.Skip("a soak of hundreds of probes (minutes): run `make soak` (MFCONFORM_SOAK=1)")
	}
	n := 500
	if v, err := strconv.Atoi(os.Getenv("MFCONFORM_SOAK_PROBES")); err == nil && v > 0 {
		n = v
	}
	x := startExporter(t, exporterConfig(blackhole(t), filepath.Join(t.TempDir(), "reports")))
	pid := x.cmd.Process.Pid
	measure := func(done int) soakSample {
		chromium := x.idle(t, 2*time.Minute)
		s := soakSample{probes: done, exporterRSS: rssKiB(pid), chromium: chromium}
		c, _ := exporterChildren(pid)
		for _, p := range c {
			s.chromiumRSS += rssKiB(p)
		}
		_, body := x.get(t, "/metrics", "")
		s.contexts, _ = sample(body, "mfconform_exporter_browser_contexts")
		s.heapInuse, _ = sample(body, "go_memstats_heap_inuse_bytes")
		s.goroutines, _ = sample(body, "go_goroutines")
		s.openFDs, _ = sample(body, "process_open_fds")
		return s
	}
	var done atomic.Int64
	var failures []string
	var mu sync.Mutex
	probeN := func(count int) {
		var wg sync.WaitGroup
		var next atomic.Int64
		for range 2 {
			wg.Go(func() {
				for {
					i := next.Add(1)
					if i > int64(count) {
						return
					}
					target, want := "documented", 1.0
					if i%2 == 0 {
						target, want = "host-only", 0.0
					}
					body := x.probe(t, "target="+target)
					if v, ok := sample(body, "mfconform_probe_success"); !ok || v != want {
						mu.Lock()
						failures = append(failures, fmt.Sprintf("probe %d of %s: success %v (present %v)", done.Load()+1, target, v, ok))
						mu.Unlock()
					}
					done.Add(1)
				}
			})
		}
		wg.Wait()
	}
	warmup := min(20, n/5)
	probeN(warmup)
	start := measure(int(done.Load()))
	t.Logf("start: %s", start)
	var samples []soakSample
	step := max((n-warmup)/5, 1)
	for int(done.Load()) < n {
		probeN(min(step, n-int(done.Load())))
		s := measure(int(done.Load()))
		samples = append(samples, s)
		t.Logf("%s", s)
	}
	end := samples[len(samples)-1]
	if len(failures) > 0 {
		sort.Strings(failures)
		t.Errorf("%d of %d probes had the wrong outcome, e.g. %s", len(failures), n, failures[0])
	}
	// Flat: the Go runtime may keep a few more MiB of heap after a
	// collection, never the probes' reports (each holds ~1 MiB of HTML).
	if grew := end.exporterRSS - start.exporterRSS; grew > max(start.exporterRSS/4, 16<<10) {
		t.Errorf("the exporter's RSS grew by %.1f MiB over %d probes: %s → %s", float64(grew)/1024, n-warmup, start, end)
	}
	if end.chromium > start.chromium {
		t.Errorf("Chromium's processes grew over %d probes: %s → %s", n-warmup, start, end)
	}
	if end.goroutines > start.goroutines+5 || end.openFDs > start.openFDs+5 {
		t.Errorf("goroutines or open files grew: %s → %s", start, end)
	}
	if end.contexts != 0 {
		t.Errorf("browser contexts left open: %s", end)
	}
	t.Logf("soak: %d probes; exporter RSS %.1f → %.1f MiB; Chromium processes %d → %d (%.1f → %.1f MiB)",
		n, float64(start.exporterRSS)/1024, float64(end.exporterRSS)/1024, start.chromium, end.chromium, float64(start.chromiumRSS)/1024, float64(end.chromiumRSS)/1024)
}
