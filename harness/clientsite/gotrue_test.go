package clientsite_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mfconform/mfconform/harness/pki"
)

// fakeGoTrue is a tiny stand-in for Supabase's auth API behind Kong, enough
// for supabase-js's password sign-in, getUser, refresh and sign-out. With
// cors it answers like Kong's cors plugin; without, it sends no CORS headers.
// With hang, token requests get no answer until the client gives up.
type fakeGoTrue struct {
	URL      string
	cors     bool
	hang     bool
	userID   string
	email    string
	password string

	mu       sync.Mutex
	n        int                 // tokens issued
	preflied map[string][]string // path -> Access-Control-Request-Headers seen
}

func startFakeGoTrue(t *testing.T, host string, ca *pki.Authority, cors, hang bool) *fakeGoTrue {
	t.Helper()
	f := &fakeGoTrue{cors: cors, hang: hang, userID: "4f1c1f8e-0000-4000-8000-000000000001", email: "ada@acme.test",
		password: "correct horse battery", preflied: map[string][]string{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("Listen() error = %v", err)
	}
	srv := &http.Server{Handler: f, TLSConfig: ca.ServerTLS(), ReadHeaderTimeout: 5 * time.Second}
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() { srv.Close() })
	f.URL = fmt.Sprintf("https://%s:%d", host, ln.Addr().(*net.TCPAddr).Port)
	return f
}

func (f *fakeGoTrue) preflightHeaders(path string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.preflied[path]...)
}

func (f *fakeGoTrue) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.cors {
		w.Header().Set("Access-Control-Allow-Origin", "*")
	}
	if r.Method == http.MethodOptions {
		f.mu.Lock()
		f.preflied[r.URL.Path] = append(f.preflied[r.URL.Path], strings.ToLower(r.Header.Get("Access-Control-Request-Headers")))
		f.mu.Unlock()
		if f.cors {
			w.Header().Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS")
			w.Header().Set("Access-Control-Allow-Headers", r.Header.Get("Access-Control-Request-Headers"))
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	switch {
	case r.Method == "GET" && r.URL.Path == "/auth/v1/settings":
		writeJSON(w, 200, map[string]any{"external": map[string]bool{"email": true}})
	case r.Method == "POST" && r.URL.Path == "/auth/v1/token" && f.hang:
		<-r.Context().Done()
	case r.Method == "POST" && r.URL.Path == "/auth/v1/token":
		var body struct {
			Email        string `json:"email"`
			Password     string `json:"password"`
			RefreshToken string `json:"refresh_token"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		switch r.URL.Query().Get("grant_type") {
		case "password":
			if body.Email != f.email || body.Password != f.password {
				writeJSON(w, 400, map[string]any{"code": 400, "error_code": "invalid_credentials", "msg": "Invalid login credentials"})
				return
			}
		case "refresh_token":
			if !strings.HasPrefix(body.RefreshToken, "rt-") {
				writeJSON(w, 400, map[string]any{"code": 400, "error_code": "refresh_token_not_found", "msg": "Invalid Refresh Token"})
				return
			}
		}
		writeJSON(w, 200, f.session())
	case r.Method == "GET" && r.URL.Path == "/auth/v1/user":
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ey") {
			writeJSON(w, 401, map[string]any{"code": 401, "error_code": "no_authorization", "msg": "no token"})
			return
		}
		writeJSON(w, 200, f.user())
	case r.Method == "POST" && r.URL.Path == "/auth/v1/logout":
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeGoTrue) user() map[string]any {
	return map[string]any{"id": f.userID, "aud": "authenticated", "role": "authenticated", "email": f.email,
		"app_metadata": map[string]any{"provider": "email"}, "user_metadata": map[string]any{}}
}

func (f *fakeGoTrue) session() map[string]any {
	f.mu.Lock()
	f.n++
	n := f.n
	f.mu.Unlock()
	now := time.Now().Unix()
	enc := base64.RawURLEncoding.EncodeToString
	claims, _ := json.Marshal(map[string]any{"sub": f.userID, "aud": "authenticated", "role": "authenticated",
		"email": f.email, "iat": now, "exp": now + 3600, "session_id": "s1", "n": n})
	at := enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc(claims) + "." + enc([]byte(fmt.Sprintf("sig-%d", n)))
	return map[string]any{"access_token": at, "token_type": "bearer", "expires_in": 3600, "expires_at": now + 3600,
		"refresh_token": fmt.Sprintf("rt-%d", n), "user": f.user()}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
