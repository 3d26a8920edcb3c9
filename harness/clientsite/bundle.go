package clientsite

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// ErrBundleMissing is returned when a browser bundle is not found. It also
// matches a bundle that was found but is not the pinned one (see
// ErrBundleMismatch): either way the pinned bundle is not available.
var ErrBundleMissing = errors.New("browser bundle not found")

// ErrBundleMismatch is returned when a bundle's SHA-256 is not the one
// pinned in bundles.lock. Such errors match ErrBundleMissing too.
var ErrBundleMismatch = errors.New("browser bundle is not the pinned version")

// BundleEnv names the variable that overrides where the supabase-js bundle
// is looked for.
const BundleEnv = "MFCONFORM_SUPABASE_JS"

// SupabaseJS names supabase-js's browser bundle in bundles.lock.
const SupabaseJS = "supabase-js"

// SupabaseSSR names the @supabase/ssr browser bundle in bundles.lock:
// createBrowserClient with the supabase-js it imports, global supabaseSsr,
// built by `make deps` with the pinned esbuild (deterministic, so its
// digest can be pinned like a published file's).
const SupabaseSSR = "supabase-ssr"

// EmbeddedSource is Bundle.Source for a bundle compiled into the binary.
const EmbeddedSource = "embedded"

// lockText pins every bundle: name, package, version, file, sha256.
//
//go:embed bundles.lock
var lockText []byte

// embeddedFS holds the bundles compiled into the binary, by file name
// (Asset.FileName); nil unless built with -tags mfconform_embed (embed.go).
var embeddedFS fs.FS

// checkoutDir is the absolute path of the checkout the binary was built
// from, set with -ldflags "-X …/harness/clientsite.checkoutDir=$(CURDIR)".
// When unset, the folder this source file was compiled from stands in for
// it (builds without -trimpath, go test among them).
var checkoutDir string

// executable is os.Executable; tests replace it.
var executable = os.Executable

// Asset is one pinned browser bundle: a line of bundles.lock.
type Asset struct {
	// Name identifies the bundle, e.g. "supabase-js".
	Name string
	// Package is the npm package it comes from, e.g. "@supabase/supabase-js".
	Package string
	// Version is the package's pinned version.
	Version string
	// File is where `npm ci` (or `make deps`) puts it, slash-separated and
	// relative to the checkout root.
	File string
	// SHA256 is the file's pinned digest, lower-case hex.
	SHA256 string
}

// Env is the variable that points at the bundle's file:
// MFCONFORM_ and the name in upper case with '-' as '_'.
func (a Asset) Env() string {
	return "MFCONFORM_" + strings.ToUpper(strings.ReplaceAll(a.Name, "-", "_"))
}

// FileName is the bundle's file name beside the executable and in the
// embedded folder: the base name of File.
func (a Asset) FileName() string { return path.Base(a.File) }

// Built reports whether the bundle is built from its package (by `make
// deps`, with the pinned esbuild) rather than a file the package ships.
func (a Asset) Built() bool { return !strings.HasPrefix(a.File, "node_modules/") }

// What says which file the bundle is, with its package and version:
// "@supabase/supabase-js 2.119.1's dist/umd/supabase.js", "supabase-ssr.js
// built from @supabase/ssr 0.12.7 with the pinned esbuild".
func (a Asset) What() string {
	if a.Built() {
		return fmt.Sprintf("%s built from %s %s with the pinned esbuild", a.FileName(), a.Package, a.Version)
	}
	return fmt.Sprintf("%s %s's %s", a.Package, a.Version, strings.TrimPrefix(a.File, "node_modules/"+a.Package+"/"))
}

// BundleHint tells an operator how to get the browser bundles Supabase
// mode needs: every variable with the exact file and version it names,
// `mfconform bundles install DIR` (which fetches and builds them with npm
// and checks them against bundles.lock), the release archive and image
// that embed them, and `make deps` only for a binary built from a
// checkout that is still there — never for one `go install` built from
// the read-only module cache.
func BundleHint() string {
	all, err := Assets()
	if err != nil {
		return err.Error()
	}
	var vars, byHand []string
	for _, a := range all {
		vars = append(vars, a.Env()+" names "+a.What())
		if !a.Built() {
			byHand = append(byHand, fmt.Sprintf("`npm pack %s@%s` and take package/%s from the archive",
				a.Package, a.Version, strings.TrimPrefix(a.File, "node_modules/"+a.Package+"/")))
		}
	}
	h := "Supabase mode needs every pinned browser bundle (" + strings.Join(vars, "; ") + "; digests in bundles.lock). " +
		"Get them with `mfconform bundles install DIR` (needs npm; it builds what must be built, checks the digests " +
		"and prints the export lines to use), or use a release archive or the container image, which embed them"
	if len(byHand) > 0 {
		h += " (by hand: " + strings.Join(byHand, "; ") + ")"
	}
	if dir, ok := checkout(); ok {
		h += fmt.Sprintf(", or run `make build` in %s, the checkout this binary was built from (it runs `npm ci` and embeds them)", dir)
	}
	return h
}

