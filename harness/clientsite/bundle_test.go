package clientsite

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// pinned returns the supabase-js asset and its file from the checkout,
// which `npm ci` must have installed.
func pinned(t *testing.T) (Asset, []byte) {
	t.Helper()
	a, err := asset(SupabaseJS)
	if err != nil {
		t.Fatalf("asset(%q) error = %v", SupabaseJS, err)
	}
	data, err := os.ReadFile(filepath.Join(buildCheckout(), filepath.FromSlash(a.File)))
	if err != nil {
		t.Fatalf("read the checkout's bundle: %v (run `npm ci` in the checkout; `make deps` does it)", err)
	}
	return a, data
}

// isolate points Load's lookups at the given executable folder, checkout
// and embedded files for the duration of the test; "" and nil mean none.
func isolate(t *testing.T, exeDir, checkout string, emb fs.FS) {
	t.Helper()
	oldExe, oldCheckout, oldFS := executable, checkoutDir, embeddedFS
	t.Cleanup(func() { executable, checkoutDir, embeddedFS = oldExe, oldCheckout, oldFS })
	executable = func() (string, error) {
		if exeDir == "" {
			return "", errors.New("no executable")
		}
		return filepath.Join(exeDir, "mfconform"), nil
	}
	checkoutDir = checkout
	if checkout == "" {
		checkoutDir = "relative/so/unused"
	}
	embeddedFS = emb
}

func writeFile(t *testing.T, p string, data []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatalf("MkdirAll() error = %v", err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatalf("WriteFile() error = %v", err)
	}
	return p
}

// TestBundlesLockMatchesCheckout fails when bundles.lock disagrees with
// what `npm ci` installed from the committed lockfile: a version bump must
// update the pinned version and digest (`make bundles-lock`).
func TestBundlesLockMatchesCheckout(t *testing.T) {
	all, err := Assets()
	if err != nil {
		t.Fatalf("Assets() error = %v", err)
	}
	if len(all) == 0 {
		t.Fatal("Assets() = none, want supabase-js at least")
	}
	root := buildCheckout()
	for _, a := range all {
		t.Run(a.Name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(a.File)))
			if err != nil {
				t.Fatalf("read %s: %v (run `make deps`)", a.File, err)
			}
			sum := sha256.Sum256(data)
			if got := hex.EncodeToString(sum[:]); got != a.SHA256 {
				t.Errorf("sha256(%s) = %s, bundles.lock pins %s: run `make bundles-lock` after a version bump", a.File, got, a.SHA256)
			}
			pj, err := os.ReadFile(filepath.Join(root, "node_modules", filepath.FromSlash(a.Package), "package.json"))
			if err != nil {
				t.Fatalf("read %s's package.json: %v", a.Package, err)
			}
			var meta struct{ Version string }
			if err := json.Unmarshal(pj, &meta); err != nil {
				t.Fatalf("parse %s's package.json: %v", a.Package, err)
			}
			if meta.Version != a.Version {
				t.Errorf("%s is %s in node_modules, bundles.lock pins %s: run `make bundles-lock`", a.Package, meta.Version, a.Version)
			}
		})
	}
}

func TestParseLock(t *testing.T) {
	const sum = "d60f104b9cc23ca022ea6f7574e256aeea84823fe97806c241524b6355031800"
	line := "supabase-js @supabase/supabase-js 2.1.0 node_modules/@supabase/supabase-js/dist/umd/supabase.js " + sum
	tests := []struct {
		name    string
		text    string
		want    int    // assets
		wantErr string // substring; "" means no error
	}{
		{name: "one line with comments and blanks", text: "# head\n\n" + line + "\n", want: 1},
		{name: "a second bundle is one more line", text: line + "\nsupabase-ssr @supabase/ssr 0.7.0 build/supabase-ssr.js " + sum + "\n", want: 2},
		{name: "four fields", text: "a b c " + sum, wantErr: "4 fields"},
		{name: "short digest", text: "a b c d.js abc", wantErr: "64 lower-case hex"},
		{name: "upper-case digest", text: "a b c d.js " + strings.ToUpper(sum), wantErr: "64 lower-case hex"},
		{name: "absolute file", text: "a b c /etc/d.js " + sum, wantErr: "relative to the checkout"},
		{name: "file above the checkout", text: "a b c ../d.js " + sum, wantErr: "relative to the checkout"},
		{name: "same name twice", text: line + "\nsupabase-js p 1 other.js " + sum, wantErr: "name supabase-js appears twice"},
		{name: "same file name twice", text: line + "\nother p 1 x/supabase.js " + sum, wantErr: "file name supabase.js appears twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseLock([]byte(tt.text))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseLock() error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseLock() error = %v", err)
			}
			if len(got) != tt.want {
				t.Fatalf("parseLock() = %d assets, want %d", len(got), tt.want)
			}
			if a := got[0]; a.Env() != "MFCONFORM_SUPABASE_JS" || a.FileName() != "supabase.js" || a.Version != "2.1.0" {
				t.Errorf("parseLock()[0] = %+v (env %s, file name %s)", a, a.Env(), a.FileName())
			}
		})
	}
}

