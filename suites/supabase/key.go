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
// that, for a key without claims to read, rest on it.
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
	judge.Check[*Run]{ID: result.SBKey006, Title: "the key is signed with the project's current JWT secret (the data API accepts it)", Judge: keySignature,
		After: keyed},
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
	return o
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
	o := judge.Pass()
	o.Show("proof", what+"; the project's gateway accepted it")
	return o
}

// keySignature is SB-KEY-006. A legacy anon key verifies with the
// project's JWT secret when SUPABASE_JWT_SECRET is given; without it,
// PostgREST — which, unlike the gateway and Auth, verifies the key's JWT
// — is asked: its PGRST301 is the same finding. A project without a data
// API (404) leaves only the secret to judge with. An sb_publishable_ key is
// not a JWT; the gateway hands PostgREST a JWT of its own for it, which
// PostgREST must accept.
func keySignature(r *Run) judge.Outcome {
	c, stop := r.usableKey()
	if stop != nil {
		return *stop
	}
	if r.Key.Kind == sbcheck.KeyLegacyJWT && len(r.Target.JWTSecret) > 0 {
		o := judge.Findings(sbcheck.CheckKeySignature(r.Key, r.Target.JWTSecret)...)
		o.Show("verified with", "SUPABASE_JWT_SECRET "+redact.Fingerprint(r.Target.JWTSecret))
		return o
	}
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
		}
		return judge.NotJudged(InputJWTSecret, "the data API does not judge the key (GET /rest/v1/ answered %s): give SUPABASE_JWT_SECRET to verify the key's signature directly", c.Rest.Text())
	}
	o := judge.Findings(ds...)
	o.Show("rest", c.Rest.Text())
	return o
}
