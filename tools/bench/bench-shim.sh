#!/bin/sh
# Cost of recording malloc/free: the same 4-thread malloc/free
# microbenchmark (called a few frames deep, then 40 frames deeper, as in an
# interpreter) natively, under the mmsim shim (with stacks; events are
# drained by the preload test harness playing the supervisor's side of the
# ring, discarding them), under heaptrack and under glibc's memusage, all
# measured in the same run. For each, the minimum over RUNS runs of the
# benchmark's own timed loop: wall ns per malloc+free pair per thread, and
# CPU ns per pair (the threads' own CPU time: other load on a shared machine
# inflates wall time, not this).
#
# Usage: tools/bench/bench-shim.sh [build-dir] [iters-per-thread]
set -eu
build=${1:-build}
iters=${2:-300000}
runs=${RUNS:-5}
bench=$(realpath "$build/tools/bench/malloc_bench")
shim=$(realpath "$build/preload/libmmsim-preload.so")
harness=$(realpath "$build/tests/preload/pre_harness")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Run "$@" RUNS times; print "wall cpu", each the minimum over the runs.
best() {
    i=0
    : > "$tmp/figs"
    while [ $i -lt "$runs" ]; do
        "$@" 2>&1 >/dev/null |
            sed -n 's/.* \([0-9.]*\) ns per pair per thread, \([0-9.]*\) ns CPU.*/\1 \2/p' \
            >> "$tmp/figs"
        i=$((i + 1))
    done
    awk 'NR == 1 || $1 < w { w = $1 } NR == 1 || $2 < c { c = $2 }
         END { if (NR) print w, c }' "$tmp/figs"
}

show() {
    name=$1
    shift
    if [ $# -lt 2 ]; then
        printf '%-24s %12s\n' "$name" "n/a"
        return
    fi
    echo "$1 $2 $native" | awk -v n="$name" '{
        printf "%-24s %9.1f ns %7.1fx %9.1f ns %7.1fx\n",
            n, $1, $1 / $3, $2, $2 / $4 }'
}

# One table: the benchmark at stack depth $1 natively and under each tool.
table() {
    native=$(best "$bench" 4 "$iters" "$1")
    echo "4 threads x $iters malloc+free pairs, $1 extra frames, min of $runs runs"
    printf '%-24s %12s %8s %12s %8s\n' "" "wall/pair" "" "CPU/pair" ""
    show native $native
    show "mmsim shim (stacks)" $(best "$harness" --discard --ring-slots 65536 \
        --shim "$shim" -- "$bench" 4 "$iters" "$1")
    if command -v heaptrack >/dev/null 2>&1; then
        show heaptrack $(best heaptrack -o "$tmp/ht" "$bench" 4 "$iters" "$1")
    else
        show "heaptrack: not installed"
    fi
    if command -v memusage >/dev/null 2>&1; then
        show "memusage (glibc)" $(best memusage "$bench" 4 "$iters" "$1")
    else
        show "memusage: not installed"
    fi
}

table 0
echo
table 40
