#!/bin/sh
# fuzz.sh — run every native Go fuzz target of the module for FUZZTIME each.
#
#   scripts/fuzz.sh                # FUZZTIME (default 2s) per target: the short pass of `make test`
#   FUZZTIME=60s scripts/fuzz.sh   # `make fuzz`
#
# The packages holding a Fuzz function are found with grep; `go test -list`
# names their targets (the authoritative list). Each target then runs alone
# (`go test -fuzz` takes one) from its committed corpus (testdata/fuzz/) and
# the cache's. A failing input is written to the package's
# testdata/fuzz/FuzzXxx/ by the go command: commit it with the fix, and it
# stays a regression test of every `go test`. Exits 1 when a target fails.
set -eu

GO=${GO:-go}
FUZZTIME=${FUZZTIME:-2s}
# Minimising a new interesting input stops the target's other work; keep
# it short so the time goes to fuzzing.
FUZZMINIMIZETIME=${FUZZMINIMIZETIME:-2s}

cd "$(dirname "$0")/.."

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
		if out=$($GO test -run='^$' -fuzz="^${name}\$" -fuzztime="$FUZZTIME" -fuzzminimizetime="$FUZZMINIMIZETIME" "$pkg" 2>&1); then
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
echo "fuzz.sh: $count targets, $FUZZTIME each, in $(($(date +%s) - start))s"
if [ -n "$failed" ]; then
	echo "fuzz.sh: failed:$failed (failing inputs are in each package's testdata/fuzz/)" >&2
	exit 1
fi
