package sbcheck

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"reflect"
	"strconv"
	"testing"
)

// storedValue is a session as @supabase/ssr stores it.
func storedValue(t *testing.T) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"access_token": "at", "refresh_token": "rt", "expires_at": 1800000000, "user": map[string]any{"id": "u1"}})
	if err != nil {
		t.Fatal(err)
	}
	return "base64-" + base64.RawURLEncoding.EncodeToString(b)
}

// split cuts v into n pieces named key.0…
func split(key, v string, n int) []StoredCookie {
	size := (len(v) + n - 1) / n
	var out []StoredCookie
	for i := 0; i*size < len(v); i++ {
		part := v[i*size : min(len(v), (i+1)*size)]
		name := key + "." + strconv.Itoa(i)
		out = append(out, StoredCookie{Name: name, Value: part, Size: len(name) + len(part)})
	}
	return out
}

func TestSessionCookieKey(t *testing.T) {
	tests := []struct {
		name  string
		key   string
		chunk int
		ok    bool
	}{
		{"sb-abc-auth-token", "sb-abc-auth-token", -1, true},
		{"sb-abc-auth-token.0", "sb-abc-auth-token", 0, true},
		{"sb-abc-auth-token.17", "sb-abc-auth-token", 17, true},
		{"sb-abc-auth-token.07", "", 0, false},
		{"sb-abc-auth-token-code-verifier", "", 0, false},
		{"sb--auth-token", "", 0, false},
		{"mf_jwt_token", "", 0, false},
	}
	for _, tt := range tests {
		key, chunk, ok := SessionCookieKey(tt.name)
		if key != tt.key || chunk != tt.chunk || ok != tt.ok {
			t.Errorf("SessionCookieKey(%q) = %q, %d, %v, want %q, %d, %v", tt.name, key, chunk, ok, tt.key, tt.chunk, tt.ok)
		}
	}
	if got := StorageKey("abcdefghijklmnopqrst"); got != "sb-abcdefghijklmnopqrst-auth-token" {
		t.Errorf("StorageKey() = %q", got)
	}
}

func TestReadSessionCookies(t *testing.T) {
	key := "sb-abc-auth-token"
	v := storedValue(t)
	whole := []StoredCookie{{Name: key, Value: v, Size: len(key) + len(v)}}
	three := split(key, v, 3)
	gap := []StoredCookie{three[0], three[2]}
	noFirst := []StoredCookie{three[1], three[2]}
	raw, _ := json.Marshal(map[string]any{"access_token": "at", "user": map[string]any{"id": "u1"}})
	want := &StoredSession{AccessToken: "at", RefreshToken: "rt", ExpiresAt: 1800000000, UserID: "u1"}
	tests := []struct {
		name string
		jar  []StoredCookie
		want []CookieSession
	}{
		{name: "no session cookie", jar: []StoredCookie{{Name: "other", Value: "x"}}},
		{name: "one whole cookie", jar: whole, want: []CookieSession{{Key: key, Names: []string{key}, Whole: true, Sizes: map[string]int{key: whole[0].Size},
			Encoding: "base64", Session: want, Bytes: len(v)}}},
		{name: "three chunks", jar: three, want: []CookieSession{{Key: key, Names: []string{key + ".0", key + ".1", key + ".2"}, Chunks: []int{0, 1, 2},
			Sizes: sizes(three), Read: 3, Encoding: "base64", Session: want, Bytes: len(v)}}},
		{name: "middle chunk missing", jar: gap, want: []CookieSession{{Key: key, Names: []string{key + ".0", key + ".2"}, Chunks: []int{0, 2}, Missing: []int{1},
			Sizes: sizes(gap), Read: 1, Encoding: "base64", Bytes: len(three[0].Value),
			DecodeProblem: "the reassembled value is not JSON (a chunk missing, or chunks of two different writes)"}}},
		{name: "first chunk missing", jar: noFirst, want: []CookieSession{{Key: key, Names: []string{key + ".1", key + ".2"}, Chunks: []int{1, 2}, Missing: []int{0},
			Sizes: sizes(noFirst), DecodeProblem: "no " + key + " cookie and no " + key + ".0 chunk to start from"}}},
		{name: "raw JSON", jar: []StoredCookie{{Name: key, Value: url.PathEscape(string(raw)), Size: 10}}, want: []CookieSession{{Key: key, Names: []string{key}, Whole: true,
			Sizes: map[string]int{key: 10}, Encoding: "raw", Session: &StoredSession{AccessToken: "at", UserID: "u1"}, Bytes: len(url.PathEscape(string(raw)))}}},
		{name: "no access token", jar: []StoredCookie{{Name: key, Value: "base64-" + base64.RawURLEncoding.EncodeToString([]byte(`{"user":{}}`)), Size: 3}},
			want: []CookieSession{{Key: key, Names: []string{key}, Whole: true, Sizes: map[string]int{key: 3}, Encoding: "base64", Bytes: 22,
				DecodeProblem: "the stored session has no access_token"}}},
		{name: "btoa's alphabet: @supabase/ssr refuses / and +", jar: []StoredCookie{{Name: key, Value: "base64-eyJhIjoiPz8/In0=", Size: 4}},
			want: []CookieSession{{Key: key, Names: []string{key}, Whole: true, Sizes: map[string]int{key: 4}, Encoding: "base64", Bytes: 23,
				DecodeProblem: "the value after base64- holds + or /, the standard base64 alphabet (btoa's), not base64url: @supabase/ssr's reader refuses it and treats the session as absent"}}},
		{name: "two projects", jar: append([]StoredCookie{{Name: "sb-auth-auth-token", Value: v, Size: 1}}, whole...), want: []CookieSession{
			{Key: "sb-abc-auth-token", Names: []string{key}, Whole: true, Sizes: map[string]int{key: whole[0].Size}, Encoding: "base64", Session: want, Bytes: len(v)},
			{Key: "sb-auth-auth-token", Names: []string{"sb-auth-auth-token"}, Whole: true, Sizes: map[string]int{"sb-auth-auth-token": 1}, Encoding: "base64", Session: want, Bytes: len(v)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ReadSessionCookies(tt.jar)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ReadSessionCookies() =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestDomainCovers(t *testing.T) {
	tests := []struct {
		domain   string
		hostOnly bool
		host     string
		want     bool
	}{
		{".acme.test", false, "api.acme.test", true},
		{".acme.test", false, "acme.test", true},
		{".acme.test", false, "a.b.acme.test", true},
		{".acme.test", false, "evilacme.test", false},
		{"app.acme.test", true, "app.acme.test", true},
		{"app.acme.test", true, "api.acme.test", false},
		{".staging.acme.com", false, "api.acme.com", false},
	}
	for _, tt := range tests {
		if got := DomainCovers(tt.domain, tt.hostOnly, tt.host); got != tt.want {
			t.Errorf("DomainCovers(%q, %v, %q) = %v, want %v", tt.domain, tt.hostOnly, tt.host, got, tt.want)
		}
	}
}

func sizes(cs []StoredCookie) map[string]int {
	m := map[string]int{}
	for _, c := range cs {
		m[c.Name] = c.Size
	}
	return m
}
