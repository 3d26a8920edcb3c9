// Package hostile starts a target that answers like a broken or malicious
// deployment: escape sequences and other control characters, markup that
// tries to break out of HTML, XML and Markdown, a 1 GiB body, an endless
// redirect chain, a slow drip, a 10 MB Set-Cookie, a JWT with a 10 MB
// payload. It serves one mode as both the login URL and the app URL (its
// probe path included) over TLS, so a test can run mfconform against it and
// check that the run still ends within its timeouts with well-formed
// reports; given a third name, it answers as a Supabase project too
// (Options.SupabaseHost). It is the hostile side: it may sleep, and it never stops talking
// on its own; Close stops it.
package hostile

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mfconform/mfconform/harness/pki"
)

// Mode is one way the target misbehaves.
type Mode string

// The modes, each answering every request of both hosts its way.
const (
	// Control puts terminal escape sequences (ANSI colours, OSC title,
	// hyperlink and clipboard writes), NUL, BEL, backspace, CR, DEL, C1
	// and bidirectional controls and invalid UTF-8 into every header,
	// cookie, claim, JSON answer and page it can.
	Control Mode = "control"
	// Markup does the same with text that breaks out of HTML, XML and
	// Markdown: <script>, ]]>, -->, attribute quotes, table pipes, links.
	Markup Mode = "markup"
	// Commands does the same with CI workflow commands, each after a
	// newline (and a CR): GitHub Actions' ::error::, ::add-mask::,
	// ::stop-commands::, ::set-output::, its legacy ##[…] form and Azure
	// Pipelines' ##vso[…], which a CI runner obeys on any line of a step's
	// output that starts with one (leading spaces trimmed).
	Commands Mode = "commands"
	// HugeBody answers with a 1 GiB body, generated as it is written.
	HugeBody Mode = "huge-body"
	// RedirectLoop answers every request with a redirect to a new URL.
	RedirectLoop Mode = "redirect-loop"
	// Drip sends its answer, status line and headers included, one byte
	// every DripInterval, forever.
	Drip Mode = "drip"
	// HugeSetCookie sets mf_jwt_token with a 10 MB value.
	HugeSetCookie Mode = "huge-set-cookie"
	// HugeJWT sets mf_jwt_token to a JWT with a 10 MB payload and returns
	// it from the probe path too.
	HugeJWT Mode = "huge-jwt"
	// LargeJWT sets mf_jwt_token to a JWT with a payload of LargeJWTPayload
	// bytes: too large for a cookie, small enough for a browser to accept
	// the response, so mfconform itself parses and reports it.
	LargeJWT Mode = "large-jwt"

	// Tamper serves pages whose script replaces the built-ins a script
	// evaluated in the page relies on (fetch, String.prototype.slice,
	// Array.prototype.some, JSON.stringify), so that it hands back 19 MB
	// strings instead of what it computed.
	Tamper Mode = "tamper"
	// Storm serves a login page whose script sends requests without end,
	// each answered with a 200 KB header.
	Storm Mode = "storm"
	// ServiceWorker is a conformant login whose app pages register a
	// service worker (ServiceWorkerPath) for the whole app origin that
	// answers every request it may — pages, the probe path — with a page
	// of its own and never asks the network.
	ServiceWorker Mode = "service-worker"
	// RedirectOut is a Supabase project (Options.SupabaseHost) that
	// answers its health check, settings and JWKS as Supabase Auth, so a
	// run goes on to the sign-in, and every other request — the sign-in,
	// the user, the data API — with a 307 to the same path and query on
	// the canary (Options.CanaryHost, another origin): a client that
	// follows it sends the canary its key, the user's password and
	// tokens, which the canary records. The login and the app answer as
	// Control.
	RedirectOut Mode = "redirect-out"
	// LocalPorts is a conformant login whose pages (login and app) make
	// the browser ask for every URL of Options.Elsewhere — other ports and
	// addresses of this machine, as a page that probes the operator's
	// local services or a cloud metadata address would — in every way a
	// page can: a preconnect, an image, an iframe, fetch, a WebSocket and a
	// beacon.
	LocalPorts Mode = "local-ports"
)

// Modes lists every mode.
var Modes = []Mode{Control, Markup, Commands, HugeBody, RedirectLoop, Drip, HugeSetCookie, HugeJWT, LargeJWT, Tamper, Storm, ServiceWorker, RedirectOut, LocalPorts}

