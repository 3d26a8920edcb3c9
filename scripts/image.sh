#!/usr/bin/env bash
# Builds mfconform's container image with buildah or podman, and the local
# Debian base image that `make image-test` builds it on.
#
#   scripts/image.sh build [BASE]  build the image IMAGE on BASE (default
#                                  debian:bookworm-slim, from a registry)
#   scripts/image.sh base          build, or reuse from the cache, a Debian
#                                  bookworm base with debootstrap and import it
#                                  as a local image; prints its name last
#   scripts/image.sh check         exit 0 when this machine can build and run
#                                  images (installing what is missing), else
#                                  print why not and exit 4
#
# Environment: IMAGE (default localhost/mfconform:VERSION), ENGINE (buildah
# or podman; default: whichever is installed, buildah first), ISOLATION
# (default chroot: works where no cgroup controller is delegated), LAYERS
# (true reuses cached layers, the apt-get one among them; default false, so
# a release image gets today's Chromium), VERSION,
# COMMIT, GO, CACHE (default .cache/image).
#
# The binary is cross-compiled on the host (scripts/release-binary.sh) into
# the build context; see Containerfile for why.
set -euo pipefail
# Failures inside $(…) stop the script too (bash 4.4+).
shopt -s inherit_errexit 2>/dev/null || true

cd "$(dirname "$0")/.."
VERSION=${VERSION:-dev}
export VERSION COMMIT=${COMMIT:-unknown} GO=${GO:-go}
CACHE=${CACHE:-.cache/image}
ISOLATION=${ISOLATION:-chroot}
tag=$(printf '%s' "$VERSION" | tr -c 'A-Za-z0-9_.-' '-')
IMAGE=${IMAGE:-localhost/mfconform:$tag}
SUITE=bookworm

say() { echo "image: $*" >&2; }
die() { say "$*"; exit 3; }

# now prints seconds since the epoch with milliseconds.
now() { date +%s.%N | cut -c1-14; }
# took START prints the seconds since START.
took() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1fs", e - s }'; }

