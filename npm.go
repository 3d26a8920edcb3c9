// Package mfconform holds what the module's root gives the binary: the
// pinned JavaScript dependencies, package.json and package-lock.json, from
// which `mfconform bundles install` reproduces the browser bundles `make
// deps` builds, outside a checkout (after `go install`, whose sources sit
// in Go's read-only module cache). They are embedded as they are committed,
// so the lockfile's integrity hashes pin every package npm fetches.
package mfconform

import _ "embed"

// PackageJSON is the module root's package.json.
//
//go:embed package.json
var PackageJSON []byte

// PackageLock is the module root's package-lock.json.
//
//go:embed package-lock.json
var PackageLock []byte
