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

// aheadOrBehind words the sign of a skew.
func aheadOrBehind(d time.Duration) string {
	if d > 0 {
		return "ahead of"
	}
	return "behind"
}
