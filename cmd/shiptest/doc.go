// Package shiptest tests how mfconform ships: the release archives
// (scripts/dist.sh), the GitHub Action's step (action.yml and
// scripts/action.sh) and the container image (Containerfile and
// scripts/image.sh). It has no code of its own; its tests run the scripts
// and the binaries they produce the way a user or a CI pipeline would.
//
// TestImage needs root, buildah and debootstrap and takes minutes; it runs
// only when MFCONFORM_IMAGE_TEST is set (`make image-test` sets it).
package shiptest
