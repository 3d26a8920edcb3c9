package jwtcheck

import (
	"fmt"
	"regexp"
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
	noDate := Clock{Ours: testNow, Issued: true}
	plus2 := time.FixedZone("UTC+2", 2*3600)
	tests := []struct {
		name       string
		exp, iat   *time.Duration
		c          Clock
		wantOK     bool
		wantOff    time.Duration
		wantBasis  string
		wantPinned bool
	}{
		{"UTC+8, no iat: from exp, 1h assumed, not pinned", d(-7 * time.Hour), nil, issued, true, 8 * time.Hour, "assuming", false},
		{"UTC+5:30, no iat", d(-(4*time.Hour + 30*time.Minute)), nil, issued, true, 5*time.Hour + 30*time.Minute, "assuming", false},
		{"UTC+5:45 within a minute", d(-(4*time.Hour + 45*time.Minute) - 70*time.Second), nil, issued, true, 5*time.Hour + 45*time.Minute, "assuming", false},
		{"UTC+8 with iat and Date: pinned by iat", d(-7 * time.Hour), d(-8 * time.Hour), issued, true, 8 * time.Hour, "iat", true},
		{"UTC+8 with iat, no Date: not pinned", d(-7 * time.Hour), d(-8 * time.Hour), noDate, true, 8 * time.Hour, "iat", false},
		{"UTC−8 with iat: iat in the future", d(9 * time.Hour), d(8 * time.Hour), issued, true, -8 * time.Hour, "iat", true},
		{"UTC+3 with the cookie's 2h lifetime", d(-time.Hour), nil, Clock{Ours: testNow, Date: testNow, Issued: true, CookieLifetime: 2 * time.Hour}, true, 3 * time.Hour, "cookie's lifetime", false},
		{"right iat, wrong exp: falls back to exp", d(-7 * time.Hour), d(0), issued, true, 8 * time.Hour, "assuming", false},
		{"Date preferred to our clock", d(-7 * time.Hour), nil, Clock{Ours: testNow.Add(time.Hour), Date: testNow, Issued: true}, true, 8 * time.Hour, "assuming", false},
		{"the operator's zone pins an offset read from exp", d(-time.Hour), nil, Clock{Ours: testNow, Date: testNow, Issued: true, Zone: plus2}, true, 2 * time.Hour, "assuming", true},
		{"the operator's UTC rules the trap out", d(-time.Hour), nil, Clock{Ours: testNow, Date: testNow, Issued: true, Zone: time.UTC}, false, 0, "", false},
		{"the operator's zone rules out an iat offset it has not", d(-7 * time.Hour), d(-8 * time.Hour), Clock{Ours: testNow, Date: testNow, Issued: true, Zone: plus2}, false, 0, "", false},

		{"not issued in this exchange", d(-7 * time.Hour), nil, Clock{Ours: testNow, Date: testNow}, false, 0, "", false},
		{"expired 25 minutes: no offset", d(-25 * time.Minute), nil, issued, false, 0, "", false},
		{"a token cached 2h15m (iat) with a 1h lifetime: no zone", d(-(time.Hour + 15*time.Minute)), d(-(2*time.Hour + 15*time.Minute)), issued, false, 0, "", false},
		{"expired 5 minutes past a quarter: outside the tolerance", d(-7*time.Hour - 5*time.Minute), nil, issued, false, 0, "", false},
		{"not a real zone (UTC+15)", d(-14 * time.Hour), nil, issued, false, 0, "", false},
		{"not expired, no iat", d(time.Hour), nil, issued, false, 0, "", false},
		{"no exp, no iat", nil, nil, issued, false, 0, "", false},
		{"iat now, exp fine", d(time.Hour), d(0), issued, false, 0, "", false},
		{"UTC: nothing to read", d(time.Hour), d(0), Clock{Ours: testNow, Issued: true}, false, 0, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := claimsToken(t, payloadAt(tt.exp, tt.iat))
			n, ok := NaiveOffsetOf(p, tt.c)
			if ok != tt.wantOK || n.Offset != tt.wantOff || n.Pinned != tt.wantPinned {
				t.Fatalf("NaiveOffsetOf() = %+v, %v; want offset %v, pinned %v, %v", n, ok, tt.wantOff, tt.wantPinned, tt.wantOK)
			}
			if ok && (!strings.Contains(n.Basis, tt.wantBasis) || n.Zones == "") {
				t.Errorf("NaiveOffsetOf() basis %q zones %q, want basis with %q and zones", n.Basis, n.Zones, tt.wantBasis)
			}
			if n.Pinned && n.Proof == "" {
				t.Errorf("NaiveOffsetOf() pinned without a proof: %+v", n)
			}
		})
	}
	if _, ok := NaiveOffsetOf(nil, issued); ok {
		t.Error("NaiveOffsetOf(nil) ok = true")
	}
}

