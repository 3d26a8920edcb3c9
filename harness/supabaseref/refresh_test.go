package supabaseref

import (
	"net/http"
	"regexp"
	"testing"
	"time"
)

// refreshStep is one request of a refresh sequence. Tokens are named: R0 is
// the sign-in's refresh token, later names are bound by save.
type refreshStep struct {
	advance time.Duration // moved on the project clock before the request
	use     string        // refresh with this token; "" with user: GET /user instead
	user    bool          // GET /user with the newest access token
	status  int
	code    string // x-sb-error-code of a refusal
	same    string // the returned refresh token must be this earlier one
	save    string // the returned refresh token must be new; bind it to this name
	cause   string // sb-auth-refresh-token-reuse-cause ("" for none)
	rotated bool   // sb-auth-refresh-token-rotated: true
}

func TestRefreshSequences(t *testing.T) {
	t.Parallel()
	ok := http.StatusOK
	used := refreshStep{status: http.StatusBadRequest, code: "refresh_token_already_used"}
	refused := func(tok string) refreshStep { s := used; s.use, s.advance = tok, time.Second; return s }
	tests := []struct {
		name    string
		refresh RefreshProfile
		steps   []refreshStep
	}{
		{name: "v1 default: parent reuse returns the active token, older reuse revokes the family", steps: []refreshStep{
			{use: "R0", status: ok, save: "R1"},
			{advance: time.Second, use: "R0", status: ok, same: "R1"}, // v1 says nothing about the reuse
			{use: "R1", status: ok, save: "R2"},
			{advance: time.Second, use: "R0", status: used.status, code: used.code},
			// The family was revoked; GoTrue refuses a revoked token strictly
			// after revocation + interval, so step past the same instant.
			{advance: time.Millisecond, use: "R2", status: used.status, code: used.code},
			{user: true, status: ok}, // v1 keeps the session: access tokens still work
		}},
		{name: "v2 default: fail-to-save, then the session is deleted", refresh: RefreshProfile{AlgorithmVersion: 2}, steps: []refreshStep{
			{use: "R0", status: ok, save: "R1"},
			{advance: time.Second, use: "R0", status: ok, same: "R1", cause: "fail-to-save"},
			{use: "R1", status: ok, save: "R2"},
			{advance: time.Second, use: "R0", status: used.status, code: used.code, rotated: true},
			{use: "R2", status: http.StatusBadRequest, code: "refresh_token_not_found"},
			{user: true, status: http.StatusForbidden, code: "session_not_found"},
		}},
		{name: "v1 reuse interval: older tokens swap within it, counted from their revocation", refresh: RefreshProfile{ReuseInterval: 10 * time.Second}, steps: []refreshStep{
			{use: "R0", status: ok, save: "R1"},
			{use: "R1", status: ok, save: "R2"},
			{advance: 5 * time.Second, use: "R0", status: ok, save: "R3"}, // a new token each time
			{advance: 6 * time.Second, use: "R1", status: used.status, code: used.code},
			// The family revocation stamped R3 now: within the interval it swaps again.
			{use: "R3", status: ok, save: "R4"},
			{advance: 11 * time.Second, use: "R2", status: used.status, code: used.code},
		}},
		{name: "v2 reuse interval: concurrent refreshes get the active token", refresh: RefreshProfile{AlgorithmVersion: 2, ReuseInterval: 10 * time.Second}, steps: []refreshStep{
			{use: "R0", status: ok, save: "R1"},
			{use: "R1", status: ok, save: "R2"},
			{advance: 5 * time.Second, use: "R0", status: ok, same: "R2", cause: "concurrent-refresh"},
			{use: "R1", status: ok, same: "R2", cause: "concurrent-refresh,fail-to-save"},
			{advance: 11 * time.Second, use: "R0", status: used.status, code: used.code, rotated: true},
		}},
		{name: "v1 rotation disabled: a refused reuse leaves the family", refresh: RefreshProfile{RotationDisabled: true}, steps: []refreshStep{
			{use: "R0", status: ok, save: "R1"},
			{use: "R1", status: ok, save: "R2"},
			{advance: time.Second, use: "R0", status: used.status, code: used.code},
			{use: "R2", status: ok, save: "R3"},
		}},
		{name: "v2 rotation disabled", refresh: RefreshProfile{AlgorithmVersion: 2, RotationDisabled: true}, steps: []refreshStep{
			{use: "R0", status: ok, save: "R1"},
			{use: "R1", status: ok, save: "R2"},
			{advance: time.Second, use: "R0", status: used.status, code: used.code},
			{use: "R2", status: ok, save: "R3"},
		}},
		{name: "v2 allow reuse", refresh: RefreshProfile{AlgorithmVersion: 2, AllowReuse: true}, steps: []refreshStep{
			{use: "R0", status: ok, save: "R1"},
			{use: "R1", status: ok, save: "R2"},
			{advance: time.Second, use: "R0", status: ok, same: "R2", cause: "always-allow"},
		}},
		{name: "v1 ignores allow reuse", refresh: RefreshProfile{AllowReuse: true}, steps: []refreshStep{
			{use: "R0", status: ok, save: "R1"},
			{use: "R1", status: ok, save: "R2"},
			refused("R0"),
		}},
		{name: "broken: mint on reuse v1", refresh: RefreshProfile{MintOnReuse: true}, steps: []refreshStep{
			{use: "R0", status: ok, save: "R1"},
			{advance: time.Second, use: "R0", status: ok, save: "R2"},
		}},
		{name: "broken: mint on reuse v2", refresh: RefreshProfile{AlgorithmVersion: 2, MintOnReuse: true}, steps: []refreshStep{
			{use: "R0", status: ok, save: "R1"},
			{advance: time.Second, use: "R0", status: ok, save: "R2", cause: "fail-to-save"},
		}},
		{name: "broken: no family revocation", refresh: RefreshProfile{NoFamilyRevocation: true}, steps: []refreshStep{
			{use: "R0", status: ok, save: "R1"},
			{use: "R1", status: ok, save: "R2"},
			{advance: time.Second, use: "R0", status: used.status, code: used.code},
			{use: "R2", status: ok, save: "R3"},
		}},
		{name: "broken: accept any reuse v1", refresh: RefreshProfile{AcceptAnyReuse: true}, steps: []refreshStep{
			{use: "R0", status: ok, save: "R1"},
			{use: "R1", status: ok, save: "R2"},
			{advance: time.Hour, use: "R0", status: ok, save: "R3"},
			{use: "R0", status: ok, save: "R4"},
		}},
		{name: "broken: accept any reuse v2", refresh: RefreshProfile{AlgorithmVersion: 2, AcceptAnyReuse: true}, steps: []refreshStep{
			{use: "R0", status: ok, save: "R1"},
			{use: "R1", status: ok, save: "R2"},
			{advance: time.Hour, use: "R0", status: ok, save: "R3"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			d, c := start(t, func(p *Profile) { p.Refresh = tt.refresh; p.Clock = clock.Now })
			first := signIn(t, d, c)
			tokens := map[string]string{"R0": first.body["refresh_token"].(string)}
			access := first.body["access_token"].(string)
			for i, st := range tt.steps {
				clock.Advance(st.advance)
				var r response
				if st.user {
					r = getUser(t, d, c, access)
				} else {
					r = refreshWith(t, d, c, tokens[st.use])
				}
				what := "GET /user"
				if !st.user {
					what = "refresh with " + st.use
				}
				if r.status != st.status || r.header.Get("x-sb-error-code") != st.code {
					t.Fatalf("step %d (%s) = %d %q, want %d %q (body %s)", i, what, r.status, r.header.Get("x-sb-error-code"), st.status, st.code, r.raw)
				}
				if got := r.header.Get("sb-auth-refresh-token-reuse-cause"); got != st.cause {
					t.Errorf("step %d (%s) reuse cause = %q, want %q", i, what, got, st.cause)
				}
				if got := r.header.Get("sb-auth-refresh-token-rotated") == "true"; got != st.rotated {
					t.Errorf("step %d (%s) rotated header = %v, want %v", i, what, got, st.rotated)
				}
				if st.user || r.status != http.StatusOK {
					continue
				}
				access = r.body["access_token"].(string)
				got, _ := r.body["refresh_token"].(string)
				if st.same != "" && got != tokens[st.same] {
					t.Errorf("step %d (%s) refresh_token = %q, want %s %q again", i, what, got, st.same, tokens[st.same])
				}
				if st.save != "" {
					for name, tok := range tokens {
						if got == tok {
							t.Errorf("step %d (%s) refresh_token = %s, want a new token", i, what, name)
						}
					}
					tokens[st.save] = got
				}
			}
		})
	}
}

func TestRefreshTokenShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		version int
		want    *regexp.Regexp
	}{
		{name: "v1", version: 0, want: regexp.MustCompile(`^[a-z2-7]{12}$`)},
		{name: "v2", version: 2, want: regexp.MustCompile(`^[A-Za-z0-9_-]{51,}$`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, c := start(t, func(p *Profile) { p.Refresh.AlgorithmVersion = tt.version })
			r := signIn(t, d, c)
			rt, _ := r.body["refresh_token"].(string)
			if !tt.want.MatchString(rt) {
				t.Errorf("refresh_token = %q, want %s", rt, tt.want)
			}
			if !validRefreshTokenShape(rt) {
				t.Errorf("refresh_token %q fails GoTrue's shape check", rt)
			}
			if r.header.Get("sb-auth-session-id") != payload(t, r.body["access_token"].(string))["session_id"] {
				t.Errorf("sb-auth-session-id = %q, want the token's session_id", r.header.Get("sb-auth-session-id"))
			}
		})
	}
}

