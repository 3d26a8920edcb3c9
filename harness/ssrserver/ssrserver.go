// Package ssrserver is the stand-in for a Supabase app's server side on a
// sibling host (Next.js middleware, a route handler, an API on
// api.<domain>): it reads the session from the request's cookies the way
// @supabase/ssr's createServerClient does — the cookie named for the
// project URL's ref, reassembled from its chunks, "base64-" decoded, the
// session loaded as auth-js's GoTrueClient.__loadSession does (discarded
// without access_token, refresh_token or expires_at; refreshed first within
// 90 s of expiry) — and asks the project who the access token belongs to,
// as supabase.auth.getUser() does. cmd/mfconform's
// TestNodeSSRAgreesWithModel holds it to the real @supabase/ssr under Node. GET /whoami answers JSON; GET / shows the
// same as a page (for an iframe).
package ssrserver

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mfconform/mfconform/harness/httpserve"
	"github.com/mfconform/mfconform/harness/pki"
)

// Paths the server answers.
const (
	// WhoAmIPath answers an Answer as JSON.
	WhoAmIPath = "/whoami"
	// PagePath shows the Answer in a page.
	PagePath = "/"
)

// Config is how the server's Supabase client is built and where it runs.
type Config struct {
	// Host is the sibling host name it answers, without port.
	Host string
	// ProjectURL and Key are what the server's client is built with
	// (createServerClient(url, key, …)); the cookie name comes from
	// ProjectURL.
	ProjectURL, Key string
	// Client reaches the project; Timeout bounds each verification.
	Client  *http.Client
	Timeout time.Duration
	// AllowOrigins may call WhoAmIPath with credentials from a page of
	// theirs (the embedding site): CORS with Access-Control-Allow-Credentials.
	AllowOrigins []string
	CA           *pki.Authority
}

// Answer is what the server made of a request's cookies. It never holds a
// cookie value or a token.
type Answer struct {
	// StorageKey is the cookie name the server reads: sb-<ref>-auth-token.
	StorageKey string `json:"storage_key"`
	// Received are the names of the request's cookies that look like a
	// Supabase session (sb-…-auth-token, with or without a chunk suffix).
	Received []string `json:"received"`
	// Chunks is how many chunks made the value (0: one unchunked cookie).
	Chunks int `json:"chunks"`
	// SignedIn and UserID: the project accepted the access token as
	// UserID's.
	SignedIn bool   `json:"signed_in"`
	UserID   string `json:"user_id,omitempty"`
	// Reason says why the request is not signed in.
	Reason string `json:"reason,omitempty"`
	// VerifyStatus and VerifyCode are the project's answer to GET
	// /auth/v1/user with the access token (0 when not asked).
	VerifyStatus int    `json:"verify_status,omitempty"`
	VerifyCode   string `json:"verify_code,omitempty"`
	// Refreshed: the session was within a minute and a half of expiring,
	// so it was refreshed first, as auth-js does; RefreshStatus is the
	// project's status when that refresh failed (0: it succeeded, or
	// nothing answered).
	Refreshed     bool `json:"refreshed,omitempty"`
	RefreshStatus int  `json:"refresh_status,omitempty"`
}

// Server is a running stand-in.
type Server struct {
	// URL is its origin, https://<host>:<port>.
	URL string
	srv *httpserve.Server
}

// Start serves cfg.Host on 127.0.0.1:0 over TLS. Close it when done.
func Start(cfg Config) (*Server, error) {
	switch {
	case cfg.Host == "" || strings.ContainsAny(cfg.Host, ":/ "):
		return nil, fmt.Errorf("ssrserver: bad host %q: want a host name without port", cfg.Host)
	case cfg.CA == nil:
		return nil, errors.New("ssrserver: no certificate authority")
	case cfg.Client == nil || cfg.Timeout <= 0:
		return nil, errors.New("ssrserver: no HTTP client or timeout to reach the project with")
	}
	if _, err := StorageKey(cfg.ProjectURL); err != nil {
		return nil, fmt.Errorf("ssrserver: %w", err)
	}
	ln, port, err := httpserve.Listen()
	if err != nil {
		return nil, fmt.Errorf("ssrserver: listen: %w", err)
	}
	return &Server{
		URL: "https://" + net.JoinHostPort(cfg.Host, strconv.Itoa(port)),
		srv: httpserve.Start(ln, cfg.Host, handler(cfg), cfg.CA),
	}, nil
}