// TestTimezoneFindings holds the timezone trap to the facts rule: it is
// TOKEN_EXP_TIMEZONE, a fact naming the zone, only when the evidence pins
// the offset (iat against the server's Date, the operator's zone);
// otherwise TOKEN_EXPIRED (or TOKEN_CLOCK_SKEW) with the trap as the first
// hypothesis when the offset is a real zone, and no zone anywhere in the
// facts. The profiles that broke the old heuristic are here: a UTC server
// with exp = now − 1h and no iat, a cached token 2h15m old, a token
// expired 30 s ago.
func TestTimezoneFindings(t *testing.T) {
	issued := Clock{Ours: testNow, Date: testNow, Issued: true}
	noDate := Clock{Ours: testNow, Issued: true}
	plus2 := time.FixedZone("UTC+2", 2*3600)
	tests := []struct {
		name     string
		exp, iat *time.Duration
		c        Clock
		check    func(p *Parsed, c Clock) []diag.Diagnostic
		want     []diag.Code
		// wantZone is the zone the finding states as a fact ("" none);
		// wantGuess the zone its first hypothesis names ("" none).
		wantZone, wantGuess string
		wantText            []string
	}{
		{"UTC+8 without iat: a hypothesis", d(-7 * time.Hour), nil, issued, expiry, []diag.Code{diag.TokenExpired}, "", "UTC+8", []string{"Asia/Shanghai", "utcnow", "+0800", "--backend-timezone"}},
		{"UTC+5:30 without iat: a hypothesis", d(-(4*time.Hour + 30*time.Minute)), nil, issued, expiry, []diag.Code{diag.TokenExpired}, "", "UTC+5:30", []string{"Asia/Kolkata", "+0530"}},
		{"UTC server, exp = now − 1h, no iat: never UTC+2 as a fact", d(-time.Hour), nil, issued, expiry, []diag.Code{diag.TokenExpired}, "", "UTC+2", []string{"sign error", "agrees with our clock", "it has no iat"}},
		{"expired 30 s ago: never UTC+1 as a fact (C5)", d(-30 * time.Second), nil, issued, expiry, []diag.Code{diag.TokenExpired}, "", "UTC+1", nil},
		{"a cached token 2h15m old: no zone at all", d(-(time.Hour + 15*time.Minute)), d(-(2*time.Hour + 15*time.Minute)), issued, expiry, []diag.Code{diag.TokenExpired}, "", "", []string{"issued 2h15m before this login"}},
		{"UTC+2 with iat shifted the same and a Date: the fact", d(-time.Hour), d(-2 * time.Hour), issued, expiry, []diag.Code{diag.TokenExpTimezone}, "UTC+2", "", []string{"Europe/Paris", "iat", "Date header"}},
		{"UTC+2 with iat but no Date: a hypothesis", d(-time.Hour), d(-2 * time.Hour), noDate, expiry, []diag.Code{diag.TokenExpired}, "", "UTC+2", []string{"sent no Date header"}},
		{"the operator's zone pins exp = now − 1h", d(-time.Hour), nil, Clock{Ours: testNow, Date: testNow, Issued: true, Zone: plus2}, expiry, []diag.Code{diag.TokenExpTimezone}, "UTC+2", "", []string{"--backend-timezone UTC+2"}},
		{"the operator's UTC rules the trap out", d(-time.Hour), nil, Clock{Ours: testNow, Date: testNow, Issued: true, Zone: time.UTC}, expiry, []diag.Code{diag.TokenExpired}, "", "", []string{"--backend-timezone UTC (offset +0000 at that time) rules out"}},
		{"expired, not by an offset", d(-25 * time.Minute), nil, issued, expiry, []diag.Code{diag.TokenExpired}, "", "", []string{"expired 25m ago"}},
		{"expired by 7h but not issued here", d(-7 * time.Hour), nil, Clock{Ours: testNow}, expiry, []diag.Code{diag.TokenExpired}, "", "", nil},
		{"iat 8h ahead, Date right: the UTC−8 trap as a fact", d(9 * time.Hour), d(8 * time.Hour), issued, clock, []diag.Code{diag.TokenExpTimezone}, "UTC−8", "", []string{"America/Los_Angeles", "agrees with our clock"}},
		{"iat 8h ahead, no Date: the trap is a hypothesis", d(9 * time.Hour), d(8 * time.Hour), noDate, clock, []diag.Code{diag.TokenClockSkew}, "", "UTC−8", []string{"no Date header", "ahead"}},
		{"iat 8h ahead and Date 8h ahead: a skewed clock (once per source)", d(9 * time.Hour), d(8 * time.Hour), Clock{Ours: testNow, Date: testNow.Add(8 * time.Hour), Issued: true}, clock, []diag.Code{diag.TokenClockSkew, diag.TokenClockSkew}, "", "", nil},
		{"iat 10 minutes ahead: a skewed clock", d(time.Hour), d(10 * time.Minute), issued, clock, []diag.Code{diag.TokenClockSkew}, "", "", nil},
		{"iat 8h ahead, not issued here", d(9 * time.Hour), d(8 * time.Hour), Clock{Ours: testNow, Date: testNow}, clock, []diag.Code{diag.TokenClockSkew}, "", "", nil},
		{"iat 8h in the past: allowed for a backend token", d(-7 * time.Hour), d(-8 * time.Hour), issued, clock, nil, "", "", nil},
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
			if len(got) == 0 {
				return
			}
			g := got[0]
			if g.Claim.Zone != tt.wantZone {
				t.Errorf("fact claims zone %q, want %q: %s", g.Claim.Zone, tt.wantZone, g)
			}
			if tt.wantZone != "" && (g.Cause == "" || g.ProvenBy == "" || !strings.Contains(g.Cause, tt.wantZone)) {
				t.Errorf("a pinned zone must be a proven cause naming it: %s", g)
			}
			if facts := g.Observed + g.Cause; tt.wantZone == "" && utcZone.MatchString(facts) {
				t.Errorf("facts name a zone %q although none is proven: %s", utcZone.FindString(facts), g)
			}
			guess := ""
			if len(g.Hypotheses) > 0 {
				guess = g.Hypotheses[0].Claim.Zone
			}
			if guess != tt.wantGuess {
				t.Errorf("first hypothesis claims zone %q, want %q: %s", guess, tt.wantGuess, g)
			}
			for _, w := range tt.wantText {
				if !strings.Contains(g.String(), w) {
					t.Errorf("finding lacks %q:\n%s", w, g)
				}
			}
		})
	}
}

