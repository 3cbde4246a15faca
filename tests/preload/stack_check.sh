#!/bin/sh
# stack_check.sh HARNESS SHIM PROG [ARGS...]
#
# Runs PROG under the shim with MMSIM_STACK_CHECK=1, which makes every
# process compare each stack the shim walks with libunwind's unw_backtrace,
# and each stack it reuses with a fresh walk, and print its figures at exit.
# Fails if any differed or was cut short (libunwind is loaded at start-up
# in this mode), if no process reported, or if nothing was walked or
# reused (the check would then prove nothing).
set -u
harness=$1
shim=$2
shift 2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
MMSIM_STACK_CHECK=1 "$harness" --discard --shim "$shim" -- "$@" \
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
        exit !(n > 0 && walked > 0 && reused > 0 && differ == 0 && \
               cut == 0 && msgs == 0 && bad == 0) }' "$out"
