package sbcheck

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// MaxCookieSize is what Chromium accepts of one cookie's name plus value
// (net/cookies/parsed_cookie.h kMaxCookieNamePlusValueSize; RFC 6265bis
// §5.6 step 2).
const MaxCookieSize = 4096

// SSRChunkSize is the length past which @supabase/ssr splits a session
// value into chunks, measured on encodeURIComponent(value)
// (utils/chunker.js MAX_CHUNK_SIZE).
const SSRChunkSize = 3180

// StorageKey is the name supabase-js stores the session under for a project
// ref — in localStorage, and with @supabase/ssr as the cookie name:
// `sb-${hostname.split(".")[0]}-auth-token` (supabase-js SupabaseClient's
// constructor, defaultStorageKey).
func StorageKey(ref string) string { return "sb-" + ref + "-auth-token" }

// sessionCookie matches a session cookie name: the storage key, or one of
// its chunks key.N (utils/chunker.js CHUNK_LIKE_REGEX: no leading zeros).
var sessionCookie = regexp.MustCompile(`^(sb-.+-auth-token)(?:\.(0|[1-9][0-9]*))?$`)

// SessionCookieKey returns the storage key a cookie name belongs to and its
// chunk index (-1 for the whole, unchunked cookie); ok is false for a name
// that is no Supabase session cookie.
func SessionCookieKey(name string) (key string, chunk int, ok bool) {
	m := sessionCookie.FindStringSubmatch(name)
	if m == nil || m[1] == "sb--auth-token" {
		return "", 0, false
	}
	if m[2] == "" {
		return m[1], -1, true
	}
	n, err := strconv.Atoi(m[2])
	if err != nil {
		return "", 0, false
	}
	return m[1], n, true
}

// StoredCookie is one cookie of the jar as the reading needs it. Value
// holds a session: never print it.
type StoredCookie struct {
	Name  string
	Value string
	Size  int // name + value bytes, as Chromium counts them
}

// CookieSession is one storage key's cookies in the jar, read as
// @supabase/ssr reads them.
type CookieSession struct {
	Key string
	// Names are the cookies of the key, the whole one first, then the
	// chunks by index.
	Names []string
	// Whole is an unchunked cookie named Key; Chunks the indexes of the
	// chunk cookies present, sorted; Missing the indexes absent below the
	// highest one present.
	Whole   bool
	Chunks  []int
	Missing []int
	// Sizes are the name+value sizes by name.
	Sizes map[string]int
	// Read is how many chunks combineChunks reads: the whole cookie (0), or
	// .0, .1, … up to the first one absent.
	Read int
	// Encoding is "base64" ("base64-" + base64url, @supabase/ssr's
	// default) or "raw" (the JSON itself, URL-encoded).
	Encoding string
	// Session is what the value decodes to; nil with DecodeProblem saying
	// why when it does not.
	Session       *StoredSession
	DecodeProblem string
	// Bytes is the length of the reassembled value.
	Bytes int
}

// StoredSession is the part of a stored session the checks use. The tokens
// are secrets: never print them.
type StoredSession struct {
	AccessToken  string
	RefreshToken string
	ExpiresAt    int64
	UserID       string
}

// ReadSessionCookies groups the jar's Supabase session cookies by storage
// key and reads each group as @supabase/ssr's getItem does: combineChunks
// (the whole cookie when present, else key.0, key.1, … up to the first gap)
// and decodeChunkedCookieValue (a "base64-" value is base64url JSON; one
// that does not decode to JSON is treated as absent). The groups come back
// sorted by key.
func ReadSessionCookies(jar []StoredCookie) []CookieSession {
	byKey := map[string]map[int]StoredCookie{}
	for _, c := range jar {
		key, idx, ok := SessionCookieKey(c.Name)
		if !ok {
			continue
		}
		if byKey[key] == nil {
			byKey[key] = map[int]StoredCookie{}
		}
		byKey[key][idx] = c
	}
	var out []CookieSession
	for _, key := range slices.Sorted(maps.Keys(byKey)) {
		out = append(out, readGroup(key, byKey[key]))
	}
	return out
}

