package jwt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/chromedp/cdproto/network"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/suites/cookieattr"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	loginscript "github.com/mfconform/mfconform/suites/login"
	"github.com/mfconform/mfconform/suites/result"
)

// CookieName is the cookie the contract names.
const CookieName = "mf_jwt_token"

// LoginEvidence is what one browser session saw from login to the app: the
// Set-Cookie lines with Chromium's verdicts, the stored cookie, whether the
// cookie reached the app on a top-level navigation, and what the app page
// could read. It is gathered once per run and judged by many specs.
type LoginEvidence struct {
	// Chain is the login navigation, one exchange per redirect hop.
	Chain []browser.Exchange
	// SetCookie is the Set-Cookie line named exactly mf_jwt_token, if any,
	// and the exchange that carried it.
	SetCookie *browser.SetCookieVerdict
	SetBy     *browser.Exchange
	// Others are the names of the other cookies the login set.
	Others []string
	// Jar is every cookie stored after login; Stored is mf_jwt_token in it.
	Jar    []*network.Cookie
	Stored *network.Cookie
	// LoginDate is the Date header of the response that set the cookie (or
	// of the last hop), and ReceivedAt our clock when it arrived.
	LoginDate  time.Time
	ReceivedAt time.Time

	// Partition is the top-level site Chromium keyed the stored cookie to
	// (its CHIPS partitionKey), "" for an unpartitioned cookie.
	Partition string

	// AppNav is the top-level navigation to the app after login and
	// AppNavCookie the verdict on the login's mf_jwt_token on it (nil: not
	// considered). AppNavCookies are every cookie named mf_jwt_token
	// Chromium considered for it, in the order of the Cookie header: more
	// than one sent is a duplicate (JWT-COOKIE-010).
	AppNav        browser.Exchange
	AppNavCookie  *browser.CookieVerdict
	AppNavCookies []browser.CookieVerdict
	// DocumentCookieHasToken is true when the app page's scripts could read
	// mf_jwt_token through document.cookie.
	DocumentCookieHasToken bool
	// AppProbe is the app's answer to a same-origin fetch of the probe path
	// from the app page, with the cookie the browser holds, and
	// AppProbeCookie Chromium's verdict on mf_jwt_token for that request
	// (nil: not considered, or the request's events never arrived).
	AppProbe        ProbeResult
	AppProbeCookie  *browser.CookieVerdict
	AppProbeCookies []browser.CookieVerdict

	// Cross-site: the app embedded in an iframe, fetched with credentials,
	// and opened through a link, from a page on another site.
	Embed EmbedEvidence

	// Shots are screenshots of the app page and the embedding page, shown
	// with browser specs that do not pass.
	Shots []result.Screenshot

	// AppErr and EmbedErr say why the app or the embedding page could not
	// be observed after a successful login (the app being down is
	// JWT-APP-001's finding; the cookie specs that need it skip).
	AppErr   error
	EmbedErr error

	// Blocked is the embedding page seen with third-party cookies blocked,
	// in the same session after the cross-site checks.
	Blocked    EmbedEvidence
	BlockedErr error

	// Dropped counts requests the session did not record (the pages made
	// more than the browser harness keeps): what came after is missing.
	Dropped int

	// Script is the login_script step that failed on a page that had
	// loaded, with what the login showed until then; nil otherwise. The
	// rest of the evidence is then not gathered.
	Script *ScriptFailure
}

// ScriptFailure is a login_script step that failed on a loaded page: the
// step, the page it ran on, and the mf_jwt_token Set-Cookie the login had
// sent by then (nil: none) with Chromium's verdict.
type ScriptFailure struct {
	Step *loginscript.StepError
	// Page is the last page the login loaded ("https://… (HTTP 200)").
	Page      string
	SetCookie *browser.SetCookieVerdict
	SetBy     *browser.Exchange
	LoginDate time.Time
	// Others are the other cookies the login set by then.
	Others []string
}

