package jwtcheck

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/result"
)

// The naive-datetime trap. The vendor's Python example computes
//
//	exp = (datetime.utcnow() + timedelta(hours=1)).timestamp()
//
// utcnow() returns the UTC wall time without a zone, and timestamp() reads a
// naive value as local time: on a server whose TZ is UTC+H the result is H
// hours early (east of Greenwich the token is born expired), on one at UTC−H
// it is H hours late. iat computed the same way is off by the same offset.
// Real zones have whole, half and quarter hour offsets, so the signature of
// the bug is a fresh token whose times are off from the issuing server's
// clock by a multiple of 15 minutes that is a real UTC offset.

// NaiveTolerance is how far from a multiple of 15 minutes an offset may be
// and still be read as a UTC offset: the time between the server computing
// the token and its Date header, plus a little clock drift.
const NaiveTolerance = 2 * time.Minute

// AssumedLifetime is the token lifetime assumed when nothing tells it: the
// vendor example's one hour.
const AssumedLifetime = time.Hour

// zoneExamples names a few IANA zones at each real UTC offset (standard or
// summer time), east positive. Offset 0 is absent: there the bug is
// invisible.
var zoneExamples = map[time.Duration]string{
	-12 * time.Hour:                 "Etc/GMT+12",
	-11 * time.Hour:                 "Pacific/Pago_Pago",
	-10 * time.Hour:                 "Pacific/Honolulu",
	-(9*time.Hour + 30*time.Minute): "Pacific/Marquesas",
	-9 * time.Hour:                  "America/Anchorage (winter)",
	-8 * time.Hour:                  "America/Los_Angeles (winter), America/Anchorage (summer)",
	-7 * time.Hour:                  "America/Denver (winter), America/Los_Angeles (summer), America/Phoenix",
	-6 * time.Hour:                  "America/Chicago (winter), America/Denver (summer), America/Mexico_City",
	-5 * time.Hour:                  "America/New_York (winter), America/Chicago (summer), America/Bogota",
	-4 * time.Hour:                  "America/New_York (summer), America/Halifax (winter), America/Caracas",
	-(3*time.Hour + 30*time.Minute): "America/St_Johns (winter)",
	-3 * time.Hour:                  "America/Sao_Paulo, America/Argentina/Buenos_Aires",
	-(2*time.Hour + 30*time.Minute): "America/St_Johns (summer)",
	-2 * time.Hour:                  "Atlantic/South_Georgia, America/Nuuk (summer)",
	-1 * time.Hour:                  "Atlantic/Azores (winter), Atlantic/Cape_Verde",
	1 * time.Hour:                   "Europe/Paris, Europe/Berlin (winter), Europe/London (summer), Africa/Lagos",
	2 * time.Hour:                   "Europe/Paris, Europe/Berlin (summer), Europe/Helsinki (winter), Africa/Cairo, Africa/Johannesburg",
	3 * time.Hour:                   "Europe/Moscow, Europe/Istanbul, Asia/Riyadh, Europe/Helsinki (summer)",
	3*time.Hour + 30*time.Minute:    "Asia/Tehran",
	4 * time.Hour:                   "Asia/Dubai, Asia/Baku",
	4*time.Hour + 30*time.Minute:    "Asia/Kabul",
	5 * time.Hour:                   "Asia/Karachi, Asia/Tashkent",
	5*time.Hour + 30*time.Minute:    "Asia/Kolkata (India), Asia/Colombo",
	5*time.Hour + 45*time.Minute:    "Asia/Kathmandu",
	6 * time.Hour:                   "Asia/Dhaka, Asia/Almaty",
	6*time.Hour + 30*time.Minute:    "Asia/Yangon",
	7 * time.Hour:                   "Asia/Bangkok, Asia/Jakarta, Asia/Ho_Chi_Minh",
	8 * time.Hour:                   "Asia/Shanghai, Asia/Singapore, Asia/Hong_Kong, Australia/Perth",
	8*time.Hour + 45*time.Minute:    "Australia/Eucla",
	9 * time.Hour:                   "Asia/Tokyo, Asia/Seoul",
	9*time.Hour + 30*time.Minute:    "Australia/Darwin, Australia/Adelaide (winter)",
	10 * time.Hour:                  "Australia/Sydney (winter), Australia/Brisbane, Pacific/Guam",
	10*time.Hour + 30*time.Minute:   "Australia/Adelaide (summer), Australia/Lord_Howe",
	11 * time.Hour:                  "Australia/Sydney (summer), Pacific/Noumea",
	12 * time.Hour:                  "Pacific/Auckland (winter), Pacific/Fiji",
	12*time.Hour + 45*time.Minute:   "Pacific/Chatham (winter)",
	13 * time.Hour:                  "Pacific/Auckland (summer), Pacific/Tongatapu",
	13*time.Hour + 45*time.Minute:   "Pacific/Chatham (summer)",
	14 * time.Hour:                  "Pacific/Kiritimati",
}

