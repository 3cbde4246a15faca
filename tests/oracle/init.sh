#!/bin/busybox sh
# /init of the oracle guest (busybox ash). Reads /case/sysctl.conf (sysctl.conf
# syntax, applied in order), /case/swap (present: load the virtio modules and
# enable /dev/vda as swap) and /case/probes (shell lines run as the section
# named on its first line, "# section: NAME"). Prints each /proc view between "=== <name> ===" and "=== end ==="
# lines on the console, then powers off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

section() { echo "=== $1 ==="; }
endsec() { echo "=== end ==="; }

if [ -e /case/swap ]; then
    for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk; do
        insmod /modules/$m.ko || echo "oracle: insmod $m failed"
    done
    n=0
    while [ ! -b /dev/vda ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
    mkswap /dev/vda >/dev/null && swapon /dev/vda || echo "oracle: swapon failed"
fi

# Apply the case's sysctls in file order ("name = value", '#' comments).
section applied
while IFS= read -r line; do
    case $line in ''|'#'*) continue ;; esac
    k=$(echo "${line%%=*}" | tr -d ' \t')
    v=$(echo "${line#*=}" | sed 's/^[ \t]*//; s/[ \t]*$//')
    p=/proc/sys/$(echo "$k" | tr . /)
    if echo "$v" > "$p"; then echo "$k = $v"; else echo "oracle: write $k = $v failed"; fi
done < /case/sysctl.conf
endsec

# Watermarks and lowmem_reserve are snapshots taken when last computed: force
# a recompute with the current values so they reflect today's managed pages.
cat /proc/sys/vm/min_free_kbytes > /tmp/mfk && cat /tmp/mfk > /proc/sys/vm/min_free_kbytes
cat /proc/sys/vm/lowmem_reserve_ratio > /tmp/lrr && cat /tmp/lrr > /proc/sys/vm/lowmem_reserve_ratio

section uname; uname -a; endsec
section zoneinfo; cat /proc/zoneinfo; endsec
section meminfo; cat /proc/meminfo; endsec
section buddyinfo; cat /proc/buddyinfo; endsec
section sysctl
for f in /proc/sys/vm/*; do
    [ -r "$f" ] || continue
    v=$(cat "$f" 2>/dev/null) || continue
    echo "vm.${f##*/} = $(echo $v)"
done
endsec
section vmstat_before; cat /proc/vmstat; endsec
# The probes file names its section on its first line ("# section: NAME").
sec=$(sed -n '1s/^# section: *//p' /case/probes)
section "${sec:-overcommit}"
. /case/probes
endsec
section vmstat_after; cat /proc/vmstat; endsec
section dmesg; dmesg; endsec
echo "=== done ==="
poweroff -f
