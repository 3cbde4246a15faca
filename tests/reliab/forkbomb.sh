#!/bin/sh
# tests/reliab/forkbomb.sh MMSIM FORKBOMB [CHILDREN]
#
# A bounded fork bomb (rel_forkbomb.c: CHILDREN short children, default
# 1500, 64 alive at once, every third with a grandchild, every tenth
# exec'ing sh) run natively, under `mmsim record --verify` and under
# `mmsim run --format json`. Fails unless stdout and the exit status are
# the native ones, every process (1 + children + grandchildren) has its
# exit in the trace and is EXACT, and the report has a row for each.
set -u
mmsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
bomb=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
n=${3:-1500}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail=0

"$bomb" "$n" > native.out
native_rc=$?
grand=$(sed -n 's/.* grandchildren \([0-9]*\) .*/\1/p' native.out)
procs=$((1 + n + grand))

# same_as_native WHAT RC OUT
same_as_native() {
    if [ "$2" != "$native_rc" ]; then
        echo "FAIL: $1: exit status $2, native $native_rc"
        fail=1
    fi
    if ! cmp -s native.out "$3"; then
        echo "FAIL: $1: stdout differs from the native run's"
        diff native.out "$3" | head -5
        fail=1
    fi
}

# exits TRACE: the number of distinct processes whose exit the trace has
exits() {
    "$mmsim" dump "$1" | awk '$3 == "exit" { split($2, a, "/"); print a[1] }' |
        sort -u | wc -l
}

start=$(date +%s)
"$mmsim" record --verify -o rec.mmtrace -- "$bomb" "$n" > rec.out 2> rec.err
same_as_native record $? rec.out
if ! grep -q "^mmsim: verify: $procs processes: $procs EXACT, 0 DIFFER" rec.err; then
    echo "FAIL: record: not $procs processes, all EXACT:"
    grep -v ': EXACT$' rec.err | head -10
    fail=1
fi
got=$(exits rec.mmtrace)
[ "$got" = "$procs" ] || { echo "FAIL: record: $got exits in the trace, want $procs"; fail=1; }
mid=$(date +%s)

"$mmsim" run --format json -o report.json --trace run.mmtrace -- "$bomb" "$n" \
    > run.out 2> run.err
same_as_native run $? run.out
"$mmsim" dump run.mmtrace | awk '$3 == "exit" { split($2, a, "/"); print a[1] }' |
    sort -u > pids
got=$(wc -l < pids)
[ "$got" = "$procs" ] || { echo "FAIL: run: $got exits in the trace, want $procs"; fail=1; }
python3 "$here/../report/check_json.py" report.json --sane --pids pids || fail=1
end=$(date +%s)
echo "forkbomb: $procs processes; record $((mid - start)) s, run $((end - mid)) s"
exit $fail
