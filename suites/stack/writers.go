package stack

import (
	"slices"
	"strings"
)

// writer is one library's Set-Cookie writer: the attribute names it can
// write, exactly as written and in its fixed order, and how it writes the
// SameSite value. Each was read from the library's source or its output
// (see Stack.CookieWriter).
type writer struct {
	name   string
	stacks []ID
	order  []string
	// sameSite is the case of the SameSite value: "title" (None),
	// "lower" (none) or "" (as the caller gave it).
	sameSite string
	// dropsDot: the writer never writes a leading dot in Domain.
	dropsDot bool
	// generic marks an order that is no one library's: a line in it says
	// nothing about the stack, so a shape it also fits scores nothing.
	generic bool
}

var writers = []writer{
	// werkzeug.http.dump_cookie: the tuple Domain, Expires, Max-Age,
	// Secure, HttpOnly, Path, SameSite, Partitioned; samesite.title().
	{name: "Werkzeug's dump_cookie", stacks: []ID{Flask}, sameSite: "title",
		order: []string{"Domain", "Expires", "Max-Age", "Secure", "HttpOnly", "Path", "SameSite", "Partitioned"}},
	// http.cookies.Morsel.OutputString sorts the attributes by key and
	// spells expires in lower case; Django writes SameSite as given.
	{name: "Python's http.cookies (Django)", stacks: []ID{Django},
		order: []string{"Comment", "Domain", "expires", "HttpOnly", "Max-Age", "Partitioned", "Path", "SameSite", "Secure", "Version"}},
	// Starlette uses the same Morsel; its samesite values are lower case
	// ("lax" is its default, validated in lower case).
	{name: "Python's http.cookies (Starlette)", stacks: []ID{FastAPI}, sameSite: "lower",
		order: []string{"Comment", "Domain", "expires", "HttpOnly", "Max-Age", "Partitioned", "Path", "SameSite", "Secure", "Version"}},
	// cookie.serialize (jshttp/cookie 0.7, used by Express's res.cookie).
	{name: "the cookie package's serialize (Express)", stacks: []ID{Express}, sameSite: "title",
		order: []string{"Max-Age", "Domain", "Path", "Expires", "HttpOnly", "Secure", "Partitioned", "Priority", "SameSite"}},
	// @edge-runtime/cookies stringifyCookie (vendored by Next.js); the
	// sameSite type is 'strict' | 'lax' | 'none'.
	{name: "@edge-runtime/cookies (Next.js)", stacks: []ID{NextJS}, sameSite: "lower",
		order: []string{"Path", "Expires", "Max-Age", "Domain", "Secure", "HttpOnly", "SameSite", "Partitioned", "Priority"}},
	// net/http Cookie.String.
	{name: "Go's http.Cookie.String", stacks: []ID{GoNetHTTP}, sameSite: "title", dropsDot: true,
		order: []string{"Path", "Domain", "Expires", "Max-Age", "HttpOnly", "Secure", "SameSite", "Partitioned"}},
	// org.springframework.http.ResponseCookie.toString.
	{name: "Spring's ResponseCookie", stacks: []ID{Spring},
		order: []string{"Path", "Domain", "Max-Age", "Expires", "Secure", "HttpOnly", "SameSite", "Partitioned"}},
	// Microsoft.Net.Http.Headers.SetCookieHeaderValue: lower-case names and
	// values.
	{name: "ASP.NET Core's SetCookieHeaderValue", stacks: []ID{ASPNETCore}, sameSite: "lower",
		order: []string{"expires", "max-age", "domain", "path", "secure", "samesite", "httponly", "partitioned"}},
	// Rack::Utils.set_cookie_header, rack 3.1.
	{name: "Rack 3's set_cookie_header (Rails)", stacks: []ID{Rails}, sameSite: "lower",
		order: []string{"domain", "path", "max-age", "expires", "secure", "httponly", "samesite", "partitioned"}},
	// Rack::Utils.set_cookie_header, rack 2.2.
	{name: "Rack 2's set_cookie_header (Rails)", stacks: []ID{Rails}, sameSite: "title",
		order: []string{"domain", "path", "max-age", "expires", "secure", "HttpOnly", "SameSite"}},
	// The order the attributes are usually listed in by hand (a raw
	// header() call, a proxy's add_header) — and the order mfconform's
	// own reference deployment writes (harness/reference cookieHeader).
	// No library is known by it.
	{name: "the usual hand-written order (also mfconform's reference writer)", generic: true,
		order: []string{"Domain", "Path", "Expires", "Max-Age", "Secure", "HttpOnly", "SameSite", "Partitioned"}},
}

// attrs reads the attribute names of a Set-Cookie line as written, the
// SameSite value and whether Domain has a leading dot.
func attrs(line string) (names []string, sameSite string, dottedDomain bool) {
	parts := strings.Split(line, ";")
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(p, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if k == "" {
			continue
		}
		names = append(names, k)
		switch strings.ToLower(k) {
		case "samesite":
			sameSite = v
		case "domain":
			dottedDomain = strings.HasPrefix(v, ".")
		}
	}
	return names, sameSite, dottedDomain
}

// fits reports whether w can have written the attributes: every name is
// one w writes, in w's order, and the SameSite value and Domain match its
// conventions.
func (w writer) fits(names []string, sameSite string, dotted bool) bool {
	last := -1
	for _, n := range names {
		i := slices.Index(w.order, n)
		if i <= last {
			return false
		}
		last = i
	}
	if dotted && w.dropsDot {
		return false
	}
	switch {
	case sameSite == "":
	case w.sameSite == "title" && sameSite != titleCase(sameSite):
		return false
	case w.sameSite == "lower" && sameSite != strings.ToLower(sameSite):
		return false
	}
	return true
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + strings.ToLower(s[1:])
}

// minShapeAttrs is how many attributes a line needs before its order says
// anything: two can be in the same order in most writers.
const minShapeAttrs = 3
