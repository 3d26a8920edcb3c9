package supabase

import (
	"encoding/json"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo DSL

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/sbcheck"
)

var _ = Describe("Supabase configuration", configArea, func() {
	It("SB-CONFIG-001: NEXT_PUBLIC_SUPABASE_URL is set and an absolute https origin with no path", func() {
		e := current()
		_, ds := sbcheck.CheckURL(e.Supabase.URL)
		judge.Evidence("url", e.Supabase.URL)
		judge.Verdict(ds...)
	})

	It("SB-CONFIG-002: the URL answers as Supabase Auth (GET /auth/v1/health)", func(ctx SpecContext) {
		_, ev := config(ctx)
		if ev.URL.Origin == "" {
			judge.SkipBecause("NEXT_PUBLIC_SUPABASE_URL is not usable (see SB-CONFIG-001)")
		}
		h := ev.Health
		if h.Err != nil {
			judge.Verdict(unreachable(ev.URL.Origin, h.Err))
		}
		var health struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		}
		_ = json.Unmarshal(h.Body, &health)
		judge.Evidence("health", map[string]any{"status": h.Status, "name": health.Name, "version": health.Version})
		if h.Status == 200 && health.Name == "GoTrue" {
			return
		}
		if h.Status == 401 {
			return // the gateway answers; whether it takes the key is SB-KEY-005's question
		}
		judge.Verdict(diag.Newf(diag.SupabaseURLInvalid, "GET /auth/v1/health answers 200 {\"name\":\"GoTrue\",…}",
			"HTTP %d %q: this origin does not serve Supabase Auth", h.Status, h.APIError().Message))
	})
})
