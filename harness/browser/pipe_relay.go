package browser

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"

	"golang.org/x/sys/unix"
)

// pipeRelay puts a relay between chromedp and Chromium's
// --remote-debugging-pipe when Launch shares the browser (Options.
// ShareSocket). chromedp's ExecAllocator still starts, watches and stops
// the process and speaks to it through the pipe it made; only the far ends
// of that pipe, which Chromium would have had as file descriptors 3 and 4,
// are kept by the relay, and Chromium gets a new pipe whose other ends the
// relay owns. chromedp thereby becomes the relay's first client, the
// launcher, and other processes become clients through the relay's socket.
type pipeRelay struct {
	mu          sync.Mutex
	relay       *relay
	browserEnds []*os.File // Chromium's ends of its new pipe; ours close once it runs
	closed      bool
	err         error
	started     sync.Once
}

// modifyCmd runs as part of chromedp's ModifyCmdFunc: after chromedp gave
// the command its pipe (ExtraFiles, descriptors 3 and 4) and before the
// process starts.
func (p *pipeRelay) modifyCmd(cmd *exec.Cmd) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.closed:
		p.err = errRelayClosed
	case len(cmd.ExtraFiles) != 2:
		p.err = fmt.Errorf("browser: chromedp gave the browser %d extra files, want the 2 of its pipe", len(cmd.ExtraFiles))
	default:
		files, err := p.setupLocked(cmd.ExtraFiles[0], cmd.ExtraFiles[1])
		if err != nil {
			p.err = fmt.Errorf("browser: relay the pipe: %w", err)
			return
		}
		cmd.ExtraFiles = files
	}
}

// setupLocked starts the relay between chromedp's pipe (commandR, which
// chromedp writes commands into, and replyW, which it reads replies from)
// and a new pipe for Chromium, whose ends it returns.
func (p *pipeRelay) setupLocked(commandR, replyW *os.File) (_ []*os.File, err error) {
	var opened []*os.File
	defer func() {
		if err != nil {
			for _, f := range opened {
				f.Close()
			}
		}
	}()
	// chromedp closes these once the browser runs: the relay keeps copies.
	launcherR, err := dupNonblock(commandR)
	if err != nil {
		return nil, err
	}
	opened = append(opened, launcherR)
	launcherW, err := dupNonblock(replyW)
	if err != nil {
		return nil, err
	}
	opened = append(opened, launcherW)
	browserR, relayW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("command pipe: %w", err)
	}
	opened = append(opened, browserR, relayW)
	relayR, browserW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("reply pipe: %w", err)
	}
	opened = append(opened, relayR, browserW)

	r := newRelay(relayR, relayW, os.Geteuid())
	// chromedp's first command is written once the process has started:
	// then our copies of Chromium's ends go, so that the relay sees the
	// pipe end when Chromium exits.
	if err := r.serve("launcher", launcherR, launcherW, true, p.closeBrowserEnds); err != nil {
		r.Close()
		return nil, err
	}
	p.relay = r
	p.browserEnds = []*os.File{browserR, browserW}
	return p.browserEnds, nil
}

// closeBrowserEnds closes this process's copies of Chromium's pipe ends.
func (p *pipeRelay) closeBrowserEnds() {
	p.started.Do(func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, f := range p.browserEnds {
			f.Close()
		}
	})
}

// result returns the relay once the browser answered, or why there is none.
func (p *pipeRelay) result() (*relay, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err == nil && p.relay == nil {
		return nil, errors.New("browser: chromedp did not start the browser through the relay")
	}
	return p.relay, p.err
}

// stopListening closes the relay's socket, if any.
func (p *pipeRelay) stopListening() {
	p.mu.Lock()
	r := p.relay
	p.mu.Unlock()
	if r != nil {
		r.stopListening()
	}
}

// Close ends the relay and with it the pipe to Chromium. It is safe to
// call more than once, and before modifyCmd ran.
func (p *pipeRelay) Close() error {
	p.closeBrowserEnds()
	p.mu.Lock()
	p.closed = true
	r := p.relay
	p.relay = nil
	p.mu.Unlock()
	if r == nil {
		return nil
	}
	return r.Close()
}

// dupNonblock returns a close-on-exec copy of f's descriptor in
// non-blocking mode, so that closing the copy ends a read or write waiting
// on it. The mode belongs to the pipe end, which no other process holds.
func dupNonblock(f *os.File) (*os.File, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("copy %s: %w", f.Name(), err)
	}
	nfd := -1
	var derr error
	if err := rc.Control(func(fd uintptr) {
		nfd, derr = unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0)
	}); err != nil || derr != nil {
		return nil, fmt.Errorf("copy %s: %w", f.Name(), errors.Join(err, derr))
	}
	if err := unix.SetNonblock(nfd, true); err != nil {
		unix.Close(nfd)
		return nil, fmt.Errorf("copy %s: %w", f.Name(), err)
	}
	return os.NewFile(uintptr(nfd), f.Name()+"-relay"), nil
}
