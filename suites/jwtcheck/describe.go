package jwtcheck

import (
	"fmt"
	"sort"
	"time"

	"github.com/mfconform/mfconform/suites/result"
)

// Field is one row of a token summary: a name such as "header.alg" or
// "exp" and its value rendered for a human.
type Field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// maxFieldName bounds a summary row's name: claim names are the token's
// text, as long as the token likes.
const maxFieldName = 80

// field makes a summary row safe to print: the name cut to maxFieldName,
// both passed through result.CleanLine (a claim name or value may hold
// escape sequences, C1 or bidirectional controls that JSON leaves raw, or
// a line break before a CI workflow command).
func field(name, value string) Field {
	return Field{Name: result.CleanLine(result.Cut(name, maxFieldName)), Value: result.CleanLine(value)}
}

// Describe summarises p for `mfconform inspect` and the reports: header
// fields (alg and typ first) named "header.<name>", the signature's size
// (never its bytes), then the claims (the contract's first, then the rest
// sorted) with exp, iat and nbf also shown as RFC 3339 dates and relative
// to now ("in 42m", "expired 3h ago"). Values are JSON, so a string shows
// its quotes and 42 and "42" stay distinguishable. Names and values are
// cleaned of control characters and bounded, so a row is safe to print.
func Describe(p *Parsed, now time.Time) []Field {
	var out []Field
	for _, k := range ordered(p.Header, "alg", "typ") {
		out = append(out, field("header."+k, jsonText(p.Header[k])))
	}
	sig := fmt.Sprintf("%d bytes", len(p.signature))
	if len(p.signature) == 0 {
		sig = "none (unsigned)"
	}
	out = append(out, field("signature", sig))
	for _, k := range ordered(p.Claims, "user_id", "exp", "iat", "nbf", "first_name", "last_name", "email") {
		v := jsonText(p.Claims[k])
		switch k {
		case "exp", "iat", "nbf":
			v = describeDate(p.Claims, k, now)
		}
		out = append(out, field(k, v))
	}
	return out
}

// describeDate renders a NumericDate claim with its meaning.
func describeDate(claims map[string]any, name string, now time.Time) string {
	nd := readNumericDate(claims, name, now)
	switch nd.kind {
	case expNotNumeric:
		return nd.text + " (not a number)"
	case expMilliseconds, expMicroseconds, expNanoseconds:
		return fmt.Sprintf("%s (seconds: beyond 100 years; as %s %s, %s)", nd.text, unitOf(nd.kind), timestamp(nd.t), relative(nd.t, now))
	case expHuge:
		return nd.text + " (more than 100 years ahead)"
	}
	rel := relative(nd.t, now)
	if name == "exp" && !nd.t.After(now) {
		rel = "expired " + rel
	}
	return fmt.Sprintf("%s = %s (%s)", nd.text, timestamp(nd.t), rel)
}

// ordered returns m's keys: those of first that are present, in that
// order, then the others sorted.
func ordered(m map[string]any, first ...string) []string {
	var keys []string
	isFirst := map[string]bool{}
	for _, k := range first {
		isFirst[k] = true
		if _, ok := m[k]; ok {
			keys = append(keys, k)
		}
	}
	var rest []string
	for k := range m {
		if !isFirst[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(keys, rest...)
}
