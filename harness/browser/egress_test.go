package browser_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/harness/egress"
	"github.com/mfconform/mfconform/harness/hostmap"
)

// TestSessionsGoOnlyThroughTheGuard: a session's page asks for another
// loopback address in every way a page can — preconnect, image, fetch,
// WebSocket, a WebRTC STUN request over UDP — and nothing arrives there:
// its browser context connects only through its lane of the egress guard,
// which refuses the address and records it under the session's tag, and
// WebRTC sends no UDP that bypasses the proxy. A navigation there fails
// with mfconform's refusal and how to allow the address, and the failed
// request's exchange says the same.
func TestSessionsGoOnlyThroughTheGuard(t *testing.T) {
	if _, err := browser.FindChromium(); err != nil {
		t.Fatalf("this test needs a real Chromium: %v (make test installs it)", err)
	}
	var tcpConns, udpPackets atomic.Int64
	canary, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = canary.Close() })
	cport := canary.Addr().(*net.TCPAddr).Port
	go func() {
		for {
			c, err := canary.Accept()
			if err != nil {
				return
			}
			tcpConns.Add(1)
			_ = c.Close()
		}
	}()
	stun, err := net.ListenPacket("udp", "127.0.0.2:"+strconv.Itoa(cport))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stun.Close() })
	go func() {
		b := make([]byte, 1500)
		for {
			if _, _, err := stun.ReadFrom(b); err != nil {
				return
			}
			udpPackets.Add(1)
		}
	}()
	elsewhere := "http://127.0.0.2:" + strconv.Itoa(cport)
	page := fmt.Sprintf(`<!doctype html><title>egress</title>
<link rel="preconnect" href="%[1]s"><img src="%[1]s/img" alt="">
<script>
fetch("%[1]s/fetch", {mode: "no-cors"}).catch(() => {});
try { new WebSocket("ws://127.0.0.2:%[2]d/ws"); } catch (e) {}
try {
  const pc = new RTCPeerConnection({iceServers: [{urls: "stun:127.0.0.2:%[2]d"}]});
  pc.createDataChannel("x");
  pc.createOffer().then(o => pc.setLocalDescription(o));
} catch (e) {}
</script><p>page</p>`, elsewhere, cport)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(page))
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	pageURL := "http://page.egress.test:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port) + "/"

	var hm hostmap.Map
	if err := hm.Add("page.egress.test", "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	guard, err := egress.Start(egress.Options{Map: &hm, Policy: egress.Policy{Endpoints: []string{egress.Endpoint(pageURL)}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = guard.Close() })
	dir, err := os.MkdirTemp("/tmp", "mfe")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	b, err := browser.Launch(ctx, browser.Options{Dir: dir, ResolverRules: hm.ChromiumRules(), Egress: guard})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	s, err := b.NewSession(egress.WithTag(ctx, "egress_bundle"), browser.SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Navigate(ctx, pageURL); err != nil {
		t.Fatalf("the deployment's own page: %v", err)
	}
	// The page's requests are refused as it asks: wait (bounded) until the
	// guard has refused them, so the canaries had every chance.
	want := "127.0.0.2:" + strconv.Itoa(cport)
	var rs []egress.Refusal
	for rs = nil; ctx.Err() == nil; time.Sleep(50 * time.Millisecond) {
		if rs, _ = guard.Refused(); len(rs) > 0 && rs[0].Count >= 2 {
			break
		}
	}
	if len(rs) == 0 || net.JoinHostPort(rs[0].Host, strconv.Itoa(rs[0].Port)) != want || rs[0].Tag != "egress_bundle" {
		t.Fatalf("Refused() = %+v, want %s refused during egress_bundle", rs, want)
	}
	_, err = s.Navigate(ctx, elsewhere+"/")
	if err == nil || !strings.Contains(err.Error(), "refused by mfconform: "+want+" is an address, not one of the deployment's URLs") ||
		!strings.Contains(err.Error(), "--allow-host "+want) {
		t.Errorf("Navigate(%s) error = %v, want mfconform's refusal and how to allow it", elsewhere, err)
	}
	failed := false
	for _, x := range s.Exchanges() {
		if strings.HasPrefix(x.URL, elsewhere) && strings.Contains(x.Failed, "refused by mfconform") {
			failed = true
		}
	}
	if !failed {
		t.Errorf("no exchange to %s failed with mfconform's refusal: %+v", elsewhere, s.Exchanges())
	}
	if n, u := tcpConns.Load(), udpPackets.Load(); n != 0 || u != 0 {
		t.Errorf("the canary received %d connections and %d UDP packets: the browser went around the guard", n, u)
	}
}