// readGroup reads one key's cookies (index -1 is the whole cookie).
func readGroup(key string, cs map[int]StoredCookie) CookieSession {
	g := CookieSession{Key: key, Sizes: map[string]int{}}
	for _, i := range slices.Sorted(maps.Keys(cs)) {
		c := cs[i]
		g.Names = append(g.Names, c.Name)
		g.Sizes[c.Name] = c.Size
		if i < 0 {
			g.Whole = true
		} else {
			g.Chunks = append(g.Chunks, i)
		}
	}
	if len(g.Chunks) > 0 {
		for i := 0; i < g.Chunks[len(g.Chunks)-1]; i++ {
			if _, ok := cs[i]; !ok {
				g.Missing = append(g.Missing, i)
			}
		}
	}
	var value strings.Builder
	if g.Whole {
		value.WriteString(cs[-1].Value)
	} else {
		for i := 0; ; i++ {
			c, ok := cs[i]
			if !ok || c.Value == "" {
				break
			}
			value.WriteString(c.Value)
			g.Read++
		}
	}
	g.Bytes = value.Len()
	if g.Bytes == 0 {
		g.DecodeProblem = "no " + key + " cookie and no " + key + ".0 chunk to start from"
		return g
	}
	g.Session, g.Encoding, g.DecodeProblem = decodeSession(value.String())
	return g
}

// decodeSession reads a stored value: "base64-" + base64url JSON, or raw
// (URL-encoded) JSON.
func decodeSession(v string) (*StoredSession, string, string) {
	enc := "raw"
	var text []byte
	if rest, ok := strings.CutPrefix(v, "base64-"); ok {
		enc = "base64"
		b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(rest, "="))
		if err != nil && strings.ContainsAny(rest, "+/") {
			// @supabase/ssr utils/base64url.js stringFromBase64URL: + and
			// / are not in its alphabet and make it throw.
			return nil, enc, "the value after base64- holds + or /, the standard base64 alphabet (btoa's), not base64url: @supabase/ssr's reader refuses it and treats the session as absent"
		}
		if err != nil {
			return nil, enc, "the value after base64- is not base64url (a chunk missing, or chunks of two different writes)"
		}
		text = b
	} else {
		if u, err := url.PathUnescape(v); err == nil {
			v = u
		}
		text = []byte(v)
	}
	var s struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		ExpiresAt    int64  `json:"expires_at"`
		User         struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	if err := json.Unmarshal(text, &s); err != nil {
		return nil, enc, "the reassembled value is not JSON (a chunk missing, or chunks of two different writes)"
	}
	if s.AccessToken == "" {
		return nil, enc, "the stored session has no access_token"
	}
	return &StoredSession{AccessToken: s.AccessToken, RefreshToken: s.RefreshToken, ExpiresAt: s.ExpiresAt, UserID: s.User.ID}, enc, ""
}

// ChunkName is the cookie name of chunk i of key (-1: the whole cookie).
func ChunkName(key string, i int) string {
	if i < 0 {
		return key
	}
	return key + "." + strconv.Itoa(i)
}

// DomainCovers reports whether a cookie stored for domain (Chromium's
// network.Cookie.Domain: ".acme.test" for a Domain cookie, "app.acme.test"
// for a host-only one) is sent to host: RFC 6265bis §5.1.3 domain-match
// for a Domain cookie, the exact host for a host-only one.
func DomainCovers(domain string, hostOnly bool, host string) bool {
	d := strings.ToLower(strings.TrimPrefix(domain, "."))
	h := strings.ToLower(host)
	if hostOnly {
		return d == h
	}
	return h == d || strings.HasSuffix(h, "."+d)
}
