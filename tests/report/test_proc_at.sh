#!/bin/sh
# tests/report/test_proc_at.sh MMSIM
#
# `mmsim proc PID/FILE --trace T --at PID:exit`: the process's last state,
# its /proc files as they were just before it exited. That is the moment
# the recorder reads the real kernel's figures (its exit stop, the trace's
# host_stat event) and the moment the report takes the model's figures of
# the process, so each view must show the report's figures exactly:
#   status   VmRSS = rss_kb, RssAnon = rss_anon_kb, VmSize = vm_size_kb,
#            VmSwap = swap_kb
#   statm    size * 4 = vm_size_kb, resident * 4 = rss_kb
#   smaps_rollup  Rss = rss_kb, Pss = pss_kb, Private_* = uss_kb
#   maps, numa_maps  one line per VMA (numa_maps has no [vsyscall])
#   oom_score, oom_score_adj  a number each
# for every process of a recording of sh running ls three times (the
# children are vforked and exec; each has a host_stat before its exit).
# The replay stops there: a later sibling does not exist yet, and without
# --at (the end of the trace) the process is gone.
set -u
mmsim=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

no() { echo "FAIL: $*"; fail=1; }

"$mmsim" record -o "$work/t.mmtrace" -- \
    sh -c 'for i in 1 2 3; do ls / > /dev/null; done' > /dev/null 2>&1 ||
    no "recording sh"
"$mmsim" report "$work/t.mmtrace" --format json -o "$work/r.json" ||
    no "report exit $?"
python3 - "$work/r.json" > "$work/procs" <<'PY' || no "reading the report"
import json, sys
procs = json.load(open(sys.argv[1]))["processes"]
for p in sorted(procs, key=lambda p: p["t_start_ns"]):
    print(p["pid"], p["rss_kb"], p["rss_anon_kb"], p["vm_size_kb"],
          p["swap_kb"], p["pss_kb"], p["uss_kb"])
PY
[ "$(wc -l < "$work/procs")" = 4 ] || no "want 4 processes: $(cat "$work/procs")"
n=$("$mmsim" dump "$work/t.mmtrace" 2> /dev/null | grep -c ' host_stat ')
[ "$n" = 4 ] || no "want 4 host_stat events, got $n"

# the value of "Key:  N kB" in a file
val() { awk -v k="$1:" '$1 == k { print $2 }' "$2"; }

view() { # view PID FILE: the file at PID:exit into $work/FILE
    "$mmsim" proc "$1/$2" --trace "$work/t.mmtrace" --at "$1:exit" \
        > "$work/$2" 2> "$work/err" || no "$1/$2 at $1:exit: $(cat "$work/err")"
}

while read -r pid rss anon size swap pss uss; do
    for f in status statm smaps_rollup maps numa_maps oom_score oom_score_adj; do
        view "$pid" "$f"
    done
    got="$(val VmRSS "$work/status") $(val RssAnon "$work/status")"
    got="$got $(val VmSize "$work/status") $(val VmSwap "$work/status")"
    [ "$got" = "$rss $anon $size $swap" ] ||
        no "$pid/status: VmRSS RssAnon VmSize VmSwap $got, want $rss $anon $size $swap"
    got=$(awk '{ print $1 * 4, $2 * 4 }' "$work/statm")
    [ "$got" = "$size $rss" ] || no "$pid/statm: $got kB, want $size $rss"
    r=$work/smaps_rollup
    got="$(val Rss "$r") $(val Pss "$r") $(($(val Private_Clean "$r") + $(val Private_Dirty "$r")))"
    [ "$got" = "$rss $pss $uss" ] || no "$pid/smaps_rollup: Rss Pss USS $got, want $rss $pss $uss"
    vmas=$(grep -vc '\[vsyscall\]$' "$work/maps")
    [ "$vmas" -gt 5 ] && [ "$(wc -l < "$work/numa_maps")" = "$vmas" ] ||
        no "$pid: $vmas VMAs in maps, $(wc -l < "$work/numa_maps") in numa_maps"
    grep -qx '[0-9][0-9]*' "$work/oom_score" || no "$pid/oom_score: $(cat "$work/oom_score")"
    grep -qx -- '-*[0-9][0-9]*' "$work/oom_score_adj" || no "$pid/oom_score_adj"
done < "$work/procs"

# the first ls at its exit: the second not yet forked; at the end: gone
first=$(sed -n 2p "$work/procs" | cut -d' ' -f1)
second=$(sed -n 3p "$work/procs" | cut -d' ' -f1)
"$mmsim" proc "$second/status" --trace "$work/t.mmtrace" --at "$first:exit" \
    > "$work/out" 2> "$work/err" && no "$second exists at $first:exit"
grep -q "no such process at that moment: '$second/status'" "$work/err" ||
    no "$second at $first:exit: $(cat "$work/err")"
"$mmsim" proc "$first/status" --trace "$work/t.mmtrace" > "$work/out" 2> "$work/err" &&
    no "$first exists at the end of the trace"

[ $fail = 0 ] && echo "ok"
exit $fail