// Close shuts the server down and waits until it has stopped.
func (s *Server) Close() error {
	if s == nil {
		return nil
	}
	return s.srv.Close()
}

// StorageKey is the session's cookie name for a project URL:
// "sb-" + the first label of the URL's host + "-auth-token", as supabase-js
// derives its default storageKey (SupabaseClient's constructor:
// `sb-${baseUrl.hostname.split(".")[0]}-auth-token`), which @supabase/ssr
// uses as the cookie name.
func StorageKey(projectURL string) (string, error) {
	u, err := url.Parse(projectURL)
	if err != nil || u.Hostname() == "" {
		return "", fmt.Errorf("project URL %q has no host", projectURL)
	}
	first, _, _ := strings.Cut(strings.ToLower(u.Hostname()), ".")
	return "sb-" + first + "-auth-token", nil
}

// IsSessionCookie reports whether name looks like a Supabase session cookie
// or one of its chunks (sb-<anything>-auth-token[.N]).
func IsSessionCookie(name string) bool {
	base, idx, chunked := strings.Cut(name, ".")
	if chunked {
		if _, err := strconv.Atoi(idx); err != nil || (len(idx) > 1 && idx[0] == '0') {
			return false
		}
	}
	return strings.HasPrefix(base, "sb-") && strings.HasSuffix(base, "-auth-token") && len(base) > len("sb--auth-token")
}

// base64Prefix marks a "base64url" encoded value (@supabase/ssr cookies.js
// BASE64_PREFIX).
const base64Prefix = "base64-"

// maxBody bounds what is read of the project's answer.
const maxBody = 64 << 10

// expiryMargin is how long before expires_at auth-js already treats a
// session as expired and refreshes it first (lib/constants.js
// EXPIRY_MARGIN_MS = AUTO_REFRESH_TICK_THRESHOLD 3 ×
// AUTO_REFRESH_TICK_DURATION_MS 30000).
const expiryMargin = 90 * time.Second

// session is the stored session as auth-js loads it (GoTrueClient
// __loadSession): an object that has access_token, refresh_token and
// expires_at (_isValidSession tests that each key is present, whatever
// its value).
type session struct {
	AccessToken  string
	RefreshToken string
	// ExpiresAt is expires_at in Unix seconds, 0 when it is falsy or not
	// a number (auth-js then never treats the session as expired).
	ExpiresAt float64
}

// parseSession parses raw as __loadSession takes a stored session, false
// when _isValidSession refuses it.
func parseSession(raw string) (session, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal([]byte(raw), &m) != nil || m == nil {
		return session{}, false
	}
	for _, k := range []string{"access_token", "refresh_token", "expires_at"} {
		if _, ok := m[k]; !ok {
			return session{}, false
		}
	}
	var s session
	_ = json.Unmarshal(m["access_token"], &s.AccessToken) // not a string: no token, as auth-js finds none usable
	_ = json.Unmarshal(m["refresh_token"], &s.RefreshToken)
	if json.Unmarshal(m["expires_at"], &s.ExpiresAt) != nil {
		var text string // JavaScript's * coerces a numeric string
		if json.Unmarshal(m["expires_at"], &text) == nil {
			s.ExpiresAt, _ = strconv.ParseFloat(strings.TrimSpace(text), 64)
		}
	}
	return s, true
}

// expiresWithin reports whether s expires before now+margin, as
// __loadSession's hasExpired does (false without expires_at).
func (s session) expiresWithin(now time.Time, margin time.Duration) bool {
	return s.ExpiresAt != 0 && s.ExpiresAt*1000-float64(now.UnixMilli()) < float64(margin.Milliseconds())
}

