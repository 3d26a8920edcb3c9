package supabase

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/judge/judgetest"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	"github.com/mfconform/mfconform/suites/result"
	"github.com/mfconform/mfconform/suites/sbcheck"
)

// es256Access is a parsed access token signed asymmetrically (ES256 with a
// kid), as a project with signing keys issues: nothing in it tells whether
// SUPABASE_JWT_SECRET is the project's. Its signature is not checked here.
func es256Access(t *testing.T) *jwtcheck.Parsed {
	t.Helper()
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	tok := enc(map[string]any{"alg": "ES256", "kid": "key-1", "typ": "JWT"}) + "." +
		enc(map[string]any{"sub": "9cb972e2-50e0-4fcd-8dab-5c3eeb15b72e", "aud": "authenticated", "role": "authenticated", "iat": testNow.Unix(), "exp": testNow.Add(time.Hour).Unix()}) +
		".c2lnbmF0dXJl"
	p, ds := jwtcheck.Parse(tok)
	if p == nil {
		t.Fatalf("parse the ES256 token: %v", ds)
	}
	return p
}

// staleSecret gives mfconform a SUPABASE_JWT_SECRET that is not the
// project's (the key and the project's tokens stay right).
func staleSecret(r *Run) { r.Target.JWTSecret = []byte("the-previous-project-secret-0123456789ab") }

const (
	expiredAnswer = `{"code":"bad_jwt","message":"invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired"}`
	badSigAnswer  = `{"code":"bad_jwt","message":"invalid JWT: unable to parse or verify signature, token signature is invalid: signature is invalid"}`
)