// Sizes and pace of the hostile answers.
const (
	HugeBodySize    = 1 << 30
	HugeHeaderSize  = 10 << 20
	HugeJWTPayload  = 10 << 20
	LargeJWTPayload = 150 << 10
	DripInterval    = 250 * time.Millisecond
)

// Marker is in every piece of markup the target sends, so a test can tell
// its text from the report's own.
const Marker = "mfhostile"

// Texts are the hostile strings of the Control and Markup modes.
var Texts = map[Mode]string{
	Control: "\x1b[2J\x1b[31m" + Marker + "-red\x1b[0m \x1b]0;pwned-title\x07 \x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\ " +
		"\x1b]52;c;cm0gLXJmIH4=\x07 nul\x00 bel\x07 bs\x08\x08 cr\rover del\x7f c1\u009b31m bidi\u202eexe.txt\u202c bad\xff\xfe utf8",
	Markup: "<script>alert('" + Marker + "')</script> ]]> <![CDATA[x]]> --> <!-- \"><img src=x onerror=alert('" + Marker + "')> " +
		"</textarea></pre> | table | `code` **bold** [link](javascript:alert(1)) ![img](https://evil.example/x.png) # heading {{.}} ${x} &amp; &#0;",
	Commands: Marker + "\n::error title=" + Marker + "::injected annotation\n  ::add-mask::" + Marker + "\n::stop-commands::" + Marker +
		"\r\n::set-output name=verdict::conformant\n::warning file=x::" + Marker + "\r##[error]" + Marker + " legacy\n##vso[task.setvariable variable=x]" + Marker +
		"\n\t::notice::" + Marker + "\u2028::debug::" + Marker + "\n::" + Marker + "::",
}

// Options say which names the target answers.
type Options struct {
	// LoginHost and AppHost are the backend's and the app's names; they
	// must share a parent domain, which the login's cookie names.
	LoginHost, AppHost string
	// Secret signs the tokens the target hands out (any key will do: the
	// target is judged on what it sends, not on holding the right key).
	Secret []byte
	// ProbePath is the app's "who am I" path.
	ProbePath string
	// SupabaseHost, when set, is a third name answered as a Supabase
	// project (Auth under /auth/v1, the data API under /rest/v1) in the
	// same mode (supabase.go).
	SupabaseHost string
	// CanaryHost, when set, is a name served on a port of its own (so
	// another origin) that records every request it receives and grants
	// each one CORS (canary.go).
	CanaryHost string
	// Elsewhere are the URLs the LocalPorts mode's pages ask for (the
	// test's canaries: loopback only).
	Elsewhere []string
}

// Server is a running hostile target.
type Server struct {
	Mode Mode
	// LoginURL is where the backend signs in; AppURL is the app's origin;
	// SupabaseURL the project's origin when Options.SupabaseHost is set;
	// CanaryURL the canary's when Options.CanaryHost is.
	LoginURL, AppURL, SupabaseURL, CanaryURL string

	opts    Options
	srv     *http.Server
	closing chan struct{}
	served  sync.WaitGroup // every handler still writing
	done    chan struct{}
	once    sync.Once
	// big is the oversized cookie value or token of the Huge modes.
	big string
	// canary records what reaches CanaryURL.
	canary *canary
}

