package supabaseref

import (
	"net/http"
	"time"
)

func (a *authAPI) token(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Email        string `json:"email"`
		Password     string `json:"password"`
		RefreshToken string `json:"refresh_token"`
	}
	grant := r.URL.Query().Get("grant_type")
	if grant != "password" && grant != "refresh_token" {
		return newAPIError(http.StatusBadRequest, "invalid_credentials", "unsupported_grant_type")
	}
	if err := readJSON(r, &body); err != nil {
		return err
	}
	now := a.now()
	var (
		u       user
		sid, rt string
		ae      *apiError
	)
	if grant == "password" {
		if body.Email == "" {
			return newAPIError(http.StatusBadRequest, "validation_failed", "missing email or phone")
		}
		u, sid, rt, ae = a.store.signIn(body.Email, body.Password, now)
	} else {
		if body.RefreshToken == "" {
			return newAPIError(http.StatusBadRequest, "validation_failed", "refresh_token required")
		}
		u, sid, rt, ae = a.store.refresh(body.RefreshToken)
	}
	if ae != nil {
		return ae
	}
	access, exp, err := a.mintAccessToken(u, sid, now)
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
	}{access, "bearer", int64(a.lifetime / time.Second), exp.Unix(), rt, a.userJSON(u)})
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
		"user_metadata": map[string]any{},
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
