package browser

import (
	"os/exec"
	"sync"
	"time"
)

// groupReapTimeout bounds how long Close waits for Chromium's helper
// processes (zygote, renderers, GPU and utility processes) once the
// browser process has exited.
const groupReapTimeout = 10 * time.Second

// procGroup is the process group Chromium runs in (Setpgid: the group's ID
// is the browser process's PID). Chromium's helpers notice the browser's
// exit on their own, through their IPC channels, and exit moments later —
// after Close would otherwise have returned: a run that ends then (Ctrl-C
// while the evidence is gathered) would leave them running. Close kills
// whatever is left of the group and waits until it is gone.
type procGroup struct {
	mu  sync.Mutex
	cmd *exec.Cmd
}

// set records the command that starts the browser (before it starts).
func (g *procGroup) set(cmd *exec.Cmd) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.cmd = cmd
}

// pgid is the group's ID, or 0 when the browser never started. It reads
// cmd.Process, which the allocator set when it started the command; the
// caller has waited for the allocator, which orders the two.
func (g *procGroup) pgid() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cmd == nil || g.cmd.Process == nil {
		return 0
	}
	return g.cmd.Process.Pid
}

// reap kills what is left of the group and waits, at most
// groupReapTimeout, until no live process remains in it. It reports
// whether the group is gone.
func (g *procGroup) reap() bool {
	id := g.pgid()
	if id <= 0 {
		return true
	}
	deadline := time.Now().Add(groupReapTimeout)
	for {
		if !killGroup(id) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}
