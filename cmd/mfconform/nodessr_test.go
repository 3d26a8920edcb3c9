package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mfconform/mfconform/harness/pki"
	"github.com/mfconform/mfconform/harness/ssrserver"
	"github.com/mfconform/mfconform/harness/supabaseref"
)

// nodeSSRServer is testdata/ssr-server.js: an app's own server side on the
// real @supabase/ssr createServerClient under Node, reached at
// http://127.0.0.1:<port>/whoami.
const nodeSSRServer = "testdata/ssr-server.js"

// nodeSSRPackages is the module root's node_modules, which `make deps`
// (npm ci) fills from package-lock.json.
func nodeSSRPackages(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "node_modules")
}

// cappedBuffer keeps the first limit bytes written to it (a child's
// stderr), safe for the goroutine exec copies with.
type cappedBuffer struct {
	mu    sync.Mutex
	b     []byte
	limit int
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if room := c.limit - len(c.b); room > 0 {
		c.b = append(c.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (c *cappedBuffer) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.b)
}

// startNodeSSR runs testdata/ssr-server.js under Node, its createServerClient
// built with projectURL and key, until the test ends; TLS to the project is
// trusted with caFile (NODE_EXTRA_CA_CERTS) and every .test name resolves
// to 127.0.0.1 inside Node. It returns the server's /whoami URL. A missing
// node or @supabase/ssr fails the test, as a missing Python fails
// flask_test.go's: `make deps` (npm ci) installs @supabase/ssr and says
// how to install Node.js when npm is missing.
func startNodeSSR(t *testing.T, projectURL, key, caFile string) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node not found: %v (install Node.js 20 or later and npm — Debian: sudo apt-get install -y nodejs npm — then run make deps, whose npm ci installs @supabase/ssr)", err)
	}
	modules := nodeSSRPackages(t)
	if _, err := os.Stat(filepath.Join(modules, "@supabase", "ssr", "package.json")); err != nil {
		t.Fatalf("@supabase/ssr is not in %s: %v (run make deps: npm ci installs it)", modules, err)
	}
	script, err := filepath.Abs(nodeSSRServer)
	if err != nil {
		t.Fatal(err)
	}
	// supabase-js 2.119's createClient builds its realtime client, which
	// throws under Node 20 without a WebSocket ("Node.js detected but
	// native WebSocket not found"); Node 20 has one behind
	// --experimental-websocket (global in Node 22). The server never opens
	// a realtime connection.
	cmd := exec.Command(node, "--experimental-websocket", script)
	// A clean environment: no NODE_OPTIONS or proxy of the caller's.
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"NODE_EXTRA_CA_CERTS=" + caFile, "NODE_NO_WARNINGS=1",
		"MF_NODE_MODULES=" + modules, "MF_PROJECT_URL=" + projectURL, "MF_PROJECT_KEY=" + key, "MF_TEST_HOSTS_TO=127.0.0.1",
	}
	cmd.SysProcAttr = childOfTest()
	stderr := &cappedBuffer{limit: 16 << 10}
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", node, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	})
	port := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(io.LimitReader(out, 64<<10))
		if sc.Scan() {
			port <- strings.TrimSpace(sc.Text())
		}
		_, _ = io.Copy(io.Discard, out) // later lines are not read, nor kept
	}()
	select {
	case p := <-port:
		return "http://127.0.0.1:" + p + "/whoami"
	case <-exited:
		t.Fatalf("%s exited before it listened:\n%s", nodeSSRServer, stderr)
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not print its port in 30s:\n%s", nodeSSRServer, stderr)
	}
	return ""
}

// nodeAnswer is ssr-server.js's answer: the user getUser() named, or why
// there is none.
type nodeAnswer struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// askNodeSSR sends cookieHeader (the app's request's Cookie header, as
// is) to the Node server side at whoami and returns its answer.
func askNodeSSR(ctx context.Context, client *http.Client, whoami, cookieHeader string) (nodeAnswer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, whoami, nil)
	if err != nil {
		return nodeAnswer{}, err
	}
	if cookieHeader != "" {
		req.Header.Set("Cookie", cookieHeader)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nodeAnswer{}, err
	}
	defer resp.Body.Close()
	var a nodeAnswer
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&a); err != nil {
		return nodeAnswer{}, fmt.Errorf("status %d, body not JSON: %w", resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK || (a.ID == "") == (a.Reason == "") {
		return nodeAnswer{}, fmt.Errorf("status %d, answer %+v", resp.StatusCode, a)
	}
	return a, nil
}

// nodeUnanswered begins the reason nodeServerSide gives when the Node
// server side did not answer (it failed, rather than read no session).
const nodeUnanswered = "the Node server side did not answer: "

// nodeServerSide is serverSide on the real @supabase/ssr under Node
// (startNodeSSR) instead of the Go model: the app's server side forwards
// each request's Cookie header there. projectURL "" is the project's own.
func nodeServerSide(t *testing.T, dep *supabaseref.Deployment, caFile, projectURL string) func(*http.Request) (string, string) {
	t.Helper()
	if projectURL == "" {
		projectURL = dep.URL
	}
	whoami := startNodeSSR(t, projectURL, dep.Key, caFile)
	client := &http.Client{Timeout: 20 * time.Second}
	t.Cleanup(client.CloseIdleConnections)
	return func(r *http.Request) (string, string) {
		a, err := askNodeSSR(r.Context(), client, whoami, strings.Join(r.Header.Values("Cookie"), "; "))
		if err != nil {
			return "", nodeUnanswered + err.Error()
		}
		return a.ID, a.Reason
	}
}

// signIn signs the project's test user in with the password grant, as
// supabase-js's signInWithPassword does, and returns the session as the
// project answered it (the JSON auth-js stores under the storage key).
func signIn(t *testing.T, client *http.Client, dep *supabaseref.Deployment) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": dep.Email, "password": dep.Password})
	req, err := http.NewRequest(http.MethodPost, dep.ProjectURL+"/auth/v1/token?grant_type=password", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("apikey", dep.Key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	defer resp.Body.Close()
	var s map[string]any
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&s); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("sign in: status %d, %v", resp.StatusCode, err)
	}
	if _, ok := s["expires_at"]; !ok {
		t.Fatal("the project's session has no expires_at")
	}
	return s
}

