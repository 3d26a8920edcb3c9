package jwtcheck

import (
	"testing"
)

func TestDescribe(t *testing.T) {
	p := mustParse(t, rawToken(`{"typ":"JWT","alg":"HS256","kid":"k1"}`,
		`{"zeta":1,"email":"john.doe@example.com","exp":1795669020,"user_id":"user123","iat":1795666000,"first_name":"John"}`,
		[]byte(testSecret)))
	got := Describe(p, testNow)
	want := []Field{
		{"header.alg", `"HS256"`},
		{"header.typ", `"JWT"`},
		{"header.kid", `"k1"`},
		{"signature", "32 bytes"},
		{"user_id", `"user123"`},
		{"exp", "1795669020 = 2026-11-26T04:57:00Z (in 45m)"},
		{"iat", "1795666000 = 2026-11-26T04:06:40Z (5m20s ago)"},
		{"first_name", `"John"`},
		{"email", `"john.doe@example.com"`},
		{"zeta", "1"},
	}
	if len(got) != len(want) {
		t.Fatalf("Describe() = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Describe()[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestDescribeDates(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    string
	}{
		{"expired", `{"exp":1795654800}`, "1795654800 = 2026-11-26T01:00:00Z (expired 3h12m ago)"},
		{"fractional", `{"exp":1795669920.5}`, "1795669920.5 = 2026-11-26T05:12:00.5Z (in 1h)"},
		{"milliseconds", `{"exp":1795669920000}`, "1795669920000 (seconds: beyond 100 years; as milliseconds 2026-11-26T05:12:00Z, in 1h)"},
		{"string", `{"exp":"soon"}`, `"soon" (not a number)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, rawToken(hs256, tt.payload, []byte(testSecret)))
			var got string
			for _, f := range Describe(p, testNow) {
				if f.Name == "exp" {
					got = f.Value
				}
			}
			if got != tt.want {
				t.Errorf("Describe() exp = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDescribeUnsigned(t *testing.T) {
	p := mustParse(t, mustMint(t, "none", nil, map[string]any{"user_id": "u"}))
	for _, f := range Describe(p, testNow) {
		if f.Name == "signature" && f.Value != "none (unsigned)" {
			t.Errorf("Describe() signature = %q, want %q", f.Value, "none (unsigned)")
		}
	}
}
