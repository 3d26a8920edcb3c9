package clientsite

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// SSREntry is the entry point esbuild bundles into the @supabase/ssr
// bundle, relative to the checkout root (the Makefile's SSR_ENTRY).
const SSREntry = "harness/clientsite/ssr/entry.mjs"

//go:embed ssr/entry.mjs
var ssrEntry []byte

// SSRBuildArgs are esbuild's options for the @supabase/ssr bundle, exactly
// as the Makefile's rule for it passes them (a test compares the two):
// esbuild's output is deterministic, so the same packages and options give
// the bytes bundles.lock pins.
var SSRBuildArgs = []string{"--bundle", "--format=iife", "--global-name=supabaseSsr",
	"--platform=browser", "--target=es2020", "--minify", "--log-level=warning"}

// ErrNoNPM is returned by Install when npm is not given.
var ErrNoNPM = errors.New("npm not found")

// InstallOptions say where Install puts the bundles and what it runs.
type InstallOptions struct {
	// Dir receives every bundle of bundles.lock under its FileName; it is
	// created when missing.
	Dir string
	// PackageJSON and PackageLock are the checkout's package.json and
	// package-lock.json (the module root embeds them): `npm ci` installs
	// exactly the locked packages, each checked against its integrity hash.
	PackageJSON, PackageLock []byte
	// NPM is the npm binary; node must be on PATH too (npm needs it, and
	// esbuild's launcher is a node script).
	NPM string
	// Log receives npm's and esbuild's output.
	Log io.Writer
	// Timeout bounds the whole install (npm fetches from its registry);
	// 10 minutes when zero.
	Timeout time.Duration
}

// Installed is a bundle Install put in place.
type Installed struct {
	Asset
	// Path is the bundle's absolute path.
	Path string
}

// Install does outside a checkout what `make deps` does in one: in a
// temporary folder it runs `npm ci` over the pinned package.json and
// lockfile (scripts off: nothing a package ships runs), builds the
// @supabase/ssr bundle with the pinned esbuild exactly as the Makefile
// does, checks every bundle against bundles.lock and only then copies
// them into Dir. A digest that differs is refused and nothing is copied.
func Install(ctx context.Context, o InstallOptions) ([]Installed, error) {
	if o.NPM == "" {
		return nil, ErrNoNPM
	}
	assets, err := Assets()
	if err != nil {
		return nil, err
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp("", "mfconform-bundles-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	entry := filepath.Join(work, filepath.FromSlash(SSREntry))
	if err := errors.Join(
		os.WriteFile(filepath.Join(work, "package.json"), o.PackageJSON, 0o644),
		os.WriteFile(filepath.Join(work, "package-lock.json"), o.PackageLock, 0o644),
		os.MkdirAll(filepath.Dir(entry), 0o755),
	); err != nil {
		return nil, err
	}
	if err := os.WriteFile(entry, ssrEntry, 0o644); err != nil {
		return nil, err
	}
	run := func(name string, args ...string) error {
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Dir, cmd.Stdout, cmd.Stderr = work, o.Log, o.Log
		// Stopped (Ctrl-C, the timeout), it is killed; a child it left
		// holding its output cannot keep Install waiting.
		cmd.WaitDelay = 5 * time.Second
		// No update check, no audit, no funding notes: only the install.
		cmd.Env = append(os.Environ(), "npm_config_update_notifier=false", "npm_config_fund=false", "npm_config_audit=false")
		if err := cmd.Run(); err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("%s: %w", name, ctx.Err())
			}
			return fmt.Errorf("%s %s: %w", filepath.Base(name), args[0], err)
		}
		return nil
	}
	if err := run(o.NPM, "ci", "--ignore-scripts", "--no-audit", "--no-fund"); err != nil {
		return nil, err
	}
	datas := map[string][]byte{}
	for _, a := range assets {
		out := filepath.Join(work, filepath.FromSlash(a.File))
		if a.Built() {
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				return nil, err
			}
			esbuild := filepath.Join(work, "node_modules", ".bin", "esbuild")
			args := append([]string{SSREntry}, SSRBuildArgs...)
			if err := run(esbuild, append(args, "--outfile="+filepath.ToSlash(a.File))...); err != nil {
				return nil, err
			}
		}
		data, err := os.ReadFile(out)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a.What(), err)
		}
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); got != a.SHA256 {
			return nil, &mismatchError{fmt.Sprintf("refusing %s: sha256 %s, but bundles.lock pins %s; nothing was installed",
				a.What(), got, a.SHA256)}
		}
		datas[a.Name] = data
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var done []Installed
	for _, a := range assets {
		p := filepath.Join(dir, a.FileName())
		if err := replaceFile(p, datas[a.Name]); err != nil {
			return done, err
		}
		done = append(done, Installed{Asset: a, Path: p})
	}
	return done, nil
}

// replaceFile writes data to path through a new file renamed over it, so a
// symbolic link at path is replaced, never followed.
func replaceFile(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = io.Copy(f, bytes.NewReader(data))
	err = errors.Join(err, f.Chmod(0o644), f.Close())
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
