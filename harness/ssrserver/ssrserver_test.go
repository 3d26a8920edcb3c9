package ssrserver

import (
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"maps"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/harness/hostmap"
	"github.com/mfconform/mfconform/harness/pki"
)

const (
	projectHost = "abcdefghijklmnopqrst.supabase.test"
	serverHost  = "api.acme.test"
	goodToken   = "good-access-token"
	goodRefresh = "good-refresh-token"
	userID      = "0b9d2c1e-0000-4000-8000-000000000001"
	embedOrigin = "https://embed.other.test"
)

// fakeProject answers GET /auth/v1/user like GoTrue: 200 with the user for
// goodToken, 403 bad_jwt for anything else, 401 without a key; and the
// refresh_token grant: goodToken for goodRefresh, 400
// refresh_token_not_found for anything else.
func fakeProject(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/auth/v1/token" && r.Method == http.MethodPost && r.URL.Query().Get("grant_type") == "refresh_token" && r.Header.Get("apikey") == "anon":
			var body struct {
				RefreshToken string `json:"refresh_token"`
			}
			_ = json.NewDecoder(r.Body).Decode(&body)
			if body.RefreshToken != goodRefresh {
				w.Header().Set("x-sb-error-code", "refresh_token_not_found")
				w.WriteHeader(400)
				_, _ = w.Write([]byte(`{"code":400,"error_code":"refresh_token_not_found","msg":"Invalid Refresh Token: Refresh Token Not Found"}`))
				return
			}
			_, _ = w.Write([]byte(`{"access_token":"` + goodToken + `","refresh_token":"next","expires_in":3600}`))
		case r.URL.Path != "/auth/v1/user":
			http.NotFound(w, r)
		case r.Header.Get("apikey") != "anon":
			w.WriteHeader(401)
			_, _ = w.Write([]byte(`{"message":"Invalid API key"}`))
		case r.Header.Get("Authorization") == "Bearer "+goodToken:
			_, _ = w.Write([]byte(`{"id":"` + userID + `","aud":"authenticated"}`))
		default:
			w.Header().Set("x-sb-error-code", "bad_jwt")
			w.WriteHeader(403)
			_, _ = w.Write([]byte(`{"code":403,"error_code":"bad_jwt","msg":"invalid JWT"}`))
		}
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + projectHost + ":" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// start starts the stand-in for the fake project and returns a client that
// reaches both by name.
func start(t *testing.T) (*Server, *http.Client) {
	t.Helper()
	ca, err := pki.New([]string{serverHost})
	if err != nil {
		t.Fatal(err)
	}
	var m hostmap.Map
	for _, h := range []string{serverHost, projectHost} {
		if err := m.Add(h, "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
	}
	tr := &http.Transport{DialContext: m.DialContext, TLSClientConfig: &tls.Config{RootCAs: ca.Pool}}
	t.Cleanup(tr.CloseIdleConnections)
	c := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	s, err := Start(Config{Host: serverHost, ProjectURL: fakeProject(t), Key: "anon", Client: c, Timeout: 3 * time.Second, AllowOrigins: []string{embedOrigin}, CA: ca})
	if err != nil {
		t.Fatalf("Start() error = %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close() error = %v", err)
		}
	})
	return s, c
}

// stored is a session as @supabase/ssr stores it: "base64-" + base64url
// JSON, expiring in an hour.
func stored(token string) string {
	return storedSession(map[string]any{"access_token": token, "refresh_token": "r", "expires_at": time.Now().Add(time.Hour).Unix(), "user": map[string]any{"id": userID}})
}

// storedSession is session stored as @supabase/ssr does.
func storedSession(session map[string]any) string {
	b, _ := json.Marshal(session)
	return "base64-" + base64.RawURLEncoding.EncodeToString(b)
}

// chunks splits v into n-byte pieces named key.0, key.1, …
func chunks(key, v string, n int) map[string]string {
	out := map[string]string{}
	for i := 0; i*n < len(v); i++ {
		out[key+"."+strconv.Itoa(i)] = v[i*n : min(len(v), (i+1)*n)]
	}
	return out
}

