package supabase

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/chromedp/cdproto/network"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/harness/clientsite"
	"github.com/mfconform/mfconform/harness/ssrserver"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/login"
	"github.com/mfconform/mfconform/suites/result"
	"github.com/mfconform/mfconform/suites/sbcheck"
)

// Who wrote the cookie session (CookieEvidence.Writer).
const (
	// WriterReference is mfconform's reference app page on the app's
	// host name (no login_script): the app under test for the embedded
	// reference project, mfconform's own page for a real one.
	WriterReference = "reference app"
	// WriterScript is the app's own sign-in page, driven by
	// supabase.login_script.
	WriterScript = "login_script"
)

// CookieEvidence is one browser session of the app in Supabase mode: the
// sign-in through the app, where the session then lives, the session
// cookies with Chromium's verdicts on the way to the server side on a
// sibling host (and into another site's iframe when the app is embedded),
// and what sign-out leaves. Cookie values are kept only to read the
// session; nothing here is printed as is.
type CookieEvidence struct {
	Writer string
	// ExpectedKey is the cookie name for NEXT_PUBLIC_SUPABASE_URL's ref.
	ExpectedKey string
	// AppURL is the page the sign-in ended on.
	AppURL string
	// SignIn is the reference app's own sign-in result (WriterReference);
	// SignInErr why the sign-in could not run or complete (a login_script
	// step, the page) when no session was stored.
	SignIn    *AppResult
	SignInErr error
	// ScriptErr is the login_script step that failed after the app had
	// stored the session: the sign-in completed — the evidence, not the
	// script's last step, says so — but the page the script waited for
	// did not appear (the server side may have refused it: AppServer).
	ScriptErr error
	// Cookies are the jar's Supabase session cookies after sign-in, with
	// every attribute.
	Cookies []*network.Cookie
	// LocalKeys are the app origin's localStorage keys named like a
	// Supabase session.
	LocalKeys []string
	// Writes are the document.cookie writes of session cookies during the
	// sign-in; SetCookies the session cookies set by the app's responses,
	// with Chromium's verdicts.
	Writes     []browser.CookieWrite
	SetCookies []browser.SetCookieVerdict
	// Verify is the project's answer to GET /auth/v1/user with the access
	// token read from the ExpectedKey cookies (nil when there was none).
	Verify *Answer
	// Server is the top-level navigation to the server side's stand-in;
	// nil when not made (no session cookie, or the app's own server side
	// is named).
	Server *ServerVisit
	// AppServer is the top-level navigation to the app's own server side
	// (supabase.server_check); nil when none is named or no session
	// cookie was stored.
	AppServer *AppServerVisit
	// Embed is the page of another site embedding the app's page (only
	// when the app is embedded).
	Embed *EmbedVisit
	// SignOut is what sign-out left; nil when it was not run.
	SignOut *SignOutEvidence
	// Shots show the app page after sign-in with specs that fail.
	Shots []result.Screenshot
}

// AppResult is the reference app's mfApp.signIn or signOut answer; it
// never holds a token or the password.
type AppResult struct {
	OK      bool   `json:"ok"`
	Status  int    `json:"status"`
	Code    string `json:"code"`
	Name    string `json:"name"`
	Message string `json:"message"`
	UserID  string `json:"userId"`
}

// ServerVisit is one navigation to the server-side stand-in.
type ServerVisit struct {
	URL string
	// Verdicts are Chromium's verdicts on the session cookies for the
	// request.
	Verdicts []browser.CookieVerdict
	// Answer is what the stand-in read from the cookies; nil when the
	// visit failed (Err).
	Answer *ssrserver.Answer
	Err    error
}

// AppServerVisit is one top-level navigation to the app's own server side
// (supabase.server_check): what the browser sent and what the page
// answered. Body is the page's text as Chromium shows it, bounded: target
// text, cleaned and redacted before it is shown.
type AppServerVisit struct {
	Check env.ServerCheck
	// URL is the check's URL as Chromium requests it.
	URL string
	// Status and Location are the first answer's (a redirect's target
	// when it redirected); FinalURL is where the navigation ended.
	Status   int
	Location string
	FinalURL string
	// Verdicts are Chromium's verdicts on the session cookies for the
	// request.
	Verdicts []browser.CookieVerdict
	Body     string
	Err      error
}

// maxServerBody bounds what is kept of the app's server-side answer.
const maxServerBody = 8 << 10