// TestSessionAudit holds the rows of issue 22's Supabase session findings
// (A4, A13, C15, SB-SESSION-001's lifetime, SB-KEY-003/004/005's proof)
// and issue 21 item 5 (blame the right secret): each row fails without its
// fix.
func TestSessionAudit(t *testing.T) {
	tests := []struct {
		name   string
		id     result.SpecID
		mutate func(*Run)
		want   judgetest.Want
	}{
		// SB-SESSION-004 (A4, C15): a refusal counts when it is about the expiry.
		{"expired: refused for its expiry", result.SBSession004, nil, judgetest.Want{State: result.StatePassed}},
		{"expired: refused in other words, the probe's signature known good", result.SBSession004, func(r *Run) {
			r.Session.UserExpired = ptr(answer(401, `{"message":"Unauthorized"}`))
		}, judgetest.Want{State: result.StatePassed}},
		{"A4: a stale secret, the refusal is about the signature: blocked by SB-SESSION-002, never a pass", result.SBSession004, func(r *Run) {
			staleSecret(r)
			r.Session.UserExpired = ptr(answer(403, badSigAnswer))
		}, judgetest.Want{State: result.StateBlocked, By: string(result.SBSession002)}},
		{"A4: an ES256 project and a wrong secret, refused for the signature: not judged (it might accept expired tokens)", result.SBSession004, func(r *Run) {
			staleSecret(r)
			r.Session.Access = es256Access(t)
			r.Config.JWKS = answer(200, `{"keys":[]}`)
			r.Session.UserExpired = ptr(answer(403, badSigAnswer))
		}, judgetest.Want{State: result.StateNotJudged, By: InputJWTSecret}},
		{"an ES256 project whose Auth takes the legacy secret: refused for its expiry", result.SBSession004, func(r *Run) {
			r.Session.Access = es256Access(t)
			r.Session.UserExpired = ptr(answer(403, expiredAnswer))
		}, judgetest.Want{State: result.StatePassed}},
		{"A13: expired probe rate-limited is no refusal", result.SBSession004, func(r *Run) {
			r.Session.UserExpired = ptr(answer(429, `{"code":"over_request_rate_limit","message":"Request rate limit reached"}`))
		}, judgetest.Want{State: result.StateFailed, Codes: []diag.Code{diag.SupabaseRateLimited}}},
		{"A13: expired probe answered 500 is no refusal", result.SBSession004, func(r *Run) {
			r.Session.UserExpired = ptr(answer(500, `{"message":"internal"}`))
		}, judgetest.Want{State: result.StateFailed, Codes: []diag.Code{diag.SupabaseAuthServerError}}},
		// SB-SESSION-005 (A13).
		{"A13: forged probe rate-limited is no refusal", result.SBSession005, func(r *Run) {
			r.Session.Forged = answer(429, `{"code":"over_request_rate_limit","message":"Request rate limit reached"}`)
		}, judgetest.Want{State: result.StateFailed, Codes: []diag.Code{diag.SupabaseRateLimited}}},
		{"A13: forged probe answered 503 is no refusal", result.SBSession005, func(r *Run) { r.Session.Forged = answer(503, `upstream down`) },
			judgetest.Want{State: result.StateFailed, Codes: []diag.Code{diag.SupabaseAuthServerError}}},
		// SB-SESSION-003 (A13).
		{"A13: the parent reuse refused is a finding, not a note", result.SBSession003, func(r *Run) {
			r.Session.Refresh.ReuseParent = RefreshStep{Answer: answer(400, `{"code":"refresh_token_already_used","message":"Invalid Refresh Token: Already Used"}`)}
		}, judgetest.Want{State: result.StateWarned, Codes: []diag.Code{diag.SupabaseRefreshParentRefused}}},
		{"A13: the parent reuse rate-limited is no refusal", result.SBSession003, func(r *Run) {
			r.Session.Refresh.ReuseParent = RefreshStep{Answer: answer(429, `{"code":"over_request_rate_limit"}`)}
		}, judgetest.Want{State: result.StateFailed, Codes: []diag.Code{diag.SupabaseRateLimited}}},
		{"A13: the old reuse answered 502 is no refusal", result.SBSession003, func(r *Run) {
			r.Session.Refresh.ReuseOld = RefreshStep{Answer: answer(502, `bad gateway`)}
		}, judgetest.Want{State: result.StateFailed, Codes: []diag.Code{diag.SupabaseAuthServerError}}},
		{"A13: R2 rate-limited after the refused reuse says nothing of the family", result.SBSession003, func(r *Run) {
			r.Session.Refresh.AfterReuse = RefreshStep{Answer: answer(429, `{"code":"over_request_rate_limit"}`)}
		}, judgetest.Want{State: result.StateFailed, Codes: []diag.Code{diag.SupabaseRateLimited}}},
		// SB-SESSION-001: the lifetime is judged without iat too.
		{"no iat, a 30-day token: judged from the sign-in answer's Date", result.SBSession001, func(r *Run) {
			p, _ := jwtcheck.Parse(mint(t, testSecret, map[string]any{"sub": "9cb972e2-50e0-4fcd-8dab-5c3eeb15b72e", "aud": "authenticated", "role": "authenticated", "exp": testNow.Add(30 * 24 * time.Hour).Unix()}))
			r.Session.Access = p
		}, judgetest.Want{State: result.StateFailed, Codes: []diag.Code{diag.SupabaseSessionClaims}}},
		{"no iat, an hour's token: fine", result.SBSession001, func(r *Run) {
			p, _ := jwtcheck.Parse(mint(t, testSecret, map[string]any{"sub": "9cb972e2-50e0-4fcd-8dab-5c3eeb15b72e", "aud": "authenticated", "role": "authenticated", "exp": testNow.Add(time.Hour).Unix()}))
			r.Session.Access = p
		}, judgetest.Want{State: result.StatePassed}},
		// SB-SESSION-002 and SB-KEY-006 (issue 21 item 5).
		{"a stale secret: SB-SESSION-002 blames the secret", result.SBSession002, staleSecret,
			judgetest.Want{State: result.StateFailed, Codes: []diag.Code{diag.SupabaseJWTSecretMismatch}}},
		{"a stale secret and a good key: SB-KEY-006 blocked by SB-SESSION-002", result.SBKey006, staleSecret,
			judgetest.Want{State: result.StateBlocked, By: string(result.SBSession002)}},
		{"ES256 tokens, a secret the key does not verify with, PostgREST takes the key: the key passes", result.SBKey006, func(r *Run) {
			staleSecret(r)
			r.Session.Access = es256Access(t)
		}, judgetest.Want{State: result.StatePassed}},
		{"ES256 tokens, a key PostgREST refuses: the key is stale", result.SBKey006, func(r *Run) {
			staleSecret(r)
			r.Session.Access = es256Access(t)
			r.Config.Rest = answer(401, `{"code":"PGRST301","message":"JWSError JWSInvalidSignature"}`)
		}, judgetest.Want{State: result.StateFailed, Codes: []diag.Code{diag.SupabaseKeySignature}}},
		// SB-KEY-003/004/005: a 2xx is not proof of anything by itself.
		{"settings answers 200 with a page, health answered as Auth with the key: taken", result.SBKey005, func(r *Run) {
			r.Config.Settings = answer(200, `<html>hello</html>`)
		}, judgetest.Want{State: result.StatePassed}},
		{"settings answers 200 with a page, health was the gateway's refusal: not Auth", result.SBKey005, func(r *Run) {
			r.Config.Health = answer(401, `{"message":"Invalid API key"}`)
			r.Config.Settings = answer(200, `<html>hello</html>`)
		}, judgetest.Want{State: result.StateFailed, Codes: []diag.Code{diag.SupabaseNotAuth}}},
		{"… and SB-KEY-003 of a key without ref is blocked by it", result.SBKey003, func(r *Run) {
			r.Key.Ref = ""
			r.Config.Health = answer(401, `{"message":"Invalid API key"}`)
			r.Config.Settings = answer(200, `<html>hello</html>`)
		}, judgetest.Want{State: result.StateBlocked, By: string(result.SBKey005)}},
		{"… and SB-KEY-004 of a key without exp too", result.SBKey004, func(r *Run) {
			r.Key.Kind, r.Key.Exp = sbcheck.KeyPublishable, nil
			r.Config.Health = answer(401, `{"message":"Invalid API key"}`)
			r.Config.Settings = answer(200, `<html>hello</html>`)
		}, judgetest.Want{State: result.StateBlocked, By: string(result.SBKey005)}},
	}
	for _, tt := range tests {
		t.Run(string(tt.id)+"/"+tt.name, func(t *testing.T) {
			r := goodRun(t)
			if tt.mutate != nil {
				tt.mutate(r)
			}
			judgetest.Check(t, judgeOne(t, tt.id, r), tt.want)
		})
	}
}

