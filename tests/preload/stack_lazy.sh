#!/bin/sh
# stack_lazy.sh HARNESS SHIM PROG [ARGS...]
#
# Runs PROG under the shim with MMSIM_STACK_STATS=1 (figures only; libunwind
# is loaded lazily, as in a recording). PROG allocates from frames the
# shim's own walk cannot follow (signal frames) both before and after
# allocations from its own code: the first such stacks must be kept as far
# as the walk went ("cut short"), and once libunwind has been loaded at a
# safe moment, later ones taken whole by unw_backtrace.
set -u
harness=$1
shim=$2
shift 2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
MMSIM_STACK_STATS=1 "$harness" --discard --shim "$shim" -- "$@" \
    2> "$out" > /dev/null
rc=$?
grep 'mmsim-preload' "$out"
if [ $rc -ne 0 ]; then
    echo "stack_lazy: the program failed ($rc)"
    cat "$out"
    exit 1
fi
awk 'function after(words,   i) {
        i = index($0, words " ")
        return i ? substr($0, i + length(words) + 1) + 0 : -1 }
     /mmsim-preload: pid .* stacks walked/ {
        n++; walked += after("walked"); back += after("unw_backtrace")
        cut += after("cut short") }
     END {
        printf "processes %d, walked %d, by unw_backtrace %d, cut short %d\n",
            n, walked, back, cut
        exit !(n > 0 && walked > 0 && back > 0 && cut > 0) }' "$out"
