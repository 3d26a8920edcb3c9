package supabase

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/harness/clientsite"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/gather"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	"github.com/mfconform/mfconform/suites/redact"
	"github.com/mfconform/mfconform/suites/result"
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
	// Redirect is set when the answer was a redirect, which mfconform
	// does not follow.
	Redirect *Redirect
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

// Text is the answer for an operator: status, error code and message.
func (a Answer) Text() string {
	if a.Err != nil {
		return "request failed: " + result.Clean(a.Err.Error())
	}
	if ok2xx(a.Status) {
		return fmt.Sprintf("HTTP %d", a.Status)
	}
	e := a.APIError()
	return result.Clean(fmt.Sprintf("HTTP %d %s %q", a.Status, e.Code, e.Message))
}

// ConfigEvidence is what the project answers to the two variables,
// without a browser.
type ConfigEvidence struct {
	Health   Answer // GET /auth/v1/health with the key
	Settings Answer // GET /auth/v1/settings with the key, no Origin
	// RawSettings is the same request with the key exactly as configured,
	// when cleaning changed it (what supabase-js really sends).
	RawSettings *Answer
	// JWKS is GET /auth/v1/.well-known/jwks.json, which the gateway serves
	// without a key.
	JWKS Answer
	// Rest is GET /rest/v1/ with the key as apikey and bearer, as
	// supabase-js sends it before a user signs in: PostgREST verifies a
	// legacy key's signature itself.
	Rest Answer
}

