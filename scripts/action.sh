#!/usr/bin/env bash
# The step of the GitHub Action (action.yml): installs mfconform, runs it
# with the action's inputs, writes summary.md to the job summary, sets the
# outputs verdict, exit-code and report-dir, and exits with mfconform's
# exit code.
#
# Inputs arrive as INPUT_* variables (action.yml sets them): INPUT_VERSION,
# INPUT_MODE, INPUT_LOGIN_URL, INPUT_APP_URL, INPUT_APP_ORIGIN,
# INPUT_RESOLVE (HOST=IP entries, one a line or comma-separated),
# INPUT_CA_FILE, INPUT_WAIVERS, INPUT_FAIL_ON, INPUT_ALLOW_INCOMPLETE
# (true/false), INPUT_TARGETS, INPUT_SHARD, INPUT_REPORT_DIR, INPUT_CONFIG,
# INPUT_ARGS (more arguments: a YAML list or one a line, read by
# `mfconform action-args` — never split by this shell) and INPUT_SARIF
# (true/false: set the sarif output).
# Secrets (AUTH_SECRET_KEY, SUPABASE_*, NEXT_PUBLIC_SUPABASE_KEY, …) are
# only ever read by mfconform from the environment; this script never
# prints or passes them.
#
# Other variables: MFCONFORM_BIN (use this binary, install nothing: a
# self-hosted runner's own mfconform, or a test's), MFCONFORM_RELEASES_URL
# (default https://github.com/REPOSITORY/releases/download; https only),
# MFCONFORM_ACTION_REPOSITORY and MFCONFORM_ACTION_REF (the action's own
# repository and ref), and GitHub's GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
# RUNNER_TEMP, GITHUB_ACTION_PATH.
#
# Trust (SECURITY.md): a release archive is run only if its SHA-256 is the
# one pinned in release-digests.sha256 of the action's own checkout (the
# code already running), never a digest fetched from where the archive
# came from. Nothing the target or mfconform's run prints is obeyed as a
# workflow command: the run happens between ::stop-commands::TOKEN and
# ::TOKEN:: with a token it cannot know, and outputs are written in the
# delimiter form with a random delimiter. After the block ends, the only
# commands are the annotations — one ::error or ::warning per root cause —
# that `mfconform report --format github` writes from report.json, every
# value escaped in Go as GitHub unescapes it.
set -euo pipefail
# Failures inside $(…) stop the script too (bash 4.4+).
shopt -s inherit_errexit 2>/dev/null || true

say() { echo "mfconform-action: $*" >&2; }
die() {
  say "$*"
  output exit-code 3
  output verdict error
  exit 3
}

# random prints 32 unpredictable hex digits.
random() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }

# output NAME VALUE appends a step output to $GITHUB_OUTPUT in GitHub's
# delimiter form (NAME<<DELIM, the value, DELIM) with a random delimiter,
# so no value — whatever lines it holds — can end early and add an output.
output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    local delim
    delim=mfconform_$(random)
    [ ${#delim} -eq 42 ] || { say "could not read /dev/urandom; output $1 not set"; return; }
    case "$2" in *"$delim"*) say "output $1 holds its delimiter; not set"; return ;; esac
    printf '%s<<%s\n%s\n%s\n' "$1" "$delim" "$2" "$delim" >>"$GITHUB_OUTPUT"
  fi
}

# oneline fails unless $2 (input $1) is a single line: a value with a
# line break is refused rather than passed on.
oneline() {
  case "$2" in *$'\n'* | *$'\r'*) die "$1 holds a line break; want one line" ;; esac
}

# url_password prints the password (or the bare token) in a URL's
# userinfo, "" when it has none.
url_password() {
  local rest=${1#*//} authority ui
  [ "$rest" != "$1" ] || return 0
  authority=${rest%%[/?#]*}
  case "$authority" in *@*) ;; *) return 0 ;; esac
  ui=${authority%@*}
  case "$ui" in *:*) printf '%s' "${ui#*:}" ;; *) printf '%s' "$ui" ;; esac
}

