package browser

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// relayLimits bound what the relay holds. A client that breaks one is
// disconnected (and what it made in the browser undone); a message from the
// browser that breaks one is dropped, and the command it answers, if
// known, gets an error instead.
type relayLimits struct {
	// clientMessage bounds one command from a client.
	clientMessage int
	// browserMessage bounds one message from Chromium (screenshots and
	// response bodies are the largest).
	browserMessage int
	// queuedMessages and queuedBytes bound what waits to be written to one
	// client. The pipe reader never waits for a client: one that falls this
	// far behind is disconnected.
	queuedMessages int
	queuedBytes    int64
	// clients bounds the clients served at once.
	clients int
}

// defaultRelayLimits are the limits of every relay but the tests'.
var defaultRelayLimits = relayLimits{
	clientMessage:  8 << 20,
	browserMessage: 64 << 20,
	queuedMessages: 4096,
	queuedBytes:    64 << 20,
	clients:        256,
}

const (
	// flushTimeout bounds writing what is queued for a client when the
	// browser has gone.
	flushTimeout = 5 * time.Second
	// tombstones is how many destroyed targets the relay remembers, so that
	// late events about them still reach their owner.
	tombstones = 512
)

// errRelayClosed is returned for a client offered to a relay that has
// stopped.
var errRelayClosed = errors.New("relay closed")

// relay shares one DevTools connection to Chromium (its
// --remote-debugging-pipe) among clients: the process that launched the
// browser (the launcher) and, through a Unix socket (listen), the runs of a
// batch. Each client speaks the pipe's protocol (NUL-terminated JSON) as if
// it had the browser to itself:
//
//   - Command ids are rewritten to ids unique on the pipe and mapped back.
//   - A message on a session goes to the client that owns the session: the
//     one whose Target.attachToTarget created it, or whose session
//     auto-attached it. Commands on another client's session are refused.
//   - A client owns the browser contexts it created and every target in
//     them, and a target it created in the default context (from Chromium's
//     reply on: the targetCreated that comes first still reaches every
//     discovering client; mfconform's sessions always make contexts of
//     their own). Targets in the default context that no client created
//     (the first blank tab) are shared: every client sees them, so
//     chromedp's first context can attach to that tab.
//   - Target.setDiscoverTargets on the browser is answered by the relay
//     (it discovers targets once, for everyone); targetCreated,
//     targetInfoChanged, targetDestroyed and targetCrashed go to the
//     discovering clients that see the target, on the browser and on
//     sessions alike. Target.getTargets and Target.getBrowserContexts list
//     only what the client sees; commands naming a target, browser context
//     or session the client does not see are refused.
//   - Browser-level events nobody owns (Browser.download*, a session the
//     relay does not know, an attach nobody asked for) are dropped, never
//     broadcast: a client sees nothing of another client's work.
//   - Only the launcher may close or crash the browser or attach to the
//     browser target, and nobody may set auto-attach on the browser (it
//     would attach every client's targets on the one connection).
//   - When a client goes (finished, crashed, too slow), the relay detaches
//     its sessions, disposes of its browser contexts and closes the targets
//     it opened in the default context, so nothing it made outlives it.
//
// Chromium ends everything when the pipe closes; Close closes it.
type relay struct {
	upR  io.ReadCloser  // Chromium's messages
	upW  io.WriteCloser // commands for Chromium
	upMu sync.Mutex     // one writer at a time on upW

	// uid is the only user a socket peer may run as (SO_PEERCRED).
	uid    int
	limits relayLimits
	// logf reports clients dropped and peers refused; nil is silent.
	logf func(format string, args ...any)

	mu        sync.Mutex
	nextID    int64
	pending   map[int64]*pendingCmd
	clients   map[*relayClient]struct{}
	sessions  map[string]*relaySession
	contexts  map[string]*relayClient
	targets   map[string]*relayTarget
	dead      []string // destroyed target ids still in targets, oldest first
	targetSeq int64
	cleanup   [][]byte // relay commands to write once mu is released
	ln        *net.UnixListener
	closed    bool // takes no more clients
	stats     relayStats

	wg sync.WaitGroup
}

// relayStats counts what the relay refused or dropped (tests read them).
type relayStats struct {
	Refused        int // commands answered with an error by the relay
	DroppedEvents  int // events with no owner
	DroppedClients int // clients disconnected for breaking a limit or the protocol
	RefusedPeers   int // socket peers of another user
}

// pendingCmd is a command on its way to Chromium.
type pendingCmd struct {
	c        *relayClient // nil for the relay's own commands
	clientID int64
	method   string
	session  string // the session it was sent on; its reply must carry it
	target   string // Target.attachToTarget: the target
	context  string // Target.disposeBrowserContext: the context
	matched  bool   // Target.attachToTarget: its attachedToTarget event was routed
}

