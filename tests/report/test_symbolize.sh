#!/bin/sh
# tests/report/test_symbolize.sh MMSIM GEN_STACK_TRACE ELF
#
# A trace whose refused 2 GiB mmap (vm.overcommit_memory=2 on mem=1G) was
# made from malloc() with a stack into ELF's main(): the report names the
# allocator call and symbolises the frame with libdw as main+0x4, with the
# source file, from the recorded module map.
set -u
mmsim=$1 gen=$2 elf=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
vaddr=$(nm "$elf" | awk '$3 == "main" { print "0x" $1 }')
[ -n "$vaddr" ] || { echo "SKIP: no symbol main in $elf"; exit 77; }
"$gen" "$work/t.mmtrace" "$elf" $((vaddr + 4)) || exit 1
"$mmsim" report "$work/t.mmtrace" --machine mem=1G -s vm.overcommit_memory=2 \
    > "$work/out" 2>&1
fail=0
grep -q "mmap of 2147487744 bytes: ENOMEM" "$work/out" || fail=1
grep -q "from malloc(2147483648)" "$work/out" || fail=1
grep -q "#0  main+0x4 (.*malloc_loop.c:[0-9]*) \[malloc_loop\]" "$work/out" || fail=1
[ $fail = 0 ] && echo ok || cat "$work/out"
exit $fail
