package cookieattr

import (
	"strings"
	"time"
)

// parseDate reads an Expires value the way browsers do: RFC 6265 §5.1.1's
// cookie-date algorithm, which takes any order of day, month, year and
// time among delimiters, so the Netscape form "Thu, 01-Jan-1970 00:00:00
// GMT" and the RFC 1123 form "Thu, 01 Jan 1970 00:00:00 GMT" read alike
// (Chromium's cookie_util ParseCookieExpirationTime tokenises the same
// way). http.ParseTime knows three fixed layouts only, so a date a
// browser reads as expired could pass for no date at all.
func parseDate(s string) (time.Time, bool) {
	var (
		hour, minute, second, day, year int
		month                           time.Month
		foundTime, foundDay, foundMonth bool
		foundYear                       bool
	)
	for _, tok := range strings.FieldsFunc(s, isDateDelimiter) {
		switch {
		case !foundTime && parseTime(tok, &hour, &minute, &second):
			foundTime = true
		case !foundDay && parseDigits(tok, 1, 2, &day):
			foundDay = true
		case !foundMonth && parseMonth(tok, &month):
			foundMonth = true
		case !foundYear && parseDigits(tok, 2, 4, &year):
			foundYear = true
		}
	}
	switch {
	case year >= 70 && year <= 99:
		year += 1900
	case year >= 0 && year <= 69:
		year += 2000
	}
	if !foundTime || !foundDay || !foundMonth || !foundYear || day < 1 || day > 31 || year < 1601 || hour > 23 || minute > 59 || second > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, month, day, hour, minute, second, 0, time.UTC)
	if t.Day() != day {
		return time.Time{}, false // no such date (30 February)
	}
	return t, true
}

// isDateDelimiter is RFC 6265's delimiter: %x09 / %x20-2F / %x3B-40 /
// %x5B-60 / %x7B-7E.
func isDateDelimiter(r rune) bool {
	return r == 0x09 || r >= 0x20 && r <= 0x2F || r >= 0x3B && r <= 0x40 || r >= 0x5B && r <= 0x60 || r >= 0x7B && r <= 0x7E
}

// leadingDigits reads min to max digits at the start of s and returns
// their value and the rest of s; ok is false when there are fewer than
// min, or when a digit follows the max-th.
func leadingDigits(s string, min, max int) (n int, rest string, ok bool) {
	i := 0
	for i < len(s) && i < max && s[i] >= '0' && s[i] <= '9' {
		n = n*10 + int(s[i]-'0')
		i++
	}
	if i < min || i < len(s) && s[i] >= '0' && s[i] <= '9' {
		return 0, "", false
	}
	return n, s[i:], true
}

// parseDigits matches min*maxDIGIT ( non-digit *OCTET ): the day-of-month
// (1*2) and year (2*4) productions.
func parseDigits(tok string, min, max int, out *int) bool {
	n, _, ok := leadingDigits(tok, min, max)
	if ok {
		*out = n
	}
	return ok
}

// parseTime matches hms-time ( non-digit *OCTET ), hms-time being three
// 1*2DIGIT fields separated by ":".
func parseTime(tok string, h, m, s *int) bool {
	var f [3]int
	rest := tok
	for i := range f {
		n, r, ok := leadingDigits(rest, 1, 2)
		if !ok {
			return false
		}
		f[i], rest = n, r
		if i < 2 {
			if !strings.HasPrefix(rest, ":") {
				return false
			}
			rest = rest[1:]
		}
	}
	*h, *m, *s = f[0], f[1], f[2]
	return true
}

// parseMonth matches a month: a token starting with the month's first
// three letters, in any case.
func parseMonth(tok string, out *time.Month) bool {
	if len(tok) < 3 {
		return false
	}
	prefix := strings.ToLower(tok[:3])
	for m := time.January; m <= time.December; m++ {
		if strings.ToLower(m.String()[:3]) == prefix {
			*out = m
			return true
		}
	}
	return false
}
