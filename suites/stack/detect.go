package stack

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mfconform/mfconform/suites/result"
)

// Roles a guess is made for.
const (
	RoleBackend = "backend" // the login response that set mf_jwt_token
	RoleApp     = "app"     // the app's answers to the probes
)

// Evidence is what one role's answers say about the software behind them.
type Evidence struct {
	// Headers are response headers by lower-case name.
	Headers map[string]string
	// Cookies are the names of the cookies the answers set.
	Cookies []string
	// SetCookie is the raw mf_jwt_token Set-Cookie line, "" when none.
	// Only its attribute names, their order and the case of the SameSite
	// value are read; the value never leaves Detect.
	SetCookie string
}

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

// shape returns the writers that fit a Set-Cookie line. With a SameSite
// value, writers whose fixed convention it matches are preferred to those
// that write it as given.
func shape(line string) (names []string, fit []writer) {
	names, sameSite, dotted := attrs(line)
	if len(names) < minShapeAttrs {
		return names, nil
	}
	for _, w := range writers {
		if w.fits(names, sameSite, dotted) {
			fit = append(fit, w)
		}
	}
	if len(fit) > 1 && sameSite != "" {
		var fixed []writer
		for _, w := range fit {
			if w.sameSite != "" {
				fixed = append(fixed, w)
			}
		}
		if len(fixed) > 0 {
			fit = fixed
		}
	}
	return names, fit
}

// signal is one header or cookie that points at a stack.
type signal struct {
	stacks   []ID // one: named; several: a family to narrow by shape
	evidence string
	proxy    bool // names a proxy, not a framework
}

// serverProducts maps a Server header product (lower case, before "/")
// to what it says.
var serverProducts = map[string]signal{
	"werkzeug":      {stacks: []ID{Flask}, evidence: "Werkzeug's development server (Flask)"},
	"kestrel":       {stacks: []ID{ASPNETCore}, evidence: "Kestrel, ASP.NET Core's server"},
	"microsoft-iis": {stacks: []ID{ASPNETCore}, evidence: "IIS (ASP.NET)"},
	"gunicorn":      {stacks: []ID{Flask, Django}, evidence: "gunicorn, a Python WSGI server (Flask or Django)"},
	"waitress":      {stacks: []ID{Flask, Django}, evidence: "waitress, a Python WSGI server (Flask or Django)"},
	"uvicorn":       {stacks: []ID{FastAPI, Django}, evidence: "uvicorn, a Python ASGI server (FastAPI/Starlette or Django)"},
	"hypercorn":     {stacks: []ID{FastAPI, Django}, evidence: "hypercorn, a Python ASGI server (FastAPI/Starlette or Django)"},
	"daphne":        {stacks: []ID{Django}, evidence: "daphne, Django Channels' ASGI server"},
	"jetty":         {stacks: []ID{Spring}, evidence: "Jetty, a Java servlet container (Spring)"},
	"apache-coyote": {stacks: []ID{Spring}, evidence: "Tomcat's connector, a Java servlet container (Spring)"},
	"tomcat":        {stacks: []ID{Spring}, evidence: "Tomcat, a Java servlet container (Spring)"},
	"puma":          {stacks: []ID{Rails}, evidence: "Puma, a Ruby server (Rails)"},
	"passenger":     {stacks: []ID{Rails}, evidence: "Phusion Passenger (Rails)"},
	"webrick":       {stacks: []ID{Rails}, evidence: "WEBrick, a Ruby server (Rails)"},
	"thin":          {stacks: []ID{Rails}, evidence: "Thin, a Ruby server (Rails)"},
	"nginx":         {proxy: true, evidence: "nginx"},
	"apache":        {proxy: true, evidence: "Apache httpd"},
	"openresty":     {proxy: true, evidence: "OpenResty"},
	"caddy":         {proxy: true, evidence: "Caddy"},
	"envoy":         {proxy: true, evidence: "Envoy"},
	"cloudflare":    {proxy: true, evidence: "Cloudflare"},
	"varnish":       {proxy: true, evidence: "Varnish"},
	"traefik":       {proxy: true, evidence: "Traefik"},
	"awselb":        {proxy: true, evidence: "an AWS load balancer"},
	"vercel":        {proxy: true, evidence: "Vercel's edge"},
}

// poweredBy maps an X-Powered-By product (lower case, before "/").
var poweredBy = map[string]signal{
	"express": {stacks: []ID{Express}, evidence: "Express"},
	"next.js": {stacks: []ID{NextJS}, evidence: "Next.js"},
	"asp.net": {stacks: []ID{ASPNETCore}, evidence: "ASP.NET"},
	"php":     {stacks: []ID{PHP}, evidence: "PHP"},
	"servlet": {stacks: []ID{Spring}, evidence: "a Java servlet container (Spring)"},
}