// BrowserEvidence is what the real supabase-js did in Chromium on
// mfconform's page (ClientURL: the app origin of the reference project's
// app, a name of mfconform's beside a real app).
type BrowserEvidence struct {
	Cors     CorsResult
	CorsErrs []string // Chromium's CORS errors on requests to the project
	// Redirects are the project's answers that pointed elsewhere; the
	// page's fetch followed none of them.
	Redirects []Redirect
	Run       *RunResult
	// Shots is the page after supabase-js ran, shown with specs that fail.
	Shots []result.Screenshot
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

// RefreshStep is one refresh-token grant: the answer and a fingerprint of
// the refresh token it returned (never the token).
type RefreshStep struct {
	Answer
	// Returned is a fingerprint of the refresh token in the answer, "" when
	// none.
	Returned string
}

// RefreshSequence is the refresh-token work of SB-SESSION-003, in GoTrue's
// terms (internal/tokens/service.go): sign-in gives R0; refreshing R0
// gives R1; R0 again while R1 is active; R1 gives R2; R0 again, now two
// generations old; then R2.
type RefreshSequence struct {
	R0, R1                   string // fingerprints
	First                    RefreshStep
	ReuseParent              RefreshStep
	Second                   RefreshStep
	ReuseOld                 RefreshStep
	AfterReuse               RefreshStep
	ReuseOldAfterWait        *RefreshStep // --thorough only: an older token reused after the reuse interval
	Waited                   time.Duration
	ReuseOldAt, FirstRevoked time.Time
}

// SessionEvidence is a Go-side sign-in of the test user and what the auth
// API does with its tokens and with forged ones.
type SessionEvidence struct {
	// Forged is /user with a copy of the access token signed with a random
	// key.
	Forged Answer
	// SignIn is the password grant; Access its access token, parsed (it
	// prints redacted). The rest needs a signed-in user.
	SignIn  Answer
	Access  *jwtcheck.Parsed
	Refresh RefreshSequence
	// UserExpired is /user with an expired token signed with the JWT
	// secret; nil without the secret.
	UserExpired *Answer
}

// Gather gathers the evidence bundles the selected specs (IDs; nil means
// all) need, concurrently, and returns the run the specs judge (the
// runner judges it: judge.Resolve over Checks) and each bundle's timing.
// Every secret it holds or learns goes into the run's redaction set
// (e.Known) first. thorough allows the slow steps (waiting out a
// refresh-token reuse interval).
func Gather(ctx context.Context, e *env.Env, selected []result.SpecID, thorough bool, progress gather.Progress) (*Run, []result.Bundle) {
	t := *e.Supabase
	r := &Run{Target: t, Thresholds: e.Thresholds, Now: e.Now()}
	e.Known.AddSecret(string(t.JWTSecret), t.Password, t.Key, strings.TrimSpace(t.Key), strings.Trim(strings.TrimSpace(t.Key), `"'`))
	r.URL, _ = sbcheck.CheckURL(t.URL)
	r.Key, _ = sbcheck.ReadKey(t.Key)
	need := map[string]bool{}
	for _, c := range Checks() {
		if selected == nil || slices.Contains(selected, c.ID) {
			for _, b := range c.Bundles {
				need[b] = true
			}
		}
	}
	var jobs []gather.Job
	// A sign-out through the operator's app may end every session of the
	// test user (supabase-js signs out "global" by default): the cookie
	// bundle runs it only once the bundles that hold sessions are done.
	var holders sync.WaitGroup
	holding := func(run func(context.Context) error) func(context.Context) error {
		holders.Add(1)
		return func(ctx context.Context) error {
			defer holders.Done()
			return run(ctx)
		}
	}
	others := func(ctx context.Context) {
		done := make(chan struct{})
		go func() { holders.Wait(); close(done) }()
		select {
		case <-done:
		case <-ctx.Done():
		}
	}
	if r.URL.Origin != "" && need[BundleConfig] {
		jobs = append(jobs, gather.Job{Name: BundleConfig, Run: func(ctx context.Context) error {
			r.Config = gatherConfig(ctx, e, r.URL, r.Key)
			return r.Config.Health.Err
		}})
	}
	if r.URL.Origin != "" && r.Key.Clean != "" && need[BundleBrowser] {
		jobs = append(jobs, gather.Job{Name: BundleBrowser, Run: holding(func(ctx context.Context) error {
			if origin := appOwnOrigin(t); origin != "" {
				r.AppCORS = gatherOriginCORS(ctx, e, r.URL, r.Key, origin)
			}
			r.Browser, r.BrowserErr = gatherBrowser(ctx, e, r.URL, r.Key)
			return r.BrowserErr
		})})
	}
	if r.URL.Origin != "" && need[BundleSession] {
		jobs = append(jobs, gather.Job{Name: BundleSession, Run: holding(func(ctx context.Context) error {
			r.Session, r.SessionErr = gatherSession(ctx, e, r.URL, r.Key, thorough)
			return r.SessionErr
		})})
	}
	if r.URL.Origin != "" && r.Key.Clean != "" && need[BundleCookie] {
		jobs = append(jobs, gather.Job{Name: BundleCookie, Run: func(ctx context.Context) error {
			r.Cookie, r.CookieErr = gatherCookie(ctx, e, r.URL, r.Key, others)
			return r.CookieErr
		}})
	}
	timings := gather.All(ctx, e.Known, e.Timeouts.Evidence, progress, jobs...)
	return r, timings
}

// request makes one bounded Go-side request to the project.
func request(ctx context.Context, e *env.Env, method, url, key, bearer string, body any) Answer {
	pctx, cancel := context.WithTimeout(ctx, e.Timeouts.Probe)
	defer cancel()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return Answer{Err: err}
		}
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
	return Answer{Status: resp.StatusCode, Body: b, Header: resp.Header, Err: err, At: e.Now(),
		Redirect: newRedirect(method, req.URL, resp.StatusCode, resp.Header.Get("Location"))}
}

func gatherConfig(ctx context.Context, e *env.Env, u sbcheck.URLInfo, k sbcheck.KeyInfo) *ConfigEvidence {
	ev := &ConfigEvidence{}
	ev.Health = request(ctx, e, "GET", u.Origin+"/auth/v1/health", k.Clean, "", nil)
	if ev.Health.Err != nil {
		return ev
	}
	ev.JWKS = request(ctx, e, "GET", u.Origin+"/auth/v1/.well-known/jwks.json", "", "", nil)
	ev.Settings = request(ctx, e, "GET", u.Origin+"/auth/v1/settings", k.Clean, "", nil)
	if k.Clean != e.Supabase.Key && validHeaderValue(e.Supabase.Key) {
		raw := request(ctx, e, "GET", u.Origin+"/auth/v1/settings", e.Supabase.Key, "", nil)
		ev.RawSettings = &raw
	}
	if k.Clean != "" {
		bearer := ""
		if k.Kind == sbcheck.KeyLegacyJWT {
			bearer = k.Clean
		}
		ev.Rest = request(ctx, e, "GET", u.Origin+"/rest/v1/", k.Clean, bearer, nil)
	}
	return ev
}

