package clientsite

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Paths of the reference app.
const (
	// AppPath is the app's home page: it loads the app's code and signs in
	// or out when mfconform calls window.mfApp.
	AppPath = "/app/"
	// LoginPath is the app's own sign-in page: a form (#email, #password,
	// #sign-in) that signs in and moves on to the dashboard — a page an
	// operator's login_script drives as it would the real app's.
	LoginPath = "/app/login"
	// DashboardPath shows who is signed in and has a #sign-out button that
	// signs out and returns to the sign-in page, which then shows
	// #signed-out.
	DashboardPath = "/app/dashboard"
	// ServerPath is the app's own server side, when it has one
	// (App.Server): who the request's session cookies sign in, as JSON.
	ServerPath = "/api/me"
)

// Where the reference app keeps its session (AppProfile.Storage).
const (
	// StorageCookies is @supabase/ssr's createBrowserClient: the session
	// in sb-<ref>-auth-token cookies written with document.cookie, chunked
	// past 3180 bytes (utils/chunker.js createChunks).
	StorageCookies = "cookies"
	// StorageLocal is supabase-js's createClient: the session in
	// localStorage under sb-<ref>-auth-token.
	StorageLocal = "localStorage"
	// StorageMemory is createClient with persistSession: false: the
	// session lives in the page's memory only.
	StorageMemory = "memory"
	// StorageHandRolled is createClient with a hand-written cookie storage
	// adapter (not @supabase/ssr) that splits the base64- value into
	// ChunkSize-byte cookies.
	StorageHandRolled = "handRolledCookies"
)

// App is the reference Miiflow frontend the site plays under /app/: its
// Supabase client, built as the app's own code would build it.
type App struct {
	// SupabaseURL and Key are what the app's client is built with
	// (NEXT_PUBLIC_SUPABASE_URL and NEXT_PUBLIC_SUPABASE_KEY as the app
	// sees them; the key is public by intent).
	SupabaseURL, Key string
	Profile          AppProfile
	// Server, when set, is the app's own server side — a route handler
	// and a middleware built with createServerClient — saying whom a
	// request's session cookies sign in (userID "" for nobody; reason why
	// not). GET ServerPath answers 200 {"id": userID} for a signed-in
	// request and 401 {"error": "not signed in"} otherwise, as a Next.js
	// route handler that calls supabase.auth.getUser() does; with
	// GateDashboard the dashboard answers a signed-out request with a
	// redirect to the sign-in page, as a middleware that protects it does.
	Server        func(r *http.Request) (userID, reason string)
	GateDashboard bool
}

// AppProfile is how the reference app keeps and shares its session. The
// zero value is @supabase/ssr with its defaults (host-only, Lax, not
// Secure); DefaultAppProfile is the setup a frontend with a server side on
// a sibling host needs.
type AppProfile struct {
	// Storage is StorageCookies (also ""), StorageLocal, StorageMemory or
	// StorageHandRolled.
	Storage string `json:"storage"`
	// ShareWithSiblings sets cookieOptions.domain to the app host's parent
	// domain (app.acme.test → .acme.test), so sibling hosts such as
	// api.acme.test receive the session; without it the cookies are
	// host-only, @supabase/ssr's default.
	ShareWithSiblings bool `json:"-"`
	// Path, SameSite and Secure are cookieOptions.path, .sameSite and
	// .secure ("" and false keep @supabase/ssr's defaults: /, lax, not
	// Secure — utils/constants.js DEFAULT_COOKIE_OPTIONS).
	Path     string `json:"-"`
	SameSite string `json:"-"`
	Secure   bool   `json:"-"`
	// SignOutWithoutDomain signs out through a second client built
	// without cookieOptions.domain (a shared helper, a route handler): its
	// clears are host-only and miss the Domain cookies, which stay.
	SignOutWithoutDomain bool `json:"-"`
	// ChunkSize is StorageHandRolled's chunk size in bytes.
	ChunkSize int `json:"chunkSize,omitempty"`
	// StandardBase64 makes StorageHandRolled encode with btoa's standard
	// alphabet (+, / and = padding) after the "base64-" prefix: its own
	// reader takes it, @supabase/ssr's does not (utils/base64url.js
	// stringFromBase64URL refuses + and /, and cookies.js
	// decodeChunkedCookieValue then treats the session as absent).
	StandardBase64 bool `json:"-"`
	// UseCustomDomain builds the app's client with the project's custom
	// domain URL instead of NEXT_PUBLIC_SUPABASE_URL (the runner resolves
	// it into App.SupabaseURL).
	UseCustomDomain bool `json:"-"`
	// Embedded says the app is used inside an iframe on another site.
	Embedded bool `json:"-"`
}

// DefaultAppProfile is a frontend whose server side runs on a sibling host:
// @supabase/ssr cookies shared with the parent domain, Secure, Lax.
func DefaultAppProfile() AppProfile {
	return AppProfile{Storage: StorageCookies, ShareWithSiblings: true, Secure: true}
}

// CookieOptions are @supabase/ssr's cookieOptions as the app passes them.
type CookieOptions struct {
	Domain   string `json:"domain,omitempty"`
	Path     string `json:"path,omitempty"`
	SameSite string `json:"sameSite,omitempty"`
	Secure   bool   `json:"secure,omitempty"`
}

