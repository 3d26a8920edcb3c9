package result

import "testing"

func TestYAMLDocLine(t *testing.T) {
	doc := ParseYAMLDoc([]byte("base: &b\n  env: FROM_MERGE\njwt:\n  login_script:\n    - navigate: https://x\n    - fill: \"#p\"\n      env: TEST_PASSWORD\n    - <<: *b\n      fill: \"#q\"\n"))
	tests := []struct {
		name string
		path []any
		want int
	}{
		{"a nested key", []any{"jwt", "login_script", 1, "env"}, 7},
		{"a list entry", []any{"jwt", "login_script", 0}, 5},
		{"a key through a merge", []any{"jwt", "login_script", 2, "env"}, 2},
		{"no such index", []any{"jwt", "login_script", 9}, 0},
		{"no such key", []any{"supabase", "login_script"}, 0},
		{"an index of a mapping", []any{"jwt", 0}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := doc.Line(tt.path...); got != tt.want {
				t.Errorf("Line(%v) = %d, want %d", tt.path, got, tt.want)
			}
		})
	}
	if l, c := ParseYAMLDoc([]byte("a: [")).Line("a"); l != 0 || c != 0 {
		t.Errorf("Line of a file that does not parse = %d:%d, want 0:0", l, c)
	}
}