// frameworkCookie says which framework sets a cookie of this name, "" for
// none.
func frameworkCookie(name string) (ID, string) {
	switch {
	case name == "csrftoken" || name == "sessionid":
		return Django, "Django's " + name + " cookie"
	case name == "connect.sid":
		return Express, "express-session's connect.sid cookie"
	case name == "JSESSIONID":
		return Spring, "the Java servlet session cookie JSESSIONID (Spring)"
	case strings.HasPrefix(name, ".AspNetCore."):
		return ASPNETCore, "ASP.NET Core's " + name + " cookie"
	case name == "ASP.NET_SessionId":
		return ASPNETCore, "ASP.NET's session cookie"
	case strings.HasSuffix(name, "next-auth.session-token") || strings.HasSuffix(name, "next-auth.csrf-token") ||
		strings.HasSuffix(name, "authjs.session-token"):
		return NextJS, "Auth.js (NextAuth)'s " + name + " cookie"
	case name == "PHPSESSID" || name == "laravel_session":
		return PHP, "PHP's " + name + " cookie"
	case len(name) > len("__session") && strings.HasPrefix(name, "_") && strings.HasSuffix(name, "_session"):
		return Rails, "a Rails session cookie (" + name + ")"
	}
	return "", ""
}

// headerText is a header for evidence: cleaned, one line (Chromium joins
// a header's repeated values with newlines) and cut short.
func headerText(name, v string) string {
	v = result.CleanLine(strings.TrimSpace(v))
	if r := []rune(v); len(r) > 80 {
		v = string(r[:80]) + "…"
	}
	return name + ": " + v
}

// product is the lower-case first product token of a Server or
// X-Powered-By value ("Werkzeug/2.2.2 Python/3.11" → "werkzeug").
func product(v string) string {
	f := strings.Fields(v)
	if len(f) == 0 {
		return ""
	}
	p, _, _ := strings.Cut(f[0], "/")
	return strings.ToLower(strings.TrimSuffix(p, ","))
}

// signals reads the headers and cookie names, most specific first:
// X-Powered-By, Server, framework-specific headers, framework cookies.
func signals(e Evidence) (named []signal, proxies []string) {
	h := func(n string) string { return e.Headers[n] }
	if v := h("x-powered-by"); v != "" {
		// Several values may be joined ("Next.js, Express").
		for _, part := range strings.Split(v, ",") {
			if s, ok := poweredBy[product(part)]; ok {
				s.evidence = headerText("X-Powered-By", v) + " (" + s.evidence + ")"
				named = append(named, s)
			}
		}
	}
	if v := h("server"); v != "" {
		if s, ok := serverProducts[product(v)]; ok {
			if s.proxy {
				proxies = append(proxies, headerText("Server", v)+" ("+s.evidence+" in front: a proxy names no framework)")
			} else {
				s.evidence = headerText("Server", v) + " (" + s.evidence + ")"
				named = append(named, s)
			}
		}
	}
	if v := h("x-aspnet-version"); v != "" {
		named = append(named, signal{stacks: []ID{ASPNETCore}, evidence: headerText("X-AspNet-Version", v) + " (ASP.NET)"})
	}
	if v := h("x-runtime"); v != "" {
		named = append(named, signal{stacks: []ID{Rails}, evidence: headerText("X-Runtime", v) + " (Rack::Runtime, on by default in Rails)"})
	}
	for name, v := range e.Headers {
		if strings.HasPrefix(name, "x-nextjs-") {
			named = append(named, signal{stacks: []ID{NextJS}, evidence: headerText(name, v) + " (Next.js)"})
			break
		}
	}
	for _, c := range e.Cookies {
		if id, why := frameworkCookie(c); id != "" {
			named = append(named, signal{stacks: []ID{id}, evidence: "the response also sets " + why})
		}
	}
	return named, proxies
}

