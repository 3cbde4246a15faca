#!/bin/sh
# tests/reliab/noprel.sh MMSIM
#
# A program that removes LD_PRELOAD from its environment and execs (env -u
# LD_PRELOAD sh -c ...) under `record --fast-path --verify`: the exec'd
# image runs without the shim, so the ptrace safety net alone captures it.
# Its output and exit status are the native ones and every process's
# recorded mappings match /proc at exit (EXACT); `mmsim run` of the same
# command reports the exit status.
set -u
mmsim=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
no() { echo "FAIL: $*"; fail=1; }
script='echo "in sh: ${LD_PRELOAD:-no preload}"; ls / > /dev/null; exit 3'

env -u LD_PRELOAD sh -c "$script" > "$work/native.out" 2>&1
native=$?
"$mmsim" record --fast-path --verify -o "$work/t.mmtrace" -- \
    env -u LD_PRELOAD sh -c "$script" > "$work/rec.out" 2> "$work/rec.err"
rc=$?
[ "$rc" = "$native" ] || no "record: exit $rc, native $native"
cmp -s "$work/native.out" "$work/rec.out" || no "record: output differs"
grep -q "2 processes: 2 EXACT, 0 DIFFER" "$work/rec.err" ||
    no "record --verify: $(grep 'verify:' "$work/rec.err" | tail -1)"
"$mmsim" run -o "$work/report.txt" -- \
    env -u LD_PRELOAD sh -c "$script" > "$work/run.out" 2> "$work/run.err"
rc=$?
[ "$rc" = "$native" ] || no "run: exit $rc, native $native"
cmp -s "$work/native.out" "$work/run.out" || no "run: output differs"
grep -q "exited 3" "$work/report.txt" || no "run: no 'exited 3' in the report"
[ $fail = 0 ] && echo ok
exit $fail
