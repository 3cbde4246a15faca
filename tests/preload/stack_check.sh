#!/bin/sh
# stack_check.sh [--lazy] HARNESS SHIM PROG [ARGS...]
#
# Runs PROG under the shim with MMSIM_STACK_CHECK=1, which makes every
# process compare each stack the shim walks with libunwind's unw_backtrace,
# and each stack it reuses with a fresh walk, and print its figures at exit.
# Fails if any differed or was cut short (libunwind is loaded at start-up
# in this mode), if no process reported, or if nothing was walked or
# reused (the check would then prove nothing).
#
# --lazy: MMSIM_STACK_STATS=1 instead (figures only; libunwind is loaded
# lazily, as in a recording). PROG must allocate from frames the shim's own
# walk cannot follow (signal frames) both before and after allocating from
# its own code: the first such stacks must be kept as far as the walk went
# ("cut short"), and once libunwind has been loaded at a safe moment, later
# ones taken whole by unw_backtrace.
set -u
mode=MMSIM_STACK_CHECK
if [ "$1" = --lazy ]; then
    mode=MMSIM_STACK_STATS
    shift
fi
harness=$1
shim=$2
shift 2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
env "$mode=1" "$harness" --discard --shim "$shim" -- "$@" \
    2> "$out" > /dev/null
rc=$?
grep 'mmsim-preload' "$out"
if [ $rc -ne 0 ]; then
    echo "stack_check: the program failed ($rc)"
    cat "$out"
    exit 1
fi
# Each figure is read by the words before it, not by its position.
awk 'function after(words,   i) {
        i = index($0, words " ")
        return i ? substr($0, i + length(words) + 1) + 0 : -1 }
     /mmsim-preload: pid .* stacks walked/ {
        n++; walked += after("walked"); reused += after("reused")
        back += after("unw_backtrace"); cut += after("cut short")
        differ += after("differing")
        if (after("differing") < 0 || after("cut short") < 0) bad++ }
     /MMSIM_STACK_CHECK:/ { msgs++ }
     END {
        printf "processes %d, walked %d, reused %d, by unw_backtrace %d, " \
            "cut short %d, differing %d\n", n, walked, reused, back, cut, differ
        if (mode == "MMSIM_STACK_STATS")
            exit !(n > 0 && walked > 0 && back > 0 && cut > 0 && bad == 0)
        exit !(n > 0 && walked > 0 && reused > 0 && differ == 0 && \
               cut == 0 && msgs == 0 && bad == 0) }' mode="$mode" "$out"
