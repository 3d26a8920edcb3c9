package reference

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// cookieHeader renders the Set-Cookie value for the token as c describes it,
// attributes in a fixed order: Domain, Path, Expires, Max-Age, Secure,
// HttpOnly, SameSite, Partitioned (an order no framework writes). Unlike http.SetCookie it writes every attribute
// verbatim (a leading dot in Domain, SameSite=None without Secure ...), so
// broken profiles reach the browser as configured. now is the backend's clock.
func cookieHeader(c CookieProfile, value string, now time.Time) string {
	return cookieHeaderAs("", c, value, now)
}

// cookieHeaderAs is cookieHeader in the shape of the named writer ("" for
// the reference's own).
func cookieHeaderAs(writer string, c CookieProfile, value string, now time.Time) string {
	if w, ok := cookieWriters[writer]; ok {
		return writeAs(w, c, value, now)
	}
	var b strings.Builder
	b.WriteString(c.Name)
	b.WriteByte('=')
	b.WriteString(value)
	if c.Domain != "" {
		b.WriteString("; Domain=" + c.Domain)
	}
	if c.Path != "" {
		b.WriteString("; Path=" + c.Path)
	}
	if c.ExpiresIn != 0 {
		b.WriteString("; Expires=" + now.Add(c.ExpiresIn).UTC().Format(http.TimeFormat))
	}
	if c.MaxAge != nil {
		b.WriteString("; Max-Age=" + strconv.Itoa(*c.MaxAge))
	}
	if c.Secure {
		b.WriteString("; Secure")
	}
	if c.HttpOnly {
		b.WriteString("; HttpOnly")
	}
	if c.SameSite != "" {
		b.WriteString("; SameSite=" + c.SameSite)
	}
	if c.Partitioned {
		b.WriteString("; Partitioned")
	}
	return b.String()
}