// validHeaderValue reports whether v can be sent as a header at all (a
// browser refuses a value with a newline before any request is made).
func validHeaderValue(v string) bool { return !strings.ContainsAny(v, "\r\n") }

func gatherBrowser(ctx context.Context, e *env.Env, u sbcheck.URLInfo, k sbcheck.KeyInfo) (*BrowserEvidence, error) {
	if e.Supabase.ClientErr != nil {
		return nil, e.Supabase.ClientErr
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
		return nil, fmt.Errorf("open mfconform's supabase-js page on %s: %w", e.Supabase.ClientURL, err)
	}
	ev := &BrowserEvidence{}
	defer func() { ev.Redirects = browserRedirects(s.Exchanges(), u.Origin) }()
	args, err := json.Marshal(map[string]string{"url": u.Origin, "key": k.Clean, "email": e.Supabase.Email, "password": e.Supabase.Password})
	if err != nil {
		return nil, err
	}
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
		ev.Shots = []result.Screenshot{{Caption: "mfconform's supabase-js page on " + e.Supabase.ClientURL, PNG: png}}
	}
	for _, x := range s.Exchanges() {
		if strings.HasPrefix(x.URL, u.Origin) && strings.Contains(x.Failed, "CORS") {
			ev.CorsErrs = append(ev.CorsErrs, x.Method+" "+strings.TrimPrefix(x.URL, u.Origin)+": "+x.Failed)
		}
	}
	return ev, nil
}

// reuseWait is how long --thorough waits before reusing an old refresh
// token a second time: past the hosted platform's 10 s reuse interval.
const reuseWait = 11 * time.Second

func gatherSession(ctx context.Context, e *env.Env, u sbcheck.URLInfo, k sbcheck.KeyInfo, thorough bool) (*SessionEvidence, error) {
	ev := &SessionEvidence{}
	if e.Supabase.Email == "" {
		return ev, nil
	}
	ev.SignIn = request(ctx, e, "POST", u.Origin+"/auth/v1/token?grant_type=password", k.Clean, "",
		map[string]string{"email": e.Supabase.Email, "password": e.Supabase.Password})
	if ev.SignIn.Err != nil {
		return ev, fmt.Errorf("sign the test user in: %w", ev.SignIn.Err)
	}
	tok, ok := tokens(e.Known, ev.SignIn)
	if ev.SignIn.Status != http.StatusOK || !ok {
		return ev, nil
	}
	ev.Access, _ = jwtcheck.Parse(tok.Access)
	if ev.Access == nil {
		return ev, nil
	}
	// Both probes copy the real session's claims, so a server that skips a
	// check finds a real user and session and answers 200; only the one
	// thing under test differs. Times are the project's own (its Date
	// header), so a skewed project clock (SB-SESSION-006's finding) does
	// not pass for a missing expiry check.
	serverNow := ev.SignIn.Date()
	if serverNow.IsZero() {
		serverNow = e.Now()
	}
	forged, err := mintLike(ev.Access, []byte(fmt.Sprintf("mfconform-forged-%d-not-the-project-secret", e.Now().UnixNano())), serverNow, time.Hour)
	if err != nil {
		return ev, fmt.Errorf("mint a forged token: %w", err)
	}
	e.Known.AddToken(forged)
	ev.Forged = request(ctx, e, "GET", u.Origin+"/auth/v1/user", k.Clean, forged, nil)
	if len(e.Supabase.JWTSecret) > 0 {
		expired, err := mintLike(ev.Access, e.Supabase.JWTSecret, serverNow.Add(-time.Hour), 0)
		if err != nil {
			return ev, fmt.Errorf("mint an expired token: %w", err)
		}
		e.Known.AddToken(expired)
		a := request(ctx, e, "GET", u.Origin+"/auth/v1/user", k.Clean, expired, nil)
		ev.UserExpired = &a
	}
	ev.Refresh = refreshSequence(ctx, e, u.Origin, k.Clean, tok.Refresh, thorough)
	return ev, nil
}

