package supabaseref

import (
	"net/http"
	"strings"
	"time"
)

// errRefreshNotFound is GoTrue's answer to a refresh token it cannot find
// (or whose session or signature does not check out).
func errRefreshNotFound() *apiError {
	return newAPIError(http.StatusBadRequest, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found")
}

// errRefreshAlreadyUsed is GoTrue's answer to a refused reuse.
func errRefreshAlreadyUsed() *apiError {
	return newAPIError(http.StatusBadRequest, "refresh_token_already_used", "Invalid Refresh Token: Already Used")
}

// refresh runs the refresh_token grant for tok at now under rules p, the
// way GoTrue internal/tokens/service.go RefreshTokenGrant does, and sets
// GoTrue's sb-auth-* response headers on h (on refusals too). tok has passed
// validRefreshTokenShape. A 12-character token takes the v1 path whatever
// the configured algorithm version; a longer one the v2 path
// (internal/models/user.go FindUserWithRefreshToken).
func (s *store) refresh(tok string, now time.Time, p RefreshProfile, h http.Header) (grant, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.tokens) >= maxRefreshTokens {
		return grant{}, newAPIError(http.StatusTooManyRequests, "over_request_rate_limit", "Request rate limit reached")
	}
	if len(tok) == 12 {
		return s.refreshV1Locked(tok, now, p, h)
	}
	return s.refreshV2Locked(tok, now, p, h)
}

// refreshV1Locked is the v1 branch of GoTrue RefreshTokenGrant: tokens are
// rows chained by parent; s.mu is held.
//
//   - The session's active token (its newest non-revoked one) is revoked and
//     a child is issued (internal/models/refresh_token.go
//     GrantRefreshTokenSwap).
//   - A revoked token that is the parent of the active one is answered with
//     the active token again, no new token ("the client was not able to
//     store the result"), at any time.
//   - Any other revoked token is swapped like an active one while within
//     ReuseInterval after it was revoked (its updated_at); later the grant
//     fails with refresh_token_already_used and, with rotation on, every
//     non-revoked token of the session is revoked (RevokeTokenFamily), the
//     session itself staying alive.
func (s *store) refreshV1Locked(tok string, now time.Time, p RefreshProfile, h http.Header) (grant, *apiError) {
	rt, ok := s.tokens[tok]
	if !ok {
		return grant{}, errRefreshNotFound()
	}
	sess, ok := s.sessions[rt.sessionID]
	u, uok := s.byID[rt.userID]
	if !uok {
		return grant{}, errRefreshNotFound()
	}
	h.Set("sb-auth-user-id", u.ID)
	if !ok {
		// GoTrue destroys a token whose session is gone.
		delete(s.tokens, tok)
		return grant{}, newAPIError(http.StatusBadRequest, "session_not_found", "Invalid Refresh Token: No Valid Session Found")
	}
	h.Set("sb-auth-session-id", sess.id)

	var issued string
	if rt.revoked && !p.AcceptAnyReuse {
		active := s.activeTokenLocked(sess.id)
		parentOfActive := active != nil && active.parent == rt.token
		switch {
		case parentOfActive && !p.MintOnReuse:
			issued = active.token
		case parentOfActive:
			// MintOnReuse: swapped below like any allowed reuse.
		case now.After(rt.updatedAt.Add(p.ReuseInterval)):
			if !p.RotationDisabled && !p.NoFamilyRevocation {
				for _, t := range s.tokens {
					if t.sessionID == sess.id && !t.revoked {
						t.revoked, t.updatedAt = true, now
					}
				}
			}
			return grant{}, errRefreshAlreadyUsed()
		}
	}
	if issued == "" {
		rt.revoked, rt.updatedAt = true, now
		issued = s.newRefreshTokenLocked(sess, rt.token, now).token
		h.Set("sb-auth-refresh-token-reuse", "false")
	}
	h.Set("sb-auth-refresh-token-prefix", issued[:5])
	sess.refreshedAt = now
	return grant{user: *u, sessionID: sess.id, signedInAt: sess.createdAt, refreshToken: issued}, nil
}

// activeTokenLocked is GoTrue Session.FindCurrentlyActiveRefreshToken: the
// session's non-revoked token with the highest id, or nil.
func (s *store) activeTokenLocked(sid string) *refreshToken {
	var active *refreshToken
	for _, t := range s.tokens {
		if t.sessionID == sid && !t.revoked && (active == nil || t.id > active.id) {
			active = t
		}
	}
	return active
}

// refreshV2Locked is the v2 branch of GoTrue RefreshTokenGrant: a token is
// (session, counter) signed with the session's key; s.mu is held.
//
//   - counter equal to the session's: the counter advances and the next
//     token is issued.
//   - one behind (the parent of the active token): allowed, cause
//     "fail-to-save"; within ReuseInterval of the session's last refresh,
//     any earlier token is allowed too, cause "concurrent-refresh"; with
//     AllowReuse any, cause "always-allow". An allowed reuse returns the
//     active token (same counter, so the same string) and the causes go in
//     sb-auth-refresh-token-reuse-cause.
//   - otherwise refresh_token_already_used and, with rotation on, the whole
//     session is deleted (models.LogoutSession): its refresh tokens are then
//     not found and its access tokens get 403 session_not_found.
func (s *store) refreshV2Locked(tok string, now time.Time, p RefreshProfile, h http.Header) (grant, *apiError) {
	t, ok := parseV2RefreshToken(tok)
	if !ok {
		return grant{}, errRefreshNotFound()
	}
	sess, ok := s.sessions[uuidString(t.session)]
	if !ok || !sess.v2 || !t.signedBy(sess.hmacKey) {
		return grant{}, errRefreshNotFound()
	}
	u, ok := s.byID[sess.userID]
	if !ok {
		return grant{}, errRefreshNotFound()
	}
	h.Set("sb-auth-user-id", u.ID)
	h.Set("sb-auth-session-id", sess.id)

	switch diff := sess.counter - t.counter; {
	case diff < 0:
		return grant{}, newAPIError(http.StatusBadRequest, "validation_failed", "Invalid Refresh Token: Not Issued By This Server")
	case diff == 0 || p.AcceptAnyReuse:
		sess.counter++
		h.Set("sb-auth-refresh-token-reuse", "false")
	default:
		notSaved := diff == 1
		concurrent := now.Sub(sess.lastRefreshedAt()).Abs() < p.ReuseInterval
		var causes []string
		if concurrent {
			causes = append(causes, "concurrent-refresh")
		}
		if notSaved {
			causes = append(causes, "fail-to-save")
		}
		if p.AllowReuse {
			causes = append(causes, "always-allow")
		}
		if len(causes) > 0 {
			h.Set("sb-auth-refresh-token-reuse-cause", strings.Join(causes, ","))
		}
		switch {
		case notSaved && p.MintOnReuse:
			sess.counter++
		case notSaved || concurrent || p.AllowReuse:
			// The active token again: the counter stays.
		case !p.RotationDisabled && !p.NoFamilyRevocation:
			s.deleteSessionLocked(sess.id)
			h.Set("sb-auth-refresh-token-rotated", "true")
			return grant{}, errRefreshAlreadyUsed()
		default:
			return grant{}, errRefreshAlreadyUsed()
		}
	}
	setCounterHeader(h, sess.counter)
	sess.refreshedAt = now
	issued := encodeV2RefreshToken(sess.uuid, sess.counter, sess.hmacKey)
	return grant{user: *u, sessionID: sess.id, signedInAt: sess.createdAt, refreshToken: issued}, nil
}
