package suggest

import (
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
	specs := []string{"JWT-COOKIE-001", "JWT-COOKIE-002", "JWT-COOKIE-006", "JWT-COOKIE-010", "JWT-TOKEN-006", "SB-COOKIE-006"}
	flags := []string{"mode", "label-filter", "resolve", "report-dir", "ca-file", "proxy", "timeout", "thorough"}
	many := []string{"a1", "a2", "a3", "a4", "a5"}
	tests := []struct {
		name  string
		typed string
		known []string
		want  []string
	}{
		{"one letter missing", "resolv", flags, []string{"resolve"}},
		{"transposed digits, and the other one-edit neighbour", "JWT-COOKIE-060", specs, []string{"JWT-COOKIE-006", "JWT-COOKIE-010"}},
		{"any case", "jwt-cookie-002", specs, []string{"JWT-COOKIE-002"}},
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