// checkout returns the checkout the binary was built from when it is one
// `make` can work in: it still exists with its Makefile and package.json,
// and it is not Go's module cache (a go install builds from a read-only
// folder named module@version there).
func checkout() (string, bool) {
	dir := buildCheckout()
	if dir == "" || strings.Contains(filepath.Base(dir), "@") {
		return "", false
	}
	for _, f := range []string{"Makefile", "package.json"} {
		if regularFile(filepath.Join(dir, f)) != nil {
			return "", false
		}
	}
	return dir, true
}

// Bundle is a loaded browser bundle whose digest matched.
type Bundle struct {
	Asset
	// Source is EmbeddedSource or the file the bundle was read from.
	Source string
	// Data is the script.
	Data []byte
}

var (
	lockOnce   sync.Once
	lockAssets []Asset
	lockErr    error
)

// Assets returns every bundle pinned in bundles.lock, in file order.
func Assets() ([]Asset, error) {
	lockOnce.Do(func() { lockAssets, lockErr = parseLock(lockText) })
	return lockAssets, lockErr
}

// asset returns the pinned bundle called name.
func asset(name string) (Asset, error) {
	all, err := Assets()
	if err != nil {
		return Asset{}, err
	}
	for _, a := range all {
		if a.Name == name {
			return a, nil
		}
	}
	return Asset{}, fmt.Errorf("clientsite: no bundle %q in bundles.lock", name)
}

// parseLock reads bundles.lock: blank lines and # comments are skipped,
// every other line has five fields.
func parseLock(text []byte) ([]Asset, error) {
	var out []Asset
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 5 {
			return nil, fmt.Errorf("bundles.lock:%d: %d fields, want 5 (name package version file sha256)", n, len(f))
		}
		a := Asset{Name: f[0], Package: f[1], Version: f[2], File: f[3], SHA256: f[4]}
		if d, err := hex.DecodeString(a.SHA256); err != nil || len(d) != sha256.Size || a.SHA256 != strings.ToLower(a.SHA256) {
			return nil, fmt.Errorf("bundles.lock:%d: sha256 %q is not 64 lower-case hex digits", n, a.SHA256)
		}
		if path.IsAbs(a.File) || strings.Contains(a.File, "\\") || path.Clean(a.File) != a.File || strings.HasPrefix(a.File, "../") {
			return nil, fmt.Errorf("bundles.lock:%d: file %q must be a clean path relative to the checkout", n, a.File)
		}
		for _, k := range []string{"name " + a.Name, "file name " + a.FileName()} {
			if seen[k] {
				return nil, fmt.Errorf("bundles.lock:%d: %s appears twice", n, k)
			}
			seen[k] = true
		}
		out = append(out, a)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("bundles.lock: %w", err)
	}
	return out, nil
}

// FindBundle returns supabase-js's browser bundle: Load(SupabaseJS).
func FindBundle() (*Bundle, error) { return Load(SupabaseJS) }

// FindSSRBundle returns the @supabase/ssr browser bundle:
// Load(SupabaseSSR).
func FindSSRBundle() (*Bundle, error) { return Load(SupabaseSSR) }

