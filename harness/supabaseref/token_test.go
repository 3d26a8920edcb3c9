package supabaseref

import (
	"net/http"
	"testing"
	"time"
)

func TestAccessTokenClaims(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		mutate     func(*Profile)
		wantAud    string
		wantSub    bool
		wantStatus int // GET /user with the token
	}{
		{name: "default", wantAud: "authenticated", wantSub: true, wantStatus: http.StatusOK},
		{name: "custom aud", mutate: func(p *Profile) { p.AccessToken.Aud = "my-app" }, wantAud: "my-app", wantSub: true, wantStatus: http.StatusOK},
		{name: "omit sub", mutate: func(p *Profile) { p.AccessToken.OmitSub = true }, wantAud: "authenticated", wantStatus: http.StatusForbidden},
		{name: "omit issuer", mutate: func(p *Profile) { p.AccessToken.OmitIssuer = true }, wantAud: "authenticated", wantSub: true, wantStatus: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, c := start(t, tt.mutate)
			access, _ := signIn(t, d, c).body["access_token"].(string)
			if !verifies(access, d.JWTSecret) {
				t.Fatalf("access token does not verify with JWTSecret")
			}
			claims := payload(t, access)
			if claims["aud"] != tt.wantAud {
				t.Errorf("aud = %v, want %q", claims["aud"], tt.wantAud)
			}
			if _, ok := claims["sub"]; ok != tt.wantSub {
				t.Errorf("sub present = %v, want %v", ok, tt.wantSub)
			}
			for k, want := range map[string]any{"role": "authenticated", "email": d.Email, "phone": "", "aal": "aal1", "is_anonymous": false} {
				if claims[k] != want {
					t.Errorf("%s = %v, want %v", k, claims[k], want)
				}
			}
			if iss, ok := claims["iss"]; ok == d.Profile.AccessToken.OmitIssuer || (ok && iss != d.ProjectURL+"/auth/v1") {
				t.Errorf("iss = %v (present %v), want %s unless omitted", iss, ok, d.ProjectURL+"/auth/v1")
			}
			if sid, _ := claims["session_id"].(string); !uuidRE.MatchString(sid) {
				t.Errorf("session_id = %v, want a UUID", claims["session_id"])
			}
			amr, _ := claims["amr"].([]any)
			if len(amr) != 1 || amr[0].(map[string]any)["method"] != "password" || amr[0].(map[string]any)["timestamp"] != claims["iat"] {
				t.Errorf("amr = %v, want one password entry at the sign-in time", claims["amr"])
			}
			if _, ok := claims["app_metadata"].(map[string]any); !ok {
				t.Errorf("app_metadata = %v, want an object", claims["app_metadata"])
			}
			if iat, exp := claims["iat"].(float64), claims["exp"].(float64); exp-iat != 3600 {
				t.Errorf("exp - iat = %v, want 3600", exp-iat)
			}
			r := call(t, c, http.MethodGet, d.ProjectURL+"/auth/v1/user", withKey(d.AnonKey, "Authorization", "Bearer "+access), nil)
			if r.status != tt.wantStatus {
				t.Errorf("GET /user status = %d, want %d (body %s)", r.status, tt.wantStatus, r.raw)
			}
			if !tt.wantSub && r.body["msg"] != "invalid claim: missing sub claim" {
				t.Errorf("GET /user msg = %v, want %q", r.body["msg"], "invalid claim: missing sub claim")
			}
		})
	}
}

func TestClockOffset(t *testing.T) {
	t.Parallel()
	const offset = 2 * time.Hour
	d, c := start(t, func(p *Profile) { p.ClockOffset = offset })
	r := signIn(t, d, c)
	want := time.Now().Add(offset)
	date, err := http.ParseTime(r.header.Get("Date"))
	if err != nil {
		t.Fatalf("Date %q: %v", r.header.Get("Date"), err)
	}
	if diff := date.Sub(want).Abs(); diff > 5*time.Second {
		t.Errorf("Date = %v, want about %v", date, want)
	}
	iat := time.Unix(int64(payload(t, r.body["access_token"].(string))["iat"].(float64)), 0)
	if diff := iat.Sub(want).Abs(); diff > 5*time.Second {
		t.Errorf("iat = %v, want about %v", iat, want)
	}
}
