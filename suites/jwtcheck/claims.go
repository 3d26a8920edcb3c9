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
// missing, not numeric or in a sub-second unit: CheckExp owns those. For a
// token issued in the exchange c describes (c.Issued), an expiry that a
// naive local datetime explains (NaiveOffsetOf) is TOKEN_EXP_TIMEZONE,
// naming the server's UTC offset, instead of TOKEN_EXPIRED.
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
	if n, ok := NaiveOffsetOf(p, c); ok {
		return []diag.Diagnostic{naiveFinding(n, expected, fmt.Sprintf(
			"the token, issued moments ago, expired %s before the server's clock (%s) at %s (exp %s)",
			human(c.serverNow().Sub(nd.t)), timestamp(c.serverNow()), timestamp(nd.t), nd.text))}
	}
	obs := fmt.Sprintf("expired %s ago at %s (exp %s", human(now.Sub(nd.t)), timestamp(nd.t), nd.text)
	if leeway > 0 {
		obs += fmt.Sprintf(", leeway %s", leeway)
	}
	obs += ")"
	return []diag.Diagnostic{diag.Newf(diag.TokenExpired, expected, "%s", obs)}
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
