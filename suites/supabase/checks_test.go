package supabase

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/judge/judgetest"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	"github.com/mfconform/mfconform/suites/result"
	"github.com/mfconform/mfconform/suites/sbcheck"
)

const (
	testSecret = "supabase-checks-test-secret-0123456789abcd"
	testRef    = "abcdefghijklmnopqrst"
)

var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func answer(status int, body string, header ...string) Answer {
	h := http.Header{"Date": {testNow.Format(http.TimeFormat)}}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	return Answer{Status: status, Body: []byte(body), Header: h, At: testNow}
}

func mint(t *testing.T, key string, claims map[string]any) string {
	t.Helper()
	tok, err := jwtcheck.Mint("HS256", []byte(key), claims)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// goodRun is the evidence of a correctly configured project; each row of
// TestChecks breaks one thing.
func goodRun(t *testing.T) *Run {
	t.Helper()
	anon := mint(t, testSecret, map[string]any{"iss": "supabase", "ref": testRef, "role": "anon", "iat": testNow.Add(-time.Hour).Unix(), "exp": testNow.AddDate(10, 0, 0).Unix()})
	access := mint(t, testSecret, map[string]any{"sub": "9cb972e2-50e0-4fcd-8dab-5c3eeb15b72e", "aud": "authenticated", "role": "authenticated",
		"iat": testNow.Unix(), "exp": testNow.Add(time.Hour).Unix(), "session_id": "368a5bae-803f-431d-b440-d912949db9b5"})
	target := env.SupabaseTarget{URL: "https://" + testRef + ".supabase.test", Key: anon, ClientURL: "https://app.acme.test", AppURL: "https://app.acme.test",
		Email: "test.user@acme.test", Password: "pw", JWTSecret: []byte(testSecret)}
	u, _ := sbcheck.CheckURL(target.URL)
	k, _ := sbcheck.ReadKey(target.Key)
	p, _ := jwtcheck.Parse(access)
	refused := func(code string) RefreshStep {
		return RefreshStep{Answer: answer(400, `{"code":"`+code+`","message":"Invalid Refresh Token"}`)}
	}
	return &Run{
		Target: target, Thresholds: env.Thresholds{ClockTolerance: 2 * time.Minute}, Now: testNow, URL: u, Key: k,
		Config: &ConfigEvidence{
			Health:   answer(200, `{"version":"v2.196.0","name":"GoTrue","description":"GoTrue"}`),
			Settings: answer(200, `{"external":{"email":true}}`),
			JWKS:     answer(200, `{"keys":[]}`),
			Rest:     answer(200, `{"swagger":"2.0"}`),
		},
		Browser: &BrowserEvidence{
			Cors: CorsResult{Settings: StepResult{OK: true, Status: 200}, Token: StepResult{OK: true, Status: 200}},
			Run: &RunResult{Created: true, SignIn: StepResult{OK: true, Status: 200}, Session: struct {
				Present bool `json:"present"`
			}{true}},
		},
		Session: &SessionEvidence{
			SignIn: answer(200, `{}`), Access: p,
			Forged:      answer(403, `{"code":"bad_jwt","message":"invalid JWT: unable to parse or verify signature, token signature is invalid"}`),
			UserExpired: ptr(answer(403, `{"code":"bad_jwt","message":"invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired"}`)),
			Refresh: RefreshSequence{
				R0: "r0", R1: "r1",
				First:       RefreshStep{Answer: answer(200, `{}`), Returned: "r1"},
				ReuseParent: RefreshStep{Answer: answer(200, `{}`), Returned: "r1"},
				Second:      RefreshStep{Answer: answer(200, `{}`), Returned: "r2"},
				ReuseOld:    refused("refresh_token_already_used"),
				AfterReuse:  refused("refresh_token_already_used"),
			},
		},
	}
}

func ptr[T any](v T) *T { return &v }

// besideApp makes r a real app's run: mfconform's page runs beside the
// app, whose origin is judged from Go, its token step refused for refused
// ("" allows both).
func besideApp(r *Run, refused string) *OriginCORS {
	r.Target.ClientURL = "https://mfconform-client.acme.test"
	r.AppCORS = &OriginCORS{
		Origin:   "https://app.acme.test",
		Settings: OriginStep{Preflight: answer(200, ``), Actual: answer(200, `{}`)},
		Token:    OriginStep{Preflight: answer(200, ``), Actual: answer(400, `{}`), Refused: refused},
	}
	return r.AppCORS
}

// judgeOne returns spec id's verdict on a run: every check judged and the
// blocking settled (judge.Resolve), as a run does.
func judgeOne(t *testing.T, id result.SpecID, r *Run) result.Spec {
	t.Helper()
	for _, c := range Checks() {
		if c.ID == id {
			return judge.Resolve(Checks(), r, nil).Spec(id)
		}
	}
	t.Fatalf("no check %s", id)
	return result.Spec{}
}

func TestChecks(t *testing.T) {
	netErr := Answer{Err: errors.New("read tcp: connection reset by peer")}
	tests := []struct {
		name   string
		id     result.SpecID
		mutate func(*Run)
		state  result.State
		codes  []diag.Code
		by     string
	}{
		{"URL fine", result.SBConfig001, nil, result.StatePassed, nil, ""},
		{"URL with /auth/v1", result.SBConfig001, func(r *Run) { r.Target.URL += "/auth/v1" }, result.StateFailed, []diag.Code{diag.SupabaseURLInvalid}, ""},
		{"health answers as GoTrue", result.SBConfig002, nil, result.StatePassed, nil, ""},
		{"health unreachable", result.SBConfig002, func(r *Run) { r.Config.Health = netErr }, result.StateFailed, []diag.Code{diag.SupabaseURLUnreachable}, ""},
		{"a gateway refusal, JWKS proves Auth behind it", result.SBConfig002, func(r *Run) {
			r.Config.Health = answer(401, `{"message":"Invalid API key","hint":"Double check your Supabase anon or service_role API key."}`)
		}, result.StatePassed, nil, ""},
		{"a gateway refusal without proof: not judged until the key is taken (SB-KEY-005, printed later, is never its blocker)", result.SBConfig002, func(r *Run) {
			r.Config.Health = answer(401, `{"message":"Invalid authentication credentials"}`)
			r.Config.JWKS = answer(401, `{"message":"Invalid authentication credentials"}`)
		}, result.StateNotJudged, nil, InputAcceptedKey},
		{"a 401 from something that is not Supabase", result.SBConfig002, func(r *Run) {
			r.Config.Health = answer(401, `<html>Unauthorized</html>`)
		}, result.StateFailed, []diag.Code{diag.SupabaseNotAuth}, ""},
		{"a 200 that is not GoTrue", result.SBConfig002, func(r *Run) { r.Config.Health = answer(200, `<html>welcome</html>`) }, result.StateFailed, []diag.Code{diag.SupabaseNotAuth}, ""},
		{"an origin that is not Supabase blocks what talks to the project", result.SBKey005, func(r *Run) { r.Config.Health = answer(200, `<html>welcome</html>`) }, result.StateBlocked, nil, string(result.SBConfig002)},
		{"… the browser's sign-in too", result.SBBrowser002, func(r *Run) { r.Config.Health = answer(200, `<html>welcome</html>`) }, result.StateBlocked, nil, string(result.SBConfig002)},
		{"key accepted", result.SBKey005, nil, result.StatePassed, nil, ""},
		{"a key without claims, refused: blocked by SB-KEY-005, printed before it", result.SBKey003, func(r *Run) {
			r.Key.Ref = ""
			r.Config.Settings = answer(401, `{"message":"Invalid API key"}`)
		}, result.StateBlocked, nil, string(result.SBKey005)},
		{"a key without expiry, refused: blocked by SB-KEY-005", result.SBKey004, func(r *Run) {
			r.Key.Kind, r.Key.Exp = sbcheck.KeyPublishable, nil
			r.Config.Settings = answer(401, `{"message":"Invalid API key"}`)
		}, result.StateBlocked, nil, string(result.SBKey005)},
		{"key refused", result.SBKey005, func(r *Run) { r.Config.Settings = answer(401, `{"message":"Invalid API key"}`) }, result.StateFailed, []diag.Code{diag.SupabaseKeyRejected}, ""},
		{"settings request failed", result.SBKey005, func(r *Run) { r.Config.Settings = netErr }, result.StateFailed, []diag.Code{diag.SupabaseURLUnreachable}, ""},
		{"key project via gateway (no ref)", result.SBKey003, func(r *Run) { r.Key.Ref = "" }, result.StatePassed, nil, ""},
		{"key signature verifies", result.SBKey006, nil, result.StatePassed, nil, ""},
		{"key minted with another secret, while the secret verifies the project's own token: the key is stale", result.SBKey006, func(r *Run) {
			r.Key, _ = sbcheck.ReadKey(mint(t, "the-previous-project-secret-0123456789ab", map[string]any{"iss": "supabase", "ref": testRef, "role": "anon", "exp": testNow.AddDate(10, 0, 0).Unix()}))
		}, result.StateFailed, []diag.Code{diag.SupabaseKeySignature}, ""},
		{"a stale SUPABASE_JWT_SECRET and a good key: the secret is blamed, not the key (issue 21 item 5)", result.SBKey006, func(r *Run) {
			r.Target.JWTSecret = []byte("the-new-project-secret-0123456789abcdef")
		}, result.StateBlocked, nil, string(result.SBSession002)},
		{"no secret: PostgREST accepts", result.SBKey006, func(r *Run) { r.Target.JWTSecret = nil }, result.StatePassed, nil, ""},
		{"no secret: PGRST301", result.SBKey006, func(r *Run) {
			r.Target.JWTSecret = nil
			r.Config.Rest = answer(401, `{"code":"PGRST301","details":null,"hint":null,"message":"JWSError JWSInvalidSignature"}`)
		}, result.StateFailed, []diag.Code{diag.SupabaseKeySignature}, ""},
		{"no secret, no data API", result.SBKey006, func(r *Run) { r.Target.JWTSecret, r.Config.Rest = nil, answer(404, `404 page not found`) }, result.StateNotJudged, nil, InputJWTSecret},
		{"no secret, data API unreachable", result.SBKey006, func(r *Run) { r.Target.JWTSecret, r.Config.Rest = nil, netErr }, result.StateFailed, []diag.Code{diag.SupabaseURLUnreachable}, ""},
		{"CORS fine", result.SBBrowser001, nil, result.StatePassed, nil, ""},
		{"CORS refused", result.SBBrowser001, func(r *Run) { r.Browser.Cors.Token = StepResult{Error: "TypeError: Failed to fetch"} }, result.StateFailed, []diag.Code{diag.SupabaseCORSBlocked}, ""},
		{"browser never ran", result.SBBrowser001, func(r *Run) { r.Browser, r.BrowserErr = nil, errors.New("bundle missing") }, result.StateFailed, []diag.Code{diag.SetupFailed}, ""},
		{"sign-in fine", result.SBBrowser002, nil, result.StatePassed, nil, ""},
		{"sign-in needs a test user", result.SBBrowser002, func(r *Run) { r.Target.Email = "" }, result.StateNotJudged, nil, InputTestUser},
		{"the browser's sign-in did not finish after CORS passed: its own finding, never blocked by SB-BROWSER-001 (B3)", result.SBBrowser002, func(r *Run) {
			r.Browser.Run, r.BrowserErr = nil, errors.New("context deadline exceeded")
		}, result.StateFailed, []diag.Code{diag.SetupFailed}, ""},
		{"CORS refused: blocked by SB-BROWSER-001", result.SBBrowser002, func(r *Run) { r.Browser.Cors.Token = StepResult{Error: "TypeError: Failed to fetch"} }, result.StateBlocked, nil, string(result.SBBrowser001)},
		{"a secret key refused in the browser: blocked by SB-KEY-002", result.SBBrowser002, func(r *Run) {
			r.Key.Kind = sbcheck.KeySecret
			r.Browser.Run.SignIn = StepResult{Status: 401, Message: "Forbidden use of secret API key in browser"}
		}, result.StateBlocked, nil, string(result.SBKey002)},
		{"a 401 in the browser for a key the gateway takes: its own finding, never blocked by a passing SB-KEY-005", result.SBBrowser002, func(r *Run) {
			r.Browser.Run.SignIn = StepResult{Status: 401, Message: "Invalid API key"}
		}, result.StateFailed, []diag.Code{diag.SupabaseSigninFailed}, ""},
		{"unconfirmed email", result.SBBrowser002, func(r *Run) {
			r.Browser.Run.SignIn = StepResult{Status: 400, Code: "email_not_confirmed", Message: "Email not confirmed"}
		}, result.StateFailed, []diag.Code{diag.SupabaseSigninFailed}, ""},
		{"claims fine", result.SBSession001, nil, result.StatePassed, nil, ""},
		{"sign-in request failed", result.SBSession001, func(r *Run) { r.Session.SignIn, r.Session.Access = netErr, nil }, result.StateFailed, []diag.Code{diag.SupabaseURLUnreachable}, ""},
		{"the test user cannot sign in, and supabase-js could not either: blocked by SB-BROWSER-002", result.SBSession002, func(r *Run) {
			r.Session.SignIn, r.Session.Access = answer(400, `{"code":"email_not_confirmed","msg":"Email not confirmed"}`), nil
			r.Browser.Run.SignIn = StepResult{Status: 400, Code: "email_not_confirmed", Message: "Email not confirmed"}
		}, result.StateBlocked, nil, string(result.SBBrowser002)},
		{"mfconform's own sign-in rate-limited while supabase-js signed in: its own finding, never blocked by a passing SB-BROWSER-002 (B2)", result.SBSession004, func(r *Run) {
			r.Session.SignIn, r.Session.Access = answer(429, `{"code":"over_request_rate_limit","msg":"Request rate limit reached"}`), nil
		}, result.StateFailed, []diag.Code{diag.SupabaseSigninFailed}, ""},
		{"a session answer mfconform cannot read: its own finding", result.SBSession001, func(r *Run) {
			r.Session.SignIn, r.Session.Access = answer(200, `{"access_token":"eyJ-cut-at-the-read-bound`), nil
		}, result.StateFailed, []diag.Code{diag.SupabaseSigninFailed}, ""},
		{"HS256 verifies with the secret", result.SBSession002, nil, result.StatePassed, nil, ""},
		{"HS256 needs the secret", result.SBSession002, func(r *Run) { r.Target.JWTSecret = nil }, result.StateNotJudged, nil, InputJWTSecret},
		{"HS256 with another secret: the secret given is the suspect", result.SBSession002, func(r *Run) { r.Target.JWTSecret = []byte("not-the-project-secret-0123456789abcdefgh") }, result.StateFailed, []diag.Code{diag.SupabaseJWTSecretMismatch}, ""},
		{"refresh as GoTrue", result.SBSession003, nil, result.StatePassed, nil, ""},
		{"a real app's origin not given: mfconform's page is not the app", result.SBBrowser001, func(r *Run) { r.Target.AppURL = "" }, result.StateNotJudged, nil, "--app-origin"},
		{"the app's origin allowed", result.SBBrowser001, func(r *Run) { besideApp(r, "") }, result.StatePassed, nil, ""},
		{"the app's origin allowed, but the sign-in answers with a redirect", result.SBBrowser001, func(r *Run) {
			a := besideApp(r, "")
			a.Token.Actual = answer(307, "")
			a.Token.Actual.Redirect = newRedirect("POST", mustURL("https://abcdefghijklmnopqrst.supabase.co/auth/v1/token?grant_type=password"), 307, "https://evil.test/t")
		}, result.StateFailed, []diag.Code{diag.SupabaseRedirects}, ""},
		{"the app's origin allowed, mfconform's page refused", result.SBBrowser001, func(r *Run) {
			besideApp(r, "")
			r.Browser.Cors.Token = StepResult{Error: "TypeError: Failed to fetch"}
		}, result.StatePassed, nil, ""},
		{"the app's origin refused, mfconform's page allowed", result.SBBrowser001, func(r *Run) {
			besideApp(r, "preflight: no Access-Control-Allow-Origin")
		}, result.StateFailed, []diag.Code{diag.SupabaseCORSBlocked}, ""},
		{"the app's origin could not be asked", result.SBBrowser001, func(r *Run) {
			besideApp(r, "").Token.Preflight = netErr
		}, result.StateFailed, []diag.Code{diag.SetupFailed}, ""},
		{"… then the sign-in in the browser is not judged", result.SBBrowser002, func(r *Run) {
			besideApp(r, "")
			r.Browser.Cors.Token = StepResult{Error: "TypeError: Failed to fetch"}
		}, result.StateNotJudged, nil, "CORS for https://mfconform-client.acme.test"},
		{"… and blocked when the app's origin is refused too", result.SBBrowser002, func(r *Run) {
			besideApp(r, "answer: no Access-Control-Allow-Origin")
			r.Browser.Cors.Token = StepResult{Error: "TypeError: Failed to fetch"}
		}, result.StateBlocked, nil, string(result.SBBrowser001)},
		{"the project redirects the browser's calls elsewhere", result.SBBrowser001, func(r *Run) {
			r.Browser.Cors.Token = StepResult{Error: "RedirectRefused: the project answered with a redirect"}
			r.Browser.Redirects = []Redirect{*newRedirect("POST", mustURL("https://abcdefghijklmnopqrst.supabase.co/auth/v1/token?grant_type=password"), 307, "https://evil.test/collect")}
		}, result.StateFailed, []diag.Code{diag.SupabaseRedirects}, ""},
		{"CORS passes, supabase-js's sign-in is redirected", result.SBBrowser002, func(r *Run) {
			r.Browser.Run.SignIn = StepResult{Name: "AuthRetryableFetchError", Message: "the project answered with a redirect"}
			r.Browser.Redirects = []Redirect{*newRedirect("POST", mustURL("https://abcdefghijklmnopqrst.supabase.co/auth/v1/token?grant_type=password"), 308, "/auth/v1/token2")}
		}, result.StateFailed, []diag.Code{diag.SupabaseRedirects}, ""},
		{"sign-in redirected: not followed, not an answer", result.SBSession001, func(r *Run) {
			a := answer(307, "")
			a.Redirect = newRedirect("POST", mustURL("https://abcdefghijklmnopqrst.supabase.co/auth/v1/token?grant_type=password"), 307, "https://evil.test/t")
			r.Session.SignIn, r.Session.Access = a, nil
		}, result.StateFailed, []diag.Code{diag.SupabaseRedirects}, ""},
		{"refresh as GoTrue v2 (parent reuse says fail-to-save)", result.SBSession003, func(r *Run) {
			r.Session.Refresh.ReuseParent.Header.Set(ReuseCause, "fail-to-save")
		}, result.StatePassed, nil, ""},
		{"reuse mints", result.SBSession003, func(r *Run) { r.Session.Refresh.ReuseParent.Returned = "r9" }, result.StateFailed, []diag.Code{diag.SupabaseRefreshReuseMints}, ""},
		{"family kept", result.SBSession003, func(r *Run) { r.Session.Refresh.AfterReuse = RefreshStep{Answer: answer(200, `{}`), Returned: "r3"} }, result.StateWarned, []diag.Code{diag.SupabaseRefreshFamily}, ""},
		{"old reuse accepted within a v2 interval", result.SBSession003, func(r *Run) {
			r.Session.Refresh.ReuseOld = RefreshStep{Answer: answer(200, `{}`, ReuseCause, "concurrent-refresh"), Returned: "r2"}
		}, result.StatePassed, nil, ""},
		{"old reuse accepted, v1: may be an interval", result.SBSession003, func(r *Run) {
			r.Session.Refresh.ReuseOld = RefreshStep{Answer: answer(200, `{}`), Returned: "r3"}
		}, result.StateWarned, []diag.Code{diag.SupabaseRefreshReuse}, ""},
		{"thorough: refused after the interval", result.SBSession003, func(r *Run) {
			r.Session.Refresh.ReuseOld = RefreshStep{Answer: answer(200, `{}`), Returned: "r3"}
			r.Session.Refresh.ReuseOldAfterWait = &RefreshStep{Answer: answer(400, `{"code":"refresh_token_already_used","message":"Invalid Refresh Token: Already Used"}`)}
		}, result.StatePassed, nil, ""},
		{"thorough: refused for another reason decides nothing", result.SBSession003, func(r *Run) {
			r.Session.Refresh.ReuseOld = RefreshStep{Answer: answer(200, `{}`), Returned: "r3"}
			r.Session.Refresh.ReuseOldAfterWait = &RefreshStep{Answer: answer(400, `{"code":"refresh_token_not_found","message":"Invalid Refresh Token: Refresh Token Not Found"}`)}
		}, result.StateWarned, []diag.Code{diag.SupabaseRefreshReuse}, ""},
		{"thorough: accepted after the interval", result.SBSession003, func(r *Run) {
			r.Session.Refresh.ReuseOld = RefreshStep{Answer: answer(200, `{}`), Returned: "r3"}
			r.Session.Refresh.ReuseOldAfterWait = &RefreshStep{Answer: answer(200, `{}`), Returned: "r4"}
		}, result.StateFailed, []diag.Code{diag.SupabaseRefreshReuse}, ""},
		{"a refresh that failed on the network is no pass", result.SBSession003, func(r *Run) { r.Session.Refresh.ReuseOld = RefreshStep{Answer: netErr} }, result.StateFailed, []diag.Code{diag.SupabaseURLUnreachable}, ""},
		{"first refresh refused", result.SBSession003, func(r *Run) {
			r.Session.Refresh.First = RefreshStep{Answer: answer(400, `{"code":"session_expired","message":"Session Expired"}`)}
		}, result.StateFailed, []diag.Code{diag.SupabaseRefreshFailed}, ""},
		{"expired refused", result.SBSession004, nil, result.StatePassed, nil, ""},
		{"expired accepted", result.SBSession004, func(r *Run) { r.Session.UserExpired = ptr(answer(200, `{}`)) }, result.StateFailed, []diag.Code{diag.SupabaseAcceptsExpired}, ""},
		{"expired probe failed on the network", result.SBSession004, func(r *Run) { r.Session.UserExpired = &netErr }, result.StateFailed, []diag.Code{diag.SupabaseURLUnreachable}, ""},
		{"expired needs the secret", result.SBSession004, func(r *Run) { r.Target.JWTSecret = nil }, result.StateNotJudged, nil, InputJWTSecret},
		{"forged refused", result.SBSession005, nil, result.StatePassed, nil, ""},
		{"forged accepted", result.SBSession005, func(r *Run) { r.Session.Forged = answer(200, `{}`) }, result.StateFailed, []diag.Code{diag.SupabaseAcceptsBadSig}, ""},
		{"forged probe failed on the network", result.SBSession005, func(r *Run) { r.Session.Forged = netErr }, result.StateFailed, []diag.Code{diag.SupabaseURLUnreachable}, ""},
		{"forged needs a test user", result.SBSession005, func(r *Run) { r.Target.Password = "" }, result.StateNotJudged, nil, InputTestUser},
		{"clock fine", result.SBSession006, nil, result.StatePassed, nil, ""},
		{"clock hours off", result.SBSession006, func(r *Run) {
			r.Session.SignIn.Header.Set("Date", testNow.Add(-3*time.Hour).Format(http.TimeFormat))
		}, result.StateFailed, []diag.Code{diag.SupabaseClockSkew}, ""},
		{"no Date, no iat", result.SBSession006, func(r *Run) {
			r.Session = nil
			r.Config.Health.Header.Del("Date")
		}, result.StateNotJudged, nil, "a Date header or token iat from the project"},
	}
	for _, tt := range tests {
		t.Run(string(tt.id)+"/"+tt.name, func(t *testing.T) {
			r := goodRun(t)
			if tt.mutate != nil {
				tt.mutate(r)
			}
			judgetest.Check(t, judgeOne(t, tt.id, r), judgetest.Want{State: tt.state, Codes: tt.codes, By: tt.by})
		})
	}
}

// TestEveryCheckIsDeclared keeps Supabase mode's declarations sound: the
// prerequisites form a graph whose every edge points to a spec printed
// earlier (no cycle, nothing unknown).
func TestEveryCheckIsDeclared(t *testing.T) {
	if err := judge.Validate(Checks()); err != nil {
		t.Errorf("judge.Validate(Checks()) = %v", err)
	}
}
