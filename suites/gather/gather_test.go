package gather

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func TestFuture(t *testing.T) {
	var f Future[int]
	if _, err := f.Wait(context.Background()); !errors.Is(err, ErrNotStarted) {
		t.Fatalf("Wait() before Start error = %v, want ErrNotStarted", err)
	}
	var runs atomic.Int32
	release := make(chan struct{})
	for range 3 {
		f.Start(func() (int, error) { runs.Add(1); <-release; return 42, nil })
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := f.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait() while running with an ended context = %v, want DeadlineExceeded", err)
	}
	close(release)
	if v, err := f.Wait(context.Background()); v != 42 || err != nil {
		t.Errorf("Wait() = %d, %v, want 42, nil", v, err)
	}
	if n := runs.Load(); n != 1 {
		t.Errorf("the gather ran %d times, want once", n)
	}
	var recorded time.Duration
	v, _ := Timed(func(d time.Duration) { recorded = d }, func() (string, error) { return "x", nil })()
	if v != "x" || recorded < 0 {
		t.Errorf("Timed() = %q, recorded %s", v, recorded)
	}
}
