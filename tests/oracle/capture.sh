#!/bin/sh
# capture.sh [CASE...]
# Boots the Debian 6.1 kernel under QEMU (software emulation, TCG) once per
# case of cases.txt (all cases if none named), one at a time, and stores what
# the guest printed under golden/<case>/:
#   zoneinfo.txt meminfo.txt buddyinfo.txt sysctl.txt uname.txt
#   applied.txt             (the sysctls the guest wrote, as it echoed them)
#   vmstat_before.txt vmstat_after.txt  (around the probe section)
#   overcommit.txt | oom.txt + oom-kernel.txt | swap.txt  (the probe section)
#   dmesg.txt
#   qemu-cmd.txt            (exact command, kernel package, QEMU version,
#                            date, wall time)
# Needs: qemu-system-x86_64, busybox-static, gcc with static glibc, and
# fetch-kernel.sh (run first if cache/vmlinux is missing). About 4-6 s per
# case without swap, 10-15 s with swap, on 2 cores.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
cache=$here/cache
[ -s "$cache/vmlinux" ] || ./fetch-kernel.sh
kpkg=$(cat "$cache/kernel-version")

work=$cache/work
mkdir -p "$work/probes"
for src in probes/*.c; do
    gcc -static -O2 -Wall -Wextra -Werror -o "$work/probes/$(basename "$src" .c)" "$src"
done

shape_args() {
    case $1 in
    512m) echo "-m 512M -smp 2" ;;
    4608m) echo "-m 4608M -smp 2" ;;
    256m) echo "-m 256M -smp 2" ;;
    numa2) echo "-m 512M -smp 2 -object memory-backend-ram,id=m0,size=256M" \
        "-object memory-backend-ram,id=m1,size=256M" \
        "-numa node,nodeid=0,cpus=0,memdev=m0 -numa node,nodeid=1,cpus=1,memdev=m1" ;;
    *) echo "capture: unknown shape $1" >&2; exit 1 ;;
    esac
}

# Split the console log into golden files by the "=== name ===" markers.
split_log() {
    log=$1 dir=$2
    tr -d '\r' < "$log" | awk -v dir="$dir" '
        /^=== end ===$/ { out = ""; next }
        /^=== done ===$/ { done = 1; next }
        /^=== [a-z_]+ ===$/ { out = dir "/" $2 ".txt"; printf "" > out; next }
        out != "" { print > out }
        END { exit done ? 0 : 1 }'
}

run_case() {
    name=$1 shape=$2 set=$3 swap=$4 probes=$5
    cdir=$work/case-$name
    rm -rf "$cdir" && mkdir -p "$cdir"
    cp "sets/$set.conf" "$cdir/sysctl.conf"
    cp "sets/$probes.probes" "$cdir/probes"
    drive=""
    if [ "$swap" -gt 0 ]; then
        echo "$swap" > "$cdir/swap"
        rm -f "$cache/swap.img"
        truncate -s "${swap}M" "$cache/swap.img"
        drive="-drive file=cache/swap.img,format=raw,if=virtio"
    fi
    ./build-initramfs.sh "$cdir" "$work/probes" "$cache/initramfs.cpio.gz"
    cmd="qemu-system-x86_64 -accel tcg,thread=multi -cpu max $(shape_args "$shape")"
    cmd="$cmd -nodefaults -display none -serial stdio -no-reboot $drive"
    cmd="$cmd -kernel cache/vmlinux -initrd cache/initramfs.cpio.gz"
    cmd="$cmd -append 'console=ttyS0 quiet panic=-1'"
    t0=$(date +%s.%N)
    eval "timeout 300 $cmd" < /dev/null > "$cdir/console.log" 2>&1 || true
    t1=$(date +%s.%N)
    out=golden/$name
    rm -rf "$out" && mkdir -p "$out"
    if ! split_log "$cdir/console.log" "$out"; then
        echo "capture: $name: guest did not finish; console log: $cdir/console.log" >&2
        return 1
    fi
    if [ -f "$out/oom.txt" ]; then
        # The kernel's side of each OOM event: from "invoked oom-killer" to
        # the "Killed process" line, with the printk timestamps removed.
        sed 's/^\[ *[0-9.]*\] //' "$out/dmesg.txt" |
            awk '/invoked oom-killer/ { on = 1 } on { print } /Killed process/ { on = 0 }' \
            > "$out/oom-kernel.txt"
    fi
    {
        echo "command: $cmd"
        echo "kernel: $kpkg"
        echo "qemu: $(qemu-system-x86_64 --version | head -n 1)"
        echo "sysctl-set: $set (tests/oracle/sets/$set.conf)"
        echo "swap-MiB: $swap"
        echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "wall-seconds: $(echo "$t1 - $t0" | bc)"
    } > "$out/qemu-cmd.txt"
    echo "capture: $name done in $(echo "$t1 - $t0" | bc) s"
}

grep -v '^#' cases.txt | while read -r name shape set swap probes; do
    [ -n "$name" ] || continue
    if [ $# -gt 0 ]; then
        want=0
        for c in "$@"; do [ "$c" = "$name" ] && want=1; done
        [ $want = 1 ] || continue
    fi
    run_case "$name" "$shape" "$set" "$swap" "$probes"
done
