package jwtcheck

import (
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/mfconform/mfconform/suites/diag"
)

// DefaultMaxLifetime is the token lifetime beyond which CheckLifetime warns
// when the caller passes no threshold.
const DefaultMaxLifetime = 24 * time.Hour

// userIDNearMisses are claims backends put the user id in instead of
// user_id; naming one found turns "missing" into an obvious fix.
var userIDNearMisses = []string{"sub", "id", "userId", "userID", "user-id", "uid", "user", "UserId", "USER_ID", "userid"}

// CheckUserID reports TOKEN_USER_ID_MISSING when there is no user_id claim
// and TOKEN_USER_ID_NOT_STRING when it is a number, boolean, null, object,
// array, or an empty or whitespace-only string.
func CheckUserID(p *Parsed) []diag.Diagnostic {
	const expected = `"user_id": a non-empty string, unique per user`
	v, ok := p.Claims["user_id"]
	if !ok {
		obs := "the payload has no user_id claim"
		var found []string
		for _, k := range userIDNearMisses {
			if _, has := p.Claims[k]; has {
				found = append(found, k)
			}
		}
		if len(found) > 0 {
			obs += fmt.Sprintf(" (it has %s; Miiflow reads only user_id)", strings.Join(found, ", "))
		}
		return []diag.Diagnostic{diag.New(diag.TokenUserIDMissing, expected, obs)}
	}
	switch s, isString := v.(string); {
	case !isString:
		obs := fmt.Sprintf("user_id is a JSON %s: %s", jsonType(v), jsonText(v))
		if jsonType(v) == "number" {
			obs += fmt.Sprintf(" (emit it as the string %q)", jsonText(v))
		}
		return []diag.Diagnostic{diag.New(diag.TokenUserIDNotString, expected, obs)}
	case s == "":
		return []diag.Diagnostic{diag.New(diag.TokenUserIDNotString, expected, `user_id is the empty string ""`)}
	case strings.TrimSpace(s) == "":
		return []diag.Diagnostic{diag.Newf(diag.TokenUserIDNotString, expected, "user_id is whitespace only (%d bytes)", len(s))}
	}
	return nil
}

// CheckExp reports TOKEN_EXP_MISSING, TOKEN_EXP_NOT_NUMERIC (naming the JSON
// type found) and, for an exp beyond now+100 years read as seconds but a
// plausible date read in a finer unit, TOKEN_EXP_MILLISECONDS,
// TOKEN_EXP_MICROSECONDS or TOKEN_EXP_NANOSECONDS. A fractional exp is
// conformant (RFC 7519 §2). Whether exp has passed is CheckNotExpired's job.
func CheckExp(p *Parsed, now time.Time) []diag.Diagnostic {
	const expected = "exp: a JSON number of seconds since 1970-01-01 UTC (integer or fractional)"
	nd := readNumericDate(p.Claims, "exp", now)
	switch nd.kind {
	case expMissing:
		return []diag.Diagnostic{diag.New(diag.TokenExpMissing, expected, "the payload has no exp claim")}
	case expNotNumeric:
		v := p.Claims["exp"]
		obs := fmt.Sprintf("exp is a JSON %s: %s", jsonType(v), nd.text)
		if s, ok := v.(string); ok {
			if _, err := parseNumberText(s); err == nil {
				obs += " (a quoted number: drop the quotes)"
			} else if _, err := time.Parse(time.RFC3339, s); err == nil {
				obs += " (a date string: emit its Unix seconds instead)"
			}
		}
		return []diag.Diagnostic{diag.New(diag.TokenExpNotNumeric, expected, obs)}
	case expMilliseconds, expMicroseconds, expNanoseconds:
		unit := unitOf(nd.kind)
		return []diag.Diagnostic{diag.Newf(unitCodes[nd.kind], expected,
			"exp %s read as seconds is more than 100 years ahead; read as %s it is %s (%s)",
			nd.text, unit, timestamp(nd.t), relative(nd.t, now))}
	}
	return nil
}

// unitCodes are the findings of an exp written in a sub-second unit.
var unitCodes = map[expKind]diag.Code{
	expMilliseconds: diag.TokenExpMilliseconds,
	expMicroseconds: diag.TokenExpMicroseconds,
	expNanoseconds:  diag.TokenExpNanoseconds,
}

