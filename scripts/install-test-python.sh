#!/usr/bin/env bash
# Installs the Python packages the tests run: for the fix table's snippet
# tests (suites/stack) Debian's Python with Flask, PyJWT, Django,
# FastAPI/Starlette and httpx (for Starlette's test client), and for the
# JUnit consumer test (reports) junitparser — when any is missing. The tests use
# /usr/bin/python3, Debian's own Python, so a python3 earlier on PATH
# (pyenv) does not matter. Node's packages come from package-lock.json
# (npm ci), Go's from go.sum. Quiet when everything is present. Used by
# `make deps`.
set -euo pipefail

py=/usr/bin/python3
pkgs="python3-flask python3-jwt python3-django python3-fastapi python3-httpx python3-junitparser"

if [ -x "$py" ] && "$py" -c 'import flask, jwt, django, fastapi, httpx, junitparser' >/dev/null 2>&1; then
  echo "test Python: Debian's Python has flask, jwt, django, fastapi, httpx and junitparser"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "test Python: $py lacks flask/jwt/django/fastapi/httpx/junitparser and apt-get is not available; install $pkgs (or their PyPI equivalents for $py)." >&2
  exit 3
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "test Python: installing needs root. Run: sudo apt-get install -y $pkgs" >&2
    exit 3
  fi
fi
echo "test Python: installing Debian's $pkgs with apt-get…"
$sudo apt-get update -qq
# shellcheck disable=SC2086 # a list of package names
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $pkgs >/dev/null
"$py" -c 'import flask, jwt, django, fastapi, httpx, junitparser' || { echo "test Python: apt-get finished but $py still lacks a package" >&2; exit 3; }
echo "test Python: installed $pkgs"
