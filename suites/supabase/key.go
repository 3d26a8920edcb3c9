package supabase

import (
	"fmt"
	"slices"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/redact"

	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/result"
	"github.com/mfconform/mfconform/suites/sbcheck"
)

// keyChecks are the specs about NEXT_PUBLIC_SUPABASE_KEY, in the order the
// report prints them: the gateway's verdict (SB-KEY-005) before the specs
// that, for a key without claims to read, rest on it. SB-KEY-006 prints
// later (keySecretChecks).
var keyChecks = judge.InArea("key", []string{BundleConfig},
	judge.Check[*Run]{ID: result.SBKey001, Title: "NEXT_PUBLIC_SUPABASE_KEY is set and well-formed", Judge: keyWellFormed, Bundles: judge.NoBundle()},
	judge.Check[*Run]{ID: result.SBKey002, Title: "the key is public (anon or sb_publishable_), never service_role or sb_secret_", Judge: keyPublic, Bundles: judge.NoBundle(),
		After: []result.SpecID{result.SBKey001}},
	judge.Check[*Run]{ID: result.SBKey005, Title: "the gateway accepts the key", Judge: keyAccepted,
		After: append(slices.Clone(reach), result.SBKey001)},
	judge.Check[*Run]{ID: result.SBKey003, Title: "the key belongs to the URL's project", Judge: keyProject,
		After: append(slices.Clone(reach), result.SBKey005)},
	judge.Check[*Run]{ID: result.SBKey004, Title: "the key has not expired", Judge: keyExpiry,
		After: append(slices.Clone(reach), result.SBKey005)},
)

// keySecretChecks is SB-KEY-006, printed after the session specs: a key
// that does not verify with SUPABASE_JWT_SECRET is the key's fault only
// when the secret verifies the project's own access token, which
// SB-SESSION-002 judges first — else the secret is the suspect
// (SUPABASE_JWT_SECRET_MISMATCH), and that spec blocks this one.
var keySecretChecks = judge.InArea("key", []string{BundleConfig, BundleSession},
	judge.Check[*Run]{ID: result.SBKey006, Title: "the key is signed with the project's current JWT secret (the data API accepts it)", Judge: keySignature,
		After: append(slices.Clone(keyed), result.SBSession002)},
)

func keyWellFormed(r *Run) judge.Outcome {
	k, ds := sbcheck.ReadKey(r.Target.Key)
	o := judge.Findings(ds...)
	o.Show("key", k.String())
	return o
}

func keyPublic(r *Run) judge.Outcome {
	if r.Key.Kind == sbcheck.KeyUnknown {
		return judge.Unmet("the key could not be read")
	}
	return judge.Findings(sbcheck.CheckKeyPublic(r.Key)...)
}

func keyProject(r *Run) judge.Outcome {
	ds, applies := sbcheck.CheckKeyProject(r.Key, r.URL)
	if !applies {
		// New keys and self-hosted demo keys carry no ref: the project's
		// gateway taking the key is the proof instead.
		return r.acceptedByGateway("the key carries no project ref (%s)")
	}
	return judge.Findings(ds...)
}

func keyExpiry(r *Run) judge.Outcome {
	if r.Key.Kind != sbcheck.KeyLegacyJWT || r.Key.Exp == nil {
		// sb_ keys do not expire (they are revoked): a live key is one
		// the gateway takes.
		return r.acceptedByGateway("the key carries no expiry (%s)")
	}
	return judge.Findings(sbcheck.CheckKeyExpiry(r.Key, r.Now)...)
}

