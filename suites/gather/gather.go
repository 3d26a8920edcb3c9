// Package gather runs a run's evidence bundles — a login flow, the app
// probes, a Supabase browser session — concurrently and times each: the
// evidence is gathered once, before the specs judge it.
package gather

import (
	"context"
	"sync"
	"time"

	"github.com/mfconform/mfconform/harness/egress"
	"github.com/mfconform/mfconform/suites/redact"
	"github.com/mfconform/mfconform/suites/result"
)

// Job is one evidence bundle: a name for the report's timings and the work,
// which stores what it gathers itself and returns why it could not.
type Job struct {
	Name string
	Run  func(ctx context.Context) error
}

// Progress, when set, hears which bundles a run is still waiting for each
// time one finishes (and once at the start); a terminal shows it.
type Progress func(waiting []string)

// All runs the jobs concurrently, each bounded by timeout under ctx, and
// returns their timings in job order. A job's error is recorded in its
// Bundle, cleaned with the run's redaction set known; the job itself keeps
// what it needs to say more.
func All(ctx context.Context, known *redact.Set, timeout time.Duration, progress Progress, jobs ...Job) []result.Bundle {
	out := make([]result.Bundle, len(jobs))
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		pending = map[string]bool{}
	)
	for _, j := range jobs {
		pending[j.Name] = true
	}
	report := func() {
		if progress == nil {
			return
		}
		var waiting []string
		for _, j := range jobs {
			if pending[j.Name] {
				waiting = append(waiting, j.Name)
			}
		}
		progress(waiting)
	}
	mu.Lock()
	report()
	mu.Unlock()
	for i, j := range jobs {
		wg.Go(func() {
			jctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			// The browser sessions the job opens carry its name: what
			// the egress guard refused is reported per bundle.
			jctx = egress.WithTag(jctx, j.Name)
			start := time.Now()
			err := j.Run(jctx)
			b := result.Bundle{Name: j.Name, MS: float64(time.Since(start).Microseconds()) / 1000}
			if err != nil {
				// Through the run's redactor: an error may quote a URL
				// the run was given, with its password; one line, for
				// it may quote what a target sent.
				b.Error = result.CleanLine(known.Clean(err.Error()))
			}
			mu.Lock()
			out[i] = b
			delete(pending, j.Name)
			report()
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}