func TestLoad(t *testing.T) {
	a, good := pinned(t)
	bad := append([]byte("alert('planted');\n"), good...)
	badSum := sha256.Sum256(bad)

	tmp := t.TempDir()
	envGood := writeFile(t, filepath.Join(tmp, "env", "good.js"), good)
	envBad := writeFile(t, filepath.Join(tmp, "env", "bad.js"), bad)
	empty := writeFile(t, filepath.Join(tmp, "env", "empty.js"), nil)
	exeGood := filepath.Join(tmp, "exe-good")
	writeFile(t, filepath.Join(exeGood, a.FileName()), good)
	exeEmpty := filepath.Join(tmp, "exe-empty")
	if err := os.MkdirAll(exeEmpty, 0o755); err != nil {
		t.Fatal(err)
	}
	checkout := filepath.Join(tmp, "checkout")
	checkoutFile := writeFile(t, filepath.Join(checkout, filepath.FromSlash(a.File)), good)
	// A node_modules planted above the working directory must never load.
	planted := filepath.Join(tmp, "planted")
	writeFile(t, filepath.Join(planted, filepath.FromSlash(a.File)), good)
	wd := filepath.Join(planted, "a", "b")
	if err := os.MkdirAll(wd, 0o755); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name       string
		env        string
		exeDir     string
		checkout   string
		emb        fs.FS
		wantSource string
		wantErr    []error
		wantMsg    []string
	}{
		{name: "variable wins over everything", env: envGood, exeDir: exeGood, checkout: checkout,
			emb: fstest.MapFS{"supabase.js": {Data: good}}, wantSource: envGood},
		{name: "variable names a changed bundle", env: envBad, emb: fstest.MapFS{"supabase.js": {Data: good}},
			wantErr: []error{ErrBundleMismatch, ErrBundleMissing},
			wantMsg: []string{a.SHA256, hex.EncodeToString(badSum[:]), "mfconform bundles install DIR", envBad, a.Version}},
		{name: "variable names a missing file", env: filepath.Join(tmp, "missing.js"),
			wantErr: []error{ErrBundleMissing}, wantMsg: []string{"MFCONFORM_SUPABASE_JS", "MFCONFORM_SUPABASE_SSR", "mfconform bundles install DIR"}},
		{name: "variable names an empty file", env: empty, wantErr: []error{ErrBundleMissing}},
		{name: "variable names a folder", env: tmp, wantErr: []error{ErrBundleMissing}},
		{name: "embedded wins over the files", exeDir: exeGood, checkout: checkout,
			emb: fstest.MapFS{"supabase.js": {Data: good}}, wantSource: EmbeddedSource},
		{name: "embedded copy changed", emb: fstest.MapFS{"supabase.js": {Data: bad}},
			wantErr: []error{ErrBundleMismatch, ErrBundleMissing}, wantMsg: []string{a.SHA256, "make build"}},
		{name: "beside the executable", exeDir: exeGood, checkout: checkout, wantSource: filepath.Join(exeGood, "supabase.js")},
		{name: "in the build's checkout", exeDir: exeEmpty, checkout: checkout, wantSource: checkoutFile},
		{name: "nowhere, despite node_modules above the working directory", exeDir: exeEmpty,
			wantErr: []error{ErrBundleMissing}, wantMsg: []string{"is not embedded", "MFCONFORM_SUPABASE_JS is unset", exeEmpty, "mfconform bundles install DIR", "release archive"}},
		{name: "nowhere, no executable path", wantErr: []error{ErrBundleMissing}, wantMsg: []string{"nowhere"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(wd)
			t.Setenv(BundleEnv, tt.env)
			isolate(t, tt.exeDir, tt.checkout, tt.emb)
			got, err := FindBundle()
			if tt.wantErr != nil {
				for _, want := range tt.wantErr {
					if !errors.Is(err, want) {
						t.Errorf("FindBundle() error = %v, want %v", err, want)
					}
				}
				for _, want := range tt.wantMsg {
					if err != nil && !strings.Contains(err.Error(), want) {
						t.Errorf("FindBundle() error = %q, want it to mention %q", err, want)
					}
				}
				if got != nil {
					t.Errorf("FindBundle() = %s, want nil with the error", got.Source)
				}
				return
			}
			if err != nil {
				t.Fatalf("FindBundle() error = %v", err)
			}
			if got.Source != tt.wantSource || string(got.Data) != string(good) || got.Version != a.Version {
				t.Errorf("FindBundle() = source %q, %d bytes, version %s; want %q, %d bytes, %s",
					got.Source, len(got.Data), got.Version, tt.wantSource, len(good), a.Version)
			}
		})
	}
}

