package jwt

import (
	"context"
	"slices"
	"time"

	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/gather"
	"github.com/mfconform/mfconform/suites/result"
)

// BundleBackendToken is the backend's own token sent to the app over HTTP
// when the browser did not deliver it.
const BundleBackendToken = "jwt_backend_token"

// Gather gathers, concurrently, the evidence bundles that the selected
// specs (IDs; nil means all) need and returns the run the specs judge
// (the runner judges it: judge.Resolve over Checks) and each bundle's
// timing. Every secret it holds or learns goes into the run's redaction
// set (e.Known) first. Every bundle is bounded by the evidence timeout and
// by ctx, which ends when the run is interrupted.
func Gather(ctx context.Context, e *env.Env, selected []result.SpecID, progress gather.Progress) (*Run, []result.Bundle) {
	r := &Run{Target: e.Target, Thresholds: e.Thresholds, BlockThirdPartyCookies: e.BlockThirdPartyCookies}
	e.Known.AddSecret(string(e.Target.Secret))
	for _, v := range e.Target.LoginForm {
		e.Known.AddSecret(v)
	}
	for _, st := range e.Target.LoginScript {
		e.Known.AddSecret(st.Value)
	}
	need := map[string]bool{}
	for _, c := range Checks() {
		if selected == nil || slices.Contains(selected, c.ID) {
			for _, b := range c.Bundles {
				need[b] = true
			}
		}
	}
	var jobs []gather.Job
	if need[BundleLogin] && e.Target.LoginURL != "" {
		jobs = append(jobs, gather.Job{Name: BundleLogin, Run: func(ctx context.Context) error {
			r.Login, r.LoginErr = gatherLogin(ctx, e)
			return r.LoginErr
		}})
	}
	if need[BundleProbes] && e.Target.AppURL != "" && !e.Target.AppIsReference {
		jobs = append(jobs, gather.Job{Name: BundleProbes, Run: func(ctx context.Context) error {
			r.Probes, r.ProbesErr = gatherProbes(ctx, e)
			return r.ProbesErr
		}})
	}
	timings := gather.All(ctx, e.Known, e.Timeouts.Evidence, progress, jobs...)
	if tok := r.Login.token(); tok != "" {
		e.Known.AddToken(tok)
	}

	// JWT-APP-002 judges the backend's token even when the browser did not
	// deliver it: then it is sent to the app directly.
	// So is a token the browser delivered next to another mf_jwt_token
	// (JWT-COOKIE-010 compares the two answers).
	if tok := r.Login.token(); tok != "" && e.Target.AppURL != "" && (!sent(r.Login.AppProbeCookie) || r.Login.Duplicated()) && ctx.Err() == nil {
		start := time.Now()
		pctx, cancel := context.WithTimeout(ctx, e.Timeouts.Evidence)
		// As the browser would send it: the value as set, quotes and all.
		r.BackendProbe = plantBackendToken(pctx, e, r.Login.rawValue())
		cancel()
		timings = append(timings, result.Bundle{Name: BundleBackendToken, MS: float64(time.Since(start).Microseconds()) / 1000})
	}
	return r, timings
}