// Start serves mode on a free loopback port with ca's leaf certificate,
// which must cover both hosts. HTTP/1.1 only, so the answers go out byte
// for byte as written.
func Start(mode Mode, ca *pki.Authority, o Options) (*Server, error) {
	if !validMode(mode) {
		return nil, fmt.Errorf("hostile: unknown mode %q", mode)
	}
	if o.LoginHost == "" || o.AppHost == "" {
		return nil, errors.New("hostile: LoginHost and AppHost are required")
	}
	if o.ProbePath == "" {
		o.ProbePath = "/api/me"
	}
	if len(o.Secret) == 0 {
		o.Secret = []byte("hostile-target-signing-key-0123456789abcdef")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("hostile: listen: %w", err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	s := &Server{
		Mode:     mode,
		LoginURL: "https://" + net.JoinHostPort(o.LoginHost, port) + "/login",
		AppURL:   "https://" + net.JoinHostPort(o.AppHost, port),
		opts:     o,
		closing:  make(chan struct{}),
		done:     make(chan struct{}),
	}
	if o.SupabaseHost != "" {
		s.SupabaseURL = "https://" + net.JoinHostPort(o.SupabaseHost, port)
	}
	switch mode {
	case HugeSetCookie:
		s.big = strings.Repeat("A", HugeHeaderSize)
	case HugeJWT:
		s.big = s.token(map[string]any{"pad": strings.Repeat("x", HugeJWTPayload)})
	case LargeJWT:
		s.big = s.token(map[string]any{"pad": strings.Repeat("x", LargeJWTPayload)})
	}
	cfg := ca.ServerTLS()
	cfg.NextProtos = []string{"http/1.1"}
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 5 * time.Second,
		TLSConfig:         cfg,
		ErrorLog:          log.New(io.Discard, "", 0),
		// No write timeout: a slow reader is the client's problem.
	}
	if o.CanaryHost != "" {
		c, err := startCanary(ca, o.CanaryHost)
		if err != nil {
			ln.Close()
			return nil, err
		}
		s.canary, s.CanaryURL = c, c.url
	}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(tls.NewListener(ln, cfg))
	}()
	return s, nil
}

func validMode(m Mode) bool {
	for _, x := range Modes {
		if x == m {
			return true
		}
	}
	return false
}

// Close stops the server: it ends every answer still being written, closes
// every connection and waits until all handlers have returned.
func (s *Server) Close() error {
	var err error
	s.once.Do(func() {
		close(s.closing)
		err = s.srv.Close()
		<-s.done
		s.served.Wait()
		if s.canary != nil {
			if cerr := s.canary.close(); err == nil {
				err = cerr
			}
		}
	})
	return err
}

// ServeHTTP answers as the login host or the app host, in the server's
// mode.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.served.Add(1)
	defer s.served.Done()
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	if s.opts.SupabaseHost != "" && strings.EqualFold(host, s.opts.SupabaseHost) {
		s.supabase(w, r)
		return
	}
	login := strings.EqualFold(host, s.opts.LoginHost)
	if !login && !strings.EqualFold(host, s.opts.AppHost) {
		http.Error(w, "misdirected request", http.StatusMisdirectedRequest)
		return
	}
	probe := !login && r.URL.Path == s.opts.ProbePath
	switch s.Mode {
	case Control, Markup, Commands, RedirectOut:
		s.text(w, r, login, probe)
	case HugeBody:
		if login {
			w.Header().Add("Set-Cookie", s.cookie(s.token(nil)))
		}
		s.huge(w, r)
	case RedirectLoop:
		s.redirect(w, r)
	case Drip:
		s.drip(w, r, login)
	case HugeSetCookie:
		w.Header().Add("Set-Cookie", s.cookie(s.big))
		s.page(w, probe, `{"user_id":"u1"}`)
	case Tamper:
		if login {
			w.Header().Add("Set-Cookie", s.cookie(s.token(nil)))
		}
		if probe {
			s.page(w, true, `{"user_id":"u1"}`)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, tamperPage)
	case Storm:
		if login {
			w.Header().Add("Set-Cookie", s.cookie(s.token(nil)))
		}
		if strings.HasPrefix(r.URL.Path, "/storm/") {
			w.Header().Set("X-Storm", strings.Repeat("s", 200<<10))
			io.WriteString(w, "storm")
			return
		}
		if probe {
			s.page(w, true, `{"user_id":"u1"}`)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, stormPage)
	case HugeJWT, LargeJWT:
		if login {
			w.Header().Add("Set-Cookie", s.cookie(s.big))
		}
		b, _ := json.Marshal(map[string]string{"user_id": "u1", "token": s.big})
		s.page(w, probe, string(b))
	case ServiceWorker:
		s.serviceWorker(w, r, login, probe)
	case LocalPorts:
		switch {
		case login:
			w.Header().Add("Set-Cookie", s.cookie(s.token(nil)))
			s.elsewherePage(w)
		case probe:
			s.page(w, true, `{"user_id":"u1"}`)
		default:
			s.elsewherePage(w)
		}
	}
}

