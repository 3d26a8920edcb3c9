package jwt

import (
	"context"
	"fmt"
	"strings"

	"github.com/chromedp/cdproto/network"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/jwtcheck"
)

// ProbeIdentity is the identity minted into probe tokens.
var ProbeIdentity = map[string]any{
	"user_id":    "mfconform-probe-7f3a",
	"first_name": "Probe",
	"last_name":  "Mfconform",
	"email":      "probe@mfconform.test",
}

// ProbeOutcome is one probe token planted as mf_jwt_token and the app's
// answer to the probe path.
type ProbeOutcome struct {
	Probe  jwtcheck.Probe
	Result ProbeResult
}

// ProbeEvidence is the app's answers to every probe of a run.
type ProbeEvidence struct {
	// Signed says whether probes signed with AUTH_SECRET_KEY ran (the key
	// was provided).
	Signed   bool
	Outcomes []ProbeOutcome
	// Backend is the backend's own token planted directly on the app host
	// (nil when the backend set none).
	Backend *ProbeOutcome
}

// Find returns the outcome of the probe named name.
func (p *ProbeEvidence) Find(name string) (ProbeOutcome, bool) {
	for _, o := range p.Outcomes {
		if o.Probe.Name == name {
			return o, true
		}
	}
	return ProbeOutcome{}, false
}

// gatherProbes plants probe tokens on the app host through CDP, one after
// another in one isolated session, and asks the app who is signed in.
func gatherProbes(e *env.Env) (*ProbeEvidence, error) {
	ctx, cancel := runContext(e)
	defer cancel()
	s, err := openSession(ctx, e, browser.SessionOptions{})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	nctx, ncancel := step(ctx, e.Timeouts.Navigation)
	_, err = s.Navigate(nctx, e.Target.AppURL+"/")
	ncancel()
	if err != nil {
		return nil, fmt.Errorf("open the app at %s: %w", e.Target.AppURL, err)
	}

	out := &ProbeEvidence{}
	var probes []jwtcheck.Probe
	if len(e.Target.Secret) > 0 {
		ps, err := jwtcheck.Probes(e.Target.Secret, ProbeIdentity, e.Now())
		if err != nil {
			return nil, fmt.Errorf("mint probe tokens: %w", err)
		}
		probes = append(probes, ps...)
		out.Signed = true
	}
	probes = append(probes, jwtcheck.GarbageProbes()...)
	for _, p := range probes {
		r, err := probe(ctx, e, s, p.Token)
		if err != nil {
			return out, fmt.Errorf("probe %q: %w", p.Name, err)
		}
		out.Outcomes = append(out.Outcomes, ProbeOutcome{Probe: p, Result: r})
	}

	// The backend's own token, planted directly: this judges the app's
	// verification apart from cookie delivery.
	if e.Target.LoginURL == "" {
		return out, nil // app-only: there is no backend token
	}
	login, err := loginFuture.wait(ctx)
	if tok := login.token(); err == nil && tok != "" {
		// A token the browser refuses (over 4096 bytes, say) cannot be
		// planted either; that is the cookie specs' finding, not an error.
		r, err := probe(ctx, e, s, tok)
		if err != nil {
			r = ProbeResult{Error: err.Error()}
		}
		out.Backend = &ProbeOutcome{Probe: jwtcheck.Probe{Name: "backend token", WantAccepted: true}, Result: r}
	}
	return out, nil
}

// probe replaces mf_jwt_token on the app host with value and fetches the
// probe path from the app page.
func probe(ctx context.Context, e *env.Env, s *browser.Session, value string) (ProbeResult, error) {
	pctx, cancel := step(ctx, e.Timeouts.Probe)
	defer cancel()
	app := e.Target.AppURL + "/"
	if err := s.DeleteCookies(pctx, CookieName, app); err != nil {
		return ProbeResult{}, err
	}
	secure := strings.HasPrefix(app, "https://")
	p := network.SetCookieParams{Name: CookieName, Value: value, URL: app, Path: "/", Secure: &secure, HTTPOnly: ptr(true)}
	if secure {
		p.SameSite = network.CookieSameSiteNone
	}
	if err := s.SetCookie(pctx, p); err != nil {
		return ProbeResult{}, err
	}
	mark := s.Mark()
	r, err := browser.Evaluate[ProbeResult](pctx, s, probeScript(e.Target.ProbePath))
	if err != nil {
		return ProbeResult{}, err
	}
	r.judge(e)
	if x, err := s.WaitExchange(pctx, mark, isURL(e.Target.AppURL+e.Target.ProbePath)); err == nil {
		r.CookieSent = sent(cookieOn(x))
	}
	return r, nil
}

func ptr[T any](v T) *T { return &v }

// probeScript fetches the probe path from the app page without following
// redirects (a redirect to a login page means "not signed in").
func probeScript(path string) string {
	return fmt.Sprintf(`(async () => {
		try {
			const r = await fetch(%q, {credentials: "same-origin", cache: "no-store", redirect: "manual"});
			if (r.type === "opaqueredirect") { return {status: 302, redirect: true}; }
			return {status: r.status, body: (await r.text()).slice(0, 4000)};
		} catch (err) { return {status: 0, error: String(err)}; }
	})()`, path)
}
