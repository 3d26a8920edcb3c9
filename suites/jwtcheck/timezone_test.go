package jwtcheck

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/suites/diag"
)

// payloadAt writes claims as seconds relative to testNow; a nil offset
// leaves the claim out.
func payloadAt(exp, iat *time.Duration) string {
	var parts []string
	parts = append(parts, `"user_id":"u"`)
	if exp != nil {
		parts = append(parts, fmt.Sprintf(`"exp":%d.25`, testNow.Add(*exp).Unix()))
	}
	if iat != nil {
		parts = append(parts, fmt.Sprintf(`"iat":%d`, testNow.Add(*iat).Unix()))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func d(v time.Duration) *time.Duration { return &v }

func TestNaiveOffsetOf(t *testing.T) {
	issued := Clock{Ours: testNow, Date: testNow, Issued: true}
	tests := []struct {
		name      string
		exp, iat  *time.Duration
		c         Clock
		wantOK    bool
		wantOff   time.Duration
		wantBasis string
	}{
		{"UTC+8, no iat: from exp, 1h assumed", d(-7 * time.Hour), nil, issued, true, 8 * time.Hour, "assuming"},
		{"UTC+5:30, no iat", d(-(4*time.Hour + 30*time.Minute)), nil, issued, true, 5*time.Hour + 30*time.Minute, "assuming"},
		{"UTC+5:45 within a minute", d(-(4*time.Hour + 45*time.Minute) - 70*time.Second), nil, issued, true, 5*time.Hour + 45*time.Minute, "assuming"},
		{"UTC+8 with iat: from iat", d(-7 * time.Hour), d(-8 * time.Hour), issued, true, 8 * time.Hour, "iat"},
		{"UTC−8 with iat: iat in the future", d(9 * time.Hour), d(8 * time.Hour), issued, true, -8 * time.Hour, "iat"},
		{"UTC+3 with the cookie's 2h lifetime", d(-time.Hour), nil, Clock{Ours: testNow, Date: testNow, Issued: true, CookieLifetime: 2 * time.Hour}, true, 3 * time.Hour, "cookie's lifetime"},
		{"right iat, wrong exp: falls back to exp", d(-7 * time.Hour), d(0), issued, true, 8 * time.Hour, "assuming"},
		{"Date preferred to our clock", d(-7 * time.Hour), nil, Clock{Ours: testNow.Add(time.Hour), Date: testNow, Issued: true}, true, 8 * time.Hour, "assuming"},

		{"not issued in this exchange", d(-7 * time.Hour), nil, Clock{Ours: testNow, Date: testNow}, false, 0, ""},
		{"expired 25 minutes: no offset", d(-25 * time.Minute), nil, issued, false, 0, ""},
		{"expired 5 minutes past a quarter: outside the tolerance", d(-7*time.Hour - 5*time.Minute), nil, issued, false, 0, ""},
		{"not a real zone (UTC+15)", d(-14 * time.Hour), nil, issued, false, 0, ""},
		{"not expired, no iat", d(time.Hour), nil, issued, false, 0, ""},
		{"no exp, no iat", nil, nil, issued, false, 0, ""},
		{"iat now, exp fine", d(time.Hour), d(0), issued, false, 0, ""},
		{"UTC: nothing to read", d(time.Hour), d(0), Clock{Ours: testNow, Issued: true}, false, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := claimsToken(t, payloadAt(tt.exp, tt.iat))
			n, ok := NaiveOffsetOf(p, tt.c)
			if ok != tt.wantOK || n.Offset != tt.wantOff {
				t.Fatalf("NaiveOffsetOf() = %+v, %v; want offset %v, %v", n, ok, tt.wantOff, tt.wantOK)
			}
			if ok && (!strings.Contains(n.Basis, tt.wantBasis) || n.Zones == "") {
				t.Errorf("NaiveOffsetOf() basis %q zones %q, want basis with %q and zones", n.Basis, n.Zones, tt.wantBasis)
			}
		})
	}
	if _, ok := NaiveOffsetOf(nil, issued); ok {
		t.Error("NaiveOffsetOf(nil) ok = true")
	}
}

func TestTimezoneFindings(t *testing.T) {
	issued := Clock{Ours: testNow, Date: testNow, Issued: true}
	tests := []struct {
		name     string
		exp, iat *time.Duration
		c        Clock
		check    func(p *Parsed, c Clock) []diag.Diagnostic
		want     []diag.Code
		wantText []string
	}{
		{"expired by the UTC+8 offset", d(-7 * time.Hour), nil, issued, expiry, []diag.Code{diag.TokenExpTimezone}, []string{"UTC+8", "Asia/Shanghai", "utcnow"}},
		{"expired by the UTC+5:30 offset", d(-(4*time.Hour + 30*time.Minute)), nil, issued, expiry, []diag.Code{diag.TokenExpTimezone}, []string{"UTC+5:30", "Asia/Kolkata"}},
		{"expired, not by an offset", d(-25 * time.Minute), nil, issued, expiry, []diag.Code{diag.TokenExpired}, []string{"expired 25m ago"}},
		{"expired by 7h but not issued here", d(-7 * time.Hour), nil, Clock{Ours: testNow}, expiry, []diag.Code{diag.TokenExpired}, nil},
		{"iat 8h ahead, Date right: the UTC−8 trap", d(9 * time.Hour), d(8 * time.Hour), issued, clock, []diag.Code{diag.TokenExpTimezone}, []string{"UTC−8", "America/Los_Angeles", "agrees with our clock"}},
		{"iat 8h ahead and Date 8h ahead: a skewed clock (once per source)", d(9 * time.Hour), d(8 * time.Hour), Clock{Ours: testNow, Date: testNow.Add(8 * time.Hour), Issued: true}, clock, []diag.Code{diag.TokenClockSkew, diag.TokenClockSkew}, nil},
		{"iat 10 minutes ahead: a skewed clock", d(time.Hour), d(10 * time.Minute), issued, clock, []diag.Code{diag.TokenClockSkew}, nil},
		{"iat 8h ahead, not issued here", d(9 * time.Hour), d(8 * time.Hour), Clock{Ours: testNow, Date: testNow}, clock, []diag.Code{diag.TokenClockSkew}, nil},
		{"iat 8h in the past: allowed for a backend token", d(-7 * time.Hour), d(-8 * time.Hour), issued, clock, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := claimsToken(t, payloadAt(tt.exp, tt.iat))
			c := tt.c
			if iat, ok := p.IssuedAt(); ok {
				c.IAT = &iat
			}
			got := tt.check(p, c)
			if !sameCodes(got, tt.want) {
				t.Fatalf("codes = %v, want %v (%v)", codes(got), tt.want, got)
			}
			for _, w := range tt.wantText {
				if !strings.Contains(got[0].Observed+got[0].Cause, w) {
					t.Errorf("finding %q / %q lacks %q", got[0].Observed, got[0].Cause, w)
				}
			}
		})
	}
}

func expiry(p *Parsed, c Clock) []diag.Diagnostic { return CheckNotExpired(p, c, 0) }
func clock(_ *Parsed, c Clock) []diag.Diagnostic {
	return CheckClock(diag.TokenClockSkew, "the backend", c, time.Minute)
}

func TestUTCOffsetText(t *testing.T) {
	for d, want := range map[time.Duration]string{8 * time.Hour: "UTC+8", -8 * time.Hour: "UTC−8", 5*time.Hour + 30*time.Minute: "UTC+5:30", -(9*time.Hour + 30*time.Minute): "UTC−9:30"} {
		if got := utcOffset(d); got != want {
			t.Errorf("utcOffset(%v) = %q, want %q", d, got, want)
		}
	}
}
