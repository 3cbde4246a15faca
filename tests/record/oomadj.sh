#!/bin/sh
# tests/record/oomadj.sh MMSIM PROGDIR
#
# Writes to /proc/self/oom_score_adj reach the trace as oom_score_adj
# events, in order with the memory syscalls around them, for each process:
# tests/programs/sup_oomadj.c (a parent and a fork child writing between
# mmaps and munmaps), and a shell writing it before it execs a program
# (the value survives exec: recorded before the exec and as the new
# image's initial value). Output and exit status as native.
set -u
mmsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
progs=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail=0

# One token per interesting event: p/c (first process or another), kind,
# value (oom_score_adj in decimal, mapping sizes in MiB).
tokens() {
    "$mmsim" dump "$1" | awk '
    function hex(s,   i, n) {
        n = 0; s = tolower(substr(s, 3))
        for (i = 1; i <= length(s); i++)
            n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
        return n
    }
    $3 == "oom_score_adj" || $3 == "mmap" || $3 == "munmap" || $3 == "exec" {
        split($2, id, "/"); if (first == "") first = id[1]
        who = (id[1] == first) ? "p" : "c"
        v = 0
        if (match($0, / a=[^ ]*/)) { split(substr($0, RSTART + 3, RLENGTH - 3), a, ",") }
        else { delete a }
        if ($3 == "oom_score_adj") { v = (1 in a) ? hex(a[1]) : 0 }
        else if ($3 == "exec") { v = "" }
        else { v = hex(a[2]) / 1048576; if (v != int(v) || v < 2 || v > 4) next
               if ($3 == "mmap" && hex(a[1]) != 0) next }
        printf "%s:%s%s ", who, $3, (v == "" ? "" : "=" v)
    }'
}

"$progs/sup_oomadj" > native.out
"$mmsim" record -o a.mmtrace -- "$progs/sup_oomadj" > rec.out 2> rec.err ||
    { echo "FAIL: record exited $?"; fail=1; }
cmp -s native.out rec.out || { echo "FAIL: output differs"; fail=1; }
got=$(tokens a.mmtrace)
want="p:exec p:oom_score_adj=0 p:mmap=3 p:oom_score_adj=300 p:mmap=2 c:oom_score_adj=300 c:oom_score_adj=500 c:munmap=3 p:oom_score_adj=1000 p:mmap=4 "
[ "$got" = "$want" ] || { printf 'FAIL: sup_oomadj\n want %s\n got  %s\n' "$want" "$got"; fail=1; }

"$mmsim" record -o b.mmtrace -- sh -c \
    'echo 500 > /proc/self/oom_score_adj; exec cat /proc/self/oom_score_adj' \
    > rec2.out 2> rec2.err
[ "$(cat rec2.out)" = 500 ] || { echo "FAIL: shell output"; fail=1; }
got=$(tokens b.mmtrace)
want="p:exec p:oom_score_adj=0 p:oom_score_adj=500 p:exec p:oom_score_adj=500 "
[ "$got" = "$want" ] || { printf 'FAIL: shell\n want %s\n got  %s\n' "$want" "$got"; fail=1; }
[ $fail = 0 ] && echo "ok: oom_score_adj writes recorded in order"
exit $fail
