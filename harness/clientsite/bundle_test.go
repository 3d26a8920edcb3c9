package clientsite

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeBundle creates dir/node_modules/.../supabase.js and returns its path.
func writeBundle(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, bundleRel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatalf("MkdirAll() error = %v", err)
	}
	if err := os.WriteFile(p, []byte("var supabase = {};\n"), 0o644); err != nil {
		t.Fatalf("WriteFile() error = %v", err)
	}
	return p
}

func TestFindBundle(t *testing.T) {
	tmp := t.TempDir()
	envFile := filepath.Join(tmp, "custom.js")
	if err := os.WriteFile(envFile, []byte("var supabase = {};\n"), 0o644); err != nil {
		t.Fatalf("WriteFile() error = %v", err)
	}
	empty := filepath.Join(tmp, "empty.js")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatalf("WriteFile() error = %v", err)
	}
	tree := filepath.Join(tmp, "checkout")
	treeBundle := writeBundle(t, tree)
	deep := filepath.Join(tree, "a", "b", "c")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatalf("MkdirAll() error = %v", err)
	}

	tests := []struct {
		name    string
		env     string
		dir     string // working directory; "" keeps the package directory
		want    string
		wantErr error
	}{
		{name: "env set", env: envFile, want: envFile},
		{name: "env points to a missing file", env: filepath.Join(tmp, "missing.js"), wantErr: ErrBundleMissing},
		{name: "env points to an empty file", env: empty, wantErr: ErrBundleMissing},
		{name: "env points to a folder", env: tmp, wantErr: ErrBundleMissing},
		{name: "walks up from the working directory", dir: deep, want: treeBundle},
		{name: "finds the checkout's node_modules (npm ci)", want: "<checkout>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(BundleEnv, tt.env)
			if tt.dir != "" {
				t.Chdir(tt.dir)
			}
			got, err := FindBundle()
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("FindBundle() error = %v, want %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), "npm ci") {
					t.Errorf("FindBundle() error = %q, want the hint to run npm ci", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("FindBundle() error = %v, want nil", err)
			}
			if tt.want == "<checkout>" {
				wd, _ := os.Getwd()
				root := filepath.Dir(filepath.Dir(wd)) // harness/clientsite -> checkout
				tt.want = filepath.Join(root, bundleRel)
			}
			if got != tt.want {
				t.Errorf("FindBundle() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFindUpMissing(t *testing.T) {
	dir := t.TempDir()
	_, err := findUp([]string{dir})
	if !errors.Is(err, ErrBundleMissing) {
		t.Fatalf("findUp(%s) error = %v, want %v", dir, err, ErrBundleMissing)
	}
	for _, want := range []string{dir, "npm ci", "make deps"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("findUp() error = %q, want it to mention %q", err, want)
		}
	}
}
