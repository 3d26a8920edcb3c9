package exporter

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mfconform/mfconform/suites/result"
)

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

var (
	conformant    = &result.Report{Verdict: result.VerdictConformant}
	nonConformant = &result.Report{Verdict: result.VerdictNonConformant}
)

func success(rep *result.Report, _ Key) bool { return rep.Verdict == result.VerdictConformant }

// far is a deadline no test reaches.
func far() time.Time { return time.Now().Add(time.Minute) }

// TestSchedulerMinInterval: a scrape inside the minimum interval gets the
// last outcome with its age and runs nothing; after it, a new run.
func TestSchedulerMinInterval(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1_800_000_000, 0)}
	var runs atomic.Int32
	m := NewMetrics("v1", nil)
	s := NewScheduler(t.Context(), 1)
	s.Now, s.MinInterval, s.Success, s.Metrics = clock.Now, 30*time.Second, success, m
	s.Run = func(context.Context, Key) Run {
		runs.Add(1)
		return Run{Report: conformant}
	}
	k := Key{"documented", DefaultModule}
	out, age, cached := s.Probe(t.Context(), k, far())
	if !out.Success || age != 0 || cached || runs.Load() != 1 {
		t.Fatalf("first Probe() = success %v, age %v, cached %v, %d runs; want a run that succeeded", out.Success, age, cached, runs.Load())
	}
	clock.Add(10 * time.Second)
	out, age, cached = s.Probe(t.Context(), k, far())
	if !out.Success || age != 10*time.Second || !cached || runs.Load() != 1 {
		t.Errorf("Probe() 10 s later = success %v, age %v, cached %v, %d runs; want the cached outcome aged 10s", out.Success, age, cached, runs.Load())
	}
	if _, _, cached := s.Probe(t.Context(), Key{"host-only", DefaultModule}, far()); cached || runs.Load() != 2 {
		t.Errorf("another target was served from the cache")
	}
	clock.Add(25 * time.Second)
	if _, _, cached := s.Probe(t.Context(), k, far()); cached || runs.Load() != 3 {
		t.Errorf("Probe() after the interval: cached %v, %d runs; want a new run", cached, runs.Load())
	}
	got := series(t, m.Registry)
	if got["mfconform_exporter_cache_hits_total"] != 1 || got[`mfconform_exporter_probes_total{result="success"}`] != 3 {
		t.Errorf("metrics = %v, want 1 cache hit and 3 successful probes", got)
	}
}

// TestSchedulerJoins: scrapes of one key while its run is in flight wait
// for that run instead of starting another.
func TestSchedulerJoins(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 10)
	var runs atomic.Int32
	s := NewScheduler(t.Context(), 4)
	s.Success = success
	s.Run = func(context.Context, Key) Run {
		runs.Add(1)
		started <- struct{}{}
		<-release
		return Run{Report: nonConformant}
	}
	k := Key{"host-only", DefaultModule}
	var wg sync.WaitGroup
	outs := make([]Outcome, 3)
	for i := range outs {
		wg.Go(func() { outs[i], _, _ = s.Probe(t.Context(), k, far()) })
		if i == 0 {
			<-started
		}
	}
	// The others may not have reached the scheduler yet; either way they
	// join the run in flight, which ends only now.
	for s.waiting(k) < 3 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	if runs.Load() != 1 {
		t.Errorf("%d runs for 3 concurrent scrapes of one key, want 1", runs.Load())
	}
	for i, o := range outs {
		if o.Report != nonConformant || o.Success {
			t.Errorf("scrape %d got %+v, want the run's outcome", i, o)
		}
	}
}

