package jwtcheck

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// expKind classifies a NumericDate claim.
type expKind int

const (
	expMissing expKind = iota
	expNotNumeric
	expSeconds      // a number plausible as seconds
	expMilliseconds // far beyond now+100y as seconds, plausible as milliseconds
	expMicroseconds // plausible only as microseconds
	expNanoseconds  // plausible only as nanoseconds
	expHuge         // far beyond now+100y and plausible in none of those units
)

// subsecondUnits are the units an exp far beyond now+100y may have been
// written in by mistake, finest last: JavaScript's Date.now() and Java's
// currentTimeMillis() give milliseconds, Python's datetime.timestamp()
// times 1e6 and Go's UnixMicro() microseconds, Python's time.time_ns(),
// Go's UnixNano() and Java's Instant nanos nanoseconds. The plausible
// ranges (msFloor to now+100y, scaled) do not overlap, so at most one
// unit fits.
var subsecondUnits = []struct {
	kind expKind
	per  float64 // units per second
	name string
}{
	{expMilliseconds, 1e3, "milliseconds"},
	{expMicroseconds, 1e6, "microseconds"},
	{expNanoseconds, 1e9, "nanoseconds"},
}

// unitOf returns the name of the sub-second unit kind stands for, "" for
// none.
func unitOf(kind expKind) string {
	for _, u := range subsecondUnits {
		if u.kind == kind {
			return u.name
		}
	}
	return ""
}

// maxAhead is how far ahead an exp in seconds may lie before it looks like
// a unit mistake rather than a (long) lifetime.
const maxAhead = 100 * 365 * 24 * time.Hour

// msFloor is the earliest date an exp read in a sub-second unit may mean
// to count as plausible: nobody mints tokens expiring before 2000.
var msFloor = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// numericDate is a NumericDate claim read from a Parsed token.
type numericDate struct {
	kind  expKind
	text  string    // the JSON text of the value
	value float64   // the number as written, in whatever unit
	t     time.Time // the instant it means (for a sub-second unit: read in that unit)
}

// readNumericDate reads claim name as a NumericDate (RFC 7519 §2),
// classifying it relative to now.
func readNumericDate(claims map[string]any, name string, now time.Time) numericDate {
	v, ok := claims[name]
	if !ok {
		return numericDate{kind: expMissing}
	}
	var text string
	switch n := v.(type) {
	case json.Number:
		text = n.String()
	case float64:
		text = strconv.FormatFloat(n, 'f', -1, 64)
	default:
		return numericDate{kind: expNotNumeric, text: jsonText(v)}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !math.IsInf(f, 0) {
		return numericDate{kind: expNotNumeric, text: text}
	}
	nd := numericDate{text: text, value: f}
	limit := float64(now.Add(maxAhead).Unix())
	if f <= limit {
		nd.kind, nd.t = expSeconds, secondsTime(f)
		return nd
	}
	for _, u := range subsecondUnits {
		if sec := f / u.per; sec <= limit && !secondsTime(sec).Before(msFloor) {
			nd.kind, nd.t = u.kind, secondsTime(sec)
			return nd
		}
	}
	nd.kind = expHuge
	return nd
}

// earliest is the Unix second of 0001-01-01, the floor secondsTime clamps to.
const earliest = -62135596800

// secondsTime converts fractional seconds since the epoch to a UTC time.
// Callers pass no value beyond now+100y; very negative values clamp to
// year 1.
func secondsTime(f float64) time.Time {
	if f < earliest {
		return time.Unix(earliest, 0).UTC()
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC()
}

// timestamp formats t as RFC 3339 in UTC, with fractional seconds only
// when there are some.
func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// human formats a non-negative duration the way an operator reads it:
// "45s", "2m5s", "3h12m", "2d4h", "3y20d".
func human(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Round(time.Second)
	const day = 24 * time.Hour
	const year = 365 * day
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return trimZero(fmt.Sprintf("%dm%ds", int(d/time.Minute), int(d%time.Minute/time.Second)))
	case d < 2*day:
		return trimZero(fmt.Sprintf("%dh%dm", int(d/time.Hour), int(d%time.Hour/time.Minute)))
	case d < 2*year:
		return trimZero(fmt.Sprintf("%dd%dh", int(d/day), int(d%day/time.Hour)))
	default:
		return trimZero(fmt.Sprintf("%dy%dd", int(d/year), int(d%year/day)))
	}
}

// trimZero drops a trailing zero unit: "3h0m" → "3h".
func trimZero(s string) string {
	for _, unit := range []string{"0s", "0m", "0h", "0d"} {
		if len(s) > len(unit) && s[len(s)-len(unit):] == unit && (s[len(s)-len(unit)-1] < '0' || s[len(s)-len(unit)-1] > '9') {
			return s[:len(s)-len(unit)]
		}
	}
	return s
}

// relative says when t is seen from now: "in 42m" or "3h12m ago".
func relative(t, now time.Time) string {
	if t.After(now) {
		return "in " + human(t.Sub(now))
	}
	return human(now.Sub(t)) + " ago"
}

// parseNumberText parses s as a JSON-style number.
func parseNumberText(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" || !strings.ContainsAny(s[:1], "-0123456789") {
		return 0, strconv.ErrSyntax
	}
	return strconv.ParseFloat(s, 64)
}