// relaySession is a flat-mode DevTools session on the pipe.
type relaySession struct {
	owner  *relayClient
	parent string // the session that auto-attached it; "" when a command attached it
}

// relayTarget is a target the relay knows of.
type relayTarget struct {
	seq   int64
	info  json.RawMessage // the latest TargetInfo
	owner *relayClient    // nil: shared
	dead  bool            // destroyed; kept for late events
}

// relayClient is one connection served by the relay.
type relayClient struct {
	name    string
	owner   bool // the launcher
	rd      io.ReadCloser
	wr      io.WriteCloser
	out     chan []byte // encoded messages for wr; closed when the client goes
	queued  atomic.Int64
	onFirst func() // runs once the client's first message has been read

	// Guarded by relay.mu.
	gone     bool
	discover bool
}

// refParams are the parameters by which a command names a target, browser
// context or session.
type refParams struct {
	TargetID         string `json:"targetId"`
	BrowserContextID string `json:"browserContextId"`
	SessionID        string `json:"sessionId"`
	Discover         bool   `json:"discover"`
}

// infoRef is what routing needs of a TargetInfo.
type infoRef struct {
	TargetID         string `json:"targetId"`
	BrowserContextID string `json:"browserContextId"`
}

// newRelay starts relaying Chromium's pipe (reading upR, writing upW) and
// asks the browser to report its targets. Add clients with serve or listen;
// Close ends everything.
func newRelay(upR io.ReadCloser, upW io.WriteCloser, uid int) *relay {
	return newRelayLimits(upR, upW, uid, defaultRelayLimits)
}

// newRelayLimits is newRelay with other limits (tests).
func newRelayLimits(upR io.ReadCloser, upW io.WriteCloser, uid int, limits relayLimits) *relay {
	r := &relay{
		upR: upR, upW: upW, uid: uid, limits: limits, logf: relayDebugf,
		pending:  map[int64]*pendingCmd{},
		clients:  map[*relayClient]struct{}{},
		sessions: map[string]*relaySession{},
		contexts: map[string]*relayClient{},
		targets:  map[string]*relayTarget{},
	}
	r.mu.Lock()
	discover := r.ownCommandLocked("Target.setDiscoverTargets", map[string]any{"discover": true})
	r.mu.Unlock()
	r.wg.Go(r.readBrowser)
	r.wg.Go(func() {
		// Before Chromium reads it, the pipe's buffer holds it.
		_ = r.writeBrowser(discover)
	})
	return r
}

// relayDebugf, when set (tests), receives the relay's reports.
var relayDebugf func(format string, args ...any)

func (r *relay) debugf(format string, args ...any) {
	if r.logf != nil {
		r.logf(format, args...)
	}
}

// serve relays for one client reading rd and writing wr until either ends,
// the client breaks a limit, or the relay closes. onFirst, when set, runs
// after the client's first message.
func (r *relay) serve(name string, rd io.ReadCloser, wr io.WriteCloser, owner bool, onFirst func()) error {
	c := &relayClient{name: name, owner: owner, rd: rd, wr: wr, out: make(chan []byte, r.limits.queuedMessages), onFirst: onFirst}
	r.mu.Lock()
	if r.closed || len(r.clients) >= r.limits.clients {
		closed := r.closed
		r.mu.Unlock()
		rd.Close()
		wr.Close()
		if closed {
			return errRelayClosed
		}
		return fmt.Errorf("relay: %d clients already", r.limits.clients)
	}
	r.clients[c] = struct{}{}
	r.mu.Unlock()
	r.wg.Go(func() { r.readClient(c) })
	r.wg.Go(func() { r.writeClient(c) })
	return nil
}

// readClient forwards a client's commands until it ends.
func (r *relay) readClient(c *relayClient) {
	fr := newFrameReader(c.rd, r.limits.clientMessage)
	for first := true; ; first = false {
		b, err := fr.next()
		if err != nil {
			if errors.Is(err, errFrameTooLarge) {
				r.drop(c, true, fmt.Sprintf("command over %d bytes", r.limits.clientMessage))
			} else {
				r.drop(c, false, "")
			}
			return
		}
		if first && c.onFirst != nil {
			c.onFirst()
		}
		var m frame
		if err := json.Unmarshal(b, &m); err != nil || m.ID <= 0 || m.Method == "" {
			r.drop(c, true, "sent something that is not a command")
			return
		}
		if err := r.command(c, &m); err != nil {
			r.drop(c, false, err.Error())
			return
		}
	}
}

