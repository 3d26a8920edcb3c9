#!/usr/bin/env bash
# Regenerates the example report of docs/reports.md (`make report-screenshot`): runs a
# broken fixture, keeps its report.json as docs/report-example.json, renders
# it with `mfconform report` and photographs the page in headless Chromium
# as docs/report-example.png; the SHA-256 of the HTML photographed goes to
# docs/report-example.html.sha256, which TestReportExampleIsCurrent compares
# with the HTML the current renderer makes of the same report.json — a
# change to the report's layout that was not photographed fails the tests.
# KEEP_JSON=1 photographs the committed docs/report-example.json again
# instead of running the fixture.
set -euo pipefail
bin=${1:-bin/mfconform}
out=${2:-docs/report-example.png}
fixture=${FIXTURE:-samesite-none-without-secure}
json=${out%.png}.json
sum=${out%.png}.html.sha256
dir=$(mktemp -d /tmp/mfc-shot-XXXXXX)
trap 'rm -rf "$dir"' EXIT
if [ "${KEEP_JSON:-}" != 1 ]; then
  "$bin" run --fixture "$fixture" --report-dir "$dir/report" >/dev/null || true # a broken fixture exits 1
  [ -f "$dir/report/report.json" ] || { echo "the run wrote no report.json" >&2; exit 3; }
  cp "$dir/report/report.json" "$json"
fi
"$bin" report --from "$json" --format html --out "$dir/example.html" >/dev/null
chrome=${MFCONFORM_CHROMIUM:-}
for c in /usr/lib/chromium/chromium chromium chromium-browser google-chrome; do
  [ -n "$chrome" ] && break
  command -v "$c" >/dev/null 2>&1 && chrome=$(command -v "$c")
done
[ -n "$chrome" ] || { echo "no Chromium: run make deps" >&2; exit 3; }
mkdir -p "$(dirname "$out")"
HOME="$dir" TMPDIR="$dir" timeout 60 "$chrome" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --hide-scrollbars --user-data-dir="$dir/profile" \
  --screenshot="$PWD/$out" --window-size=1366,1000 "file://$dir/example.html" >/dev/null 2>&1
hash=$(sha256sum "$dir/example.html" | cut -d' ' -f1)
printf '%s  report.html rendered from %s, photographed as %s\n' "$hash" "$(basename "$json")" "$(basename "$out")" >"$sum"
echo "wrote $out, $json and $sum"
