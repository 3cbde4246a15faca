#!/bin/sh
# tests/reliab/alloc.sh MMSIM REL_ALLOC N [MMSIM_KB [SHIM_KB]]
#
# Records rel_alloc.c making N malloc/free pairs with `mmsim record
# --fast-path` (every allocator call is an event) and fails unless stdout
# and the exit status are the native ones, every allocator call is in the
# trace or counted lost: malloc + free events + the shim's own `lost` events
# (flags without TR_F_TRACED, reasons 1-3: ring full, reentrant, abandoned)
# equal exactly 2 N + the calls libc makes itself (learnt from a 1000-pair
# recording, which must lose nothing), whatever else was lost; mmsim's
# own peak RSS (VmHWM of the supervisor, read from /proc while it runs)
# stays under MMSIM_KB (default 65536) and the program's peak RSS grows by
# less than SHIM_KB (default 16384) over its native peak (the shim's
# arenas, ring and stack cache). Prints the figures.
set -u
mmsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
prog=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
n=$3
mmsim_kb=${4:-65536}
shim_kb=${5:-16384}
# An ASan build of mmsim keeps freed memory in quarantine and maps shadow
# memory: its RSS says nothing of mmsim's own bound, which is not checked.
asan=
grep -q __asan_init "$mmsim" && asan=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail=0

t0=$(date +%s)
"$prog" "$n" > native.out 2> native.err
native_rc=$?
t1=$(date +%s)
"$mmsim" record --fast-path --stats -o t.mmtrace -- "$prog" "$n" > rec.out 2> rec.err &
pid=$!
hwm=0
while kill -0 "$pid" 2> /dev/null; do
    h=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2> /dev/null)
    [ -n "$h" ] && hwm=$h
    sleep 0.1
done
wait "$pid"
rc=$?
t2=$(date +%s)

[ "$rc" = "$native_rc" ] || { echo "FAIL: exit status $rc, native $native_rc"; fail=1; }
cmp -s native.out rec.out || { echo "FAIL: stdout differs"; fail=1; }
mallocs=$(sed -n 's/.* malloc \([0-9]*\).*/\1/p' rec.err)
frees=$(sed -n 's/.* free \([0-9]*\).*/\1/p' rec.err)
lost=$(sed -n 's/.* lost \([0-9]*\).*/\1/p' rec.err)
# alloc_lost TRACE: events the shim dropped (its TR_EV_LOST, reasons 1-3)
alloc_lost() {
    "$mmsim" dump "$1" | awk '
        function hex(s,  v, i) { v = 0; s = tolower(substr(s, 3))
            for (i = 1; i <= length(s); i++)
                v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
            return v }
        $3 == "lost" && $NF !~ /^flags=0x[0-9a-f]*[4567cdef]$/ {
            split(substr($4, 3), a, ","); r = hex(a[2])
            if (r >= 1 && r <= 3) n += hex(a[1]) }
        END { print n + 0 }'
}
# The calls libc makes itself: a small recording that must lose nothing.
"$mmsim" record --fast-path --stats -o small.mmtrace -- "$prog" 1000 > /dev/null 2> small.err
s_m=$(sed -n 's/.* malloc \([0-9]*\).*/\1/p' small.err)
s_f=$(sed -n 's/.* free \([0-9]*\).*/\1/p' small.err)
[ "$(alloc_lost small.mmtrace)" = 0 ] || { echo "FAIL: 1000 pairs lost events"; fail=1; }
extra=$(( ${s_m:-0} + ${s_f:-0} - 2000 ))
shim_lost=$(alloc_lost t.mmtrace)
# Missing allocator events must be announced, exactly, by the shim.
if [ $(( ${mallocs:-0} + ${frees:-0} + shim_lost )) -ne $(( 2 * n + extra )) ]; then
    echo "FAIL: ${mallocs:-0} malloc + ${frees:-0} free + $shim_lost lost" \
         "allocator events for $n pairs (+ $extra by libc)"
    fail=1
fi
native_kb=$(sed -n 's/^rel_alloc: maxrss_kb //p' native.err)
traced_kb=$(sed -n 's/^rel_alloc: maxrss_kb //p' rec.err)
[ -n "$asan" ] || { [ "$hwm" -gt 0 ] && [ "$hwm" -lt "$mmsim_kb" ]; } ||
    { echo "FAIL: mmsim's peak RSS $hwm kB, bound $mmsim_kb kB"; fail=1; }
[ -n "$traced_kb" ] && [ $((traced_kb - native_kb)) -lt "$shim_kb" ] ||
    { echo "FAIL: the program's peak RSS ${traced_kb:-?} kB, native $native_kb kB"; fail=1; }
echo "alloc: $n pairs: native $((t1 - t0)) s, $native_kb kB;" \
     "recorded $((t2 - t1)) s, program $traced_kb kB, mmsim $hwm kB," \
     "trace $(wc -c < t.mmtrace) bytes; $mallocs malloc, $frees free," \
     "${lost:-0} lost events, $shim_lost of them allocator calls"
exit $fail
