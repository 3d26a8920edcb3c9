// Package cookieattr parses a raw Set-Cookie line into its attributes the way
// RFC 6265 §5.2 reads them, so specs can judge what the server sent (and
// explain what Chromium did with it), not only what Chromium kept.
package cookieattr

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Attrs are the attributes of one Set-Cookie line. A nil pointer means the
// attribute was absent.
type Attrs struct {
	Name        string
	Value       string
	Domain      *string
	Path        *string
	Secure      bool
	HttpOnly    bool
	SameSite    *string
	MaxAge      *int
	Expires     *time.Time
	Partitioned bool
}

// Parse reads a Set-Cookie header value. Unknown attributes are ignored, as
// browsers do; for repeated attributes the last one wins (RFC 6265 §5.3).
func Parse(line string) Attrs {
	parts := strings.Split(line, ";")
	var a Attrs
	name, value, _ := strings.Cut(parts[0], "=")
	a.Name = strings.TrimSpace(name)
	a.Value = strings.TrimSpace(value)
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(p, "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		switch k {
		case "domain":
			a.Domain = &v
		case "path":
			a.Path = &v
		case "secure":
			a.Secure = true
		case "httponly":
			a.HttpOnly = true
		case "samesite":
			a.SameSite = &v
		case "partitioned":
			a.Partitioned = true
		case "max-age":
			if n, err := strconv.Atoi(v); err == nil {
				a.MaxAge = &n
			}
		case "expires":
			if t, ok := parseDate(v); ok {
				a.Expires = &t
			}
		}
	}
	return a
}

// SameSiteValue returns the SameSite attribute as written, "" when absent.
func (a Attrs) SameSiteValue() string {
	if a.SameSite == nil {
		return ""
	}
	return *a.SameSite
}

// DomainValue returns the Domain attribute without a leading dot, "" when
// absent.
func (a Attrs) DomainValue() string {
	if a.Domain == nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(*a.Domain), ".")
}

// ExpiredAt reports whether the cookie is already expired when received at
// t (Max-Age wins over Expires, RFC 6265 §5.3 step 3), and which attribute
// says so.
func (a Attrs) ExpiredAt(t time.Time) (bool, string) {
	if a.MaxAge != nil {
		return *a.MaxAge <= 0, "Max-Age=" + strconv.Itoa(*a.MaxAge)
	}
	if a.Expires != nil {
		return !a.Expires.After(t), "Expires=" + a.Expires.UTC().Format(http.TimeFormat)
	}
	return false, ""
}

// EffectivePath is the cookie's path: the Path attribute when it starts with
// "/", else the default-path of the request URI path (RFC 6265 §5.1.4).
func (a Attrs) EffectivePath(requestPath string) string {
	if a.Path != nil && strings.HasPrefix(*a.Path, "/") {
		return *a.Path
	}
	if !strings.HasPrefix(requestPath, "/") || strings.Count(requestPath, "/") == 1 {
		return "/"
	}
	return requestPath[:strings.LastIndex(requestPath, "/")]
}

// PathMatches reports whether requestPath path-matches cookiePath
// (RFC 6265 §5.1.4).
func PathMatches(cookiePath, requestPath string) bool {
	if requestPath == "" {
		requestPath = "/"
	}
	if cookiePath == requestPath {
		return true
	}
	if strings.HasPrefix(requestPath, cookiePath) {
		return strings.HasSuffix(cookiePath, "/") || requestPath[len(cookiePath)] == '/'
	}
	return false
}
