package supabase

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/harness/clientsite"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/gather"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	"github.com/mfconform/mfconform/suites/sbcheck"
)

// clientInfo identifies mfconform's own Go-side requests to the project.
const clientInfo = "mfconform"

// maxBody bounds what is read of any answer.
const maxBody = 64 << 10

// Answer is one Go-side HTTP exchange with the project.
type Answer struct {
	Status int
	Body   []byte
	Header http.Header
	Err    error
	At     time.Time // our clock when the answer arrived
}

// Date is the answer's Date header, zero when absent.
func (a Answer) Date() time.Time {
	t, _ := http.ParseTime(a.Header.Get("Date"))
	return t
}

// APIError reads the answer as an error body.
func (a Answer) APIError() sbcheck.APIError {
	return sbcheck.ParseError(a.Body, a.Header.Get("x-sb-error-code"))
}

// ConfigEvidence is what the two variables are and what the project
// answers to them, without a browser.
type ConfigEvidence struct {
	URL      sbcheck.URLInfo
	Key      sbcheck.KeyInfo
	Health   Answer // GET /auth/v1/health with the key
	Settings Answer // GET /auth/v1/settings with the key, no Origin
	// RawSettings is the same request with the key exactly as configured,
	// when cleaning changed it (what supabase-js really sends).
	RawSettings *Answer
}

// BrowserEvidence is what the real supabase-js did in Chromium on the app
// origin.
type BrowserEvidence struct {
	Cors     CorsResult
	CorsErrs []string // Chromium's CORS errors on requests to the project
	Run      *RunResult
	// Shots is the page after supabase-js ran, shown with specs that fail.
	Shots []judge.Screenshot
}

// CorsResult is mfCorsProbe's answer.
type CorsResult struct {
	Settings StepResult `json:"settings"`
	Token    StepResult `json:"token"`
}

// StepResult is one step of the page's driver.
type StepResult struct {
	OK      bool   `json:"ok"`
	Status  int    `json:"status"`
	Code    string `json:"code"`
	Name    string `json:"name"`
	Message string `json:"message"`
	Error   string `json:"error"`
	UserID  string `json:"userId"`
	Changed bool   `json:"changed"`
}

// RunResult is mfSupabaseRun's answer; it never holds a token.
type RunResult struct {
	Created     bool       `json:"created"`
	CreateError string     `json:"createError"`
	SignIn      StepResult `json:"signIn"`
	GetUser     StepResult `json:"getUser"`
	Refresh     StepResult `json:"refresh"`
	SignOut     StepResult `json:"signOut"`
	Session     struct {
		Present bool `json:"present"`
	} `json:"session"`
	AfterSignOut struct {
		Present bool `json:"present"`
	} `json:"afterSignOut"`
	StorageKeys []string `json:"storageKeys"`
}

// SessionEvidence is a Go-side sign-in of the test user and what the auth
// API does with its tokens and with forged ones.
type SessionEvidence struct {
	SignIn      Answer
	Access      *jwtcheck.Parsed // the access token, parsed (prints redacted)
	Refresh1    Answer           // first use of the refresh token
	Refresh2    Answer           // second use of the same refresh token
	User        Answer           // /user with the access token
	UserExpired *Answer          // /user with an expired token signed with the JWT secret
	JWKS        Answer
	access      string
}

var (
	configFuture  gather.Future[*ConfigEvidence]
	browserFuture gather.Future[*BrowserEvidence]
	sessionFuture gather.Future[*SessionEvidence]
)

func prefetch(e *env.Env) {
	configFuture.Start(timedPhase(e, "supabase_config", func() (*ConfigEvidence, error) { return gatherConfig(e) }))
	browserFuture.Start(timedPhase(e, "supabase_browser", func() (*BrowserEvidence, error) { return gatherBrowser(e) }))
	sessionFuture.Start(timedPhase(e, "supabase_session", func() (*SessionEvidence, error) { return gatherSession(e) }))
}

