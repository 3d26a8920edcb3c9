package stack

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/mfconform/mfconform/suites/result"
)

// kind is a kind of clue about the software that answered.
type kind string

// The kinds of clue Detect reads.
const (
	// kindNames: a header or a framework's own cookie that names one
	// framework (X-Powered-By: Express, Server: Werkzeug, csrftoken).
	kindNames kind = "names"
	// kindFamily: a server or runtime that several stacks run on
	// (gunicorn, uvicorn, Node's Keep-Alive default), or a default only
	// one stack of a family writes (Express's weak ETag).
	kindFamily kind = "family"
	// kindToken: the token's claims in the order one JWT library writes
	// them by default (jsonwebtoken's iat, then exp, after the claims).
	kindToken kind = "token"
	// kindShape: the Set-Cookie line's attribute order and case fit the
	// stack's cookie writer, and no order that is no one library's.
	kindShape kind = "shape"
	// kindShapeAsGiven: the same, where the writer writes the SameSite
	// value as the code gave it and another fitting writer's own
	// convention matches it.
	kindShapeAsGiven kind = "shape, SameSite as given"
)

// scoring is the scoring table: one row per kind of clue, with its
// weight. A stack's score is the sum of its clues' weights; one stack
// clearly wins when its score is at least clearScore and at least
// clearMargin above the next stack's. So a naming header wins alone, two
// independent weaker clues (a family and the shape, the token and the
// shape) win together, and the shape alone never does: a library
// mfconform does not know may write the same order.
var scoring = []struct {
	Kind   kind
	Weight int
	What   string
}{
	{kindNames, 10, "a header or a framework's own cookie names the framework"},
	{kindFamily, 4, "a server, runtime or default that a family of stacks shares"},
	{kindToken, 4, "the token's claims in the order one JWT library writes them by default"},
	{kindShape, 4, "the Set-Cookie line in the order and case of the stack's cookie writer (and of no generic order)"},
	{kindShapeAsGiven, 2, "the same, from a writer that writes SameSite as given while another writer's convention matches"},
}

// clearScore and clearMargin decide whether one stack clearly wins.
const (
	clearScore  = 8
	clearMargin = 4
)

// weight returns a kind's weight from the scoring table.
func weight(k kind) int {
	for _, r := range scoring {
		if r.Kind == k {
			return r.Weight
		}
	}
	return 0
}

// clue is one thing the answers show that points at some stacks.
type clue struct {
	kind     kind
	stacks   []ID
	evidence string
}

// signal is one header product or cookie that points at stacks.
type signal struct {
	stacks   []ID // one: names it; several: a family
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

// frameworkCookie says which framework sets a cookie of this name by
// default, "" for none.
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

// nodeKeepAlive is the Keep-Alive header Node's http server adds to a
// keep-alive answer with its default keepAliveTimeout of 5 s (run:
// TestRealWritersMatchTheFixtures records it from Express).
var nodeKeepAlive = regexp.MustCompile(`^\s*timeout=5\s*$`)

// expressETag is the weak ETag Express computes by default for a body it
// sends (the etag package: W/"<length in hex>-<27 characters of the
// body's base64 SHA-1>", node_modules/etag/index.js).
var expressETag = regexp.MustCompile(`^W/"[0-9a-f]+-[A-Za-z0-9+/]{27}"$`)

// headerClues reads the headers and cookie names: X-Powered-By, Server,
// framework-specific headers, Node's Keep-Alive, Express's ETag, then
// framework cookies. Proxies are returned apart: they name no framework.
func headerClues(e Evidence) (clues []clue, proxies []string) {
	h := func(n string) string { return e.Headers[n] }
	add := func(s signal, text string) {
		k := kindNames
		if len(s.stacks) > 1 {
			k = kindFamily
		}
		clues = append(clues, clue{kind: k, stacks: s.stacks, evidence: text})
	}
	if v := h("x-powered-by"); v != "" {
		// Several values may be joined ("Next.js, Express").
		for _, part := range strings.Split(v, ",") {
			if s, ok := poweredBy[product(part)]; ok {
				add(s, headerText("X-Powered-By", v)+" ("+s.evidence+")")
			}
		}
	}
	if v := h("server"); v != "" {
		if s, ok := serverProducts[product(v)]; ok {
			if s.proxy {
				proxies = append(proxies, headerText("Server", v)+" ("+s.evidence+" in front: a proxy names no framework)")
			} else {
				add(s, headerText("Server", v)+" ("+s.evidence+")")
			}
		}
	}
	if v := h("x-aspnet-version"); v != "" {
		add(signal{stacks: []ID{ASPNETCore}}, headerText("X-AspNet-Version", v)+" (ASP.NET)")
	}
	if v := h("x-runtime"); v != "" {
		add(signal{stacks: []ID{Rails}}, headerText("X-Runtime", v)+" (Rack::Runtime, on by default in Rails)")
	}
	names := make([]string, 0, len(e.Headers))
	for name := range e.Headers {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if strings.HasPrefix(name, "x-nextjs-") {
			add(signal{stacks: []ID{NextJS}}, headerText(name, e.Headers[name])+" (Next.js)")
			break
		}
	}
	if v := h("keep-alive"); nodeKeepAlive.MatchString(v) {
		clues = append(clues, clue{kind: kindFamily, stacks: []ID{Express, NextJS},
			evidence: headerText("Keep-Alive", v) + " (Node's http server default: Express or Next.js, or another Node framework)"})
	}
	if v := h("etag"); expressETag.MatchString(v) {
		clues = append(clues, clue{kind: kindFamily, stacks: []ID{Express},
			evidence: "ETag W/\"<length>-<hash>\" (the etag package's weak tag, Express's default)"})
	}
	for _, c := range e.Cookies {
		if id, why := frameworkCookie(c); id != "" {
			add(signal{stacks: []ID{id}}, "the response also sets "+why)
		}
	}
	return clues, proxies
}

// maxTokenJSON bounds the token segments tokenClues decodes.
const maxTokenJSON = 8 << 10

// tokenClaimNames returns the payload's claim names in the order the
// token writes them, and false when the value is not a readable JWS. Only
// names are read; no value leaves this function.
func tokenClaimNames(value string) ([]string, bool) {
	parts := strings.Split(strings.Trim(value, `"`), ".")
	if len(parts) != 3 || len(parts[1]) > maxTokenJSON {
		return nil, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, false
	}
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, false
	}
	var names []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, false
		}
		k, _ := t.(string)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, false
		}
		names = append(names, k)
	}
	return names, true
}

