#!/bin/sh
# tests/report/test_exec_stack.sh MMSIM GEN
#
# A forked child's fault in the stack its exec is building, timed before
# the exec stop and 1 GiB below the parent's stack (gen_exec_stack_trace):
# the copy of the parent's stack must not grow to reach it (RLIMIT_STACK,
# 8 MiB), so Committed_AS never holds a 1 GiB stack; the fault is held and
# replayed in the new image after the exec (no fault left unplaced).
# mem=4G: on a smaller machine overcommit mode 0 would refuse the 1 GiB
# growth anyway and the test could not tell.
set -u
mmsim=$1 gen=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
no() { echo "FAIL: $*" >&2; exit 1; }
"$gen" "$work/t.mmtrace" || no "generator"
"$mmsim" report "$work/t.mmtrace" --machine mem=4G --format json \
    -o "$work/r.json" || no "report exit $?"
python3 - "$work/r.json" <<'PY' || no "figures"
import json, sys
d = json.load(open(sys.argv[1]))
s, r = d["system"], d["replay"]
# two 128 KiB stacks and a 4 KiB page: far below the 1 GiB growth
assert s["peak_committed_kb"] < 1024, s["peak_committed_kb"]
assert r["faults"] == 1 and r["faults_unplaced"] == 0, r
child = [p for p in d["processes"] if p["pid"] == 101][0]
assert child["peak_rss_kb"] == 4, child
PY
