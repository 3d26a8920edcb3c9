#!/usr/bin/env bash
# Installs Debian's Chromium when no Chrome/Chromium is found. Used by `make deps`.
set -euo pipefail
for c in "${MFCONFORM_CHROMIUM:-}" /usr/lib/chromium/chromium chromium chromium-browser google-chrome google-chrome-stable; do
  [ -n "$c" ] || continue
  if command -v "$c" >/dev/null 2>&1; then
    echo "chromium: found $(command -v "$c")"
    exit 0
  fi
done
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium: not found and apt-get is not available." >&2
  echo "Install Chrome or Chromium yourself and set MFCONFORM_CHROMIUM=/path/to/binary." >&2
  exit 3
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "chromium: not found; installing needs root. Run: sudo apt-get install -y chromium" >&2
    exit 3
  fi
fi
echo "chromium: not found, installing Debian's chromium with apt-get…"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
command -v chromium >/dev/null 2>&1 || { echo "chromium: apt-get finished but chromium is still missing" >&2; exit 3; }
echo "chromium: installed $(chromium --version 2>/dev/null | tail -n 1)"
