#!/usr/bin/env bash
# Installs Debian's prometheus package (the server and promtool) when either
# is missing: the exporter's tests scrape it with a real Prometheus and check
# deploy/prometheus with promtool. Quiet when both are present. Used by
# `make deps`.
#
# Where it cannot install — not Debian, or not root and no password-less
# sudo — it says what to do and exits 0: those tests then skip with the same
# message (cmd/mfconform exporter_prometheus_test.go). Where it can, a missing
# Prometheus is installed and the tests run. Debian's package starts its own
# service where an init system runs it (its default configuration scrapes
# only itself); the tests start their own server on a loopback port.
set -euo pipefail

if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
  echo "prometheus: found $(command -v prometheus) and $(command -v promtool)"
  exit 0
fi
if [ ! -r /etc/debian_version ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "prometheus: not found, and this is not Debian with apt-get: install Prometheus 2.x (prometheus and promtool on PATH) to run the exporter's Prometheus tests; they skip without it." >&2
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; else
    echo "prometheus: not found; installing needs root. Run: sudo apt-get install -y --no-install-recommends prometheus (the exporter's Prometheus tests skip without it)." >&2
    exit 0
  fi
fi
echo "prometheus: not found, installing Debian's prometheus (with promtool) with apt-get…"
$sudo apt-get update -qq
# No recommends: not the node exporter, which would start a second service.
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null
for b in prometheus promtool; do
  command -v "$b" >/dev/null 2>&1 || { echo "prometheus: apt-get finished but $b is still missing" >&2; exit 3; }
done
echo "prometheus: installed $(prometheus --version 2>&1 | head -n 1)"
