package supabase

import (
	"context"
	"fmt"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo DSL

	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/sbcheck"
)

var _ = Describe("Supabase key", keyArea, func() {
	It("SB-KEY-001: NEXT_PUBLIC_SUPABASE_KEY is set and well-formed", func() {
		e := current()
		k, ds := sbcheck.ReadKey(e.Supabase.Key)
		judge.Evidence("key", k.String())
		judge.Verdict(ds...)
	})

	It("SB-KEY-002: the key is public (anon or sb_publishable_), never service_role or sb_secret_", func(ctx SpecContext) {
		_, ev := config(ctx)
		if ev.Key.Kind == sbcheck.KeyUnknown {
			judge.SkipBecause("the key could not be read (see SB-KEY-001)")
		}
		judge.Verdict(sbcheck.CheckKeyPublic(ev.Key)...)
	})

	It("SB-KEY-003: the key belongs to the URL's project", func(ctx SpecContext) {
		_, ev := config(ctx)
		ds, applies := sbcheck.CheckKeyProject(ev.Key, ev.URL)
		if !applies {
			// New keys and self-hosted demo keys carry no ref: the project's
			// gateway taking the key is the proof instead.
			acceptedByGateway(ctx, "the key carries no project ref (%s)")
			return
		}
		judge.Verdict(ds...)
	})

	It("SB-KEY-004: the key has not expired", func(ctx SpecContext) {
		e, ev := config(ctx)
		if ev.Key.Kind != sbcheck.KeyLegacyJWT || ev.Key.Exp == nil {
			// sb_ keys do not expire (they are revoked): a live key is one
			// the gateway takes.
			acceptedByGateway(ctx, "the key carries no expiry (%s)")
			return
		}
		judge.Verdict(sbcheck.CheckKeyExpiry(ev.Key, e.Now())...)
	})

	It("SB-KEY-005: the gateway accepts the key", func(ctx SpecContext) {
		_, ev := reachable(ctx)
		if ev.Key.Clean == "" {
			judge.SkipBecause("no key (see SB-KEY-001)")
		}
		if ev.RawSettings != nil {
			judge.Evidence("as configured", ev.RawSettings.Status)
		}
		judge.Verdict(sbcheck.GatewayVerdict(ev.Settings.Status, ev.Settings.APIError())...)
	})
})

// acceptedByGateway passes a key check that only the gateway can answer
// (the key carries no claim to read): the spec passes when the project's
// gateway accepted the key, and skips, pointing at SB-KEY-005, otherwise.
func acceptedByGateway(ctx context.Context, why string) {
	GinkgoHelper()
	_, ev := reachable(ctx)
	what := fmt.Sprintf(why, ev.Key.Kind)
	if !ok2xx(ev.Settings.Status) {
		judge.SkipBecause("%s and the gateway refuses it (see SB-KEY-005)", what)
	}
	judge.Evidence("proof", what+"; the project's gateway accepted it")
}