// elsewherePage is the LocalPorts mode's page: every URL of
// Options.Elsewhere asked for in every way a page can.
func (s *Server) elsewherePage(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	var b strings.Builder
	b.WriteString("<!doctype html><title>" + Marker + " local ports</title>")
	for _, u := range s.opts.Elsewhere {
		q := html.EscapeString(u)
		b.WriteString(`<link rel="preconnect" href="` + q + `"><link rel="dns-prefetch" href="` + q + `"><img src="` + q + `" alt=""><iframe src="` + q + `"></iframe>`)
	}
	urls, _ := json.Marshal(s.opts.Elsewhere)
	b.WriteString(`<p>local ports</p><script>
for (const u of ` + string(urls) + `) {
  fetch(u, {mode: "no-cors", credentials: "include"}).catch(() => {});
  try { navigator.sendBeacon(u, "` + Marker + `"); } catch (e) {}
  try { new WebSocket(u.replace(/^http/, "ws")); } catch (e) {}
}
</script>`)
	io.WriteString(w, b.String())
}

// ServiceWorkerPath is the script of the ServiceWorker mode's worker.
const ServiceWorkerPath = "/sw.js"

// serviceWorkerScript takes over every client of the app origin at once
// and answers every request it sees itself.
const serviceWorkerScript = `self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (e) => e.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (e) => e.respondWith(new Response(
  "<!doctype html><title>` + Marker + ` service worker</title><p>answered by the service worker",
  {status: 200, headers: {"Content-Type": "text/html"}})));
`

// serviceWorkerPage registers the worker and waits until it controls the
// page.
const serviceWorkerPage = `<!doctype html><title>app</title><p>app</p><script>
navigator.serviceWorker.register("` + ServiceWorkerPath + `", {scope: "/"}).catch(() => {});
</script>`

// serviceWorker is the ServiceWorker mode: the login sets a conformant
// cookie, the app's probe path knows the user, its pages register the
// worker.
func (s *Server) serviceWorker(w http.ResponseWriter, r *http.Request, login, probe bool) {
	switch {
	case login:
		w.Header().Add("Set-Cookie", s.cookie(s.token(nil)))
		s.page(w, false, "")
	case probe:
		s.page(w, true, `{"user_id":"u1"}`)
	case r.URL.Path == ServiceWorkerPath:
		w.Header().Set("Content-Type", "text/javascript")
		io.WriteString(w, serviceWorkerScript)
	default:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, serviceWorkerPage)
	}
}

// tamperPage replaces the built-ins a script evaluated in the page uses.
const tamperPage = `<!doctype html><title>tamper</title><script>
const huge = "` + Marker + `".repeat(1 << 21);
String.prototype.slice = function () { return huge; };
String.prototype.substring = function () { return huge; };
Array.prototype.some = function () { return huge; };
JSON.stringify = function () { return huge; };
const realFetch = window.fetch;
window.fetch = async function () { return new Response(huge, {status: 200}); };
</script><p>tamper</p>`

// stormPage sends requests without end.
const stormPage = `<!doctype html><title>storm</title><script>
let n = 0;
function more() { for (let i = 0; i < 16; i++) fetch("/storm/" + (n++)).then(more, more); }
more();
</script><p>storm</p>`

// cookie is a Set-Cookie line for mf_jwt_token as the contract wants it,
// whatever its value.
func (s *Server) cookie(value string) string {
	domain := s.opts.LoginHost
	if _, parent, ok := strings.Cut(domain, "."); ok {
		domain = parent
	}
	return "mf_jwt_token=" + value + "; Domain=." + domain + "; Path=/; Secure; HttpOnly; SameSite=None"
}

// token signs a JWT with the target's key whose claims are a conformant
// set plus extra.
func (s *Server) token(extra map[string]any) string {
	now := time.Now()
	claims := map[string]any{"user_id": "u1", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix()}
	for k, v := range extra {
		claims[k] = v
	}
	return s.sign(map[string]any{"alg": "HS256", "typ": "JWT"}, claims)
}

func (s *Server) sign(header, claims map[string]any) string {
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	in := b64(h) + "." + b64(c)
	return in + "." + b64(hs256(s.opts.Secret, []byte(in)))
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func hs256(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}

// page answers a probe with JSON and any other path with a small page.
func (s *Server) page(w http.ResponseWriter, probe bool, probeJSON string) {
	if probe {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, probeJSON)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, "<!doctype html><title>hostile</title><p>"+s.Mode.String()+"</p>")
}

