#!/bin/sh
# tests/reliab/setuid.sh MMSIM REL_SUID
#
# A set-user-ID root program (a copy of rel_suid.c) under `mmsim record`
# (and the same three cases under `mmsim run`):
#   as root: it keeps its privilege (the filter is installed without
#     no_new_privs), prints what it prints natively, every process EXACT;
#   as nobody: the filter needs no_new_privs, so it runs without its
#     privilege: mmsim says so (a note), nothing hangs, the capture is
#     EXACT;
#   as nobody, a copy mmsim's user may not read (mode 4711): the kernel
#     hides its /proc files from an unprivileged tracer; mmsim says the
#     capture is incomplete and why, and the report does not turn the
#     missing mappings into refusals.
# Needs root (to make the copies and to become nobody): skipped otherwise.
set -u
mmsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v setpriv > /dev/null || { echo "SKIP: no setpriv"; exit 77; }
nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 1777 "$work"
cd "$work" || exit 1
# a copy nobody can run wherever the build tree is (mmsim needs no file
# beside it without --fast-path)
install -m 755 "$mmsim" mmsim
mmsim=$work/mmsim
$nobody "$mmsim" --help > /dev/null 2>&1 ||
    { echo "SKIP: nobody cannot run mmsim from '$work'"; exit 77; }
install -o root -m 4755 "$src" suid
install -o root -m 4711 "$src" suid_x
fail=0
bad() {
    echo "FAIL: $*"
    fail=1
}

# check NAME WANT_OUT: stdout NAME.out must be WANT_OUT, exit status 0
check() {
    [ "$rc" = 0 ] || bad "$1: exit status $rc"
    [ "$(cat "$1.out")" = "$2" ] || bad "$1: printed '$(cat "$1.out")', want '$2'"
}

[ "$(./suid)" = "uid 0 euid 0" ] || bad "native as root: $(./suid)"
[ "$($nobody ./suid)" = "uid 65534 euid 0" ] || bad "native as nobody: $($nobody ./suid)"

timeout 60 "$mmsim" record --verify -o root.mmtrace -- ./suid > root.out 2> root.err
rc=$?
check root "uid 0 euid 0"
grep -q "note:" root.err && bad "root: a note about privilege: $(cat root.err)"
grep -q "^mmsim: verify: 1 processes: 1 EXACT" root.err || bad "root: not EXACT"

timeout 60 $nobody "$mmsim" record --verify -o nobody.mmtrace -- ./suid > nobody.out 2> nobody.err
rc=$?
check nobody "uid 65534 euid 65534"
grep -q "note: './suid' is set-user/group-ID; .* runs without that privilege" nobody.err ||
    bad "nobody: no note: $(cat nobody.err)"
grep -q "^mmsim: verify: 1 processes: 1 EXACT" nobody.err || bad "nobody: not EXACT"

timeout 60 $nobody "$mmsim" record -o x.mmtrace -- ./suid_x > x.out 2> x.err
rc=$?
check x "uid 65534 euid 65534"
grep -q "warning: the capture is incomplete in 1 place" x.err ||
    bad "unreadable: no warning: $(cat x.err)"
"$mmsim" dump x.mmtrace | grep -q "^string .*the address space at exec could not be read (/proc/[0-9]*/maps: Permission denied" ||
    bad "unreadable: the trace does not say why"
"$mmsim" report x.mmtrace > x.report || bad "unreadable: report failed"
grep -q " exited 0\$" x.report || { bad "unreadable: the report's fate"; cat x.report; }
# mmsim run says the same: the note, and the incomplete capture
timeout 60 "$mmsim" run -- ./suid > run_root.out 2> run_root.err
grep -q "note:" run_root.err && bad "run as root: a note about privilege: $(cat run_root.err)"
grep -q "^uid 0 euid 0\$" run_root.out || bad "run as root: printed '$(cat run_root.out)'"
timeout 60 $nobody "$mmsim" run -- ./suid > run_nobody.out 2> run_nobody.err
rc=$?
[ "$rc" = 0 ] || bad "run as nobody: exit status $rc"
grep -q "^mmsim: run: note: './suid' is set-user/group-ID; .* runs without that privilege" run_nobody.err ||
    bad "run as nobody: no note: $(cat run_nobody.err)"
grep -q "^uid 65534 euid 65534\$" run_nobody.out || bad "run as nobody: printed '$(cat run_nobody.out)'"
timeout 60 $nobody "$mmsim" run -- ./suid_x > run_x.out 2> run_x.err
grep -q "warning: the capture is incomplete in 1 place" run_x.err ||
    bad "run, unreadable: no warning: $(cat run_x.err)"
grep -q "^uid 65534 euid 65534\$" run_x.out || bad "run, unreadable: printed '$(cat run_x.out)'"
[ $fail = 0 ] && echo "setuid: root keeps euid 0; nobody runs it unprivileged, with a note; unreadable: warned (record and run)"
exit $fail
