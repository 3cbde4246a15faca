#!/bin/sh
# Trace size: the same programs recorded by `mmsim record --fast-path`
# (every allocator call with its stack, plus every kernel-level request,
# fault samples and the machine's facts) and by heaptrack, in one run. For
# each, the file's bytes divided by the number of allocator calls it holds
# (mmsim: malloc, calloc, realloc, reallocarray, memalign, free and
# malloc_usable_size events; heaptrack: its '+' and '-' records).
# What the two keep differs: mmsim keeps each call's nanosecond time and
# exact addresses (the model needs them), heaptrack keeps a time stamp every
# 10 ms and names a freed block by its allocation's index, not its address.
#
# Usage: tools/bench/bench-trace-size.sh [build-dir]
set -u
build=$(cd "${1:-build}" && pwd)
src=$(cd "$(dirname "$0")/../.." && pwd)
mmsim=$build/tools/mmsim
bench=$build/tools/bench/malloc_bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
PATH=/usr/bin:/bin:$PATH
export PATH
unset MALLOC_PERTURB_

prog() {
    name=$1
    shift
    case $name in
    malloc_bench) "$@" "$bench" 4 300000 ;;
    python3) "$@" python3 -c 'd = {str(i): [i] for i in range(300000)}; print(len(d))' ;;
    perl) "$@" perl -e 'my %h = map { $_ => [$_] } 1..300000; print scalar(keys %h), "\n"' ;;
    gcc) "$@" gcc -O2 -c "$src/model/vmscan.c" -I"$src/include" \
        -I"$src/model" -o vmscan.o ;;
    sqlite3) "$@" sqlite3 :memory: 'create table t(a, b); with recursive
        c(x) as (select 1 union all select x + 1 from c where x < 100000)
        insert into t select x, hex(randomblob(16)) from c;
        create index i on t(b); select count(*) from t;' ;;
    esac
}

mmsim_calls() {
    "$mmsim" dump "$1" | awk '$3 ~ /^(malloc|calloc|realloc|reallocarray|memalign|free|usable_size)$/ { n++ }
        END { print n + 0 }'
}

heaptrack_calls() {
    for f in ht*.zst; do zstd -dc "$f"; done | awk '$1 == "+" || $1 == "-" { n++ } END { print n + 0 }'
}

per_call() {
    awk "BEGIN { if ($2 > 0) printf \"%.2f\", $1 / $2; else print \"-\" }"
}

printf '%-13s %10s %10s %8s %10s %10s %8s %7s\n' program "mmsim B" calls B/call \
    "heaptrack B" calls B/call ratio
for p in malloc_bench python3 perl gcc sqlite3; do
    [ "$p" = malloc_bench ] || command -v "$p" > /dev/null 2>&1 ||
        { echo "$p: not installed"; continue; }
    rm -f t.mmtrace ht*
    prog "$p" "$mmsim" record --fast-path -o t.mmtrace -- > /dev/null 2>&1
    mb=$(stat -c %s t.mmtrace)
    mc=$(mmsim_calls t.mmtrace)
    hb=0
    hc=0
    if command -v heaptrack > /dev/null 2>&1; then
        prog "$p" heaptrack -o ht > /dev/null 2>&1
        hb=$(cat ht*.zst | wc -c)
        hc=$(heaptrack_calls)
    fi
    mp=$(per_call "$mb" "$mc")
    hp=$(per_call "$hb" "$hc")
    printf '%-13s %10d %10d %8s %10d %10d %8s %7s\n' "$p" "$mb" "$mc" "$mp" \
        "$hb" "$hc" "$hp" "$(awk "BEGIN { if ($hb > 0 && $hc > 0 && $mc > 0) printf \"%.2fx\", ($mb / $mc) / ($hb / $hc); else print \"-\" }")"
done