// EmbedVisit is the page of another site that embeds an app page (Frame)
// in an iframe and fetches a URL of the app (Fetch) with credentials.
type EmbedVisit struct {
	Page string
	// FrameURL and FetchURL are what the page embeds and fetches; Judged
	// says whose page that is (the operator's app, or the reference
	// deployment's server side).
	FrameURL, FetchURL, Judged string
	// Frame and Fetch are Chromium's verdicts on the session cookies for
	// the iframe's and the fetch's requests; FrameSeen and FetchSeen say
	// whether those requests were observed.
	Frame, Fetch         []browser.CookieVerdict
	FrameSeen, FetchSeen bool
	Err                  error
}

// SignOutEvidence is what the sign-out left in the browser.
type SignOutEvidence struct {
	// How is "the app's mfApp.signOut()" or "supabase.logout_script".
	How    string
	Result *AppResult
	Err    error
	// Left are the session cookies still in the jar; Writes the
	// document.cookie writes of session cookies the sign-out made.
	Left   []*network.Cookie
	Writes []browser.CookieWrite
}

// Groups reads the session cookies after sign-in, grouped by storage key.
func (c *CookieEvidence) Groups() []sbcheck.CookieSession { return readCookies(c.Cookies) }

// Group is the ExpectedKey's cookies, nil when there are none.
func (c *CookieEvidence) Group() *sbcheck.CookieSession {
	for _, g := range c.Groups() {
		if g.Key == c.ExpectedKey {
			return &g
		}
	}
	return nil
}

// signedIn reports whether the sign-in completed.
func (c *CookieEvidence) signedIn() bool {
	return c.SignInErr == nil && (c.SignIn == nil || c.SignIn.OK)
}

// sessionStored reports whether the browser holds a session after sign-in:
// session cookies that read to a session (under any storage key), or a
// localStorage entry named like one. That, not a login_script's last
// step, says the sign-in completed.
func (c *CookieEvidence) sessionStored() bool {
	if len(c.LocalKeys) > 0 {
		return true
	}
	for _, g := range c.Groups() {
		if g.Session != nil {
			return true
		}
	}
	return false
}

// readCookies reads network cookies as the checks do.
func readCookies(cs []*network.Cookie) []sbcheck.CookieSession {
	var jar []sbcheck.StoredCookie
	for _, c := range cs {
		jar = append(jar, sbcheck.StoredCookie{Name: c.Name, Value: c.Value, Size: int(c.Size)})
	}
	return sbcheck.ReadSessionCookies(jar)
}

// sessionCookiesOf keeps the Supabase session cookies of a jar.
func sessionCookiesOf(jar []*network.Cookie) []*network.Cookie {
	var out []*network.Cookie
	for _, c := range jar {
		if _, _, ok := sbcheck.SessionCookieKey(c.Name); ok {
			out = append(out, c)
		}
	}
	return out
}

// sessionVerdicts keeps Chromium's verdicts on session cookies.
func sessionVerdicts(vs []browser.CookieVerdict) []browser.CookieVerdict {
	var out []browser.CookieVerdict
	for _, v := range vs {
		if _, _, ok := sbcheck.SessionCookieKey(v.Name); ok {
			out = append(out, v)
		}
	}
	return out
}

// localKeysScript lists the page's localStorage keys named like a session.
const localKeysScript = `(() => { try { return Object.keys(localStorage).filter(k => /^sb-.+-auth-token$/.test(k)).sort(); } catch (_) { return []; } })()`

