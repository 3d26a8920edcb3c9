package sbcheck

import (
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/suites/diag"
)

// accessClaims are the claims of a good user access token issued at
// testNow with GoTrue's default lifetime.
func accessClaims() map[string]any {
	return map[string]any{
		"sub":        "3f2b6c1e-8a4d-4e7b-9c0a-1d2e3f4a5b6c",
		"aud":        "authenticated",
		"role":       "authenticated",
		"iss":        testURL + "/auth/v1",
		"iat":        testNow.Unix(),
		"exp":        testNow.Add(time.Hour).Unix(),
		"email":      "test@example.com",
		"session_id": "0c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f",
	}
}

func TestCheckAccessClaims(t *testing.T) {
	with := func(change func(c map[string]any)) map[string]any {
		c := accessClaims()
		change(c)
		return c
	}
	lifetime := func(d time.Duration) map[string]any {
		return with(func(c map[string]any) { c["exp"] = testNow.Add(d).Unix() })
	}
	claims := []diag.Code{diag.SupabaseSessionClaims}
	tests := []struct {
		name    string
		claims  map[string]any
		issued  time.Time
		want    []diag.Code
		wantObs []string
	}{
		{name: "good", claims: accessClaims()},
		{name: "aud array with authenticated",
			claims: with(func(c map[string]any) { c["aud"] = []string{"authenticated", "other"} })},
		{name: "no iat, no time of issue (lifetime not judged: the caller judges claims only)", claims: with(func(c map[string]any) { delete(c, "iat") })},
		{name: "no iat: the lifetime from the time of issue", issued: testNow, claims: with(func(c map[string]any) { delete(c, "iat") })},
		{name: "no iat, a 30-day token (A: the lifetime is judged without iat)", issued: testNow,
			claims: with(func(c map[string]any) { delete(c, "iat"); c["exp"] = testNow.Add(30 * 24 * time.Hour).Unix() }),
			want:   claims, wantObs: []string{"lifetime of 720h0m0s", "the token has no iat"}},
		{name: "iat wins over the time of issue", issued: testNow.Add(-100 * time.Hour), claims: accessClaims()},
		{name: "lifetime one minute", claims: lifetime(time.Minute)},
		{name: "lifetime 24 hours", claims: lifetime(24 * time.Hour)},

		{name: "missing sub", claims: with(func(c map[string]any) { delete(c, "sub") }),
			want: claims, wantObs: []string{"no sub", "missing sub claim"}},
		{name: "blank sub", claims: with(func(c map[string]any) { c["sub"] = "  " }),
			want: claims, wantObs: []string{"no sub"}},
		{name: "numeric sub", claims: with(func(c map[string]any) { c["sub"] = 42 }),
			want: claims, wantObs: []string{"no sub"}},
		{name: "aud public", claims: with(func(c map[string]any) { c["aud"] = "public" }),
			want: claims, wantObs: []string{`aud "public"`}},
		{name: "aud array without authenticated", claims: with(func(c map[string]any) { c["aud"] = []string{"public"} }),
			want: claims, wantObs: []string{`without "authenticated"`}},
		{name: "no aud", claims: with(func(c map[string]any) { delete(c, "aud") }),
			want: claims, wantObs: []string{"no aud"}},
		{name: "no role", claims: with(func(c map[string]any) { delete(c, "role") }),
			want: claims, wantObs: []string{"no role"}},
		{name: "empty role", claims: with(func(c map[string]any) { c["role"] = "" }),
			want: claims, wantObs: []string{"no role"}},
		{name: "no exp", claims: with(func(c map[string]any) { delete(c, "exp") }),
			want: claims, wantObs: []string{"no numeric exp"}},
		{name: "string exp", claims: with(func(c map[string]any) { c["exp"] = "3600" }),
			want: claims, wantObs: []string{"no numeric exp"}},
		{name: "lifetime 30 s", claims: lifetime(30 * time.Second),
			want: claims, wantObs: []string{"lifetime of 30s"}},
		{name: "lifetime 48 h", claims: lifetime(48 * time.Hour),
			want: claims, wantObs: []string{"lifetime of 48h0m0s"}},
		{name: "several problems in one diagnostic",
			claims: with(func(c map[string]any) { delete(c, "sub"); delete(c, "role"); c["aud"] = "anon" }),
			want:   claims, wantObs: []string{"no sub", "no role", `aud "anon"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, mint(t, tt.claims))
			ds := CheckAccessClaims(p, tt.issued)
			if !sameCodes(ds, tt.want) {
				t.Fatalf("CheckAccessClaims(%s) codes = %v, want %v (%v)", p, codes(ds), tt.want, ds)
			}
			for _, s := range tt.wantObs {
				if !strings.Contains(ds[0].Observed, s) {
					t.Errorf("CheckAccessClaims(%s) Observed = %q, want it to contain %q", p, ds[0].Observed, s)
				}
			}
		})
	}
}
