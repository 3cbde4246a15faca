#!/bin/sh
# tests/bench/fastpath.sh [BUILDDIR] [RUNS]
#
# The in-process fast path's effect: wall time (minimum of RUNS runs,
# default 3, in ms) and ptrace stops of malloc-heavy programs run natively,
# under `mmsim record` and under `mmsim record --fast-path`. Prints the load
# average first: on a shared machine, times are only comparable within one
# table; stop counts do not depend on load. Not a test: it prints a table.
set -u
build=$(cd "${1:-build}" && pwd)
runs=${2:-3}
src=$(cd "$(dirname "$0")/../programs" && pwd)
mmsim=$build/tools/mmsim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

now_ms() {
    echo $(($(date +%s%N) / 1000000))
}

# min_ms CMD...: the fastest of $runs runs; the last run's stderr in err.txt.
min_ms() {
    best=
    i=0
    while [ $i -lt "$runs" ]; do
        i=$((i + 1))
        rm -f t.mmtrace
        t0=$(now_ms)
        "$@" > /dev/null 2> err.txt
        t=$(($(now_ms) - t0))
        if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
    done
    echo "$best"
}

stops() {
    sed -n 's/^mmsim: record: \([0-9]*\) ptrace stops.*/\1/p' err.txt
}

bench() {
    name=$1
    shift
    n=$(min_ms "$@")
    r=$(min_ms "$mmsim" record --stats -o t.mmtrace -- "$@")
    rs=$(stops)
    f=$(min_ms "$mmsim" record --stats --fast-path -o t.mmtrace -- "$@")
    fs=$(stops)
    printf '%-10s %9d %11d %9d %11d %9d\n' "$name" "$n" "$r" "$rs" "$f" "$fs"
}

echo "load: $(uptime | sed 's/.*load average/load average/')"
printf '%-10s %9s %11s %9s %11s %9s\n' workload native_ms record_ms stops \
    fast_ms stops
bench malloc4 "$build/tests/bench_malloc4" 200000
bench sup_arena "$build/tests/sup_arena"
if command -v python3 > /dev/null; then
    bench python3 python3 -c 'x = [str(i) * 3 for i in range(1000000)]; print(len(x))'
fi
if command -v gcc > /dev/null; then
    bench gcc-O2 gcc -O2 -c "$src/sup_arena.c" -o a.o
fi
echo "load: $(uptime | sed 's/.*load average/load average/')"
