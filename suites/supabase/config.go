package supabase

import (
	"encoding/json"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/redact"
	"github.com/mfconform/mfconform/suites/result"
	"github.com/mfconform/mfconform/suites/sbcheck"
)

// configChecks are the specs about NEXT_PUBLIC_SUPABASE_URL.
var configChecks = judge.InArea("config", []string{BundleConfig},
	judge.Check[*Run]{ID: result.SBConfig001, Title: "NEXT_PUBLIC_SUPABASE_URL is set and an absolute https origin with no path", Judge: configURL, Bundles: judge.NoBundle()},
	judge.Check[*Run]{ID: result.SBConfig002, Title: "the URL answers as Supabase Auth (GET /auth/v1/health; when the gateway refuses the key, its refusal and Auth's keyless JWKS)", Judge: configAuth,
		After: []result.SpecID{result.SBConfig001}},
)

func configURL(r *Run) judge.Outcome {
	_, ds := sbcheck.CheckURL(r.Target.URL)
	o := judge.Findings(ds...)
	o.Show("url", redact.URL(r.Target.URL))
	return o
}

// health is what GET /auth/v1/health said of the server.
type health struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// goTrue reads the health answer and reports whether it is Supabase Auth's
// own: 200 {"version":…,"name":"GoTrue","description":…}, the name fixed
// in Supabase Auth's HealthCheck (supabase/auth internal/api/api.go).
func (c *ConfigEvidence) goTrue() (health, bool) {
	var h health
	ok := c.Health.Err == nil && json.Unmarshal(c.Health.Body, &h) == nil
	return h, ok && c.Health.Status == 200 && h.Name == "GoTrue"
}

// notAuth reports whether the server answered GET /auth/v1/health, but
// neither as Supabase Auth nor as a Supabase gateway refusing the key:
// the URL points at another server (SUPABASE_NOT_AUTH), and every spec
// that talks to the project is blocked by SB-CONFIG-002.
func (c *ConfigEvidence) notAuth() bool {
	if c.Health.Err != nil {
		return false
	}
	_, ok := c.goTrue()
	return !ok && !sbcheck.IsGatewayRefusal(c.Health.Status, c.Health.Body)
}

// InputAcceptedKey is what SB-CONFIG-002 needs when the gateway refuses
// the key and the JWKS document does not show Supabase Auth either.
const InputAcceptedKey = "a NEXT_PUBLIC_SUPABASE_KEY the gateway accepts"

// configAuth is SB-CONFIG-002. The health endpoint sits behind the
// gateway's apikey check, so a refused key hides the Auth server: then
// the JWKS document, which the gateway serves without a key, proves it is
// there. A 401 from something that is not a Supabase gateway is no proof
// of anything.
func configAuth(r *Run) judge.Outcome {
	if r.URL.Origin == "" || r.Config == nil {
		return judge.Unmet("NEXT_PUBLIC_SUPABASE_URL is not usable")
	}
	h := r.Config.Health
	if h.Err != nil {
		return judge.Findings(unreachable("GET "+r.URL.Origin+"/auth/v1/health", h.Err))
	}
	health, isAuth := r.Config.goTrue()
	o := judge.Pass()
	o.Show("health", map[string]any{"status": h.Status, "name": health.Name, "version": health.Version})
	if isAuth {
		return o
	}
	if sbcheck.IsGatewayRefusal(h.Status, h.Body) {
		j := r.Config.JWKS
		o.Show("jwks", j.Text())
		if sbcheck.IsGoTrueJWKS(j.Status, j.Body) {
			o.Show("proof", "the gateway refuses the key (see SB-KEY-005), but /auth/v1/.well-known/jwks.json, which needs no key, answers as Supabase Auth")
			return o
		}
		// The gateway's refusal is SB-KEY-005's finding, and that spec
		// needs this one: with the health check behind the key, this one
		// cannot judge until the key is taken.
		return judge.NotJudged(InputAcceptedKey, "the Supabase gateway refuses the key (%s reports it), and without it nothing shows that Supabase Auth answers behind it (the JWKS document answered %s)", result.SBKey005, j.Text())
	}
	e := h.APIError()
	return o.Add(diag.Newf(diag.SupabaseNotAuth, "GET /auth/v1/health answers 200 {\"name\":\"GoTrue\",…}",
		"HTTP %d %q: this origin does not serve Supabase Auth (nor is the answer a Supabase gateway's refusal)", h.Status, e.Message))
}
