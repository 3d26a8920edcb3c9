#!/usr/bin/env bash
# Builds one release binary: static (CGO_ENABLED=0), -trimpath, stripped,
# with the pinned browser bundles embedded (run `scripts/bundles.sh embed`,
# or `make bundles`, first). Used by `make dist` and `make image`.
#
#   scripts/release-binary.sh GOOS GOARCH OUTPUT
#
# VERSION and COMMIT are stamped in (`mfconform version` prints them); GO
# picks the go command. No checkout path is recorded: the binary must not
# depend on the folder it was built in.
set -euo pipefail

if [ $# -ne 3 ]; then
  echo "usage: $0 GOOS GOARCH OUTPUT" >&2
  exit 2
fi
goos=$1 goarch=$2 out=$3
GO=${GO:-go}
VERSION=${VERSION:-dev}
COMMIT=${COMMIT:-unknown}

cd "$(dirname "$0")/.."
if ! ls harness/clientsite/embedded/* >/dev/null 2>&1; then
  echo "release-binary: harness/clientsite/embedded/ is empty: run \`make bundles\` first" >&2
  exit 3
fi
mkdir -p "$(dirname "$out")"
CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch "$GO" build -trimpath -tags mfconform_embed \
  -ldflags "-s -w -X main.version=$VERSION -X main.commit=$COMMIT" \
  -o "$out" ./cmd/mfconform