func keyAccepted(r *Run) judge.Outcome {
	c, stop := r.reachable()
	if stop != nil {
		return *stop
	}
	if r.Key.Clean == "" {
		return judge.Unmet("there is no key").By(result.SBKey001)
	}
	if s := answered("GET /auth/v1/settings", c.Settings); s != nil {
		return *s
	}
	o := judge.Findings(sbcheck.GatewayVerdict(c.Settings.Status, c.Settings.APIError())...)
	if c.RawSettings != nil {
		o.Show("as configured", c.RawSettings.Text())
	}
	if o.Failing() {
		return o
	}
	if proof, ok := c.keyTaken(); ok {
		o.Show("proof", proof)
		return o
	}
	return o.Add(notSettings(c.Settings))
}

// keyTaken says what shows that the gateway took the key: Supabase Auth's
// own answer to GET /auth/v1/settings, or to GET /auth/v1/health, both
// sent with the key behind the gateway's key check. A 2xx of anything
// else (a catch-all page) shows nothing.
func (c *ConfigEvidence) keyTaken() (string, bool) {
	if sbcheck.IsGoTrueSettings(c.Settings.Status, c.Settings.Body) {
		return "GET /auth/v1/settings with the key answered Supabase Auth's settings", true
	}
	if _, ok := c.goTrue(); ok {
		return "GET /auth/v1/health with the key answered as Supabase Auth", true
	}
	return "", false
}

// notSettings is the finding for a 2xx of /auth/v1/settings that is not
// Supabase Auth's settings, while nothing else showed Auth behind the key.
func notSettings(a Answer) diag.Diagnostic {
	return diag.Newf(diag.SupabaseNotAuth, "GET /auth/v1/settings answers Supabase Auth's settings ({\"external\":{…},…})",
		"HTTP %d with %d bytes that are not Supabase Auth's settings, and GET /auth/v1/health did not answer as Supabase Auth either: what answers with the key is not Auth", a.Status, len(a.Body))
}

// acceptedByGateway judges a key check that only the gateway can answer
// (the key carries no claim to read): it passes when the project's gateway
// accepted the key; a refused key is SB-KEY-005's finding.
func (r *Run) acceptedByGateway(why string) judge.Outcome {
	c, stop := r.reachable()
	if stop != nil {
		return *stop
	}
	what := fmt.Sprintf(why, r.Key.Kind)
	if s := answered("GET /auth/v1/settings", c.Settings); s != nil {
		return *s
	}
	if !ok2xx(c.Settings.Status) {
		return judge.Unmet("%s and the gateway refuses it", what).By(result.SBKey005)
	}
	proof, ok := c.keyTaken()
	if !ok {
		return judge.Unmet("%s, and nothing shows Supabase Auth answering with it", what).By(result.SBKey005)
	}
	o := judge.Pass()
	o.Show("proof", what+"; the project's gateway accepted it: "+proof)
	return o
}