// CheckNotExpired reports TOKEN_EXPIRED when exp (plus leeway) is not after
// c.Ours, saying how long ago and when. It reports nothing when exp is
// missing, not numeric or in a sub-second unit: CheckExp owns those.
//
// Why the token expired is a fact only when the evidence pins it: for a
// token issued in the exchange c describes (c.Issued) whose times are off
// by a real UTC offset that iat against the server's own Date, or the
// operator's --backend-timezone, pins (NaiveOffsetOf), the finding is
// TOKEN_EXP_TIMEZONE, naming the server's UTC offset. Otherwise it is
// TOKEN_EXPIRED with ranked hypotheses built from what the answer shows
// (expiredHypotheses): the timezone trap first when the offset is a real
// zone, never as a fact.
func CheckNotExpired(p *Parsed, c Clock, leeway time.Duration) []diag.Diagnostic {
	now := c.Ours
	nd := readNumericDate(p.Claims, "exp", now)
	if nd.kind != expSeconds {
		return nil
	}
	if now.Before(nd.t.Add(leeway)) {
		return nil
	}
	expected := "exp after now (" + timestamp(now) + ")"
	n, naive := NaiveOffsetOf(p, c)
	if naive && n.Pinned {
		return []diag.Diagnostic{naiveFinding(n, expected, fmt.Sprintf(
			"the token, issued in the login response, expired %s before the server's clock (%s) at %s (exp %s)",
			human(c.serverNow().Sub(nd.t)), timestamp(c.serverNow()), timestamp(nd.t), nd.text))}
	}
	obs := fmt.Sprintf("expired %s ago at %s (exp %s", human(now.Sub(nd.t)), timestamp(nd.t), nd.text)
	if leeway > 0 {
		obs += fmt.Sprintf(", leeway %s", leeway)
	}
	obs += ")"
	if c.Issued {
		obs += "; " + issuedFacts(p, c)
	}
	d := diag.Newf(diag.TokenExpired, expected, "%s", obs)
	if !c.Issued {
		return []diag.Diagnostic{d}
	}
	hs := expiredHypotheses(p, c, now.Sub(nd.t), n, naive)
	d = d.Likely(hs...)
	if naive {
		// The trap is the first hypothesis: show its fix first.
		if e, ok := diag.Lookup(diag.TokenExpTimezone); ok {
			d = d.WithFix("If the first hypothesis holds (the server's zone is not UTC): " + e.Fix + " Whatever the cause: " + d.Fix)
		}
	}
	return []diag.Diagnostic{d}
}

// issuedFacts says what the answer that issued the token tells about its
// times: the Date header against our clock, iat, the cookie's lifetime,
// the operator's zone. Facts only.
func issuedFacts(p *Parsed, c Clock) string {
	var parts []string
	switch {
	case c.Date.IsZero():
		parts = append(parts, "the login response sent no Date header")
	case c.DateAgrees(NaiveTolerance):
		parts = append(parts, fmt.Sprintf("the login response's Date header (%s) agrees with our clock", timestamp(c.Date)))
	default:
		parts = append(parts, fmt.Sprintf("the login response's Date header (%s) is %s %s our clock", timestamp(c.Date),
			human(c.Date.Sub(c.Ours)), aheadOrBehind(c.Date.Sub(c.Ours))))
	}
	if iat := readNumericDate(p.Claims, "iat", c.Ours); iat.kind == expSeconds {
		since := c.serverNow().Sub(iat.t)
		parts = append(parts, fmt.Sprintf("its iat is %s (%s %s the server's clock)", timestamp(iat.t), human(since), map[bool]string{true: "before", false: "after"}[since >= 0]))
	} else {
		parts = append(parts, "it has no iat")
	}
	if c.CookieLifetime > 0 {
		parts = append(parts, "the cookie's lifetime is "+human(c.CookieLifetime))
	} else {
		parts = append(parts, "the cookie gives no lifetime")
	}
	if c.Zone != nil {
		parts = append(parts, fmt.Sprintf("--backend-timezone %s (offset %s at that time) rules out the naive-datetime trap", c.Zone, numericZone(c.zoneOffset(c.serverNow()))))
	}
	return strings.Join(parts, "; ")
}

