#!/bin/sh
# tests/reliab/stream.sh MMSIM REL_GEN_TRACE [PAGES [SHORT LONG]]
#
# Replaying streams the trace: two synthetic traces (rel_gen_trace.c) of
# one process mapping PAGES pages (default 32768), touching each and
# unmapping them, SHORT (default 2) and LONG (default 16) times over, are
# reported with `mmsim report`. The long one has LONG/SHORT times the
# events and bytes, the same pages touched at once: its peak RSS must not
# exceed the short one's by more than 8 MiB, and every event must be read.
set -u
mmsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
gen=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
pages=${3:-32768}
short=${4:-2}
long=${5:-16}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail=0

# peak_kb CMD...: run CMD (stdout to out.txt), print its peak RSS in kB
peak_kb() {
    python3 -c 'import resource, subprocess, sys
with open("out.txt", "w") as out:
    rc = subprocess.run(sys.argv[1:], stdout=out).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if rc == 0 else -1)' "$@"
}

for rounds in "$short" "$long"; do
    "$gen" "t$rounds.mmtrace" "$pages" "$rounds" || exit 1
    t0=$(date +%s)
    kb=$(peak_kb "$mmsim" report --machine mem=64G,thp=never "t$rounds.mmtrace")
    secs=$(($(date +%s) - t0))
    events=$((pages * rounds + 2 * rounds + 2))
    grep -q "^Replay: $events events, $((pages * rounds)) faults" out.txt ||
        { echo "FAIL: $rounds rounds: not $events events replayed"; tail -1 out.txt; fail=1; }
    [ "$kb" -gt 0 ] || { echo "FAIL: $rounds rounds: report failed"; fail=1; }
    eval "kb_$rounds=$kb"
    echo "stream: $events events, $(wc -c < "t$rounds.mmtrace") bytes:" \
         "peak RSS $kb kB, $secs s"
done
eval "a=\$kb_$short b=\$kb_$long"
# An ASan build keeps freed memory in quarantine: RSS is not mmsim's own.
grep -q __asan_init "$mmsim" && { echo "stream: sanitized mmsim: RSS not compared"; exit $fail; }
[ "$b" -le $((a + 8192)) ] ||
    { echo "FAIL: peak RSS grew with the trace: $a kB -> $b kB"; fail=1; }
exit $fail
