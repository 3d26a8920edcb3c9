package supabaseref

import (
	"net/http"
	"time"
)

// token is POST /token (GoTrue internal/api/token.go Token): the grant type
// is checked before the body is read; password and refresh_token grants.
func (a *authAPI) token(w http.ResponseWriter, r *http.Request) error {
	grantType := r.URL.Query().Get("grant_type")
	if grantType != "password" && grantType != "refresh_token" {
		return newAPIError(http.StatusBadRequest, "invalid_credentials", "unsupported_grant_type")
	}
	var body struct {
		Email        string `json:"email"`
		Phone        string `json:"phone"`
		Password     string `json:"password"`
		RefreshToken string `json:"refresh_token"`
	}
	if err := readJSON(r, &body); err != nil {
		return err
	}
	now := a.now()
	var (
		g  grant
		ae *apiError
	)
	if grantType == "password" {
		// GoTrue ResourceOwnerPasswordGrant: an email or a phone; the
		// phone provider is off (as /settings says).
		switch {
		case body.Email != "" && body.Phone != "":
			return newAPIError(http.StatusBadRequest, "validation_failed", "Only an email address or phone number should be provided on login.")
		case body.Email == "" && body.Phone == "":
			return newAPIError(http.StatusBadRequest, "validation_failed", "missing email or phone")
		case body.Email == "":
			return newAPIError(http.StatusUnprocessableEntity, "phone_provider_disabled", "Phone logins are disabled")
		}
		g, ae = a.store.signIn(body.Email, body.Password, now, a.p.Refresh.AlgorithmVersion, w.Header())
	} else {
		// GoTrue internal/api/token_refresh.go RefreshTokenGrantParams.Validate.
		if !validRefreshTokenShape(body.RefreshToken) {
			return newAPIError(http.StatusBadRequest, "validation_failed", "Refresh token is not valid")
		}
		g, ae = a.store.refresh(body.RefreshToken, now, a.p.Refresh, w.Header())
	}
	if ae != nil {
		return ae
	}
	access, exp, err := a.mintAccessToken(g, now)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		AccessToken  string         `json:"access_token"`
		TokenType    string         `json:"token_type"`
		ExpiresIn    int64          `json:"expires_in"`
		ExpiresAt    int64          `json:"expires_at"`
		RefreshToken string         `json:"refresh_token"`
		User         map[string]any `json:"user"`
	}{access, "bearer", exp.Unix() - now.Unix(), exp.Unix(), g.refreshToken, a.userJSON(g.user)})
	return nil
}

// userJSON is GoTrue's user object for u.
func (a *authAPI) userJSON(u user) map[string]any {
	ts := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	created := ts(u.CreatedAt)
	m := map[string]any{
		"id":            u.ID,
		"aud":           a.aud,
		"role":          "authenticated",
		"email":         u.Email,
		"phone":         "",
		"app_metadata":  map[string]any{"provider": "email", "providers": []string{"email"}},
		"user_metadata": u.metadata(),
		"identities": []map[string]any{{
			"identity_id": u.ID, "id": u.ID, "user_id": u.ID, "provider": "email", "email": u.Email,
			"identity_data": map[string]any{"email": u.Email, "email_verified": u.Confirmed, "phone_verified": false, "sub": u.ID},
			"created_at":    created, "updated_at": created, "last_sign_in_at": created,
		}},
		"created_at":   created,
		"updated_at":   created,
		"is_anonymous": false,
	}
	if u.Confirmed {
		m["email_confirmed_at"], m["confirmed_at"] = created, created
	} else {
		m["confirmation_sent_at"] = created
	}
	if !u.LastSignIn.IsZero() {
		m["last_sign_in_at"] = ts(u.LastSignIn)
	}
	return m
}
