package reference

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestCookieHeader(t *testing.T) {
	zero, minusOne := 0, -1
	now := testNow
	tests := []struct {
		name   string
		change func(*CookieProfile)
		want   string
	}{
		{
			name:   "default",
			change: func(*CookieProfile) {},
			want:   "mf_jwt_token=TOKEN; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None",
		},
		{
			name:   "host-only",
			change: func(c *CookieProfile) { c.Domain = "" },
			want:   "mf_jwt_token=TOKEN; Path=/; Secure; HttpOnly; SameSite=None",
		},
		{
			name:   "SameSite omitted",
			change: func(c *CookieProfile) { c.SameSite = "" },
			want:   "mf_jwt_token=TOKEN; Domain=.acme.test; Path=/; Secure; HttpOnly",
		},
		{
			name:   "SameSite=None without Secure",
			change: func(c *CookieProfile) { c.Secure = false },
			want:   "mf_jwt_token=TOKEN; Domain=.acme.test; Path=/; HttpOnly; SameSite=None",
		},
		{
			name:   "MaxAge 0",
			change: func(c *CookieProfile) { c.MaxAge = &zero },
			want:   "mf_jwt_token=TOKEN; Domain=.acme.test; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=None",
		},
		{
			name:   "MaxAge negative",
			change: func(c *CookieProfile) { c.MaxAge = &minusOne },
			want:   "mf_jwt_token=TOKEN; Domain=.acme.test; Path=/; Max-Age=-1; Secure; HttpOnly; SameSite=None",
		},
		{
			name:   "ExpiresIn negative",
			change: func(c *CookieProfile) { c.ExpiresIn = -time.Hour },
			want: "mf_jwt_token=TOKEN; Domain=.acme.test; Path=/; Expires=" +
				now.Add(-time.Hour).UTC().Format(http.TimeFormat) + "; Secure; HttpOnly; SameSite=None",
		},
		{
			name:   "no Path, Lax",
			change: func(c *CookieProfile) { c.Path, c.SameSite = "", "Lax" },
			want:   "mf_jwt_token=TOKEN; Domain=.acme.test; Secure; HttpOnly; SameSite=Lax",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultProfile().Cookie
			tt.change(&c)
			if got := cookieHeader(c, "TOKEN", now); got != tt.want {
				t.Errorf("cookieHeader() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCookieHeaderExpiresPast(t *testing.T) {
	c := DefaultProfile().Cookie
	c.ExpiresIn = -time.Hour
	h := cookieHeader(c, "TOKEN", time.Now())
	_, after, ok := strings.Cut(h, "Expires=")
	if !ok {
		t.Fatalf("cookieHeader() = %q, want an Expires attribute", h)
	}
	exp, err := http.ParseTime(strings.SplitN(after, ";", 2)[0])
	if err != nil {
		t.Fatalf("Expires does not parse as an HTTP date: %v", err)
	}
	if !exp.Before(time.Now()) {
		t.Errorf("Expires = %v, want a time in the past", exp)
	}
}

func TestCookiePadded(t *testing.T) {
	p := DefaultProfile()
	p.Cookie.PadValueTo = 5000
	token, err := buildToken(p.Token, p.Cookie, testKey, testNow)
	if err != nil {
		t.Fatalf("buildToken() error = %v", err)
	}
	h := cookieHeader(p.Cookie, token, testNow)
	nameValue, _, _ := strings.Cut(h, ";")
	if len(nameValue) < 5000 || len(nameValue) <= 4096 {
		t.Errorf("len(name=value) = %d, want >= 5000 (> 4096)", len(nameValue))
	}
	if len(nameValue) > 5100 {
		t.Errorf("len(name=value) = %d, want close to 5000", len(nameValue))
	}
	v := &Verifier{Secret: testKey, Leeway: DefaultLeeway, Now: func() time.Time { return testNow }}
	if _, reason := v.Verify(token); reason != "" {
		t.Errorf("Verify(padded token) reason = %q, want \"\"", reason)
	}
}