// String returns the mode's name.
func (m Mode) String() string { return string(m) }

// text is the Control, Markup and Commands answer: the hostile text in a header,
// in a second cookie, in the claims of a token signed like a real one, in
// the JSON identity of the probe path and the error of a garbage probe,
// and in the pages.
func (s *Server) text(w http.ResponseWriter, r *http.Request, login, probe bool) {
	t := Texts[s.Mode]
	h := w.Header()
	if !probe {
		// Go's client refuses control characters in headers outright (the
		// app could not be probed at all); Chromium takes them.
		h.Set("X-Hostile", headerSafe(t))
		h.Set("Server", headerSafe(t))
		h.Set("Date", headerSafe(t)) // not a date: the clock checks must cope
	}
	if login {
		tok := s.sign(map[string]any{"alg": "HS256", "typ": "JWT", "kid": t},
			map[string]any{"user_id": t, "exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix(),
				"first_name": t, "last_name": 42, "email": t, t: t})
		h.Add("Set-Cookie", s.cookie(tok))
		h.Add("Set-Cookie", headerSafe(t)+"="+headerSafe(t)+"; Path=/"+headerSafe(t))
		h.Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!doctype html><title>%s</title><body>%s</body>", t, t)
		return
	}
	if probe {
		cookie, _ := r.Cookie("mf_jwt_token")
		if cookie == nil || strings.Count(cookie.Value, ".") != 2 {
			h.Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, t)
			return
		}
		b, _ := json.Marshal(map[string]any{"user_id": t, "first_name": t, "error": t, t: t})
		h.Set("Content-Type", "application/json")
		w.Write(b)
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!doctype html><title>%s</title><body>%s<script>document.title = %q</script></body>", t, t, t)
}

// headerSafe is t without the bytes net/http would turn into spaces or a
// browser would refuse the whole response for (CR, LF, NUL): everything
// else goes out raw.
func headerSafe(t string) string {
	return strings.NewReplacer("\r", "", "\n", "", "\x00", "").Replace(t)
}

// huge writes a HugeBodySize body, a chunk at a time, until it is done, the
// client goes away or the server closes.
func (s *Server) huge(w http.ResponseWriter, r *http.Request) {
	chunk := []byte(strings.Repeat("<p>"+Marker+" huge body</p>\n", 1024))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(HugeBodySize))
	for left := HugeBodySize; left > 0; {
		select {
		case <-s.closing:
			return
		case <-r.Context().Done():
			return
		default:
		}
		n := min(left, len(chunk))
		if _, err := w.Write(chunk[:n]); err != nil {
			return
		}
		left -= n
	}
}

// redirect sends the client on to a new URL on the same host, forever.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request) {
	n := 0
	if rest, ok := strings.CutPrefix(r.URL.Path, "/loop/"); ok {
		n, _ = strconv.Atoi(rest)
	}
	w.Header().Add("Set-Cookie", "hop="+strconv.Itoa(n)+"; Path=/; Secure")
	http.Redirect(w, r, "/loop/"+strconv.Itoa(n+1), http.StatusFound)
}

// drip takes over the connection and sends a plausible answer one byte at
// a time, forever.
func (s *Server) drip(w http.ResponseWriter, r *http.Request, login bool) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "no hijacking", http.StatusInternalServerError)
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	head := "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
	if login {
		head += "Set-Cookie: " + s.cookie(s.token(nil)) + "\r\n"
	}
	head += "\r\n<!doctype html><title>drip</title><p>"
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	go func() {
		select {
		case <-s.closing:
			conn.Close()
		case <-ctx.Done():
		}
	}()
	s.dripTo(ctx, buf.Writer, head)
}

// dripTo writes head, then dots, one byte per DripInterval until ctx ends
// or a write fails.
func (s *Server) dripTo(ctx context.Context, w *bufio.Writer, head string) {
	t := time.NewTicker(DripInterval)
	defer t.Stop()
	for i := 0; ; i++ {
		b := byte('.')
		if i < len(head) {
			b = head[i]
		}
		if w.WriteByte(b) != nil || w.Flush() != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-s.closing:
			return
		case <-t.C:
		}
	}
}
