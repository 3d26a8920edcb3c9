package browser

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/mfconform/mfconform/harness/pki"
)

// rawCDP is a bare DevTools client on a Chromium started with
// --remote-debugging-pipe, for probing what arrives on which session.
type rawCDP struct {
	w       io.Writer
	wmu     sync.Mutex
	mu      sync.Mutex
	next    int64
	pending map[int64]chan frame
	log     []loggedEvent
	onEvent func(frame)
}

type loggedEvent struct {
	at      time.Time
	session string
	method  string
	params  json.RawMessage
}

func (c *rawCDP) call(ctx context.Context, session, method string, params any) (json.RawMessage, error) {
	c.mu.Lock()
	c.next++
	id := c.next
	ch := make(chan frame, 1)
	c.pending[id] = ch
	c.mu.Unlock()
	p, _ := json.Marshal(params)
	if params == nil {
		p = nil
	}
	b, _ := (&frame{ID: id, SessionID: session, Method: method, Params: p}).encode()
	c.wmu.Lock()
	_, err := c.w.Write(b)
	c.wmu.Unlock()
	if err != nil {
		return nil, err
	}
	select {
	case f := <-ch:
		if len(f.Error) > 0 {
			return nil, fmt.Errorf("%s: %s", method, f.Error)
		}
		return f.Result, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

func (c *rawCDP) read(r io.Reader) {
	fr := newFrameReader(r, 256<<20)
	for {
		b, err := fr.next()
		if err != nil {
			return
		}
		var f frame
		if json.Unmarshal(b, &f) != nil {
			continue
		}
		if f.ID != 0 {
			c.mu.Lock()
			ch := c.pending[f.ID]
			delete(c.pending, f.ID)
			c.mu.Unlock()
			if ch != nil {
				ch <- f
			}
			continue
		}
		c.mu.Lock()
		c.log = append(c.log, loggedEvent{time.Now(), f.SessionID, f.Method, f.Params})
		on := c.onEvent
		c.mu.Unlock()
		if on != nil {
			on(f)
		}
	}
}

// TestSiteIsolationProbe measures, for a cross-site iframe loaded again and
// again (MFCONFORM_PROBE_ROUNDS, 30), on which DevTools session Chromium
// reports the iframe document's request cookie verdicts
// (Network.requestWillBeSentExtraInfo) and response, and the verdicts of a
// fetch made inside the iframe — with site isolation off, as Launch runs
// Chromium, and on, under each way a client can set its sessions up:
// chromedp's auto-attach, iframes attached paused (with or without Network
// on their session), no auto-attach, chromedp's page set-up with and
// without target discovery on the page, and discovery on the browser (as
// chromedp's first context and the relay do). It speaks raw CDP over the
// pipe so that it can command the iframe's session, which chromedp cannot.
// Opt-in (MFCONFORM_PROBE_SITE_ISOLATION=1): it reports and does not
// judge; Launch's comment on site isolation summarises what it found.
func TestSiteIsolationProbe(t *testing.T) {
	if os.Getenv("MFCONFORM_PROBE_SITE_ISOLATION") != "1" {
		t.Skip("set MFCONFORM_PROBE_SITE_ISOLATION=1 to probe Chromium's site isolation")
	}
	exe, err := FindChromium()
	if err != nil {
		t.Fatal(err)
	}
	ca, err := pki.New([]string{"*.acme.test", "*.other.test"})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	mux := http.NewServeMux()
	mux.HandleFunc("login.acme.test/set", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Set-Cookie", "a=1; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None")
		io.WriteString(w, "<!doctype html>set")
	})
	mux.HandleFunc("embed.other.test/embed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<!doctype html><iframe src="https://app.acme.test:%d/frame?%s"></iframe>`, port, r.URL.RawQuery)
	})
	mux.HandleFunc("app.acme.test/frame", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<!doctype html>frame<script>fetch("/api?%s",{credentials:"include"})</script>`, r.URL.RawQuery)
	})
	mux.HandleFunc("app.acme.test/api", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "{}")
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(tls.NewListener(ln, ca.ServerTLS()))
	defer srv.Close()

	const off, on = "Translate,BlinkGenPropertyTrees,IsolateOrigins,site-per-process", "Translate,BlinkGenPropertyTrees"
	configs := []struct {
		name            string
		disable         string
		trials          bool
		autoAttach      bool
		autoWait        bool // pause auto-attached targets, resume them
		childNet        bool // and enable Network on them first
		chromedp        bool // the page session set up as chromedp does, then auto-attach turned off
		discover        bool // with chromedp: Target.setDiscoverTargets on the page session too
		browserDiscover bool // Target.setDiscoverTargets on the browser (chromedp's first context, the relay)
	}{
		{"isolation off (Launch today)", off, true, true, false, false, false, false, false},
		{"isolation on, chromedp's auto-attach", on, false, true, false, false, false, false, false},
		{"isolation on, iframe attached paused + Network.enable", on, false, true, true, true, false, false, false},
		{"isolation on, iframe attached paused, resumed at once", on, false, true, true, false, false, false, false},
		{"isolation on, no auto-attach", on, false, false, false, false, false, false, false},
		{"isolation on, chromedp's session set-up, then auto-attach off", on, false, false, false, false, true, true, false},
		{"isolation on, chromedp's session set-up without discovery, then auto-attach off", on, false, false, false, false, true, false, false},
		{"isolation on, no auto-attach, discovery on the browser", on, false, false, false, false, false, false, true},
		{"isolation on, discovery on the browser, iframe attached paused + Network.enable", on, false, true, true, true, false, false, true},
	}
	for _, cfg := range configs {
		t.Run(cfg.name, func(t *testing.T) {
			dir, err := os.MkdirTemp("/tmp", "mfi")
			if err != nil {
				t.Fatal(err)
			}
			defer os.RemoveAll(dir)
			if err := errors.Join(os.MkdirAll(filepath.Join(dir, "Default"), 0o700),
				os.WriteFile(filepath.Join(dir, "Default", "Preferences"), []byte(`{"profile":{"cookie_controls_mode":0}}`), 0o600)); err != nil {
				t.Fatal(err)
			}
			args := []string{"--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
				"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
				"--disable-dev-shm-usage", "--disable-extensions", "--enable-features=NetworkService,NetworkServiceInProcess",
				"--disable-features=" + cfg.disable, "--user-data-dir=" + dir,
				"--host-resolver-rules=MAP *.acme.test 127.0.0.1, MAP *.other.test 127.0.0.1",
				"--ignore-certificate-errors-spki-list=" + ca.LeafSPKIHash, "--remote-debugging-pipe"}
			if cfg.trials {
				args = append(args, "--disable-site-isolation-trials")
			}
			if noSandbox() {
				args = append(args, "--no-sandbox")
			}
			cmd := exec.Command(exe, append(args, "about:blank")...)
			cmdR, cmdW, err1 := os.Pipe()
			respR, respW, err2 := os.Pipe()
			if err := errors.Join(err1, err2); err != nil {
				t.Fatal(err)
			}
			cmd.ExtraFiles = []*os.File{cmdR, respW}
			cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + dir, "TMPDIR=" + dir}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			cmdR.Close()
			respW.Close()
			defer func() {
				// Closing the pipe makes Chromium quit with its children.
				cmdW.Close()
				done := make(chan struct{})
				go func() { cmd.Wait(); close(done) }()
				select {
				case <-done:
				case <-time.After(5 * time.Second):
					cmd.Process.Kill()
					<-done
				}
			}()
			c := &rawCDP{w: cmdW, pending: map[int64]chan frame{}}
			go c.read(respR)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			must := func(session, method string, params any) json.RawMessage {
				t.Helper()
				cctx, ccancel := context.WithTimeout(ctx, 10*time.Second)
				defer ccancel()
				res, err := c.call(cctx, session, method, params)
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			var res struct {
				BrowserContextID string `json:"browserContextId"`
				TargetID         string `json:"targetId"`
				SessionID        string `json:"sessionId"`
			}
			if cfg.browserDiscover {
				must("", "Target.setDiscoverTargets", map[string]any{"discover": true})
			}
			json.Unmarshal(must("", "Target.createBrowserContext", map[string]any{}), &res)
			bc := res.BrowserContextID
			json.Unmarshal(must("", "Target.createTarget", map[string]any{"url": "about:blank", "browserContextId": bc, "newWindow": true}), &res)
			json.Unmarshal(must("", "Target.attachToTarget", map[string]any{"targetId": res.TargetID, "flatten": true}), &res)
			page := res.SessionID
			var childMu sync.Mutex
			children := map[string]bool{}
			c.mu.Lock()
			c.onEvent = func(f frame) {
				if f.Method != "Target.attachedToTarget" {
					return
				}
				var ev struct {
					SessionID  string `json:"sessionId"`
					TargetInfo struct {
						Type string `json:"type"`
					} `json:"targetInfo"`
					Waiting bool `json:"waitingForDebugger"`
				}
				json.Unmarshal(f.Params, &ev)
				childMu.Lock()
				children[ev.SessionID] = true
				childMu.Unlock()
				if cfg.autoWait {
					go func() {
						cctx, ccancel := context.WithTimeout(ctx, 10*time.Second)
						defer ccancel()
						if cfg.childNet {
							c.call(cctx, ev.SessionID, "Network.enable", map[string]any{})
							c.call(cctx, ev.SessionID, "Target.setAutoAttach", map[string]any{"autoAttach": true, "waitForDebuggerOnStart": true, "flatten": true})
						}
						c.call(cctx, ev.SessionID, "Runtime.runIfWaitingForDebugger", nil)
					}()
				}
			}
			c.mu.Unlock()
			if cfg.chromedp {
				must(page, "Runtime.enable", nil)
				must(page, "Runtime.evaluate", map[string]any{"expression": "self"})
				must(page, "Log.enable", nil)
				must(page, "Network.enable", map[string]any{})
				must(page, "Inspector.enable", nil)
				must(page, "Page.enable", nil)
				must(page, "DOM.enable", nil)
				must(page, "CSS.enable", nil)
				if cfg.discover {
					must(page, "Target.setDiscoverTargets", map[string]any{"discover": true})
				}
				must(page, "Target.setAutoAttach", map[string]any{"autoAttach": true, "waitForDebuggerOnStart": false, "flatten": true})
				must(page, "Page.setLifecycleEventsEnabled", map[string]any{"enabled": true})
			}
			must(page, "Network.enable", map[string]any{})
			must(page, "Page.enable", nil)
			must(page, "Target.setAutoAttach", map[string]any{"autoAttach": cfg.autoAttach, "waitForDebuggerOnStart": cfg.autoWait, "flatten": true})
			must(page, "Page.navigate", map[string]any{"url": fmt.Sprintf("https://login.acme.test:%d/set", port)})
			time.Sleep(500 * time.Millisecond)

			type where struct{ req, reqExtra, resp, fetchExtra string }
			tally := map[string]int{}
			rounds := 30
			if n, err := strconv.Atoi(os.Getenv("MFCONFORM_PROBE_ROUNDS")); err == nil && n > 0 {
				rounds = n
			}
			for i := range rounds {
				q := fmt.Sprintf("n=%d", i)
				frameURL := fmt.Sprintf("https://app.acme.test:%d/frame?%s", port, q)
				apiURL := fmt.Sprintf("https://app.acme.test:%d/api?%s", port, q)
				must(page, "Page.navigate", map[string]any{"url": fmt.Sprintf("https://embed.other.test:%d/embed?%s", port, q)})
				var w where
				deadline := time.Now().Add(5 * time.Second)
				for time.Now().Before(deadline) && (w.reqExtra == "" || (w.fetchExtra == "" && cfg.childNet) || w.resp == "") {
					time.Sleep(20 * time.Millisecond)
					c.mu.Lock()
					ids := map[string]string{} // requestId → url
					for _, e := range c.log {
						if e.method == "Network.requestWillBeSent" {
							var ev struct {
								RequestID string `json:"requestId"`
								Request   struct {
									URL string `json:"url"`
								} `json:"request"`
							}
							json.Unmarshal(e.params, &ev)
							ids[ev.RequestID] = ev.Request.URL
							if ev.Request.URL == frameURL {
								w.req = map[bool]string{true: "page", false: "iframe"}[e.session == page]
							}
						}
					}
					for _, e := range c.log {
						var ev struct {
							RequestID string `json:"requestId"`
							Cookies   []struct {
								Cookie struct {
									Name string `json:"name"`
								} `json:"cookie"`
								Blocked []string `json:"blockedReasons"`
							} `json:"associatedCookies"`
							Response struct {
								URL string `json:"url"`
							} `json:"response"`
						}
						json.Unmarshal(e.params, &ev)
						label := "page"
						if e.session != page {
							label = "iframe"
						}
						sent := false
						verdict := "no cookie a"
						for _, ck := range ev.Cookies {
							sent = sent || ck.Cookie.Name == "a" && len(ck.Blocked) == 0
							if ck.Cookie.Name == "a" {
								verdict = fmt.Sprint(ck.Blocked)
							}
						}
						if e.method == "Network.requestWillBeSentExtraInfo" && !sent && ids[ev.RequestID] == frameURL {
							w.reqExtra = label + " without a sent cookie: " + verdict
						}
						switch {
						case e.method == "Network.requestWillBeSentExtraInfo" && sent && ids[ev.RequestID] == frameURL:
							w.reqExtra = label
						case e.method == "Network.requestWillBeSentExtraInfo" && sent && ids[ev.RequestID] == apiURL:
							w.fetchExtra = label
						case e.method == "Network.responseReceived" && ev.Response.URL == frameURL:
							w.resp = label
						}
					}
					c.mu.Unlock()
				}
				tally[fmt.Sprintf("document request on %-6s verdict on %-6s response on %-6s | in-frame fetch verdict on %-6s",
					orNone(w.req), orNone(w.reqExtra), orNone(w.resp), orNone(w.fetchExtra))]++
				c.mu.Lock()
				c.log = c.log[:0]
				c.mu.Unlock()
			}
			for k, n := range tally {
				t.Logf("%2d/%d  %s", n, rounds, k)
			}
			childMu.Lock()
			t.Logf("iframe sessions attached: %d", len(children))
			childMu.Unlock()
		})
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
