package jwtcheck

import (
	"fmt"
	"time"

	"github.com/mfconform/mfconform/suites/diag"
)

// CheckClock reports TOKEN_CLOCK_SKEW when the backend's clock differs from
// ours beyond tolerance, once per source: serverDate (its HTTP Date header;
// zero = not known) ahead or behind, and iat (nil = absent) in the future.
// An iat in the past is normal (the token is simply older) and not judged.
// HTTP Date has one-second resolution, so ours is truncated to the second
// before comparing with it.
func CheckClock(ours, serverDate time.Time, iat *time.Time, tolerance time.Duration) []diag.Diagnostic {
	expected := fmt.Sprintf("the backend's clock within %s of ours (%s)", tolerance, timestamp(ours))
	var out []diag.Diagnostic
	if !serverDate.IsZero() {
		skew := serverDate.Sub(ours.Truncate(time.Second))
		if skew > tolerance || -skew > tolerance {
			out = append(out, diag.Newf(diag.TokenClockSkew, expected,
				"the backend's HTTP Date header (%s) is %s %s ours", timestamp(serverDate), human(skew), aheadOrBehind(skew)))
		}
	}
	if iat != nil {
		if ahead := iat.Sub(ours); ahead > tolerance {
			out = append(out, diag.Newf(diag.TokenClockSkew, expected,
				"the token's iat (%s) is %s in the future: the signing clock is ahead of ours", timestamp(*iat), human(ahead)))
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
