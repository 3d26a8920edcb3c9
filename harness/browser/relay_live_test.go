package browser

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// wireLog is a chromedp Transport that keeps a copy of every message the
// client receives.
type wireLog struct {
	chromedp.Transport
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *wireLog) Read(ctx context.Context, msg *cdproto.Message) error {
	err := w.Transport.Read(ctx, msg)
	if err == nil {
		w.mu.Lock()
		fmt.Fprintf(&w.buf, "%d %s %s %s %s\n", msg.ID, msg.SessionID, msg.Method, msg.Params, msg.Result)
		w.mu.Unlock()
	}
	return err
}

func (w *wireLog) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// launchShared starts a shared browser for a test and returns it with its
// socket.
func launchShared(t *testing.T, ctx context.Context) (*Browser, string) {
	t.Helper()
	if _, err := FindChromium(); err != nil {
		t.Fatalf("this test needs a real Chromium: %v (make test installs it)", err)
	}
	dir, err := os.MkdirTemp("/tmp", "mfr")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "cdp")
	b, err := Launch(ctx, Options{Dir: filepath.Join(dir, "c"), ShareSocket: sock, StartTimeout: 30 * time.Second})
	if err != nil {
		t.Fatalf("Launch() = %v", err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
	})
	return b, sock
}

// ids are the names a session is known by on the wire.
type ids struct{ context, target, session string }

func sessionIDs(s *Session) ids {
	c := chromedp.FromContext(s.ctx)
	return ids{string(c.BrowserContextID), string(c.Target.TargetID), string(c.Target.SessionID)}
}

// TestRelayClientsIsolated: two processes' worth of clients share one
// Chromium through the relay; each makes a browser context and navigates
// at the same time. Neither receives a single message naming the other's
// context, target, session or page, neither lists the other's target, and
// neither may close the other's target or dispose of its context.
func TestRelayClientsIsolated(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	_, sock := launchShared(t, ctx)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Set-Cookie", "visit="+strings.Trim(r.URL.Path, "/"))
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<!doctype html><title>"+r.URL.Path+"</title>")
	}))
	defer srv.Close()

	type client struct {
		name string
		log  *wireLog
		b    *Browser
		s    *Session
		ids  ids
		x    Exchange
	}
	clients := []*client{{name: "alpha"}, {name: "bravo"}}
	for _, c := range clients {
		c.log = &wireLog{}
		b, err := connect(ctx, &sharedAllocator{socket: sock, wrap: func(tr chromedp.Transport) chromedp.Transport {
			c.log.Transport = tr
			return c.log
		}})
		if err != nil {
			t.Fatalf("%s: Connect() = %v", c.name, err)
		}
		c.b = b
		defer b.Close()
	}
	var wg sync.WaitGroup
	errs := make([]error, len(clients))
	for i, c := range clients {
		wg.Go(func() {
			s, err := c.b.NewSession(ctx, SessionOptions{})
			if err != nil {
				errs[i] = err
				return
			}
			c.s, c.ids = s, sessionIDs(s)
			c.x, errs[i] = s.Navigate(ctx, srv.URL+"/"+c.name)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("%s: %v", clients[i].name, err)
		}
	}
	for i, me := range clients {
		other := clients[1-i]
		defer me.s.Close()
		if me.x.Status != http.StatusOK || len(me.x.SetCookies) != 1 || !me.x.SetCookies[0].Stored {
			t.Errorf("%s: navigation = status %d, set-cookies %+v, want 200 and its cookie stored", me.name, me.x.Status, me.x.SetCookies)
		}
		wire := me.log.String()
		if !strings.Contains(wire, "/"+me.name) || !strings.Contains(wire, me.ids.session) {
			t.Fatalf("%s: its own traffic is missing from its wire log; the log proves nothing", me.name)
		}
		for what, id := range map[string]string{"browser context": other.ids.context, "target": other.ids.target, "session": other.ids.session, "page": "/" + other.name} {
			if strings.Contains(wire, id) {
				t.Errorf("%s received a message naming %s's %s %s", me.name, other.name, what, id)
			}
		}
		infos, err := chromedp.Targets(me.s.ctx)
		if err != nil {
			t.Fatalf("%s: Targets() = %v", me.name, err)
		}
		if slices.ContainsFunc(infos, func(i *target.Info) bool { return string(i.TargetID) == other.ids.target }) {
			t.Errorf("%s lists %s's target", me.name, other.name)
		}
		cctx, cancel := context.WithTimeout(me.s.ctx, 5*time.Second)
		_, errClose := chromedp.CallBrowser(cctx, target.CloseTarget, target.CloseTargetParams{TargetID: target.ID(other.ids.target)})
		_, errDispose := chromedp.CallBrowser(cctx, target.DisposeBrowserContext, target.DisposeBrowserContextParams{BrowserContextID: cdp.BrowserContextID(other.ids.context)})
		cancel()
		for what, err := range map[string]error{"close": errClose, "dispose of": errDispose} {
			if err == nil || !strings.Contains(err.Error(), "mfconform relay") {
				t.Errorf("%s may %s %s's target or context: %v", me.name, what, other.name, err)
			}
		}
	}
	// Both still work after the refusals.
	for _, c := range clients {
		if v, err := Evaluate[string](ctx, c.s, "document.title"); err != nil || v != "/"+c.name {
			t.Errorf("%s: document.title = %q, %v", c.name, v, err)
		}
	}
}

