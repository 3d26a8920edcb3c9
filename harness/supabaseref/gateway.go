package supabaseref

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// CORS values of the gateway.
const (
	corsMethods = "GET,POST,PUT,PATCH,DELETE,OPTIONS"
	// goTrueCORSHeaders is GoTrue's own request-header list: no apikey.
	goTrueCORSHeaders = "Authorization, Content-Type, X-Client-Info, X-Supabase-Api-Version"
	// corsExposeHeaders is what GoTrue exposes, so supabase-js can read the
	// API version of an error in a browser.
	corsExposeHeaders = "X-Total-Count, Link, X-Supabase-Api-Version"
)

// Where the gateway routes the auth API and the data API.
const (
	authPrefix = "/auth/v1"
	restPrefix = "/rest/v1"
)

// openPaths are the auth paths the gateway passes without an apikey (the
// auth-v1-open* services of the self-hosted kong.yml).
var openPaths = []string{"/verify", "/callback", "/authorize", "/.well-known/jwks.json"}

// Lifetimes of the JWT the gateway hands upstream for an sb_ key: the
// hosted gateway mints a short-lived one (the exact lifetime is not public);
// the self-hosted Kong hands ANON_KEY_ASYMMETRIC / SERVICE_ROLE_KEY_ASYMMETRIC,
// signed once by docker/utils/add-new-auth-keys.sh to last five years.
const (
	hostedGatewayJWTLifetime = 5 * time.Minute
	kongGatewayJWTLifetime   = 5 * 365 * 24 * time.Hour
)

// gateway is the project's front door: Date from the project clock, panic
// recovery, a body limit, CORS, then the apikey check and the Authorization
// header handed upstream, before the auth API (/auth/v1) or the data API
// (/rest/v1).
type gateway struct {
	p    Profile
	keys projectKeys
	sign *signingKeys
	now  func() time.Time
	api  *authAPI
	rest *postgrest
}

// ServeHTTP implements http.Handler.
func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Date", g.now().UTC().Format(http.TimeFormat))
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			writeAPIError(w, r, newAPIError(http.StatusInternalServerError, "unexpected_failure", "Unexpected failure, please check server logs for more information"))
		}
	}()
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	}
	if g.cors(w, r) {
		return
	}
	if rest, ok := below(r.URL.Path, authPrefix); ok {
		if !slices.Contains(openPaths, rest) {
			if !g.checkAPIKey(w, r) {
				return
			}
			g.upstreamAuthorization(r)
		}
		g.api.serve(w, r, rest)
		return
	}
	if rest, ok := below(r.URL.Path, restPrefix); ok && !g.p.REST.Disabled {
		if !g.checkAPIKey(w, r) {
			return
		}
		g.upstreamAuthorization(r)
		g.rest.serve(w, r, rest)
		return
	}
	writeJSON(w, http.StatusNotFound, gatewayMessage{Message: "no Route matched with those values"})
}

// below returns path below prefix without trailing slashes ("/" for the
// prefix itself), reporting whether path is prefix or below it.
func below(path, prefix string) (string, bool) {
	rest, ok := strings.CutPrefix(path, prefix)
	if !ok || (rest != "" && rest[0] != '/') {
		return "", false
	}
	if rest = strings.TrimRight(rest, "/"); rest == "" {
		rest = "/"
	}
	return rest, true
}

// upstreamAuthorization sets the Authorization header the service behind
// the gateway gets, as the self-hosted Kong's request-transformer does
// (supabase/supabase docker/volumes/api/kong-entrypoint.sh LUA_AUTH_EXPR):
// the client's own header unless it is missing or "Bearer sb_…"; for an
// sb_secret_ or sb_publishable_ apikey a JWT with role service_role or anon
// signed with the project's signing key (the hosted gateway likewise mints
// a short-lived JWT for these keys); otherwise the apikey itself, without a
// "Bearer " prefix (so PostgREST sees no token and uses its anon role, and
// GoTrue answers no_authorization).
func (g *gateway) upstreamAuthorization(r *http.Request) {
	if len(r.Header.Values("Authorization")) > 0 && !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer sb_") {
		return
	}
	key := r.Header.Get("apikey")
	role := ""
	switch key {
	case g.keys.secret:
		role = "service_role"
	case g.keys.publishable:
		role = "anon"
	default:
		r.Header.Set("Authorization", key)
		return
	}
	now, life := g.now(), hostedGatewayJWTLifetime
	if g.p.GatewayStyle == "kong" {
		life = kongGatewayJWTLifetime
	}
	tok, err := g.sign.sign(jwt.MapClaims{"role": role, "iss": "supabase", "iat": now.Unix(), "exp": now.Add(life).Unix()})
	if err != nil {
		r.Header.Del("Authorization")
		return
	}
	r.Header.Set("Authorization", "Bearer "+tok)
}

// cors sets the CORS response headers and answers a preflight, reporting
// whether it did. An origin outside CORS.AllowedOrigins gets no CORS headers.
func (g *gateway) cors(w http.ResponseWriter, r *http.Request) (answered bool) {
	h := w.Header()
	origin := r.Header.Get("Origin")
	allow := "*"
	if len(g.p.CORS.AllowedOrigins) > 0 {
		h.Add("Vary", "Origin")
		allow = ""
		if origin != "" && slices.Contains(g.p.CORS.AllowedOrigins, origin) {
			allow = origin
		}
	}
	if allow != "" {
		h.Set("Access-Control-Allow-Origin", allow)
	}
	if r.Method != http.MethodOptions {
		if allow != "" {
			h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		}
		return false
	}
	if allow != "" {
		h.Set("Access-Control-Allow-Methods", corsMethods)
		if g.p.CORS.RefuseAPIKeyHeader {
			h.Set("Access-Control-Allow-Headers", goTrueCORSHeaders)
		} else if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
			h.Set("Access-Control-Allow-Headers", req)
		}
		h.Set("Access-Control-Max-Age", "0")
	}
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusNoContent)
	return true
}

// gatewayMessage is the gateway's own error body.
type gatewayMessage struct {
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
}

// checkAPIKey answers 401 unless the apikey header holds one of the
// project's keys usable here, reporting whether the request may pass.
func (g *gateway) checkAPIKey(w http.ResponseWriter, r *http.Request) bool {
	key := r.Header.Get("apikey")
	switch {
	case key == "":
		writeJSON(w, http.StatusUnauthorized, gatewayMessage{Message: "No API key found in request"})
		return false
	case key == g.keys.secret && r.Header.Get("Origin") != "":
		writeJSON(w, http.StatusUnauthorized, gatewayMessage{Message: "Forbidden use of secret API key in browser"})
		return false
	case key == g.keys.anon, key == g.keys.serviceRole, key == g.keys.publishable, key == g.keys.secret,
		g.keys.stale != "" && key == g.keys.stale:
		return true
	case g.p.GatewayStyle == "kong":
		writeJSON(w, http.StatusUnauthorized, gatewayMessage{Message: "Invalid authentication credentials"})
		return false
	default:
		writeJSON(w, http.StatusUnauthorized, gatewayMessage{
			Message: "Invalid API key",
			Hint:    "Double check your Supabase `anon` or `service_role` API key.",
		})
		return false
	}
}
