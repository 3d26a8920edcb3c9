package supabaseref

import (
	"net/http"
	"slices"
	"strings"
	"time"
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

// authPrefix is where the gateway routes the auth API.
const authPrefix = "/auth/v1"

// openPaths are the auth paths the gateway passes without an apikey.
var openPaths = []string{"/verify", "/callback", "/authorize", "/.well-known/jwks.json"}

// gateway is the project's front door: Date from the project clock, panic
// recovery, a body limit, CORS, then the apikey check before the auth API.
type gateway struct {
	p    Profile
	keys projectKeys
	now  func() time.Time
	api  *authAPI
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
	rest, ok := strings.CutPrefix(r.URL.Path, authPrefix)
	if !ok || (rest != "" && rest[0] != '/') {
		writeJSON(w, http.StatusNotFound, gatewayMessage{Message: "no Route matched with those values"})
		return
	}
	if rest = strings.TrimRight(rest, "/"); rest == "" {
		rest = "/"
	}
	if !slices.Contains(openPaths, rest) && !g.checkAPIKey(w, r) {
		return
	}
	g.api.serve(w, r, rest)
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
	case key == g.keys.anon, key == g.keys.serviceRole, key == g.keys.publishable, key == g.keys.secret:
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
