#!/bin/sh
# tests/record/fallback.sh MMSIM PROGDIR
#
# Without ptrace, `mmsim record` and `mmsim run` fall back to the
# preload-only capture: mmsim run under `strace -f` (mmsim itself traced)
# and under a seccomp filter denying ptrace (tests/programs/deny_ptrace.c).
# Each time: a clear message naming the reason, the program's output and
# exit status as native, a trace whose processes (a shell, a pipeline of
# two programs) are all there with their exec and exit, and every report
# made from it (text, JSON, HTML, compare; folded stacks and `mmsim proc
# --trace` on stderr) says
# "incomplete capture: REASON".
set -u
mmsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
progs=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail=0
no() { echo "FAIL: $*"; fail=1; }
cmd='echo hi; ls / | wc -l; exit 3'

sh -c "$cmd" > native.out
check() { # NAME REASON-PATTERN PREFIX...
    name=$1 why=$2
    shift 2
    "$@" "$mmsim" record -o "$name.mmtrace" -- sh -c "$cmd" > out 2> err
    rc=$?
    [ $rc = 3 ] || no "$name: exit status $rc, not 3"
    cmp -s native.out out || no "$name: output differs"
    grep -q "^mmsim: record: $why: falling back to preload-only capture" err ||
        no "$name: no fallback message"
    grep -q "^mmsim: record: incomplete capture: $why" err ||
        no "$name: no closing note"
    "$mmsim" dump "$name.mmtrace" > dump 2>&1 || no "$name: dump"
    for c in 'd*a*sh' ls wc; do
        id=$(sed -n "s|^string \([0-9]*\) \"/.*/$c\"\$|\1|p" dump | head -1)
        [ -n "$id" ] && grep -Eq " exec a=.* str=$id\$" dump ||
            no "$name: no exec of $c"
    done
    [ "$(grep -c '^[0-9]* [0-9/]* exit ' dump)" = 3 ] || {
        no "$name: not 3 exits"
        grep -E '^[0-9]+ [0-9/]+ (exec|fork|exit|incomplete) ' dump; }
    "$mmsim" report "$name.mmtrace" > rep 2>&1
    head -1 rep | grep -q "^incomplete capture: $why" || no "$name: report"
    "$mmsim" report "$name.mmtrace" --format json 2>/dev/null |
        grep -q "\"incomplete_capture\":\"$why" || no "$name: json"
    "$mmsim" compare "$name.mmtrace" --policy vm.overcommit_memory=2 \
        --policy vm.overcommit_memory=1 > cmp 2>&1
    grep -q "^incomplete capture: $why" cmp || no "$name: compare"
    "$mmsim" report "$name.mmtrace" --format html -o rep.html 2>/dev/null
    grep -q "<strong>incomplete capture: $why" rep.html || no "$name: html"
    "$mmsim" report "$name.mmtrace" --format folded -o f 2> folded.err
    grep -q "^mmsim: incomplete capture: $why" folded.err ||
        no "$name: folded"
    "$mmsim" proc meminfo --trace "$name.mmtrace" 2> proc.err > proc.out
    grep -q "^mmsim: proc: incomplete capture: $why" proc.err &&
        grep -q "^MemTotal:" proc.out || no "$name: proc"
}
if command -v strace > /dev/null; then
    check strace "ptrace is not available: mmsim is itself traced (by strace, pid [0-9]*)" \
        strace -f -o /dev/null
    strace -f -o /dev/null "$mmsim" run -- sh -c "$cmd" > out 2> err
    [ $? = 3 ] && cmp -s native.out out || no "run: status or output"
    grep -q "^incomplete capture: ptrace is not available" err ||
        no "run: report not marked"
else
    echo "strace not installed: that part skipped"
fi
check seccomp "ptrace is not available: PTRACE_SEIZE failed (Operation not permitted): a security policy forbids it here" \
    "$progs/deny_ptrace"
# Page faults are sampled, from before the program's exec: 64 MiB touched
# is 16384 faults at least, 65536 kB resident.
"$progs/deny_ptrace" "$mmsim" run --format json -o j.json -- \
    "$progs/../examples/malloc_loop" 16 4 touch > /dev/null 2>&1
python3 - j.json <<'PY' || no "faults: fewer than the 16384 pages touched"
import json, sys
p = json.load(open(sys.argv[1]))["processes"][0]
sys.exit(0 if p["minflt"] >= 16384 and p["rss_kb"] >= 65536 else 1)
PY
[ $fail = 0 ] && echo "ok: preload-only capture, marked incomplete"
exit $fail
