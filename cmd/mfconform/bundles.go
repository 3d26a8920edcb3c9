package main

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"

	mfconform "github.com/mfconform/mfconform"
	"github.com/mfconform/mfconform/cmd/mfconform/internal/runner"
	"github.com/mfconform/mfconform/harness/clientsite"
)

const bundlesHelp = `Usage: mfconform bundles install DIR

Fetches and builds the browser bundles Supabase mode serves, for a binary
that does not embed them (go install): npm ci over mfconform's pinned
package.json and package-lock.json in a temporary folder (package scripts
off), the @supabase/ssr bundle built with the pinned esbuild exactly as
` + "`make deps`" + ` does, every bundle checked against the SHA-256 pinned in
bundles.lock — one that differs is refused and nothing is installed. The
bundles land in DIR; it prints the export lines that point mfconform at them
(or copy them beside the mfconform binary, where it also looks).
Needs npm and node on PATH.
`

// bundlesCmd is `mfconform bundles install DIR`. Ctrl-C stops npm and
// leaves nothing behind (exit 130).
func bundlesCmd(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	if len(args) != 2 || args[0] != "install" || strings.HasPrefix(args[1], "-") {
		return exitToolError, fmt.Errorf("%w: bundles install DIR", errUsage)
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return exitToolError, fmt.Errorf("%w: bundles install: npm not found: install Node.js and npm (Debian/Ubuntu: sudo apt-get install -y nodejs npm; "+
			"elsewhere https://nodejs.org) and run it again, or use a release archive or the container image, which embed the bundles; %s",
			runner.ErrConfig, clientsite.BundleHint())
	}
	fmt.Fprintf(stderr, "mfconform: fetching the pinned packages with %s ci and building the @supabase/ssr bundle…\n", npm)
	done, err := clientsite.Install(ctx, clientsite.InstallOptions{
		Dir: args[1], PackageJSON: mfconform.PackageJSON, PackageLock: mfconform.PackageLock, NPM: npm, Log: stderr,
	})
	if err != nil {
		if ctx.Err() != nil {
			return exitInterrupted, fmt.Errorf("bundles install: interrupted; nothing was installed")
		}
		return exitToolError, fmt.Errorf("bundles install: %w", err)
	}
	fmt.Fprintln(stdout, "# the pinned browser bundles, checked against bundles.lock; point mfconform at them with:")
	for _, b := range done {
		fmt.Fprintf(stdout, "export %s=%s\n", b.Env(), shellQuote(b.Path))
	}
	return exitOK, nil
}
