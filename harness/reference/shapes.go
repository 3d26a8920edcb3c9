package reference

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// StackShape makes a reference server answer as a given framework does:
// the headers it adds, the other cookies it sets, and the order and case
// in which its library writes mf_jwt_token's Set-Cookie line. The zero
// value is the reference's own shape, which no framework writes.
type StackShape struct {
	// Stack is the suites/stack ID of the framework imitated ("flask", …,
	// "unknown" for one mfconform does not know), "" for the reference's
	// own shape: the truth a fixture's stack guesses are held to.
	Stack string
	// Headers are added to every response (e.g. Server, X-Powered-By).
	Headers map[string]string
	// Cookies are further Set-Cookie lines of the login response, such as
	// a framework's CSRF or session cookie.
	Cookies []string
	// Writer names the Set-Cookie writer to imitate (one of the Writer*
	// constants); "" is the reference's own order.
	Writer string
	// Token names the JWT library whose claim order the token imitates
	// (one of the Token* constants); "" is the reference's own
	// (golang-jwt's MapClaims: keys sorted).
	Token string
}

// JWT libraries whose claim order the reference can imitate. Each was
// read from the library's source and is checked against the library
// itself (suites/stack TestRealWritersMatchTheFixtures).
const (
	// TokenPyJWT is PyJWT's jwt.encode: the payload's keys in the order
	// the code wrote them, nothing added (jwt/api_jwt.py encode; the
	// header's keys sorted, jwt/api_jws.py: sort_keys=True).
	TokenPyJWT = "pyjwt"
	// TokenJSONWebToken is jsonwebtoken's sign: the payload's keys, then
	// iat (unless noTimestamp), then exp from expiresIn
	// (node_modules/jsonwebtoken/sign.js).
	TokenJSONWebToken = "jsonwebtoken"
)

// Set-Cookie writers the reference can imitate. Each imitates the
// attribute order, the spelling of the names and the case of the
// SameSite value of one library (read from its source or its output; the
// judging side, suites/stack, holds the same facts and its tests run the
// real libraries).
const (
	WriterWerkzeug  = "werkzeug"  // werkzeug.http.dump_cookie ≥ 2.3 (Flask)
	WriterDjango    = "django"    // http.cookies via Django's set_cookie
	WriterStarlette = "starlette" // http.cookies via Starlette's set_cookie, lower-case samesite
	WriterExpress   = "express"   // cookie.serialize (Express res.cookie)
	WriterNext      = "next"      // @edge-runtime/cookies (Next.js)
	WriterGo        = "go"        // net/http Cookie.String
	WriterSpring    = "spring"    // Spring ResponseCookie.toString
	WriterASPNET    = "aspnet"    // ASP.NET Core SetCookieHeaderValue
	WriterRack      = "rack"      // Rack 3 set_cookie_header (Rails)
	// WriterByHand is a Set-Cookie header written by hand (a raw
	// header() call, a proxy's add_header) in an order no library uses.
	WriterByHand = "by-hand"
)

// cookieWriter is one library's way of writing Set-Cookie.
type cookieWriter struct {
	// order lists the attribute keys domain, path, expires, maxage,
	// secure, httponly, samesite, partitioned in the library's order.
	order []string
	// names spells a key; absent keys use the standard spelling.
	names map[string]string
	// sameSite is "title", "lower" or "" (as configured).
	sameSite string
	// dropDot drops a leading dot from Domain.
	dropDot bool
}

// standardNames spell the attributes as RFC 6265 does.
var standardNames = map[string]string{
	"domain": "Domain", "path": "Path", "expires": "Expires", "maxage": "Max-Age",
	"secure": "Secure", "httponly": "HttpOnly", "samesite": "SameSite", "partitioned": "Partitioned",
}

// lowerNames spell every attribute in lower case.
var lowerNames = map[string]string{
	"domain": "domain", "path": "path", "expires": "expires", "maxage": "max-age",
	"secure": "secure", "httponly": "httponly", "samesite": "samesite", "partitioned": "partitioned",
}

var cookieWriters = map[string]cookieWriter{
	WriterWerkzeug:  {order: []string{"domain", "expires", "maxage", "secure", "httponly", "path", "samesite", "partitioned"}, sameSite: "title", dropDot: true},
	WriterDjango:    {order: []string{"domain", "expires", "httponly", "maxage", "partitioned", "path", "samesite", "secure"}, names: map[string]string{"expires": "expires"}},
	WriterStarlette: {order: []string{"domain", "expires", "httponly", "maxage", "partitioned", "path", "samesite", "secure"}, names: map[string]string{"expires": "expires"}, sameSite: "lower"},
	WriterExpress:   {order: []string{"maxage", "domain", "path", "expires", "httponly", "secure", "partitioned", "samesite"}, sameSite: "title"},
	WriterNext:      {order: []string{"path", "expires", "maxage", "domain", "secure", "httponly", "samesite", "partitioned"}, sameSite: "lower"},
	WriterGo:        {order: []string{"path", "domain", "expires", "maxage", "httponly", "secure", "samesite", "partitioned"}, sameSite: "title", dropDot: true},
	WriterSpring:    {order: []string{"path", "domain", "maxage", "expires", "secure", "httponly", "samesite", "partitioned"}},
	WriterASPNET:    {order: []string{"expires", "maxage", "domain", "path", "secure", "samesite", "httponly", "partitioned"}, names: lowerNames, sameSite: "lower"},
	WriterRack:      {order: []string{"domain", "path", "maxage", "expires", "secure", "httponly", "samesite", "partitioned"}, names: lowerNames, sameSite: "lower"},
	WriterByHand:    {order: []string{"samesite", "secure", "httponly", "path", "domain", "maxage", "expires", "partitioned"}},
}

