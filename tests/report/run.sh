#!/bin/sh
# tests/report/run.sh MMSIM PROGDIR CASE
#
# Runs one workload (tests/record/workloads.sh: real programs the project
# did not write) natively and under `mmsim run --format json -o REPORT
# --trace TRACE`, and fails unless: stdout and the exit status are
# identical, the report validates against docs/report-json.md, every
# process of the trace (each exec'd or forked pid) has a row, and the
# numbers are sane (RSS > 0, PSS <= RSS, USS <= PSS).
set -u
mmsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
progs=$(cd "$2" && pwd)
case_name=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

. "$here/../record/workloads.sh"
case $case_name in
sort)
    wl_need sort || { echo "SKIP: $wl_skip"; exit 77; }
    awk 'BEGIN { srand(7); for (i = 0; i < 200000; i++) print int(rand() * 1e9) }' > in.txt
    wl_run() { shift; "$@" sort -n in.txt; } ;;
*)
    wl_setup "$case_name"
    if [ $? = 77 ]; then
        echo "SKIP: $case_name: $wl_skip"
        exit 77
    fi ;;
esac

wl_run "$case_name" > native.out 2> native.err
native_rc=$?
rm -f ./*.o
wl_run "$case_name" "$mmsim" run --format json -o report.json --trace t.mmtrace -- \
    > run.out 2> run.err
run_rc=$?

fail=0
if [ "$native_rc" != "$run_rc" ]; then
    echo "FAIL: exit status: native $native_rc, mmsim run $run_rc"
    cat run.err
    fail=1
fi
if ! cmp -s native.out run.out; then
    echo "FAIL: stdout differs"
    diff native.out run.out | head -20
    fail=1
fi
# every process of the trace: exec'd pids and fork/vfork children
"$mmsim" dump t.mmtrace | awk '
    $3 == "exec" { split($2, a, "/"); print a[1] }
    $3 == "fork" || $3 == "vfork" { sub(/^a=/, "", $4); split($4, a, ",");
                                    printf "%d\n", a[1] }' | sort -u > pids
[ -s pids ] || { echo "FAIL: no processes in the trace"; fail=1; }
python3 "$here/check_json.py" report.json --sane --pids pids || fail=1
[ $fail = 0 ] && echo "ok: $case_name: $(wc -l < pids) processes, exit $run_rc"
exit $fail
