package reference

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// tokenCookie is the cookie the app reads, by its exact name.
const tokenCookie = "mf_jwt_token"

// appHandler is the Miiflow app stand-in: /api/me, the signed-in page and
// /healthz, all judged by one Verifier.
type appHandler struct {
	v         *Verifier
	embedHost string // the other site whose credentialed fetches CORS allows
	mux       *http.ServeMux
	// leftover, when set, is served on /legacy-login: the stale cookie an
	// earlier setup left, signed with key.
	leftover *Leftover
	key      []byte
}

// newAppHandler returns the app's handler. Cross-site credentialed fetches
// are allowed from https://<embedHost> on any port.
func newAppHandler(v *Verifier, embedHost string) *appHandler {
	a := &appHandler{v: v, embedHost: embedHost, mux: http.NewServeMux()}
	a.mux.HandleFunc("GET /api/me", a.serveMe)
	a.mux.HandleFunc("OPTIONS /api/me", a.servePreflight)
	a.mux.HandleFunc("GET /{$}", a.servePage)
	a.mux.HandleFunc("GET /legacy-login", a.serveLegacyLogin)
	a.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok"))
	})
	return a
}

// ServeHTTP routes the app's requests.
func (a *appHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for k, v := range a.v.Faults.Headers {
		w.Header().Set(k, v)
	}
	a.mux.ServeHTTP(w, r)
}

// verify reads the token cookie and verifies it. crash reports that a
// fault turns this request into a 500: ServerErrorOnGarbage for a cookie
// that is not a parseable JWT, ServerErrorOnRefusal for any token present
// that it refuses.
func (a *appHandler) verify(r *http.Request) (id Identity, reason string, crash bool) {
	token := ""
	if c, err := r.Cookie(tokenCookie); err == nil {
		token = c.Value
	}
	id, reason = a.v.Verify(token)
	f := a.v.Faults
	crash = reason == ReasonMalformed && f.ServerErrorOnGarbage || reason != "" && reason != ReasonNoToken && f.ServerErrorOnRefusal
	return id, reason, crash
}

// serveMe answers the identity as JSON, or 401 {"error":"<reason>"}.
func (a *appHandler) serveMe(w http.ResponseWriter, r *http.Request) {
	a.cors(w, r)
	w.Header().Set("Cache-Control", "no-store")
	id, reason, garbage := a.verify(r)
	if garbage {
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if reason != "" {
		w.WriteHeader(http.StatusUnauthorized)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": reason})
		return
	}
	if f := a.v.Faults.MeUserIDField; f != "" {
		m := map[string]string{f: id.UserID, "first_name": id.FirstName, "last_name": id.LastName, "email": id.Email}
		_ = json.NewEncoder(w).Encode(m)
		return
	}
	_ = json.NewEncoder(w).Encode(id)
}

// servePreflight answers a CORS preflight for /api/me.
func (a *appHandler) servePreflight(w http.ResponseWriter, r *http.Request) {
	if a.cors(w, r) {
		w.Header().Set("Access-Control-Allow-Methods", "GET, OPTIONS")
		if h := r.Header.Get("Access-Control-Request-Headers"); h != "" {
			w.Header().Set("Access-Control-Allow-Headers", h)
		}
		if r.Header.Get("Access-Control-Request-Private-Network") == "true" {
			w.Header().Set("Access-Control-Allow-Private-Network", "true")
		}
		w.Header().Set("Access-Control-Max-Age", "0")
	}
	w.WriteHeader(http.StatusNoContent)
}

// cors sets the credentialed-CORS headers when the request comes from the
// embed site over https, and reports whether it did.
func (a *appHandler) cors(w http.ResponseWriter, r *http.Request) bool {
	w.Header().Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	u, err := url.Parse(origin)
	if err != nil || u.Scheme != "https" || u.User != nil || (u.Path != "" && u.Path != "/") ||
		u.RawQuery != "" || u.Fragment != "" || !strings.EqualFold(u.Hostname(), a.embedHost) {
		return false
	}
	w.Header().Set("Access-Control-Allow-Origin", origin)
	w.Header().Set("Access-Control-Allow-Credentials", "true")
	return true
}

var appPage = template.Must(template.New("app").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Miiflow app (reference)</title></head>
<body>
{{if .SignedIn -}}
<main id="identity" data-state="signed-in" data-user-id="{{.ID.UserID}}" data-reason="">Signed in as {{.Who}}</main>
{{- else -}}
<main id="identity" data-state="signed-out" data-user-id="" data-reason="{{.Reason}}">Not signed in: {{.Reason}}</main>
{{- end}}
</body></html>
`))

// servePage renders who is signed in, from the same verification as /api/me.
// The page may be framed by any site on purpose: it sets no X-Frame-Options.
func (a *appHandler) servePage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	id, reason, garbage := a.verify(r)
	if garbage {
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	data := struct {
		SignedIn    bool
		ID          Identity
		Who, Reason string
	}{reason == "", id, describe(id), reason}
	_ = appPage.Execute(w, data) // a write error means the client left
}

// describe is the readable form of an identity, e.g.
// "John Doe (user123, john.doe@example.com)".
func describe(id Identity) string {
	var details []string
	name := strings.TrimSpace(id.FirstName + " " + id.LastName)
	switch {
	case name == "" && id.UserID == "":
		name = "a user without user_id"
	case name == "":
		name = id.UserID
	case id.UserID != "":
		details = append(details, id.UserID)
	}
	if id.Email != "" {
		details = append(details, id.Email)
	}
	if len(details) == 0 {
		return name
	}
	return name + " (" + strings.Join(details, ", ") + ")"
}

// LegacyLoginPath is the app page that plants the leftover cookie of a
// Profile.Leftover deployment.
const LegacyLoginPath = "/legacy-login"

// serveLegacyLogin sets the leftover mf_jwt_token, host-only on the app
// host, as an earlier setup did; without a leftover it is not found.
func (a *appHandler) serveLegacyLogin(w http.ResponseWriter, r *http.Request) {
	if a.leftover == nil {
		http.NotFound(w, r)
		return
	}
	now := time.Now()
	tp := DefaultProfile().Token
	// Issued an hour before it expired, Age ago.
	tp.Lifetime, tp.Exp, tp.IssuedAt = time.Hour, ExpInteger, true
	c := CookieProfile{Name: tokenCookie, Path: a.leftover.Path, Secure: true, HttpOnly: true, SameSite: "None"}
	if c.Path == "" {
		c.Path = "/"
	}
	tok, err := buildToken(tp, c, a.key, now.Add(-a.leftover.Age-time.Hour))
	if err != nil {
		http.Error(w, "reference app: cannot build the leftover token: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Set-Cookie", cookieHeader(c, tok, now))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("an earlier setup signed you in here\n"))
}
