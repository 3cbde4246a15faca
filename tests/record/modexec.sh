#!/bin/sh
# tests/record/modexec.sh MMSIM PROGDIR
#
# Module records of code made executable after it is mapped, and of vfork
# and posix_spawn children (tests/programs/sup_modexec.c, sup_spawn.c):
# - a library (built with -g) loaded with dlopen and mapped again from its
#   file with PROT_READ, just below the loaded copy, then made executable
#   with mprotect: a raw mmap of 700 MiB from each copy, refused by the
#   model under --machine mem=1G -s vm.overcommit_memory=2, has a stack
#   whose frame names sup_mx_map and its file:line in the library; the
#   mapping's module record has the file's build ID, at the mapping's
#   address, once although it is made executable four times; the loaded
#   copy keeps its own record (two mappings of one file next to each other
#   are two modules);
# - an anonymous page made executable (a JIT's code) gets no module record;
# - a vfork child's raw mmap before its exec, refused the same way, is the
#   child's, and its frames name sup_vf_grow in the program: the child has
#   a copy of the parent's module map under its own pid; after its exec its
#   own image's records (/bin/true with its build ID);
# - posix_spawn (clone(CLONE_VM|CLONE_VFORK)) and vfork children of
#   sup_spawn get module records of the programs they exec, with build IDs;
# - under the preload-only capture (ptrace denied), a mapping its snapshots
#   see read-only and then executable gets its module record.
# Recorded by `mmsim run` (verdict stacks), by `mmsim record
# --syscall-stacks` (the mprotect traced), and by `mmsim record --fast-path
# --syscall-stacks` (the mprotect through the shim's fast path).
set -u
mmsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
progs=$(cd "$2" && pwd)
prog=$progs/sup_modexec lib=$progs/libsup_modexec_lib.so
src=$(cd "$(dirname "$0")/../programs" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail=0
no() { echo "FAIL: $*"; fail=1; }

lib_line=$(grep -n '"syscall"' "$src/sup_modexec_lib.c" | cut -d: -f1)
vf_line=$(grep -n 'long p = syscall(SYS_mmap' "$src/sup_modexec.c" | cut -d: -f1)
lib_re="#0  sup_mx_map\+0x[0-9a-f]+ \(.*sup_modexec_lib\.c:$lib_line\) \[libsup_modexec_lib\.so\]"
vf_re="#1  sup_vf_grow\+0x[0-9a-f]+ \(.*sup_modexec\.c:$vf_line\) \[sup_modexec\]"

# check_trace NAME TRACE STDERR: module records of one recording
check_trace() {
    "$mmsim" dump "$2" > "$1.dump" 2> /dev/null
    python3 - "$1.dump" "$3" "$lib" "$(readlink -f /bin/true)" \
        "$(readelf -n "$lib" | sed -n 's/.*Build ID: *//p')" \
        "$(readelf -n "$(readlink -f /bin/true)" | sed -n 's/.*Build ID: *//p')" \
        <<'PY' || no "$1: module records"
import re, sys
dump, err, lib, true, lib_id, true_id = sys.argv[1:]
strings, mods, vforks, execs = {}, [], [], {}
for line in open(dump):
    m = re.match(r'string (\d+) "(.*)"$', line)
    if m:
        strings[int(m[1])] = m[2]
    m = re.match(r'module \d+ t=\d+ pid=(\d+) base=(\w+) size=(\w+) '
                 r'offset=\w+ path=(\d+) build_id=(\w*)$', line)
    if m:
        mods.append((int(m[1]), int(m[2], 16), int(m[3], 16),
                     strings[int(m[4])], m[5]))
    m = re.match(r'\d+ (\d+)/\d+ vfork a=(\w+),', line)
    if m:
        vforks.append((int(m[1]), int(m[2], 16)))
    m = re.match(r'\d+ (\d+)/\d+ exec .* str=(\d+)', line)
    if m:
        execs[int(m[1])] = strings[int(m[2])]
addr = dict(l.split() for l in open(err) if l.startswith(('lib ', 'jit ')))
base, jit = int(addr['lib'], 16), int(addr['jit'], 16)
ok = True
def want(cond, what):
    global ok
    if not cond:
        print('  ' + what)
        ok = False
parent, child = vforks[0] if vforks else (0, 0)
want(len(vforks) == 1, 'one vfork: %s' % vforks)
raw = [m for m in mods if m[0] == parent and m[1] == base]
want(len(raw) == 1 and raw[0][3] == lib and raw[0][4] == lib_id,
     'one record of the mapping at %#x: %s' % (base, raw))
libs = [m for m in mods if m[0] == parent and m[3] == lib]
want(len(libs) == 2 and all(m[2] == raw[0][2] for m in libs),
     'two records of the library, one per copy: %s' % libs)
want(not [m for m in mods if m[1] <= jit < m[1] + m[2]],
     'no record covers the JIT page %#x' % jit)
copy = [m for m in mods if m[0] == child and m[1] == base]
want(len(copy) == 1, 'the vfork child has the mapping in its copy')
prog = [m for m in mods if m[0] == child and m[3] == execs.get(parent)]
want(len(prog) == 1, "the vfork child has the parent's program")
mine = [m for m in mods if m[0] == child and m[3] == true]
want(execs.get(child) == true and len(mine) == 1 and mine[0][4] == true_id,
     "the vfork child's exec: %s %s" % (execs.get(child), mine))
sys.exit(0 if ok else 1)
PY
}

"$prog" "$lib" 700 > native.out 2> /dev/null || no "native run"
"$mmsim" run --machine mem=1G -s vm.overcommit_memory=2 --trace t.mmtrace \
    --format json -o r.json -- "$prog" "$lib" 700 > run.out 2> run.err
cmp -s native.out run.out || no "program output differs under mmsim run"
python3 - r.json <<'PY' || no "run: want 3 refusals, the last one the vfork child's"
import json, sys
d = json.load(open(sys.argv[1]))
ev, procs = d["events"], d["processes"]
pids = sorted(p["pid"] for p in procs)
sys.exit(0 if len(ev) == 3 and len(pids) == 2 and
         [e["pid"] for e in ev] == [pids[0], pids[0], pids[1]] else 1)
PY
"$mmsim" report t.mmtrace --machine mem=1G -s vm.overcommit_memory=2 > rep.out 2>&1
[ "$(grep -Ec "$lib_re" rep.out)" = 2 ] || no "run: not 2 frames in the library"
grep -Eq "$vf_re" rep.out || no "run: no frame of the vfork child in the program"
check_trace run t.mmtrace run.err

for mode in "" --fast-path; do
    name=record$mode
    "$mmsim" record $mode --syscall-stacks -o "$name.mmtrace" -- \
        "$prog" "$lib" 700 > "$name.out" 2> "$name.err"
    cmp -s native.out "$name.out" || no "$name: output differs"
    "$mmsim" report "$name.mmtrace" --machine mem=1G \
        -s vm.overcommit_memory=2 > "$name.rep" 2>&1
    [ "$(grep -Ec "$lib_re" "$name.rep")" = 2 ] ||
        no "$name: not 2 frames in the library"
    grep -Eq "$vf_re" "$name.rep" ||
        no "$name: no frame of the vfork child in the program"
    check_trace "$name" "$name.mmtrace" "$name.err"
done
# The fast path made the library's mapping executable (flags 0x2).
base=$(sed -n 's/^lib //p' record--fast-path.err)
grep -Eq " mprotect a=$base,0x[0-9a-f]+,0x5.* flags=0x[0-9a-f]*[2367abef]( |$)" \
    record--fast-path.dump || no "--fast-path: the mprotect was not the fast path's"

# Preload-only capture (ptrace denied): its snapshots see the mapping
# read-only, then executable.
SUP_MODEXEC_PAUSE=1 "$progs/deny_ptrace" "$mmsim" record -o pre.mmtrace -- \
    "$prog" "$lib" 700 > pre.out 2> pre.err
cmp -s native.out pre.out || no "preload-only: output differs"
base=$(sed -n 's/^lib //p' pre.err)
"$mmsim" dump pre.mmtrace > pre.dump 2> /dev/null
libid=$(sed -n "s|^string \([0-9]*\) \"$lib\"\$|\1|p" pre.dump)
want=$(readelf -n "$lib" | sed -n 's/.*Build ID: *//p')
grep -Eq "^module .* base=$base .* path=$libid build_id=$want\$" pre.dump ||
    no "preload-only: no module record of the mapping at $base"

# posix_spawn and vfork children: the records of what they exec
"$mmsim" record -o sp.mmtrace -- "$progs/sup_spawn" > /dev/null 2>&1 ||
    no "recording sup_spawn"
"$mmsim" dump sp.mmtrace > sp.dump 2> /dev/null
python3 - sp.dump <<'PY' || no "sup_spawn: children without module records"
import re, subprocess, sys
strings, mods, children, execs = {}, set(), [], {}
for line in open(sys.argv[1]):
    m = re.match(r'string (\d+) "(.*)"$', line)
    if m:
        strings[int(m[1])] = m[2]
    m = re.match(r'module \d+ t=\d+ pid=(\d+) .* path=(\d+) build_id=(\w*)$', line)
    if m:
        mods.add((int(m[1]), strings[int(m[2])], m[3]))
    m = re.match(r'\d+ \d+/\d+ vfork a=(\w+),', line)
    if m:
        children.append(int(m[1], 16))
    m = re.match(r'\d+ (\d+)/\d+ exec .* str=(\d+)', line)
    if m:
        execs[int(m[1])] = strings[int(m[2])]
def build_id(path):
    out = subprocess.run(['readelf', '-n', path], capture_output=True,
                         text=True).stdout
    return re.search(r'Build ID: *(\w+)', out)[1]
ok = len(children) == 2
for c in children:
    exe = execs.get(c)
    ok = ok and exe is not None and (c, exe, build_id(exe)) in mods
sys.exit(0 if ok else 1)
PY

[ $fail = 0 ] && echo "ok: module records of mprotected code and vfork children" ||
    { cat run.err; grep '^module' run.dump; }
exit $fail
