package jwtcheck

import (
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/suites/diag"
)

// claimsToken parses an HS256 token with the given payload JSON.
func claimsToken(t *testing.T, payload string) *Parsed {
	t.Helper()
	return mustParse(t, rawToken(hs256, payload, []byte(testSecret)))
}

func TestCheckUserID(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    []diag.Code
		wantMsg string
	}{
		{"string", `{"user_id":"user123"}`, nil, ""},
		{"missing", `{"exp":1}`, []diag.Code{diag.TokenUserIDMissing}, "no user_id"},
		{"missing, sub present", `{"sub":"user123"}`, []diag.Code{diag.TokenUserIDMissing}, "it has sub"},
		{"number", `{"user_id":42}`, []diag.Code{diag.TokenUserIDNotString}, `JSON number: 42 (emit it as the string "42")`},
		{"bool", `{"user_id":true}`, []diag.Code{diag.TokenUserIDNotString}, "boolean"},
		{"null", `{"user_id":null}`, []diag.Code{diag.TokenUserIDNotString}, "null"},
		{"object", `{"user_id":{"id":"x"}}`, []diag.Code{diag.TokenUserIDNotString}, "object"},
		{"array", `{"user_id":["x"]}`, []diag.Code{diag.TokenUserIDNotString}, "array"},
		{"empty", `{"user_id":""}`, []diag.Code{diag.TokenUserIDNotString}, "empty string"},
		{"whitespace", `{"user_id":" \t"}`, []diag.Code{diag.TokenUserIDNotString}, "whitespace only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckUserID(claimsToken(t, tt.payload))
			if !sameCodes(got, tt.want) {
				t.Fatalf("CheckUserID() codes = %v, want %v (%v)", codes(got), tt.want, got)
			}
			if tt.wantMsg != "" && !strings.Contains(got[0].Observed, tt.wantMsg) {
				t.Errorf("CheckUserID() observed = %q, want it to contain %q", got[0].Observed, tt.wantMsg)
			}
		})
	}
}

func TestCheckExp(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    []diag.Code
		wantMsg string
	}{
		{"integer", `{"exp":1796227200}`, nil, ""},
		{"fractional", `{"exp":1796227200.123456}`, nil, ""},
		{"past is not this check's business", `{"exp":1}`, nil, ""},
		{"far but under 100 years", `{"exp":4000000000}`, nil, ""},
		{"missing", `{"user_id":"u"}`, []diag.Code{diag.TokenExpMissing}, "no exp"},
		{"quoted number", `{"exp":"1796227200"}`, []diag.Code{diag.TokenExpNotNumeric}, "JSON string"},
		{"date string", `{"exp":"2026-11-26T01:00:00Z"}`, []diag.Code{diag.TokenExpNotNumeric}, "a date string"},
		{"bool", `{"exp":true}`, []diag.Code{diag.TokenExpNotNumeric}, "JSON boolean"},
		{"null", `{"exp":null}`, []diag.Code{diag.TokenExpNotNumeric}, "JSON null"},
		{"object", `{"exp":{"s":1}}`, []diag.Code{diag.TokenExpNotNumeric}, "JSON object"},
		{"milliseconds", `{"exp":1796227200000}`, []diag.Code{diag.TokenExpMilliseconds}, "2026-12-02T16:00:00Z"},
		{"fractional milliseconds", `{"exp":1796227200000.5}`, []diag.Code{diag.TokenExpMilliseconds}, "read as milliseconds"},
		// Issue 22, A12: "in seconds" fails every sub-second unit.
		{"microseconds", `{"exp":1796227200000000}`, []diag.Code{diag.TokenExpMicroseconds}, "read as microseconds it is 2026-12-02T16:00:00Z"},
		{"nanoseconds", `{"exp":1796227200000000000}`, []diag.Code{diag.TokenExpNanoseconds}, "read as nanoseconds it is 2026-12-02T16:00:00Z"},
		{"fractional microseconds", `{"exp":1796227200000000.5}`, []diag.Code{diag.TokenExpMicroseconds}, "read as microseconds"},
		{"beyond nanoseconds too", `{"exp":1796227200000000000000}`, nil, ""},
		{"huge", `{"exp":1e400}`, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckExp(claimsToken(t, tt.payload), testNow)
			if !sameCodes(got, tt.want) {
				t.Fatalf("CheckExp() codes = %v, want %v (%v)", codes(got), tt.want, got)
			}
			if tt.wantMsg != "" && !strings.Contains(got[0].Observed, tt.wantMsg) {
				t.Errorf("CheckExp() observed = %q, want it to contain %q", got[0].Observed, tt.wantMsg)
			}
		})
	}
}

