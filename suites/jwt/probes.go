package jwt

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	"github.com/mfconform/mfconform/suites/stack"
)

// ProbeIdentity is the identity minted into probe tokens.
var ProbeIdentity = map[string]any{
	"user_id":    "mfconform-probe-7f3a",
	"first_name": "Probe",
	"last_name":  "Mfconform",
	"email":      "probe@mfconform.test",
}

// ProbeOutcome is one probe token sent as mf_jwt_token and the app's
// answer on the probe path.
type ProbeOutcome struct {
	Probe  jwtcheck.Probe
	Result ProbeResult
}

// ProbeEvidence is the app's answers to every probe of a run.
type ProbeEvidence struct {
	// Keyed says whether the probes that need AUTH_SECRET_KEY were built
	// (the key was provided).
	Keyed    bool
	Outcomes []ProbeOutcome
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

// probeConcurrency bounds the probe requests in flight against a target.
const probeConcurrency = 4

// probeBodyLimit bounds what is read of a probe's answer: enough for the
// user id field of a "who am I" answer with a whole profile around it
// (an avatar inlined, a list of permissions) — an answer cut before its
// user id field cannot say who is signed in — and still a bound (about
// 35 probes at a time at most, 4 in flight). The field is read even from
// a cut body when it comes before the cut.
const probeBodyLimit = 256 << 10

// gatherProbes sends every probe token to the app's probe path as the
// mf_jwt_token cookie, from Go over the run's TLS client: the verifier's
// answers need no browser behaviour (the cookie specs and JWT-APP-002
// exercise the browser path), so they are gathered at HTTP speed, at most
// probeConcurrency at a time. Without AUTH_SECRET_KEY only the probes that
// need no key are sent.
func gatherProbes(ctx context.Context, e *env.Env) (*ProbeEvidence, error) {
	probes, err := jwtcheck.Probes(e.Target.Secret, ProbeIdentity, e.Now())
	if err != nil {
		return nil, fmt.Errorf("mint probe tokens: %w", err)
	}
	for _, p := range probes {
		e.Known.AddToken(p.Token)
	}
	probes = append(probes, jwtcheck.GarbageProbes()...)
	out := &ProbeEvidence{Keyed: len(e.Target.Secret) > 0}

	// Reachability first, with the first probe: an app that does not
	// answer is reported once, not per probe.
	first, err := probe(ctx, e, probes[0].Token)
	if err != nil {
		return nil, fmt.Errorf("probe the app at %s: %w", e.Target.AppURL, err)
	}
	out.Outcomes = make([]ProbeOutcome, len(probes))
	out.Outcomes[0] = ProbeOutcome{Probe: probes[0], Result: first}
	var wg sync.WaitGroup
	sem := make(chan struct{}, probeConcurrency)
	for i := 1; i < len(probes); i++ {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			r, err := probe(ctx, e, probes[i].Token)
			if err != nil {
				r = ProbeResult{Error: err.Error()}
			}
			out.Outcomes[i] = ProbeOutcome{Probe: probes[i], Result: r}
		})
	}
	wg.Wait()
	return out, nil
}

// plantBackendToken sends the backend's own token to the app over HTTP:
// JWT-APP-002 judges the app's verification apart from cookie delivery when
// the browser did not deliver the cookie.
func plantBackendToken(ctx context.Context, e *env.Env, tok string) *ProbeOutcome {
	r, err := probe(ctx, e, tok)
	if err != nil {
		r = ProbeResult{Error: err.Error()}
	}
	return &ProbeOutcome{Probe: jwtcheck.Probe{Name: "backend token", WantAccepted: true}, Result: r}
}

// probe asks the app's probe path who is signed in with value as the
// mf_jwt_token cookie; redirects are answers, not followed.
func probe(ctx context.Context, e *env.Env, value string) (ProbeResult, error) {
	pctx, cancel := step(ctx, e.Timeouts.Probe)
	defer cancel()
	req, err := http.NewRequestWithContext(pctx, http.MethodGet, e.Target.AppURL+e.Target.ProbePath, nil)
	if err != nil {
		return ProbeResult{}, err
	}
	// Set as a raw header: a value net/http would refuse as a cookie
	// (garbage on purpose) is still sent exactly.
	req.Header.Set("Cookie", CookieName+"="+value)
	req.Header.Set("Accept", "application/json")
	resp, err := e.HTTP.Do(req)
	if err != nil {
		return ProbeResult{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, probeBodyLimit))
	r := ProbeResult{Status: resp.StatusCode, Body: string(body),
		Redirect: resp.StatusCode >= 300 && resp.StatusCode < 400}
	r.Headers, r.SetCookies = tellingParts(resp)
	if err != nil {
		r.Error = "reading the answer: " + err.Error()
	}
	r.read(e.Target)
	return r, nil
}

// Bounds on what an answer keeps for stack detection.
const (
	maxTellingHeaders = 8
	maxTellingValue   = 200
	maxSetCookieNames = 20
)

// tellingParts keeps the headers of an answer that tell its software and
// the names of the cookies it set, bounded.
func tellingParts(resp *http.Response) (map[string]string, []string) {
	var h map[string]string
	for k, v := range resp.Header {
		lk := strings.ToLower(k)
		if !stack.Telling(lk) || len(h) >= maxTellingHeaders {
			continue
		}
		if h == nil {
			h = map[string]string{}
		}
		val := strings.Join(v, ", ")
		if len(val) > maxTellingValue {
			val = val[:maxTellingValue]
		}
		h[lk] = val
	}
	var names []string
	for _, c := range resp.Cookies() {
		if len(names) < maxSetCookieNames && !slices.Contains(names, c.Name) {
			names = append(names, c.Name)
		}
	}
	return h, names
}

// probeScript fetches the probe path from the app page without following
// redirects (a redirect to a login page means "not signed in"), reading at
// most probeBodyLimit bytes of the answer.
func probeScript(path string) string {
	return fmt.Sprintf(`(async () => {
		try {
			const r = await fetch(%q, {credentials: "same-origin", cache: "no-store", redirect: "manual"});
			if (r.type === "opaqueredirect") { return {status: 302, redirect: true}; }
			let body = "";
			if (r.body) {
				const reader = r.body.getReader(), dec = new TextDecoder();
				while (body.length < %d) {
					const {done, value} = await reader.read();
					if (done) break;
					body += dec.decode(value, {stream: true});
				}
				reader.cancel().catch(() => {});
			}
			return {status: r.status, body: body.slice(0, %d)};
		} catch (err) { return {status: 0, error: String(err)}; }
	})()`, path, probeBodyLimit, probeBodyLimit)
}
