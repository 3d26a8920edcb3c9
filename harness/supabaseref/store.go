package supabaseref

import (
	"crypto/rand"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Store limits: the reference never grows without bound.
const (
	maxUsers         = 1000
	maxRefreshTokens = 100000
)

// user is a stored user. Values are copied out of the store.
type user struct {
	ID         string
	Email      string
	Password   string
	Confirmed  bool
	CreatedAt  time.Time
	LastSignIn time.Time
	// Metadata is raw_user_meta_data: the user's user_metadata, also
	// copied into every access token (GoTrue AccessTokenClaims.UserMetaData).
	Metadata map[string]any
}

// metadata is u's user_metadata, {} when it has none (GoTrue never sends null).
func (u user) metadata() map[string]any {
	if u.Metadata == nil {
		return map[string]any{}
	}
	return u.Metadata
}

// refreshToken is one v1 refresh token: a row of GoTrue's refresh_tokens
// table (internal/models/refresh_token.go RefreshToken).
type refreshToken struct {
	id        int64 // serial: the session's active token is its highest non-revoked id
	token     string
	userID    string
	sessionID string
	parent    string
	revoked   bool
	updatedAt time.Time // set on every update, so on revocation
}

// session is a signed-in session of a user (GoTrue internal/models/
// sessions.go Session).
type session struct {
	id     string
	uuid   [16]byte
	userID string
	// createdAt is when the session was opened by the password sign-in; it
	// is also the timestamp of its password AMR entry.
	createdAt time.Time
	// refreshedAt is the last successful refresh; zero before the first.
	refreshedAt time.Time
	// v2 is set for sessions opened with refresh token algorithm v2, which
	// carry an HMAC key and a counter instead of token rows.
	v2      bool
	hmacKey []byte
	counter int64
}

// lastRefreshedAt is GoTrue Session.LastRefreshedAt(nil): the last refresh,
// or the creation before the first.
func (s *session) lastRefreshedAt() time.Time {
	if s.refreshedAt.IsZero() {
		return s.createdAt
	}
	return s.refreshedAt
}

// store is the concurrency-safe in-memory user, session and refresh token
// store.
type store struct {
	mu          sync.Mutex
	users       map[string]*user // by lower-case email
	byID        map[string]*user
	sessions    map[string]*session
	tokens      map[string]*refreshToken
	nextTokenID int64
}

func newStore() *store {
	return &store{
		users:    map[string]*user{},
		byID:     map[string]*user{},
		sessions: map[string]*session{},
		tokens:   map[string]*refreshToken{},
	}
}

// addUser stores a new user, failing with user_already_exists or when the
// store is full.
func (s *store) addUser(email, password string, confirmed bool, metadata map[string]any, now time.Time) (user, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := strings.ToLower(email)
	if _, ok := s.users[k]; ok {
		return user{}, newAPIError(http.StatusUnprocessableEntity, "user_already_exists", "User already registered")
	}
	if len(s.users) >= maxUsers {
		return user{}, newAPIError(http.StatusTooManyRequests, "over_request_rate_limit", "Request rate limit reached")
	}
	u := &user{ID: newUUID(), Email: email, Password: password, Confirmed: confirmed, CreatedAt: now, Metadata: metadata}
	s.users[k], s.byID[u.ID] = u, u
	return *u, nil
}

// byEmail returns the user with email (case-insensitive).
func (s *store) byEmail(email string) (user, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[strings.ToLower(email)]
	if !ok {
		return user{}, false
	}
	return *u, true
}

// grant is what a successful token grant hands back: the user, the session
// (its ID and sign-in time) and the refresh token to return.
type grant struct {
	user         user
	sessionID    string
	signedInAt   time.Time
	refreshToken string
}

// signIn checks email and password and opens a session with its first
// refresh token, the way GoTrue internal/tokens/service.go
// IssueRefreshToken does for algorithm version (a v1 token row, or a v2
// session key and counter 0). It sets GoTrue's sb-auth-* response headers
// on h.
func (s *store) signIn(email, password string, now time.Time, version int, h http.Header) (grant, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[strings.ToLower(email)]
	if !ok || subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) != 1 {
		return grant{}, newAPIError(http.StatusBadRequest, "invalid_credentials", "Invalid login credentials")
	}
	if !u.Confirmed {
		return grant{}, newAPIError(http.StatusBadRequest, "email_not_confirmed", "Email not confirmed")
	}
	if len(s.tokens) >= maxRefreshTokens || len(s.sessions) >= maxRefreshTokens {
		return grant{}, newAPIError(http.StatusTooManyRequests, "over_request_rate_limit", "Request rate limit reached")
	}
	h.Set("sb-auth-user-id", u.ID)
	u.LastSignIn = now
	sess := &session{id: newUUID(), userID: u.ID, createdAt: now}
	sess.uuid, _ = parseUUID(sess.id)
	s.sessions[sess.id] = sess
	h.Set("sb-auth-session-id", sess.id)
	var rt string
	if version == 2 {
		sess.v2, sess.hmacKey = true, make([]byte, 32)
		_, _ = rand.Read(sess.hmacKey)
		rt = encodeV2RefreshToken(sess.uuid, sess.counter, sess.hmacKey)
		h.Set("sb-auth-refresh-token-counter", "0")
	} else {
		rt = s.newRefreshTokenLocked(sess, "", now).token
		h.Set("sb-auth-refresh-token-prefix", rt[:5])
	}
	return grant{user: *u, sessionID: sess.id, signedInAt: sess.createdAt, refreshToken: rt}, nil
}

// newRefreshTokenLocked stores a new v1 refresh token of sess with parent;
// s.mu is held.
func (s *store) newRefreshTokenLocked(sess *session, parent string, now time.Time) *refreshToken {
	for {
		t := randomString(base32Lower, 12)
		if _, dup := s.tokens[t]; !dup {
			s.nextTokenID++
			rt := &refreshToken{id: s.nextTokenID, token: t, userID: sess.userID, sessionID: sess.id, parent: parent, updatedAt: now}
			s.tokens[t] = rt
			return rt
		}
	}
}

// lookup returns the user with id and whether session sid (when not empty)
// exists for them.
func (s *store) lookup(id, sid string) (u user, userOK, sessionOK bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.byID[id]
	if !ok {
		return user{}, false, false
	}
	sess, ok := s.sessions[sid]
	return *p, true, ok && sess.userID == id
}

// logout ends sessions of userID per scope ("global": all, "local": sid,
// "others": all but sid) and deletes their refresh tokens (the
// refresh_tokens rows go with their session).
func (s *store) logout(userID, sid, scope string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, sess := range s.sessions {
		if sess.userID != userID {
			continue
		}
		if scope == "global" || (scope == "local" && id == sid) || (scope == "others" && id != sid) {
			s.deleteSessionLocked(id)
		}
	}
}

// deleteSessionLocked deletes session id and its refresh tokens; s.mu is
// held.
func (s *store) deleteSessionLocked(id string) {
	delete(s.sessions, id)
	for t, rt := range s.tokens {
		if rt.sessionID == id {
			delete(s.tokens, t)
		}
	}
}

// setCounterHeader sets sb-auth-refresh-token-counter to n.
func setCounterHeader(h http.Header, n int64) {
	h.Set("sb-auth-refresh-token-counter", strconv.FormatInt(n, 10))
}