# redact_urls hides the credentials of every URL in its argument, as
# mfconform shows them: user:xxxxx@, or xxxxx@ for a bare token.
redact_urls() {
  printf '%s' "$1" | sed -E 's|//([^/?#:@ ]*):[^/?# ]*@|//\1:xxxxx@|g; s|//[^/?#:@ ]+@|//xxxxx@|g'
}

# Passwords in the URLs the step was given are masked in the whole job's
# log (GitHub's ::add-mask::), before commands stop.
for u in "${INPUT_LOGIN_URL:-}" "${INPUT_APP_URL:-}" "${INPUT_APP_ORIGIN:-}" "${NEXT_PUBLIC_SUPABASE_URL:-}" "${MFCONFORM_PROXY:-}"; do
  pw=$(url_password "$u")
  case "$pw" in "" | *$'\n'* | *$'\r'*) ;; *) echo "::add-mask::$pw" ;; esac
done
# From here on no line of this step's log is a workflow command — not an
# input quoted in a message, not what mfconform prints of a target — until
# the token no one else knows ends it.
stop_token=$(random)
[ ${#stop_token} -eq 32 ] || die "could not read 16 random bytes from /dev/urandom"
echo "::stop-commands::$stop_token"
bin_dir=""
stopped=1
# resume ends the block: workflow commands are obeyed again.
resume() {
  if [ "$stopped" = 1 ]; then
    echo "::$stop_token::"
    stopped=0
  fi
}
finish() {
  [ -z "$bin_dir" ] || rm -rf "$bin_dir"
  resume
}
trap finish EXIT

# summary appends stdin to the job summary.
summary() {
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then cat >>"$GITHUB_STEP_SUMMARY"; else cat >/dev/null; fi
}

report_dir=${INPUT_REPORT_DIR:-mfconform-report}
oneline report-dir "$report_dir"

# platform prints OS_ARCH as release archives name it.
platform() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) die "no release binary for $(uname -s): mfconform runs on Linux and macOS" ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) die "no release binary for $(uname -m)" ;;
  esac
  echo "${os}_${arch}"
}

# sha256 prints a file's SHA-256.
sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1; else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

# digests is the file of pinned release digests: SHA256SUMS lines
# ("DIGEST  mfconform_VERSION_OS_ARCH.tar.gz") of every release, committed
# with the action; the release tag is on the commit that adds its lines.
digests() { echo "${GITHUB_ACTION_PATH:-$(dirname "$0")/..}/release-digests.sha256"; }

# pinned NAME prints the digest release-digests.sha256 pins for NAME.
pinned() {
  local f
  f=$(digests)
  [ -f "$f" ] || die "the action has no $f: cannot check a release archive"
  awk -v n="$1" '/^#/ { next } $2 == n || $2 == "*" n { print $1; exit }' "$f"
}

