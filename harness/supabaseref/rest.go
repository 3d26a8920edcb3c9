package supabaseref

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/golang-jwt/jwt/v5"
)

// postgrestSkew is the clock skew PostgREST allows on exp, nbf and iat
// (src/library/PostgREST/Auth/Jwt.hs allowedSkewSeconds; v12:
// JWT.allowedSkew 30).
const postgrestSkew = 30 * time.Second

// postgrest is the minimal PostgREST behind /rest/v1: it verifies the JWT
// it is handed against PGRST_JWT_SECRET, which the self-hosted compose sets
// to ${JWT_JWKS:-${JWT_SECRET}} (the legacy secret, plus the asymmetric
// public key in a new-key setup), uses its anon role when it gets no
// bearer token (PGRST_DB_ANON_ROLE: anon), and answers the root with an
// OpenAPI document. It has no tables.
type postgrest struct {
	p    Profile
	keys *signingKeys
	now  func() time.Time
	host string // the host:port the OpenAPI document names
}

// pgrstError is PostgREST's error body: code, details, hint, message.
type pgrstError struct {
	status  int
	Code    string  `json:"code"`
	Details *string `json:"details"`
	Hint    *string `json:"hint"`
	Message string  `json:"message"`
}

// newPgrstError returns a PostgREST error; details may be "" for null.
func newPgrstError(status int, code, message, details string) *pgrstError {
	e := &pgrstError{status: status, Code: code, Message: message}
	if details != "" {
		e.Details = &details
	}
	return e
}

// version is the PostgREST major version modelled.
func (pg *postgrest) version() int {
	if pg.p.REST.PostgRESTVersion == 0 {
		return 14
	}
	return pg.p.REST.PostgRESTVersion
}

// serve answers a request for path (below /rest/v1). Authentication comes
// first, as in PostgREST (App.hs runs Auth.getAuthResult before routing).
func (pg *postgrest) serve(w http.ResponseWriter, r *http.Request, path string) {
	if token, ok := bearerAuth(r.Header.Get("Authorization")); ok {
		if e := pg.verify(token); e != nil {
			pg.writeError(w, e, true)
			return
		}
	}
	if path != "/" {
		table, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
		pg.writeError(w, newPgrstError(http.StatusNotFound, "PGRST205",
			"Could not find the table 'public."+table+"' in the schema cache", ""), false)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		pg.writeError(w, newPgrstError(http.StatusMethodNotAllowed, "PGRST117", "Unsupported HTTP method: "+r.Method, ""), false)
		return
	}
	b, err := json.Marshal(pg.openAPI())
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/openapi+json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// bearerAuth is wai-extra's extractBearerAuth, which PostgREST uses: the
// first word, in any case, must be "bearer"; the token is what follows it
// after any white space (possibly empty).
func bearerAuth(h string) (string, bool) {
	i := strings.IndexFunc(h, unicode.IsSpace)
	if i < 0 {
		i = len(h)
	}
	if !strings.EqualFold(h[:i], "bearer") {
		return "", false
	}
	return strings.TrimLeftFunc(h[i:], unicode.IsSpace), true
}

// verify checks token the way PostgREST does (v13+:
// src/library/PostgREST/Auth/Jwt.hs parseToken and checkForErrors; v12:
// src/PostgREST/Auth.hs parseToken, hs-jose), returning its 401 error.
func (pg *postgrest) verify(token string) *pgrstError {
	v12 := pg.version() < 13
	decodeErr := func(msg, details string) *pgrstError {
		return newPgrstError(http.StatusUnauthorized, "PGRST301", msg, details)
	}
	if token == "" {
		if v12 {
			return nil // v12: an empty token is no token (the anon role)
		}
		return decodeErr("Empty JWT is sent in Authorization header", "")
	}
	if n := strings.Count(token, ".") + 1; n != 3 {
		if v12 {
			return decodeErr(fmt.Sprintf("JWSError (CompactDecodeError Invalid number of parts: Expected 3 parts; got %d)", n), "")
		}
		return decodeErr(fmt.Sprintf("Expected 3 parts in JWT; got %d", n), "")
	}
	if alg := headerAlg(token); strings.EqualFold(alg, "none") {
		if v12 {
			return decodeErr("JWSError JWSInvalidSignature", "")
		}
		return decodeErr("Wrong or unsupported encoding algorithm", "JWT is unsecured but expected 'alg' was not 'none'")
	}
	claims := jwt.MapClaims{}
	_, err := jwt.NewParser(jwt.WithoutClaimsValidation()).ParseWithClaims(token, claims, pg.keys.postgrestKeyFunc)
	switch {
	case err == nil:
	case v12:
		return decodeErr("JWSError JWSInvalidSignature", "")
	case errors.Is(err, jwt.ErrTokenMalformed):
		return decodeErr("JWT cryptographic operation failed", "")
	default:
		return decodeErr("No suitable key or wrong key type", "None of the keys was able to decode the JWT")
	}
	return pg.checkClaims(claims, v12)
}

// checkClaims applies PostgREST's time claims with its skew: exp, then nbf,
// then iat (no audience is configured in Supabase's PostgREST).
func (pg *postgrest) checkClaims(c jwt.MapClaims, v12 bool) *pgrstError {
	now := pg.now().Unix()
	skew := int64(postgrestSkew / time.Second)
	claimErr := func(msg, v12msg string) *pgrstError {
		if v12 {
			return newPgrstError(http.StatusUnauthorized, "PGRST301", v12msg, "")
		}
		return newPgrstError(http.StatusUnauthorized, "PGRST303", msg, "")
	}
	checks := []struct {
		claim      string
		bad        func(t int64) bool
		msg, v12   string
		notNumber  string
		v12Invalid string
	}{
		{"exp", func(t int64) bool { return now-skew > t }, "JWT expired", "JWT expired",
			"The JWT 'exp' claim must be a number", "JWTClaimsSetDecodeError \"expected NumericDate\""},
		{"nbf", func(t int64) bool { return now+skew < t }, "JWT not yet valid", "JWTNotYetValid",
			"The JWT 'nbf' claim must be a number", "JWTClaimsSetDecodeError \"expected NumericDate\""},
		{"iat", func(t int64) bool { return now+skew < t }, "JWT issued at future", "JWTIssuedAtFuture",
			"The JWT 'iat' claim must be a number", "JWTClaimsSetDecodeError \"expected NumericDate\""},
	}
	for _, ch := range checks {
		v, ok := c[ch.claim]
		if !ok || v == nil {
			continue
		}
		f, isNum := v.(float64)
		if !isNum {
			return claimErr(ch.notNumber, ch.v12Invalid)
		}
		if ch.bad(int64(f)) {
			return claimErr(ch.msg, ch.v12)
		}
	}
	return nil
}

// headerAlg is the alg of token's header, or "" when it cannot be read.
func headerAlg(token string) string {
	h, _, _ := strings.Cut(token, ".")
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		return ""
	}
	var hdr struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(b, &hdr) != nil {
		return ""
	}
	return hdr.Alg
}