func TestRefreshKeepsSession(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	d, c := start(t, func(p *Profile) { p.Clock = clock.Now })
	first := signIn(t, d, c)
	clock.Advance(time.Minute)
	r := refreshWith(t, d, c, first.body["refresh_token"].(string))
	if r.status != http.StatusOK {
		t.Fatalf("refresh status = %d, want 200 (body %s)", r.status, r.raw)
	}
	before, after := payload(t, first.body["access_token"].(string)), payload(t, r.body["access_token"].(string))
	if after["session_id"] != before["session_id"] || after["sub"] != before["sub"] {
		t.Errorf("refreshed session_id, sub = %v, %v, want %v, %v", after["session_id"], after["sub"], before["session_id"], before["sub"])
	}
	if after["iat"].(float64)-before["iat"].(float64) != 60 {
		t.Errorf("refreshed iat = %v, want a minute after %v", after["iat"], before["iat"])
	}
	// GoTrue's AMR entry is the sign-in's: a refresh keeps its timestamp.
	amrTime := func(c map[string]any) any { return c["amr"].([]any)[0].(map[string]any)["timestamp"] }
	if amrTime(after) != amrTime(before) || amrTime(before) != before["iat"] {
		t.Errorf("amr timestamps = %v then %v, want the sign-in time %v", amrTime(before), amrTime(after), before["iat"])
	}
}