// writeAs renders the Set-Cookie value for the token as c describes it, in
// writer w's shape; an unknown writer is an error the profile tests catch.
func writeAs(w cookieWriter, c CookieProfile, value string, now time.Time) string {
	attr := map[string]string{}
	flag := map[string]bool{}
	if c.Domain != "" {
		d := c.Domain
		if w.dropDot {
			d = strings.TrimPrefix(d, ".")
		}
		attr["domain"] = d
	}
	if c.Path != "" {
		attr["path"] = c.Path
	}
	if c.ExpiresIn != 0 {
		attr["expires"] = now.Add(c.ExpiresIn).UTC().Format(http.TimeFormat)
	}
	if c.MaxAge != nil {
		attr["maxage"] = strconv.Itoa(*c.MaxAge)
	}
	if c.SameSite != "" {
		switch w.sameSite {
		case "title":
			attr["samesite"] = strings.ToUpper(c.SameSite[:1]) + strings.ToLower(c.SameSite[1:])
		case "lower":
			attr["samesite"] = strings.ToLower(c.SameSite)
		default:
			attr["samesite"] = c.SameSite
		}
	}
	flag["secure"], flag["httponly"], flag["partitioned"] = c.Secure, c.HttpOnly, c.Partitioned
	var b strings.Builder
	b.WriteString(c.Name + "=" + value)
	for _, k := range w.order {
		name := standardNames[k]
		if n, ok := w.names[k]; ok {
			name = n
		}
		if v, ok := attr[k]; ok {
			b.WriteString("; " + name + "=" + v)
		}
		if flag[k] {
			b.WriteString("; " + name)
		}
	}
	return b.String()
}

// KnownWriter reports whether name is a writer the reference imitates.
func KnownWriter(name string) bool {
	_, ok := cookieWriters[name]
	return name == "" || ok
}

// Shapes are the stack shapes the fixtures use, by stack: the headers and
// cookies each framework adds by default, and its writer.
var Shapes = map[string]StackShape{
	"flask":      {Stack: "flask", Writer: WriterWerkzeug, Token: TokenPyJWT, Headers: map[string]string{"Server": "Werkzeug/3.1.3 Python/3.12.4"}},
	"django":     {Stack: "django", Writer: WriterDjango, Token: TokenPyJWT, Headers: map[string]string{"Server": "gunicorn"}, Cookies: []string{"csrftoken=Mfc0nformCsrfT0ken0123456789abcdef; Path=/; SameSite=Lax"}},
	"fastapi":    {Stack: "fastapi", Writer: WriterStarlette, Token: TokenPyJWT, Headers: map[string]string{"Server": "uvicorn"}},
	"express":    {Stack: "express", Writer: WriterExpress, Token: TokenJSONWebToken, Headers: map[string]string{"X-Powered-By": "Express"}},
	"nextjs":     {Stack: "nextjs", Writer: WriterNext, Token: TokenJSONWebToken, Headers: map[string]string{"X-Powered-By": "Next.js"}},
	"go":         {Stack: "go", Writer: WriterGo},
	"spring":     {Stack: "spring", Writer: WriterSpring, Cookies: []string{"JSESSIONID=0123456789ABCDEF0123456789ABCDEF; Path=/; Secure; HttpOnly"}},
	"aspnetcore": {Stack: "aspnetcore", Writer: WriterASPNET, Headers: map[string]string{"Server": "Kestrel"}},
	"rails":      {Stack: "rails", Writer: WriterRack, Headers: map[string]string{"X-Runtime": "0.012345"}, Cookies: []string{"_acme_session=bWZjb25mb3Jt--0123456789abcdef; path=/; secure; httponly; samesite=lax"}},
	// Behind nginx, written by hand: nothing names it.
	"unknown": {Stack: "unknown", Writer: WriterByHand, Headers: map[string]string{"Server": "nginx/1.27.0"}},
}

// SetCookieLine is the mf_jwt_token Set-Cookie value the backend of p
// writes for value at time now, in its stack shape's writer.
func SetCookieLine(p Profile, value string, now time.Time) string {
	return cookieHeaderAs(p.Backend.Writer, p.Cookie, value, now)
}

// BackendToken is the token the backend of p signs with key at time now,
// in its stack shape's claim order (before any Token.Mangle).
func BackendToken(p Profile, key []byte, now time.Time) (string, error) {
	return buildTokenAs(p.Backend.Token, p.Token, p.Cookie, key, now)
}
