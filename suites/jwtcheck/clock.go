package jwtcheck

import (
	"fmt"
	"time"

	"github.com/mfconform/mfconform/suites/diag"
)

// Clock is what a server's answer says about its clock.
type Clock struct {
	// Ours is our clock when the answer arrived.
	Ours time.Time
	// Date is the answer's HTTP Date header; zero when absent.
	Date time.Time
	// IAT is the iat of a token the server issued in that exchange; nil
	// when absent or not numeric.
	IAT *time.Time
	// FreshIAT says the token was minted for this very exchange (a
	// Supabase sign-in), so an iat far in the past also means a clock
	// behind ours. A backend's own JWT may carry the time the user first
	// authenticated (an SSO session) as iat; there only a future iat
	// proves a skewed clock.
	FreshIAT bool
	// Issued says the token was issued in this very exchange (the login
	// response that set the cookie): its exp and iat were computed from
	// the server's clock moments ago, so times off by a real UTC offset
	// are read as the naive-datetime trap (TOKEN_EXP_TIMEZONE) rather than
	// as an expired token or a skewed clock.
	Issued bool
	// CookieLifetime is the lifetime the response's cookie gave the token
	// (Max-Age, or Expires minus Date), 0 when it gave none: it tells the
	// intended token lifetime when the token has no iat.
	CookieLifetime time.Duration
	// Zone is the zone the operator says the issuing server runs in
	// (--backend-timezone); nil when not given. It pins the
	// naive-datetime trap when the token's times are off by its offset
	// and rules the trap out when they are not.
	Zone *time.Location
}

// zoneOffset is c.Zone's UTC offset at t.
func (c Clock) zoneOffset(t time.Time) time.Duration {
	_, sec := t.In(c.Zone).Zone()
	return time.Duration(sec) * time.Second
}

// DateAgrees reports whether the server sent a Date header within
// tolerance of our clock (HTTP Date has one-second resolution).
func (c Clock) DateAgrees(tolerance time.Duration) bool {
	if c.Date.IsZero() {
		return false
	}
	skew := c.Date.Sub(c.Ours.Truncate(time.Second))
	return skew <= tolerance && -skew <= tolerance
}

// Known reports whether the answer carried anything to compare.
func (c Clock) Known() bool { return !c.Date.IsZero() || c.IAT != nil }

// CheckClock reports code (TOKEN_CLOCK_SKEW, SUPABASE_CLOCK_SKEW) once per
// source that differs from ours beyond tolerance: the HTTP Date header
// either way, the iat in the future (or, for a fresh token, in the past).
// HTTP Date has one-second resolution, so ours is truncated to the second
// before comparing with it. who names the server ("the backend").
func CheckClock(code diag.Code, who string, c Clock, tolerance time.Duration) []diag.Diagnostic {
	expected := fmt.Sprintf("%s's clock within %s of ours (%s)", who, tolerance, timestamp(c.Ours))
	var out []diag.Diagnostic
	if !c.Date.IsZero() {
		skew := c.Date.Sub(c.Ours.Truncate(time.Second))
		if skew > tolerance || -skew > tolerance {
			out = append(out, diag.Newf(code, expected,
				"%s's HTTP Date header (%s) is %s %s ours", who, timestamp(c.Date), human(skew), aheadOrBehind(skew)))
		}
	}
	if c.IAT != nil {
		skew := c.IAT.Sub(c.Ours)
		switch {
		case skew > tolerance && c.Issued:
			out = append(out, futureIAT(code, who, expected, c, skew))
		case skew > tolerance:
			out = append(out, diag.Newf(code, expected,
				"the token's iat (%s) is %s in the future: the signing clock is ahead of ours", timestamp(*c.IAT), human(skew)))
		case c.FreshIAT && -skew > tolerance:
			out = append(out, diag.Newf(code, expected,
				"the token was issued just now but its iat (%s) is %s in the past: the signing clock is behind ours", timestamp(*c.IAT), human(skew)))
		}
	}
	return out
}

// futureIAT is the finding for an iat in the future on a token issued in
// this very exchange. When the server's own Date header agrees with the
// iat only up to a real UTC offset — not a skewed clock, a naive local
// datetime — and nothing the operator said contradicts it, the
// naive-datetime trap is the fact (TOKEN_EXP_TIMEZONE). An iat off by a
// real offset without a Date to compare keeps the trap a hypothesis next
// to a clock running ahead.
func futureIAT(code diag.Code, who, expected string, c Clock, skew time.Duration) diag.Diagnostic {
	off, naive := realOffset(c.serverNow().Sub(*c.IAT))
	n := NaiveOffset{Offset: off, Zones: zoneExamples[off], Basis: "iat"}
	if naive && c.Zone != nil && c.zoneOffset(c.serverNow()) != off {
		naive = false // the operator's zone rules the trap out
	}
	switch {
	case naive && !c.Date.IsZero():
		n.Proof = fmt.Sprintf("the token's iat (evidence token) is %s after the login response's own Date header (%s), within %s: a skewed clock would have moved that Date too",
			human(off), timestamp(c.Date), NaiveTolerance)
		if c.Zone != nil {
			n.Proof += fmt.Sprintf("; --backend-timezone %s has that offset", c.Zone)
		}
		return naiveFinding(n, expected, fmt.Sprintf(
			"the token's iat (%s) is %s in the future while the server's own Date header (%s) agrees with our clock",
			timestamp(*c.IAT), human(skew), timestamp(c.Date)))
	case naive:
		d := diag.Newf(code, expected, "the token's iat (%s) is %s in the future; %s sent no Date header to compare its clock with", timestamp(*c.IAT), human(skew), who)
		return d.Unproven().Likely(TimezoneHypothesis(n),
			diag.Maybe(who+"'s clock runs "+human(skew)+" ahead.", "run date -u on its host and on this machine at the same moment."))
	}
	return diag.Newf(code, expected,
		"the token's iat (%s) is %s in the future: the signing clock is ahead of ours", timestamp(*c.IAT), human(skew))
}

// aheadOrBehind words the sign of a skew.
func aheadOrBehind(d time.Duration) string {
	if d > 0 {
		return "ahead of"
	}
	return "behind"
}

// timestampOr renders t, or none when it is zero.
func timestampOr(t time.Time, none string) string {
	if t.IsZero() {
		return none
	}
	return timestamp(t)
}
