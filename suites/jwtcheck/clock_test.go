package jwtcheck

import (
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/suites/diag"
)

func TestCheckClock(t *testing.T) {
	ours := testNow.Add(700 * time.Millisecond)
	at := func(d time.Duration) *time.Time { v := testNow.Add(d); return &v }
	tests := []struct {
		name    string
		date    time.Time
		iat     *time.Time
		fresh   bool
		want    []diag.Code
		wantMsg string
	}{
		{"in sync, sub-second Date truncation", testNow, at(-time.Minute), false, nil, ""},
		{"nothing known", time.Time{}, nil, false, nil, ""},
		{"Date ahead within tolerance", testNow.Add(20 * time.Second), nil, false, nil, ""},
		{"Date ahead", testNow.Add(5*time.Minute + 3*time.Second), nil, false, []diag.Code{diag.TokenClockSkew}, "HTTP Date header (2026-11-26T04:17:03Z) is 5m3s ahead of ours"},
		{"Date behind", testNow.Add(-2 * time.Hour), nil, false, []diag.Code{diag.TokenClockSkew}, "2h behind ours"},
		{"iat in the future", time.Time{}, at(10 * time.Minute), false, []diag.Code{diag.TokenClockSkew}, "iat (2026-11-26T04:22:00Z) is 9m59s in the future"},
		{"old iat of a backend token is fine", time.Time{}, at(-48 * time.Hour), false, nil, ""},
		{"old iat of a fresh token is skew", time.Time{}, at(-48 * time.Hour), true, []diag.Code{diag.TokenClockSkew}, "in the past: the signing clock is behind ours"},
		{"both sources", testNow.Add(time.Hour), at(time.Hour), false, []diag.Code{diag.TokenClockSkew, diag.TokenClockSkew}, "HTTP Date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Clock{Ours: ours, Date: tt.date, IAT: tt.iat, FreshIAT: tt.fresh}
			if c.Known() != (!tt.date.IsZero() || tt.iat != nil) {
				t.Errorf("Known() = %v", c.Known())
			}
			got := CheckClock(diag.TokenClockSkew, "the backend", c, 30*time.Second)
			if !sameCodes(got, tt.want) {
				t.Fatalf("CheckClock() codes = %v, want %v (%v)", codes(got), tt.want, got)
			}
			if tt.wantMsg != "" && !strings.Contains(got[0].Observed, tt.wantMsg) {
				t.Errorf("CheckClock() observed = %q, want it to contain %q", got[0].Observed, tt.wantMsg)
			}
		})
	}
}
