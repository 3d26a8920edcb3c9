#!/bin/sh
# fuzz.sh — discovery: run every native Go fuzz target of the module for a
# FUZZTIME budget each. Discovery is random, so it never gates CI: `make test`
# only replays the committed corpus (plain `go test` runs every seed and every
# file under testdata/fuzz/ as a subtest), which is deterministic.
#
#   scripts/fuzz.sh                          # `make fuzz`: FUZZTIME=200000x per target
#   FUZZTIME=5000x FUZZCORPUS=committed scripts/fuzz.sh   # `make fuzz-short`
#
# Budgets are counts of executions (-fuzztime=Nx), not durations: the go
# command's coordinator can fail at a time-based -fuzztime boundary with
# "context deadline exceeded" and no failing input (golang/go#75804, fixed
# in Go 1.27), and a count makes a pass do the same work on a slow machine.
#
# The packages holding a Fuzz function are found with grep; `go test -list`
# names their targets (the authoritative list). Each target then runs alone
# (`go test -fuzz` takes one) from its committed corpus (testdata/fuzz/)
# and, with FUZZCORPUS=cache (the default), the inputs earlier runs found,
# kept in the go build cache; FUZZCORPUS=committed starts from the
# committed corpus only (the short pass: the same start on every machine).
# A failing input is written to the package's testdata/fuzz/FuzzXxx/ by
# the go command: commit it with the fix, and it stays a regression test
# of every `go test`. Exits 1 when a target wrote a failing input, or when
# the go command failed before it fuzzed at all (a build error); a failure
# of the go command's own coordinator that left no input behind is printed
# as a warning (there is nothing to reproduce or commit).
set -eu

GO=${GO:-go}
FUZZTIME=${FUZZTIME:-200000x}
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
warned=""
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
		corpus="$pkg/testdata/fuzz/$name"
		before=$(ls "$corpus" 2>/dev/null | sort || true)
		if out=$($GO test "$@" 2>&1); then
			status=ok
		else
			after=$(ls "$corpus" 2>/dev/null | sort || true)
			new=$(printf '%s\n' "$after" | grep -vxF -e "$before" -e '' || true)
			if [ -z "$before" ]; then new=$after; fi
			if [ -n "$new" ] || ! printf '%s\n' "$out" | grep -q '^fuzz: elapsed'; then
				status=FAIL
				failed="$failed $pkg:$name"
				[ -n "$new" ] && out=$(printf '%s\nfailing input: %s/%s\n' "$out" "$corpus" "$new")
			else
				status=WARN
				warned="$warned $pkg:$name"
			fi
		fi
		# The last progress line says how much was tried.
		progress=$(printf '%s\n' "$out" | grep '^fuzz: elapsed' | tail -n1 | sed 's/^fuzz: //')
		printf '%-4s %-18s %-40s %3ss  %s\n' "$status" "$name" "$pkg" "$(($(date +%s) - t0))" "$progress"
		if [ "$status" != ok ]; then
			printf '%s\n' "$out" | grep -v '^fuzz: elapsed' | sed 's/^/    /'
		fi
	done
done
echo "fuzz.sh: $count targets, $FUZZTIME each (corpus: $FUZZCORPUS), in $(($(date +%s) - start))s"
if [ -n "$warned" ]; then
	echo "fuzz.sh: the go command failed without a failing input in:$warned (its coordinator, e.g. golang/go#75804; nothing to commit)" >&2
fi
if [ -n "$failed" ]; then
	echo "fuzz.sh: failed:$failed (failing inputs are in each package's testdata/fuzz/)" >&2
	exit 1
fi
