#!/bin/sh
# tests/record/timeres.sh MMSIM - `mmsim record --fast-path
# --time-resolution 1ms`: every allocator call's time is a multiple of 1 ms,
# the kernel-level requests and faults keep their nanoseconds (some are not
# multiples), and the header names the resolution.
set -u
mmsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail=0

"$mmsim" record --fast-path --time-resolution 1ms -o t -- \
    sh -c 'seq 1 3000 | sort -rn | cat' > out 2> err ||
    { echo "FAIL: record exit $?"; cat err; exit 1; }
[ "$(head -n 1 out)" = 3000 ] || { echo "FAIL: the program's output"; fail=1; }
"$mmsim" dump t > dump || { echo "FAIL: dump exit $?"; exit 1; }
grep -q "time_resolution_ns=1000000" dump ||
    { echo "FAIL: no time resolution in the header"; fail=1; }
awk '$1 !~ /^[0-9]+$/ { next }
    $3 ~ /^(malloc|calloc|realloc|reallocarray|memalign|free|usable_size)$/ {
        calls++; if ($1 % 1000000) bad++; next }
    { other++; if ($1 % 1000000) exact++ }
    END { printf "%d allocator calls (%d not rounded), %d other events " \
              "(%d not multiples of 1 ms)\n", calls, bad, other, exact
          exit !(calls > 100 && bad == 0 && exact > 10) }' dump ||
    { echo "FAIL: times"; fail=1; }
exit $fail