// EmbedEvidence is what a page of another site saw of the app.
type EmbedEvidence struct {
	Loaded      bool                   // the embed page ran to completion
	FrameCookie *browser.CookieVerdict // mf_jwt_token on the iframe's request
	FetchCookie *browser.CookieVerdict // on the credentialed fetch
	LinkCookie  *browser.CookieVerdict // on the cross-site link navigation
	FetchStatus int
	FetchError  string
	// Shot is the embedding page once the iframe and fetch settled.
	Shot result.Screenshot
}

// ProbeResult is the app's answer to one probe request.
type ProbeResult struct {
	Status   int    `json:"status"`
	Body     string `json:"body,omitempty"`
	Error    string `json:"error,omitempty"`
	Redirect bool   `json:"redirect,omitempty"`
	// Accepted and Rejected are the answer read with the target's notion
	// of "signed in" and "not signed in" (read): signed in is the
	// authenticated status with a user id in the user id field; not
	// signed in is 401, 403 or a redirect. An answer can be neither.
	Accepted bool `json:"accepted"`
	Rejected bool `json:"rejected"`
	// Authenticated is the authenticated status alone (with or without a
	// user id), and UserID what the answer's user id field holds: "" when
	// the body is not a JSON object or the field is absent, null, empty
	// or not a string or number.
	Authenticated bool   `json:"-"`
	UserID        string `json:"-"`
	// Headers are the answer's headers that tell the app's software
	// (stack.Telling: Server, X-Powered-By, …) and SetCookies the names
	// of the cookies it set: stack detection's evidence. Bounded.
	Headers    map[string]string `json:"headers,omitempty"`
	SetCookies []string          `json:"set_cookies,omitempty"`
}

// read reads the answer with the target's markers: the authenticated
// status (--authenticated-status; 0 means any 2xx) and the user id field
// (--user-id-field, default user_id). README: the authenticated status
// with the user id in that field means signed in.
func (p *ProbeResult) read(t env.Target) {
	want := t.AuthenticatedStatus
	p.Authenticated = p.Error == "" && (p.Status == want || want == 0 && p.Status >= 200 && p.Status < 300)
	field := t.UserIDField
	if field == "" {
		field = "user_id"
	}
	p.UserID = ""
	if p.Authenticated {
		p.UserID = userIDIn(p.Body, field)
	}
	p.Accepted = p.Authenticated && p.UserID != ""
	p.Rejected = p.Error == "" && (p.Status == 401 || p.Status == 403 || p.Redirect)
}

// userIDIn returns the top-level field of a JSON object body as text: a
// string as it is, a number as written; "" for anything else. It reads
// the object token by token, so a body cut at the read limit still
// yields a field that came before the cut.
func userIDIn(body, field string) string {
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return ""
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return ""
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			return ""
		}
		if k, _ := t.(string); k != field {
			continue
		}
		switch x := v.(type) {
		case string:
			return x
		case json.Number:
			return x.String()
		}
		return ""
	}
	return ""
}

// Identity is the JSON identity the probe path returns.
func (p ProbeResult) Identity() map[string]any {
	var m map[string]any
	if json.Unmarshal([]byte(p.Body), &m) != nil {
		return nil
	}
	return m
}

// rawValue is mf_jwt_token's value exactly as the Set-Cookie line wrote
// it (surrounding whitespace removed, as a browser does, RFC 6265 §5.2):
// what the browser stores and sends back, double quotes included.
func (e *LoginEvidence) rawValue() string {
	if e == nil || e.SetCookie == nil {
		return ""
	}
	_, v, _ := strings.Cut(strings.SplitN(e.SetCookie.Line, ";", 2)[0], "=")
	return strings.TrimSpace(v)
}

// quoted reports whether the value is wrapped in one pair of double
// quotes, which RFC 6265 §4.1.1 lets a cookie-value carry.
func (e *LoginEvidence) quoted() bool {
	v := e.rawValue()
	return len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"'
}

// token returns the token the backend set, from the Set-Cookie line (what
// the backend sent, even when Chromium refused to store it): the value
// without one pair of surrounding double quotes, which the common cookie
// parsers strip before the app sees the value (Go's net/http, Python's
// http.cookies, Werkzeug's parse_cookie and Node's cookie package do —
// tried with each); JWT-TOKEN-001 reports the quotes themselves.
func (e *LoginEvidence) token() string {
	v := e.rawValue()
	if e.quoted() {
		return v[1 : len(v)-1]
	}
	return v
}

