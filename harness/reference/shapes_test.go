package reference

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestWriteAs(t *testing.T) {
	max := 3600
	tests := []struct {
		writer string
		change func(*CookieProfile)
		want   string
	}{
		{WriterWerkzeug, nil, "mf_jwt_token=T; Domain=acme.test; Secure; HttpOnly; Path=/; SameSite=None"},
		{WriterDjango, nil, "mf_jwt_token=T; Domain=.acme.test; HttpOnly; Path=/; SameSite=None; Secure"},
		{WriterStarlette, func(c *CookieProfile) { c.MaxAge = &max }, "mf_jwt_token=T; Domain=.acme.test; HttpOnly; Max-Age=3600; Path=/; SameSite=none; Secure"},
		{WriterExpress, func(c *CookieProfile) { c.MaxAge = &max }, "mf_jwt_token=T; Max-Age=3600; Domain=.acme.test; Path=/; HttpOnly; Secure; SameSite=None"},
		{WriterNext, nil, "mf_jwt_token=T; Path=/; Domain=.acme.test; Secure; HttpOnly; SameSite=none"},
		{WriterGo, nil, "mf_jwt_token=T; Path=/; Domain=acme.test; HttpOnly; Secure; SameSite=None"},
		{WriterSpring, nil, "mf_jwt_token=T; Path=/; Domain=.acme.test; Secure; HttpOnly; SameSite=None"},
		{WriterASPNET, func(c *CookieProfile) { c.MaxAge = &max }, "mf_jwt_token=T; max-age=3600; domain=.acme.test; path=/; secure; samesite=none; httponly"},
		{WriterRack, nil, "mf_jwt_token=T; domain=.acme.test; path=/; secure; httponly; samesite=none"},
		{WriterByHand, nil, "mf_jwt_token=T; SameSite=None; Secure; HttpOnly; Path=/; Domain=.acme.test"},
		{"", func(c *CookieProfile) { c.Partitioned = true }, "mf_jwt_token=T; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None; Partitioned"},
		{WriterGo, func(c *CookieProfile) { c.Partitioned, c.SameSite = true, "" }, "mf_jwt_token=T; Path=/; Domain=acme.test; HttpOnly; Secure; Partitioned"},
	}
	for _, tt := range tests {
		t.Run(tt.writer, func(t *testing.T) {
			p := DefaultProfile()
			p.Backend.Writer = tt.writer
			if tt.change != nil {
				tt.change(&p.Cookie)
			}
			if got := SetCookieLine(p, "T", testNow); got != tt.want {
				t.Errorf("SetCookieLine(%s) = %q, want %q", tt.writer, got, tt.want)
			}
		})
	}
}

// TestBackendTokenClaimOrder: each imitated JWT library writes the claims
// in its own order — PyJWT as the code lists them, nothing added;
// jsonwebtoken iat then exp after them; the reference's own sorted — and
// every one verifies with the key.
func TestBackendTokenClaimOrder(t *testing.T) {
	tests := []struct {
		lib  string
		iat  bool
		want []string
	}{
		{TokenPyJWT, false, []string{"user_id", "first_name", "last_name", "email", "exp"}},
		{TokenPyJWT, true, []string{"user_id", "first_name", "last_name", "email", "exp", "iat"}},
		{TokenJSONWebToken, true, []string{"user_id", "first_name", "last_name", "email", "iat", "exp"}},
		{TokenJSONWebToken, false, []string{"user_id", "first_name", "last_name", "email", "exp"}},
		{"", true, []string{"email", "exp", "first_name", "iat", "last_name", "user_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.lib, func(t *testing.T) {
			p := DefaultProfile()
			p.Backend.Token, p.Token.IssuedAt, p.Token.Exp = tt.lib, tt.iat, ExpInteger
			tok, err := BackendToken(p, testKey, testNow)
			if err != nil {
				t.Fatal(err)
			}
			parts := strings.Split(tok, ".")
			payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
			dec := json.NewDecoder(bytes.NewReader(payload))
			_, _ = dec.Token()
			var got []string
			for dec.More() {
				k, _ := dec.Token()
				var v json.RawMessage
				_ = dec.Decode(&v)
				got = append(got, k.(string))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("claims in order %v, want %v", got, tt.want)
			}
			v := &Verifier{Secret: testKey, Leeway: DefaultLeeway}
			if _, reason := v.Verify(tok); reason != "" && reason != ReasonExpired {
				t.Errorf("the token does not verify: %s", reason)
			}
		})
	}
}