// gatherCookie signs the test user in through the app in a fresh browser
// context that records document.cookie writes — the app's own page with
// supabase.login_script, else the reference app on ClientURL —
// and follows the session: where it is stored, to the server side's
// stand-in on a sibling host, into another site's iframe when the app is
// embedded, and through sign-out. others waits until the other bundles
// that hold sessions of the test user are done, before a logout_script
// that may end them all.
func gatherCookie(ctx context.Context, e *env.Env, u sbcheck.URLInfo, k sbcheck.KeyInfo, others func(context.Context)) (*CookieEvidence, error) {
	t := e.Supabase
	ev := &CookieEvidence{Writer: WriterReference, ExpectedKey: sbcheck.StorageKey(u.Ref)}
	script := len(t.LoginScript) > 0
	if script {
		ev.Writer = WriterScript
	} else {
		if t.ClientErr != nil {
			return nil, t.ClientErr
		}
		if t.CookieClientErr != nil {
			return nil, t.CookieClientErr
		}
	}
	sctx, scancel := context.WithTimeout(ctx, e.Timeouts.Session)
	s, err := e.Browser.NewSession(sctx, browser.SessionOptions{RecordCookieWrites: true, BlockThirdPartyCookies: e.BlockThirdPartyCookies})
	scancel()
	if err != nil {
		return nil, err
	}
	defer s.Close()

	mark := s.Mark()
	if script {
		ev.SignInErr = login.Run(ctx, s, "login", t.LoginScript, e.Timeouts.Navigation)
	} else {
		ev.SignIn, ev.SignInErr = appCall(ctx, e, s, t.ClientURL, "signIn", t.Email, t.Password)
	}
	writes := len(s.CookieWrites())
	if err := ev.readSignIn(ctx, e, s, mark); err != nil && ev.SignInErr == nil {
		ev.SignInErr = err
	}
	if script && ev.SignInErr != nil && ev.sessionStored() {
		// The app stored the session: the sign-in completed, whatever
		// the script's failed step (often its last wait, for a page the
		// server side refused) says. The step is reported as such.
		ev.ScriptErr, ev.SignInErr = ev.SignInErr, nil
		ev.Shots = append(ev.Shots, shot(ctx, e, s, "the app page when the login_script stopped ("+ev.AppURL+")"))
	}
	if !ev.signedIn() || len(ev.Cookies) == 0 {
		// Shown with the spec that says why: the page may show an error.
		if len(ev.Shots) == 0 {
			ev.Shots = append(ev.Shots, shot(ctx, e, s, "the app page after sign-in ("+ev.AppURL+")"))
		}
		return ev, nil
	}
	if g := ev.Group(); g != nil && g.Session != nil {
		a := request(ctx, e, "GET", u.Origin+"/auth/v1/user", k.Clean, g.Session.AccessToken, nil)
		ev.Verify = &a
	}
	switch {
	case t.ServerCheck.URL != "":
		ev.AppServer = visitAppServer(ctx, e, s, t.ServerCheck)
	case t.ServerURL != "":
		ev.Server = visitServer(ctx, e, s, t.ServerURL)
	}
	if t.Embedded && t.EmbedURL != "" {
		if frame, fetch, judged := embedTargets(*t, ev); frame != "" {
			ev.Embed = embedPage(ctx, e, s, t.EmbedURL, frame, fetch, judged)
		}
	}
	if script {
		others(ctx)
	}
	ev.SignOut = signOut(ctx, e, s, script, writes)
	return ev, nil
}

// appCall navigates to the reference app's home page and runs
// mfApp.<fn>(args…).
func appCall(ctx context.Context, e *env.Env, s *browser.Session, clientURL, fn string, args ...string) (*AppResult, error) {
	nctx, ncancel := context.WithTimeout(ctx, e.Timeouts.Navigation)
	_, err := s.Navigate(nctx, clientURL+clientsite.AppPath)
	ncancel()
	if err != nil {
		return nil, fmt.Errorf("open the reference app on %s: %w", clientURL, err)
	}
	var quoted []string
	for _, a := range args {
		b, _ := json.Marshal(a)
		quoted = append(quoted, string(b))
	}
	jctx, jcancel := context.WithTimeout(ctx, 2*e.Timeouts.Script)
	defer jcancel()
	r, err := browser.Evaluate[AppResult](jctx, s, "mfApp."+fn+"("+strings.Join(quoted, ", ")+")")
	if err != nil {
		return nil, fmt.Errorf("run the reference app's %s: %w", fn, err)
	}
	return &r, nil
}

// readSignIn records what the sign-in left: the page, the session cookies,
// localStorage, the cookie writes and the Set-Cookie verdicts since mark.
func (ev *CookieEvidence) readSignIn(ctx context.Context, e *env.Env, s *browser.Session, mark int) error {
	// A login_script ends when its last step does, possibly while a page
	// it started is still loading: read the page once it has.
	nctx, ncancel := context.WithTimeout(ctx, e.Timeouts.Navigation)
	for _, x := range s.Exchanges()[mark:] {
		if x.Type == "Document" && !x.Complete() {
			_, _ = s.WaitExchange(nctx, mark, func(y browser.Exchange) bool { return y.RequestID == x.RequestID && y.URL == x.URL })
		}
	}
	ncancel()
	rctx, cancel := context.WithTimeout(ctx, e.Timeouts.Script)
	defer cancel()
	type page struct {
		URL  string   `json:"url"`
		Keys []string `json:"keys"`
	}
	p, err := browser.Evaluate[page](rctx, s, `({url: location.origin + location.pathname, keys: `+localKeysScript+`})`)
	if err == nil {
		ev.AppURL, ev.LocalKeys = p.URL, p.Keys
	}
	for _, x := range s.Exchanges()[mark:] {
		for _, sc := range x.SetCookies {
			if _, _, ok := sbcheck.SessionCookieKey(sc.Name); ok {
				ev.SetCookies = append(ev.SetCookies, sc)
			}
		}
	}
	for _, w := range s.CookieWrites() {
		if _, _, ok := sbcheck.SessionCookieKey(w.Name); ok {
			ev.Writes = append(ev.Writes, w)
		}
	}
	// The app writes its session with document.cookie: the store may lag
	// the page by a moment.
	jar, jerr := s.SettledCookies(rctx)
	if jerr != nil {
		return fmt.Errorf("read the cookie store after sign-in: %w", jerr)
	}
	ev.Cookies = sessionCookiesOf(jar)
	// The app's server side may echo what it received: what the cookies
	// hold never leaves in a report.
	for _, ck := range ev.Cookies {
		e.Known.AddSecret(ck.Value)
	}
	for _, g := range ev.Groups() {
		if g.Session != nil {
			e.Known.AddToken(g.Session.AccessToken)
			e.Known.AddSecret(g.Session.RefreshToken)
		}
	}
	if err != nil {
		return fmt.Errorf("read the app page after sign-in: %w", err)
	}
	return nil
}

