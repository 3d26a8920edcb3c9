package supabaseref

import (
	"crypto/subtle"
	"net/http"
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
}

// refreshToken is one refresh token of a session.
type refreshToken struct {
	sessionID string
	used      bool
}

// session is a signed-in session of a user.
type session struct {
	userID string
}

// store is the concurrency-safe in-memory user, session and refresh token
// store.
type store struct {
	mu       sync.Mutex
	users    map[string]*user // by lower-case email
	byID     map[string]*user
	sessions map[string]session
	tokens   map[string]*refreshToken
}

func newStore() *store {
	return &store{
		users:    map[string]*user{},
		byID:     map[string]*user{},
		sessions: map[string]session{},
		tokens:   map[string]*refreshToken{},
	}
}

// addUser stores a new user, failing with user_already_exists or when the
// store is full.
func (s *store) addUser(email, password string, confirmed bool, now time.Time) (user, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := strings.ToLower(email)
	if _, ok := s.users[k]; ok {
		return user{}, newAPIError(http.StatusUnprocessableEntity, "user_already_exists", "User already registered")
	}
	if len(s.users) >= maxUsers {
		return user{}, newAPIError(http.StatusTooManyRequests, "over_request_rate_limit", "Request rate limit reached")
	}
	u := &user{ID: newUUID(), Email: email, Password: password, Confirmed: confirmed, CreatedAt: now}
	s.users[k], s.byID[u.ID] = u, u
	return *u, nil
}

// signIn checks email and password and opens a session, returning the user,
// the session ID and its first refresh token.
func (s *store) signIn(email, password string, now time.Time) (user, string, string, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[strings.ToLower(email)]
	if !ok || subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) != 1 {
		return user{}, "", "", newAPIError(http.StatusBadRequest, "invalid_credentials", "Invalid login credentials")
	}
	if !u.Confirmed {
		return user{}, "", "", newAPIError(http.StatusBadRequest, "email_not_confirmed", "Email not confirmed")
	}
	if len(s.tokens) >= maxRefreshTokens {
		return user{}, "", "", newAPIError(http.StatusTooManyRequests, "over_request_rate_limit", "Request rate limit reached")
	}
	u.LastSignIn = now
	sid := newUUID()
	s.sessions[sid] = session{userID: u.ID}
	rt := s.newRefreshTokenLocked(sid)
	return *u, sid, rt, nil
}

// refresh spends refresh token tok (usable once) and returns the user, the
// session ID and the session's next refresh token.
func (s *store) refresh(tok string) (user, string, string, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt, ok := s.tokens[tok]
	if !ok {
		return user{}, "", "", newAPIError(http.StatusBadRequest, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found")
	}
	if rt.used {
		return user{}, "", "", newAPIError(http.StatusBadRequest, "refresh_token_already_used", "Invalid Refresh Token: Already Used")
	}
	sess, ok := s.sessions[rt.sessionID]
	if !ok {
		return user{}, "", "", newAPIError(http.StatusBadRequest, "session_not_found", "Invalid Refresh Token: Session Not Found")
	}
	u, ok := s.byID[sess.userID]
	if !ok {
		return user{}, "", "", newAPIError(http.StatusBadRequest, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found")
	}
	if len(s.tokens) >= maxRefreshTokens {
		return user{}, "", "", newAPIError(http.StatusTooManyRequests, "over_request_rate_limit", "Request rate limit reached")
	}
	rt.used = true
	return *u, rt.sessionID, s.newRefreshTokenLocked(rt.sessionID), nil
}

// newRefreshTokenLocked issues a refresh token for session sid; s.mu is held.
func (s *store) newRefreshTokenLocked(sid string) string {
	for {
		t := randomString(lowerAlnum, 12)
		if _, dup := s.tokens[t]; !dup {
			s.tokens[t] = &refreshToken{sessionID: sid}
			return t
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
// "others": all but sid) and deletes their refresh tokens.
func (s *store) logout(userID, sid, scope string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ended := map[string]bool{}
	for id, sess := range s.sessions {
		if sess.userID != userID {
			continue
		}
		if scope == "global" || (scope == "local" && id == sid) || (scope == "others" && id != sid) {
			ended[id] = true
			delete(s.sessions, id)
		}
	}
	for t, rt := range s.tokens {
		if ended[rt.sessionID] {
			delete(s.tokens, t)
		}
	}
}
