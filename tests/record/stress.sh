#!/bin/sh
# tests/record/stress.sh MMSIM PROGDIR [RUNS [RECORD-FLAG]]
#
# The race-prone workloads (threads mapping and unmapping while another
# thread forks and the child execs; threads growing and trimming arenas),
# dynamic and static, recorded RUNS times in a row (default 30): every run
# must verify with every process EXACT. Measured with the per-address-space
# serialisation of traced syscalls switched off (tools/sup_mm.c): 2 of 10
# runs of sup_forkexec_static had a process that differed.
set -u
mmsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
progs=$(cd "$2" && pwd)
runs=${3:-30}
flag=${4:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -n "$flag" ] && grep -q __asan_init "$progs/sup_arena" 2>/dev/null; then
    echo "SKIP: sanitized programs cannot load the shim (ASan)"
    exit 77
fi
bad=0
for prog in sup_forkexec sup_forkexec_static sup_arena sup_exit_race; do
    exact=0
    i=0
    while [ $i -lt "$runs" ]; do
        i=$((i + 1))
        rm -f "$work/t.mmtrace"
        out=$("$mmsim" record --verify --no-faults $flag -o "$work/t.mmtrace" -- \
            "$progs/$prog" 1 2>&1 >/dev/null)
        if echo "$out" | grep -q 'processes: \([0-9]*\) EXACT, 0 DIFFER, 0 UNKNOWN, 0 NOT CHECKED'; then
            exact=$((exact + 1))
        else
            echo "$prog run $i:"
            echo "$out" | grep -v ': EXACT$' | head -20
        fi
    done
    echo "$prog: $exact of $runs runs EXACT"
    [ "$exact" = "$runs" ] || bad=1
done
exit $bad
