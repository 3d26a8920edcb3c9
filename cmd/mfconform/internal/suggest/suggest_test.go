package suggest

import (
	"github.com/mfconform/mfconform/suites/result"
	"slices"
	"testing"
)

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"resolv", "resolve", 1},
		{"060", "006", 1}, // a transposition is one edit
		{"kitten", "sitting", 3},
		{"samesite-lx", "samesite-lax", 1},
		{"ab", "ba", 1},
		{"ca", "abc", 3}, // optimal string alignment: no edit of a transposed pair
		{"héllo", "hello", 1},
	}
	for _, tt := range tests {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := Distance(tt.b, tt.a); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d (symmetric)", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestClosest(t *testing.T) {
	specs := []string{string(result.JWTCookie001), string(result.JWTCookie002), string(result.JWTCookie006), string(result.JWTCookie010), string(result.JWTToken006), string(result.SBCookie006)}
	flags := []string{"mode", "label-filter", "resolve", "report-dir", "ca-file", "proxy", "timeout", "thorough"}
	many := []string{"a1", "a2", "a3", "a4", "a5"}
	tests := []struct {
		name  string
		typed string
		known []string
		want  []string
	}{
		{"one letter missing", "resolv", flags, []string{"resolve"}},
		{"transposed digits, and the other one-edit neighbour", "JWT-COOKIE-060", specs, []string{string(result.JWTCookie006), string(result.JWTCookie010)}},
		{"any case", "jwt-cookie-002", specs, []string{string(result.JWTCookie002)}},
		{"a prefix", "label", flags, []string{"label-filter"}},
		{"a short prefix is not enough", "re", flags, nil},
		{"nothing close", "frobnicate", flags, nil},
		{"only the closest", "timout", flags, []string{"timeout"}},
		{"at most Max", "a", many, []string{"a1", "a2", "a3"}},
		{"empty", "", flags, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Closest(tt.typed, tt.known); !slices.Equal(got, tt.want) {
				t.Errorf("Closest(%q) = %q, want %q", tt.typed, got, tt.want)
			}
		})
	}
}

func TestPhrase(t *testing.T) {
	tests := []struct {
		prefix string
		names  []string
		want   string
	}{
		{"--", nil, ""},
		{"--", []string{"resolve"}, " (did you mean --resolve?)"},
		{"", []string{"a", "b"}, " (did you mean a or b?)"},
		{"", []string{"a", "b", "c"}, " (did you mean a, b or c?)"},
	}
	for _, tt := range tests {
		if got := Phrase(tt.prefix, tt.names); got != tt.want {
			t.Errorf("Phrase(%q, %q) = %q, want %q", tt.prefix, tt.names, got, tt.want)
		}
	}
}
