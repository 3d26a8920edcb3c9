package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// progressDelay is how long a run waits silently before saying which
// evidence bundles it is waiting for.
const progressDelay = time.Second

// progressPrinter returns the run's progress observer: on a terminal, once
// gathering has taken longer than progressDelay, one line that says which
// evidence bundles the run is still waiting for, rewritten in place and
// erased when the last one finishes. Without a terminal it prints nothing
// (no control sequences reach a log).
func progressPrinter(w io.Writer) func([]string) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	p := &liveLine{w: w}
	return p.update
}

// liveLine is a status line redrawn in place on a terminal.
type liveLine struct {
	mu      sync.Mutex
	w       io.Writer
	waiting []string
	start   time.Time
	shown   bool
	ticker  *time.Ticker
	done    chan struct{}
}

func (p *liveLine) update(waiting []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.waiting = waiting
	switch {
	case len(waiting) > 0 && p.ticker == nil:
		p.start = time.Now()
		p.ticker = time.NewTicker(250 * time.Millisecond)
		p.done = make(chan struct{})
		go p.loop(p.ticker, p.done)
	case len(waiting) == 0 && p.ticker != nil:
		p.ticker.Stop()
		close(p.done)
		p.ticker = nil
		if p.shown {
			fmt.Fprint(p.w, "\r\x1b[2K")
			p.shown = false
		}
	}
}

func (p *liveLine) loop(t *time.Ticker, done chan struct{}) {
	for {
		select {
		case <-done:
			return
		case <-t.C:
			p.mu.Lock()
			if el := time.Since(p.start); el >= progressDelay && len(p.waiting) > 0 {
				fmt.Fprintf(p.w, "\r\x1b[2Kgathering evidence (%.0fs): waiting for %s", el.Seconds(), strings.Join(p.waiting, ", "))
				p.shown = true
			}
			p.mu.Unlock()
		}
	}
}

// batchProgress tells how a batch goes: one plain line per finished
// target, and on a terminal a live status line under them — targets
// done/total, failed so far, elapsed and an estimate of what is left.
type batchProgress struct {
	mu          sync.Mutex
	w           io.Writer
	tty         bool
	total, done int
	failed      int
	start       time.Time
	ticker      *time.Ticker
	quit        chan struct{}
}

func newBatchProgress(w io.Writer, total int) *batchProgress {
	p := &batchProgress{w: w, total: total, start: time.Now()}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
		p.ticker = time.NewTicker(time.Second)
		p.quit = make(chan struct{})
		p.draw()
		go func() {
			for {
				select {
				case <-p.quit:
					return
				case <-p.ticker.C:
					p.mu.Lock()
					p.draw()
					p.mu.Unlock()
				}
			}
		}()
	}
	return p
}

// finished records a target's end and prints its line.
func (p *batchProgress) finished(e IndexEntry) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if e.Exit != exitOK && e.Exit != exitWarned {
		p.failed++
	}
	if p.tty {
		fmt.Fprint(p.w, "\r\x1b[2K")
	}
	fmt.Fprintf(p.w, "%-32s exit %d  %-26s %6.0f ms  %s\n", e.Name, e.Exit, strings.ToUpper(e.Verdict), e.Duration, e.Report)
	if p.tty {
		p.draw()
	}
}

// draw writes the live line; p.mu is held (or the batch not started).
func (p *batchProgress) draw() {
	el := time.Since(p.start)
	eta := "estimating…"
	if p.done > 0 && p.done < p.total {
		left := time.Duration(float64(el) / float64(p.done) * float64(p.total-p.done))
		eta = "about " + left.Round(time.Second).String() + " left"
	}
	fmt.Fprintf(p.w, "\r\x1b[2K%d/%d targets done, %d not passing, %s elapsed, %s", p.done, p.total, p.failed, el.Round(time.Second), eta)
}

// stop ends the live line.
func (p *batchProgress) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.tty || p.quit == nil {
		return
	}
	p.ticker.Stop()
	close(p.quit)
	p.quit = nil
	fmt.Fprint(p.w, "\r\x1b[2K")
}
