#!/usr/bin/env bash
# Release archives: dist/mfconform_VERSION_OS_ARCH.tar.gz for every target
# (the binary with the bundles embedded, README.md, LICENSE and the
# documentation README links to: SECURITY.md, CONTRIBUTING.md, docs/ and
# the deploy/ files docs/ links to) and dist/SHA256SUMS. `make dist` runs it after `make bundles`.
#
# Environment: VERSION (a leading v is dropped in file names), COMMIT, GO,
# DIST_DIR (default dist), DIST_TARGETS (default: linux/amd64 linux/arm64
# darwin/amd64 darwin/arm64). Windows is not a target: the browser launch
# code is Unix-only (process groups, NSS database, SIGINT to the browser).
#
# The archives are reproducible for a given commit: sorted entries, fixed
# owner, and the commit's time as every file's mtime.
set -euo pipefail

cd "$(dirname "$0")/.."
VERSION=${VERSION:-dev}
export VERSION COMMIT=${COMMIT:-unknown} GO=${GO:-go}
ver=${VERSION#v}
out=${DIST_DIR:-dist}
targets=${DIST_TARGETS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64}

# docs is what an archive holds besides the binary: what README.md links to.
docs=(LICENSE README.md SECURITY.md CONTRIBUTING.md docs deploy)
for f in "${docs[@]}"; do
  [ -e "$f" ] || { echo "dist: $f is missing" >&2; exit 3; }
done
if ! tar --version 2>/dev/null | grep -q 'GNU tar'; then
  echo "dist: needs GNU tar (for reproducible archives)" >&2
  exit 3
fi
epoch=$(git log -1 --format=%ct 2>/dev/null || echo 0)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
rm -rf "$out"
mkdir -p "$out"
for t in $targets; do
  goos=${t%/*} goarch=${t#*/}
  name=mfconform_${ver}_${goos}_${goarch}
  dir=$stage/$name
  mkdir -p "$dir"
  ./scripts/release-binary.sh "$goos" "$goarch" "$dir/mfconform"
  cp -R "${docs[@]}" "$dir/"
  # Files at the archive's root, as release archives usually are; the
  # documentation's folders beside them, so its relative links resolve.
  tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner --mode='go-w' \
    -C "$dir" -cf - "${docs[@]}" mfconform | gzip -n -9 >"$out/$name.tar.gz"
  echo "dist: $out/$name.tar.gz ($(du -h "$out/$name.tar.gz" | cut -f1))"
done
(cd "$out" && sha256sum -- *.tar.gz >SHA256SUMS)
echo "dist: $out/SHA256SUMS"