func TestEmbedded(t *testing.T) {
	_, good := pinned(t)
	tests := []struct {
		name       string
		emb        fs.FS
		wantOK     bool
		wantVerify bool
	}{
		{name: "not embedded", emb: nil, wantOK: false, wantVerify: true},
		{name: "embedded", emb: fstest.MapFS{"supabase.js": {Data: good}}, wantOK: true, wantVerify: true},
		{name: "embedded but changed", emb: fstest.MapFS{"supabase.js": {Data: []byte("x")}}, wantOK: true, wantVerify: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t, "", "", tt.emb)
			a, ok := Embedded(SupabaseJS)
			if ok != tt.wantOK || a.Name != SupabaseJS {
				t.Errorf("Embedded() = %q, %v; want %q, %v", a.Name, ok, SupabaseJS, tt.wantOK)
			}
			if err := VerifyEmbedded(); (err == nil) != tt.wantVerify {
				t.Errorf("VerifyEmbedded() error = %v, want ok %v", err, tt.wantVerify)
			}
		})
	}
	if _, ok := Embedded("no-such-bundle"); ok {
		t.Error(`Embedded("no-such-bundle") = true`)
	}
}

// TestBundleHint: the bundle-missing advice names every bundle's variable
// with its package, version and file, offers `mfconform bundles install`
// and the embedding builds, and advises `make build` only in a checkout
// that is still there — never in Go's module cache (go install), where
// the sources are read-only and there is nothing to run npm in.
func TestBundleHint(t *testing.T) {
	tmp := t.TempDir()
	checkout := filepath.Join(tmp, "src", "mfconform")
	modcache := filepath.Join(tmp, "pkg", "mod", "github.com", "mfconform", "mfconform@v1.2.3")
	for _, dir := range []string{checkout, modcache} {
		writeFile(t, filepath.Join(dir, "Makefile"), []byte("all:\n"))
		writeFile(t, filepath.Join(dir, "package.json"), []byte("{}\n"))
	}
	all, err := Assets()
	if err != nil {
		t.Fatal(err)
	}
	always := []string{"mfconform bundles install DIR", "release archive", "container image"}
	for _, a := range all {
		always = append(always, a.Env()+" names ", a.Package+" "+a.Version, a.FileName())
		if !a.Built() {
			always = append(always, "npm pack "+a.Package+"@"+a.Version)
		}
	}
	tests := []struct {
		name     string
		checkout string
		want     []string
		wantNot  []string
	}{
		{"built from a checkout", checkout, []string{"make build", checkout}, nil},
		{"go install: the module cache", modcache, nil, []string{"make", "npm ci", "checkout", modcache}},
		{"the checkout is gone", filepath.Join(tmp, "gone"), nil, []string{"make", "npm ci", "checkout"}},
		{"no checkout recorded (-trimpath)", "", nil, []string{"make", "npm ci", "checkout"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t, "", tt.checkout, nil)
			got := BundleHint()
			for _, w := range append(always, tt.want...) {
				if !strings.Contains(got, w) {
					t.Errorf("BundleHint() = %q, want it to mention %q", got, w)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(got, w) {
					t.Errorf("BundleHint() = %q, want no %q", got, w)
				}
			}
		})
	}
}