// NaiveOffset is what the naive-datetime trap explains about a fresh
// token: the issuing server's UTC offset, the zones that have it, what the
// reading rests on, and whether the evidence pins it.
type NaiveOffset struct {
	// Offset is the server's UTC offset, east positive.
	Offset time.Duration
	// Zones names IANA zones with that offset.
	Zones string
	// Basis says how Offset was found: from iat, or from exp with a
	// lifetime that is known or assumed.
	Basis string
	// Lifetime is the token's intended lifetime (exp−iat, the cookie's
	// Max-Age, or AssumedLifetime), 0 when unknown.
	Lifetime time.Duration
	// Assumed marks a Lifetime assumed rather than read.
	Assumed bool
	// Pinned says the evidence pins the offset, so the trap is a fact:
	// the token's iat is off by it from the server's own Date header (a
	// skewed clock would move both), or the zone the operator gave
	// (--backend-timezone) has this offset. Otherwise the trap is a
	// hypothesis: a token cached for as long, or an exp computed as
	// now − lifetime, looks the same.
	Pinned bool
	// Proof says what pins it, for the finding's "proven by".
	Proof string
}

// UTC renders the offset as "UTC+8", "UTC−8", "UTC+5:30".
func (n NaiveOffset) UTC() string { return utcOffset(n.Offset) }

// utcOffset renders an offset as UTC±H[:MM] with a true minus sign, as
// a Claim's Zone.
func utcOffset(d time.Duration) string { return result.UTCOffset(d) }

// realOffset rounds d to the nearest quarter hour and reports whether d
// is within NaiveTolerance of it and it is a real, non-zero UTC offset.
func realOffset(d time.Duration) (time.Duration, bool) {
	const q = 15 * time.Minute
	r := time.Duration(math.Round(float64(d)/float64(q))) * q
	if r == 0 || (d-r) > NaiveTolerance || (r-d) > NaiveTolerance {
		return 0, false
	}
	_, ok := zoneExamples[r]
	return r, ok
}

// serverNow is the issuing server's clock when it answered: its Date
// header when it sent one (the token was computed from that clock), else
// ours.
func (c Clock) serverNow() time.Time {
	if !c.Date.IsZero() {
		return c.Date
	}
	return c.Ours
}

// NaiveOffsetOf reports whether a token issued in the exchange c describes
// has times off from the issuing server's clock by what a naive local
// datetime explains — a real, non-zero UTC offset — and whether the
// evidence pins it (NaiveOffset.Pinned). It reads, in this order:
//
//   - iat (when present, numeric and off by a real offset): the server's
//     now minus iat is the offset (iat in the past: east; in the future:
//     west); the lifetime is exp−iat. Pinned when the server sent a Date
//     header (its own clock agrees with that Date, so the offset is in
//     the computation, not the clock).
//   - exp, when the token arrived expired: the offset is how long ago it
//     expired plus the intended lifetime — c.CookieLifetime when the
//     cookie said it, else AssumedLifetime (the vendor example's hour).
//     Never pinned by itself.
//
// An operator-given zone (c.Zone) pins an offset it has and rules out one
// it has not: then the result is false.
// It is false for a token not issued in this exchange (c.Issued unset).
func NaiveOffsetOf(p *Parsed, c Clock) (NaiveOffset, bool) {
	if p == nil || !c.Issued {
		return NaiveOffset{}, false
	}
	now := c.serverNow()
	exp := readNumericDate(p.Claims, "exp", now)
	n, ok := naiveFromIAT(p, c, now, exp)
	if !ok {
		n, ok = naiveFromExp(c, now, exp)
	}
	if !ok {
		return NaiveOffset{}, false
	}
	if c.Zone != nil {
		given := c.zoneOffset(now)
		if given != n.Offset {
			return NaiveOffset{}, false
		}
		n.Pinned = true
		n.Proof = fmt.Sprintf("--backend-timezone %s (%s at that time) has the offset %s shows", c.Zone, utcOffset(given), n.Basis)
	}
	return n, true
}

