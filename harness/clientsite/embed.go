//go:build mfconform_embed

package clientsite

import (
	"embed"
	"io/fs"
)

// embeddedFiles holds the bundles that scripts/bundles.sh copied into the
// (git-ignored) embedded folder before a -tags mfconform_embed build;
// `make build` does both.
//
//go:embed embedded
var embeddedFiles embed.FS

func init() {
	sub, err := fs.Sub(embeddedFiles, "embedded")
	if err != nil {
		panic("clientsite: embedded bundles: " + err.Error())
	}
	embeddedFS = sub
}