// mintLike signs an HS256 copy of the access token's claims with key,
// issued an hour before exp, which lies life after at (0: at itself).
func mintLike(access *jwtcheck.Parsed, key []byte, at time.Time, life time.Duration) (string, error) {
	claims := map[string]any{}
	for c, v := range access.Claims {
		claims[c] = v
	}
	exp := at.Add(life)
	claims["iat"], claims["exp"] = exp.Add(-time.Hour).Unix(), exp.Unix()
	return jwtcheck.Mint("HS256", key, claims)
}

// sessionTokens are the tokens of a token-grant answer.
type sessionTokens struct {
	Access  string `json:"access_token"`
	Refresh string `json:"refresh_token"`
}

// tokens reads the tokens of a successful grant and registers them with
// the run's redaction set known.
func tokens(known *redact.Set, a Answer) (sessionTokens, bool) {
	var t sessionTokens
	if a.Err != nil || a.Status != http.StatusOK || json.Unmarshal(a.Body, &t) != nil || t.Access == "" || t.Refresh == "" {
		return sessionTokens{}, false
	}
	known.AddToken(t.Access)
	known.AddSecret(t.Refresh)
	return t, true
}

// refreshSequence runs the refresh-token grants of RefreshSequence.
func refreshSequence(ctx context.Context, e *env.Env, origin, key, r0 string, thorough bool) RefreshSequence {
	grant := func(rt string) (RefreshStep, string) {
		a := request(ctx, e, "POST", origin+"/auth/v1/token?grant_type=refresh_token", key, "", map[string]string{"refresh_token": rt})
		t, _ := tokens(e.Known, a)
		return RefreshStep{Answer: a, Returned: fingerprint(t.Refresh)}, t.Refresh
	}
	seq := RefreshSequence{R0: fingerprint(r0)}
	var r1, r2 string
	seq.First, r1 = grant(r0)
	seq.FirstRevoked = seq.First.At
	if r1 == "" {
		return seq
	}
	seq.R1 = fingerprint(r1)
	seq.ReuseParent, _ = grant(r0)
	seq.Second, r2 = grant(r1)
	if r2 == "" {
		return seq
	}
	seq.ReuseOld, _ = grant(r0)
	seq.ReuseOldAt = seq.ReuseOld.At
	seq.AfterReuse, _ = grant(r2)
	if thorough && ok2xx(seq.ReuseOld.Status) {
		seq.ReuseOldAfterWait, seq.Waited = reuseAfterWait(ctx, e, origin, key, grant)
	}
	return seq
}

// reuseAfterWait signs in afresh, makes a token two generations old, waits
// past a reuse interval, and reuses it.
func reuseAfterWait(ctx context.Context, e *env.Env, origin, key string, grant func(string) (RefreshStep, string)) (*RefreshStep, time.Duration) {
	in := request(ctx, e, "POST", origin+"/auth/v1/token?grant_type=password", key, "",
		map[string]string{"email": e.Supabase.Email, "password": e.Supabase.Password})
	t, ok := tokens(e.Known, in)
	if !ok {
		return nil, 0
	}
	_, a1 := grant(t.Refresh)
	if a1 == "" {
		return nil, 0
	}
	if _, a2 := grant(a1); a2 == "" {
		return nil, 0
	}
	start := time.Now()
	select {
	case <-ctx.Done():
		return nil, time.Since(start)
	case <-time.After(reuseWait):
	}
	s, _ := grant(t.Refresh)
	return &s, time.Since(start)
}

// fingerprint identifies a token for comparisons without keeping it.
func fingerprint(tok string) string {
	if tok == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:8])
}
