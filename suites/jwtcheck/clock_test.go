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
		want    []diag.Code
		wantMsg string
	}{
		{"in sync, sub-second Date truncation", testNow, at(-time.Minute), nil, ""},
		{"nothing known", time.Time{}, nil, nil, ""},
		{"Date ahead within tolerance", testNow.Add(20 * time.Second), nil, nil, ""},
		{"Date ahead", testNow.Add(5*time.Minute + 3*time.Second), nil, []diag.Code{diag.TokenClockSkew}, "HTTP Date header (2026-11-26T04:17:03Z) is 5m3s ahead of ours"},
		{"Date behind", testNow.Add(-2 * time.Hour), nil, []diag.Code{diag.TokenClockSkew}, "2h behind ours"},
		{"iat in the future", time.Time{}, at(10 * time.Minute), []diag.Code{diag.TokenClockSkew}, "iat (2026-11-26T04:22:00Z) is 9m59s in the future"},
		{"old iat is fine", time.Time{}, at(-48 * time.Hour), nil, ""},
		{"both sources", testNow.Add(time.Hour), at(time.Hour), []diag.Code{diag.TokenClockSkew, diag.TokenClockSkew}, "HTTP Date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckClock(ours, tt.date, tt.iat, 30*time.Second)
			if !sameCodes(got, tt.want) {
				t.Fatalf("CheckClock() codes = %v, want %v (%v)", codes(got), tt.want, got)
			}
			if tt.wantMsg != "" && !strings.Contains(got[0].Observed, tt.wantMsg) {
				t.Errorf("CheckClock() observed = %q, want it to contain %q", got[0].Observed, tt.wantMsg)
			}
		})
	}
}
