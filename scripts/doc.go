// Package scripts holds the tests of how mfconform ships, beside the
// scripts that ship it: the release archives (dist.sh), the GitHub
// Action's step (action.yml and action.sh) and the container image
// (Containerfile and image.sh). It has no code of its own; its tests run
// the scripts and the binaries they produce the way a user or a CI
// pipeline would.
//
// TestImage needs root, buildah and debootstrap and takes minutes; it runs
// only when MFCONFORM_IMAGE_TEST is set (`make image-test` sets it).
package scripts
