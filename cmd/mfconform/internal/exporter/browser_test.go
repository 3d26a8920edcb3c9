package exporter

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeBrowser is a browser the test kills.
type fakeBrowser struct {
	n      int
	done   chan struct{}
	once   sync.Once
	closed atomic.Bool
}

func (b *fakeBrowser) Done() <-chan struct{} { return b.done }
func (b *fakeBrowser) kill()                 { b.once.Do(func() { close(b.done) }) }
func (b *fakeBrowser) Close() error {
	b.closed.Store(true)
	b.kill()
	return nil
}

// TestSupervisorRestarts: a browser that dies is replaced and the restart
// counted; a run that leased the dead one keeps it until it releases it,
// and then it is closed; a start that fails is retried.
func TestSupervisorRestarts(t *testing.T) {
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	var mu sync.Mutex
	var started []*fakeBrowser
	failNext := false
	m := NewMetrics("v1", nil)
	s := &Supervisor[*fakeBrowser]{Metrics: m, Launch: func(_ context.Context, n int) (*fakeBrowser, error) {
		mu.Lock()
		defer mu.Unlock()
		if failNext {
			failNext = false
			return nil, errors.New("no chromium")
		}
		b := &fakeBrowser{n: n, done: make(chan struct{})}
		started = append(started, b)
		return b, nil
	}}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	first, release, err := s.Acquire(ctx)
	if err != nil || first.n != 0 {
		t.Fatalf("Acquire() = %v, %v; want the first browser", first, err)
	}
	mu.Lock()
	failNext = true
	mu.Unlock()
	first.kill()
	actx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	second, release2, err := s.Acquire(actx)
	if err != nil || second == first {
		t.Fatalf("Acquire() after the browser died = %v, %v; want a new one", second, err)
	}
	if got := series(t, m.Registry); got["mfconform_exporter_browser_restarts_total"] != 1 || got["mfconform_exporter_browser_up"] != 1 {
		t.Errorf("metrics = restarts %v, up %v; want 1 and 1", got["mfconform_exporter_browser_restarts_total"], got["mfconform_exporter_browser_up"])
	}
	if first.closed.Load() {
		t.Error("the dead browser was closed while a run still leased it")
	}
	release()
	for !first.closed.Load() {
		if actx.Err() != nil {
			t.Fatal("the dead browser was not closed after its last lease ended")
		}
		time.Sleep(time.Millisecond)
	}
	release2()
	stop()
	s.Wait()
	if !second.closed.Load() {
		t.Error("the running browser was not closed when the supervisor stopped")
	}
}

// TestSupervisorAcquireWaits: Acquire waits for a browser no longer than
// its ctx.
func TestSupervisorAcquireWaits(t *testing.T) {
	s := &Supervisor[*fakeBrowser]{}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	s.changed = make(chan struct{})
	if _, _, err := s.Acquire(ctx); !errors.Is(err, errNoBrowser) {
		t.Errorf("Acquire() without a browser = %v, want %v", err, errNoBrowser)
	}
}