// request makes one bounded Go-side request to the project.
func request(ctx context.Context, e *env.Env, method, url, key, bearer string, body any) Answer {
	pctx, cancel := context.WithTimeout(ctx, e.Timeouts.Probe)
	defer cancel()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(pctx, method, url, rd)
	if err != nil {
		return Answer{Err: err}
	}
	if key != "" {
		req.Header.Set("apikey", key)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	req.Header.Set("X-Client-Info", clientInfo)
	if body != nil {
		req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	}
	resp, err := e.HTTP.Do(req)
	if err != nil {
		return Answer{Err: err, At: e.Now()}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	return Answer{Status: resp.StatusCode, Body: b, Header: resp.Header, Err: err, At: e.Now()}
}

func gatherConfig(e *env.Env) (*ConfigEvidence, error) {
	ctx, cancel := context.WithTimeout(e.Ctx, e.Timeouts.Evidence)
	defer cancel()
	ev := &ConfigEvidence{}
	ev.URL, _ = sbcheck.CheckURL(e.Supabase.URL)
	ev.Key, _ = sbcheck.ReadKey(e.Supabase.Key)
	if ev.URL.Origin == "" {
		return ev, nil
	}
	ev.Health = request(ctx, e, "GET", ev.URL.Origin+"/auth/v1/health", ev.Key.Clean, "", nil)
	if ev.Health.Err != nil {
		return ev, nil
	}
	ev.Settings = request(ctx, e, "GET", ev.URL.Origin+"/auth/v1/settings", ev.Key.Clean, "", nil)
	if ev.Key.Clean != e.Supabase.Key && validHeaderValue(e.Supabase.Key) {
		raw := request(ctx, e, "GET", ev.URL.Origin+"/auth/v1/settings", e.Supabase.Key, "", nil)
		ev.RawSettings = &raw
	}
	return ev, nil
}

// validHeaderValue reports whether v can be sent as a header at all (a
// browser refuses a value with a newline before any request is made).
func validHeaderValue(v string) bool { return !strings.ContainsAny(v, "\r\n") }

func gatherBrowser(e *env.Env) (*BrowserEvidence, error) {
	ctx, cancel := context.WithTimeout(e.Ctx, e.Timeouts.Evidence)
	defer cancel()
	u, _ := sbcheck.CheckURL(e.Supabase.URL)
	k, _ := sbcheck.ReadKey(e.Supabase.Key)
	if u.Origin == "" || k.Clean == "" {
		return nil, fmt.Errorf("no usable URL and key for the browser")
	}
	sctx, scancel := context.WithTimeout(ctx, e.Timeouts.Session)
	s, err := e.Browser.NewSession(sctx, browser.SessionOptions{})
	scancel()
	if err != nil {
		return nil, err
	}
	defer s.Close()
	nctx, ncancel := context.WithTimeout(ctx, e.Timeouts.Navigation)
	_, err = s.Navigate(nctx, e.Supabase.ClientURL+clientsite.PagePath)
	ncancel()
	if err != nil {
		return nil, fmt.Errorf("open mfconform's supabase-js page on the app origin: %w", err)
	}
	ev := &BrowserEvidence{}
	args, _ := json.Marshal(map[string]string{"url": u.Origin, "key": k.Clean, "email": e.Supabase.Email, "password": e.Supabase.Password})
	jctx, jcancel := context.WithTimeout(ctx, 2*e.Timeouts.Script)
	defer jcancel()
	ev.Cors, err = browser.Evaluate[CorsResult](jctx, s, "mfCorsProbe("+string(args)+")")
	if err != nil {
		return nil, fmt.Errorf("run the CORS probe: %w", err)
	}
	if e.Supabase.Email != "" {
		r, err := browser.Evaluate[RunResult](jctx, s, "mfSupabaseRun("+string(args)+")")
		if err != nil {
			return ev, fmt.Errorf("run supabase-js: %w", err)
		}
		ev.Run = &r
	}
	if png, err := s.Screenshot(jctx); err == nil {
		ev.Shots = []judge.Screenshot{{Caption: "mfconform's supabase-js page on " + e.Supabase.ClientURL, PNG: png}}
	}
	for _, x := range s.Exchanges() {
		if strings.HasPrefix(x.URL, u.Origin) && strings.Contains(x.Failed, "CORS") {
			ev.CorsErrs = append(ev.CorsErrs, x.Method+" "+strings.TrimPrefix(x.URL, u.Origin)+": "+x.Failed)
		}
	}
	return ev, nil
}

func gatherSession(e *env.Env) (*SessionEvidence, error) {
	ctx, cancel := context.WithTimeout(e.Ctx, e.Timeouts.Evidence)
	defer cancel()
	u, _ := sbcheck.CheckURL(e.Supabase.URL)
	k, _ := sbcheck.ReadKey(e.Supabase.Key)
	ev := &SessionEvidence{}
	if u.Origin == "" {
		return ev, fmt.Errorf("no usable project URL")
	}
	ev.JWKS = request(ctx, e, "GET", u.Origin+"/auth/v1/.well-known/jwks.json", "", "", nil)
	if e.Supabase.Email == "" {
		return ev, nil
	}
	ev.SignIn = request(ctx, e, "POST", u.Origin+"/auth/v1/token?grant_type=password", k.Clean, "",
		map[string]string{"email": e.Supabase.Email, "password": e.Supabase.Password})
	var tok struct {
		Access  string `json:"access_token"`
		Refresh string `json:"refresh_token"`
	}
	if ev.SignIn.Status != http.StatusOK || json.Unmarshal(ev.SignIn.Body, &tok) != nil || tok.Access == "" {
		return ev, nil
	}
	ev.access = tok.Access
	ev.Access, _ = jwtcheck.Parse(tok.Access)
	ev.User = request(ctx, e, "GET", u.Origin+"/auth/v1/user", k.Clean, tok.Access, nil)
	ev.Refresh1 = request(ctx, e, "POST", u.Origin+"/auth/v1/token?grant_type=refresh_token", k.Clean, "", map[string]string{"refresh_token": tok.Refresh})
	ev.Refresh2 = request(ctx, e, "POST", u.Origin+"/auth/v1/token?grant_type=refresh_token", k.Clean, "", map[string]string{"refresh_token": tok.Refresh})
	if len(e.Supabase.JWTSecret) > 0 && ev.Access != nil {
		claims := map[string]any{}
		for c, v := range ev.Access.Claims {
			claims[c] = v
		}
		now := e.Now()
		claims["iat"], claims["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-time.Hour).Unix()
		if expired, err := jwtcheck.Mint("HS256", e.Supabase.JWTSecret, claims); err == nil {
			a := request(ctx, e, "GET", u.Origin+"/auth/v1/user", k.Clean, expired, nil)
			ev.UserExpired = &a
		}
	}
	return ev, nil
}

// forgedUser asks /user about a token signed with a random key.
func forgedUser(ctx context.Context, e *env.Env, origin, key string) (Answer, error) {
	now := e.Now()
	tok, err := jwtcheck.Mint("HS256", []byte(fmt.Sprintf("mfconform-forged-%d-not-the-project-secret", now.UnixNano())), map[string]any{
		"sub": "00000000-0000-4000-8000-000000000000", "aud": "authenticated", "role": "authenticated",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	})
	if err != nil {
		return Answer{}, err
	}
	return request(ctx, e, "GET", origin+"/auth/v1/user", key, tok, nil), nil
}

// timedPhase records how long a gather takes as a phase of the run.
func timedPhase[T any](e *env.Env, name string, run func() (T, error)) func() (T, error) {
	return gather.Timed(func(d time.Duration) { e.RecordPhase(name, d) }, run)
}
