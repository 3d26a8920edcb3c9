package reference

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestBuildTokenExpStyles(t *testing.T) {
	expAt := testNow.Add(time.Hour)
	tests := []struct {
		style ExpStyle
		check func(t *testing.T, exp any, present bool)
	}{
		{ExpFractional, func(t *testing.T, exp any, _ bool) {
			n, ok := exp.(json.Number)
			if !ok || !strings.Contains(n.String(), ".") {
				t.Fatalf("exp = %#v, want a fractional JSON number", exp)
			}
			f, _ := n.Float64()
			if f < float64(expAt.Unix()) || f >= float64(expAt.Unix()+1) {
				t.Errorf("exp = %v, want within a second after %d", f, expAt.Unix())
			}
		}},
		{ExpInteger, func(t *testing.T, exp any, _ bool) {
			if n, ok := exp.(json.Number); !ok || n.String() != strconv.FormatInt(expAt.Unix(), 10) {
				t.Errorf("exp = %#v, want JSON number %d", exp, expAt.Unix())
			}
		}},
		{ExpMilliseconds, func(t *testing.T, exp any, _ bool) {
			if n, ok := exp.(json.Number); !ok || n.String() != strconv.FormatInt(expAt.UnixMilli(), 10) {
				t.Errorf("exp = %#v, want JSON number %d", exp, expAt.UnixMilli())
			}
		}},
		{ExpString, func(t *testing.T, exp any, _ bool) {
			if s, ok := exp.(string); !ok || s != strconv.FormatInt(expAt.Unix(), 10) {
				t.Errorf("exp = %#v, want JSON string %q", exp, strconv.FormatInt(expAt.Unix(), 10))
			}
		}},
		{ExpMissing, func(t *testing.T, exp any, present bool) {
			if present {
				t.Errorf("exp = %#v, want no exp claim", exp)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.style), func(t *testing.T) {
			tp := DefaultProfile().Token
			tp.Exp = tt.style
			token, err := buildToken(tp, DefaultProfile().Cookie, testKey, testNow)
			if err != nil {
				t.Fatalf("buildToken() error = %v", err)
			}
			claims := decodePayload(t, token)
			exp, present := claims["exp"]
			tt.check(t, exp, present)
			if claims["user_id"] != "user123" {
				t.Errorf("user_id = %#v, want %q", claims["user_id"], "user123")
			}
		})
	}
}

func TestFractionalSecondsNeverIntegral(t *testing.T) {
	f := fractionalSeconds(testNow) // testNow is a whole second
	if f == float64(int64(f)) {
		t.Errorf("fractionalSeconds(%v) = %v, want a non-integer", testNow, f)
	}
}

func TestBuildTokenClaims(t *testing.T) {
	tests := []struct {
		name   string
		change func(*TokenProfile)
		check  func(t *testing.T, header string, claims map[string]any)
	}{
		{"nil claim omitted", func(tp *TokenProfile) { tp.Claims = map[string]any{"user_id": "u", "email": nil} },
			func(t *testing.T, _ string, c map[string]any) {
				if _, ok := c["email"]; ok {
					t.Errorf("claims = %v, want no email", c)
				}
			}},
		{"iat", func(tp *TokenProfile) { tp.IssuedAt = true },
			func(t *testing.T, _ string, c map[string]any) {
				if n, ok := c["iat"].(json.Number); !ok || n.String() != strconv.FormatInt(testNow.Unix(), 10) {
					t.Errorf("iat = %#v, want %d", c["iat"], testNow.Unix())
				}
			}},
		{"alg none", func(tp *TokenProfile) { tp.Alg = "none" },
			func(t *testing.T, h string, _ map[string]any) {
				if !strings.Contains(h, `"alg":"none"`) {
					t.Errorf("header = %s, want alg none", h)
				}
			}},
		{"HS384", func(tp *TokenProfile) { tp.Alg = "HS384" },
			func(t *testing.T, h string, _ map[string]any) {
				if !strings.Contains(h, `"alg":"HS384"`) {
					t.Errorf("header = %s, want alg HS384", h)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp := DefaultProfile().Token
			tt.change(&tp)
			token, err := buildToken(tp, DefaultProfile().Cookie, testKey, testNow)
			if err != nil {
				t.Fatalf("buildToken() error = %v", err)
			}
			if tp.Alg == "none" && !strings.HasSuffix(token, ".") {
				t.Errorf("alg none token does not end in an empty signature")
			}
			h, _, _ := strings.Cut(token, ".")
			hb, _ := decodeSegmentForTest(h)
			tt.check(t, string(hb), decodePayload(t, token))
		})
	}
}

func TestBuildTokenErrors(t *testing.T) {
	tests := []struct {
		name   string
		change func(*TokenProfile)
	}{
		{"unknown alg", func(tp *TokenProfile) { tp.Alg = "RS256" }},
		{"unknown exp style", func(tp *TokenProfile) { tp.Exp = "weekly" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp := DefaultProfile().Token
			tt.change(&tp)
			if _, err := buildToken(tp, DefaultProfile().Cookie, testKey, testNow); err == nil {
				t.Errorf("buildToken() error = nil, want an error")
			}
		})
	}
}

func TestBackendClockOffset(t *testing.T) {
	tests := []struct {
		name   string
		offset time.Duration
	}{
		{"no offset", 0},
		{"backend ahead 2h", 2 * time.Hour},
		{"backend behind 3h", -3 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultProfile()
			p.Token.Exp = ExpInteger
			p.Token.ClockOffset = tt.offset
			b := newBackend(p, testKey, "https://app.acme.test:1", func() time.Time { return testNow })
			rec := httptest.NewRecorder()
			b.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "https://login.acme.test/login", nil))
			if rec.Code != http.StatusOK {
				t.Fatalf("GET /login status = %d, want 200", rec.Code)
			}
			wantDate := testNow.Add(tt.offset).UTC().Format(http.TimeFormat)
			if got := rec.Header().Get("Date"); got != wantDate {
				t.Errorf("Date = %q, want %q", got, wantDate)
			}
			sc := rec.Header().Values("Set-Cookie")
			if len(sc) != 1 {
				t.Fatalf("got %d Set-Cookie headers, want 1", len(sc))
			}
			nameValue, _, _ := strings.Cut(sc[0], ";")
			token := strings.TrimPrefix(nameValue, "mf_jwt_token=")
			wantExp := strconv.FormatInt(testNow.Add(tt.offset+time.Hour).Unix(), 10)
			if got := decodePayload(t, token)["exp"]; got != json.Number(wantExp) {
				t.Errorf("exp = %v, want %s", got, wantExp)
			}
		})
	}
}
