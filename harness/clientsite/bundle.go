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
func FindBundle() (string, error) {
	if p := os.Getenv(BundleEnv); p != "" {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", fmt.Errorf("%w: %s=%s: %v; %s", ErrBundleMissing, BundleEnv, p, err, BundleHint)
		}
		if err := regularFile(abs); err != nil {
			return "", fmt.Errorf("%w: %s=%s: %v; %s", ErrBundleMissing, BundleEnv, p, err, BundleHint)
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
	return findUp(starts)
}

// findUp looks for bundleRel in each start directory and its ancestors, in
// order, and returns the first found.
func findUp(starts []string) (string, error) {
	for _, start := range starts {
		dir, err := filepath.Abs(start)
		if err != nil {
			continue
		}
		for {
			p := filepath.Join(dir, bundleRel)
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
		ErrBundleMissing, bundleRel, strings.Join(starts, " or "), BundleHint)
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