// tokenUserID is the user_id claim of the backend's token when it is a
// non-empty string: the user the app must sign in.
func (e *LoginEvidence) tokenUserID() (string, bool) {
	p, ds := jwtcheck.Parse(e.token())
	if p == nil || len(ds) > 0 {
		return "", false
	}
	s, ok := p.Claims["user_id"].(string)
	return s, ok && s != ""
}

// within names the bound a step ran out of: "no complete answer within
// the navigation timeout (3s)" says more to an operator than a context
// error. Other errors pass unchanged.
func within(err error, bound string, d time.Duration) error {
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("no complete answer within the %s timeout (%s): %w", bound, d, err)
}

// step bounds one step of a gather.
func step(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, d)
}

// gatherLogin signs the test user in, in a fresh isolated browser context,
// and follows the cookie: to the app on a top-level navigation, into an
// iframe, a credentialed fetch and a link from a page of another site, and
// once more with third-party cookies blocked. ctx bounds it all.
func gatherLogin(ctx context.Context, e *env.Env) (*LoginEvidence, error) {
	s, err := openSession(ctx, e, browser.SessionOptions{BlockThirdPartyCookies: e.BlockThirdPartyCookies})
	if err != nil {
		return nil, err
	}
	defer s.Close()

	ev := &LoginEvidence{}
	defer func() { ev.Dropped = s.Dropped() }()
	if err := login(ctx, e, s, ev); err != nil {
		return ev, err
	}

	if e.Target.AppURL == "" {
		ev.AppErr = errors.New("no app URL configured (--app-url, or --app-url reference to serve the reference verifier inside the cookie domain)")
		return ev, nil
	}
	// Top-level navigation to the app, same-site with the backend.
	nctx, ncancel := step(ctx, e.Timeouts.Navigation)
	appPage := e.Target.AppURL + "/"
	nav, err := s.Navigate(nctx, appPage)
	ncancel()
	if err != nil {
		ev.AppErr = fmt.Errorf("open the app at %s: %w", appPage, within(err, "navigation", e.Timeouts.Navigation))
		return ev, nil
	}
	ev.AppNav = nav
	ev.AppNavCookie, ev.AppNavCookies = cookieOn(nav, ev.Stored), cookiesOn(nav)
	type pageState struct {
		Readable bool        `json:"readable"`
		Probe    ProbeResult `json:"probe"`
	}
	sctx, scancel := step(ctx, e.Timeouts.Script)
	mark := s.Mark()
	// The app page is the target's: its scripts must not be able to
	// change what this reads.
	st, err := browser.EvaluateIsolated[pageState](sctx, s, fmt.Sprintf(`(async () => ({
		readable: document.cookie.split(";").some(c => c.trim().startsWith(%q)),
		probe: await %s,
	}))()`, CookieName+"=", probeScript(e.Target.ProbePath)))
	scancel()
	if err != nil {
		ev.AppErr = fmt.Errorf("read the app page: %w", within(err, "script", e.Timeouts.Script))
		return ev, nil
	}
	ev.DocumentCookieHasToken = st.Readable
	ev.AppProbe = st.Probe
	ev.AppProbe.read(e.Target)
	wctx, wcancel := step(ctx, e.Timeouts.Navigation)
	if x, err := s.WaitRequest(wctx, mark, isURL(e.Target.AppURL+e.Target.ProbePath)); err == nil {
		ev.AppProbeCookie, ev.AppProbeCookies = cookieOn(x, ev.Stored), cookiesOn(x)
	}
	wcancel()
	ev.Shots = append(ev.Shots, probeShot(ctx, e, s))

	ev.Embed, ev.EmbedErr = embed(ctx, e, s, ev.Stored, true)
	ev.Shots = append(ev.Shots, ev.Embed.Shot)
	if ev.EmbedErr == nil && !e.BlockThirdPartyCookies {
		// The same page again as a browser that blocks third-party
		// cookies sees it (Chromium's default here, Safari, incognito).
		bctx, cancel := step(ctx, e.Timeouts.Script)
		err := s.BlockThirdPartyCookies(bctx)
		cancel()
		if err == nil {
			ev.Blocked, err = embed(ctx, e, s, ev.Stored, false)
		}
		ev.BlockedErr = err
	}
	return ev, nil
}