// jsonwebtokenTail are the claims jsonwebtoken's sign() adds after the
// payload it is given: iat (unless noTimestamp), then nbf, exp
// (expiresIn) and aud, iss, sub, jti from the options
// (node_modules/jsonwebtoken/sign.js: payload = Object.assign({},
// payload); payload.iat = timestamp; … payload.exp = timespan(…)).
var jsonwebtokenTail = []string{"nbf", "exp", "aud", "iss", "sub", "jti"}

// tokenClues reads the token in the Set-Cookie line: claims that end in
// iat then exp, after the application's own, are what jsonwebtoken's
// sign() writes by default. PyJWT (jwt/api_jwt.py) and golang-jwt (a
// MapClaims is marshalled with sorted keys) add no claim, and a payload
// written in the order jsonwebtoken writes it by hand is possible, so it
// is a family clue, not a name.
func tokenClues(line string) []clue {
	first, _, _ := strings.Cut(line, ";")
	_, value, ok := strings.Cut(first, "=")
	if !ok {
		return nil
	}
	names, ok := tokenClaimNames(strings.TrimSpace(value))
	if !ok {
		return nil
	}
	iat := slices.Index(names, "iat")
	exp := slices.Index(names, "exp")
	if iat < 1 || exp < iat {
		return nil
	}
	for _, n := range names[iat+1:] {
		if !slices.Contains(jsonwebtokenTail, n) {
			return nil
		}
	}
	return []clue{{kind: kindToken, stacks: []ID{Express, NextJS},
		evidence: fmt.Sprintf("the token's claims in order %s: iat then exp after the application's claims, as jsonwebtoken's sign() adds them (Node: Express or Next.js)", strings.Join(names, ", "))}}
}

// shapeClues reads the Set-Cookie line's attribute order and case (note
// says what was read, and why it scores nothing when it does not): each
// stack whose writer fits scores, unless an order that is no library's
// (the usual hand-written one, mfconform's reference writer) fits too.
// With a SameSite value, a writer whose fixed convention matches it
// scores more than one that writes the value as given.
func shapeClues(line string) (clues []clue, fitStacks []ID, note string) {
	names, sameSite, dotted := attrs(line)
	text := "Set-Cookie attributes in order: " + orNone(shown(line))
	if len(names) < minShapeAttrs {
		return nil, nil, text + ": too few attributes to tell a writer by their order"
	}
	var fit []writer
	generic := false
	for _, w := range writers {
		if w.fits(names, sameSite, dotted) {
			if w.generic {
				generic = true
				continue
			}
			fit = append(fit, w)
		}
	}
	for _, w := range fit {
		for _, id := range w.stacks {
			if !slices.Contains(fitStacks, id) {
				fitStacks = append(fitStacks, id)
			}
		}
	}
	switch {
	case len(fit) == 0 && generic:
		return nil, nil, text + ": the usual hand-written order (mfconform's reference writes it too), which no library mfconform knows is told by"
	case len(fit) == 0:
		return nil, nil, text + ": no writer mfconform knows writes this order"
	case generic:
		return nil, fitStacks, text + ": the usual hand-written order (mfconform's reference writes it too), which " + stackNames(fitStacks) + " can write as well, so the order tells nothing"
	}
	fixedFits := false
	for _, w := range fit {
		fixedFits = fixedFits || w.sameSite != ""
	}
	for _, w := range fit {
		k := kindShape
		if sameSite != "" && w.sameSite == "" && fixedFits {
			k = kindShapeAsGiven
		}
		alike := ""
		if len(fitStacks) > 1 {
			alike = " (it fits " + stackNames(fitStacks) + ")"
		}
		clues = append(clues, clue{kind: k, stacks: w.stacks, evidence: "the Set-Cookie line's order and case are " + w.name + "'s" + alike})
	}
	return clues, fitStacks, text
}