// TestRelayDisposesAfterACrash: a client whose connection drops without a
// word (its process crashed) leaves no browser context, tab or session
// behind; the launcher, which sees everything, checks with Chromium.
func TestRelayDisposesAfterACrash(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	owner, sock := launchShared(t, ctx)
	var conn chromedp.Transport
	client, err := connect(ctx, &sharedAllocator{socket: sock, wrap: func(tr chromedp.Transport) chromedp.Transport {
		conn = tr
		return tr
	}})
	if err != nil {
		t.Fatalf("Connect() = %v", err)
	}
	defer client.Close()
	var made []ids
	for range 2 {
		s, err := client.NewSession(ctx, SessionOptions{})
		if err != nil {
			t.Fatalf("NewSession() = %v", err)
		}
		made = append(made, sessionIDs(s))
	}
	contexts := func() ([]cdp.BrowserContextID, []*target.Info) {
		cctx, cancel := context.WithTimeout(owner.browserCtx, 5*time.Second)
		defer cancel()
		bc, err1 := chromedp.CallBrowser(cctx, target.GetBrowserContexts, cdp.Empty{})
		ts, err2 := chromedp.CallBrowser(cctx, target.GetTargets, target.GetTargetsParams{})
		if err1 != nil || err2 != nil {
			t.Fatalf("ask Chromium: %v, %v", err1, err2)
		}
		return bc.BrowserContextIDs, ts.TargetInfos
	}
	bc, _ := contexts()
	for _, m := range made {
		if !slices.Contains(bc, cdp.BrowserContextID(m.context)) {
			t.Fatalf("Chromium does not list the client's context %s; the check below proves nothing", m.context)
		}
	}
	conn.Close() // no detach, no dispose: the process is gone
	deadline := time.Now().Add(5 * time.Second)
	for {
		bc, ts := contexts()
		left := slices.ContainsFunc(made, func(m ids) bool {
			return slices.Contains(bc, cdp.BrowserContextID(m.context)) ||
				slices.ContainsFunc(ts, func(i *target.Info) bool { return string(i.TargetID) == m.target })
		})
		if !left {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("5 s after the client went, Chromium still has contexts %v and targets %d", bc, len(ts))
		}
		time.Sleep(20 * time.Millisecond)
	}
	_, sessions, ctxs, _ := owner.pipe.relay.snapshot()
	if ctxs != 0 || sessions != 1 {
		t.Errorf("relay tracks %d sessions and %d contexts, want the launcher's 1 session and none", sessions, ctxs)
	}
}
