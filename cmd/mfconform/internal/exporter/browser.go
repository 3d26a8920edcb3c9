package exporter

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Browser is what a Supervisor keeps running: the shared Chromium, with
// whatever its runs need to attach to it.
type Browser interface {
	// Done is closed once the browser is gone (it died, or Close ran).
	Done() <-chan struct{}
	// Close stops the browser and removes what it left.
	Close() error
}

// Supervisor keeps one shared browser running for the probes: it starts
// it, notices when it is gone and starts another (a restart, counted),
// retrying with a growing pause when a start fails. A probe leases the
// browser it runs in; a browser that is gone is closed once its last
// lease ends, so a run is never pulled from under it by a restart.
type Supervisor[B Browser] struct {
	// Launch starts a browser; n counts the starts from 0.
	Launch func(ctx context.Context, n int) (B, error)
	// Metrics, when set, counts restarts and shows whether one runs.
	Metrics *Metrics
	// Logf, when set, tells the operator about restarts.
	Logf func(format string, args ...any)

	mu      sync.Mutex
	cur     *generation[B]
	changed chan struct{} // closed and replaced whenever cur changes
	starts  int
	closing sync.WaitGroup // browsers being closed
	done    chan struct{}  // closed when the watch ends
}

// generation is one browser and the runs that lease it.
type generation[B Browser] struct {
	b      B
	leases int
	gone   bool
}

// maxRestartPause bounds the pause between failed starts.
const maxRestartPause = 30 * time.Second

// Start launches the first browser (its error is the caller's: without a
// browser the exporter cannot start) and then watches it until ctx ends,
// when the browser is closed. Wait waits for that.
func (s *Supervisor[B]) Start(ctx context.Context) error {
	b, err := s.Launch(ctx, 0)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.changed = make(chan struct{})
	s.done = make(chan struct{})
	s.starts = 1
	s.set(&generation[B]{b: b})
	s.mu.Unlock()
	go s.watch(ctx)
	return nil
}

// set makes g the current browser and wakes whoever waits for one; it
// runs with mu held.
func (s *Supervisor[B]) set(g *generation[B]) {
	s.cur = g
	close(s.changed)
	s.changed = make(chan struct{})
	if s.Metrics != nil {
		s.Metrics.BrowserUp.Set(b2f(g != nil))
	}
}

// watch restarts the browser whenever it is gone, until ctx ends.
func (s *Supervisor[B]) watch(ctx context.Context) {
	defer close(s.done)
	for {
		s.mu.Lock()
		g := s.cur
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			s.mu.Lock()
			s.retire(g)
			s.set(nil)
			s.mu.Unlock()
			return
		case <-g.b.Done():
		}
		s.mu.Lock()
		s.retire(g)
		s.set(nil)
		s.mu.Unlock()
		if s.Logf != nil {
			s.Logf("the shared Chromium is gone; starting another")
		}
		next, ok := s.relaunch(ctx)
		if !ok {
			return
		}
		s.mu.Lock()
		s.set(next)
		s.mu.Unlock()
		if s.Metrics != nil {
			s.Metrics.BrowserRestarts.Inc()
		}
	}
}

// relaunch starts a browser, pausing 1 s, 2 s, … up to 30 s between
// failed attempts, until one starts or ctx ends.
func (s *Supervisor[B]) relaunch(ctx context.Context) (*generation[B], bool) {
	pause := time.Second
	for {
		s.mu.Lock()
		n := s.starts
		s.starts++
		s.mu.Unlock()
		b, err := s.Launch(ctx, n)
		if err == nil {
			return &generation[B]{b: b}, true
		}
		if s.Logf != nil && ctx.Err() == nil {
			s.Logf("start the shared Chromium: %v (again in %s)", err, pause)
		}
		select {
		case <-ctx.Done():
			return nil, false
		case <-time.After(pause):
		}
		pause = min(2*pause, maxRestartPause)
	}
}

// retire marks g gone and closes its browser once no run leases it; it
// runs with mu held.
func (s *Supervisor[B]) retire(g *generation[B]) {
	if g == nil || g.gone {
		return
	}
	g.gone = true
	if g.leases == 0 {
		s.close(g)
	}
}

func (s *Supervisor[B]) close(g *generation[B]) {
	s.closing.Add(1)
	go func() {
		defer s.closing.Done()
		_ = g.b.Close()
	}()
}

// errNoBrowser is Acquire's error when ctx ends before a browser runs.
var errNoBrowser = errors.New("the shared Chromium is not running")

// Acquire leases the running browser, waiting for one (a restart) until
// ctx ends. release ends the lease.
func (s *Supervisor[B]) Acquire(ctx context.Context) (b B, release func(), err error) {
	for {
		s.mu.Lock()
		g, changed := s.cur, s.changed
		if g != nil {
			select {
			case <-g.b.Done():
				// Gone; the watch is about to replace it.
			default:
				g.leases++
				s.mu.Unlock()
				var once sync.Once
				return g.b, func() { once.Do(func() { s.release(g) }) }, nil
			}
		}
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			var zero B
			return zero, func() {}, errNoBrowser
		case <-time.After(100 * time.Millisecond):
			// A browser that died is noticed by the watch; look again.
		}
	}
}

func (s *Supervisor[B]) release(g *generation[B]) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g.leases--
	if g.gone && g.leases == 0 {
		s.close(g)
	}
}

// Current returns the running browser, if any (for the exporter's own
// metrics).
func (s *Supervisor[B]) Current() (B, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil {
		var zero B
		return zero, false
	}
	return s.cur.b, true
}

// Wait returns once the watch has ended (its ctx is done) and every
// browser it started is closed. Runs still leasing one must end first:
// wait for them (Scheduler.Wait) before.
func (s *Supervisor[B]) Wait() {
	if s.done != nil {
		<-s.done
	}
	s.closing.Wait()
}
