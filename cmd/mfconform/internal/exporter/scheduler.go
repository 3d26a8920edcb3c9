package exporter

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/mfconform/mfconform/suites/result"
)

// Key names what a probe checks: a configured target, with a module.
type Key struct {
	Target string
	Module string
}

// Run is what one probe's run produced.
type Run struct {
	// Report is the run's report.json; nil when the run left none.
	Report *result.Report
	// HTML is the run's report.html.
	HTML []byte
	// Duration is the wall time of the probe, from asking for a run slot
	// to the run's process ending.
	Duration time.Duration
	// Reason says why the probe has no verdict of the run's own; "" when
	// it has one.
	Reason Reason
}

// Outcome is a finished probe.
type Outcome struct {
	Run
	Key      Key
	Finished time.Time
	// Success is the module's judgment of the run (Scheduler.Success);
	// false whenever Reason is set.
	Success bool
}

// ran reports whether the outcome is a run's: only such an outcome is
// served again inside the minimum interval; a probe that found no slot or
// no browser is retried at the next scrape.
func (o Outcome) ran() bool {
	switch o.Reason {
	case ReasonBusy, ReasonBrowser, ReasonShutdown:
		return false
	}
	return true
}

// job is a probe in flight; scrapes of the same key while it runs wait
// for it rather than starting another.
type job struct {
	start   time.Time
	done    chan struct{}
	out     Outcome
	waiters int // scrapes waiting for it (read by tests)
}

// Scheduler decides, for each scrape, whether a probe runs: the last
// outcome is served again while it is younger than MinInterval, a probe in
// flight for the same key is joined, and at most Concurrency runs happen
// at once. A probe is bounded by the deadline of the scrape that started
// it (Run's ctx); the scrape gets an answer by its own deadline, a timeout
// when the run has not ended by then.
type Scheduler struct {
	// Run runs one probe, bounded by ctx, and returns once everything it
	// started has ended.
	Run func(ctx context.Context, k Key) Run
	// Success says whether a run's report is a success for k's module.
	Success func(rep *result.Report, k Key) bool
	// MinInterval is the least time between two runs of one key.
	MinInterval time.Duration
	// Metrics, when set, counts probes, cache hits and runs in flight.
	Metrics *Metrics
	// Now is the clock (time.Now when nil).
	Now func() time.Time

	root  context.Context
	slots chan struct{}
	wg    sync.WaitGroup

	mu       sync.Mutex
	last     map[Key]Outcome
	inflight map[Key]*job
}

// NewScheduler returns a scheduler whose probes end when root does,
// running at most concurrency at once.
func NewScheduler(root context.Context, concurrency int) *Scheduler {
	return &Scheduler{root: root, slots: make(chan struct{}, max(concurrency, 1)), last: map[Key]Outcome{}, inflight: map[Key]*job{}}
}

func (s *Scheduler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Probe returns k's outcome by deadline: the last one with its age when it
// is younger than MinInterval (cached), else the outcome of the run in
// flight or of a new one. When the run does not end by deadline the
// outcome is a timeout; the run is stopped at its own deadline and its
// outcome, once it ends, is the next scrape's.
func (s *Scheduler) Probe(ctx context.Context, k Key, deadline time.Time) (out Outcome, age time.Duration, cached bool) {
	s.mu.Lock()
	now := s.now()
	if last, ok := s.last[k]; ok && last.ran() && s.MinInterval > 0 && now.Sub(last.Finished) < s.MinInterval {
		s.mu.Unlock()
		if s.Metrics != nil {
			s.Metrics.CacheHits.Inc()
		}
		return last, max(now.Sub(last.Finished), 0), true
	}
	j := s.inflight[k]
	if j == nil {
		j = &job{start: now, done: make(chan struct{})}
		s.inflight[k] = j
		s.wg.Add(1)
		go s.run(k, j, deadline)
	}
	j.waiters++
	s.mu.Unlock()

	wait := time.NewTimer(time.Until(deadline))
	defer wait.Stop()
	select {
	case <-j.done:
		return j.out, 0, false
	case <-wait.C:
	case <-ctx.Done():
	}
	return Outcome{Key: k, Finished: s.now(), Run: Run{Reason: ReasonTimeout, Duration: s.now().Sub(j.start)}}, 0, false
}

// run runs job j of key k, bounded by deadline and by the scheduler's
// root context, and records its outcome.
func (s *Scheduler) run(k Key, j *job, deadline time.Time) {
	defer s.wg.Done()
	ctx, cancel := context.WithDeadline(s.root, deadline)
	defer cancel()
	var r Run
	select {
	case s.slots <- struct{}{}:
		if s.Metrics != nil {
			s.Metrics.InFlight.Inc()
		}
		r = s.Run(ctx, k)
		if s.Metrics != nil {
			s.Metrics.InFlight.Dec()
			s.Metrics.Duration.Observe(r.Duration.Seconds())
		}
		<-s.slots
	case <-ctx.Done():
		r = Run{Reason: ReasonBusy}
		if s.root.Err() != nil {
			r.Reason = ReasonShutdown
		}
	}
	if r.Duration == 0 {
		r.Duration = s.now().Sub(j.start)
	}
	out := Outcome{Run: r, Key: k, Finished: s.now()}
	out.Success = r.Reason == "" && r.Report != nil && s.Success != nil && s.Success(r.Report, k)
	if s.Metrics != nil {
		s.Metrics.count(out)
	}
	s.mu.Lock()
	s.last[k] = out
	delete(s.inflight, k)
	s.mu.Unlock()
	j.out = out
	close(j.done)
}

// Last returns the last outcome of every key probed so far, by target and
// module.
func (s *Scheduler) Last() []Outcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Outcome, 0, len(s.last))
	for _, o := range s.last {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b Outcome) int {
		return cmp.Or(cmp.Compare(a.Key.Target, b.Key.Target), cmp.Compare(a.Key.Module, b.Key.Module))
	})
	return out
}

// LastOf returns k's last outcome.
func (s *Scheduler) LastOf(k Key) (Outcome, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.last[k]
	return o, ok
}

// waiting returns how many scrapes have joined k's run in flight.
func (s *Scheduler) waiting(k Key) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j := s.inflight[k]; j != nil {
		return j.waiters
	}
	return 0
}

// Wait returns once every probe started has ended (after root is done,
// they end by themselves).
func (s *Scheduler) Wait() { s.wg.Wait() }
