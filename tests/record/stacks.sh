#!/bin/sh
# tests/record/stacks.sh MMSIM PROGDIR
#
# Module records and stacks of verdicts: sup_dlalloc dlopens a library
# built with -g and mallocs 700 MiB from a function of the library, then
# from one of its own. Under `mmsim run --machine mem=1G -s
# vm.overcommit_memory=2` (CommitLimit 480 MiB) both mmaps are refused by the
# model (the real kernel grants them: the program's output is unchanged),
# and each verdict's stack, unwound from the stopped thread and symbolised
# from the recorded module map, names the function and its file:line, in
# the text report, the JSON report, and `mmsim report` of the kept trace;
# and, recorded with `mmsim record --syscall-stacks`, in `mmsim report`.
# The trace's module record of the library carries the file's build ID.
set -u
mmsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
progs=$(cd "$2" && pwd)
prog=$progs/sup_dlalloc lib=$progs/libsup_dlalloc_lib.so
src=$(cd "$(dirname "$0")/../programs" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail=0
no() { echo "FAIL: $*"; fail=1; }

# The line of each malloc call.
lib_line=$(grep -n 'malloc(bytes)' "$src/sup_dlalloc_lib.c" | cut -d: -f1)
main_line=$(grep -n 'malloc(bytes)' "$src/sup_dlalloc.c" | cut -d: -f1)
lib_re="sup_dl_grow\+0x[0-9a-f]+ \(.*sup_dlalloc_lib\.c:$lib_line\) \[libsup_dlalloc_lib\.so\]"
main_re="sup_main_grow\+0x[0-9a-f]+ \(.*sup_dlalloc\.c:$main_line\) \[sup_dlalloc\]"

"$prog" "$lib" 700 > native.out
"$mmsim" run --machine mem=1G -s vm.overcommit_memory=2 --trace t.mmtrace \
    -- "$prog" "$lib" 700 > run.out 2> run.err
cmp -s native.out run.out || no "program output differs under mmsim run"
grep -q "ENOMEM  *2$" run.err || no "not 2 refusals"
grep -Eq "#[0-9]+  $lib_re" run.err || no "text: no frame in the library"
grep -Eq "#[0-9]+  $main_re" run.err || no "text: no frame in the program"

"$mmsim" run --machine mem=1G -s vm.overcommit_memory=2 --format json \
    -o r.json -- "$prog" "$lib" 700 > /dev/null 2>&1
python3 - "$lib_re" "$main_re" r.json <<'PY' || no "json: frames missing"
import json, re, sys
ev = json.load(open(sys.argv[3]))["events"]
frames = [f for e in ev for f in e.get("stack") or []]
ok = all(any(re.search(p, f) for f in frames) for p in sys.argv[1:3])
sys.exit(0 if len(ev) == 2 and ok else 1)
PY

"$mmsim" report t.mmtrace --machine mem=1G -s vm.overcommit_memory=2 \
    > rep.out 2>&1
grep -Eq "$lib_re" rep.out || no "report of the trace: no frame in the library"
grep -Eq "$main_re" rep.out || no "report of the trace: no frame in the program"

# The same from `mmsim record --syscall-stacks` and a later report.
"$mmsim" record --syscall-stacks -o s.mmtrace -- "$prog" "$lib" 700 \
    > rec.out 2> rec.err
cmp -s native.out rec.out || no "record --syscall-stacks: output differs"
"$mmsim" report s.mmtrace --machine mem=1G -s vm.overcommit_memory=2 \
    > srep.out 2>&1
grep -Eq "$lib_re" srep.out || no "--syscall-stacks: no frame in the library"
grep -Eq "$main_re" srep.out || no "--syscall-stacks: no frame in the program"

want=$(readelf -n "$lib" | sed -n 's/.*Build ID: *//p')
"$mmsim" dump t.mmtrace > dump.txt
libid=$(sed -n "s/^string \([0-9]*\) \"$(echo "$lib" | sed 's/[/.]/\\&/g')\"$/\1/p" dump.txt)
[ -n "$want" ] && [ -n "$libid" ] &&
    grep -q "^module .* path=$libid build_id=$want$" dump.txt ||
    no "no module record of the library with build ID '$want'"
[ $fail = 0 ] && echo "ok: stacks symbolised in text, JSON and report" ||
    { cat run.err; grep '^module' dump.txt; }
exit $fail
