#!/usr/bin/env bash
# Installs Debian's Chromium when no Chrome/Chromium is found, and NSS's
# certutil (Debian package libnss3-tools, used to trust a private CA) when it
# is missing. Quiet when both are present. Used by `make deps`.
set -euo pipefail

# apt_install NAME PACKAGE: installs PACKAGE with apt-get (as root or through
# sudo) or explains what to do and exits 3.
apt_install() {
  local name=$1 pkg=$2
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "$name: not found and apt-get is not available." >&2
    return 1
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "$name: not found; installing needs root. Run: sudo apt-get install -y $pkg" >&2
      exit 3
    fi
  fi
  echo "$name: not found, installing Debian's $pkg with apt-get…"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$pkg" >/dev/null
}

chromium_found=""
for c in "${MFCONFORM_CHROMIUM:-}" /usr/lib/chromium/chromium chromium chromium-browser google-chrome google-chrome-stable; do
  [ -n "$c" ] || continue
  if command -v "$c" >/dev/null 2>&1; then
    chromium_found=$(command -v "$c")
    break
  fi
done
if [ -n "$chromium_found" ]; then
  echo "chromium: found $chromium_found"
else
  apt_install chromium chromium || {
    echo "Install Chrome or Chromium yourself and set MFCONFORM_CHROMIUM=/path/to/binary." >&2
    exit 3
  }
  command -v chromium >/dev/null 2>&1 || { echo "chromium: apt-get finished but chromium is still missing" >&2; exit 3; }
  echo "chromium: installed $(chromium --version 2>/dev/null | tail -n 1)"
fi

if ! command -v certutil >/dev/null 2>&1; then
  apt_install certutil libnss3-tools || {
    echo "Install NSS's certutil yourself (package libnss3-tools or nss-tools); it is needed to trust a private CA." >&2
    exit 3
  }
  command -v certutil >/dev/null 2>&1 || { echo "certutil: apt-get finished but certutil is still missing" >&2; exit 3; }
  echo "certutil: installed $(command -v certutil)"
fi
