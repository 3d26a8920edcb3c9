package supabase

import (
	"fmt"

	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/sbcheck"
)

// keyChecks are the specs about NEXT_PUBLIC_SUPABASE_KEY.
var keyChecks = judge.InArea("key", []string{BundleConfig},
	judge.Check[*Run]{ID: "SB-KEY-001", Title: "NEXT_PUBLIC_SUPABASE_KEY is set and well-formed", Judge: keyWellFormed, Bundles: judge.NoBundle()},
	judge.Check[*Run]{ID: "SB-KEY-002", Title: "the key is public (anon or sb_publishable_), never service_role or sb_secret_", Judge: keyPublic, Bundles: judge.NoBundle()},
	judge.Check[*Run]{ID: "SB-KEY-003", Title: "the key belongs to the URL's project", Judge: keyProject},
	judge.Check[*Run]{ID: "SB-KEY-004", Title: "the key has not expired", Judge: keyExpiry},
	judge.Check[*Run]{ID: "SB-KEY-005", Title: "the gateway accepts the key", Judge: keyAccepted},
)

func keyWellFormed(r *Run) judge.Outcome {
	k, ds := sbcheck.ReadKey(r.Target.Key)
	o := judge.Findings(ds...)
	o.Show("key", k.String())
	return o
}

func keyPublic(r *Run) judge.Outcome {
	if r.Key.Kind == sbcheck.KeyUnknown {
		return judge.Blocked("SB-KEY-001", "the key could not be read")
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
		return judge.Blocked("SB-KEY-001", "there is no key")
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
// accepted the key and is blocked by SB-KEY-005 otherwise.
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
		return judge.Blocked("SB-KEY-005", "%s and the gateway refuses it", what)
	}
	o := judge.Pass()
	o.Show("proof", what+"; the project's gateway accepted it")
	return o
}