// TestSecretFindingSaysWhatItPrints: the secret mismatch names one
// fingerprint, says whose it is, and says the project's is not shown (C1
// for Supabase: no claim of a fingerprint that is not printed).
func TestSecretFindingSaysWhatItPrints(t *testing.T) {
	r := goodRun(t)
	staleSecret(r)
	s := judgeOne(t, result.SBSession002, r)
	if len(s.Diagnostics) != 1 {
		t.Fatalf("SB-SESSION-002 diagnostics = %v, want one", s.Diagnostics)
	}
	obs := s.Diagnostics[0].Observed
	for _, w := range []string{"sha256:", "the value mfconform was given", "cannot see the project's own secret"} {
		if !strings.Contains(obs, w) {
			t.Errorf("SB-SESSION-002 observed = %q, want it to contain %q", obs, w)
		}
	}
	if strings.Count(obs, "sha256:") != 1 {
		t.Errorf("SB-SESSION-002 observed = %q, want exactly one fingerprint", obs)
	}
}

// TestReuseIntervalDefaultRun is issue 21 item 7: a default run (no
// --thorough) whose early reuse fits GoTrue's v1 rule inside a reuse
// interval exactly passes with an information note naming the interval;
// evidence that does not fit GoTrue's rules warns.
func TestReuseIntervalDefaultRun(t *testing.T) {
	accepted := func(since time.Duration, returned string) func(*Run) {
		return func(r *Run) {
			seq := &r.Session.Refresh
			seq.FirstRevoked, seq.ReuseOldAt = testNow, testNow.Add(since)
			seq.ReuseOld = RefreshStep{Answer: answer(200, `{}`), Returned: returned}
			seq.AfterReuse = RefreshStep{Answer: answer(200, `{}`), Returned: "r3"}
		}
	}
	tests := []struct {
		name   string
		mutate func(*Run)
		state  result.State
		codes  []diag.Code // at or above warn
		info   bool        // SUPABASE_REFRESH_REUSE_ACCEPTED as information
		says   string
	}{
		{"fits GoTrue v1 inside the hosted interval: info", accepted(400*time.Millisecond, "r9"), result.StatePassed, nil, true, "10s"},
		{"fits at 9 s", accepted(9*time.Second, "r9"), result.StatePassed, nil, true, "--thorough"},
		{"accepted 25 s after revocation: does not fit the hosted interval", accepted(25*time.Second, "r9"), result.StateWarned, []diag.Code{diag.SupabaseRefreshReuse}, false, "later than"},
		{"answered the active R2 without a reuse-cause header: not GoTrue v1 nor v2", accepted(time.Second, "r2"), result.StateWarned, []diag.Code{diag.SupabaseRefreshReuse}, false, "existing token"},
		{"answered no token", accepted(time.Second, ""), result.StateWarned, []diag.Code{diag.SupabaseRefreshReuse}, false, "no refresh token"},
		{"R2 revoked after an accepted reuse: not what GoTrue does inside the interval", func(r *Run) {
			accepted(time.Second, "r9")(r)
			r.Session.Refresh.AfterReuse = RefreshStep{Answer: answer(400, `{"code":"refresh_token_already_used","message":"Invalid Refresh Token: Already Used"}`)}
		}, result.StateWarned, []diag.Code{diag.SupabaseRefreshReuse}, false, "R2 stopped working"},
		{"a v2 server says concurrent-refresh: a pass", func(r *Run) {
			accepted(time.Second, "r2")(r)
			r.Session.Refresh.ReuseOld.Header.Set(ReuseCause, "concurrent-refresh")
		}, result.StatePassed, nil, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := goodRun(t)
			tt.mutate(r)
			s := judgeOne(t, result.SBSession003, r)
			judgetest.Check(t, s, judgetest.Want{State: tt.state, Codes: tt.codes})
			var info bool
			var text string
			for _, d := range s.Diagnostics {
				text += d.Observed
				info = info || d.Code == diag.SupabaseRefreshReuse && d.Severity == diag.Info
			}
			if info != tt.info {
				t.Errorf("information note = %v, want %v (%v)", info, tt.info, s.Diagnostics)
			}
			if !strings.Contains(text, tt.says) {
				t.Errorf("findings say %q, want them to contain %q", text, tt.says)
			}
		})
	}
}

// TestChecksPrintCauseFirst: SB-KEY-006 prints after SB-SESSION-002, the
// spec whose finding blocks it, and SB-SESSION-004 declares it too.
func TestChecksPrintCauseFirst(t *testing.T) {
	var order []result.SpecID
	for _, c := range Checks() {
		order = append(order, c.ID)
		if c.ID == result.SBKey006 || c.ID == result.SBSession004 {
			if !slices.Contains(c.After, result.SBSession002) {
				t.Errorf("%s does not declare SB-SESSION-002", c.ID)
			}
		}
	}
	if slices.Index(order, result.SBKey006) < slices.Index(order, result.SBSession002) {
		t.Errorf("SB-KEY-006 prints before SB-SESSION-002: %v", order)
	}
}
