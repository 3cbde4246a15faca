#!/bin/sh
# check-oom-report.sh MMSIM GEN_OOM_TRACE GOLDEN_DIR
#
# The OOM oracle cases through the command as users run it: for each
# 256m-oom-* and 256m-memcg-* case, gen_oom_trace writes the touchers'
# trace (as recorded where both fit), and `mmsim report` replays it on the
# guest's machine (--machine zoneinfo:FILE, with the guest's memory.max as
# ,memcg=SIZE, and its min_free_kbytes and watermark_scale_factor). The
# toucher the kernel killed must be the one the report shows "killed by the
# OOM killer", with the kernel's kill line; the JSON must carry the kill.
# Then --oom-score-adj: overriding B's +500 with 0 moves the kill to A,
# and -1000 for every toucher leaves nothing to kill: the kernel panics.
set -eu
mmsim=$1 gen=$2 golden=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

sysctls() {
    sed -n 's/^vm\.\(min_free_kbytes\|watermark_scale_factor\) = /-s \1=/p' \
        "$golden/$1/sysctl.txt"
}

report() { # CASE FORMAT [OPTIONS...]
    c=$1 fmt=$2
    shift 2
    memcg=$(sed -n 's/^memory\.max \([0-9]*\)$/,memcg=\1/p' "$golden/$c/oom.txt")
    # shellcheck disable=SC2046
    "$mmsim" report --machine "zoneinfo:$golden/$c/zoneinfo.txt$memcg" \
        $(sysctls "$c") --format "$fmt" "$@" "$tmp/$c.mmtrace"
}

for c in 256m-oom-b0 256m-oom-bm500 256m-oom-bp500 256m-oom-bm1000 \
         256m-memcg-b0 256m-memcg-bp500; do
    case $c in 256m-memcg-*) ta=80 tb=40 ;; *) ta=160 tb=160 ;; esac
    "$gen" "$golden/$c" "$tmp/$c.mmtrace" $ta $tb
    victim=$(sed -n 's/.*Killed process \([0-9]*\) .*/\1/p' "$golden/$c/oom-kernel.txt" | head -1)
    prefix=$(sed -n 's/^\(.*\): Killed process.*/\1/p' "$golden/$c/oom-kernel.txt" | head -1)
    report "$c" text > "$tmp/$c.txt"
    killed=$(awk '/killed by the/ {print $1}' "$tmp/$c.txt" | tr '\n' ' ')
    if [ "$killed" = "$victim " ] &&
       grep -q "| $prefix: Killed process $victim (toucher)" "$tmp/$c.txt"; then
        echo "ok   $c: pid $victim killed, as by the kernel"
    else
        echo "FAIL $c: kernel killed $victim, report: '$killed'"
        sed 's/^/     /' "$tmp/$c.txt"
        fail=1
    fi
    report "$c" json > "$tmp/$c.json" || echo "     (report --format json: exit $?)"
    if ! python3 "$(dirname "$0")/../report/check_json.py" "$tmp/$c.json" --sane ||
       ! grep -q "\"fate\":\"oom_killed\"" "$tmp/$c.json" ||
       ! grep -q '"oom_kills":1,' "$tmp/$c.json"; then
        echo "FAIL $c: JSON lacks the kill ($(wc -c < "$tmp/$c.json") bytes):"
        grep -o '"fate":"[a-z_]*"\|"oom_kills":[0-9]*' "$tmp/$c.json" | sed 's/^/     /'
        fail=1
    fi
done

c=256m-oom-bp500
report $c text --oom-score-adj toucher=0 > "$tmp/over.txt"
a=$(sed -n 's/toucher A pid=\([0-9]*\) adj.*/\1/p' "$golden/$c/oom.txt")
if awk '/killed by the/ {print $1}' "$tmp/over.txt" | grep -qx "$a"; then
    echo "ok   --oom-score-adj toucher=0 on $c: A ($a) is killed instead"
else
    echo "FAIL --oom-score-adj toucher=0 on $c"; sed 's/^/     /' "$tmp/over.txt"; fail=1
fi
report $c text --oom-score-adj toucher=-1000 > "$tmp/panic.txt"
if grep -q "Kernel panic - not syncing: System is deadlocked on memory" "$tmp/panic.txt" &&
   grep -q "then the kernel panicked" "$tmp/panic.txt"; then
    echo "ok   --oom-score-adj toucher=-1000 on $c: nothing to kill, panic"
else
    echo "FAIL --oom-score-adj toucher=-1000 on $c"; sed 's/^/     /' "$tmp/panic.txt"; fail=1
fi
exit $fail