func TestShapesUseKnownWriters(t *testing.T) {
	for name, s := range Shapes {
		if !KnownWriter(s.Writer) {
			t.Errorf("Shapes[%s].Writer = %q, not a writer the reference imitates", name, s.Writer)
		}
	}
}

func TestBuildTokenNaiveLocalOffset(t *testing.T) {
	tests := []struct {
		name            string
		offset          time.Duration
		wantExp, wantIA time.Duration // from testNow
	}{
		{"UTC", 0, time.Hour, 0},
		{"UTC+8: born 7h expired", 8 * time.Hour, -7 * time.Hour, -8 * time.Hour},
		{"UTC+5:30", 5*time.Hour + 30*time.Minute, -(4*time.Hour + 30*time.Minute), -(5*time.Hour + 30*time.Minute)},
		{"UTC−8: 9h lifetime, iat ahead", -8 * time.Hour, 9 * time.Hour, 8 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp := DefaultProfile().Token
			tp.Exp, tp.IssuedAt, tp.NaiveLocalOffset = ExpInteger, true, tt.offset
			tok, err := buildToken(tp, DefaultProfile().Cookie, testKey, testNow)
			if err != nil {
				t.Fatalf("buildToken() error = %v", err)
			}
			c := decodePayload(t, tok)
			num := func(k string) int64 { n, _ := c[k].(json.Number).Int64(); return n }
			if got := num("exp"); got != testNow.Add(tt.wantExp).Unix() {
				t.Errorf("exp = %d, want now%+v", got, tt.wantExp)
			}
			if got := num("iat"); got != testNow.Add(tt.wantIA).Unix() {
				t.Errorf("iat = %d, want now%+v", got, tt.wantIA)
			}
		})
	}
}

func TestLegacyLogin(t *testing.T) {
	v := &Verifier{Secret: testKey, Leeway: DefaultLeeway}
	a := newAppHandler(v, "embed.other.test")
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, httptest.NewRequest("GET", "https://app.acme.test"+LegacyLoginPath, nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("without a leftover: status %d, want 404", rec.Code)
	}
	a.leftover, a.key = &Leftover{Age: 24 * time.Hour}, testKey
	rec = httptest.NewRecorder()
	a.ServeHTTP(rec, httptest.NewRequest("GET", "https://app.acme.test"+LegacyLoginPath, nil))
	line := rec.Header().Get("Set-Cookie")
	if !strings.HasPrefix(line, "mf_jwt_token=") || strings.Contains(line, "Domain=") || !strings.Contains(line, "Path=/") {
		t.Fatalf("Set-Cookie = %q, want a host-only mf_jwt_token with Path=/", line)
	}
	tok := strings.TrimPrefix(strings.SplitN(line, ";", 2)[0], "mf_jwt_token=")
	if _, reason := v.Verify(tok); reason != ReasonExpired {
		t.Errorf("the leftover token verifies with reason %q, want %q (signed with the key, expired)", reason, ReasonExpired)
	}
}

func TestDeploymentHeadersAndPartitioned(t *testing.T) {
	p := DefaultProfile()
	p.Backend = Shapes["rails"]
	p.Cookie.Partitioned = true
	b := newBackend(p, testKey, "https://app.acme.test", func() time.Time { return testNow })
	rec := httptest.NewRecorder()
	b.ServeHTTP(rec, httptest.NewRequest("GET", "https://login.acme.test/login", nil))
	if got := rec.Header().Get("X-Runtime"); got == "" {
		t.Errorf("X-Runtime missing: the shape's headers are not sent")
	}
	lines := rec.Header().Values("Set-Cookie")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], "; samesite=none; partitioned") || !strings.HasPrefix(lines[1], "_acme_session=") {
		t.Errorf("Set-Cookie = %q, want Rack's mf_jwt_token line ending in partitioned, then the session cookie", lines)
	}
}
