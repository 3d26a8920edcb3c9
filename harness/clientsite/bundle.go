package clientsite

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrBundleMissing is returned when supabase-js's browser bundle is not found.
var ErrBundleMissing = errors.New("supabase-js browser bundle not found")

// BundleHint tells an operator how to get the bundle.
const BundleHint = "run `npm ci` in the mfconform checkout (`make deps` does it), " +
	"or point MFCONFORM_SUPABASE_JS at supabase-js's dist/umd/supabase.js"

// BundleEnv names the variable that overrides where the bundle is looked for.
const BundleEnv = "MFCONFORM_SUPABASE_JS"

// bundleRel is where npm puts the bundle, relative to the checkout.
var bundleRel = filepath.Join("node_modules", "@supabase", "supabase-js", "dist", "umd", "supabase.js")

// FindBundle returns the path of supabase-js's browser bundle:
// $MFCONFORM_SUPABASE_JS when set, else node_modules/@supabase/supabase-js/
// dist/umd/supabase.js found by walking up from the working directory and
// then from the executable's directory. It wraps ErrBundleMissing when the
// bundle is absent.
func FindBundle() (string, error) { return supabaseJS.find() }

// ErrSSRBundleMissing is returned when the @supabase/ssr browser bundle is
// not found.
var ErrSSRBundleMissing = errors.New("@supabase/ssr browser bundle not found")

// SSRBundleHint tells an operator how to get the @supabase/ssr bundle.
const SSRBundleHint = "run `make deps` in the mfconform checkout (npm ci, then the pinned esbuild bundles " +
	"@supabase/ssr into build/browser/supabase-ssr.js), or point MFCONFORM_SUPABASE_SSR_JS at such a bundle"

// SSRBundleEnv names the variable that overrides where the @supabase/ssr
// bundle is looked for.
const SSRBundleEnv = "MFCONFORM_SUPABASE_SSR_JS"

// FindSSRBundle returns the path of the @supabase/ssr browser bundle
// (createBrowserClient with the supabase-js it imports, global
// supabaseSsr) that `make deps` builds with esbuild:
// $MFCONFORM_SUPABASE_SSR_JS when set, else build/browser/supabase-ssr.js
// found the way FindBundle finds supabase-js's. It wraps
// ErrSSRBundleMissing when the bundle is absent. (Shaped like FindBundle so
// both can move to one lookup: embedded at build time, beside the
// executable, checked against a committed SHA-256.)
func FindSSRBundle() (string, error) { return supabaseSSR.find() }

// bundleSpec says where one browser bundle is looked for.
type bundleSpec struct {
	env     string // the overriding variable
	rel     string // the path below a checkout
	missing error  // wrapped when absent
	hint    string // how to get it
}

var (
	supabaseJS  = bundleSpec{env: BundleEnv, rel: bundleRel, missing: ErrBundleMissing, hint: BundleHint}
	supabaseSSR = bundleSpec{env: SSRBundleEnv, rel: ssrBundleRel, missing: ErrSSRBundleMissing, hint: SSRBundleHint}
)

// ssrBundleRel is where `make deps` writes the @supabase/ssr bundle,
// relative to the checkout.
var ssrBundleRel = filepath.Join("build", "browser", "supabase-ssr.js")

// find looks for the bundle: the variable, else up from the working
// directory and then from the executable's directory.
func (b bundleSpec) find() (string, error) {
	if p := os.Getenv(b.env); p != "" {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", fmt.Errorf("%w: %s=%s: %v; %s", b.missing, b.env, p, err, b.hint)
		}
		if err := regularFile(abs); err != nil {
			return "", fmt.Errorf("%w: %s=%s: %v; %s", b.missing, b.env, p, err, b.hint)
		}
		return abs, nil
	}
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		starts = append(starts, filepath.Dir(exe))
	}
	return b.findUp(starts)
}

// findUp looks for supabase-js's bundle in each start directory and its
// ancestors, in order, and returns the first found.
func findUp(starts []string) (string, error) { return supabaseJS.findUp(starts) }

// findUp looks for b.rel in each start directory and its ancestors, in
// order, and returns the first found.
func (b bundleSpec) findUp(starts []string) (string, error) {
	for _, start := range starts {
		dir, err := filepath.Abs(start)
		if err != nil {
			continue
		}
		for {
			p := filepath.Join(dir, b.rel)
			if regularFile(p) == nil {
				return p, nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", fmt.Errorf("%w: no %s in %s or any folder above; %s",
		b.missing, b.rel, strings.Join(starts, " or "), b.hint)
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
