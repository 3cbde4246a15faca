#!/bin/sh
# Cost of recording real programs: each program run natively, under
# `mmsim record` (every kernel-level request, no allocator stacks), under
# `mmsim record --fast-path` (the shim: every allocator call with its
# stack), under heaptrack and under glibc's memusage, all in the same run.
# For each, the minimum wall time over RUNS runs (default 3), in ms, and the
# ratio to native. The programs and their inputs: tools/bench/programs.sh.
#
# Usage: tools/bench/bench-programs.sh [build-dir]
set -u
runs=${RUNS:-3}
. "$(dirname "$0")/programs.sh"
bp_setup "${1:-build}"
mmsim=$bp_build/tools/mmsim

now_ms() {
    echo $(($(date +%s%N) / 1000000))
}

# The fastest of $runs runs of program $1 under the prefix that follows,
# in ms; "-" if it failed or took over 5 minutes (heaptrack was seen to
# hang on the bash pipeline).
best() {
    name=$1
    shift
    b=
    i=0
    while [ $i -lt "$runs" ]; do
        i=$((i + 1))
        rm -f t.mmtrace ht.* memusage.out
        t0=$(now_ms)
        bp_run "$name" timeout -k 5 300 "$@" > /dev/null 2>&1 ||
            { echo -; return; }
        t=$(($(now_ms) - t0))
        if [ -z "$b" ] || [ "$t" -lt "$b" ]; then b=$t; fi
    done
    echo "$b"
}

ratio() {
    case $1 in -) echo "-" ;; *) awk "BEGIN { printf \"%.2fx\", $1 / $2 }" ;; esac
}

echo "min of $runs runs, ms (ratio to native); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %7s %16s %16s %16s %16s\n' program native "mmsim record" \
    "mmsim --fast-path" heaptrack memusage
for p in $bp_names; do
    command -v "$p" > /dev/null 2>&1 || { echo "$p: not installed"; continue; }
    n=$(best "$p")
    r=$(best "$p" "$mmsim" record -o t.mmtrace --)
    f=$(best "$p" "$mmsim" record --fast-path -o t.mmtrace --)
    h=-
    command -v heaptrack > /dev/null && h=$(best "$p" heaptrack -o ht)
    m=-
    command -v memusage > /dev/null && m=$(best "$p" memusage)
    printf '%-8s %7s %7s %8s %7s %8s %7s %8s %7s %8s\n' "$p" "$n" \
        "$r" "($(ratio "$r" "$n"))" "$f" "($(ratio "$f" "$n"))" \
        "$h" "($(ratio "$h" "$n"))" "$m" "($(ratio "$m" "$n"))"
done
