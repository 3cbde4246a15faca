#!/bin/sh
# Golden test of `mmsim dump`: dump a committed trace (as is, cut, or with
# a flipped byte) and compare stdout, stderr and the exit status with the
# committed expectations.
#
#   dump_golden.sh MMSIM TRACE MODE GOLDEN_OUT [GOLDEN_ERR]
#
# MODE: intact (exit 0 expected), cut:N (first N bytes), flip:N (byte N
# inverted); damaged modes expect exit 1. In stderr the scratch file's path
# is replaced by TRACE.
set -eu
mmsim=$1 trace=$2 mode=$3 golden_out=$4 golden_err=${5:-/dev/null}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
input="$tmp/input.mmtrace"

case $mode in
intact) cp "$trace" "$input"; want=0 ;;
cut:*) head -c "${mode#cut:}" "$trace" > "$input"; want=1 ;;
flip:*)
    n=${mode#flip:}
    cp "$trace" "$input"
    byte=$(od -An -tu1 -j "$n" -N1 "$trace" | tr -d ' ')
    printf "$(printf '\\%03o' $((255 - byte)))" |
        dd of="$input" bs=1 seek="$n" conv=notrunc 2>/dev/null
    want=1 ;;
*) echo "unknown mode $mode" >&2; exit 2 ;;
esac

rc=0
"$mmsim" dump "$input" > "$tmp/out" 2> "$tmp/err.raw" || rc=$?
sed "s|$input|TRACE|g" "$tmp/err.raw" > "$tmp/err"
status=0
diff -u "$golden_out" "$tmp/out" || status=1
diff -u "$golden_err" "$tmp/err" || status=1
if [ "$rc" != "$want" ]; then
    echo "exit status $rc, expected $want" >&2
    status=1
fi
exit $status