// writeClient writes what is queued for a client until the queue closes;
// then it closes the connection.
func (r *relay) writeClient(c *relayClient) {
	failed := false
	for b := range c.out {
		if failed {
			continue // drain
		}
		if _, err := c.wr.Write(b); err != nil {
			failed = true
			r.drop(c, false, "")
			continue
		}
		c.queued.Add(-int64(len(b)))
	}
	c.wr.Close()
	c.rd.Close()
}

// command handles one command of c: answers it, refuses it, or forwards it
// under a fresh id.
func (r *relay) command(c *relayClient, m *frame) error {
	r.mu.Lock()
	if c.gone {
		r.mu.Unlock()
		return nil
	}
	replies, p := r.admitLocked(c, m)
	if p == nil {
		for _, b := range replies {
			r.enqueueLocked(c, b)
		}
		r.mu.Unlock()
		r.flushCleanup()
		return nil
	}
	r.nextID++
	id := r.nextID
	m.ID = id
	b, err := m.encode()
	if err != nil {
		r.stats.Refused++
		r.enqueueLocked(c, errorFrame(p.clientID, m.SessionID, "mfconform relay: "+err.Error()))
		r.mu.Unlock()
		return nil
	}
	r.pending[id] = p
	r.mu.Unlock()
	r.flushCleanup()
	return r.writeBrowser(b)
}

// ownCommandLocked registers a command of the relay itself and returns it
// encoded; its reply is used for bookkeeping only.
func (r *relay) ownCommandLocked(method string, params map[string]any) []byte {
	p, _ := json.Marshal(params)
	r.nextID++
	pc := &pendingCmd{method: method}
	pc.context, _ = params["browserContextId"].(string)
	r.pending[r.nextID] = pc
	b, _ := (&frame{ID: r.nextID, Method: method, Params: p}).encode()
	return b
}

// writeBrowser writes one encoded message to Chromium.
func (r *relay) writeBrowser(b []byte) error {
	r.upMu.Lock()
	defer r.upMu.Unlock()
	if _, err := r.upW.Write(b); err != nil {
		return fmt.Errorf("relay: write to the browser: %w", err)
	}
	return nil
}

// flushCleanup writes the relay's queued clean-up commands.
func (r *relay) flushCleanup() {
	r.mu.Lock()
	cmds := r.cleanup
	r.cleanup = nil
	r.mu.Unlock()
	for _, b := range cmds {
		if err := r.writeBrowser(b); err != nil {
			r.debugf("relay: clean-up: %v", err)
			return
		}
	}
}

// readBrowser routes Chromium's messages until the pipe ends.
func (r *relay) readBrowser() {
	fr := newFrameReader(r.upR, r.limits.browserMessage)
	for {
		b, err := fr.next()
		var big *frameTooLargeError
		switch {
		case errors.As(err, &big):
			r.tooLarge(big)
		case err != nil:
			r.browserGone(err)
			return
		default:
			r.route(b)
		}
		// Clean-up commands are written by another goroutine: this one
		// must keep reading, whatever happens to the pipe's other way.
		r.mu.Lock()
		flush := len(r.cleanup) > 0
		r.mu.Unlock()
		if flush {
			r.wg.Go(r.flushCleanup)
		}
	}
}

// route passes one message of Chromium's on.
func (r *relay) route(b []byte) {
	var m frame
	if err := json.Unmarshal(b, &m); err != nil {
		r.debugf("relay: undecodable message from the browser: %v", err)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case m.ID != 0:
		r.responseLocked(&m)
	case m.Method != "":
		r.eventLocked(&m, append(b, 0))
	}
}

// tooLarge answers the command whose reply was too large to relay.
func (r *relay) tooLarge(e *frameTooLargeError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := e.responseID()
	p := r.pending[id]
	if id == 0 || p == nil {
		r.stats.DroppedEvents++
		r.debugf("relay: dropped a message over %d bytes: %v", r.limits.browserMessage, e)
		return
	}
	delete(r.pending, id)
	if p.c != nil && !p.c.gone {
		r.enqueueLocked(p.c, errorFrame(p.clientID, p.session, fmt.Sprintf("mfconform relay: the reply to %s is over %d bytes", p.method, r.limits.browserMessage)))
	}
}

// enqueueLocked queues an encoded message for c without waiting; a client
// whose queue is full is disconnected.
func (r *relay) enqueueLocked(c *relayClient, b []byte) {
	if c.gone {
		return
	}
	if len(c.out) == cap(c.out) || c.queued.Load()+int64(len(b)) > r.limits.queuedBytes {
		r.dropLocked(c, true, fmt.Sprintf("too slow: %d messages, %d bytes waiting", len(c.out), c.queued.Load()))
		return
	}
	c.queued.Add(int64(len(b)))
	c.out <- b
}

