package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/mfconform/mfconform/harness/clientsite"
)

// commit is set at build time with -ldflags "-X main.commit=…"; when
// empty, the VCS revision Go stamped into the binary is shown.
var commit = ""

// versionCmd prints the tool's version, commit, Go version and, for every
// pinned browser bundle, whether it is embedded and which version it is.
func versionCmd(stdout io.Writer) {
	fmt.Fprintf(stdout, "mfconform %s\n", toolVersion())
	fmt.Fprintf(stdout, "commit: %s\n", toolCommit())
	fmt.Fprintf(stdout, "go: %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	assets, err := clientsite.Assets()
	if err != nil {
		fmt.Fprintf(stdout, "bundles: %v\n", err)
		return
	}
	verr := clientsite.VerifyEmbedded()
	for _, a := range assets {
		if _, ok := clientsite.Embedded(a.Name); !ok {
			fmt.Fprintf(stdout, "%s: not embedded\n", a.Name)
			continue
		}
		state := "sha256 verified"
		if verr != nil {
			state = "sha256 MISMATCH, rebuild with `make build`"
		}
		fmt.Fprintf(stdout, "%s: %s (embedded, %s)\n", a.Name, a.Version, state)
	}
}

// toolCommit returns the commit the binary was built from, "unknown" when
// neither -X main.commit nor Go's VCS stamp tells.
func toolCommit() string {
	if commit != "" {
		return commit
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return "unknown"
	}
	if modified == "true" {
		rev += " (modified)"
	}
	return rev
}
