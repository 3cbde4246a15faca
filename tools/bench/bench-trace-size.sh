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
# The "10ms" column records mmsim with --time-resolution 10ms, heaptrack's
# clock: the same events and addresses, allocator calls timed to 10 ms.
#
# Usage: tools/bench/bench-trace-size.sh [build-dir]
set -u
. "$(dirname "$0")/programs.sh"
bp_setup "${1:-build}"
mmsim=$bp_build/tools/mmsim

mmsim_calls() {
    "$mmsim" dump "$1" | awk '$3 ~ /^(malloc|calloc|realloc|reallocarray|memalign|free|usable_size)$/ { n++ }
        END { print n + 0 }'
}

heaptrack_calls() {
    for f in ht*.zst; do zstd -dc "$f"; done | awk '$1 == "+" || $1 == "-" { n++ } END { print n + 0 }'
}

ratio() {
    case "$1$2" in
    *-*) echo - ;;
    *) awk "BEGIN { if ($2 > 0) printf \"%.2fx\", $1 / $2; else print \"-\" }" ;;
    esac
}

per_call() {
    awk "BEGIN { if ($2 > 0) printf \"%.2f\", $1 / $2; else print \"-\" }"
}

printf '%-13s %10s %10s %8s %8s %10s %10s %8s %7s %7s\n' program "mmsim B" \
    calls B/call 10ms "heaptrack B" calls B/call ratio "10ms r"
for p in malloc_bench $bp_names; do
    [ "$p" = malloc_bench ] || command -v "$p" > /dev/null 2>&1 ||
        { echo "$p: not installed"; continue; }
    rm -f t.mmtrace ht*
    bp_run "$p" timeout -k 5 300 "$mmsim" record --fast-path -o t.mmtrace -- \
        > /dev/null 2>&1
    mb=$(stat -c %s t.mmtrace)
    mc=$(mmsim_calls t.mmtrace)
    rm -f t.mmtrace
    bp_run "$p" timeout -k 5 300 "$mmsim" record --fast-path \
        --time-resolution 10ms -o t.mmtrace -- > /dev/null 2>&1
    m10=$(per_call "$(stat -c %s t.mmtrace)" "$(mmsim_calls t.mmtrace)")
    hb=0
    hc=0
    if command -v heaptrack > /dev/null 2>&1; then
        bp_run "$p" timeout -k 5 300 heaptrack -o ht > /dev/null 2>&1
        hb=$(cat ht*.zst | wc -c)
        hc=$(heaptrack_calls)
    fi
    mp=$(per_call "$mb" "$mc")
    hp=$(per_call "$hb" "$hc")
    printf '%-13s %10d %10d %8s %8s %10d %10d %8s %7s %7s\n' "$p" "$mb" "$mc" \
        "$mp" "$m10" "$hb" "$hc" "$hp" "$(ratio "$mp" "$hp")" \
        "$(ratio "$m10" "$hp")"
done