// Load returns the bundle called name, checked against its pinned digest.
// It looks, in order, at the file named by the asset's variable (Env)
// when set, then at the copy embedded in the binary, then beside the
// executable (FileName), then at File in the checkout the binary was built
// from. It never looks relative to the working directory. A bundle found
// nowhere wraps ErrBundleMissing; one whose digest differs wraps
// ErrBundleMismatch (and ErrBundleMissing).
func Load(name string) (*Bundle, error) {
	a, err := asset(name)
	if err != nil {
		return nil, err
	}
	if p := os.Getenv(a.Env()); p != "" {
		abs, err := filepath.Abs(p)
		if err == nil {
			err = regularFile(abs)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s=%s: %v; %s", ErrBundleMissing, a.Env(), p, err, BundleHint())
		}
		return readVerified(a, abs)
	}
	if b, ok := embedded(a); ok {
		if err := a.verify(b); err != nil {
			return nil, err
		}
		return b, nil
	}
	var looked []string
	for _, p := range candidates(a) {
		looked = append(looked, p)
		if regularFile(p) == nil {
			return readVerified(a, p)
		}
	}
	where := "nowhere (no executable path, no checkout recorded)"
	if len(looked) > 0 {
		where = strings.Join(looked, ", ")
	}
	return nil, fmt.Errorf("%w: %s %s is not embedded in this binary, %s is unset, and it is not at %s; %s",
		ErrBundleMissing, a.Package, a.Version, a.Env(), where, BundleHint())
}

// Embedded reports whether the bundle called name is compiled into the
// binary, and its pinned description.
func Embedded(name string) (Asset, bool) {
	a, err := asset(name)
	if err != nil {
		return Asset{}, false
	}
	_, ok := embedded(a)
	return a, ok
}

// VerifyEmbedded checks every embedded bundle against its pinned digest.
func VerifyEmbedded() error {
	all, err := Assets()
	if err != nil {
		return err
	}
	var errs []error
	for _, a := range all {
		if b, ok := embedded(a); ok {
			errs = append(errs, a.verify(b))
		}
	}
	return errors.Join(errs...)
}

// embedded returns the embedded copy of a, unverified.
func embedded(a Asset) (*Bundle, bool) {
	if embeddedFS == nil {
		return nil, false
	}
	data, err := fs.ReadFile(embeddedFS, a.FileName())
	if err != nil {
		return nil, false
	}
	return &Bundle{Asset: a, Source: EmbeddedSource, Data: data}, true
}

// candidates lists the files Load tries after the variable and the
// embedded copy: beside the executable, then in the build's checkout.
func candidates(a Asset) []string {
	var out []string
	if exe, err := executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		out = append(out, filepath.Join(filepath.Dir(exe), a.FileName()))
	}
	if dir := buildCheckout(); dir != "" {
		out = append(out, filepath.Join(dir, filepath.FromSlash(a.File)))
	}
	return out
}

// buildCheckout returns the absolute checkout folder recorded at build time,
// or "" when none is known.
func buildCheckout() string {
	if checkoutDir != "" {
		if filepath.IsAbs(checkoutDir) {
			return filepath.Clean(checkoutDir)
		}
		return ""
	}
	// This file is harness/clientsite/bundle.go of the checkout; with
	// -trimpath the recorded name is module-relative and is not used.
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	return filepath.Dir(filepath.Dir(filepath.Dir(file)))
}

// readVerified reads the bundle at p and checks its digest.
func readVerified(a Asset, p string) (*Bundle, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v; %s", ErrBundleMissing, a.Name, err, BundleHint())
	}
	b := &Bundle{Asset: a, Source: p, Data: data}
	if err := a.verify(b); err != nil {
		return nil, err
	}
	return b, nil
}

// verify checks b.Data against the pinned digest.
func (a Asset) verify(b *Bundle) error {
	sum := sha256.Sum256(b.Data)
	got := hex.EncodeToString(sum[:])
	if got == a.SHA256 {
		return nil
	}
	fix := BundleHint()
	if dir, ok := checkout(); ok {
		fix += "; after a deliberate version bump in " + filepath.Join(dir, "package.json") + ", run `make bundles-lock` and commit bundles.lock"
	}
	if b.Source == EmbeddedSource {
		fix = "rebuild with `make build`, which checks the bundles before embedding them"
	}
	return &mismatchError{fmt.Sprintf("%s bundle %s is not the pinned version: sha256 %s, expected %s (%s %s, harness/clientsite/bundles.lock); %s",
		a.Name, b.Source, got, a.SHA256, a.Package, a.Version, fix)}
}

// mismatchError is a digest mismatch; it matches ErrBundleMismatch and
// ErrBundleMissing.
type mismatchError struct{ msg string }

func (e *mismatchError) Error() string { return e.msg }

// Is reports whether target is ErrBundleMismatch or ErrBundleMissing.
func (e *mismatchError) Is(target error) bool {
	return target == ErrBundleMismatch || target == ErrBundleMissing
}

// regularFile reports why p is not a non-empty regular file, or nil.
func regularFile(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", p)
	}
	if fi.Size() == 0 {
		return fmt.Errorf("%s is empty", p)
	}
	return nil
}