// utcZone matches a UTC offset as findings write one.
var utcZone = regexp.MustCompile(`UTC[+−-]\d`)

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

func TestParseZone(t *testing.T) {
	tests := []struct {
		in      string
		wantOff time.Duration // at testNow
		wantErr bool
	}{
		{"", 0, false},
		{"UTC", 0, false},
		{"Europe/Paris", time.Hour, false}, // November: winter time
		{"Asia/Kolkata", 5*time.Hour + 30*time.Minute, false},
		{"+0200", 2 * time.Hour, false},
		{"+02:00", 2 * time.Hour, false},
		{"-0530", -(5*time.Hour + 30*time.Minute), false},
		{"UTC+2", 2 * time.Hour, false},
		{"UTC−8", -8 * time.Hour, false},
		{"Etc/GMT-3", 3 * time.Hour, false}, // IANA: east of Greenwich
		{"Mars/Olympus", 0, true},
		{"+25", 0, true},
		{"+02:7x", 0, true},
	}
	for _, tt := range tests {
		loc, err := ParseZone(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseZone(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err != nil || loc == nil {
			continue
		}
		if _, sec := testNow.In(loc).Zone(); time.Duration(sec)*time.Second != tt.wantOff {
			t.Errorf("ParseZone(%q) offset = %ds, want %v", tt.in, sec, tt.wantOff)
		}
	}
}
