package hostile

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// supabase answers as a hostile Supabase project: every path supabase-js
// and mfconform call (health, settings, JWKS, token, signup, user,
// logout, the data API) answers in the server's mode. CORS is granted to
// any origin, so the browser's client reads the answers and does not
// stop at the preflight. Modes made for a cookie (HugeSetCookie, Tamper,
// Storm) answer as Control.
func (s *Server) supabase(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	if o := r.Header.Get("Origin"); o != "" {
		h.Set("Access-Control-Allow-Origin", o)
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Set("Access-Control-Allow-Headers", "authorization, apikey, content-type, x-client-info, x-supabase-api-version")
		h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS")
	}
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	switch s.Mode {
	case HugeBody:
		s.huge(w, r)
		return
	case RedirectLoop:
		s.redirect(w, r)
		return
	case RedirectOut:
		switch p := r.URL.Path; {
		case p == "/auth/v1/health":
			// Supabase Auth's own answer, so the run goes on to the rest.
			writeJSON(w, http.StatusOK, map[string]any{"version": "v2.170.0", "name": "GoTrue",
				"description": "GoTrue is a user registration and authentication API"})
		case p == "/auth/v1/settings":
			writeJSON(w, http.StatusOK, map[string]any{"external": map[string]bool{"email": true}, "disable_signup": false, "mailer_autoconfirm": true})
		case strings.HasSuffix(p, "/.well-known/jwks.json"):
			writeJSON(w, http.StatusOK, map[string]any{"keys": []any{}})
		default:
			// The sign-in and everything after it, where the password and
			// the tokens go. 307 keeps the method and the body (RFC 9110
			// §15.4.8).
			http.Redirect(w, r, s.CanaryURL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
		}
		return
	case Drip:
		s.drip(w, r, false)
		return
	case HugeJWT, LargeJWT:
		// A session whose access token is the oversized one.
		if strings.HasPrefix(r.URL.Path, "/auth/v1/token") || strings.HasPrefix(r.URL.Path, "/auth/v1/signup") {
			writeJSON(w, http.StatusOK, map[string]any{
				"access_token": s.big, "token_type": "bearer", "expires_in": 3600,
				"expires_at": time.Now().Add(time.Hour).Unix(), "refresh_token": "hostile-refresh",
				"user": map[string]any{"id": "00000000-0000-4000-8000-000000000001", "aud": "authenticated", "role": "authenticated", "email": "user@hostile.test"},
			})
			return
		}
	}
	t := Texts[s.Mode]
	if t == "" {
		t = Texts[Control]
	}

	// In bodies only: Go's client refuses control characters in a header
	// outright, and the run would end at the first request.
	switch p := r.URL.Path; {
	case p == "/auth/v1/health":
		// Named as Supabase Auth names itself, so the run goes on to every
		// other answer; the rest of the health answer is hostile.
		writeJSON(w, http.StatusOK, map[string]any{"name": "GoTrue", "version": t, "description": t})
	case p == "/auth/v1/settings":
		writeJSON(w, http.StatusOK, map[string]any{"external": map[string]bool{t: true, "email": true}, "disable_signup": false,
			"mailer_autoconfirm": true, "phone_autoconfirm": false, "sms_provider": t, t: t})
	case strings.HasSuffix(p, "/.well-known/jwks.json"):
		writeJSON(w, http.StatusOK, map[string]any{"keys": []any{map[string]any{"kid": t, "kty": t, "alg": t, "use": t, "crv": t, "x": t, "y": t}}})
	case strings.HasPrefix(p, "/rest/v1"):
		writeJSON(w, http.StatusUnauthorized, map[string]any{"code": t, "message": t, "hint": t, "details": t})
	case p == "/auth/v1/user":
		writeJSON(w, http.StatusUnauthorized, map[string]any{"code": 401, "error_code": t, "msg": t})
	default:
		writeJSON(w, http.StatusBadRequest, map[string]any{"code": 400, "error_code": t, "msg": t, "error": t, "error_description": t})
	}
}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
