package result

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "mf_jwt_token=abc; Path=/", "mf_jwt_token=abc; Path=/"},
		{"newline and tab kept", "a\n\tb", "a\n\tb"},
		{"ANSI colour", "\x1b[31mred\x1b[0m", `\u001b[31mred\u001b[0m`},
		{"OSC hyperlink", "\x1b]8;;https://evil\x07x\x1b]8;;\x07", `\u001b]8;;https://evil\u0007x\u001b]8;;\u0007`},
		{"NUL, backspace, CR, DEL", "a\x00b\x08c\rd\x7f", `a\u0000b\u0008c\u000dd\u007f`},
		{"C1 control", "a\u0085b\u009bc", `a\u0085b\u009bc`},
		{"bidi override", "user\u202eexe.txt", `user\u202eexe.txt`},
		{"invalid UTF-8", "a\xffb", `a\xffb`},
		{"other Unicode kept", "Grüße — ✓ 日本", "Grüße — ✓ 日本"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Clean(tt.in); got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCleanLine(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "HTTP 500 oops", "HTTP 500 oops"},
		{"a workflow command after a newline", "x\n::error title=t::y", `x\n::error title=t::y`},
		{"CR and CRLF", "a\r::add-mask::b\r\n  ::stop-commands::c", `a\u000d::add-mask::b\u000d\n  ::stop-commands::c`},
		{"Unicode separators and NEL", "a\u2028b\u2029c\u0085d", `a\u2028b\u2029c\u0085d`},
		{"tab kept", "a\tb", "a\tb"},
		{"controls as Clean", "\x1b[31m", `\u001b[31m`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CleanLine(tt.in); got != tt.want {
				t.Errorf("CleanLine(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzCleanLine: whatever a target sends, CleanLine's output is one line
// (no character a reader could take for a line break) and as clean as
// Clean's.
func FuzzCleanLine(f *testing.F) {
	for _, s := range []string{"", "a\n::error::b", "\r\n\u2028\u2029\u0085\v\f", "日本\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := CleanLine(s)
		if strings.ContainsAny(c, "\n\r\v\f\u0085\u2028\u2029") {
			t.Fatalf("CleanLine(%q) = %q holds a line break", s, c)
		}
		if Clean(c) != c {
			t.Fatalf("CleanLine(%q) = %q is not clean", s, c)
		}
	})
}

// FuzzClean holds Clean to its promise on any input: the output is valid
// UTF-8 without a control character other than newline and tab, and
// cleaning twice changes nothing.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b[2J\x1b]0;title\x07", "a\x00\x08\r\x7f\u0085\u202e\xff", "日本\n\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Clean(s)
		if !utf8.ValidString(c) {
			t.Fatalf("Clean(%q) = %q is not valid UTF-8", s, c)
		}
		for _, r := range c {
			if unsafeRune(r) {
				t.Fatalf("Clean(%q) = %q still holds %U", s, c, r)
			}
		}
		if Clean(c) != c {
			t.Fatalf("Clean is not idempotent on %q", s)
		}
		if !strings.ContainsAny(s, "\\") && cleanAlready(s) && c != s {
			t.Fatalf("Clean changed clean text %q", s)
		}
	})
}

func TestCut(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"short kept", "abc", 3, "abc"},
		{"cut with length", "abcdef", 3, "abc…(6 bytes)"},
		{"never splits a character", "aé", 2, "a…(3 bytes)"},
		{"empty", "", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Cut(tt.in, tt.max); got != tt.want {
				t.Errorf("Cut(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

func TestScrubBoundsEntries(t *testing.T) {
	big := map[string]any{}
	var list []int
	for i := range MaxItems + 5 {
		big[fmt.Sprintf("k%03d", i)] = i
		list = append(list, i)
	}
	tests := []struct {
		name string
		in   any
		want int // entries kept, the marker included
	}{
		{"map", big, MaxItems + 1},
		{"list", list, MaxItems + 1},
		{"small map kept whole", map[string]any{"a": 1}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n int
			switch v := Scrub(tt.in, Clean).(type) {
			case map[string]any:
				n = len(v)
				if len(big) > MaxItems && tt.name == "map" && v["…"] != "5 more not shown" {
					t.Errorf("map marker = %v, want 5 more not shown", v["…"])
				}
			case []any:
				n = len(v)
				if v[len(v)-1] != "…5 more not shown" {
					t.Errorf("list marker = %v, want …5 more not shown", v[len(v)-1])
				}
			}
			if n != tt.want {
				t.Errorf("Scrub kept %d entries, want %d", n, tt.want)
			}
		})
	}
}
