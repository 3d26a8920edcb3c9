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
