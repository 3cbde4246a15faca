#!/bin/sh
# build-initramfs.sh CASE_DIR PROBE_DIR OUT
# Builds a gzip'd newc initramfs: busybox-static, the static probes found in
# PROBE_DIR, the virtio modules from cache/modules, init.sh as /init, and the
# case files (sysctl.conf, probes, optional swap) under /case.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
case_dir=$1 probe_dir=$2 out=$3
bb=$(command -v busybox)
file -L "$bb" 2>/dev/null | grep -q 'statically linked' ||
    { echo "build-initramfs: $bb is not busybox-static" >&2; exit 1; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/case" \
    "$root/modules" "$root/probes"
chmod 755 "$root"
cp "$bb" "$root/bin/busybox"
cp "$here/init.sh" "$root/init"
chmod 755 "$root/init"
cp "$probe_dir"/* "$root/probes/"
cp "$here"/cache/modules/*.ko "$root/modules/"
cp "$case_dir/sysctl.conf" "$case_dir/probes" "$root/case/"
[ ! -e "$case_dir/swap" ] || touch "$root/case/swap"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 > "$out"
