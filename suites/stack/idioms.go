package stack

// idiom is how one stack spells the pieces every fix is made of. Each
// snippet is our own words for the framework's documented API, checked
// against the library where mfconform can run it (Stack.Runnable: the
// tests run SetCookie, Delete, Encode and Verify against the reference
// verifier). Snippets are text/template texts over Vars.
type idiom struct {
	// SetCookie sets mf_jwt_token right: Domain, Path=/, Secure,
	// HttpOnly, SameSite=None. In scope: the response, and token.
	SetCookie string
	// Delete expires a stale mf_jwt_token with the Domain and Path it was
	// set with (Vars.StaleDomain "" for a host-only cookie).
	Delete string
	// Encode signs the token: HS256 with AUTH_SECRET_KEY, user_id a
	// string, exp one hour ahead in UTC seconds. In scope: user.
	Encode string
	// Verify is the app side: HS256 only, exp and user_id required, a
	// leeway of seconds; anything else is a 401. In scope: token.
	Verify string
	// Attr spells each cookie attribute in a call: "domain", "path",
	// "secure", "httponly", "samesite", "maxage", "partitioned".
	Attr map[string]string
	// Notes add what trips this stack up, per code.
	Notes map[string]string
	// Lines are one-line forms of the snippets ("set_cookie", "encode",
	// "verify", "delete") whose first line is not the call that matters
	// (an import, a declaration); the others' first line is used.
	Lines map[string]string
}

// Keys of idiom.Notes that apply to several codes.
const (
	noteDomain   = "domain"
	noteSameSite = "samesite"
	noteMaxAge   = "maxage"
	noteExp      = "exp"
	noteKey      = "key"
	noteValue    = "value"
	noteVerify   = "verify"
	noteResponse = "response"
)

// pyJWTEncode is PyJWT's encode (Flask, Django, FastAPI): PyJWT turns an
// aware datetime into integer seconds itself.
const pyJWTEncode = `from datetime import datetime, timedelta, timezone
token = jwt.encode({"user_id": str(user.id), "exp": datetime.now(timezone.utc) + timedelta(hours=1)}, os.environ["AUTH_SECRET_KEY"], algorithm="HS256")`

// pyLines are the one-line forms every Python stack shares.
var pyLines = map[string]string{
	"encode": `token = jwt.encode({"user_id": str(user.id), "exp": datetime.now(timezone.utc) + timedelta(hours=1)}, os.environ["AUTH_SECRET_KEY"], algorithm="HS256")`,
	"verify": pyJWTDecode,
}

// jsLines are the one-line forms Express and Next.js share.
var jsLines = map[string]string{
	"encode": `const token = jwt.sign({ user_id: String(user.id) }, process.env.AUTH_SECRET_KEY, { algorithm: 'HS256', expiresIn: 3600 });`,
	"verify": `claims = jwt.verify(token, process.env.AUTH_SECRET_KEY, { algorithms: ['HS256'], clockTolerance: 5 }); // then require exp and a string user_id`,
}

// pyJWTDecode is PyJWT's decode call that every Python verifier uses.
const pyJWTDecode = `claims = jwt.decode(token, os.environ["AUTH_SECRET_KEY"], algorithms=["HS256"], options={"require": ["exp", "user_id"]}, leeway=5)`

// pyNotes are the notes every Python stack shares.
var pyNotes = map[string]string{
	noteExp: "Never call .timestamp() on datetime.utcnow(): the naive value is read as local time, off by the server's UTC offset. " +
		"PyJWT accepts the aware datetime (or int(time.time()) + 3600) and writes integer seconds.",
	noteValue:  "PyJWT ≥ 2 returns a str; PyJWT 1.x returned bytes, which must be .decode()d before it goes into the cookie (else the value reads b'eyJ…').",
	noteVerify: "Always pass algorithms=[\"HS256\"] (never the token's own header alg) and never options={\"verify_signature\": False} or {\"verify_exp\": False}; catch jwt.InvalidTokenError (DecodeError is one) and answer 401.",
}

// jsonwebtokenEncode is jsonwebtoken's sign (Express, Next.js).
const jsonwebtokenEncode = `const jwt = require('jsonwebtoken');
const token = jwt.sign({ user_id: String(user.id) }, process.env.AUTH_SECRET_KEY, { algorithm: 'HS256', expiresIn: 3600 });`

// jsonwebtokenVerify is jsonwebtoken's verify; reject is the stack's 401.
func jsonwebtokenVerify(reject string) string {
	return `let claims;
try {
  claims = jwt.verify(token, process.env.AUTH_SECRET_KEY, { algorithms: ['HS256'], clockTolerance: 5 });
} catch (err) {
  ` + reject + `
}
if (typeof claims.exp !== 'number' || typeof claims.user_id !== 'string' || claims.user_id === '') {
  ` + reject + `
}`
}