// expiredHypotheses ranks what may have made a token issued in this very
// exchange arrive expired ago, from what the answer shows:
//
//   - the naive-datetime trap, first, when the expiry is a real UTC offset
//     the evidence does not pin (naive): with the zone it would take;
//   - a token issued earlier and served again — first when its iat says
//     it was issued long before the server's clock;
//   - exp computed as now − lifetime (a sign error);
//   - the backend's clock behind — left out when its Date header agrees
//     with ours.
//
// A zone the operator gave that does not have the offset has already
// ruled the trap out (NaiveOffsetOf is false).
func expiredHypotheses(p *Parsed, c Clock, ago time.Duration, n NaiveOffset, naive bool) []diag.Hypothesis {
	var hs []diag.Hypothesis
	if naive {
		hs = append(hs, TimezoneHypothesis(n))
	}
	cached := diag.Maybe("The backend returns a token it issued earlier (kept in a session, a database row or a cache) instead of a fresh one.",
		"log in twice a minute apart: a cached token comes back with the same exp (evidence token).")
	if iat := readNumericDate(p.Claims, "iat", c.Ours); iat.kind == expSeconds {
		switch since := c.serverNow().Sub(iat.t); {
		case since <= NaiveTolerance:
			cached = diag.Hypothesis{} // its iat says it was issued just now
		case !naive:
			hs = append(hs, diag.Maybe(fmt.Sprintf("The backend returns a token it issued %s before this login (its iat), kept in a session, a database row or a cache, instead of a fresh one.", human(since)),
				"log in twice a minute apart: a cached token comes back with the same iat and exp (evidence token); a fresh one's iat follows the clock."))
			cached = diag.Hypothesis{}
		}
	}
	sign := diag.Maybe(fmt.Sprintf("exp is computed as now − lifetime (a sign error) or with a lifetime of zero or less: the token expired %s before it arrived.", human(ago)),
		"read the line that computes exp: it must add the lifetime to the current time.")
	hs = append(hs, sign)
	if cached.Cause != "" {
		hs = append(hs, cached)
	}
	if !c.DateAgrees(NaiveTolerance) {
		hs = append(hs, diag.Maybe("The backend's clock is behind.",
			"JWT-TOKEN-010 compares the login response's Date header with our clock; run date -u on the backend's host."))
	}
	return hs
}

// CheckLifetime warns TOKEN_LIFETIME_LONG when the token's lifetime exceeds
// max: exp-iat when iat is a plausible number, else exp-now. max <= 0 means
// DefaultMaxLifetime. exp in a sub-second unit is CheckExp's finding, not this
// one's.
func CheckLifetime(p *Parsed, now time.Time, max time.Duration) []diag.Diagnostic {
	if max <= 0 {
		max = DefaultMaxLifetime
	}
	expected := "a lifetime of at most " + human(max)
	exp := readNumericDate(p.Claims, "exp", now)
	switch exp.kind {
	case expHuge:
		return []diag.Diagnostic{diag.Newf(diag.TokenLifetimeLong, expected,
			"exp %s is more than 100 years ahead: the token effectively never expires", exp.text)}
	case expSeconds:
	default:
		return nil
	}
	from, fromName := now, "now"
	if iat := readNumericDate(p.Claims, "iat", now); iat.kind == expSeconds {
		from, fromName = iat.t, "iat"
	}
	life := exp.t.Sub(from)
	if life <= max {
		return nil
	}
	return []diag.Diagnostic{diag.Newf(diag.TokenLifetimeLong, expected,
		"exp %s is %s after %s (%s)", timestamp(exp.t), human(life), fromName, timestamp(from))}
}

// CheckOptionalClaims reports TOKEN_CLAIM_TYPE for each of first_name,
// last_name and email that is present but not a string, and warns
// TOKEN_EMAIL_INVALID when email is a string but not a bare address
// (local@domain, no display name, no surrounding space).
func CheckOptionalClaims(p *Parsed) []diag.Diagnostic {
	var out []diag.Diagnostic
	for _, name := range []string{"first_name", "last_name", "email"} {
		v, ok := p.Claims[name]
		if !ok {
			continue
		}
		if _, isString := v.(string); !isString {
			out = append(out, diag.Newf(diag.TokenClaimType, name+": a JSON string, or absent",
				"%s is a JSON %s: %s", name, jsonType(v), jsonText(v)))
		}
	}
	if email, ok := p.Claims["email"].(string); ok {
		if why := emailProblem(email); why != "" {
			out = append(out, diag.Newf(diag.TokenEmailInvalid, "email: a bare address such as john.doe@example.com",
				"email %s %s", jsonText(email), why))
		}
	}
	return out
}

// emailProblem says why s is not a bare email address, or "".
func emailProblem(s string) string {
	if s == "" {
		return "is empty"
	}
	addr, err := mail.ParseAddress(s)
	if err != nil {
		return "does not parse as an address: " + err.Error()
	}
	if addr.Name != "" || addr.Address != s {
		return "is not a bare address (it parses as " + jsonText(addr.Address) + " with extra text around it)"
	}
	if !strings.Contains(addr.Address[strings.LastIndexByte(addr.Address, '@')+1:], ".") {
		return "has a domain without a dot"
	}
	return ""
}

// Expiry returns exp as a time when it is a number plausible as seconds.
func (p Parsed) Expiry() (time.Time, bool) {
	nd := readNumericDate(p.Claims, "exp", time.Now())
	return nd.t, nd.kind == expSeconds
}

// IssuedAt returns iat as a time when it is a number plausible as seconds,
// for CheckClock.
func (p Parsed) IssuedAt() (time.Time, bool) {
	nd := readNumericDate(p.Claims, "iat", time.Now())
	return nd.t, nd.kind == expSeconds
}
