package clientsite

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// fakeNPM writes an npm that, on `ci`, installs a supabase.js with the
// given content and an esbuild that records its arguments, one a line, in
// the file $FAKE_ESBUILD_ARGS names and writes its --outfile; it returns
// the npm's path.
func fakeNPM(t *testing.T, supabaseJS string) string {
	t.Helper()
	dir := t.TempDir()
	script := `#!/bin/sh
[ "$1" = ci ] || { echo "fake npm: want ci, got $*" >&2; exit 2; }
mkdir -p node_modules/@supabase/supabase-js/dist/umd node_modules/.bin
printf '%s' '` + supabaseJS + `' > node_modules/@supabase/supabase-js/dist/umd/supabase.js
cat > node_modules/.bin/esbuild <<'EOS'
#!/bin/sh
[ -z "$FAKE_ESBUILD_ARGS" ] || printf '%s\n' "$@" > "$FAKE_ESBUILD_ARGS"
for a; do case $a in --outfile=*) printf built > "${a#--outfile=}";; esac; done
EOS
chmod +x node_modules/.bin/esbuild
`
	p := filepath.Join(dir, "npm")
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestInstallRefusesWhatIsNotPinned: a bundle whose digest is not the one
// bundles.lock pins is refused, and nothing lands in the folder.
func TestInstallRefusesWhatIsNotPinned(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bundles")
	_, err := Install(t.Context(), InstallOptions{Dir: dir, NPM: fakeNPM(t, "not supabase-js"),
		PackageJSON: []byte("{}"), PackageLock: []byte("{}")})
	if !errors.Is(err, ErrBundleMismatch) || !strings.Contains(err.Error(), "nothing was installed") {
		t.Errorf("Install() error = %v, want ErrBundleMismatch saying nothing was installed", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Install() of a refused bundle created %s (%v)", dir, err)
	}
	if _, err := Install(t.Context(), InstallOptions{Dir: dir}); !errors.Is(err, ErrNoNPM) {
		t.Errorf("Install() without npm: error = %v, want ErrNoNPM", err)
	}
}

// TestSSRBuildArgsMatchMakefile: `bundles install` builds the @supabase/ssr
// bundle with exactly the Makefile's esbuild options, entry and output, so
// both give the bytes bundles.lock pins; and Install passes them as they
// are (the fake esbuild records what it got).
func TestSSRBuildArgsMatchMakefile(t *testing.T) {
	mk, err := os.ReadFile(filepath.Join(buildCheckout(), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(mk), "\\\n", " ")
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^(SSR_BUNDLE|SSR_ENTRY)\s*:=\s*(\S+)`).FindAllStringSubmatch(text, -1) {
		vars[m[1]] = m[2]
	}
	line := regexp.MustCompile(`(?m)^\s*node_modules/\.bin/esbuild (.*)$`).FindStringSubmatch(text)
	if line == nil || vars["SSR_ENTRY"] == "" || vars["SSR_BUNDLE"] == "" {
		t.Fatalf("the Makefile has no esbuild rule with SSR_ENTRY and SSR_BUNDLE: %q %v", line, vars)
	}
	var makeArgs []string
	for _, f := range strings.Fields(line[1]) {
		f = strings.ReplaceAll(f, "$(SSR_ENTRY)", vars["SSR_ENTRY"])
		f = strings.ReplaceAll(f, "$@", vars["SSR_BUNDLE"])
		makeArgs = append(makeArgs, f)
	}
	a, err := asset(SupabaseSSR)
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]string{SSREntry}, SSRBuildArgs...), "--outfile="+a.File)
	if !slices.Equal(makeArgs, want) {
		t.Errorf("the Makefile runs esbuild %q; bundles install runs it %q", makeArgs, want)
	}

	// The fake npm installs the pinned supabase-js, so Install reaches the
	// build; the fake esbuild's output is refused, after it recorded its
	// arguments.
	_, good := pinned(t)
	npm := fakeNPM(t, strings.ReplaceAll(string(good), "'", `'\''`))
	work := t.TempDir()
	t.Setenv("TMPDIR", work)
	argsFile := filepath.Join(t.TempDir(), "args.txt")
	t.Setenv("FAKE_ESBUILD_ARGS", argsFile)
	_, err = Install(t.Context(), InstallOptions{Dir: filepath.Join(t.TempDir(), "out"), NPM: npm, PackageJSON: []byte("{}"), PackageLock: []byte("{}")})
	if !errors.Is(err, ErrBundleMismatch) || !strings.Contains(err.Error(), "supabase-ssr.js") {
		t.Fatalf("Install() with a fake esbuild: error = %v, want the built bundle refused", err)
	}
	got, err := os.ReadFile(argsFile)
	if err != nil {
		t.Fatalf("esbuild did not run: %v", err)
	}
	if lines := strings.Fields(string(got)); !slices.Equal(lines, want) {
		t.Errorf("Install() ran esbuild %q, want %q", lines, want)
	}
	entries, _ := os.ReadDir(work)
	if len(entries) != 0 {
		t.Errorf("Install() left %v in TMPDIR", entries)
	}
}
