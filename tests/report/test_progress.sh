#!/bin/sh
# tests/report/test_progress.sh MMSIM GEN_SITES_TRACE ELF
#
# The progress bar: a generated trace of 20 million allocator events takes
# well over a second to replay (about 3 s of CPU on the development
# machine, so a faster one still crosses the 1 s threshold); on a terminal
# (script(1) gives one) stderr shows "mmsim: replaying [###...] N%" and the bar is erased at the end
# ("\r\033[K"); without a terminal stderr stays empty; the report is the
# same either way. Skipped (77) when script(1) is absent.
set -u
mmsim=$1 gen=$2 elf=$3
command -v script > /dev/null || { echo "SKIP: no script(1)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
no() { echo "FAIL: $*"; fail=1; }

vaddr=$(nm "$elf" | awk '$3 == "main" { print "0x" $1 }')
"$gen" "$work/big.mmtrace" "$elf" "$vaddr" 10000000 || exit 1
"$mmsim" report "$work/big.mmtrace" --machine mem=1G -o "$work/plain.txt" 2> "$work/plain.err" ||
    no "report exit $?"
[ -s "$work/plain.err" ] && no "stderr is not a terminal but got: $(head -c 200 "$work/plain.err")"
script -qec "'$mmsim' report '$work/big.mmtrace' --machine mem=1G -o '$work/tty.txt'" \
    "$work/typescript" > /dev/null 2>&1 || no "report under script(1)"
python3 - "$work/typescript" <<'PY' || no "the bar on a terminal"
import re, sys
d = open(sys.argv[1], "rb").read()
bars = re.findall(rb"\rmmsim: replaying \[[#.]{40}\] +\d+% \d+ events", d)
assert bars, "no progress bar drawn"
last = d.rfind(b"mmsim: replaying")
assert d.find(b"\r\x1b[K", last) > 0, "the bar is not erased at the end"
PY
cmp -s "$work/plain.txt" "$work/tty.txt" || no "the report differs on a terminal"
[ $fail = 0 ] && echo ok
exit $fail
