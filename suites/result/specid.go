package result

import "strings"

// SpecID is a spec's stable identifier, MODE-AREA-NNN (JWT-COOKIE-001).
// Like a diagnostic code it is never renamed; the constants below are the
// only place an ID is written, so the fixtures, the judgments, the reports'
// tests and the waivers' checks name specs by constant and a misspelt one
// does not compile (TestSpecIDsAreConstants keeps literals out).
type SpecID string

// JWT mode: the cookie the backend sets.
const (
	JWTCookie001 SpecID = "JWT-COOKIE-001"
	JWTCookie002 SpecID = "JWT-COOKIE-002"
	JWTCookie003 SpecID = "JWT-COOKIE-003"
	JWTCookie004 SpecID = "JWT-COOKIE-004"
	JWTCookie005 SpecID = "JWT-COOKIE-005"
	JWTCookie006 SpecID = "JWT-COOKIE-006"
	JWTCookie007 SpecID = "JWT-COOKIE-007"
	JWTCookie008 SpecID = "JWT-COOKIE-008"
	JWTCookie009 SpecID = "JWT-COOKIE-009"
	JWTCookie010 SpecID = "JWT-COOKIE-010"
)

// JWT mode: the token inside the cookie.
const (
	JWTToken001 SpecID = "JWT-TOKEN-001"
	JWTToken002 SpecID = "JWT-TOKEN-002"
	JWTToken003 SpecID = "JWT-TOKEN-003"
	JWTToken004 SpecID = "JWT-TOKEN-004"
	JWTToken005 SpecID = "JWT-TOKEN-005"
	JWTToken006 SpecID = "JWT-TOKEN-006"
	JWTToken007 SpecID = "JWT-TOKEN-007"
	JWTToken008 SpecID = "JWT-TOKEN-008"
	JWTToken009 SpecID = "JWT-TOKEN-009"
	JWTToken010 SpecID = "JWT-TOKEN-010"
)

// JWT mode: the app's verifier.
const (
	JWTApp001 SpecID = "JWT-APP-001"
	JWTApp002 SpecID = "JWT-APP-002"
	JWTApp003 SpecID = "JWT-APP-003"
	JWTApp004 SpecID = "JWT-APP-004"
	JWTApp005 SpecID = "JWT-APP-005"
	JWTApp006 SpecID = "JWT-APP-006"
	JWTApp007 SpecID = "JWT-APP-007"
	JWTApp008 SpecID = "JWT-APP-008"
	JWTApp009 SpecID = "JWT-APP-009"
	JWTApp010 SpecID = "JWT-APP-010"
)

// Supabase mode: NEXT_PUBLIC_SUPABASE_URL.
const (
	SBConfig001 SpecID = "SB-CONFIG-001"
	SBConfig002 SpecID = "SB-CONFIG-002"
)

// Supabase mode: NEXT_PUBLIC_SUPABASE_KEY.
const (
	SBKey001 SpecID = "SB-KEY-001"
	SBKey002 SpecID = "SB-KEY-002"
	SBKey003 SpecID = "SB-KEY-003"
	SBKey004 SpecID = "SB-KEY-004"
	SBKey005 SpecID = "SB-KEY-005"
	SBKey006 SpecID = "SB-KEY-006"
)

// Supabase mode: supabase-js in Chromium.
const (
	SBBrowser001 SpecID = "SB-BROWSER-001"
	SBBrowser002 SpecID = "SB-BROWSER-002"
)

// Supabase mode: the session tokens.
const (
	SBSession001 SpecID = "SB-SESSION-001"
	SBSession002 SpecID = "SB-SESSION-002"
	SBSession003 SpecID = "SB-SESSION-003"
	SBSession004 SpecID = "SB-SESSION-004"
	SBSession005 SpecID = "SB-SESSION-005"
	SBSession006 SpecID = "SB-SESSION-006"
)

// Supabase mode: the session in the browser's cookies.
const (
	SBCookie001 SpecID = "SB-COOKIE-001"
	SBCookie002 SpecID = "SB-COOKIE-002"
	SBCookie003 SpecID = "SB-COOKIE-003"
	SBCookie004 SpecID = "SB-COOKIE-004"
	SBCookie005 SpecID = "SB-COOKIE-005"
	SBCookie006 SpecID = "SB-COOKIE-006"
	SBCookie007 SpecID = "SB-COOKIE-007"
	SBCookie008 SpecID = "SB-COOKIE-008"
)

// JoinIDs joins spec IDs with sep, as strings.Join does strings.
func JoinIDs(ids []SpecID, sep string) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = string(id)
	}
	return strings.Join(s, sep)
}