// jsNotes are the notes Express and Next.js share.
var jsNotes = map[string]string{
	noteExp: "jsonwebtoken's expiresIn is seconds when it is a number (3600) and a duration when it is a string with a unit ('1h'); " +
		"a string of digits ('3600') is milliseconds. If you write exp yourself, it is Math.floor(Date.now() / 1000) + 3600: Date.now() is milliseconds.",
	noteVerify: "Pass algorithms: ['HS256'] always; jsonwebtoken does not require exp by itself, so check it (and user_id) after verify.",
}

// idioms is every stack's idiom. PHP has none yet: its fixes are the
// generic ones.
var idioms = map[ID]idiom{
	Flask: {
		SetCookie: `response.set_cookie("mf_jwt_token", token, domain="{{.Domain}}", path="/", secure=True, httponly=True, samesite="None")`,
		Delete:    `response.delete_cookie("mf_jwt_token", path="{{.StalePath}}"{{if .StaleDomain}}, domain="{{.StaleDomain}}"{{end}}, secure=True, httponly=True, samesite="None")`,
		Encode:    pyJWTEncode,
		Verify: `try:
    ` + pyJWTDecode + `
except jwt.InvalidTokenError:
    abort(401)`,
		Attr: map[string]string{"domain": `domain="{{.Domain}}"`, "path": `path="/"`, "secure": "secure=True", "httponly": "httponly=True",
			"samesite": `samesite="None"`, "maxage": "max_age=3600 (seconds)", "partitioned": "partitioned=True"},
		Lines: pyLines,
		Notes: merge(pyNotes, map[string]string{
			noteDomain: "Werkzeug ≥ 2.3 drops a leading dot (Domain=acme.test is the same cookie to browsers) and accepts a name without a dot; " +
				"Werkzeug ≤ 2.2 keeps the dot and refuses a domain without one, such as localhost. Flask's SESSION_COOKIE_DOMAIN covers only Flask's own session cookie.",
			noteSameSite: `samesite=None (Python's None) leaves the attribute out, which browsers treat as Lax: pass the string "None".`,
			noteMaxAge:   "max_age is seconds; expires takes a datetime (an aware one) or epoch seconds.",
		}),
	},
	Django: {
		SetCookie: `response.set_cookie("mf_jwt_token", token, domain="{{.Domain}}", path="/", secure=True, httponly=True, samesite="None")`,
		Delete:    `response.delete_cookie("mf_jwt_token", path="{{.StalePath}}"{{if .StaleDomain}}, domain="{{.StaleDomain}}"{{end}}, samesite="None")`,
		Encode:    pyJWTEncode,
		Verify: `try:
    ` + pyJWTDecode + `
except jwt.InvalidTokenError:
    return HttpResponse(status=401)`,
		Attr: map[string]string{"domain": `domain="{{.Domain}}"`, "path": `path="/"`, "secure": "secure=True", "httponly": "httponly=True",
			"samesite": `samesite="None"`, "maxage": "max_age=3600 (seconds)", "partitioned": "the Partitioned attribute"},
		Lines: pyLines,
		Notes: merge(pyNotes, map[string]string{
			noteDomain:   "SESSION_COOKIE_DOMAIN and CSRF_COOKIE_DOMAIN apply to Django's own cookies only: pass domain= in this set_cookie call.",
			noteSameSite: `samesite=None (Python's None, the default) leaves the attribute out, which browsers treat as Lax: pass the string "None".`,
			noteMaxAge:   "max_age is seconds (Django also writes a matching expires).",
		}),
	},
	FastAPI: {
		SetCookie: `response.set_cookie("mf_jwt_token", token, domain="{{.Domain}}", path="/", secure=True, httponly=True, samesite="none")`,
		Delete:    `response.delete_cookie("mf_jwt_token", path="{{.StalePath}}"{{if .StaleDomain}}, domain="{{.StaleDomain}}"{{end}}, secure=True, httponly=True, samesite="none")`,
		Encode:    pyJWTEncode,
		Verify: `try:
    ` + pyJWTDecode + `
except jwt.InvalidTokenError:
    raise HTTPException(status_code=401)`,
		Attr: map[string]string{"domain": `domain="{{.Domain}}"`, "path": `path="/"`, "secure": "secure=True", "httponly": "httponly=True",
			"samesite": `samesite="none"`, "maxage": "max_age=3600 (seconds)", "partitioned": "the Partitioned attribute"},
		Lines: pyLines,
		Notes: merge(pyNotes, map[string]string{
			noteSameSite: `Starlette's default is samesite="lax": pass samesite="none" (lower case, as Starlette validates it).`,
			noteResponse: "Set the cookie on the Response that is returned: on the endpoint's injected response: Response parameter, or on the " +
				"RedirectResponse itself when you return one — cookies set on one object are lost when another is returned.",
			noteMaxAge: "max_age is seconds.",
		}),
	},
	Express: {
		SetCookie: `res.cookie('mf_jwt_token', token, { domain: '{{.Domain}}', path: '/', secure: true, httpOnly: true, sameSite: 'none' });`,
		Delete:    `res.clearCookie('mf_jwt_token', { path: '{{.StalePath}}'{{if .StaleDomain}}, domain: '{{.StaleDomain}}'{{end}}, secure: true, httpOnly: true, sameSite: 'none' });`,
		Encode:    jsonwebtokenEncode,
		Verify:    jsonwebtokenVerify("return res.sendStatus(401);"),
		Attr: map[string]string{"domain": "domain: '{{.Domain}}'", "path": "path: '/'", "secure": "secure: true", "httponly": "httpOnly: true",
			"samesite": "sameSite: 'none'", "maxage": "maxAge: 3600 * 1000 (milliseconds: Express writes Max-Age=3600)", "partitioned": "partitioned: true"},
		Lines: jsLines,
		Notes: merge(jsNotes, map[string]string{
			noteSameSite: "sameSite: true means Strict, not None; pass the string 'none'.",
			noteMaxAge:   "res.cookie's maxAge is milliseconds (Express divides by 1000 for Max-Age): maxAge: 3600 means 3.6 seconds.",
			noteValue:    "Pass the token string itself: an object value is written as j:{…} JSON, and a signed: true cookie as s:….",
		}),
	},
	NextJS: {
		SetCookie: `response.cookies.set('mf_jwt_token', token, { domain: '{{.Domain}}', path: '/', secure: true, httpOnly: true, sameSite: 'none' });`,
		Delete:    `response.cookies.set('mf_jwt_token', '', { path: '{{.StalePath}}'{{if .StaleDomain}}, domain: '{{.StaleDomain}}'{{end}}, maxAge: 0, secure: true, httpOnly: true, sameSite: 'none' });`,
		Encode:    jsonwebtokenEncode,
		Verify:    jsonwebtokenVerify("return new Response(null, { status: 401 });"),
		Attr: map[string]string{"domain": "domain: '{{.Domain}}'", "path": "path: '/'", "secure": "secure: true", "httponly": "httpOnly: true",
			"samesite": "sameSite: 'none'", "maxage": "maxAge: 3600 (seconds, unlike Express)", "partitioned": "partitioned: true"},
		Lines: jsLines,
		Notes: merge(jsNotes, map[string]string{
			noteResponse: "Set it on the NextResponse the route handler returns (NextResponse.redirect(…) or NextResponse.json(…)), or with " +
				"(await cookies()).set(…) in Next.js 15+; a cookie set on a response that is not returned is lost. jsonwebtoken needs the " +
				"Node.js runtime (the default for route handlers), not the Edge runtime.",
			noteSameSite: "sameSite takes 'strict' | 'lax' | 'none' (lower case); without it the attribute is left out (Lax).",
			noteMaxAge:   "maxAge is seconds here (Next.js also writes a matching Expires).",
		}),
	},
	GoNetHTTP: {
		SetCookie: `http.SetCookie(w, &http.Cookie{Name: "mf_jwt_token", Value: token, Domain: "{{.Domain}}", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteNoneMode})`,
		Delete:    `http.SetCookie(w, &http.Cookie{Name: "mf_jwt_token", Value: "", {{if .StaleDomain}}Domain: "{{.StaleDomain}}", {{end}}Path: "{{.StalePath}}", MaxAge: -1, Secure: true, HttpOnly: true, SameSite: http.SameSiteNoneMode})`,
		Encode: `token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
	"user_id": userID,
	"exp":     time.Now().Add(time.Hour).Unix(),
}).SignedString([]byte(os.Getenv("AUTH_SECRET_KEY")))`,
		Verify: `claims := jwt.MapClaims{}
_, err := jwt.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) {
	return []byte(os.Getenv("AUTH_SECRET_KEY")), nil
}, jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired(), jwt.WithLeeway(5*time.Second))
userID, _ := claims["user_id"].(string)
if err != nil || userID == "" {
	http.Error(w, "unauthorized", http.StatusUnauthorized)
	return
}`,
		Attr: map[string]string{"domain": `Domain: "{{.Domain}}"`, "path": `Path: "/"`, "secure": "Secure: true", "httponly": "HttpOnly: true",
			"samesite": "SameSite: http.SameSiteNoneMode", "maxage": "MaxAge: 3600 (seconds; 0 leaves it out, negative deletes)", "partitioned": "Partitioned: true"},
		Lines: map[string]string{
			"encode": `token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"user_id": userID, "exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte(os.Getenv("AUTH_SECRET_KEY")))`,
			"verify": `_, err := jwt.ParseWithClaims(token, claims, keyFunc, jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired(), jwt.WithLeeway(5*time.Second))`,
		},
		Notes: map[string]string{
			noteDomain:   "net/http drops a leading dot from Domain (the same cookie to browsers) and leaves out a Domain it finds invalid, silently making the cookie host-only.",
			noteSameSite: "http.SameSiteDefaultMode (and the zero value) writes no SameSite attribute, which browsers treat as Lax: use http.SameSiteNoneMode.",
			noteExp:      "exp is seconds: time.Now().Add(time.Hour).Unix(), not UnixMilli().",
			noteVerify:   "jwt.WithValidMethods([]string{\"HS256\"}) pins the algorithm (golang-jwt refuses none unless asked); jwt.WithExpirationRequired() makes exp mandatory.",
		},
	},
	Spring: {
		SetCookie: `ResponseCookie cookie = ResponseCookie.from("mf_jwt_token", token).domain("{{.Domain}}").path("/").secure(true).httpOnly(true).sameSite("None").build();
response.addHeader(HttpHeaders.SET_COOKIE, cookie.toString());`,
		Delete: `response.addHeader(HttpHeaders.SET_COOKIE, ResponseCookie.from("mf_jwt_token", "").path("{{.StalePath}}"){{if .StaleDomain}}.domain("{{.StaleDomain}}"){{end}}.maxAge(0).secure(true).httpOnly(true).sameSite("None").build().toString());`,
		Encode: `SecretKey key = Keys.hmacShaKeyFor(System.getenv("AUTH_SECRET_KEY").getBytes(StandardCharsets.UTF_8));
String token = Jwts.builder().claim("user_id", String.valueOf(user.getId())).expiration(Date.from(Instant.now().plus(1, ChronoUnit.HOURS))).signWith(key, Jwts.SIG.HS256).compact();`,
		Verify: `Jws<Claims> jws = Jwts.parser().verifyWith(key).clockSkewSeconds(5).build().parseSignedClaims(token); // throws JwtException: answer 401
Claims claims = jws.getPayload();
if (!"HS256".equals(jws.getHeader().getAlgorithm()) || claims.getExpiration() == null || claims.get("user_id", String.class) == null) { /* answer 401 */ }`,
		Attr: map[string]string{"domain": `.domain("{{.Domain}}")`, "path": `.path("/")`, "secure": ".secure(true)", "httponly": ".httpOnly(true)",
			"samesite": `.sameSite("None")`, "maxage": ".maxAge(Duration.ofHours(1))", "partitioned": ".partitioned(true)"},
		Lines: map[string]string{
			"set_cookie": `response.addHeader(HttpHeaders.SET_COOKIE, ResponseCookie.from("mf_jwt_token", token).domain("{{.Domain}}").path("/").secure(true).httpOnly(true).sameSite("None").build().toString());`,
			"encode":     `String token = Jwts.builder().claim("user_id", String.valueOf(user.getId())).expiration(Date.from(Instant.now().plus(1, ChronoUnit.HOURS))).signWith(key, Jwts.SIG.HS256).compact();`,
		},
		Notes: map[string]string{
			noteSameSite: "jakarta.servlet.http.Cookie (response.addCookie) has no SameSite before Servlet 6.0: build a ResponseCookie and add it as a header.",
			noteKey:      "Keys.hmacShaKeyFor(Decoders.BASE64.decode(secret)), as many examples do, decodes the key first: use secret.getBytes(UTF_8) unless the other side decodes too.",
			noteExp:      "exp is seconds: jjwt's expiration(Date) converts; LocalDateTime.now().toEpochSecond(ZoneOffset.UTC) reads local wall time as UTC (off by the server's offset) and System.currentTimeMillis() is milliseconds — use Instant.",
		},
	},
	ASPNETCore: {
		SetCookie: `Response.Cookies.Append("mf_jwt_token", token, new CookieOptions { Domain = "{{.Domain}}", Path = "/", Secure = true, HttpOnly = true, SameSite = SameSiteMode.None });`,
		Delete:    `Response.Cookies.Delete("mf_jwt_token", new CookieOptions { Path = "{{.StalePath}}"{{if .StaleDomain}}, Domain = "{{.StaleDomain}}"{{end}}, Secure = true, HttpOnly = true, SameSite = SameSiteMode.None });`,
		Encode: `var key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Environment.GetEnvironmentVariable("AUTH_SECRET_KEY")!));
var token = new JwtSecurityTokenHandler().WriteToken(new JwtSecurityToken(
    claims: new[] { new Claim("user_id", user.Id.ToString()) },
    expires: DateTime.UtcNow.AddHours(1),
    signingCredentials: new SigningCredentials(key, SecurityAlgorithms.HmacSha256)));`,
		Verify: `var principal = new JwtSecurityTokenHandler().ValidateToken(token, new TokenValidationParameters {
    IssuerSigningKey = key, ValidAlgorithms = new[] { SecurityAlgorithms.HmacSha256 },
    ValidateIssuer = false, ValidateAudience = false, RequireSignedTokens = true, RequireExpirationTime = true,
    ClockSkew = TimeSpan.FromSeconds(5) }, out _); // throws SecurityTokenException: answer 401; then require principal.FindFirst("user_id")`,
		Attr: map[string]string{"domain": `Domain = "{{.Domain}}"`, "path": `Path = "/"`, "secure": "Secure = true", "httponly": "HttpOnly = true",
			"samesite": "SameSite = SameSiteMode.None", "maxage": "MaxAge = TimeSpan.FromHours(1)", "partitioned": "the partitioned extension"},
		Lines: map[string]string{
			"encode": `var token = new JwtSecurityTokenHandler().WriteToken(new JwtSecurityToken(claims: new[] { new Claim("user_id", user.Id.ToString()) }, expires: DateTime.UtcNow.AddHours(1), signingCredentials: new SigningCredentials(key, SecurityAlgorithms.HmacSha256)));`,
			"verify": `new JwtSecurityTokenHandler().ValidateToken(token, new TokenValidationParameters { IssuerSigningKey = key, ValidAlgorithms = new[] { SecurityAlgorithms.HmacSha256 }, ValidateIssuer = false, ValidateAudience = false, RequireExpirationTime = true, ClockSkew = TimeSpan.FromSeconds(5) }, out _);`,
		},
		Notes: map[string]string{
			noteSameSite: "SameSiteMode.Unspecified writes no attribute (Lax); a CookiePolicy middleware (UseCookiePolicy, MinimumSameSitePolicy) can rewrite SameSite on every cookie — check it too.",
			noteVerify:   "TokenValidationParameters.ClockSkew defaults to five minutes, so a token expired four minutes ago is still accepted: set it to seconds.",
			noteKey:      "Encoding.UTF8.GetBytes(secret) uses the key as text; Convert.FromBase64String(secret) decodes it — both sides must do the same.",
			noteExp:      "expires: DateTime.UtcNow.AddHours(1) (a UTC DateTime); DateTime.Now with an Unspecified kind is read as local time.",
		},
	},
	Rails: {
		SetCookie: `cookies[:mf_jwt_token] = { value: token, domain: "{{.Domain}}", path: "/", secure: true, httponly: true, same_site: :none }`,
		Delete:    `cookies.delete(:mf_jwt_token, path: "{{.StalePath}}"{{if .StaleDomain}}, domain: "{{.StaleDomain}}"{{end}}, secure: true, same_site: :none)`,
		Encode:    `token = JWT.encode({ user_id: user.id.to_s, exp: 1.hour.from_now.to_i }, ENV.fetch("AUTH_SECRET_KEY"), "HS256")`,
		Verify: `claims, _header = JWT.decode(token, ENV.fetch("AUTH_SECRET_KEY"), true, { algorithm: "HS256", required_claims: ["exp", "user_id"], leeway: 5 })
# rescue JWT::DecodeError => head :unauthorized`,
		Attr: map[string]string{"domain": `domain: "{{.Domain}}"`, "path": `path: "/"`, "secure": "secure: true", "httponly": "httponly: true",
			"samesite": "same_site: :none", "maxage": "expires: 1.hour", "partitioned": "partitioned: true"},
		Notes: map[string]string{
			noteDomain:   "domain: :all derives the domain with tld_length (1 by default): for hosts under a two-label suffix such as example.co.uk pass tld_length: 2, or name the domain.",
			noteSameSite: "Without same_site the app-wide config.action_dispatch.cookies_same_site_protection (:lax) applies: pass same_site: :none.",
		},
	},
}

// merge returns a copy of a with b's entries added.
func merge(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}
