#!/bin/sh
# tests/record/run.sh MMSIM PROGDIR CASE [RECORD-FLAG]
#
# Runs one workload natively and under `mmsim record --verify`, and fails
# unless: every process of the recorded run is EXACT (its VMAs rebuilt from
# the recording equal /proc/PID/maps at exit), the program's stdout is
# byte-identical to the native run's, and its exit status is the same.
# RECORD-FLAG (e.g. --fast-path) is passed to `mmsim record`.
# Workloads are real programs the project did not write (python3, perl, gcc,
# sqlite3, make, bash) and the small programs in tests/programs/.
set -u
mmsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
progs=$(cd "$2" && pwd)
case_name=$3
flag=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

. "$here/workloads.sh"
# A sanitized program cannot load the shim: ASan wants its runtime first in
# the library list, and the fast path's stub address lies in ASan's shadow.
case "$flag:$case_name" in
--fast-path:python|--fast-path:perl|--fast-path:gcc|--fast-path:sqlite3|\
--fast-path:make|--fast-path:bash|:*) ;;
*)
    if grep -q __asan_init "$progs/sup_arena" 2>/dev/null; then
        echo "SKIP: $case_name: sanitized program, no shim under ASan"
        exit 77
    fi ;;
esac
wl_setup "$case_name"
if [ $? = 77 ]; then
    echo "SKIP: $case_name: $wl_skip"
    exit 77
fi

wl_run "$case_name" > native.out 2> native.err
native_rc=$?
rm -f ./*.o
wl_run "$case_name" "$mmsim" record --verify $flag -- > rec.out 2> rec.err
rec_rc=$?

fail=0
if [ "$native_rc" != "$rec_rc" ]; then
    echo "FAIL: exit status: native $native_rc, recorded $rec_rc"
    fail=1
fi
if ! cmp -s native.out rec.out; then
    echo "FAIL: stdout differs"
    diff native.out rec.out | head -20
    fail=1
fi
summary=$(grep '^mmsim: verify: [0-9]* processes:' rec.err)
n=$(echo "$summary" | sed -n 's/^mmsim: verify: \([0-9]*\) processes: \([0-9]*\) EXACT.*/\1 \2/p')
set -- $n
if [ -z "$n" ] || [ "$1" != "$2" ] || [ "$1" = 0 ]; then
    echo "FAIL: not every process is EXACT"
    fail=1
fi
trace=$(ls mmsim.*.mmtrace 2>/dev/null | head -1)
if [ -z "$trace" ] || ! "$mmsim" dump "$trace" > dump.txt; then
    echo "FAIL: no readable trace"
    fail=1
elif [ "$(grep -c ' exec a=' dump.txt)" -lt 1 ]; then
    echo "FAIL: the trace has no exec event"
    fail=1
fi
grep '^mmsim' rec.err | grep -v ': EXACT$' | head -60
echo "$case_name: native rc $native_rc, recorded rc $rec_rc; $summary"
exit $fail
