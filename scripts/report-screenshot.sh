#!/usr/bin/env bash
# Renders the README's example report: a run against a broken fixture, its
# report.html photographed by headless Chromium. Used by `make report-screenshot`.
set -euo pipefail
bin=${1:-bin/mfconform}
out=${2:-docs/report-example.png}
fixture=${FIXTURE:-samesite-lax}
dir=$(mktemp -d /tmp/mfc-shot-XXXXXX)
trap 'rm -rf "$dir"' EXIT
"$bin" run --fixture "$fixture" --report-dir "$dir/report" >/dev/null || true   # a broken fixture exits 1
chrome=${MFCONFORM_CHROMIUM:-}
for c in /usr/lib/chromium/chromium chromium chromium-browser google-chrome; do
  [ -n "$chrome" ] && break
  command -v "$c" >/dev/null 2>&1 && chrome=$(command -v "$c")
done
[ -n "$chrome" ] || { echo "no Chromium: run make deps" >&2; exit 3; }
mkdir -p "$(dirname "$out")"
HOME="$dir" TMPDIR="$dir" timeout 60 "$chrome" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --hide-scrollbars --user-data-dir="$dir/profile" \
  --screenshot="$PWD/$out" --window-size=1280,1400 "file://$dir/report/report.html" >/dev/null 2>&1
echo "wrote $out"