// handler serves WhoAmIPath and PagePath.
func handler(cfg Config) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+WhoAmIPath, func(w http.ResponseWriter, r *http.Request) {
		a := read(r.Context(), cfg, r)
		if o := r.Header.Get("Origin"); o != "" && slices.Contains(cfg.AllowOrigins, o) {
			w.Header().Set("Access-Control-Allow-Origin", o)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
			w.Header().Add("Vary", "Origin")
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(a) // a write error means the client left
	})
	mux.HandleFunc("GET "+PagePath+"{$}", func(w http.ResponseWriter, r *http.Request) {
		a := read(r.Context(), cfg, r)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_ = page.Execute(w, a)
	})
	mux.HandleFunc("/", http.NotFound)
	return mux
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Server side (stand-in)</title></head>
<body><h1>Server side</h1>
<p id="who">{{if .SignedIn}}Signed in as {{.UserID}}{{else}}Not signed in: {{.Reason}}{{end}}</p>
</body></html>
`))

// Read is what a server side built with cfg's project URL and key reads
// from r's cookies (the stand-in's own answer): an app's server side in a
// test or a reference app uses it to be that server side. cfg needs
// ProjectURL, Key, Client and Timeout.
func Read(ctx context.Context, cfg Config, r *http.Request) Answer { return read(ctx, cfg, r) }

// read reads the session from r's cookies as createServerClient's storage
// does (cookies.js createStorageFromOptions, server branch: getItem with
// utils/chunker.js combineChunks, then the base64- prefix decoded) and
// verifies its access token with the project.
func read(ctx context.Context, cfg Config, r *http.Request) Answer {
	key, _ := StorageKey(cfg.ProjectURL)
	a := Answer{StorageKey: key}
	cookies := map[string]string{}
	for _, c := range r.Cookies() {
		if IsSessionCookie(c.Name) {
			a.Received = append(a.Received, c.Name)
			cookies[c.Name] = c.Value
		}
	}
	slices.Sort(a.Received)
	value, chunks := combine(key, cookies)
	a.Chunks = chunks
	if value == "" {
		a.Reason = "no " + key + " cookie or chunks " + key + ".0…"
		for name := range cookies {
			if strings.HasPrefix(name, key+".") {
				a.Reason = key + ".0 is missing, so the chunks after it are never read"
			}
		}
		return a
	}
	raw, ok := decode(value)
	if !ok {
		a.Reason = "the session cookie does not decode to JSON (" + strconv.Itoa(max(chunks, 1)) + " chunk(s) read: a chunk missing or from another write?)"
		return a
	}
	s, ok := parseSession(raw)
	if !ok {
		a.Reason = "the session lacks access_token, refresh_token or expires_at, so auth-js discards it"
		return a
	}
	// A session about to expire is refreshed first (__loadSession →
	// _callRefreshToken); when that fails, the stored session stands only
	// while its access token has not expired (the fallback after
	// _callRefreshToken's error).
	if now := time.Now(); s.expiresWithin(now, expiryMargin) {
		a.Refreshed = true
		token, status, code := refresh(ctx, cfg, s.RefreshToken)
		switch {
		case token != "":
			s.AccessToken = token
		case !s.expiresWithin(now, 0):
			a.RefreshStatus = status // the access token is still valid: it is used as stored
		default:
			a.RefreshStatus, a.Reason = status, "the session expired and its refresh failed ("+code+")"
			return a
		}
	}
	if s.AccessToken == "" {
		a.Reason = "the session holds no access_token"
		return a
	}
	a.VerifyStatus, a.VerifyCode, a.UserID = verify(ctx, cfg, s.AccessToken)
	if a.VerifyStatus == http.StatusOK && a.UserID != "" {
		a.SignedIn = true
		return a
	}
	a.UserID = ""
	a.Reason = "the project refused the access token"
	if a.VerifyStatus == 0 {
		a.Reason = "the project could not be asked: " + a.VerifyCode
	}
	return a
}

// combine reassembles the value as utils/chunker.js combineChunks does:
// the unchunked cookie when present, else key.0, key.1, … up to the first
// missing one. It returns the number of chunks read (0 for one cookie).
func combine(key string, cookies map[string]string) (string, int) {
	if v := cookies[key]; v != "" {
		return v, 0
	}
	var b strings.Builder
	n := 0
	for ; ; n++ {
		v := cookies[key+"."+strconv.Itoa(n)]
		if v == "" {
			break
		}
		b.WriteString(v)
	}
	return b.String(), n
}

// decode turns a stored value into the session's JSON text: "base64-" +
// base64url (@supabase/ssr's default cookieEncoding) or raw JSON (older
// versions' "raw"); a base64- value that does not decode to JSON is
// treated as absent, as cookies.js decodeChunkedCookieValue does.
func decode(v string) (string, bool) {
	if rest, ok := strings.CutPrefix(v, base64Prefix); ok {
		b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(rest, "="))
		if err != nil || !json.Valid(b) {
			return "", false
		}
		return string(b), true
	}
	if u, err := url.PathUnescape(v); err == nil { // decodeURIComponent, as the cookie package parses
		v = u
	}
	return v, json.Valid([]byte(v))
}

// refresh runs the refresh_token grant as auth-js _refreshAccessToken
// does (POST /auth/v1/token?grant_type=refresh_token with the apikey) and
// returns the new access token, or the status and error code of why not.
// The rotated session is not kept: a server side whose setAll writes no
// cookies drops it too.
func refresh(ctx context.Context, cfg Config, refreshToken string) (token string, status int, code string) {
	if refreshToken == "" {
		return "", 0, "no refresh_token" // _callRefreshToken: AuthSessionMissingError
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	body, _ := json.Marshal(map[string]string{"refresh_token": refreshToken})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(cfg.ProjectURL, "/")+"/auth/v1/token?grant_type=refresh_token", strings.NewReader(string(body)))
	if err != nil {
		return "", 0, err.Error()
	}
	req.Header.Set("apikey", cfg.Key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Client-Info", "mfconform-ssrserver")
	resp, err := cfg.Client.Do(req)
	if err != nil {
		return "", 0, "request failed: " + err.Error()
	}
	defer resp.Body.Close()
	var answer struct {
		AccessToken string `json:"access_token"`
		ErrorCode   string `json:"error_code"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, maxBody)).Decode(&answer)
	if resp.StatusCode != http.StatusOK || answer.AccessToken == "" {
		code := resp.Header.Get("x-sb-error-code")
		if code == "" {
			code = answer.ErrorCode
		}
		if code == "" {
			code = "status " + strconv.Itoa(resp.StatusCode)
		}
		return "", resp.StatusCode, code
	}
	return answer.AccessToken, resp.StatusCode, ""
}

// verify asks the project whose token this is: GET /auth/v1/user with the
// apikey and the token as bearer (auth-js GoTrueClient._getUser). It
// returns the status, the error code (or why nothing answered) and the
// user's id.
func verify(ctx context.Context, cfg Config, token string) (int, string, string) {
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(cfg.ProjectURL, "/")+"/auth/v1/user", nil)
	if err != nil {
		return 0, err.Error(), ""
	}
	req.Header.Set("apikey", cfg.Key)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("X-Client-Info", "mfconform-ssrserver")
	resp, err := cfg.Client.Do(req)
	if err != nil {
		return 0, "request failed: " + err.Error(), ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	var user struct {
		ID        string `json:"id"`
		ErrorCode string `json:"error_code"`
		Code      any    `json:"code"`
	}
	_ = json.Unmarshal(body, &user)
	code := resp.Header.Get("x-sb-error-code")
	if code == "" {
		code = user.ErrorCode
	}
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, code, ""
	}
	return resp.StatusCode, code, user.ID
}
