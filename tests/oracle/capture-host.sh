#!/bin/sh
# capture-host.sh - the same capture against the running (host) kernel.
# Stores golden/host-<release>/{zoneinfo,meminfo,buddyinfo,sysctl,overcommit}.txt
# and host.txt. Needs root. Takes well under a second.
#
# It changes vm.* sysctls of a live machine, so:
# - every sysctl it may touch is saved first and restored on every exit path
#   (trap EXIT INT TERM); of overcommit_kbytes and overcommit_ratio, which
#   zero each other when written, the one in force is written back;
# - vm.overcommit_memory=2 is on only inside each ocprobe run (milliseconds;
#   ocprobe restores the mode itself), and the probe uses "predict": two
#   trials at the boundary instead of a binary search;
# - mode 2 is skipped when CommitLimit - Committed_AS is under 2 GiB.
# The forced recompute writes min_free_kbytes and lowmem_reserve_ratio with
# their own values; the kernel then treats min_free_kbytes as user-set (a
# later memory hotplug keeps it unless its own rule gives more).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
[ "$(id -u)" = 0 ] || { echo "capture-host: needs root" >&2; exit 1; }
vm=/proc/sys/vm
tmp=$(mktemp -d)
saved_mode=$(cat $vm/overcommit_memory)
saved_ratio=$(cat $vm/overcommit_ratio)
saved_kbytes=$(cat $vm/overcommit_kbytes)

# Each of overcommit_kbytes / overcommit_ratio zeroes the other when written,
# so only the one in force is written back: kbytes if it was set, else the
# ratio (which zeroes kbytes). Writing kbytes=0 first would leave CommitLimit
# at SwapTotal for a moment.
restore_limit() {
    if [ "$saved_kbytes" != 0 ]; then
        echo "$saved_kbytes" > $vm/overcommit_kbytes
    else
        echo "$saved_ratio" > $vm/overcommit_ratio
    fi
}

restore() {
    restore_limit
    echo "$saved_mode" > $vm/overcommit_memory
    rm -rf "$tmp"
}
trap restore EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

gcc -static -O2 -Wall -Wextra -Werror -o "$tmp/ocprobe" probes/ocprobe.c
out=golden/host-$(uname -r | cut -d. -f1,2)
rm -rf "$out" && mkdir -p "$out"

cat $vm/min_free_kbytes > $vm/min_free_kbytes
cat $vm/lowmem_reserve_ratio > $vm/lowmem_reserve_ratio
cat /proc/zoneinfo > "$out/zoneinfo.txt"
cat /proc/meminfo > "$out/meminfo.txt"
cat /proc/buddyinfo > "$out/buddyinfo.txt"
for f in $vm/*; do
    [ -r "$f" ] || continue
    v=$(cat "$f" 2>/dev/null) || continue
    echo "vm.${f##*/} = $(echo $v)"
done > "$out/sysctl.txt"

headroom_kb() {
    awk '/^CommitLimit:/ { l = $2 } /^Committed_AS:/ { c = $2 } END { print l - c }' /proc/meminfo
}

# One probe; retried (up to 3 times) when other processes moved
# Committed_AS between the reading and the trial.
probe() {
    n=0
    while [ $n -lt 3 ]; do
        "$tmp/ocprobe" "$1" "$2" "${3:-0}" predict > "$tmp/one"
        grep -q '^largest_ok_pages=' "$tmp/one" && break
        n=$((n + 1))
    done
    cat "$tmp/one"
}

{
    probe 0 root
    probe 0 user
    for ratio in 50 40; do
        if [ "$(headroom_kb)" -lt 2097152 ]; then
            echo "ocprobe skipped mode=2 ratio=$ratio: headroom $(headroom_kb) kB < 2 GiB"
            continue
        fi
        echo "$ratio" > $vm/overcommit_ratio
        probe 2 root
        probe 2 user
        probe 2 user 1024
        restore_limit
    done
} > "$out/overcommit.txt"
{
    echo "kernel: $(uname -srvm)"
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "cpus: $(nproc)"
    echo "probe method: predict (two trials at the boundary), overcommit_ratio 50 then 40 for mode 2"
} > "$out/host.txt"
echo "capture-host: $out"