// writeError writes e as PostgREST does: JSON with charset, a
// WWW-Authenticate challenge on JWT errors, and (v13+) Proxy-Status.
func (pg *postgrest) writeError(w http.ResponseWriter, e *pgrstError, jwtErr bool) {
	b, err := json.Marshal(e)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	if jwtErr {
		h.Set("WWW-Authenticate", fmt.Sprintf("Bearer error=\"invalid_token\", error_description=%q", e.Message))
	}
	if pg.version() >= 13 {
		h.Set("Proxy-Status", "PostgREST; error="+e.Code)
	}
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.status)
	_, _ = w.Write(b)
}

// openAPI is the root document: PostgREST's Swagger 2.0 description
// (src/library/PostgREST/Response/OpenAPI.hs postgrestSpec) of an empty
// public schema with Supabase's schema comment as its title.
func (pg *postgrest) openAPI() map[string]any {
	mimes := []string{"application/json", "application/vnd.pgrst.object+json;nulls=stripped", "application/vnd.pgrst.object+json", "text/csv"}
	version := strconv.Itoa(pg.version())
	return map[string]any{
		"swagger": "2.0",
		"info": map[string]any{
			"description": "",
			"title":       "standard public schema",
			"version":     version,
		},
		"host":     pg.host,
		"basePath": "/",
		"schemes":  []string{"http"},
		"consumes": mimes,
		"produces": mimes,
		"paths": map[string]any{
			"/": map[string]any{
				"get": map[string]any{
					"tags":      []string{"Introspection"},
					"summary":   "OpenAPI description (this document)",
					"produces":  []string{"application/openapi+json", "application/json"},
					"responses": map[string]any{"200": map[string]any{"description": "OK"}},
				},
			},
		},
		"definitions": map[string]any{},
		"parameters":  map[string]any{},
		"externalDocs": map[string]any{
			"description": "PostgREST Documentation",
			"url":         "https://postgrest.org/en/v" + version + "/references/api.html",
		},
	}
}
