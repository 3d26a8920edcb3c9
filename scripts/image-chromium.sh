#!/bin/sh
# Starts Debian's Chromium inside the mfconform image (installed there as
# /usr/local/bin/mfconform-chromium, named by MFCONFORM_CHROMIUM).
#
# Chromium's sandbox needs user namespaces: Debian's chromium has no setuid
# helper in the image. Many container runtimes refuse them to a non-root
# user (Docker's default seccomp profile; chroot isolation), and Chromium
# then stops with "No usable sandbox". So the sandbox stays on where the
# container allows it and --no-sandbox is added where it does not; the
# container is then the boundary. MFCONFORM_CHROMIUM_NO_SANDBOX=1 makes
# mfconform itself pass --no-sandbox (harness/browser), everywhere. This
# script sees only the minimal environment mfconform gives Chromium.
set -eu
real=/usr/lib/chromium/chromium
# The namespaces Chromium's zygote asks for: user, PID and network.
if unshare --user --map-root-user --pid --net --fork true 2>/dev/null; then
  exec "$real" "$@"
fi
exec "$real" --no-sandbox "$@"
