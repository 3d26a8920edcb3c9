package supabaseref

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"time"
)

// goTrueVersion is the version /health reports.
const goTrueVersion = "v2.196.0"

// authAPI is the GoTrue-like auth API behind the gateway.
type authAPI struct {
	p        Profile
	keys     *signingKeys
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

// newAuthAPI returns the auth API of profile p signing with keys, its
// tokens issued by issuer, on clock now.
func newAuthAPI(p Profile, keys *signingKeys, issuer string, now func() time.Time) *authAPI {
	a := &authAPI{p: p, keys: keys, issuer: issuer, aud: p.AccessToken.Aud, lifetime: p.AccessToken.Lifetime, now: now, store: newStore()}
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
// Unknown paths and methods get what GoTrue's chi router answers by
// default: 404 "404 page not found" (text) and 405 with an Allow header and
// no body.
func (a *authAPI) serve(w http.ResponseWriter, r *http.Request, path string) {
	methods, ok := a.routes[path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h, ok := methods[r.Method]
	if !ok && r.Method == http.MethodHead {
		h, ok = methods[http.MethodGet]
	}
	if !ok {
		for _, m := range slices.Sorted(maps.Keys(methods)) {
			w.Header().Add("Allow", m)
		}
		w.WriteHeader(http.StatusMethodNotAllowed)
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

// readJSON reads the whole request body (at most maxBodyBytes) and
// unmarshals it into v, as GoTrue internal/api/helpers.go
// retrieveRequestParams does: 413 request_entity_too_large past the limit,
// 400 bad_json with encoding/json's error otherwise.
func readJSON(r *http.Request, v any) error {
	var body []byte
	if r.Body != nil {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return newAPIError(http.StatusRequestEntityTooLarge, "request_entity_too_large",
					fmt.Sprintf("Request body too large (max %d bytes)", tooBig.Limit))
			}
			return newAPIError(http.StatusInternalServerError, "unexpected_failure", "Could not read body into byte slice")
		}
	}
	if err := json.Unmarshal(body, v); err != nil {
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

// settings is GET /settings (GoTrue internal/api/settings.go Settings).
func (a *authAPI) settings(w http.ResponseWriter, _ *http.Request) error {
	external := map[string]bool{"email": true, "phone": false, "anonymous_users": false}
	for _, p := range []string{"apple", "azure", "bitbucket", "discord", "facebook", "snapchat", "figma", "fly", "github", "gitlab",
		"google", "keycloak", "kakao", "linkedin", "linkedin_oidc", "notion", "spotify", "slack", "slack_oidc", "workos",
		"twitch", "twitter", "zoom"} {
		external[p] = false
	}
	writeJSON(w, http.StatusOK, struct {
		External                     map[string]bool `json:"external"`
		DisableSignup                bool            `json:"disable_signup"`
		MailerAutoconfirm            bool            `json:"mailer_autoconfirm"`
		PhoneAutoconfirm             bool            `json:"phone_autoconfirm"`
		SMSProvider                  string          `json:"sms_provider"`
		SAMLEnabled                  bool            `json:"saml_enabled"`
		SAMLPrivateKeyNextConfigured bool            `json:"saml_private_key_next_configured"`
		PasskeysEnabled              bool            `json:"passkeys_enabled"`
	}{External: external, DisableSignup: a.p.DisableSignup})
	return nil
}

// jwks is GET /.well-known/jwks.json (GoTrue internal/api/jwks.go
// WellKnownJwks): the public keys, never the HMAC secret, cacheable for ten
// minutes.
func (a *authAPI) jwks(w http.ResponseWriter, _ *http.Request) error {
	keys := a.keys.published
	if keys == nil {
		keys = []publicJWK{}
	}
	w.Header().Set("Cache-Control", "public, max-age=600")
	writeJSON(w, http.StatusOK, struct {
		Keys []publicJWK `json:"keys"`
	}{keys})
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
	// GoTrue internal/api/user.go UserGet.
	if aud, _ := c.claims.GetAudience(); len(aud) == 0 || aud[0] != want {
		return newAPIError(http.StatusBadRequest, "validation_failed", "Token audience doesn't match request audience")
	}
	writeJSON(w, http.StatusOK, a.userJSON(c.user))
	return nil
}

func (a *authAPI) logout(w http.ResponseWriter, r *http.Request) error {
	c, ae := a.authenticate(r)
	if ae != nil {
		return ae
	}
	// GoTrue internal/api/logout.go Logout.
	scope := r.URL.Query().Get("scope")
	switch scope {
	case "":
		scope = "global"
	case "global", "local", "others":
	default:
		return newAPIError(http.StatusBadRequest, "validation_failed", fmt.Sprintf("Unsupported logout scope %q", scope))
	}
	a.store.logout(c.user.ID, c.sessionID, scope)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// signup is POST /signup (GoTrue internal/api/api.go's /signup route and
// internal/api/signup.go Signup), email only, without autoconfirm: an email
// already registered and confirmed gets 200 with a sanitised stand-in user
// (no 422: GoTrue answers user_already_exists only with autoconfirm on), an
// unconfirmed one 200 with that user (the confirmation is sent again).
func (a *authAPI) signup(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Email    string `json:"email"`
		Phone    string `json:"phone"`
		Password string `json:"password"`
	}
	if err := readJSON(r, &body); err != nil {
		return err
	}
	switch {
	case body.Email == "" && body.Phone == "":
		return newAPIError(http.StatusUnprocessableEntity, "anonymous_provider_disabled", "Anonymous sign-ins are disabled")
	case a.p.DisableSignup:
		return newAPIError(http.StatusUnprocessableEntity, "signup_disabled", "Signups not allowed for this instance")
	case body.Password == "":
		return newAPIError(http.StatusBadRequest, "validation_failed", "Signup requires a valid password")
	case len(body.Password) > 72:
		return newAPIError(http.StatusBadRequest, "validation_failed", "Password cannot be longer than 72 characters")
	case len(body.Password) < 6:
		return newWeakPasswordError("Password should be at least 6 characters.", "length")
	case body.Email != "" && body.Phone != "":
		return newAPIError(http.StatusBadRequest, "validation_failed", "Only an email address or phone number should be provided on signup.")
	case body.Email == "":
		return newAPIError(http.StatusBadRequest, "phone_provider_disabled", "Phone signups are disabled")
	case !emailRE.MatchString(body.Email):
		return newAPIError(http.StatusBadRequest, "validation_failed", "Unable to validate email address: invalid format")
	}
	now := a.now()
	if u, ok := a.store.byEmail(body.Email); ok {
		if !u.Confirmed {
			writeJSON(w, http.StatusOK, a.userJSON(u))
			return nil
		}
		// GoTrue signup.go sanitizeUser: a fresh ID, no identities, no
		// confirmation or sign-in times, role "".
		m := a.userJSON(user{ID: newUUID(), Email: u.Email, CreatedAt: now})
		m["role"], m["identities"] = "", []any{}
		delete(m, "last_sign_in_at")
		writeJSON(w, http.StatusOK, m)
		return nil
	}
	u, ae := a.store.addUser(body.Email, body.Password, false, nil, now)
	if ae != nil {
		return ae
	}
	writeJSON(w, http.StatusOK, a.userJSON(u))
	return nil
}

// emailRE is a loose email address check (GoTrue validateEmail also checks
// the length and, optionally, MX records).
var emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