// TestSchedulerConcurrency: with one slot, a second key waits for it; a
// probe whose deadline passes while it waits ends as concurrency_limit
// and its scrape as a timeout.
func TestSchedulerConcurrency(t *testing.T) {
	release := make(chan struct{})
	started := make(chan Key, 2)
	s := NewScheduler(t.Context(), 1)
	s.Success = success
	s.Run = func(_ context.Context, k Key) Run {
		started <- k
		<-release
		return Run{Report: conformant}
	}
	first := make(chan Outcome)
	s.MinInterval = time.Hour
	go func() {
		o, _, _ := s.Probe(t.Context(), Key{"a", DefaultModule}, far())
		first <- o
	}()
	<-started
	out, _, _ := s.Probe(t.Context(), Key{"b", DefaultModule}, time.Now().Add(50*time.Millisecond))
	if out.Reason != ReasonTimeout || out.Success {
		t.Errorf("Probe() of a second key with the slot taken = %+v, want a timeout", out)
	}
	for {
		if o, ok := s.LastOf(Key{"b", DefaultModule}); ok {
			if o.Reason != ReasonBusy {
				t.Errorf("the waiting probe's outcome = %q, want %q", o.Reason, ReasonBusy)
			}
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	if o := <-first; !o.Success {
		t.Errorf("the first probe = %+v, want its run's success", o)
	}
	select {
	case k := <-started:
		t.Errorf("probe %v ran after its deadline", k)
	default:
	}
	// A probe that never ran is not served from the cache: the next
	// scrape runs it (inside the minimum interval), a run that did is.
	if o, _, cached := s.Probe(t.Context(), Key{"b", DefaultModule}, far()); cached || !o.Success {
		t.Errorf("Probe() after a concurrency_limit = %+v, cached %v; want a run", o, cached)
	}
	if _, _, cached := s.Probe(t.Context(), Key{"b", DefaultModule}, far()); !cached {
		t.Error("Probe() right after a run was not served from the cache")
	}
}

// TestSchedulerDeadline: a run still going at the scrape's deadline gives
// the scrape a timeout; the run's ctx ends at that deadline, and what the
// run then returns is the next outcome, a timeout too.
func TestSchedulerDeadline(t *testing.T) {
	ended := make(chan error, 1)
	s := NewScheduler(t.Context(), 1)
	s.Success = success
	s.Run = func(ctx context.Context, _ Key) Run {
		<-ctx.Done()
		ended <- ctx.Err()
		return Run{Report: &result.Report{Verdict: result.VerdictInterrupted}, Reason: ReasonTimeout}
	}
	k := Key{"hangs", DefaultModule}
	out, _, cached := s.Probe(t.Context(), k, time.Now().Add(50*time.Millisecond))
	if out.Reason != ReasonTimeout || out.Success || cached {
		t.Errorf("Probe() = %+v, want a timeout", out)
	}
	if err := <-ended; !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the run's ctx ended with %v, want its deadline", err)
	}
	s.Wait()
	if o, ok := s.LastOf(k); !ok || o.Reason != ReasonTimeout || o.Report == nil {
		t.Errorf("LastOf() = %+v, %v; want the stopped run's report, reason timeout", o, ok)
	}
}

// TestSchedulerShutdown: when the exporter stops, a run in flight ends
// and so does a probe waiting for a slot, as shutting_down.
func TestSchedulerShutdown(t *testing.T) {
	root, stop := context.WithCancel(t.Context())
	started := make(chan struct{})
	s := NewScheduler(root, 1)
	s.Run = func(ctx context.Context, _ Key) Run {
		close(started)
		<-ctx.Done()
		return Run{Reason: ReasonShutdown}
	}
	go s.Probe(t.Context(), Key{"a", DefaultModule}, far())
	<-started
	go s.Probe(t.Context(), Key{"b", DefaultModule}, far())
	for s.waiting(Key{"b", DefaultModule}) == 0 {
		time.Sleep(time.Millisecond)
	}
	stop()
	s.Wait()
	for _, n := range []string{"a", "b"} {
		if o, _ := s.LastOf(Key{n, DefaultModule}); o.Reason != ReasonShutdown {
			t.Errorf("probe %s ended with %q, want %q", n, o.Reason, ReasonShutdown)
		}
	}
}