# apt_install PACKAGE…: installs Debian packages as root or through sudo.
apt_install() {
  command -v apt-get >/dev/null 2>&1 || { say "apt-get is not available to install $*"; return 1; }
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { say "installing $* needs root: sudo apt-get install -y $*"; return 1; }
    sudo="sudo"
  fi
  say "installing Debian's $* with apt-get…"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

# engine picks buildah or podman, installing buildah when neither is there.
engine() {
  if [ -n "${ENGINE:-}" ]; then
    command -v "$ENGINE" >/dev/null 2>&1 || apt_install "$ENGINE" || die "ENGINE=$ENGINE is not installed"
    echo "$ENGINE"
    return
  fi
  for e in buildah podman; do
    if command -v "$e" >/dev/null 2>&1; then echo "$e"; return; fi
  done
  apt_install buildah || die "install buildah or podman (Debian: apt-get install -y buildah)"
  echo buildah
}

# context builds the static binary for this machine's architecture into
# the build context and prints the context's path.
context() {
  local arch ctx
  arch=$("$GO" env GOARCH)
  ctx=$CACHE/context
  rm -rf "$ctx"
  mkdir -p "$ctx/bin/linux_$arch"
  ./scripts/release-binary.sh linux "$arch" "$ctx/bin/linux_$arch/mfconform"
  install -m 0755 scripts/image-chromium.sh "$ctx/mfconform-chromium"
  echo "$ctx"
}

# build BASE builds IMAGE on BASE.
build() {
  local base=${1:-debian:bookworm-slim} e ctx start
  e=$(engine)
  ctx=$(context)
  local old
  old=$(image_id "$IMAGE")
  start=$(now)
  say "building $IMAGE on $base with $e (isolation $ISOLATION)…"
  # --network host: apt-get in the RUN step reaches the mirror without a
  # network namespace of its own (none can be set up under chroot isolation).
  "$e" build --isolation "$ISOLATION" --network host --layers="${LAYERS:-false}" \
    --build-arg BASE="$base" --build-arg VERSION="$VERSION" --build-arg COMMIT="$COMMIT" \
    -f Containerfile -t "$IMAGE" "$ctx" >&2
  say "built $IMAGE in $(took "$start"); size $(size "$IMAGE")"
  # The image this tag named before is now unnamed: remove it, unless in use.
  local new
  new=$(image_id "$IMAGE")
  if [ -n "$old" ] && [ "$old" != "$new" ]; then
    "$e" rmi "$old" >/dev/null 2>&1 || true
  fi
}

# image_id prints the ID of the image NAME, or nothing.
image_id() {
  if [ "$(engine)" = podman ]; then
    podman image inspect --format '{{.Id}}' "$1" 2>/dev/null || true
  else
    buildah inspect --type image --format '{{.FromImageID}}' "$1" 2>/dev/null || true
  fi
}

# size prints an image's size as the engine reports it.
size() {
  local e
  e=$(engine)
  if [ "$e" = podman ]; then
    podman image inspect --format '{{.Size}}' "$1" | awk '{ printf "%.0f MB", $1 / 1e6 }'
  else
    buildah images --format '{{.Size}}' "$1" | head -n 1
  fi
}

# sources prints the machine's apt source of SUITE (a URI), from
# /etc/apt/sources.list and sources.list.d (one-line and deb822 formats).
sources() {
  local suite=$1 f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v s="$suite" '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } if ($(i+1) == s) { print $i; exit } }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v s="$suite" '
      function flush() { if (types ~ /(^| )deb( |$)/ && enabled != "no" && (" " suites " ") ~ (" " s " ")) { split(uris, u, " "); print u[1] } types = uris = suites = ""; enabled = "" }
      /^[ \t]*$/ { flush(); next }
      /^#/ { next }
      { k = $1; sub(/:$/, "", k); v = $0; sub(/^[^:]*:[ \t]*/, "", v) }
      k == "Types" { types = v } k == "URIs" { uris = v } k == "Suites" { suites = v } k == "Enabled" { enabled = v }
      END { flush() }' "$f"
  done
}

# base builds (or reuses) the debootstrap base and prints its image name.
base() {
  local e arch name tarball mirror security start root
  e=$(engine)
  arch=$(dpkg --print-architecture 2>/dev/null || "$GO" env GOARCH)
  name=localhost/mfconform-base:$SUITE-$arch
  tarball=$CACHE/base-$SUITE-$arch.tar
  if "$e" inspect --type image "$name" >/dev/null 2>&1; then
    say "base $name: cached"
    echo "$name"
    return
  fi
  if [ ! -s "$tarball" ]; then
    command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap || die "install debootstrap"
    mirror=$(sources "$SUITE" | head -n 1)
    security=$(sources "$SUITE-security" | head -n 1)
    mirror=${mirror:-http://deb.debian.org/debian}
    security=${security:-http://deb.debian.org/debian-security}
    mkdir -p "$CACHE"
    root=$(mktemp -d "$CACHE/rootfs.XXXXXX")
    trap 'rm -rf "$root"' EXIT
    start=$(now)
    say "debootstrap --variant=minbase $SUITE from $mirror…"
    debootstrap --variant=minbase "$SUITE" "$root" "$mirror" >"$CACHE/debootstrap.log" 2>&1 ||
      die "debootstrap failed; see $CACHE/debootstrap.log"
    say "debootstrap took $(took "$start")"
    # The machine's own mirror, with updates and security, as a slim image has.
    rm -f "$root/etc/apt/sources.list"
    cat >"$root/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
    # Like the slim images: no documentation or translations from later installs.
    cat >"$root/etc/dpkg/dpkg.cfg.d/mfconform-slim" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
DPKG
    chroot "$root" apt-get clean
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/* "$root"/var/cache/debconf/*-old
    find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
    find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
    rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/*
    tar --numeric-owner -C "$root" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$root"
    trap - EXIT
  fi
  start=$(now)
  if [ "$e" = podman ]; then
    podman import --change 'CMD ["/bin/bash"]' "$tarball" "$name" >/dev/null
  else
    local ctr
    ctr=$(buildah from scratch)
    buildah add "$ctr" "$tarball" / >/dev/null
    buildah config --cmd /bin/bash "$ctr"
    buildah commit --rm "$ctr" "$name" >/dev/null
  fi
  say "imported $name in $(took "$start")"
  echo "$name"
}

# check tells whether images can be built and run here.
check() {
  if [ "$(uname -s)" != Linux ]; then say "not Linux: buildah and debootstrap need Linux"; exit 4; fi
  if [ "$(id -u)" -ne 0 ] && ! sudo -n true 2>/dev/null; then say "debootstrap needs root (or password-less sudo)"; exit 4; fi
  command -v apt-get >/dev/null 2>&1 || command -v debootstrap >/dev/null 2>&1 || { say "no debootstrap and no apt-get to install it"; exit 4; }
  command -v buildah >/dev/null 2>&1 || apt_install buildah || { say "buildah is missing and could not be installed"; exit 4; }
  command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap || { say "debootstrap is missing and could not be installed"; exit 4; }
  buildah info >/dev/null 2>&1 || { say "buildah cannot start here: $(buildah info 2>&1 | tail -n 1)"; exit 4; }
}

case "${1:-}" in
  build) build "${2:-}" ;;
  base) base ;;
  check) check ;;
  context) context ;;
  *)
    echo "usage: $0 build [BASE] | base | check | context" >&2
    exit 2
    ;;
esac