func TestRefreshErrors(t *testing.T) {
	t.Parallel()
	d, c := start(t, nil)
	rt := signIn(t, d, c).body["refresh_token"].(string)
	if r := refreshWith(t, d, c, rt); r.status != http.StatusOK {
		t.Fatalf("refresh status = %d, want 200", r.status)
	}
	if r := refreshWith(t, d, c, refreshWith(t, d, c, rt).body["refresh_token"].(string)); r.status != http.StatusOK {
		t.Fatalf("refresh of the returned active token status = %d, want 200", r.status)
	}
	tests := []struct {
		name    string
		token   string
		version string
		want    map[string]any
	}{
		{name: "already used", token: rt,
			want: map[string]any{"code": float64(400), "error_code": "refresh_token_already_used", "msg": "Invalid Refresh Token: Already Used"}},
		{name: "already used 2024-01-01", token: rt, version: "2024-01-01",
			want: map[string]any{"code": "refresh_token_already_used", "message": "Invalid Refresh Token: Already Used"}},
		{name: "unknown", token: "nosuchtoken2",
			want: map[string]any{"code": float64(400), "error_code": "refresh_token_not_found", "msg": "Invalid Refresh Token: Refresh Token Not Found"}},
		{name: "too short", token: "short",
			want: map[string]any{"code": float64(400), "error_code": "validation_failed", "msg": "Refresh token is not valid"}},
		{name: "empty", token: "",
			want: map[string]any{"code": float64(400), "error_code": "validation_failed", "msg": "Refresh token is not valid"}},
		{name: "upper case v1", token: "NOSUCHTOKEN2",
			want: map[string]any{"code": float64(400), "error_code": "validation_failed", "msg": "Refresh token is not valid"}},
		{name: "not a v2 token", token: "this-is-not-a-v2-refresh-token",
			want: map[string]any{"code": float64(400), "error_code": "validation_failed", "msg": "Refresh token is not valid"}},
		{name: "v2 token of no session", token: encodeV2RefreshToken([16]byte{1}, 0, []byte("k")),
			want: map[string]any{"code": float64(400), "error_code": "refresh_token_not_found", "msg": "Invalid Refresh Token: Refresh Token Not Found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var extra []string
			if tt.version != "" {
				extra = []string{apiVersionHeader, tt.version}
			}
			r := refreshWith(t, d, c, tt.token, extra...)
			if r.status != http.StatusBadRequest || !sameJSON(r.body, tt.want) {
				t.Errorf("refresh = %d %s, want 400 %v", r.status, r.raw, tt.want)
			}
			code := tt.want["error_code"]
			if code == nil {
				code = tt.want["code"]
			}
			if got := r.header.Get("x-sb-error-code"); got != code {
				t.Errorf("x-sb-error-code = %q, want %v", got, code)
			}
		})
	}
}

func TestV2RefreshTokenCodec(t *testing.T) {
	t.Parallel()
	key := []byte("0123456789abcdef0123456789abcdef")
	sess := [16]byte{0xde, 0xad, 0xbe, 0xef}
	tests := []struct {
		name    string
		counter int64
	}{
		{name: "zero", counter: 0},
		{name: "one-byte varint", counter: 127},
		{name: "two-byte varint", counter: 128},
		{name: "large", counter: 1 << 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := encodeV2RefreshToken(sess, tt.counter, key)
			if s != encodeV2RefreshToken(sess, tt.counter, key) {
				t.Fatalf("encoding is not deterministic")
			}
			got, ok := parseV2RefreshToken(s)
			if !ok || got.session != sess || got.counter != tt.counter {
				t.Fatalf("parse(%q) = %v %v, want session %x counter %d", s, got, ok, sess, tt.counter)
			}
			if !got.signedBy(key) || got.signedBy([]byte("another key")) {
				t.Errorf("signedBy(key), signedBy(other) = %v, %v, want true, false", got.signedBy(key), got.signedBy([]byte("another key")))
			}
			b := []byte(s)
			b[len(b)/2] ^= 1
			if _, ok := parseV2RefreshToken(string(b)); ok {
				t.Errorf("parse of a corrupted token succeeded")
			}
		})
	}
}