func TestCheckNotExpired(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		leeway  time.Duration
		want    []diag.Code
		wantMsg string
	}{
		{"in the future", `{"exp":1796227200}`, 0, nil, ""},
		{"fractional, future", `{"exp":1795666320.5}`, 0, nil, ""},
		{"expired 3h12m ago", `{"exp":1795654800}`, 0, []diag.Code{diag.TokenExpired}, "expired 3h12m ago at 2026-11-26T01:00:00Z"},
		{"exactly now is expired", `{"exp":1795666320}`, 0, []diag.Code{diag.TokenExpired}, "expired 0s ago"},
		{"within leeway", `{"exp":1795666300}`, time.Minute, nil, ""},
		{"beyond leeway", `{"exp":1795666200}`, time.Minute, []diag.Code{diag.TokenExpired}, "leeway 1m0s"},
		{"missing is CheckExp's", `{"user_id":"u"}`, 0, nil, ""},
		{"string is CheckExp's", `{"exp":"1"}`, 0, nil, ""},
		{"milliseconds are CheckExp's", `{"exp":1796227200000}`, 0, nil, ""},
		{"nanoseconds are CheckExp's", `{"exp":1796227200000000000}`, 0, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckNotExpired(claimsToken(t, tt.payload), Clock{Ours: testNow}, tt.leeway)
			if !sameCodes(got, tt.want) {
				t.Fatalf("CheckNotExpired() codes = %v, want %v (%v)", codes(got), tt.want, got)
			}
			if tt.wantMsg != "" && !strings.Contains(got[0].Observed, tt.wantMsg) {
				t.Errorf("CheckNotExpired() observed = %q, want it to contain %q", got[0].Observed, tt.wantMsg)
			}
		})
	}
}

func TestCheckLifetime(t *testing.T) {
	now := testNow.Unix()
	itoa := formatInt
	tests := []struct {
		name    string
		payload string
		max     time.Duration
		want    []diag.Code
		wantMsg string
	}{
		{"1h", `{"exp":` + itoa(now+3600) + `}`, 0, nil, ""},
		{"exactly 24h", `{"exp":` + itoa(now+86400) + `}`, 0, nil, ""},
		{"30 days", `{"exp":` + itoa(now+30*86400) + `}`, 0, []diag.Code{diag.TokenLifetimeLong}, "30d after now"},
		{"iat-based: old token with long lifetime", `{"iat":` + itoa(now-29*86400) + `,"exp":` + itoa(now+3600) + `}`, 0,
			[]diag.Code{diag.TokenLifetimeLong}, "after iat"},
		{"iat-based: fine", `{"iat":` + itoa(now-1800) + `,"exp":` + itoa(now+1800) + `}`, 0, nil, ""},
		{"custom max", `{"exp":` + itoa(now+7200) + `}`, time.Hour, []diag.Code{diag.TokenLifetimeLong}, "2h after now"},
		{"never expires", `{"exp":1e400}`, 0, []diag.Code{diag.TokenLifetimeLong}, "never expires"},
		{"milliseconds are CheckExp's", `{"exp":1796227200000}`, 0, nil, ""},
		{"microseconds are CheckExp's", `{"exp":1796227200000000}`, 0, nil, ""},
		{"nanoseconds are CheckExp's", `{"exp":1796227200000000000}`, 0, nil, ""},
		{"missing", `{}`, 0, nil, ""},
		{"expired", `{"exp":1}`, 0, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckLifetime(claimsToken(t, tt.payload), testNow, tt.max)
			if !sameCodes(got, tt.want) {
				t.Fatalf("CheckLifetime() codes = %v, want %v (%v)", codes(got), tt.want, got)
			}
			if tt.wantMsg != "" && !strings.Contains(got[0].Observed, tt.wantMsg) {
				t.Errorf("CheckLifetime() observed = %q, want it to contain %q", got[0].Observed, tt.wantMsg)
			}
			for _, d := range got {
				if d.Severity != diag.Warn {
					t.Errorf("CheckLifetime() severity = %s, want warn", d.Severity)
				}
			}
		})
	}
}

func TestCheckOptionalClaims(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    []diag.Code
	}{
		{"all strings", `{"first_name":"John","last_name":"Doe","email":"john.doe@example.com"}`, nil},
		{"absent", `{}`, nil},
		{"first_name null", `{"first_name":null}`, []diag.Code{diag.TokenClaimType}},
		{"last_name number", `{"last_name":7}`, []diag.Code{diag.TokenClaimType}},
		{"email object", `{"email":{"a":"b"}}`, []diag.Code{diag.TokenClaimType}},
		{"two bad types", `{"first_name":1,"last_name":false}`, []diag.Code{diag.TokenClaimType, diag.TokenClaimType}},
		{"email not an address", `{"email":"john"}`, []diag.Code{diag.TokenEmailInvalid}},
		{"email empty", `{"email":""}`, []diag.Code{diag.TokenEmailInvalid}},
		{"email with display name", `{"email":"John Doe <john@example.com>"}`, []diag.Code{diag.TokenEmailInvalid}},
		{"email with spaces", `{"email":" john@example.com "}`, []diag.Code{diag.TokenEmailInvalid}},
		{"email two at signs", `{"email":"a@b@example.com"}`, []diag.Code{diag.TokenEmailInvalid}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckOptionalClaims(claimsToken(t, tt.payload))
			if !sameCodes(got, tt.want) {
				t.Errorf("CheckOptionalClaims() codes = %v, want %v (%v)", codes(got), tt.want, got)
			}
		})
	}
}

func TestParsedDates(t *testing.T) {
	p := claimsToken(t, `{"exp":1795654800.5,"iat":1795651200}`)
	if exp, ok := p.Expiry(); !ok || !exp.Equal(time.Date(2026, 11, 26, 1, 0, 0, 5e8, time.UTC)) {
		t.Errorf("Expiry() = %v, %v", exp, ok)
	}
	if iat, ok := p.IssuedAt(); !ok || !iat.Equal(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("IssuedAt() = %v, %v", iat, ok)
	}
	if _, ok := claimsToken(t, `{"iat":"x"}`).IssuedAt(); ok {
		t.Errorf("IssuedAt() ok = true for a string iat, want false")
	}
}