// naiveFromIAT reads the offset from iat against the server's clock.
func naiveFromIAT(p *Parsed, c Clock, now time.Time, exp numericDate) (NaiveOffset, bool) {
	iat := readNumericDate(p.Claims, "iat", now)
	if iat.kind != expSeconds {
		return NaiveOffset{}, false
	}
	off, ok := realOffset(now.Sub(iat.t))
	if !ok {
		return NaiveOffset{}, false
	}
	n := NaiveOffset{Offset: off, Zones: zoneExamples[off], Basis: "iat"}
	if exp.kind == expSeconds {
		n.Lifetime = exp.t.Sub(iat.t).Round(time.Second)
	}
	if !c.Date.IsZero() {
		n.Pinned = true
		n.Proof = fmt.Sprintf("the token's iat (evidence token) is %s %s the login response's own Date header (%s), within %s: "+
			"a skewed clock would have moved that Date too", human(off), earlierOrLater(off), timestamp(c.Date), NaiveTolerance)
	}
	return n, true
}

// naiveFromExp reads the offset from an exp already past, with the
// cookie's lifetime or the assumed one.
func naiveFromExp(c Clock, now time.Time, exp numericDate) (NaiveOffset, bool) {
	if exp.kind != expSeconds || exp.t.After(now) {
		return NaiveOffset{}, false
	}
	life, assumed := c.CookieLifetime, false
	if life <= 0 {
		life, assumed = AssumedLifetime, true
	}
	off, ok := realOffset(now.Sub(exp.t) + life)
	if !ok || off < 0 {
		return NaiveOffset{}, false
	}
	basis := "exp with the cookie's lifetime of " + human(life)
	if assumed {
		basis = "exp, assuming the vendor example's lifetime of " + human(life)
	}
	return NaiveOffset{Offset: off, Zones: zoneExamples[off], Basis: basis, Lifetime: life, Assumed: assumed}, true
}

// earlierOrLater words the sign of an offset read from iat.
func earlierOrLater(off time.Duration) string {
	if off > 0 {
		return "before"
	}
	return "after"
}

// naiveFinding is the TOKEN_EXP_TIMEZONE diagnostic for a pinned n:
// observed says what the token's times are.
func naiveFinding(n NaiveOffset, expected, observed string) diag.Diagnostic {
	var b strings.Builder
	b.WriteString(observed)
	switch {
	case n.Lifetime > 0 && n.Assumed:
		fmt.Fprintf(&b, "; read from exp, assuming the intended lifetime is %s as in the vendor example", human(n.Lifetime))
	case n.Lifetime > 0:
		fmt.Fprintf(&b, "; read from %s, intended lifetime %s", n.Basis, human(n.Lifetime))
	default:
		fmt.Fprintf(&b, "; read from %s", n.Basis)
	}
	d := diag.New(diag.TokenExpTimezone, expected, b.String())
	cause := fmt.Sprintf("The backend's server runs at %s (%s) and computes exp%s from a naive datetime: every time it computes "+
		"is off by the server's UTC offset (%s) — e.g. (datetime.utcnow() + timedelta(hours=1)).timestamp() in Python, "+
		"whose utcnow() returns the UTC wall time without a zone that .timestamp() then reads as local time. %s",
		n.UTC(), n.Zones, iatToo(n), signedHuman(n.Offset), direction(n.Offset))
	return d.Settled(cause, n.Proof).Claiming(result.Claim{Zone: n.UTC()})
}

