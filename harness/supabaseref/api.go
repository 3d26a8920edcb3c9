package supabaseref

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

// goTrueVersion is the version /health reports.
const goTrueVersion = "v2.196.0"

// authAPI is the GoTrue-like auth API behind the gateway.
type authAPI struct {
	p        Profile
	secret   []byte
	issuer   string // ProjectURL + "/auth/v1"
	aud      string
	lifetime time.Duration
	now      func() time.Time
	store    *store
	routes   map[string]map[string]apiHandler // set by newAuthAPI
}

// apiHandler handles one route; a returned *apiError is written in the
// request's error shape, any other error as 500.
type apiHandler func(w http.ResponseWriter, r *http.Request) error

// newAuthAPI returns the auth API of profile p signing with secret, its
// tokens issued by issuer, on clock now.
func newAuthAPI(p Profile, secret []byte, issuer string, now func() time.Time) *authAPI {
	a := &authAPI{p: p, secret: secret, issuer: issuer, aud: p.AccessToken.Aud, lifetime: p.AccessToken.Lifetime, now: now, store: newStore()}
	if a.aud == "" {
		a.aud = "authenticated"
	}
	if a.lifetime <= 0 {
		a.lifetime = time.Hour
	}
	a.routes = map[string]map[string]apiHandler{
		"/health":                {http.MethodGet: a.health},
		"/settings":              {http.MethodGet: a.settings},
		"/token":                 {http.MethodPost: a.token},
		"/user":                  {http.MethodGet: a.getUser},
		"/logout":                {http.MethodPost: a.logout},
		"/signup":                {http.MethodPost: a.signup},
		"/.well-known/jwks.json": {http.MethodGet: a.jwks},
	}
	return a
}

// serve dispatches a request for path (below /auth/v1, no trailing slash).
func (a *authAPI) serve(w http.ResponseWriter, r *http.Request, path string) {
	methods, ok := a.routes[path]
	if !ok {
		writeAPIError(w, r, newAPIError(http.StatusNotFound, "not_found", "Resource not found"))
		return
	}
	h, ok := methods[r.Method]
	if !ok && r.Method == http.MethodHead {
		h, ok = methods[http.MethodGet]
	}
	if !ok {
		writeAPIError(w, r, newAPIError(http.StatusMethodNotAllowed, "method_not_allowed", "Method not allowed"))
		return
	}
	if err := h(w, r); err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			ae = newAPIError(http.StatusInternalServerError, "unexpected_failure", "Unexpected failure, please check server logs for more information")
		}
		writeAPIError(w, r, ae)
	}
}

// readJSON decodes the request body (at most maxBodyBytes) into v.
func readJSON(r *http.Request, v any) error {
	if r.Body == nil {
		return newAPIError(http.StatusBadRequest, "bad_json", "Could not parse request body as JSON: empty body")
	}
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return newAPIError(http.StatusRequestEntityTooLarge, "request_too_large", "Request body too large")
		}
		return newAPIError(http.StatusBadRequest, "bad_json", "Could not parse request body as JSON: "+err.Error())
	}
	return nil
}

func (a *authAPI) health(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, struct {
		Version     string `json:"version"`
		Name        string `json:"name"`
		Description string `json:"description"`
	}{goTrueVersion, "GoTrue", "GoTrue is a user registration and authentication API"})
	return nil
}

func (a *authAPI) settings(w http.ResponseWriter, _ *http.Request) error {
	external := map[string]bool{"email": true, "phone": false, "anonymous_users": false}
	for _, p := range []string{"apple", "azure", "bitbucket", "discord", "facebook", "figma", "fly", "github", "gitlab",
		"google", "keycloak", "kakao", "linkedin_oidc", "notion", "slack_oidc", "spotify", "twitch", "twitter", "workos", "zoom"} {
		external[p] = false
	}
	writeJSON(w, http.StatusOK, struct {
		External          map[string]bool `json:"external"`
		DisableSignup     bool            `json:"disable_signup"`
		MailerAutoconfirm bool            `json:"mailer_autoconfirm"`
		PhoneAutoconfirm  bool            `json:"phone_autoconfirm"`
		SMSProvider       string          `json:"sms_provider"`
		SAMLEnabled       bool            `json:"saml_enabled"`
	}{External: external, DisableSignup: a.p.DisableSignup})
	return nil
}

func (a *authAPI) jwks(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Cache-Control", "public, max-age=600")
	writeJSON(w, http.StatusOK, map[string][]any{"keys": {}})
	return nil
}

func (a *authAPI) getUser(w http.ResponseWriter, r *http.Request) error {
	c, ae := a.authenticate(r)
	if ae != nil {
		return ae
	}
	want := a.aud
	if h := r.Header.Get("X-JWT-AUD"); h != "" {
		want = h
	}
	if aud, _ := c.claims.GetAudience(); len(aud) == 0 || aud[0] != want {
		return newAPIError(http.StatusBadRequest, "unexpected_audience", "Token audience doesn't match request audience")
	}
	writeJSON(w, http.StatusOK, a.userJSON(c.user))
	return nil
}

func (a *authAPI) logout(w http.ResponseWriter, r *http.Request) error {
	c, ae := a.authenticate(r)
	if ae != nil {
		return ae
	}
	scope := r.URL.Query().Get("scope")
	switch scope {
	case "":
		scope = "global"
	case "global", "local", "others":
	default:
		return newAPIError(http.StatusBadRequest, "validation_failed", "Unsupported logout scope "+quote(scope))
	}
	a.store.logout(c.user.ID, c.sessionID, scope)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *authAPI) signup(w http.ResponseWriter, r *http.Request) error {
	if a.p.DisableSignup {
		return newAPIError(http.StatusUnprocessableEntity, "signup_disabled", "Signups not allowed for this instance")
	}
	var body struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := readJSON(r, &body); err != nil {
		return err
	}
	if !strings.Contains(body.Email, "@") {
		return newAPIError(http.StatusBadRequest, "validation_failed", "Unable to validate email address: invalid format")
	}
	if len(body.Password) < 6 {
		return newAPIError(http.StatusUnprocessableEntity, "weak_password", "Password should be at least 6 characters.")
	}
	u, ae := a.store.addUser(body.Email, body.Password, false, a.now())
	if ae != nil {
		return ae
	}
	writeJSON(w, http.StatusOK, a.userJSON(u))
	return nil
}

// quote returns s in double quotes, shortened to keep error messages small.
func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return `"` + s + `"`
}
