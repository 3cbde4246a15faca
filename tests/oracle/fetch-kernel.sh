#!/bin/sh
# Obtain the Debian 6.1 kernel used as the real-kernel oracle, without
# installing it: download the image package that linux-image-amd64 depends on,
# unpack it with dpkg -x into cache/, and extract from vmlinuz the uncompressed
# vmlinux (an ELF with a PVH note, so QEMU boots it directly with -kernel and
# skips the BIOS) plus the virtio modules needed for a swap disk.
#
# Output (all under tests/oracle/cache/, git-ignored):
#   vmlinux          uncompressed kernel
#   modules/*.ko     virtio_ring virtio virtio_pci_modern_dev
#                    virtio_pci_legacy_dev virtio_pci virtio_blk (decompressed)
#   kernel-version   "<package name> <package version>"
# Re-running is cheap: an existing cache is reused.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cache=$here/cache
mkdir -p "$cache"
cd "$cache"

pkg=$(apt-cache depends linux-image-amd64 |
    sed -n 's/^ *Depends: \(linux-image-6\.1\.0-[0-9]*-amd64\)$/\1/p' | head -n 1)
[ -n "$pkg" ] || { echo "fetch-kernel: no linux-image-6.1.0-*-amd64 dependency" >&2; exit 1; }

deb=$(ls "$pkg"_*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
    apt-get download "$pkg"
    deb=$(ls "$pkg"_*.deb | head -n 1)
fi
ver=$(dpkg-deb -f "$deb" Version)
echo "$pkg $ver" > kernel-version

if [ ! -d root ] || [ "$(cat root/.deb 2>/dev/null)" != "$deb" ]; then
    rm -rf root
    dpkg -x "$deb" root
    echo "$deb" > root/.deb
fi
vmlinuz=$(ls root/boot/vmlinuz-* | head -n 1)
kver=${vmlinuz##*/vmlinuz-}

# vmlinuz = setup code + compressed payload; find the XZ stream magic
# (FD 37 7A 58 5A 00) and decompress from there (trailing garbage is ignored).
if [ ! -s vmlinux ]; then
    off=$(grep -abo "$(printf '\3757zXZ')" "$vmlinuz" | head -n 1 | cut -d: -f1)
    [ -n "$off" ] || { echo "fetch-kernel: no XZ payload in $vmlinuz" >&2; exit 1; }
    tail -c +"$((off + 1))" "$vmlinuz" | xz -dc --single-stream > vmlinux.tmp 2>/dev/null || true
    head -c 4 vmlinux.tmp | grep -q "$(printf '\177ELF')" ||
        { echo "fetch-kernel: payload is not an ELF" >&2; exit 1; }
    readelf -n vmlinux.tmp | grep -q 'Xen' ||
        { echo "fetch-kernel: vmlinux lacks the PVH (Xen) note" >&2; exit 1; }
    mv vmlinux.tmp vmlinux
fi

mkdir -p modules
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk; do
    [ -s modules/$m.ko ] && continue
    src=$(find root/lib/modules/"$kver" -name "$m.ko*" | head -n 1)
    [ -n "$src" ] || { echo "fetch-kernel: module $m not found" >&2; exit 1; }
    case $src in
    *.xz) xz -dc "$src" > modules/$m.ko ;;
    *.zst) zstd -qdc "$src" > modules/$m.ko ;;
    *) cp "$src" modules/$m.ko ;;
    esac
done
echo "fetch-kernel: $(cat kernel-version) -> $cache/vmlinux"