// Detect guesses the stack of one role from its evidence: a header or a
// framework cookie that names one stack wins (confidence header); a
// family (a Python WSGI server) is narrowed by the Set-Cookie line's
// shape; otherwise a shape that fits one stack's writer and no other's
// names it (confidence shape); anything else is unknown, with what was
// seen. The guess always carries its evidence.
func Detect(role string, e Evidence) result.StackGuess {
	g := result.StackGuess{Role: role, ID: string(Unknown), Name: string(Unknown), Confidence: result.ConfidenceUnknown}
	named, proxies := signals(e)
	var names []string
	var fit []writer
	if e.SetCookie != "" {
		names, fit = shape(e.SetCookie)
	}
	fitStacks := func() []ID {
		var ids []ID
		for _, w := range fit {
			for _, id := range w.stacks {
				if !slices.Contains(ids, id) {
					ids = append(ids, id)
				}
			}
		}
		return ids
	}()
	shapeText := ""
	if e.SetCookie != "" {
		shapeText = "Set-Cookie attributes in order: " + orNone(shown(e.SetCookie))
	}
	writerOf := func(id ID) string {
		for _, w := range fit {
			if slices.Contains(w.stacks, id) {
				return w.name
			}
		}
		return ""
	}

	// A header or cookie that names exactly one stack.
	for _, s := range named {
		if len(s.stacks) != 1 {
			continue
		}
		id := s.stacks[0]
		g.ID, g.Name, g.Confidence = string(id), Name(id), result.ConfidenceHeader
		g.Evidence = append(g.Evidence, s.evidence)
		for _, o := range named {
			switch {
			case len(o.stacks) == 1 && o.stacks[0] != id:
				g.Evidence = append(g.Evidence, o.evidence+" — points elsewhere; the first signal wins")
			case len(o.stacks) > 1 && slices.Contains(o.stacks, id):
				g.Evidence = append(g.Evidence, o.evidence+", which agrees")
			}
		}
		switch {
		case shapeText == "":
		case writerOf(id) != "":
			g.Evidence = append(g.Evidence, shapeText+": the order "+writerOf(id)+" writes, which agrees")
		case len(fitStacks) > 0:
			g.Evidence = append(g.Evidence, shapeText+": the shape of "+stackNames(fitStacks)+" instead (a proxy or another library may write the cookie)")
		default:
			g.Evidence = append(g.Evidence, shapeText)
		}
		g.Evidence = append(g.Evidence, proxies...)
		return g
	}

	// A family narrowed by the shape, or the shape alone.
	candidates := fitStacks
	var family []string
	for _, s := range named {
		family = append(family, s.evidence)
		candidates = intersect(candidates, s.stacks)
	}
	if len(candidates) == 1 && writerOf(candidates[0]) != "" {
		id := candidates[0]
		g.ID, g.Name, g.Confidence = string(id), Name(id), result.ConfidenceShape
		g.Evidence = append(g.Evidence, shapeText+": the order and case "+writerOf(id)+" writes, and no other known writer's (a guess from the shape: a library mfconform does not know could write the same)")
		g.Evidence = append(g.Evidence, family...)
		g.Evidence = append(g.Evidence, proxies...)
		return g
	}

	// Unknown: say what was seen.
	g.Evidence = append(g.Evidence, family...)
	switch {
	case shapeText == "":
		if role == RoleBackend {
			g.Evidence = append(g.Evidence, "no mf_jwt_token Set-Cookie line to read a shape from")
		}
	case len(names) < minShapeAttrs:
		g.Evidence = append(g.Evidence, shapeText+": too few attributes to tell a writer by their order")
	case len(fitStacks) > 1:
		g.Evidence = append(g.Evidence, shapeText+": fits "+stackNames(fitStacks)+" alike")
	default:
		g.Evidence = append(g.Evidence, shapeText+": no writer mfconform knows writes this order")
	}
	g.Evidence = append(g.Evidence, proxies...)
	if len(named) == 0 && len(proxies) == 0 {
		g.Evidence = append(g.Evidence, "no Server, X-Powered-By or framework cookie names the software")
	}
	return g
}

// shown lists a line's attributes for evidence: names as written, with
// SameSite's value; never the cookie's value, a date or a domain.
func shown(line string) []string {
	names, sameSite, _ := attrs(line)
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n
		if strings.EqualFold(n, "samesite") && sameSite != "" {
			out[i] = n + "=" + result.CleanLine(sameSite)
		}
	}
	return out
}

func intersect(a, b []ID) []ID {
	var out []ID
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func stackNames(ids []ID) string {
	var out []string
	for _, id := range ids {
		out = append(out, Name(id))
	}
	return strings.Join(out, ", ")
}

func orNone(xs []string) string {
	if len(xs) == 0 {
		return "(none)"
	}
	return strings.Join(xs, ", ")
}

// String renders a guess on one line: "Flask (Werkzeug), by header:
// Server: Werkzeug/2.2.2 Python/3.11".
func String(g result.StackGuess) string {
	return fmt.Sprintf("%s (%s): %s", g.Name, g.Confidence, strings.Join(g.Evidence, "; "))
}

// Telling reports whether a response header (lower-case name) can tell
// the software that answered: the headers Detect reads.
func Telling(name string) bool {
	switch name {
	case "server", "x-powered-by", "x-aspnet-version", "x-runtime":
		return true
	}
	return strings.HasPrefix(name, "x-nextjs-")
}