// visitServer navigates to the stand-in's /whoami and reads its answer.
func visitServer(ctx context.Context, e *env.Env, s *browser.Session, serverURL string) *ServerVisit {
	v := &ServerVisit{URL: serverURL + ssrserver.WhoAmIPath}
	nctx, ncancel := context.WithTimeout(ctx, e.Timeouts.Navigation)
	x, err := s.Navigate(nctx, v.URL)
	ncancel()
	if err != nil {
		v.Err = fmt.Errorf("open mfconform's server-side stand-in: %w", err)
		return v
	}
	v.Verdicts = sessionVerdicts(x.Cookies)
	jctx, jcancel := context.WithTimeout(ctx, e.Timeouts.Script)
	defer jcancel()
	a, err := browser.Evaluate[ssrserver.Answer](jctx, s, `JSON.parse(document.body.innerText)`)
	if err != nil {
		v.Err = fmt.Errorf("read the server-side stand-in's answer: %w", err)
		return v
	}
	v.Answer = &a
	return v
}

// embedTargets chooses the page another site embeds and the URL it
// fetches, and says whose they are: the operator's app page
// (supabase.embed_url) and server side (supabase.server_check) when named;
// else, for the reference deployment, its server side's stand-in when the
// cookies' Domain covers its host; else the page the app's sign-in ended
// on — a host the app's cookies cover, so a host-only cookie is never
// withheld for mfconform's sake.
func embedTargets(t env.SupabaseTarget, ev *CookieEvidence) (frame, fetch, judged string) {
	if t.EmbedPage != "" || t.ServerCheck.URL != "" {
		frame, fetch = first(t.EmbedPage, t.ServerCheck.URL), first(t.ServerCheck.URL, t.EmbedPage)
		return browserURL(frame), browserURL(fetch), "your app's own pages"
	}
	if t.Reference && t.ServerURL != "" && ev.covers(t.ServerHost) {
		return t.ServerURL + ssrserver.PagePath, t.ServerURL + ssrserver.WhoAmIPath, "the reference deployment's server side (mfconform's stand-in on " + t.ServerHost + ")"
	}
	if ev.AppURL == "" {
		return "", "", ""
	}
	return ev.AppURL, ev.AppURL, "the page the app's sign-in ended on (no supabase.embed_url or supabase.server_check named)"
}

// covers reports whether every session cookie of the expected name is
// sent to host by its Domain.
func (c *CookieEvidence) covers(host string) bool {
	g := c.Group()
	if g == nil {
		return false
	}
	for _, ck := range groupCookies(c, g) {
		if !sbcheck.DomainCovers(ck.Domain, !strings.HasPrefix(ck.Domain, "."), host) {
			return false
		}
	}
	return true
}

func first(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// browserURL is raw as Chromium reports the request's URL: scheme and host
// lower-cased, the scheme's default port dropped, "/" for an empty path.
// An unparsable URL is returned as is (the navigation says what is wrong).
func browserURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	if p := u.Port(); p == "443" && u.Scheme == "https" || p == "80" && u.Scheme == "http" {
		u.Host = u.Hostname()
	}
	if u.Path == "" {
		u.Path = "/"
	}
	u.Fragment = ""
	return u.String()
}