// appConfig is what the app's pages read (body data-config): the client's
// URL, key and storage, and the cookie options of sign-in and sign-out.
type appConfig struct {
	URL     string         `json:"url"`
	Key     string         `json:"key"`
	Storage string         `json:"storage"`
	Cookie  CookieOptions  `json:"cookieOptions"`
	SignOut *CookieOptions `json:"signOutCookieOptions,omitempty"`
	Chunk   int            `json:"chunkSize,omitempty"`
	Base64  string         `json:"base64,omitempty"`
}

// CookieOptions returns the cookieOptions the app passes for host.
func (p AppProfile) CookieOptions(host string) CookieOptions {
	o := CookieOptions{Path: p.Path, SameSite: p.SameSite, Secure: p.Secure}
	if p.ShareWithSiblings {
		o.Domain = "." + ParentDomain(host)
	}
	return o
}

// ParentDomain is host without its first label (app.acme.test →
// acme.test), or host itself when that would leave a public suffix (an app
// at the registrable domain shares with its subdomains).
func ParentDomain(host string) string {
	_, parent, ok := strings.Cut(host, ".")
	if !ok {
		return host
	}
	if reg, err := publicsuffix.EffectiveTLDPlusOne(host); err != nil || reg == host {
		return host
	}
	return parent
}

// config is the page configuration of a for host.
func (a App) config(host string) appConfig {
	p := a.Profile
	c := appConfig{URL: a.SupabaseURL, Key: a.Key, Storage: p.Storage, Cookie: p.CookieOptions(host), Chunk: p.ChunkSize}
	if p.StandardBase64 {
		c.Base64 = "standard"
	}
	if c.Storage == "" {
		c.Storage = StorageCookies
	}
	if p.SignOutWithoutDomain {
		o := c.Cookie
		o.Domain = ""
		c.SignOut = &o
	}
	return c
}

// appJS is the reference app's code: window.mfApp and the pages' wiring.
//
//go:embed app.js
var appJS []byte

// appPage is every page of the app: the client library its storage needs
// (@supabase/ssr's bundle for cookies, supabase-js's otherwise), its code,
// the page's name and the configuration in the body's data attributes.
var appPage = template.Must(template.New("app").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Miiflow (reference app): {{.Title}}</title>
{{range .Bundles}}<script src="{{.}}"></script>
{{end}}<script src="{{.Script}}" defer></script>
</head>
<body data-page="{{.Page}}" data-config="{{.Config}}">
<h1>Miiflow (reference app)</h1>
{{if eq .Page "login"}}<form id="sign-in-form">
<p id="signed-out" hidden>You are signed out.</p>
<label>Email <input id="email" type="email" autocomplete="username"></label>
<label>Password <input id="password" type="password" autocomplete="current-password"></label>
<button id="sign-in" type="submit">Sign in</button>
<p id="error" role="alert"></p>
</form>{{else if eq .Page "dashboard"}}<p id="who">Loading…</p>
<button id="sign-out" type="button">Sign out</button>{{else}}<p>The app's home page.</p>{{end}}
</body></html>
`))

// appCSP lets the app's pages run the site's scripts and call anywhere;
// an app that is embedded in another site lets https pages frame it.
func appCSP(embedded bool) string {
	ancestors := "'none'"
	if embedded {
		ancestors = "https:"
	}
	return "default-src 'none'; script-src 'self'; connect-src *; base-uri 'none'; form-action 'none'; frame-ancestors " + ancestors
}

// appHandler serves the reference app.
type appHandler struct {
	config  string   // JSON
	bundles []string // the scripts the pages load first
	ssr     []byte
	csp     string
	server  func(*http.Request) (string, string)
	gate    bool
}

func newAppHandler(a App, host string, ssr []byte) (*appHandler, error) {
	c := a.config(host)
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("clientsite: app configuration: %w", err)
	}
	bundles := []string{BundlePath}
	if c.Storage == StorageCookies {
		bundles = []string{SSRBundlePath} // createBrowserClient brings its own supabase-js
	}
	if a.GateDashboard && a.Server == nil {
		return nil, fmt.Errorf("clientsite: the dashboard is gated by the app's server side, and the app has none")
	}
	return &appHandler{config: string(b), bundles: bundles, ssr: ssr, csp: appCSP(a.Profile.Embedded), server: a.Server, gate: a.GateDashboard}, nil
}

// register adds the app's routes.
func (h *appHandler) register(mux *http.ServeMux) {
	mux.HandleFunc("GET "+SSRBundlePath, script(h.ssr))
	mux.HandleFunc("GET "+AppScriptPath, script(appJS))
	for path, page := range map[string][2]string{
		AppPath: {"home", "home"}, LoginPath: {"login", "sign in"}, DashboardPath: {"dashboard", "dashboard"},
	} {
		pattern := "GET " + path
		if strings.HasSuffix(path, "/") {
			pattern += "{$}"
		}
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			if path == DashboardPath && h.gate {
				if id, _ := h.server(r); id == "" {
					noStore(w)
					http.Redirect(w, r, LoginPath, http.StatusFound)
					return
				}
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Security-Policy", h.csp)
			noStore(w)
			_ = appPage.Execute(w, struct {
				Title, Page, Config, Script string
				Bundles                     []string
			}{page[1], page[0], h.config, AppScriptPath, h.bundles})
		})
	}
	if h.server != nil {
		mux.HandleFunc("GET "+ServerPath, h.serveMe)
	}
}

// serveMe is the app's server side: who the request's session signs in.
func (h *appHandler) serveMe(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	noStore(w)
	id, _ := h.server(r)
	if id == "" {
		// What a route handler answers when getUser() finds nobody: it
		// does not say which cookie it looked for.
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"not signed in"}`))
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"id": id})
}