// keySignature is SB-KEY-006. A legacy anon key verifies with the
// project's JWT secret when SUPABASE_JWT_SECRET is given — and when it does
// not, the key is at fault only if the secret verifies the project's own
// access token (secretVerdict); a secret that verifies neither is the
// suspect, SB-SESSION-002's SUPABASE_JWT_SECRET_MISMATCH, which blocks
// this spec. Without the secret (or when nothing tells whether it is the
// project's), PostgREST — which, unlike the gateway and Auth, verifies the
// key's JWT — is asked: its PGRST301 is the same finding. A project
// without a data API (404) leaves only the secret to judge with. An
// sb_publishable_ key is not a JWT; the gateway hands PostgREST a JWT of
// its own for it, which PostgREST must accept.
func keySignature(r *Run) judge.Outcome {
	c, stop := r.usableKey()
	if stop != nil {
		return *stop
	}
	secret := r.Target.JWTSecret
	if r.Key.Kind != sbcheck.KeyLegacyJWT || len(secret) == 0 {
		return restSignature(r, c)
	}
	fp := redact.Fingerprint(secret)
	verifies, isJWT := sbcheck.KeyVerifies(r.Key, secret)
	if !isJWT {
		return restSignature(r, c)
	}
	if verifies {
		o := judge.Pass()
		o.Show("verified with", "SUPABASE_JWT_SECRET "+fp+" (the fingerprint of the secret mfconform was given)")
		return o
	}
	keyText := fmt.Sprintf("the %s key %s (the key's own fingerprint, alg %s)", r.Key.Role, redact.Fingerprint([]byte(r.Key.Clean)), sbcheck.KeyAlg(r.Key))
	switch known, good := r.secretVerdict(); {
	case known && good:
		return judge.Findings(diag.Newf(diag.SupabaseKeySignature, "a key signed with "+sbcheck.SecretName,
			"%s does not verify with SUPABASE_JWT_SECRET %s (the fingerprint of the secret mfconform was given), while that secret does verify the access token the project issued to the test user: the key was minted with another secret, most likely the project's previous JWT secret",
			keyText, fp))
	case known:
		return judge.Unmet("SUPABASE_JWT_SECRET %s verifies neither %s nor the access token the project issued to the test user: the secret given, not the key, is the suspect", fp, keyText).
			By(result.SBSession002).For(diag.SupabaseJWTSecretMismatch).Else(restSignature(r, c))
	}
	// Nothing tells whether the secret is the project's (no session, or
	// asymmetric access tokens): PostgREST, which holds it, decides.
	o := restSignature(r, c)
	if o.State() == result.StatePassed {
		o = o.Add(diag.Newf(diag.SupabaseJWTSecretMismatch, "information only",
			"%s does not verify with SUPABASE_JWT_SECRET %s, yet the data API, which verifies it with the project's secret, accepts it: the secret mfconform was given is not the project's", keyText, fp).WithSeverity(diag.Info))
	}
	return o
}

// restSignature is SB-KEY-006 judged by PostgREST's answer to the key.
func restSignature(r *Run, c *ConfigEvidence) judge.Outcome {
	if st := answered("GET /rest/v1/", c.Rest); st != nil {
		return *st
	}
	ds, judged := sbcheck.RESTVerdict(c.Rest.Status, c.Rest.APIError())
	if !judged {
		switch {
		case r.Key.Kind != sbcheck.KeyLegacyJWT && c.Rest.Status == 404:
			return judge.OutOfScope("no data API", "the key is an "+string(r.Key.Kind)+" key (not a JWT) and the project has no data API (GET /rest/v1/ answered 404): nothing here carries a JWT to verify")
		case r.Key.Kind != sbcheck.KeyLegacyJWT:
			return judge.Findings(diag.Newf(diag.SupabaseKeySignature, "PostgREST accepts the gateway's JWT for the key",
				"GET /rest/v1/ answered %s", c.Rest.Text()))
		case len(r.Target.JWTSecret) > 0:
			return judge.NotJudged(InputJWTSecret, "the key does not verify with SUPABASE_JWT_SECRET, nothing shows whether that secret is the project's (no HS256 access token of the project to check it with), and the data API does not judge the key (GET /rest/v1/ answered %s)", c.Rest.Text())
		}
		return judge.NotJudged(InputJWTSecret, "the data API does not judge the key (GET /rest/v1/ answered %s): give SUPABASE_JWT_SECRET to verify the key's signature directly", c.Rest.Text())
	}
	o := judge.Findings(ds...)
	o.Show("rest", c.Rest.Text())
	return o
}

// secretVerdict says whether SUPABASE_JWT_SECRET is known to be the secret
// the project signs with: known when the project issued the test user an
// HS256 access token (SB-SESSION-002's evidence), good when that token
// verifies with it. Asymmetric tokens, or no session, tell nothing.
func (r *Run) secretVerdict() (known, good bool) {
	s := r.Session
	if s == nil || s.Access == nil || len(r.Target.JWTSecret) == 0 {
		return false, false
	}
	if alg, _ := s.Access.Alg(); alg != "HS256" {
		return false, false
	}
	return true, sbcheck.VerifiesWithSecret(s.Access, r.Target.JWTSecret)
}
