#!/usr/bin/env bash
# Manages the pinned browser bundles of harness/clientsite/bundles.lock.
#
#   scripts/bundles.sh embed   check every bundle's file (installed by `npm ci`
#                              or `make deps`) against its pinned sha256 and copy
#                              it into harness/clientsite/embedded/, which a
#                              `go build -tags mfconform_embed` compiles in
#   scripts/bundles.sh lock    rewrite bundles.lock's versions and digests from
#                              the installed files (after a deliberate version bump)
#
# Run from the checkout root (the Makefile does).
set -euo pipefail

lock=harness/clientsite/bundles.lock
dest=harness/clientsite/embedded

die() { echo "bundles: $*" >&2; exit 3; }

[ -f "$lock" ] || die "$lock not found: run this from the mfconform checkout root"
command -v sha256sum >/dev/null 2>&1 || die "sha256sum not found (Debian: coreutils)"

# lines prints the lock's bundle lines: name package version file sha256.
lines() { grep -Ev '^[[:space:]]*(#|$)' "$lock"; }

embed() {
  tmp=$(mktemp -d "${dest}.tmp.XXXXXX")
  chmod 0755 "$tmp"
  trap 'rm -rf "$tmp"' EXIT
  local name pkg version file sum got
  while read -r name pkg version file sum; do
    [ -f "$file" ] || die "$name: $file is missing: run \`npm ci\` (\`make deps\` does it)"
    got=$(sha256sum "$file" | cut -d' ' -f1)
    if [ "$got" != "$sum" ]; then
      die "$name: $file has sha256 $got, expected $sum ($pkg $version pinned in $lock).
  Run \`npm ci\` to restore the pinned version, or after a deliberate bump \`make bundles-lock\`."
    fi
    cp "$file" "$tmp/$(basename "$file")"
  done < <(lines)
  # Swap in one step so a concurrent build never sees half a folder.
  rm -rf "$dest"
  mv "$tmp" "$dest"
  trap - EXIT
  echo "bundles: embedded $(lines | awk '{printf "%s%s %s", sep, $1, $3; sep=", "}') into $dest"
}

relock() {
  command -v node >/dev/null 2>&1 || die "node not found: it reads the packages' versions"
  local name pkg version file sum got v
  out=$(mktemp)
  trap 'rm -f "$out"' EXIT
  while IFS= read -r line; do
    if [[ "$line" =~ ^[[:space:]]*(#|$) ]]; then
      printf '%s\n' "$line" >>"$out"
      continue
    fi
    read -r name pkg version file sum <<<"$line"
    [ -f "$file" ] || die "$name: $file is missing: run \`npm ci\` first"
    got=$(sha256sum "$file" | cut -d' ' -f1)
    v=$(node -p "require('./node_modules/$pkg/package.json').version")
    [ "$got" = "$sum" ] && [ "$v" = "$version" ] || echo "bundles: $name: $version $sum -> $v $got"
    printf '%-12s %-22s %-8s %-56s %s\n' "$name" "$pkg" "$v" "$file" "$got" >>"$out"
  done <"$lock"
  cat "$out" >"$lock"
  rm -f "$out"
  trap - EXIT
  echo "bundles: $lock is up to date; commit it"
}

case "${1:-}" in
  embed) embed ;;
  lock) relock ;;
  *) echo "usage: $0 embed|lock" >&2; exit 2 ;;
esac