# install_release TAG downloads the release archive for this runner over
# https, checks it against the digest the action pins for it, and prints
# the path of its binary, extracted afresh into a new private folder. A
# verified archive is kept in RUNNER_TEMP (GitHub's per-job folder) and
# checked again before every use; without RUNNER_TEMP nothing is reused.
install_release() {
  local tag=$1 ver=${1#v} repo base name want got cache archive dir
  repo=${MFCONFORM_ACTION_REPOSITORY:-mfconform/mfconform}
  base=${MFCONFORM_RELEASES_URL:-https://github.com/$repo/releases/download}
  case "$base" in
    https://*) ;;
    *) die "MFCONFORM_RELEASES_URL=$(redact_urls "$base"): want an https:// URL; a release is never downloaded in clear" ;;
  esac
  name=mfconform_${ver}_$(platform).tar.gz
  want=$(pinned "$name")
  [ -n "$want" ] || die "this action pins no digest for $name (release-digests.sha256): use the action at that release's tag (uses: $repo@$tag), or version: source"
  dir=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/mfconform-bin.XXXXXXXX")
  archive=$dir/$name
  cache=""
  if [ -n "${RUNNER_TEMP:-}" ]; then
    cache=$RUNNER_TEMP/mfconform-$ver.tar.gz
  fi
  if [ -n "$cache" ] && [ -f "$cache" ] && [ ! -L "$cache" ] && [ "$(sha256 "$cache")" = "$want" ]; then
    cp "$cache" "$archive"
  else
    command -v curl >/dev/null 2>&1 || die "curl is needed to download mfconform"
    say "downloading $base/$tag/$name"
    curl -fsSL --proto '=https' --proto-redir '=https' --retry 3 -o "$archive" "$base/$tag/$name" || die "download of $base/$tag/$name failed"
  fi
  got=$(sha256 "$archive")
  [ "$want" = "$got" ] || die "$name has sha256 $got, the action pins $want: refusing to run it"
  if [ -n "$cache" ]; then
    rm -f "$cache" && cp "$archive" "$cache" || true
  fi
  tar -xzf "$archive" -C "$dir" mfconform
  rm -f "$archive"
  echo "$dir/mfconform"
}

# binary prints the path of the mfconform to run.
binary() {
  if [ -n "${MFCONFORM_BIN:-}" ]; then
    [ -x "$MFCONFORM_BIN" ] || die "MFCONFORM_BIN=$MFCONFORM_BIN is not an executable"
    echo "$MFCONFORM_BIN"
    return
  fi
  local version=${INPUT_VERSION:-}
  if [ -z "$version" ]; then
    # uses: owner/mfconform@v1.2.3 runs release v1.2.3; any other ref
    # (a branch, a commit) builds the action's own source.
    case "${MFCONFORM_ACTION_REF:-}" in
      v[0-9]*) version=$MFCONFORM_ACTION_REF ;;
      *) version=source ;;
    esac
  fi
  if [ "$version" = source ]; then
    local src=${GITHUB_ACTION_PATH:-}
    if [ -z "$src" ] || [ ! -f "$src/Makefile" ]; then
      die "version: source needs the action's checkout (GITHUB_ACTION_PATH)"
    fi
    if ! command -v go >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
      die "version: source builds mfconform with Go and npm (actions/setup-go, actions/setup-node), or set version: to a release tag"
    fi
    say "building mfconform from $src"
    make -C "$src" build >&2 || die "make build failed"
    echo "$src/bin/mfconform"
    return
  fi
  case "$version" in
    v*) ;;
    *) version=v$version ;;
  esac
  install_release "$version"
}

# certutil is needed to trust a private CA (--ca-file) in Chromium.
need_certutil() {
  command -v certutil >/dev/null 2>&1 && return
  if command -v apt-get >/dev/null 2>&1; then
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
    say "ca-file needs NSS's certutil: installing libnss3-tools"
    $sudo apt-get install -y -qq libnss3-tools >/dev/null 2>&1 ||
      { $sudo apt-get update -qq && $sudo apt-get install -y -qq libnss3-tools >/dev/null; } ||
      say "could not install libnss3-tools; mfconform will say what is missing"
  fi
}

bin=$(binary)
case "$bin" in */mfconform-bin.*/mfconform) bin_dir=$(dirname "$bin") ;; esac

args=(run --report-dir "$report_dir")
[ -z "${INPUT_MODE:-}" ] || args+=(--mode "$INPUT_MODE")
[ -z "${INPUT_LOGIN_URL:-}" ] || args+=(--login-url "$INPUT_LOGIN_URL")
[ -z "${INPUT_APP_URL:-}" ] || args+=(--app-url "$INPUT_APP_URL")
[ -z "${INPUT_APP_ORIGIN:-}" ] || args+=(--app-origin "$INPUT_APP_ORIGIN")
if [ -n "${INPUT_CA_FILE:-}" ]; then
  need_certutil
  args+=(--ca-file "$INPUT_CA_FILE")
fi
[ -z "${INPUT_WAIVERS:-}" ] || args+=(--waivers "$INPUT_WAIVERS")
[ -z "${INPUT_FAIL_ON:-}" ] || args+=(--fail-on "$INPUT_FAIL_ON")
case "${INPUT_ALLOW_INCOMPLETE:-false}" in
  true) args+=(--allow-incomplete) ;;
  false | "") ;;
  *) die "allow-incomplete: want true or false, got ${INPUT_ALLOW_INCOMPLETE}" ;;