// probeShot is the screenshot of what the specs judged on the app: its
// probe path opened in the browser after login — the user the app signs
// in, or its refusal — rather than the app's root page (a backend's
// "Not Found" says nothing). When the probe path does not open, the page
// the browser is on is shown, and the caption says why.
func probeShot(ctx context.Context, e *env.Env, s *browser.Session) result.Screenshot {
	probe := e.Target.AppURL + e.Target.ProbePath
	caption := "the app's probe path " + hostOf(probe) + pathOf(probe) + " opened after login"
	nctx, cancel := step(ctx, e.Timeouts.Navigation)
	_, err := s.Navigate(nctx, probe)
	cancel()
	if err != nil {
		caption = "the app page (" + hostOf(e.Target.AppURL) + ") after login; its probe path " + pathOf(probe) +
			" did not open: " + within(err, "navigation", e.Timeouts.Navigation).Error()
	}
	return screenshot(ctx, e, s, caption)
}

// screenshot captures the page, bounded by the script timeout; a failed
// capture yields an empty screenshot (evidence is best effort).
func screenshot(ctx context.Context, e *env.Env, s *browser.Session, caption string) result.Screenshot {
	sctx, cancel := step(ctx, e.Timeouts.Script)
	defer cancel()
	png, err := s.Screenshot(sctx)
	if err != nil {
		return result.Screenshot{Caption: caption + " (no screenshot: " + err.Error() + ")"}
	}
	return result.Screenshot{Caption: caption, PNG: png}
}

