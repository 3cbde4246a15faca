#!/bin/sh
# tests/bench/record.sh [BUILDDIR] [RUNS]
#
# Wall time of each record workload run natively and under `mmsim record`
# (trace written, page-fault sampling on; and with --no-faults), minimum of
# RUNS runs (default 3), in milliseconds. Also 100k mmap/munmap pairs, the
# per-syscall cost of the ptrace path. Not a test: it prints a table.
set -u
build=$(cd "${1:-build}" && pwd)
runs=${2:-3}
here=$(cd "$(dirname "$0")/../record" && pwd)
mmsim=$build/tools/mmsim
progs=$build/tests
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
. "$here/workloads.sh"

now_ms() {
    echo $(($(date +%s%N) / 1000000))
}

# min_ms NAME [PREFIX...]: the fastest of $runs runs of workload NAME.
min_ms() {
    best=
    i=0
    while [ $i -lt "$runs" ]; do
        i=$((i + 1))
        rm -f t.mmtrace
        t0=$(now_ms)
        wl_run "$@" > /dev/null 2>&1
        t=$(($(now_ms) - t0))
        if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
    done
    echo "$best"
}

printf '%-14s %9s %12s %8s %14s %8s\n' workload native_ms recorded_ms ratio \
    no_faults_ms ratio
for w in python perl gcc sqlite3 make bash sup_spawn sup_dl sup_arena \
         sup_forkexec static mmap100k; do
    if ! wl_setup "$w"; then
        printf '%-14s skipped: %s\n' "$w" "$wl_skip"
        continue
    fi
    n=$(min_ms "$w")
    r=$(min_ms "$w" "$mmsim" record -o t.mmtrace --)
    f=$(min_ms "$w" "$mmsim" record --no-faults -o t.mmtrace --)
    printf '%-14s %9d %12d %7s %14d %7s\n' "$w" "$n" "$r" \
        "$(awk "BEGIN { printf \"%.2fx\", $r / ($n ? $n : 1) }")" "$f" \
        "$(awk "BEGIN { printf \"%.2fx\", $f / ($n ? $n : 1) }")"
done