// drop disconnects c (see dropLocked).
func (r *relay) drop(c *relayClient, broke bool, why string) {
	r.mu.Lock()
	r.dropLocked(c, broke, why)
	r.mu.Unlock()
	r.flushCleanup()
}

// dropLocked disconnects c at once and queues the commands that undo what
// it leaves in the browser: its sessions are detached, its browser
// contexts disposed of (with their targets), and the targets it opened in
// the default context closed. broke counts it as a client that broke a
// limit or the protocol.
func (r *relay) dropLocked(c *relayClient, broke bool, why string) {
	if c.gone {
		return
	}
	c.gone = true
	delete(r.clients, c)
	if broke {
		r.stats.DroppedClients++
	}
	if why != "" {
		r.debugf("relay: %s disconnected: %s", c.name, why)
	}
	close(c.out)
	c.rd.Close()
	c.wr.Close()
	for id, s := range r.sessions {
		if s.owner == c && s.parent == "" {
			r.cleanup = append(r.cleanup, r.ownCommandLocked("Target.detachFromTarget", map[string]any{"sessionId": id}))
		}
	}
	for id, s := range r.sessions {
		if s.owner == c {
			delete(r.sessions, id)
		}
	}
	for id, owner := range r.contexts {
		if owner == c {
			r.cleanup = append(r.cleanup, r.ownCommandLocked("Target.disposeBrowserContext", map[string]any{"browserContextId": id}))
		}
	}
	for id, t := range r.targets {
		if t.owner == c && !t.dead && !r.inOwnContextLocked(c, t) {
			r.cleanup = append(r.cleanup, r.ownCommandLocked("Target.closeTarget", map[string]any{"targetId": id}))
		}
	}
	// Nothing the relay still remembers holds on to c and its queue: the
	// targets (until destroyed, then as tombstones for late events), the
	// contexts being disposed of, and the commands Chromium has not
	// answered — some never are (those on a session that detached). A
	// reply that undoes what c made still does; any other goes nowhere.
	for _, t := range r.targets {
		if t.owner == c {
			t.owner = departed
		}
	}
	for id, owner := range r.contexts {
		if owner == c {
			r.contexts[id] = departed
		}
	}
	for id, p := range r.pending {
		if p.c != c {
			continue
		}
		switch p.method {
		case "Target.createBrowserContext", "Target.createTarget", "Target.attachToTarget", "Target.attachToBrowserTarget":
			p.c = departed
		default:
			delete(r.pending, id)
		}
	}
}

// departed owns the targets of clients that have gone: nobody sees them,
// and the relay keeps no gone client alive through them (each holds a
// queue of queuedMessages slots; a long-lived batch browser serves
// thousands of clients).
var departed = &relayClient{name: "departed", gone: true}

// ownerLocked is the owner to record for a target made by c: departed
// once c has gone.
func ownerLocked(c *relayClient) *relayClient {
	if c != nil && c.gone {
		return departed
	}
	return c
}

// browserGone ends every client once Chromium's pipe has ended, after
// writing what was queued for them (the reply to Browser.close among it).
func (r *relay) browserGone(err error) {
	if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
		r.debugf("relay: browser pipe: %v", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	for c := range r.clients {
		c.gone = true
		delete(r.clients, c)
		if d, ok := c.wr.(interface{ SetWriteDeadline(time.Time) error }); ok {
			_ = d.SetWriteDeadline(time.Now().Add(flushTimeout))
		}
		close(c.out) // writeClient flushes, then closes the connection
	}
	clear(r.pending)
	if r.ln != nil {
		r.ln.Close()
		r.ln = nil
	}
}

// stopListening closes the relay's socket, if any; clients already served
// stay.
func (r *relay) stopListening() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ln != nil {
		r.ln.Close()
		r.ln = nil
	}
}

// Close stops the relay: the socket, every client and the pipe to Chromium
// (which makes the browser quit), and waits for its goroutines.
func (r *relay) Close() error {
	r.mu.Lock()
	r.closed = true
	for c := range r.clients {
		r.dropLocked(c, false, "")
	}
	r.cleanup = nil
	if r.ln != nil {
		r.ln.Close()
		r.ln = nil
	}
	r.mu.Unlock()
	err := errors.Join(r.upW.Close(), r.upR.Close())
	r.wg.Wait()
	if err != nil && !errors.Is(err, net.ErrClosed) && !errors.Is(err, io.ErrClosedPipe) {
		return fmt.Errorf("relay: close: %w", err)
	}
	return nil
}

// snapshot returns the relay's counters and how many sessions, browser
// contexts and live targets it tracks.
func (r *relay) snapshot() (relayStats, int, int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats, len(r.sessions), len(r.contexts), len(r.targets) - len(r.dead)
}
