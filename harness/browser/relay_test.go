package browser

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeBrowser answers the relay's pipe like a tiny Chromium: targets,
// browser contexts and sessions with made-up ids, plus test commands that
// flood a session with events or answer with a large result. It records
// every command it gets.
type fakeBrowser struct {
	r *frameReader
	w io.WriteCloser

	mu   sync.Mutex
	got  []frame
	next int
}

// newFakeRelay starts a relay whose browser is a fakeBrowser, listening on
// a socket in a fresh 0700 folder; both end with the test.
func newFakeRelay(t testing.TB, limits relayLimits) (*relay, *fakeBrowser, string) {
	t.Helper()
	browserR, relayW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	relayR, browserW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	fb := &fakeBrowser{r: newFrameReader(browserR, 256<<20), w: browserW}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer browserR.Close()
		defer browserW.Close()
		fb.serve()
	}()
	r := newRelayLimits(relayR, relayW, os.Geteuid(), limits)
	dir, err := os.MkdirTemp("/tmp", "mfr")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("relay Close() = %v", err)
		}
		<-done
		os.RemoveAll(dir)
	})
	sock := filepath.Join(dir, "cdp")
	if err := r.listen(sock); err != nil {
		t.Fatal(err)
	}
	return r, fb, sock
}

func (fb *fakeBrowser) send(f frame) {
	b, _ := f.encode()
	fb.w.Write(b)
}

func (fb *fakeBrowser) id(prefix string) string {
	fb.next++
	return fmt.Sprintf("%s%d", prefix, fb.next)
}

func (fb *fakeBrowser) serve() {
	for {
		b, err := fb.r.next()
		if err != nil {
			return
		}
		var m frame
		if json.Unmarshal(b, &m) != nil {
			continue
		}
		fb.mu.Lock()
		fb.got = append(fb.got, m)
		fb.mu.Unlock()
		var p struct {
			TargetID         string `json:"targetId"`
			BrowserContextID string `json:"browserContextId"`
			N, Size          int
		}
		_ = json.Unmarshal(m.Params, &p)
		result := any(struct{}{})
		switch m.Method {
		case "Target.createBrowserContext":
			result = map[string]string{"browserContextId": fb.id("CTX")}
		case "Target.createTarget":
			id := fb.id("T")
			info, _ := json.Marshal(map[string]any{"targetInfo": map[string]string{"targetId": id, "type": "page", "browserContextId": p.BrowserContextID}})
			fb.send(frame{Method: "Target.targetCreated", Params: info})
			result = map[string]string{"targetId": id}
		case "Target.attachToTarget":
			sid := fb.id("S")
			ev, _ := json.Marshal(map[string]any{"sessionId": sid, "targetInfo": map[string]string{"targetId": p.TargetID, "type": "page"}})
			fb.send(frame{Method: "Target.attachedToTarget", Params: ev})
			result = map[string]string{"sessionId": sid}
		case "Test.flood":
			for range p.N {
				ev, _ := json.Marshal(map[string]string{"pad": strings.Repeat("x", p.Size)})
				fb.send(frame{Method: "Test.event", SessionID: m.SessionID, Params: ev})
			}
		case "Test.big":
			result = map[string]string{"pad": strings.Repeat("x", p.Size)}
		case "Test.silent":
			// Never answered, as Chromium leaves a command on a session
			// that detaches.
			continue
		case "Test.event":
			// A stray event on the browser: nobody owns it.
			ev, _ := json.Marshal(map[string]string{})
			fb.send(frame{Method: "Test.stray", Params: ev})
		}
		res, _ := json.Marshal(result)
		fb.send(frame{ID: m.ID, SessionID: m.SessionID, Result: res})
	}
}

// received lists the methods the fake browser got, with their params.
func (fb *fakeBrowser) received(method string) []string {
	fb.mu.Lock()
	defer fb.mu.Unlock()
	var out []string
	for _, m := range fb.got {
		if m.Method == method {
			out = append(out, string(m.Params))
		}
	}
	return out
}