// TestNodeSSRAgreesWithModel holds the Go model of an app's server side
// (harness/ssrserver, serverSide) to the real @supabase/ssr 0.12.7
// createServerClient under Node (nodeServerSide): each row is a Cookie
// header built from a fresh real session of the reference project, and
// want is what the real library answers (its source is cited per row);
// the model must answer the same. A fresh session is signed in for each
// reader, as a refresh spends the refresh token.
func TestNodeSSRAgreesWithModel(t *testing.T) {
	project := supabaseref.DefaultProfile()
	ca, err := pki.New([]string{project.Host()})
	if err != nil {
		t.Fatal(err)
	}
	dep, err := supabaseref.Start(project, ca)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dep.Close() })
	client := projectClient(t, ca)
	key, err := ssrserver.StorageKey(dep.URL)
	if err != nil {
		t.Fatal(err)
	}
	b64 := func(s map[string]any) string {
		j, _ := json.Marshal(s)
		return "base64-" + base64.RawURLEncoding.EncodeToString(j)
	}
	without := func(s map[string]any, field string) map[string]any {
		c := maps.Clone(s)
		delete(c, field)
		return c
	}
	with := func(s map[string]any, field string, v any) map[string]any {
		c := maps.Clone(s)
		c[field] = v
		return c
	}
	expired := float64(time.Now().Add(-time.Hour).Unix())
	tests := []struct {
		name string
		// header is the Cookie header for a session s.
		header   func(s map[string]any) string
		signedIn bool
	}{
		{name: "one base64- cookie", signedIn: true,
			header: func(s map[string]any) string { return key + "=" + b64(s) }},
		{name: "two chunks, .0 and .1 (chunker.js combineChunks)", signedIn: true,
			header: func(s map[string]any) string {
				v := b64(s)
				return key + ".1=" + v[len(v)/2:] + "; " + key + ".0=" + v[:len(v)/2]
			}},
		{name: "chunk .1 without .0: combineChunks stops at the first missing chunk",
			header: func(s map[string]any) string { v := b64(s); return key + ".1=" + v[len(v)/2:] }},
		{name: "the unchunked cookie wins over stale chunks", signedIn: true,
			header: func(s map[string]any) string { return key + ".0=base64-e30; " + key + "=" + b64(s) }},
		{name: "another project's cookie name",
			header: func(s map[string]any) string { return "sb-otherprojectrefabcdefgh-auth-token=" + b64(s) }},
		{name: "URI-encoded raw JSON (cookieEncoding raw): cookie.parse decodes it", signedIn: true,
			header: func(s map[string]any) string { j, _ := json.Marshal(s); return key + "=" + url.QueryEscape(string(j)) }},
		{name: "base64- that decodes to no JSON: cookies.js decodeChunkedCookieValue treats it as absent",
			header: func(map[string]any) string { return key + "=base64-bm90IGpzb24" }},
		{name: "a session without refresh_token: GoTrueClient._isValidSession refuses it",
			header: func(s map[string]any) string { return key + "=" + b64(without(s, "refresh_token")) }},
		{name: "a session without expires_at: GoTrueClient._isValidSession refuses it",
			header: func(s map[string]any) string { return key + "=" + b64(without(s, "expires_at")) }},
		{name: "expired, with a good refresh token: __loadSession refreshes first", signedIn: true,
			header: func(s map[string]any) string {
				return key + "=" + b64(with(with(s, "expires_at", expired), "access_token", "not-a-token"))
			}},
		{name: "expired, with a refresh token the project does not know: the refresh fails",
			header: func(s map[string]any) string {
				return key + "=" + b64(with(with(s, "expires_at", expired), "refresh_token", "unknownrefresh"))
			}},
		{name: "no cookie", header: func(map[string]any) string { return "" }},
	}
	readers := []struct {
		name string
		read func(*http.Request) (string, string)
	}{
		{"@supabase/ssr under Node", nodeServerSide(t, dep, writeFile(t, "ca.pem", string(ca.CertPEM)), "")},
		{"the Go model (ssrserver)", serverSide(t, dep, ca, "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range readers {
				s := signIn(t, client, dep)
				user, _ := s["user"].(map[string]any)
				want := ""
				if tt.signedIn {
					want, _ = user["id"].(string)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://app.example.test/api/me", nil)
				if err != nil {
					t.Fatal(err)
				}
				if h := tt.header(s); h != "" {
					req.Header.Set("Cookie", h)
				}
				id, reason := r.read(req)
				cancel()
				if strings.HasPrefix(reason, nodeUnanswered) {
					t.Fatalf("%s: %s", r.name, reason)
				}
				if id != want || (id == "") != (reason != "") {
					t.Errorf("%s: user %q (reason %q), want %q", r.name, id, reason, want)
				}
			}
		})
	}
}