func TestWhoAmI(t *testing.T) {
	s, c := start(t)
	key := "sb-abcdefghijklmnopqrst-auth-token"
	three := chunks(key, stored(goodToken), 120)
	noSecond := chunks(key, stored(goodToken), 120)
	delete(noSecond, key+".1")
	noFirst := chunks(key, stored(goodToken), 120)
	delete(noFirst, key+".0")
	raw, _ := json.Marshal(map[string]any{"access_token": goodToken, "refresh_token": "r", "expires_at": nil})
	past, soon := time.Now().Add(-time.Hour).Unix(), time.Now().Add(30*time.Second).Unix()
	session := func(access, refresh string, expiresAt any) string {
		return storedSession(map[string]any{"access_token": access, "refresh_token": refresh, "expires_at": expiresAt})
	}
	lacks := "the session lacks access_token, refresh_token or expires_at, so auth-js discards it"
	tests := []struct {
		name    string
		cookies map[string]string
		want    Answer
	}{
		{name: "no cookie", want: Answer{StorageKey: key, Reason: "no " + key + " cookie or chunks " + key + ".0…"}},
		{name: "one cookie", cookies: map[string]string{key: stored(goodToken)},
			want: Answer{StorageKey: key, Received: []string{key}, SignedIn: true, UserID: userID, VerifyStatus: 200}},
		{name: "chunks", cookies: three,
			want: Answer{StorageKey: key, Received: sortedKeys(three), Chunks: len(three), SignedIn: true, UserID: userID, VerifyStatus: 200}},
		{name: "raw JSON", cookies: map[string]string{key: url.QueryEscape(string(raw))},
			want: Answer{StorageKey: key, Received: []string{key}, SignedIn: true, UserID: userID, VerifyStatus: 200}},
		{name: "second chunk missing", cookies: noSecond,
			want: Answer{StorageKey: key, Received: sortedKeys(noSecond), Chunks: 1, Reason: "the session cookie does not decode to JSON (1 chunk(s) read: a chunk missing or from another write?)"}},
		{name: "first chunk missing", cookies: noFirst,
			want: Answer{StorageKey: key, Received: sortedKeys(noFirst), Reason: key + ".0 is missing, so the chunks after it are never read"}},
		{name: "another project's name", cookies: map[string]string{"sb-auth-auth-token": stored(goodToken)},
			want: Answer{StorageKey: key, Received: []string{"sb-auth-auth-token"}, Reason: "no " + key + " cookie or chunks " + key + ".0…"}},
		{name: "token refused", cookies: map[string]string{key: stored("forged")},
			want: Answer{StorageKey: key, Received: []string{key}, Reason: "the project refused the access token", VerifyStatus: 403, VerifyCode: "bad_jwt"}},
		{name: "no access token", cookies: map[string]string{key: session("", "r", nil)},
			want: Answer{StorageKey: key, Received: []string{key}, Reason: "the session holds no access_token"}},
		// GoTrueClient._isValidSession wants each of the three keys.
		{name: "only a user", cookies: map[string]string{key: storedSession(map[string]any{"user": map[string]any{}})},
			want: Answer{StorageKey: key, Received: []string{key}, Reason: lacks}},
		{name: "no refresh_token", cookies: map[string]string{key: storedSession(map[string]any{"access_token": goodToken, "expires_at": soon + 3600})},
			want: Answer{StorageKey: key, Received: []string{key}, Reason: lacks}},
		{name: "no expires_at", cookies: map[string]string{key: storedSession(map[string]any{"access_token": goodToken, "refresh_token": "r"})},
			want: Answer{StorageKey: key, Received: []string{key}, Reason: lacks}},
		{name: "JSON that is no object", cookies: map[string]string{key: "base64-" + base64.RawURLEncoding.EncodeToString([]byte(`["access_token"]`))},
			want: Answer{StorageKey: key, Received: []string{key}, Reason: lacks}},
		// __loadSession refreshes a session within EXPIRY_MARGIN_MS of
		// expires_at first; a failed refresh leaves the stored session
		// only while its access token has not expired.
		{name: "expired, refreshed", cookies: map[string]string{key: session("forged", goodRefresh, past)},
			want: Answer{StorageKey: key, Received: []string{key}, SignedIn: true, UserID: userID, VerifyStatus: 200, Refreshed: true}},
		{name: "expired, the refresh refused", cookies: map[string]string{key: session(goodToken, "spent", past)},
			want: Answer{StorageKey: key, Received: []string{key}, Reason: "the session expired and its refresh failed (refresh_token_not_found)", Refreshed: true, RefreshStatus: 400}},
		{name: "expiring in 30s, the refresh refused: the stored token stands", cookies: map[string]string{key: session(goodToken, "spent", soon)},
			want: Answer{StorageKey: key, Received: []string{key}, SignedIn: true, UserID: userID, VerifyStatus: 200, Refreshed: true, RefreshStatus: 400}},
		{name: "expires_at 0 is never expired", cookies: map[string]string{key: session(goodToken, "spent", 0)},
			want: Answer{StorageKey: key, Received: []string{key}, SignedIn: true, UserID: userID, VerifyStatus: 200}},
		{name: "expires_at as a numeric string, expired (JavaScript's * coerces it)", cookies: map[string]string{key: session("forged", goodRefresh, strconv.FormatInt(past, 10))},
			want: Answer{StorageKey: key, Received: []string{key}, SignedIn: true, UserID: userID, VerifyStatus: 200, Refreshed: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, s.URL+WhoAmIPath, nil)
			for n, v := range tt.cookies {
				req.AddCookie(&http.Cookie{Name: n, Value: v})
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatalf("GET /whoami error = %v", err)
			}
			defer resp.Body.Close()
			var got Answer
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("GET /whoami = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestWhoAmICORSAndPage(t *testing.T) {
	s, c := start(t)
	for _, tt := range []struct {
		origin, want string
	}{{embedOrigin, embedOrigin}, {"https://evil.test", ""}} {
		req, _ := http.NewRequest(http.MethodGet, s.URL+WhoAmIPath, nil)
		req.Header.Set("Origin", tt.origin)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != tt.want {
			t.Errorf("Origin %s: Access-Control-Allow-Origin = %q, want %q", tt.origin, got, tt.want)
		}
		if tt.want != "" && resp.Header.Get("Access-Control-Allow-Credentials") != "true" {
			t.Errorf("Origin %s: no Access-Control-Allow-Credentials: true", tt.origin)
		}
	}
	resp, err := c.Get(s.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	n, _ := resp.Body.Read(buf)
	b.Write(buf[:n])
	if resp.StatusCode != 200 || !strings.Contains(b.String(), `id="who"`) {
		t.Errorf("GET / = %d %q, want the page", resp.StatusCode, b.String())
	}
}

func TestStorageKeyAndIsSessionCookie(t *testing.T) {
	for in, want := range map[string]string{
		"https://abcdefghijklmnopqrst.supabase.co":      "sb-abcdefghijklmnopqrst-auth-token",
		"https://Auth.Acme.COM:8443":                    "sb-auth-auth-token",
		"http://kong:8000":                              "sb-kong-auth-token",
		"https://abcdefghijklmnopqrst.supabase.co/x/y/": "sb-abcdefghijklmnopqrst-auth-token",
	} {
		if got, err := StorageKey(in); err != nil || got != want {
			t.Errorf("StorageKey(%q) = %q, %v, want %q", in, got, err, want)
		}
	}
	if _, err := StorageKey("not a url"); err == nil {
		t.Error("StorageKey(not a url) error = nil, want one")
	}
	for name, want := range map[string]bool{
		"sb-x-auth-token": true, "sb-x-auth-token.0": true, "sb-x-auth-token.12": true,
		"sb-x-auth-token.01": false, "sb-x-auth-token.a": false, "sb--auth-token": false,
		"sb-x-auth-token-code-verifier": false, "mf_jwt_token": false,
	} {
		if got := IsSessionCookie(name); got != want {
			t.Errorf("IsSessionCookie(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestStartRejects(t *testing.T) {
	ca, _ := pki.New([]string{serverHost})
	c := &http.Client{}
	for name, cfg := range map[string]Config{
		"no host":        {ProjectURL: "https://x.supabase.co", Client: c, Timeout: time.Second, CA: ca},
		"host with port": {Host: "api.acme.test:443", ProjectURL: "https://x.supabase.co", Client: c, Timeout: time.Second, CA: ca},
		"no CA":          {Host: serverHost, ProjectURL: "https://x.supabase.co", Client: c, Timeout: time.Second},
		"no client":      {Host: serverHost, ProjectURL: "https://x.supabase.co", Timeout: time.Second, CA: ca},
		"bad URL":        {Host: serverHost, ProjectURL: "::", Client: c, Timeout: time.Second, CA: ca},
	} {
		if s, err := Start(cfg); err == nil {
			s.Close()
			t.Errorf("Start(%s) error = nil, want one", name)
		}
	}
}

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}