// rawClient speaks the pipe protocol on the relay's socket.
type rawClient struct {
	t      testing.TB
	conn   net.Conn
	r      *frameReader
	next   int64
	events []frame
}

func dialRelay(t testing.TB, sock string) *rawClient {
	t.Helper()
	conn, err := net.DialTimeout("unix", sock, 5*time.Second)
	if err != nil {
		t.Fatalf("dial the relay: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawClient{t: t, conn: conn, r: newFrameReader(conn, 256<<20)}
}

// send writes a command and returns its id.
func (c *rawClient) send(session, method string, params any) (int64, error) {
	c.next++
	p, _ := json.Marshal(params)
	b, _ := (&frame{ID: c.next, SessionID: session, Method: method, Params: p}).encode()
	if _, err := c.conn.Write(b); err != nil {
		return 0, fmt.Errorf("%s: write: %w", method, err)
	}
	return c.next, nil
}

// call sends a command and reads until its reply, keeping the events.
func (c *rawClient) call(session, method string, params any) (frame, error) {
	c.t.Helper()
	id, err := c.send(session, method, params)
	if err != nil {
		return frame{}, err
	}
	for {
		m, err := c.read()
		if err != nil {
			return frame{}, fmt.Errorf("%s: %w", method, err)
		}
		if m.ID == 0 {
			c.events = append(c.events, m)
			continue
		}
		if m.ID != id {
			return m, fmt.Errorf("%s: reply id %d, want %d", method, m.ID, id)
		}
		if m.SessionID != session {
			return m, fmt.Errorf("%s: reply on session %q, want %q", method, m.SessionID, session)
		}
		return m, nil
	}
}

func (c *rawClient) read() (frame, error) {
	_ = c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, err := c.r.next()
	if err != nil {
		return frame{}, err
	}
	var m frame
	err = json.Unmarshal(b, &m)
	return m, err
}

// mustCall is call for commands that must succeed; it returns the result.
func (c *rawClient) mustCall(session, method string, params any) map[string]string {
	c.t.Helper()
	m, err := c.call(session, method, params)
	if err != nil || len(m.Error) > 0 {
		c.t.Fatalf("%s = %v %s", method, err, m.Error)
	}
	var res map[string]string
	_ = json.Unmarshal(m.Result, &res)
	return res
}

// open makes a browser context with a page in it and attaches, as
// chromedp's NewContext(WithNewBrowserContext()) does.
func (c *rawClient) open() (ctxID, targetID, sessionID string) {
	c.t.Helper()
	ctxID = c.mustCall("", "Target.createBrowserContext", map[string]bool{"disposeOnDetach": true})["browserContextId"]
	targetID = c.mustCall("", "Target.createTarget", map[string]string{"url": "about:blank", "browserContextId": ctxID})["targetId"]
	sessionID = c.mustCall("", "Target.attachToTarget", map[string]any{"targetId": targetID, "flatten": true})["sessionId"]
	return ctxID, targetID, sessionID
}

// TestRelayRouting: two clients that use the same command ids each get
// their own replies and their own targets' events only; commands naming
// the other's targets, contexts or sessions, and the commands that would
// reach every client, are refused; events nobody owns are dropped.
func TestRelayRouting(t *testing.T) {
	r, _, sock := newFakeRelay(t, defaultRelayLimits)
	a, b := dialRelay(t, sock), dialRelay(t, sock)
	a.mustCall("", "Target.setDiscoverTargets", map[string]bool{"discover": true})
	b.mustCall("", "Target.setDiscoverTargets", map[string]bool{"discover": true})
	actx, atarget, asession := a.open()
	bctx, btarget, bsession := b.open()
	if a.next != b.next {
		t.Fatalf("the clients used ids up to %d and %d; want the same ids on both", a.next, b.next)
	}
	a.mustCall(asession, "Test.flood", map[string]int{"N": 3, "Size": 1})
	b.mustCall(bsession, "Test.flood", map[string]int{"N": 2, "Size": 1})
	b.mustCall("", "Test.event", nil) // makes the browser send an event nobody owns

	for _, tc := range []struct {
		c         *rawClient
		own       []string
		other     []string
		wantFlood int
	}{
		{a, []string{actx, atarget, asession}, []string{bctx, btarget, bsession}, 3},
		{b, []string{bctx, btarget, bsession}, []string{actx, atarget, asession}, 2},
	} {
		flood := 0
		for _, ev := range tc.c.events {
			raw := string(ev.Params) + ev.SessionID
			for _, id := range tc.other {
				if strings.Contains(raw, id) {
					t.Errorf("a client got %s %s, which names the other client's %s", ev.Method, raw, id)
				}
			}
			if ev.Method == "Test.event" {
				flood++
			}
			if ev.Method == "Test.stray" {
				t.Errorf("a client got the event nobody owns")
			}
		}
		if flood != tc.wantFlood {
			t.Errorf("a client got %d of its session's events, want %d", flood, tc.wantFlood)
		}
		created := 0
		for _, ev := range tc.c.events {
			if ev.Method == "Target.targetCreated" && strings.Contains(string(ev.Params), tc.own[1]) {
				created++
			}
		}
		if created != 1 {
			t.Errorf("a client saw its own target created %d times, want once", created)
		}
	}

	for _, tc := range []struct {
		name, session, method string
		params                any
	}{
		{"command on the other's session", bsession, "Runtime.evaluate", map[string]string{"expression": "1"}},
		{"close the other's target", "", "Target.closeTarget", map[string]string{"targetId": btarget}},
		{"attach to the other's target", "", "Target.attachToTarget", map[string]any{"targetId": btarget, "flatten": true}},
		{"dispose of the other's context", "", "Target.disposeBrowserContext", map[string]string{"browserContextId": bctx}},
		{"read the other's cookies", "", "Storage.getCookies", map[string]string{"browserContextId": bctx}},
		{"detach the other's session", "", "Target.detachFromTarget", map[string]string{"sessionId": bsession}},
		{"auto-attach on the browser", "", "Target.setAutoAttach", map[string]any{"autoAttach": true, "flatten": true}},
		{"close the browser", "", "Browser.close", nil},
		{"attach to the browser target", "", "Target.attachToBrowserTarget", nil},
	} {
		m, err := a.call(tc.session, tc.method, tc.params)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !strings.Contains(string(m.Error), "mfconform relay") {
			t.Errorf("%s: reply %s %s, want the relay's refusal", tc.name, m.Result, m.Error)
		}
	}
	st, _, _, _ := r.snapshot()
	if st.Refused != 9 {
		t.Errorf("relay counted %d refusals, want 9", st.Refused)
	}
	if st.DroppedEvents == 0 {
		t.Error("relay dropped no event, want the one nobody owns dropped")
	}
	// The other client is unaffected by all that.
	b.mustCall(bsession, "Runtime.evaluate", map[string]string{"expression": "1"})
}

// TestRelayCleansUpAfterAClient: when a client goes without cleaning up,
// the relay detaches its sessions and disposes of its browser contexts;
// the other client's stay.
func TestRelayCleansUpAfterAClient(t *testing.T) {
	r, fb, sock := newFakeRelay(t, defaultRelayLimits)
	a, b := dialRelay(t, sock), dialRelay(t, sock)
	actx, _, asession := a.open()
	bctx, _, bsession := b.open()
	if _, err := a.send(asession, "Test.silent", nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the unanswered command to reach the browser", func() bool { return len(fb.received("Test.silent")) == 1 })
	a.conn.Close()
	waitFor(t, "the relay to dispose of the gone client's context", func() bool {
		return len(fb.received("Target.disposeBrowserContext")) == 1 && len(fb.received("Target.detachFromTarget")) == 1
	})
	if got := fb.received("Target.disposeBrowserContext")[0]; !strings.Contains(got, actx) {
		t.Errorf("disposed of %s, want %s", got, actx)
	}
	if got := fb.received("Target.detachFromTarget")[0]; !strings.Contains(got, asession) {
		t.Errorf("detached %s, want %s", got, asession)
	}
	waitFor(t, "the relay to forget the gone client's session and context", func() bool {
		_, sessions, contexts, _ := r.snapshot()
		return sessions == 1 && contexts == 1
	})
	// Nothing the relay keeps holds the gone client (and its queue) alive:
	// a batch's or the exporter's browser serves thousands of clients.
	r.mu.Lock()
	for id, tg := range r.targets {
		if tg.owner != nil && tg.owner.gone && tg.owner != departed {
			t.Errorf("target %s still belongs to the gone client %s", id, tg.owner.name)
		}
	}
	for id, p := range r.pending {
		if p.c != nil && p.c.gone && p.c != departed {
			t.Errorf("command %d (%s) still holds the gone client %s", id, p.method, p.c.name)
		}
	}
	r.mu.Unlock()
	b.mustCall(bsession, "Runtime.evaluate", map[string]string{"expression": "1"})
	b.mustCall("", "Target.disposeBrowserContext", map[string]string{"browserContextId": bctx})
	if _, _, contexts, _ := r.snapshot(); contexts != 0 {
		t.Errorf("relay tracks %d contexts after both were disposed of", contexts)
	}
}

// TestRelayLimits: a client that sends an oversized or malformed message,
// or reads too slowly, is disconnected (its context disposed of) while
// another client is served on; a reply too large to relay becomes an error.
func TestRelayLimits(t *testing.T) {
	limits := relayLimits{clientMessage: 1 << 10, browserMessage: 64 << 10, queuedMessages: 64, queuedBytes: 32 << 10, clients: 4}
	for _, tc := range []struct {
		name  string
		abuse func(c *rawClient, session string)
	}{
		{"oversized command", func(c *rawClient, _ string) {
			c.send("", "Runtime.evaluate", map[string]string{"expression": strings.Repeat("1", 2<<10)})
		}},
		{"not a command", func(c *rawClient, _ string) {
			c.conn.Write([]byte("{\"hello\":1}\x00"))
		}},
		// The client reads nothing more: once the socket's buffers are
		// full, the relay's queue for it fills.
		{"slow reader, many events", func(c *rawClient, session string) {
			c.send(session, "Test.flood", map[string]int{"N": 20000, "Size": 50})
		}},
		{"slow reader, many bytes", func(c *rawClient, session string) {
			c.send(session, "Test.flood", map[string]int{"N": 400, "Size": 8 << 10})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, fb, sock := newFakeRelay(t, limits)
			a, b := dialRelay(t, sock), dialRelay(t, sock)
			actx, _, asession := a.open()
			_, _, bsession := b.open()
			tc.abuse(a, asession)
			waitFor(t, "the client to be disconnected", func() bool {
				st, _, _, _ := r.snapshot()
				return st.DroppedClients == 1
			})
			waitFor(t, "its context to be disposed of", func() bool {
				got := fb.received("Target.disposeBrowserContext")
				return len(got) == 1 && strings.Contains(got[0], actx)
			})
			// The connection ends once what was queued is thrown away.
			_ = a.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := io.Copy(io.Discard, a.conn); err != nil {
				t.Errorf("the dropped client's connection did not end: %v", err)
			}
			b.mustCall(bsession, "Runtime.evaluate", map[string]string{"expression": "1"})
		})
	}
	t.Run("oversized reply", func(t *testing.T) {
		r, _, sock := newFakeRelay(t, limits)
		c := dialRelay(t, sock)
		_, _, session := c.open()
		m, err := c.call(session, "Test.big", map[string]int{"Size": 100 << 10})
		if err != nil || !strings.Contains(string(m.Error), "over") {
			t.Fatalf("Test.big = %v %s, want the relay's error for a reply too large", err, m.Error)
		}
		c.mustCall(session, "Test.big", map[string]int{"Size": 10})
		if st, _, _, _ := r.snapshot(); st.DroppedClients != 0 {
			t.Errorf("relay dropped %d clients, want none", st.DroppedClients)
		}
	})
	t.Run("too many clients", func(t *testing.T) {
		_, _, sock := newFakeRelay(t, limits)
		var cs []*rawClient
		for range limits.clients {
			c := dialRelay(t, sock)
			c.mustCall("", "Browser.getVersion", nil)
			cs = append(cs, c)
		}
		extra := dialRelay(t, sock)
		if _, err := extra.call("", "Browser.getVersion", nil); err == nil {
			t.Errorf("client %d was served, want it turned away", limits.clients+1)
		}
		cs[0].conn.Close()
		waitFor(t, "a place to free up", func() bool {
			c, err := net.DialTimeout("unix", sock, time.Second)
			if err != nil {
				return false
			}
			defer c.Close()
			rc := &rawClient{t: t, conn: c, r: newFrameReader(c, 1<<20)}
			_, err = rc.call("", "Browser.getVersion", nil)
			return err == nil
		})
	})
}

// TestRelayPeerCredentials: a peer running as another user is
// disconnected before it is served (here the relay is told to expect
// another uid, so this process is the stranger).
func TestRelayPeerCredentials(t *testing.T) {
	r, _, sock := newFakeRelay(t, defaultRelayLimits)
	setUID := func(uid int) {
		r.mu.Lock()
		r.uid = uid
		r.mu.Unlock()
	}
	setUID(os.Geteuid() + 1)
	c := dialRelay(t, sock)
	if m, err := c.call("", "Browser.getVersion", nil); err == nil {
		t.Fatalf("a peer of uid %d was answered (%s), want it disconnected", os.Geteuid(), m.Result)
	}
	if st, _, _, _ := r.snapshot(); st.RefusedPeers != 1 {
		t.Errorf("relay refused %d peers, want 1", st.RefusedPeers)
	}
	setUID(os.Geteuid())
	dialRelay(t, sock).mustCall("", "Browser.getVersion", nil)
}

// TestRelaySocketMode: the socket is 0600 in a 0700 folder, and the relay
// will not listen in a folder others can enter.
func TestRelaySocketMode(t *testing.T) {
	_, _, sock := newFakeRelay(t, defaultRelayLimits)
	fi, err := os.Stat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %v, want a socket with 0600", fi.Mode())
	}
	di, err := os.Stat(filepath.Dir(sock))
	if err != nil {
		t.Fatal(err)
	}
	if di.Mode().Perm() != 0o700 {
		t.Errorf("socket folder mode %v, want 0700", di.Mode())
	}

	open, err := os.MkdirTemp("/tmp", "mfo")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(open)
	if err := os.Chmod(open, 0o755); err != nil {
		t.Fatal(err)
	}
	up, down := net.Pipe()
	defer down.Close()
	r := newRelay(up, up, os.Geteuid())
	defer r.Close()
	go io.Copy(io.Discard, down)
	err = r.listen(filepath.Join(open, "cdp"))
	if err == nil || !strings.Contains(err.Error(), "0700") {
		t.Errorf("listen in a 0755 folder = %v, want a refusal naming 0700", err)
	}
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// BenchmarkRelayRoundTrip measures one command and its reply through the
// relay's socket, the relay and the fake browser's pipe, and an event
// routed to the session's owner on the way.
func BenchmarkRelayRoundTrip(b *testing.B) {
	_, _, sock := newFakeRelay(b, defaultRelayLimits)
	c := dialRelay(b, sock)
	_, _, session := c.open()
	b.ResetTimer()
	for range b.N {
		if _, err := c.call(session, "Test.flood", map[string]int{"N": 1, "Size": 200}); err != nil {
			b.Fatal(err)
		}
		c.events = c.events[:0]
	}
}