// embedPage loads the other site's page that embeds frame in an iframe and
// fetches fetch with credentials, and records Chromium's verdicts on the
// session cookies for both requests.
func embedPage(ctx context.Context, e *env.Env, s *browser.Session, embedURL, frame, fetch, judged string) *EmbedVisit {
	v := &EmbedVisit{Page: embedURL + "/embed?" + url.Values{"frame": {frame}, "fetch": {fetch}}.Encode(), FrameURL: frame, FetchURL: fetch, Judged: judged}
	nctx, cancel := context.WithTimeout(ctx, e.Timeouts.Navigation)
	defer cancel()
	mark := s.Mark()
	if _, err := s.Navigate(nctx, v.Page); err != nil {
		v.Err = fmt.Errorf("open the embedding page: %w", err)
		return v
	}
	jctx, jcancel := context.WithTimeout(ctx, e.Timeouts.Script)
	_, err := browser.Evaluate[map[string]any](jctx, s, `window.mfEmbedDone`)
	jcancel()
	if err != nil {
		v.Err = fmt.Errorf("wait for the embedding page: %w", err)
		return v
	}
	// A cross-site iframe's response may never reach this session: wait
	// for the request's verdicts only.
	if x, err := s.WaitRequest(nctx, mark, func(x browser.Exchange) bool { return x.URL == frame && x.Type == "Document" }); err == nil {
		v.Frame, v.FrameSeen = sessionVerdicts(x.Cookies), true
	}
	if x, err := s.WaitRequest(nctx, mark, func(x browser.Exchange) bool { return x.URL == fetch && x.Type == "Fetch" }); err == nil {
		v.Fetch, v.FetchSeen = sessionVerdicts(x.Cookies), true
	}
	return v
}

// visitAppServer navigates to the app's own server side and records what
// the browser sent, how the page answered and the text it shows.
func visitAppServer(ctx context.Context, e *env.Env, s *browser.Session, chk env.ServerCheck) *AppServerVisit {
	v := &AppServerVisit{Check: chk, URL: browserURL(chk.URL)}
	nctx, ncancel := context.WithTimeout(ctx, e.Timeouts.Navigation)
	x, err := s.Navigate(nctx, v.URL)
	ncancel()
	if err != nil {
		v.Err = fmt.Errorf("open your server side's page %s: %w", v.URL, err)
		return v
	}
	v.Status, v.Location = x.Status, x.Header("location")
	v.Verdicts = sessionVerdicts(x.Cookies)
	jctx, jcancel := context.WithTimeout(ctx, e.Timeouts.Script)
	defer jcancel()
	type page struct {
		URL  string `json:"url"`
		Text string `json:"text"`
	}
	p, err := browser.Evaluate[page](jctx, s, `({url: location.href, text: document.body ? document.body.innerText.slice(0, `+fmt.Sprint(maxServerBody)+`) : ""})`)
	if err == nil {
		v.FinalURL, v.Body = p.URL, result.Cut(p.Text, maxServerBody)
	}
	return v
}

// signOut signs out through the app — mfApp.signOut() on the reference
// app, or the operator's logout_script — and records what is left; nil
// for a login_script run without a logout script. writes is how many
// cookie writes the sign-in made.
func signOut(ctx context.Context, e *env.Env, s *browser.Session, script bool, writes int) *SignOutEvidence {
	t := e.Supabase
	out := &SignOutEvidence{How: "the app's sign-out (mfApp.signOut on " + clientsite.AppPath + ")"}
	switch {
	case script && len(t.LogoutScript) == 0:
		return nil
	case script:
		out.How = "supabase.logout_script"
		out.Err = login.Run(ctx, s, "logout", t.LogoutScript, e.Timeouts.Navigation)
	default:
		out.Result, out.Err = appCall(ctx, e, s, t.ClientURL, "signOut")
	}
	all := s.CookieWrites()
	for _, w := range all[min(writes, len(all)):] {
		if _, _, ok := sbcheck.SessionCookieKey(w.Name); ok {
			out.Writes = append(out.Writes, w)
		}
	}
	rctx, cancel := context.WithTimeout(ctx, e.Timeouts.Script)
	defer cancel()
	// The sign-out clears with document.cookie: read the store once it has
	// caught up with the page, or a clear still on its way reads as stale.
	jar, err := s.SettledCookies(rctx)
	if err != nil {
		out.Err = fmt.Errorf("read the cookie store after sign-out: %w", err)
		return out
	}
	out.Left = sessionCookiesOf(jar)
	return out
}

// shot captures the page, bounded by the script timeout; a failed capture
// yields an empty screenshot (evidence is best effort).
func shot(ctx context.Context, e *env.Env, s *browser.Session, caption string) result.Screenshot {
	sctx, cancel := context.WithTimeout(ctx, e.Timeouts.Script)
	defer cancel()
	png, err := s.Screenshot(sctx)
	if err != nil {
		return result.Screenshot{Caption: caption + " (no screenshot: " + err.Error() + ")"}
	}
	return result.Screenshot{Caption: caption, PNG: png}
}
