package hostile

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/harness/pki"
)

const (
	loginHost = "login.hostile.test"
	appHost   = "app.hostile.test"
)

// start serves mode and returns a client that reaches both hosts on it.
func start(t *testing.T, mode Mode) (*Server, *http.Client) {
	t.Helper()
	ca, err := pki.New([]string{loginHost, appHost})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Start(mode, ca, Options{LoginHost: loginHost, AppHost: appHost})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	addr := strings.TrimPrefix(s.AppURL, "https://"+appHost)
	tr := &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: ca.Pool},
		DisableKeepAlives: true,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, "127.0.0.1"+addr)
		},
	}
	t.Cleanup(tr.CloseIdleConnections)
	return s, &http.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// TestModes: each mode answers as it says, on the login and the app host.
func TestModes(t *testing.T) {
	tests := []struct {
		mode  Mode
		path  string // on the app host unless it is /login
		check func(t *testing.T, resp *http.Response)
	}{
		{Markup, "/api/me", func(t *testing.T, resp *http.Response) {
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(string(b), "<script>") {
				t.Errorf("probe without a token = %d %q, want 500 with markup", resp.StatusCode, b)
			}
		}},
		{RedirectLoop, "/loop/7", func(t *testing.T, resp *http.Response) {
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != "/loop/8" {
				t.Errorf("answer = %d to %q, want 302 to /loop/8", resp.StatusCode, loc)
			}
		}},
		{LargeJWT, "/login", func(t *testing.T, resp *http.Response) {
			v := resp.Header.Get("Set-Cookie")
			if n := len(v); n < LargeJWTPayload || n > 256<<10 || strings.Count(v, ".") < 2 {
				t.Errorf("Set-Cookie is %d bytes, want a JWT between %d and %d", n, LargeJWTPayload, 256<<10)
			}
		}},
		{ServiceWorker, "/", func(t *testing.T, resp *http.Response) {
			b, _ := io.ReadAll(resp.Body)
			if !strings.Contains(string(b), `navigator.serviceWorker.register("`+ServiceWorkerPath+`"`) {
				t.Errorf("app page = %q, want it to register the worker", b)
			}
		}},
		{ServiceWorker, ServiceWorkerPath, func(t *testing.T, resp *http.Response) {
			b, _ := io.ReadAll(resp.Body)
			if ct := resp.Header.Get("Content-Type"); ct != "text/javascript" || !strings.Contains(string(b), "respondWith") {
				t.Errorf("worker script = %s %q, want JavaScript that answers every fetch", ct, b)
			}
		}},
		{HugeBody, "/", func(t *testing.T, resp *http.Response) {
			if resp.ContentLength != HugeBodySize {
				t.Errorf("Content-Length = %d, want %d", resp.ContentLength, HugeBodySize)
			}
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			n, err := io.CopyN(io.Discard, resp.Body, 64<<20)
			if err != nil || n != 64<<20 {
				t.Errorf("read %d bytes: %v", n, err)
			}
			// Generated as it is written: serving 64 MiB holds no 64 MiB.
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			if grew := int64(after.HeapInuse) - int64(before.HeapInuse); grew > 16<<20 {
				t.Errorf("heap grew by %d bytes while 64 MiB were served", grew)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.mode), func(t *testing.T) {
			s, c := start(t, tt.mode)
			url := s.AppURL + tt.path
			if tt.path == "/login" {
				url = s.LoginURL
			}
			resp, err := c.Get(url)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			tt.check(t, resp)
		})
	}
}

// TestRawHeads reads answers Go's client refuses, as bytes: control
// characters in headers, a 10 MB Set-Cookie.
func TestRawHeads(t *testing.T) {
	tests := []struct {
		mode Mode
		host string
		want func(head string) bool
		what string
	}{
		{Control, loginHost, func(h string) bool {
			return strings.Contains(h, "X-Hostile: \x1b[2J") && strings.Count(h, "Set-Cookie: ") == 2
		}, "escape sequences in X-Hostile and two cookies"},
		{Markup, loginHost, func(h string) bool { return strings.Contains(h, "Server: <script>") }, "markup in Server"},
		{HugeSetCookie, appHost, func(h string) bool {
			return len(h) > HugeHeaderSize && strings.Contains(h, "Set-Cookie: mf_jwt_token=AAAA")
		}, "a 10 MB Set-Cookie"},
	}
	for _, tt := range tests {
		t.Run(string(tt.mode), func(t *testing.T) {
			s, c := start(t, tt.mode)
			if head := rawHead(t, c, tt.host, "/login"); !tt.want(head) {
				t.Errorf("%s answers with a %d-byte head %.200q, want %s", s.Mode, len(head), head, tt.what)
			}
		})
	}
}

// rawHead sends GET path to host over TLS and returns the answer's head,
// status line and headers, as sent.
func rawHead(t *testing.T, c *http.Client, host, path string) string {
	t.Helper()
	tc := dialTLS(t, c, host)
	if _, err := io.WriteString(tc, "GET "+path+" HTTP/1.1\r\nHost: "+host+"\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	var head strings.Builder
	r := bufio.NewReaderSize(io.LimitReader(tc, HugeHeaderSize+1<<20), 64<<10)
	for !strings.HasSuffix(head.String(), "\r\n\r\n") {
		b, err := r.ReadByte()
		if err != nil {
			t.Fatalf("head %.100q: %v", head.String(), err)
		}
		head.WriteByte(b)
	}
	return head.String()
}

// dialTLS connects to the server as host.
func dialTLS(t *testing.T, c *http.Client, host string) *tls.Conn {
	t.Helper()
	tr := c.Transport.(*http.Transport)
	conn, err := tr.DialContext(context.Background(), "tcp", "")
	if err != nil {
		t.Fatal(err)
	}
	tc := tls.Client(conn, &tls.Config{ServerName: host, RootCAs: tr.TLSClientConfig.RootCAs})
	t.Cleanup(func() { _ = tc.Close() })
	return tc
}

// TestDripDrips: the answer, status line included, comes one byte per
// DripInterval, and Close ends it.
func TestDripDrips(t *testing.T) {
	s, c := start(t, Drip)
	tc := dialTLS(t, c, appHost)
	if _, err := io.WriteString(tc, "GET / HTTP/1.1\r\nHost: "+appHost+"\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	buf := make([]byte, 4)
	if _, err := io.ReadFull(tc, buf); err != nil {
		t.Fatal(err)
	}
	// The hostile side's pace, not mfconform's speed: four bytes take at
	// least three intervals.
	if took := time.Since(start); took < 3*DripInterval || string(buf) != "HTTP" {
		t.Errorf("read %q in %s, want \"HTTP\" dripped over at least %s", buf, took, 3*DripInterval)
	}
	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return while a drip was running")
	}
	_ = tc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.Copy(io.Discard, tc); err != nil && !strings.Contains(err.Error(), "reset") {
		t.Logf("after Close: %v", err)
	}
}

// TestRedirectOut: the project answers its health check, settings and
// JWKS itself and sends everything else to the same path on the canary,
// another origin, with a 307; the canary records what reaches it.
func TestRedirectOut(t *testing.T) {
	const project, canaryHost = "abcdefghijklmnopqrst.hostile.test", "canary.hostile.test"
	ca, err := pki.New([]string{loginHost, appHost, project, canaryHost})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Start(RedirectOut, ca, Options{LoginHost: loginHost, AppHost: appHost, SupabaseHost: project, CanaryHost: canaryHost})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if s.CanaryURL == "" || strings.TrimPrefix(s.CanaryURL, "https://"+canaryHost) == strings.TrimPrefix(s.SupabaseURL, "https://"+project) {
		t.Fatalf("CanaryURL = %q, want another port than the project's %q", s.CanaryURL, s.SupabaseURL)
	}
	c := &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool}, DisableKeepAlives: true,
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				_, port, _ := net.SplitHostPort(addr)
				return (&net.Dialer{}).DialContext(ctx, network, "127.0.0.1:"+port)
			}}}
	for path, want := range map[string]int{"/auth/v1/health": 200, "/auth/v1/settings": 200, "/auth/v1/.well-known/jwks.json": 200, "/auth/v1/user": 307} {
		resp, err := c.Get(s.SupabaseURL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, resp.StatusCode, want)
		}
	}
	resp, err := c.Post(s.SupabaseURL+"/auth/v1/token?grant_type=password", "application/json", strings.NewReader(`{"password":"p"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusTemporaryRedirect || loc != s.CanaryURL+"/auth/v1/token?grant_type=password" {
		t.Fatalf("POST token = %d to %q, want 307 to the canary", resp.StatusCode, loc)
	}
	req, _ := http.NewRequest(http.MethodPost, loc, strings.NewReader(`{"password":"p"}`))
	req.Header.Set("apikey", "k")
	if resp, err = c.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got := s.CanaryRequests()
	if len(got) != 1 || got[0].Method != "POST" || got[0].Header.Get("apikey") != "k" || string(got[0].Body) != `{"password":"p"}` {
		t.Errorf("CanaryRequests() = %+v, want the one POST with its key and body", got)
	}
}

func TestStartRejectsUnknownMode(t *testing.T) {
	ca, err := pki.New([]string{loginHost})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Start("nope", ca, Options{LoginHost: loginHost, AppHost: appHost}); err == nil {
		t.Error("Start(nope) = nil error, want one")
	}
}