// TimezoneHypothesis is the naive-datetime trap as a hypothesis, for an
// offset the evidence does not pin: the zone it would take, and how to
// tell.
func TimezoneHypothesis(n NaiveOffset) diag.Hypothesis {
	var life string
	switch {
	case n.Assumed:
		life = fmt.Sprintf("; with the vendor example's lifetime of %s (assumed: nothing in the answer tells it) that gives exactly this token", human(n.Lifetime))
	case n.Lifetime > 0:
		life = fmt.Sprintf("; with the intended lifetime of %s (%s) that gives exactly this token", human(n.Lifetime), n.Basis)
	}
	return diag.Hypothesis{
		Cause: fmt.Sprintf("The naive-datetime trap: the backend's server runs at %s (%s) and computes the token's times from a "+
			"naive UTC datetime read as local time ((datetime.utcnow() + timedelta(hours=1)).timestamp() in Python), so "+
			"every time it computes is %s %s%s.", n.UTC(), n.Zones, human(n.Offset), earlyOrLate(n.Offset), life),
		Tell: fmt.Sprintf("run date +%%z on the backend's server (docker exec <container> date +%%z): %s confirms it, "+
			"+0000 rules it out; or pass --backend-timezone with the server's zone (e.g. %s) and run again: mfconform then "+
			"reports the trap as a fact or rules it out.", numericZone(n.Offset), firstZone(n.Zones)),
		Claim: result.Claim{Zone: n.UTC()},
	}
}

// earlyOrLate words what an offset does to computed times: east of
// Greenwich they come out early, west late.
func earlyOrLate(off time.Duration) string {
	if off > 0 {
		return "early"
	}
	return "late"
}

// numericZone renders an offset as date +%z prints it: "+0200", "-0530".
func numericZone(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	return fmt.Sprintf("%s%02d%02d", sign, int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// firstZone is the first IANA name of a zone list, without its note.
func firstZone(zones string) string {
	first, _, _ := strings.Cut(zones, ",")
	first, _, _ = strings.Cut(first, " (")
	return strings.TrimSpace(first)
}

// iatToo mentions iat when the offset was read from it.
func iatToo(n NaiveOffset) string {
	if n.Basis == "iat" {
		return " and iat"
	}
	return ""
}

// direction says what the offset does to a token.
func direction(off time.Duration) string {
	if off > 0 {
		return fmt.Sprintf("East of Greenwich the token is born %s early: expired before it is issued whenever the lifetime is shorter than that.", human(off))
	}
	return fmt.Sprintf("West of Greenwich the token lives %s longer than intended and its iat lies in the future, which strict verifiers (PyJWT) refuse.", human(off))
}

// signedHuman renders a duration with its sign: "+8h", "−5h30m".
func signedHuman(d time.Duration) string {
	if d < 0 {
		return "−" + human(-d)
	}
	return "+" + human(d)
}

// ParseZone reads the zone an operator names for the backend's server
// (--backend-timezone): an IANA name ("Europe/Paris", "UTC"), or a fixed
// offset as date +%z or date +%:z print it ("+0200", "-05:30") or as
// findings write it ("UTC+2", "UTC−5:30"). "" is no zone.
func ParseZone(s string) (*time.Location, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	// Not GMT±N: IANA's Etc/GMT-3 is three hours east, the reverse of
	// how it reads; time.LoadLocation gives such names their IANA sense.
	if off, ok := parseOffset(strings.TrimPrefix(s, "UTC")); ok {
		return time.FixedZone(utcOffset(off), int(off/time.Second)), nil
	}
	loc, err := time.LoadLocation(s)
	if err != nil {
		return nil, fmt.Errorf("%q: want an IANA zone such as Europe/Paris or an offset such as +02:00 (date +%%z on the server prints it)", s)
	}
	return loc, nil
}

// parseOffset reads "+2", "−5:30", "+0530", "-05:30" (a true minus sign
// too) as an offset of at most 14 hours.
func parseOffset(s string) (time.Duration, bool) {
	s = strings.Replace(s, "−", "-", 1)
	if len(s) < 2 || s[0] != '+' && s[0] != '-' {
		return 0, false
	}
	sign := time.Duration(1)
	if s[0] == '-' {
		sign = -1
	}
	body := strings.ReplaceAll(s[1:], ":", "")
	var h, m int
	switch len(body) {
	case 1, 2:
		if _, err := fmt.Sscanf(body, "%d", &h); err != nil {
			return 0, false
		}
	case 3, 4:
		if _, err := fmt.Sscanf(body[:len(body)-2], "%d", &h); err != nil {
			return 0, false
		}
		if _, err := fmt.Sscanf(body[len(body)-2:], "%d", &m); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	for _, r := range body {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	if h > 14 || m > 59 {
		return 0, false
	}
	return sign * (time.Duration(h)*time.Hour + time.Duration(m)*time.Minute), true
}
