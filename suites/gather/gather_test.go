package gather

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mfconform/mfconform/suites/redact"
)

func TestAll(t *testing.T) {
	var mu sync.Mutex
	var seen [][]string
	progress := func(waiting []string) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, slices.Clone(waiting))
	}
	release := make(chan struct{})
	jobs := []Job{
		{Name: "slow", Run: func(ctx context.Context) error { <-release; return nil }},
		{Name: "failing", Run: func(ctx context.Context) error { defer close(release); return errors.New("boom \x1b[31m") }},
		{Name: "bounded", Run: func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }},
	}
	got := All(context.Background(), &redact.Set{}, 50*time.Millisecond, progress, jobs...)
	if len(got) != 3 || got[0].Name != "slow" || got[1].Name != "failing" || got[2].Name != "bounded" {
		t.Fatalf("All() = %+v, want the jobs in order", got)
	}
	if got[0].Error != "" {
		t.Errorf("slow: error %q, want none", got[0].Error)
	}
	if got[1].Error != `boom \u001b[31m` {
		t.Errorf("failing: error %q, want it cleaned", got[1].Error)
	}
	if got[2].Error == "" {
		t.Errorf("bounded: %+v, want the job bounded by the timeout", got[2])
	}
	if len(seen) != 4 || len(seen[0]) != 3 || len(seen[3]) != 0 {
		t.Errorf("progress calls = %v, want 3 waiting, then one fewer per finished job", seen)
	}
}

// TestAllRedacts: a job's error that quotes a secret of the run's
// redaction set is stored without it.
func TestAllRedacts(t *testing.T) {
	const secret = "gather-secret-Qx7Lm2"
	known := &redact.Set{}
	known.AddSecret(secret)
	got := All(context.Background(), known, time.Second, nil, Job{Name: "quoting", Run: func(context.Context) error {
		return errors.New("login with " + secret + " refused")
	}})
	if len(got) != 1 || got[0].Error == "" || strings.Contains(got[0].Error, secret) {
		t.Errorf("All() = %+v, want the error without %q", got, secret)
	}
}
