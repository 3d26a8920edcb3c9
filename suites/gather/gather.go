// Package gather runs evidence gathers once per run, in the background,
// and lets many specs wait for the result: the pattern behind "gather
// once, judge many times".
package gather

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrNotStarted is returned by Wait on a gather nobody started.
var ErrNotStarted = errors.New("gather: not started")

// Future is one gather's result.
type Future[T any] struct {
	once sync.Once
	mu   sync.Mutex
	done chan struct{}
	val  T
	err  error
}

// Start runs f in the background the first time it is called; later calls
// do nothing.
func (f *Future[T]) Start(run func() (T, error)) {
	f.once.Do(func() {
		f.mu.Lock()
		f.done = make(chan struct{})
		f.mu.Unlock()
		go func() {
			defer close(f.done)
			f.val, f.err = run()
		}()
	})
}

// Wait returns the result, or ctx's error when ctx ends first.
func (f *Future[T]) Wait(ctx context.Context) (T, error) {
	f.mu.Lock()
	done := f.done
	f.mu.Unlock()
	var zero T
	if done == nil {
		return zero, ErrNotStarted
	}
	select {
	case <-done:
		return f.val, f.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// Timed wraps run so that its duration is reported to record.
func Timed[T any](record func(time.Duration), run func() (T, error)) func() (T, error) {
	return func() (T, error) {
		t := time.Now()
		defer func() { record(time.Since(t)) }()
		return run()
	}
}
