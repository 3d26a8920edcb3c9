#!/bin/sh
# fuzz.sh — run every native Go fuzz target of the module for FUZZTIME each.
#
#   FUZZCORPUS=committed scripts/fuzz.sh   # 2s per target from the committed corpus: `make fuzz-short`
#   FUZZTIME=60s scripts/fuzz.sh           # `make fuzz`
#
# The packages holding a Fuzz function are found with grep; `go test -list`
# names their targets (the authoritative list). Each target then runs alone
# (`go test -fuzz` takes one) from its committed corpus (testdata/fuzz/)
# and, with FUZZCORPUS=cache (the default), the inputs earlier runs found,
# kept in the go build cache; FUZZCORPUS=committed starts from the
# committed corpus only (the short pass: the same start on every machine).
# A failing input is written to the package's testdata/fuzz/FuzzXxx/ by
# the go command: commit it with the fix, and it stays a regression test
# of every `go test`. Exits 1 when a target fails.
set -eu

GO=${GO:-go}
FUZZTIME=${FUZZTIME:-2s}
FUZZCORPUS=${FUZZCORPUS:-cache}
# Minimising a new interesting input stops the target's other work; keep
# it short so the time goes to fuzzing.
FUZZMINIMIZETIME=${FUZZMINIMIZETIME:-2s}

cd "$(dirname "$0")/.."

cachedir=""
if [ "$FUZZCORPUS" = committed ]; then
	cachedir=$(mktemp -d "${TMPDIR:-/tmp}/mfconform-fuzz.XXXXXX")
	trap 'rm -rf "$cachedir"' EXIT INT TERM
fi

pkgs=$(grep -rl --include='*_test.go' '^func Fuzz' . | grep -v '^./node_modules/' | xargs -n1 dirname | sort -u)
[ -n "$pkgs" ] || { echo "fuzz.sh: no fuzz targets found" >&2; exit 1; }

failed=""
count=0
start=$(date +%s)
for pkg in $pkgs; do
	targets=$($GO test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true)
	for name in $targets; do
		count=$((count + 1))
		t0=$(date +%s)
		set -- -run='^$' -fuzz="^${name}\$" -fuzztime="$FUZZTIME" -fuzzminimizetime="$FUZZMINIMIZETIME" "$pkg"
		if [ -n "$cachedir" ]; then
			set -- "$@" -args -test.fuzzcachedir="$cachedir/$pkg/$name"
		fi
		if out=$($GO test "$@" 2>&1); then
			status=ok
		else
			status=FAIL
			failed="$failed $pkg:$name"
		fi
		# The last progress line says how much was tried.
		progress=$(printf '%s\n' "$out" | grep '^fuzz: elapsed' | tail -n1 | sed 's/^fuzz: //')
		printf '%-4s %-18s %-40s %3ss  %s\n' "$status" "$name" "$pkg" "$(($(date +%s) - t0))" "$progress"
		if [ "$status" = FAIL ]; then
			printf '%s\n' "$out" | grep -v '^fuzz: elapsed' | sed 's/^/    /'
		fi
	done
done
echo "fuzz.sh: $count targets, $FUZZTIME each (corpus: $FUZZCORPUS), in $(($(date +%s) - start))s"
if [ -n "$failed" ]; then
	echo "fuzz.sh: failed:$failed (failing inputs are in each package's testdata/fuzz/)" >&2
	exit 1
fi
