// Package stack recognises the software stack that answered — the
// customer's backend from its login response, the app from its answers to
// the probes — and holds the fix table: every cookie, token and verifier
// diagnostic's fix in each recognised stack's own idiom. Detection is a
// pure function of evidence already gathered (response headers, the names
// of the cookies set, the Set-Cookie line's attribute order and case); it
// always says what it rests on and how sure it is, and "unknown" is an
// answer.
package stack

// ID names a stack mfconform recognises.
type ID string

// The recognised stacks. Unknown is the answer when nothing names one.
const (
	Unknown    ID = "unknown"
	Flask      ID = "flask"
	Django     ID = "django"
	FastAPI    ID = "fastapi"
	Express    ID = "express"
	NextJS     ID = "nextjs"
	GoNetHTTP  ID = "go"
	Spring     ID = "spring"
	ASPNETCore ID = "aspnetcore"
	Rails      ID = "rails"
	PHP        ID = "php"
)

// Stack describes one recognised stack: its name, the library that writes
// its Set-Cookie lines (with the version whose output was read or run to
// learn the shape), and the JWT library its fixes use.
type Stack struct {
	ID   ID
	Name string
	// Language the fixes are written in ("Python", "JavaScript", …).
	Language string
	// CookieWriter is the function that renders Set-Cookie, and where its
	// attribute order was verified.
	CookieWriter string
	// JWTLibrary is the library the token fixes use.
	JWTLibrary string
	// Tells is what would confirm the stack when the clues leave it one
	// candidate among several (Detect's Decide).
	Tells string
	// Runnable marks stacks whose snippets the tests run against the
	// reference verifier.
	Runnable bool
}

// stacks is every recognised stack, in the order explain lists them.
var stacks = []Stack{
	{ID: Flask, Name: "Flask (Werkzeug)", Language: "Python", Tells: "Server: Werkzeug, or gunicorn with Werkzeug's attribute order", Runnable: true,
		CookieWriter: "werkzeug.http.dump_cookie via Response.set_cookie: run with Debian's python3-flask 2.2.2 / Werkzeug 2.2.2; Werkzeug 3.1 source read (same order, Partitioned appended, leading dot dropped since 2.3)",
		JWTLibrary:   "PyJWT (run with Debian's python3-jwt 2.6)"},
	{ID: Django, Name: "Django", Language: "Python", Tells: "a csrftoken or sessionid cookie", Runnable: true,
		CookieWriter: "HttpResponse.set_cookie → http.cookies.Morsel.OutputString (attributes sorted by name): run with Debian's python3-django 3.2",
		JWTLibrary:   "PyJWT"},
	{ID: FastAPI, Name: "FastAPI (Starlette)", Language: "Python", Tells: "Server: uvicorn with Starlette's lower-case samesite", Runnable: true,
		CookieWriter: "starlette.responses.Response.set_cookie → http.cookies (attributes sorted by name): run with Debian's python3-starlette 0.26",
		JWTLibrary:   "PyJWT"},
	{ID: Express, Name: "Express", Language: "JavaScript", Tells: "X-Powered-By: Express, a connect.sid cookie, Node's Keep-Alive: timeout=5, or a token whose iat and exp follow its claims (jsonwebtoken)", Runnable: true,
		CookieWriter: "res.cookie → cookie.serialize: run with express 5.3.0 / cookie 0.7.2 (package-lock.json)",
		JWTLibrary:   "jsonwebtoken 9 (run, package-lock.json)"},
	{ID: NextJS, Name: "Next.js (route handler)", Language: "JavaScript", Tells: "X-Powered-By: Next.js or an x-nextjs-* header", Runnable: true,
		CookieWriter: "ResponseCookies.set → @edge-runtime/cookies stringifyCookie, which Next.js vendors: run with @edge-runtime/cookies 6.0.0 (package-lock.json)",
		JWTLibrary:   "jsonwebtoken 9 (Node.js runtime)"},
	{ID: GoNetHTTP, Name: "Go net/http", Language: "Go", Tells: "nothing net/http sends by default tells it", Runnable: true,
		CookieWriter: "http.Cookie.String (Go 1.26 net/http/cookie.go: leading dot of Domain dropped)",
		JWTLibrary:   "github.com/golang-jwt/jwt/v5 (run, go.mod)"},
	{ID: Spring, Name: "Spring (ResponseCookie)", Language: "Java", Tells: "a JSESSIONID cookie or a servlet container's Server header",
		CookieWriter: "org.springframework.http.ResponseCookie.toString (spring-framework source read)",
		JWTLibrary:   "jjwt 0.12"},
	{ID: ASPNETCore, Name: "ASP.NET Core", Language: "C#", Tells: "Server: Kestrel or an .AspNetCore.* cookie",
		CookieWriter: "Microsoft.Net.Http.Headers.SetCookieHeaderValue (aspnetcore source read: lower-case attribute names)",
		JWTLibrary:   "System.IdentityModel.Tokens.Jwt"},
	{ID: Rails, Name: "Ruby on Rails (Rack)", Language: "Ruby", Tells: "X-Runtime or a _<app>_session cookie",
		CookieWriter: "Rack::Utils.set_cookie_header (rack 3.1 source read: lower-case names; rack 2.2: HttpOnly, SameSite=None)",
		JWTLibrary:   "ruby-jwt"},
	{ID: PHP, Name: "PHP", Language: "PHP", Tells: "X-Powered-By: PHP, or a PHPSESSID or laravel_session cookie",
		CookieWriter: "recognised from X-Powered-By and PHPSESSID only; no fixes in its idiom yet",
		JWTLibrary:   ""},
}

// IDs are the IDs of every recognised stack, the values an operator may
// name (Flag).
func IDs() []string {
	out := make([]string, len(stacks))
	for i, s := range stacks {
		out[i] = string(s.ID)
	}
	return out
}

// All returns every recognised stack.
func All() []Stack { return append([]Stack(nil), stacks...) }

// Lookup returns the stack with id.
func Lookup(id ID) (Stack, bool) {
	for _, s := range stacks {
		if s.ID == id {
			return s, true
		}
	}
	return Stack{}, false
}

// Name returns id's display name, "unknown" for an unknown id.
func Name(id ID) string {
	if s, ok := Lookup(id); ok {
		return s.Name
	}
	return string(Unknown)
}