esac
[ -z "${INPUT_TARGETS:-}" ] || args+=(--targets "$INPUT_TARGETS")
[ -z "${INPUT_SHARD:-}" ] || args+=(--shard "$INPUT_SHARD")
[ -z "${INPUT_CONFIG:-}" ] || args+=(--config "$INPUT_CONFIG")
while IFS= read -r r; do
  r=$(printf '%s' "$r" | tr -d '[:space:]')
  [ -z "$r" ] || args+=(--resolve "$r")
done < <(printf '%s\n' "${INPUT_RESOLVE:-}" | tr ',' '\n')
case "${INPUT_SARIF:-false}" in
  true | false | "") ;;
  *) die "sarif: want true or false, got ${INPUT_SARIF}" ;;
esac
# More arguments: mfconform reads the args input (a YAML list or one
# argument a line) and hands each back NUL-terminated; nothing is split on
# spaces or evaluated here.
if [ -n "${INPUT_ARGS:-}" ]; then
  extra=$(mktemp "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/mfconform-args.XXXXXXXX")
  if ! printf '%s' "$INPUT_ARGS" | "$bin" action-args >"$extra"; then
    rm -f "$extra"
    die "args: mfconform could not read the args input (above); want a YAML list or one argument a line"
  fi
  while IFS= read -r -d '' a; do
    args+=("$a")
  done <"$extra"
  rm -f "$extra"
fi

say "$(redact_urls "$bin ${args[*]}")"
set +e
"$bin" "${args[@]}"
code=$?
set -e

# The verdict: report.json's for one run, the exit code's for a batch.
verdict=""
if [ -f "$report_dir/report.json" ]; then
  verdict=$(sed -n 's/^  "verdict": "\([^"]*\)",\{0,1\}$/\1/p' "$report_dir/report.json" | head -n 1)
fi
if [ -z "$verdict" ]; then
  case $code in
    0) verdict="conformant" ;;
    1) verdict="not conformant" ;;
    2) verdict="conformant with warnings" ;;
    4) verdict="incomplete" ;;
    130) verdict="interrupted" ;;
    *) verdict="error" ;;
  esac
fi

summaries=()
[ ! -f "$report_dir/summary.md" ] || summaries+=("$report_dir/summary.md")
if [ -n "${INPUT_TARGETS:-}" ]; then
  for s in "$report_dir"/*/summary.md; do
    [ ! -f "$s" ] || summaries+=("$s")
  done
fi
if [ ${#summaries[@]} -eq 0 ]; then
  printf '## mfconform\n\nmfconform exited %s (%s) without writing a summary; the step log says why.\n' "$code" "$verdict" | summary
else
  for s in "${summaries[@]}"; do
    { cat "$s"; printf '\n'; } | summary
  done
fi

sarif=""
if [ "${INPUT_SARIF:-false}" = true ]; then
  if [ -n "${INPUT_TARGETS:-}" ]; then
    sarif=$report_dir
  elif [ -f "$report_dir/report.sarif" ]; then
    sarif=$report_dir/report.sarif
  else
    say "no $report_dir/report.sarif to upload (mfconform exited $code before writing its reports)"
  fi
fi

output verdict "$verdict"
output exit-code "$code"
output report-dir "$report_dir"
output sarif "$sarif"

# The annotations: one ::error or ::warning per root cause, from each
# report.json, written and escaped by mfconform itself. Commands are
# obeyed again from here on; nothing after this prints a target's text.
reports=()
[ ! -f "$report_dir/report.json" ] || reports+=("$report_dir")
if [ -n "${INPUT_TARGETS:-}" ]; then
  for r in "$report_dir"/*/report.json; do
    [ ! -f "$r" ] || reports+=("$(dirname "$r")")
  done
fi
resume
for r in "${reports[@]}"; do
  "$bin" report --from "$r" --format github || say "no annotations for $r: mfconform report --format github failed"
done
say "exit code $code ($verdict); reports in $report_dir"
exit "$code"