func openSession(ctx context.Context, e *env.Env, o browser.SessionOptions) (*browser.Session, error) {
	sctx, cancel := step(ctx, e.Timeouts.Session)
	defer cancel()
	s, err := e.Browser.NewSession(sctx, o)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// login signs the test user in — a GET of the login URL, a POST of the
// login form to it, or a scripted login — and records every Set-Cookie
// verdict of the responses it caused, and the jar.
func login(ctx context.Context, e *env.Env, s *browser.Session, ev *LoginEvidence) error {
	// Pages the browser saw before this login (an earlier setup that left
	// a cookie behind), each bounded; not part of the login's evidence.
	for _, u := range e.Target.BeforeLogin {
		bctx, cancel := step(ctx, e.Timeouts.Navigation)
		_, err := s.Navigate(bctx, u)
		cancel()
		if err != nil {
			return fmt.Errorf("visit %s before logging in: %w", u, err)
		}
	}
	nctx, cancel := step(ctx, e.Timeouts.Navigation)
	defer cancel()
	mark := s.Mark()
	var err error
	switch {
	case len(e.Target.LoginScript) > 0:
		err = loginscript.Run(ctx, s, "login", e.Target.LoginScript, e.Timeouts.Navigation)
	case strings.EqualFold(e.Target.LoginMethod, "POST"):
		err = postLogin(nctx, e, s)
	default:
		_, err = s.Navigate(nctx, e.Target.LoginURL)
	}
	ev.ReceivedAt = e.Now()
	var failed *loginscript.StepError
	if errors.As(err, &failed) && failed.OnPage() {
		ev.Script = scriptFailure(ctx, e, s, mark, failed)
		ev.Shots = append(ev.Shots, screenshot(ctx, e, s, fmt.Sprintf("the page when login_script step %d (%s) failed", failed.Number, loginscript.Describe(failed.Step))))
	}
	if err != nil {
		return fmt.Errorf("log in at %s: %w", e.Target.LoginURL, within(err, "navigation", e.Timeouts.Navigation))
	}
	// A fresh bound for reading what the login did: a scripted login's
	// steps each had their own.
	actx, acancel := step(ctx, e.Timeouts.Navigation)
	defer acancel()
	if len(e.Target.LoginScript) > 0 {
		// A scripted login ends when its last step does (a wait for the
		// cookie in the jar), which can be before Chromium has reported
		// the response that set it: wait for that report, so the
		// Set-Cookie line and Chromium's verdict on it are judged, never
		// a stale snapshot.
		settle(actx, s, mark)
	}
	// Every response the login caused, in order: a redirect chain, the
	// pages of a scripted login, the login API call a form makes.
	for _, x := range s.Exchanges()[mark:] {
		if len(x.SetCookies) == 0 && x.Type != "Document" {
			continue
		}
		if x.Type == "Document" {
			ev.Chain = append(ev.Chain, x)
		}
		for j := range x.SetCookies {
			sc := x.SetCookies[j]
			if sc.Name == CookieName {
				xx := x
				ev.SetCookie, ev.SetBy = &sc, &xx // the last one set wins, as in the jar
			} else if !slices.Contains(ev.Others, sc.Name) {
				ev.Others = append(ev.Others, sc.Name)
			}
		}
	}
	switch {
	case ev.SetBy != nil:
		ev.LoginDate = httpDate(ev.SetBy.Header("date"))
	case len(ev.Chain) > 0:
		ev.LoginDate = httpDate(ev.Chain[len(ev.Chain)-1].Header("date"))
	}
	jar, err := s.Cookies(actx)
	if err != nil {
		return err
	}
	ev.Jar = jar
	ev.Stored = storedCookie(jar, ev.SetCookie, ev.SetBy)
	if ev.Stored != nil && ev.Stored.PartitionKey != nil {
		ev.Partition = ev.Stored.PartitionKey.TopLevelSite
	}
	return nil
}

// scriptFailure records what a login whose script failed at a step on a
// loaded page showed until then: the page, and the mf_jwt_token Set-Cookie
// it had sent with Chromium's verdict (the last one wins, as in a jar).
func scriptFailure(ctx context.Context, e *env.Env, s *browser.Session, mark int, failed *loginscript.StepError) *ScriptFailure {
	// Chromium may report the response that set a cookie after the
	// script's wait gave up: give it the usual bound to arrive.
	sctx, cancel := step(ctx, e.Timeouts.Navigation)
	settle(sctx, s, mark)
	cancel()
	f := &ScriptFailure{Step: failed}
	for _, x := range s.Exchanges()[mark:] {
		if x.Type == "Document" {
			f.Page = fmt.Sprintf("%s (HTTP %d)", x.URL, x.Status)
		}
		for j := range x.SetCookies {
			sc := x.SetCookies[j]
			if sc.Name == CookieName {
				xx := x
				f.SetCookie, f.SetBy = &sc, &xx
				f.LoginDate = httpDate(x.Header("date"))
			} else if !slices.Contains(f.Others, sc.Name) {
				f.Others = append(f.Others, sc.Name)
			}
		}
	}
	return f
}

// storedCookie returns the jar's mf_jwt_token that the login's Set-Cookie
// line made: the one with its Domain (or, host-only, the setting host)
// and its Path (the attribute, or the default-path of the URL that set
// it). A jar can hold several of the name — a leftover of an earlier
// setup — and a leftover never stands in for this login's cookie (issue
// 22, A9): without a line, or with none of the jar matching it, nil.
func storedCookie(jar []*network.Cookie, sc *browser.SetCookieVerdict, by *browser.Exchange) *network.Cookie {
	if sc == nil || by == nil {
		return nil
	}
	a := cookieattr.Parse(sc.Line)
	domain := hostOf(by.URL)
	if a.Domain != nil {
		domain = "." + strings.TrimPrefix(strings.ToLower(*a.Domain), ".")
	}
	path := a.EffectivePath(pathOf(by.URL))
	for _, c := range jar {
		if c.Name == CookieName && c.Domain == domain && c.Path == path {
			return c
		}
	}
	return nil
}

// settle waits, bounded by ctx, until the responses recorded since mark
// that carry (or blocked) mf_jwt_token have all their events, and until
// every document loaded since mark is complete.
func settle(ctx context.Context, s *browser.Session, mark int) {
	carries := func(x browser.Exchange) bool {
		for _, c := range x.SetCookies {
			if c.Name == CookieName {
				return true
			}
		}
		return false
	}
	jar, err := s.Cookies(ctx)
	if err == nil && slices.ContainsFunc(jar, func(c *network.Cookie) bool { return c.Name == CookieName }) {
		_, _ = s.WaitExchange(ctx, mark, carries)
	}
	for _, x := range s.Exchanges()[mark:] {
		if x.Type == "Document" && !x.Complete() {
			_, _ = s.WaitExchange(ctx, mark, func(y browser.Exchange) bool { return y.RequestID == x.RequestID && y.URL == x.URL })
		}
	}
}

func httpDate(v string) time.Time {
	t, _ := http.ParseTime(v)
	return t
}

// postLogin submits the login form as a browser would: a top-level POST
// navigation with the form fields (values resolved from the environment,
// never printed).
func postLogin(ctx context.Context, e *env.Env, s *browser.Session) error {
	fields, _ := json.Marshal(e.Target.LoginForm)
	target, _ := json.Marshal(e.Target.LoginURL)
	mark := s.Mark()
	if _, err := browser.Evaluate[bool](ctx, s, `(() => {
		const f = document.createElement("form");
		f.method = "POST"; f.action = `+string(target)+`;
		for (const [k, v] of Object.entries(`+string(fields)+`)) {
			const i = document.createElement("input"); i.type = "hidden"; i.name = k; i.value = v; f.appendChild(i);
		}
		document.body.appendChild(f); f.submit(); return true;
	})()`); err != nil {
		return fmt.Errorf("submit the login form: %w", err)
	}
	_, err := s.WaitExchange(ctx, mark, func(x browser.Exchange) bool { return x.Type == "Document" && x.URL == e.Target.LoginURL })
	return err
}

// embed loads the embed page on the other site and, when link is set,
// follows its link to the app; the verdicts are on stored, the cookie
// this login stored.
func embed(ctx context.Context, e *env.Env, s *browser.Session, stored *network.Cookie, link bool) (EmbedEvidence, error) {
	var out EmbedEvidence
	page := e.Target.EmbedURL + "/embed?" + url.Values{"app": {e.Target.AppURL}, "probe": {e.Target.ProbePath}}.Encode()
	nctx, cancel := step(ctx, e.Timeouts.Navigation)
	defer cancel()
	mark := s.Mark()
	if _, err := s.Navigate(nctx, page); err != nil {
		err = fmt.Errorf("open the embedding page %s: %w", page, within(err, "navigation", e.Timeouts.Navigation))
		if embedArrived(s, mark, page) {
			// mfconform's page arrived whole; all it loads besides is the
			// app in its iframe, which kept the load from finishing.
			return out, &appPageError{fmt.Errorf("the app's iframe kept the page from loading: %w", err)}
		}
		return out, err
	}
	type result struct {
		FetchStatus int    `json:"fetchStatus"`
		FetchError  string `json:"fetchError"`
		FrameLoaded bool   `json:"frameLoaded"`
	}
	if link {
		// The full check waits for the fetch's answer too; the
		// blocked-cookies pass needs only Chromium's verdicts.
		sctx, scancel := step(ctx, e.Timeouts.Script)
		r, err := browser.Evaluate[result](sctx, s, `window.mfEmbedDone`)
		scancel()
		if err != nil {
			return out, fmt.Errorf("wait for the embedding page: %w", within(err, "script", e.Timeouts.Script))
		}
		out.FetchStatus, out.FetchError = r.FetchStatus, r.FetchError
	}
	out.Loaded = true
	if link {
		out.Shot = screenshot(ctx, e, s, "the page on "+hostOf(e.Target.EmbedURL)+" that embeds the app (iframe) and fetches it")
	}
	appPage := e.Target.AppURL + "/"
	// A cross-site iframe runs in its own renderer: Chromium reports its
	// request (with the cookie verdicts) on this page's session but not
	// always its response, so wait for the request only.
	if x, err := s.WaitRequest(nctx, mark, func(x browser.Exchange) bool { return x.URL == appPage && x.Type == "Document" }); err == nil {
		out.FrameCookie = cookieOn(x, stored)
	}
	if x, err := s.WaitRequest(nctx, mark, func(x browser.Exchange) bool {
		return x.URL == e.Target.AppURL+e.Target.ProbePath && x.Type == "Fetch"
	}); err == nil {
		out.FetchCookie = cookieOn(x, stored)
	}
	if !link {
		return out, nil
	}
	lmark := s.Mark()
	lctx, lcancel := step(ctx, e.Timeouts.Navigation)
	defer lcancel()
	if _, err := browser.Evaluate[bool](lctx, s, `(document.getElementById("app-link").click(), true)`); err != nil {
		return out, fmt.Errorf("follow the link to the app: %w", err)
	}
	if x, err := s.WaitExchange(lctx, lmark, func(x browser.Exchange) bool { return x.URL == appPage && x.Type == "Document" }); err == nil {
		out.LinkCookie = cookieOn(x, stored)
	} else {
		// The click happened on mfconform's page; what did not complete
		// is the app's answer.
		return out, &appPageError{fmt.Errorf("follow the link to the app: %w", err)}
	}
	return out, nil
}

// appPageError is a failure of the embedding step that the app's page
// caused, not mfconform's page: the target's finding (APP_PAGE_FAILED),
// never SETUP_FAILED, unless the app is mfconform's own verifier.
type appPageError struct{ err error }

func (e *appPageError) Error() string { return e.err.Error() }
func (e *appPageError) Unwrap() error { return e.err }

// embedArrived reports whether the embedding page's own document, page,
// came back whole (200, every event recorded) after mark.
func embedArrived(s *browser.Session, mark int, page string) bool {
	xs := s.Exchanges()
	for _, x := range xs[min(mark, len(xs)):] {
		if x.URL == page && x.Type == "Document" && x.Status == 200 && x.Complete() {
			return true
		}
	}
	return false
}

// cookieOn returns Chromium's verdict on the cookie this login stored
// (its domain and path) for a request; nil when the login stored none or
// Chromium did not consider it for the request. Another mf_jwt_token on
// the request — a leftover — is never taken for it (cookiesOn lists
// every one).
func cookieOn(x browser.Exchange, stored *network.Cookie) *browser.CookieVerdict {
	if stored == nil {
		return nil
	}
	all := cookiesOn(x)
	for i := range all {
		if all[i].Domain == stored.Domain && all[i].Path == stored.Path {
			return &all[i]
		}
	}
	return nil
}

// cookiesOn returns every verdict on a cookie named mf_jwt_token for a
// request, in the order Chromium lists them (the Cookie header's order).
func cookiesOn(x browser.Exchange) []browser.CookieVerdict {
	var out []browser.CookieVerdict
	for _, c := range x.Cookies {
		if c.Name == CookieName {
			out = append(out, c)
		}
	}
	return out
}

// sentCount counts the verdicts that were sent.
func sentCount(vs []browser.CookieVerdict) int {
	n := 0
	for _, v := range vs {
		if v.Sent {
			n++
		}
	}
	return n
}

// Duplicated reports whether more than one mf_jwt_token reached the app
// on the navigation or the app page's fetch.
func (e *LoginEvidence) Duplicated() bool {
	return e != nil && (sentCount(e.AppNavCookies) > 1 || sentCount(e.AppProbeCookies) > 1)
}

func sent(v *browser.CookieVerdict) bool { return v != nil && v.Sent }

func isURL(u string) func(browser.Exchange) bool {
	return func(x browser.Exchange) bool { return x.URL == u }
}

// LoginDateOr returns the login response's Date, or our receive time when
// the server sent none.
func (e *LoginEvidence) LoginDateOr() time.Time {
	if !e.LoginDate.IsZero() {
		return e.LoginDate
	}
	return e.ReceivedAt
}
