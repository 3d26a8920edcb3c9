package clientsite_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/harness/clientsite"
)

// Secrets the driver must never hand back.
const (
	testKey      = "anon-key-that-must-not-leak"
	wrongPasswd  = "password-that-must-not-leak"
	nowhere      = "https://nothing.invalid.test"
	wantHeaders  = "apikey,authorization,content-type,x-client-info,x-supabase-api-version"
	liveDeadline = 60 * time.Second
)

// TestDriverLive loads the page in real headless Chromium and drives the
// real supabase-js: against an address where nothing answers, against a
// fake auth API that allows cross-origin requests, and against one that
// does not.
func TestDriverLive(t *testing.T) {
	site, ca, _ := startSite(t)
	b := shared.Browser(t)
	ctx, cancel := context.WithTimeout(t.Context(), liveDeadline)
	defer cancel()

	// open gives each subtest a fresh session on the page.
	open := func(t *testing.T) *browser.Session {
		t.Helper()
		s, err := b.NewSession(ctx, browser.SessionOptions{})
		if err != nil {
			t.Fatalf("NewSession() error = %v", err)
		}
		t.Cleanup(s.Close)
		x, err := s.Navigate(ctx, site.URL+clientsite.PagePath)
		if err != nil {
			t.Fatalf("Navigate() error = %v", err)
		}
		if x.Status != 200 {
			t.Fatalf("Navigate() status = %d, want 200", x.Status)
		}
		return s
	}
	// call evaluates fn(args) and fails on leaked secrets.
	call := func(t *testing.T, s *browser.Session, fn string, args map[string]string, secrets ...string) map[string]any {
		t.Helper()
		a, _ := json.Marshal(args)
		start := time.Now()
		got, err := browser.Evaluate[map[string]any](ctx, s, fmt.Sprintf("%s(%s)", fn, a))
		if err != nil {
			t.Fatalf("%s() error = %v", fn, err)
		}
		raw, _ := json.Marshal(got)
		t.Logf("%s() took %s: %s", fn, time.Since(start).Round(time.Millisecond), raw)
		for _, sec := range append(secrets, testKey) {
			if strings.Contains(string(raw), sec) {
				t.Errorf("%s() = %s, leaks %q", fn, raw, sec)
			}
		}
		return got
	}

	t.Run("page", func(t *testing.T) {
		s := open(t)
		for expr, want := range map[string]string{
			"typeof supabase.createClient": "function",
			"typeof window.mfCorsProbe":    "function",
			"typeof window.mfSupabaseRun":  "function",
		} {
			got, err := browser.Evaluate[string](ctx, s, expr)
			if err != nil {
				t.Fatalf("Evaluate(%q) error = %v", expr, err)
			}
			if got != want {
				t.Errorf("Evaluate(%q) = %q, want %q", expr, got, want)
			}
		}
	})

	t.Run("unreachable", func(t *testing.T) {
		s := open(t)
		run := call(t, s, "mfSupabaseRun", map[string]string{"url": nowhere, "key": testKey, "email": "ada@acme.test", "password": wrongPasswd}, wrongPasswd)
		if run["created"] != true {
			t.Errorf("mfSupabaseRun().created = %v (createError %v), want true", run["created"], run["createError"])
		}
		signIn := obj(run, "signIn")
		if signIn["ok"] != false || signIn["name"] != "AuthRetryableFetchError" || !strings.Contains(str(signIn, "message"), "fetch") {
			t.Errorf("mfSupabaseRun().signIn = %v, want ok false, AuthRetryableFetchError, a fetch failure", signIn)
		}
		if obj(run, "session")["present"] != false || run["accessTokenClaims"] != nil {
			t.Errorf("mfSupabaseRun() session = %v, claims = %v, want none", run["session"], run["accessTokenClaims"])
		}
		if g := obj(run, "getUser"); g["ok"] != false || g["name"] != "AuthSessionMissingError" {
			t.Errorf("mfSupabaseRun().getUser = %v, want ok false, AuthSessionMissingError", g)
		}

		probe := call(t, s, "mfCorsProbe", map[string]string{"url": nowhere, "key": testKey})
		for _, k := range []string{"settings", "token"} {
			if r := obj(probe, k); r["ok"] != false || str(r, "error") != "TypeError: Failed to fetch" {
				t.Errorf("mfCorsProbe().%s = %v, want ok false, TypeError: Failed to fetch", k, r)
			}
		}
	})

	t.Run("cors allowed", func(t *testing.T) {
		s := open(t)
		// Two servers, so Chromium's preflight cache cannot hide the
		// second client's preflight.
		forRun := startFakeGoTrue(t, apiHost, ca, true, false)
		forProbe := startFakeGoTrue(t, apiHost, ca, true, false)

		run := call(t, s, "mfSupabaseRun", map[string]string{"url": forRun.URL, "key": testKey, "email": forRun.email, "password": forRun.password}, forRun.password, "rt-1", "rt-2")
		want := map[string]map[string]any{
			"signIn":       {"ok": true, "userId": forRun.userID},
			"session":      {"present": true, "tokenType": "bearer", "hasRefreshToken": true, "userId": forRun.userID},
			"getUser":      {"ok": true, "userId": forRun.userID},
			"refresh":      {"ok": true, "changed": true},
			"signOut":      {"ok": true},
			"afterSignOut": {"present": false},
		}
		for part, fields := range want {
			got := obj(run, part)
			for k, v := range fields {
				if got[k] != v {
					t.Errorf("mfSupabaseRun().%s.%s = %v, want %v (%s = %v)", part, k, got[k], v, part, got)
				}
			}
		}
		if claims := obj(run, "accessTokenClaims"); claims["sub"] != forRun.userID || claims["aud"] != "authenticated" {
			t.Errorf("mfSupabaseRun().accessTokenClaims = %v, want sub %s, aud authenticated", claims, forRun.userID)
		}
		if keys := fmt.Sprint(run["storageKeys"]); !strings.Contains(keys, "sb-api-auth-token") {
			t.Errorf("mfSupabaseRun().storageKeys = %s, want sb-api-auth-token", keys)
		}

		wrong := call(t, s, "mfSupabaseRun", map[string]string{"url": forRun.URL, "key": testKey, "email": forRun.email, "password": wrongPasswd}, wrongPasswd)
		if r := obj(wrong, "signIn"); r["ok"] != false || r["name"] != "AuthApiError" || r["status"] != 400.0 || r["code"] != "invalid_credentials" {
			t.Errorf("mfSupabaseRun(wrong password).signIn = %v, want ok false, AuthApiError, 400, invalid_credentials", r)
		}

		probe := call(t, s, "mfCorsProbe", map[string]string{"url": forProbe.URL, "key": testKey})
		if r := obj(probe, "settings"); r["ok"] != true || r["status"] != 200.0 {
			t.Errorf("mfCorsProbe().settings = %v, want ok true, status 200", r)
		}
		if r := obj(probe, "token"); r["ok"] != true || r["status"] != 400.0 {
			t.Errorf("mfCorsProbe().token = %v, want ok true, status 400", r)
		}
		// The probe asks for the very headers the real client asks for.
		clientPre, probePre := forRun.preflightHeaders("/auth/v1/token"), forProbe.preflightHeaders("/auth/v1/token")
		if len(clientPre) == 0 || len(probePre) == 0 || clientPre[0] != wantHeaders || probePre[0] != clientPre[0] {
			t.Errorf("preflight headers of POST /auth/v1/token: supabase-js %q, probe %q, want both %q", clientPre, probePre, wantHeaders)
		}
	})

	t.Run("cors blocked", func(t *testing.T) {
		s := open(t)
		api := startFakeGoTrue(t, noCORSHost, ca, false, false)
		probe := call(t, s, "mfCorsProbe", map[string]string{"url": api.URL, "key": testKey})
		for _, k := range []string{"settings", "token"} {
			if r := obj(probe, k); r["ok"] != false || str(r, "error") != "TypeError: Failed to fetch" {
				t.Errorf("mfCorsProbe().%s = %v, want ok false, TypeError: Failed to fetch", k, r)
			}
		}
		run := call(t, s, "mfSupabaseRun", map[string]string{"url": api.URL, "key": testKey, "email": api.email, "password": api.password}, api.password)
		if r := obj(run, "signIn"); r["ok"] != false || r["name"] != "AuthRetryableFetchError" {
			t.Errorf("mfSupabaseRun().signIn = %v, want ok false, AuthRetryableFetchError", r)
		}
	})

	t.Run("steps time out", func(t *testing.T) {
		s := open(t)
		api := startFakeGoTrue(t, apiHost, ca, true, true)
		start := time.Now()
		probe := call(t, s, "mfCorsProbe", map[string]string{"url": api.URL, "key": testKey, "timeoutMs": "2000"})
		if r := obj(probe, "settings"); r["ok"] != true {
			t.Errorf("mfCorsProbe().settings = %v, want ok true", r)
		}
		if r := obj(probe, "token"); r["ok"] != false || !strings.Contains(str(r, "error"), "TimeoutError") {
			t.Errorf("mfCorsProbe().token = %v, want ok false, a TimeoutError", r)
		}
		run := call(t, s, "mfSupabaseRun", map[string]string{"url": api.URL, "key": testKey, "email": api.email, "password": api.password, "timeoutMs": "2000"}, api.password)
		if r := obj(run, "signIn"); r["ok"] != false || r["name"] != "TimeoutError" {
			t.Errorf("mfSupabaseRun().signIn = %v, want ok false, TimeoutError", r)
		}
		// Hang detection, not a speed goal: every hanging step must end.
		if d := time.Since(start); d > 60*time.Second {
			t.Errorf("timed-out calls took %s: a step was not bounded", d)
		}
	})
}

func obj(m map[string]any, k string) map[string]any {
	o, _ := m[k].(map[string]any)
	return o
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}
